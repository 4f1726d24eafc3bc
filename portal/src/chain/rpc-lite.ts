/**
 * Bare JSON-RPC calls (no viem client): the portal needs a handful of reads, and viem's public
 * client brings every action with it (about 60 KB gzipped per route). Values are converted the way
 * viem would (quantities → bigint, status → "success" | "reverted").
 */
import type { Address, Hex } from "viem";

/** A JSON-RPC error answer; `data` keeps the revert data for chain/errors.ts findRevertData. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly data: unknown,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

export async function rpcCall<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as {
    result?: T;
    error?: { message: string; code?: number; data?: unknown };
  };
  if (body.error) throw new RpcError(body.error.message, body.error.code, body.error.data);
  return body.result as T;
}

export interface LiteLog {
  address: Address;
  topics: [Hex, ...Hex[]] | [];
  data: Hex;
  logIndex: number;
}

export interface LiteReceipt {
  transactionHash: Hex;
  blockNumber: bigint;
  from: Address;
  to: Address | null;
  status: "success" | "reverted";
  gasUsed: bigint;
  logs: LiteLog[];
}

interface RawReceipt {
  transactionHash: Hex;
  blockNumber: Hex;
  from: Address;
  to: Address | null;
  status: Hex;
  gasUsed: Hex;
  logs: { address: Address; topics: Hex[]; data: Hex; logIndex: Hex }[];
}

/** The receipt, or null while the transaction is not mined. */
export async function getReceipt(url: string, hash: Hex): Promise<LiteReceipt | null> {
  const r = await rpcCall<RawReceipt | null>(url, "eth_getTransactionReceipt", [hash]);
  if (!r) return null;
  return {
    transactionHash: r.transactionHash,
    blockNumber: BigInt(r.blockNumber),
    from: r.from,
    to: r.to,
    status: r.status === "0x1" ? "success" : "reverted",
    gasUsed: BigInt(r.gasUsed),
    logs: r.logs.map((l) => ({
      address: l.address,
      topics: l.topics as LiteLog["topics"],
      data: l.data,
      logIndex: Number(l.logIndex),
    })),
  };
}

export async function getBlockNumber(url: string): Promise<bigint> {
  return BigInt(await rpcCall<Hex>(url, "eth_blockNumber"));
}

/** The block's number and timestamp ("latest" when no number is given). */
export async function getBlock(
  url: string,
  number?: bigint,
): Promise<{ number: bigint; timestamp: bigint }> {
  const tag = number === undefined ? "latest" : `0x${number.toString(16)}`;
  const b = await rpcCall<{ number: Hex; timestamp: Hex }>(url, "eth_getBlockByNumber", [
    tag,
    false,
  ]);
  return { number: BigInt(b.number), timestamp: BigInt(b.timestamp) };
}

export async function estimateGas(
  url: string,
  tx: { from: Address; to: Address; data: Hex },
): Promise<bigint> {
  return BigInt(await rpcCall<Hex>(url, "eth_estimateGas", [tx]));
}

export async function ethCall(url: string, tx: { to: Address; data: Hex }): Promise<Hex> {
  return rpcCall<Hex>(url, "eth_call", [tx, "latest"]);
}

/** The code at `address` ("0x" when none: a passkey account not deployed yet). */
export async function getCode(url: string, address: Address): Promise<Hex> {
  return rpcCall<Hex>(url, "eth_getCode", [address, "latest"]);
}
