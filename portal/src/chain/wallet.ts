/**
 * Who is signed in: an embedded key (keystore in localStorage, unlocked for this tab only), an
 * injected EIP-1193 wallet, or a demo persona (npm start only, clearly marked DEMO).
 */
import { type Address, getAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getJson } from "../api/client.ts";
import type { Keystore } from "./keystore.ts";

import { type Session, setSession } from "./session.ts";
import { injectedProvider } from "./sign.ts";

export { getSession, setSession, useSession } from "./session.ts";
export { injectedProvider, signMessage, signTypedData } from "./sign.ts";
export type { Session };

export interface DemoPersona {
  id: string;
  role: string;
  region: number;
  name: string;
  organisation?: string;
  title?: string;
  address: Address;
  privateKey: Hex;
}

export function signInWithKey(privateKey: Hex, extra: Partial<Session> = {}): Session {
  const account = privateKeyToAccount(privateKey);
  const s: Session = { kind: "keystore", ...extra, address: account.address, account };
  setSession(s);
  return s;
}

const KEYSTORE = "jangbu.keystore";
export const storedKeystore = (): Keystore | null => {
  const v = localStorage.getItem(KEYSTORE);
  try {
    return v ? (JSON.parse(v) as Keystore) : null;
  } catch {
    return null;
  }
};
export const storeKeystore = (ks: Keystore) => localStorage.setItem(KEYSTORE, JSON.stringify(ks));

export async function connectInjected(): Promise<Session> {
  const eth = injectedProvider();
  if (!eth) throw new Error("no injected wallet");
  const accounts = (await eth.request({ method: "eth_requestAccounts" })) as string[];
  const first = accounts[0];
  if (!first) throw new Error("no account");
  const s: Session = { kind: "injected", address: getAddress(first) };
  setSession(s);
  return s;
}

/** Demo personas (only served by the API in demo mode: GET /api/v1/demo/personas). */
export async function demoPersonas(): Promise<DemoPersona[]> {
  const body = await getJson<Record<string, unknown>>("/api/v1/demo/personas");
  const raw = (body.items ??
    body.personas ?? [
      ...((body.staff as unknown[]) ?? []),
      ...((body.farmers as unknown[]) ?? []),
    ]) as DemoPersona[];
  return raw.filter((p) => p?.privateKey && p.address);
}

export function signInDemo(p: DemoPersona): Session {
  const account = privateKeyToAccount(p.privateKey);
  const s: Session = {
    kind: "demo",
    address: account.address,
    account,
    name: p.name,
    role: p.role,
    region: p.region,
    organisation: p.organisation,
  };
  setSession(s);
  sessionStorage.setItem("jangbu.demoKey", p.privateKey);
  return s;
}

/** A demo session survives a reload of the tab (its key is public anyway). */
export function restoreDemo(): void {
  const raw = sessionStorage.getItem("jangbu.demo");
  const key = sessionStorage.getItem("jangbu.demoKey") as Hex | null;
  if (!raw || !key) return;
  try {
    const s = JSON.parse(raw) as Session;
    setSession({ ...s, account: privateKeyToAccount(key) });
  } catch {
    /* ignore */
  }
}
