/**
 * The chain's own clock (the latest block's timestamp): windows and deadlines follow it, not the
 * device. A bare JSON-RPC call, so the pages that need it load no viem.
 */
import { rpcCall } from "./rpc-lite.ts";

export async function chainNow(rpcUrl: string): Promise<number> {
  const b = await rpcCall<{ timestamp: string }>(rpcUrl, "eth_getBlockByNumber", ["latest", false]);
  return Number(BigInt(b.timestamp));
}
