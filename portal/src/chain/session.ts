/** Who is signed in (no crypto here, so the app shell stays small). */
import { useSyncExternalStore } from "react";
import type { Address } from "viem";
import type { LocalAccount } from "viem/accounts";

export interface Session {
  address: Address;
  kind: "keystore" | "injected" | "demo";
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
