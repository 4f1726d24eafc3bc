/**
 * Signing with the signed-in session: its local account (embedded key or demo persona, created at
 * sign-in by chain/wallet.ts) or the injected wallet through plain EIP-1193 requests. No viem
 * wallet client, so the pages that sign load only this.
 */
import { type Hex, serializeTypedData, stringToHex, type TypedDataDefinition } from "viem";
import type { Session } from "./session.ts";

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}
export const injectedProvider = (): Eip1193 | undefined =>
  (globalThis as unknown as { ethereum?: Eip1193 }).ethereum;

export async function signTypedData(s: Session, typed: TypedDataDefinition): Promise<Hex> {
  if (s.account?.signTypedData) return s.account.signTypedData(typed);
  const eth = injectedProvider();
  if (!eth) throw new Error("no wallet");
  return (await eth.request({
    method: "eth_signTypedData_v4",
    params: [s.address, serializeTypedData(typed)],
  })) as Hex;
}

export async function signMessage(s: Session, message: string): Promise<Hex> {
  if (s.account?.signMessage) return s.account.signMessage({ message });
  const eth = injectedProvider();
  if (!eth) throw new Error("no wallet");
  return (await eth.request({
    method: "personal_sign",
    params: [stringToHex(message), s.address],
  })) as Hex;
}
