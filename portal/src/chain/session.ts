/** Who is signed in (no crypto here, so the app shell stays small). */
import { useSyncExternalStore } from "react";
import type { Address } from "viem";
import type { LocalAccount } from "viem/accounts";

/** A passkey on this device and the account it signs for (chain/passkey.ts). */
export interface PasskeyLogin {
  /** The credential id, base64url. */
  credentialId: string;
  qx: `0x${string}`;
  qy: `0x${string}`;
  /**
   * The account it signs for when that is not the address its own key gives (a second passkey
   * added to an account, or the new passkey of a recovery). Absent: the key's own account.
   */
  account?: Address;
}

export interface Session {
  address: Address;
  kind: "keystore" | "injected" | "demo" | "passkey";
  passkey?: PasskeyLogin;
  name?: string;
  role?: string;
  region?: number;
  organisation?: string;
  account?: LocalAccount;
}

let session: Session | null = null;
const subs = new Set<() => void>();
const emit = () => {
  for (const s of subs) s();
};

export function getSession(): Session | null {
  return session;
}

export function setSession(s: Session | null): void {
  session = s;
  if (s?.kind === "demo")
    sessionStorage.setItem("jangbu.demo", JSON.stringify({ ...s, account: undefined }));
  else sessionStorage.removeItem("jangbu.demo");
  emit();
}

export function useSession(): Session | null {
  return useSyncExternalStore(
    (fn) => {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    () => session,
    () => null,
  );
}
