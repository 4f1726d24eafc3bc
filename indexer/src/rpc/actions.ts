/**
 * The few JSON-RPC reads the sync needs, with their answers checked field by field: a node that
 * answers something malformed gets a {@link RetryableError}, never a half-read record.
 */
import type { Address, Hex } from "viem";
import { RangeLimitError, RetryableError } from "../internal/errors.ts";
import type { RpcClient } from "./client.ts";

export type BlockHeader = {
  readonly number: number;
  readonly hash: Hex;
  readonly parentHash: Hex;
  /** Unix seconds. */
  readonly timestamp: number;
};

export type RawLog = {
  readonly address: Address;
  readonly topics: readonly Hex[];
  readonly data: Hex;
  readonly blockNumber: number;
  readonly blockHash: Hex;
  readonly transactionHash: Hex;
  readonly transactionIndex: number;
  readonly logIndex: number;
  readonly removed: boolean;
};

const HEX = /^0x[0-9a-fA-F]*$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
/** Nodes answer hashes in lower case: checked alone, such a hash needs no lower-cased copy. */
const LOWER_HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const LOWER_ADDRESS = /^0x[0-9a-f]{40}$/;

const toHex = (n: number): Hex => `0x${n.toString(16)}`;

function quantity(value: unknown, what: string): number {
  if (typeof value !== "string" || !HEX.test(value) || value.length < 3) {
    throw new RetryableError(`malformed answer: ${what} is not a hex quantity`, {
      details: { value },
    });
  }
  const n = Number.parseInt(value, 16);
  if (!Number.isSafeInteger(n)) throw new RetryableError(`malformed answer: ${what} out of range`);
  return n;
}

function hash(value: unknown, what: string): Hex {
  if (typeof value === "string" && LOWER_HASH.test(value)) return value as Hex;
  if (typeof value !== "string" || !HASH.test(value)) {
    throw new RetryableError(`malformed answer: ${what} is not a 32-byte hash`, {
      details: { value },
    });
  }
  return value.toLowerCase() as Hex;
}

export async function getChainId(rpc: RpcClient): Promise<number> {
  return quantity(await rpc.request("eth_chainId"), "chain id");
}

export async function getBlockNumber(rpc: RpcClient): Promise<number> {
  return quantity(await rpc.request("eth_blockNumber"), "block number");
}

function parseHeader(raw: unknown, expected: number | "latest"): BlockHeader {
  if (typeof raw !== "object" || raw === null) {
    throw new RetryableError(`malformed answer: block ${expected} missing`);
  }
  const b = raw as Record<string, unknown>;
  const header = {
    number: quantity(b.number, "block.number"),
    hash: hash(b.hash, "block.hash"),
    parentHash: hash(b.parentHash, "block.parentHash"),
    timestamp: quantity(b.timestamp, "block.timestamp"),
  };
  if (expected !== "latest" && header.number !== expected) {
    throw new RetryableError(`malformed answer: asked block ${expected}, got ${header.number}`);
  }
  return header;
}

/** Headers (no transactions) of the given blocks, in one or a few JSON-RPC batches. */
export async function getBlockHeaders(
  rpc: RpcClient,
  numbers: readonly number[],
): Promise<BlockHeader[]> {
  if (numbers.length === 0) return [];
  const raws = await rpc.batch<unknown>(
    numbers.map((n) => ({ method: "eth_getBlockByNumber", params: [toHex(n), false] })),
  );
  return raws.map((raw, i) => parseHeader(raw, numbers[i] as number));
}

export async function getLatestHeader(rpc: RpcClient): Promise<BlockHeader> {
  return parseHeader(await rpc.request("eth_getBlockByNumber", ["latest", false]), "latest");
}

export type GetLogsParameters = {
  readonly address: readonly Address[];
  readonly fromBlock: number;
  readonly toBlock: number;
};

/** `eth_getLogs` over a block range, every field checked, sorted by block then log index. */
export async function getLogs(
  rpc: RpcClient,
  { address, fromBlock, toBlock }: GetLogsParameters,
): Promise<RawLog[]> {
  const raw = await rpc.request<unknown>("eth_getLogs", [
    { address, fromBlock: toHex(fromBlock), toBlock: toHex(toBlock) },
  ]);
  if (!Array.isArray(raw))
    throw new RetryableError("malformed answer: eth_getLogs result is not an array");
  return current(checkedLogs(raw, fromBlock, toBlock));
}

/** The logs not removed by a reorg, sorted by block then log index. */
const current = (logs: readonly RawLog[]): RawLog[] =>
  logs
    .filter((l) => !l.removed)
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);

/**
 * The logs of a range as far as the node's answer went: all of them (`to` is the range's last
 * block), or, when the answer was cut off at the client's size limit ({@link RangeLimitError}
 * `partial`), those of the whole blocks it held, up to the block before the last one it reached
 * (whose logs may go on past the cut), with `cut` the refusal. A cut-off answer that held no whole
 * block, or whose logs were not in block order (a later one could belong to an earlier block),
 * is refused as before: the error is thrown.
 */
export async function getLogsUpTo(
  rpc: RpcClient,
  parameters: GetLogsParameters,
): Promise<{ readonly to: number; readonly logs: RawLog[]; readonly cut?: RangeLimitError }> {
  try {
    return { to: parameters.toBlock, logs: await getLogs(rpc, parameters) };
  } catch (error) {
    if (!(error instanceof RangeLimitError) || error.partial === undefined) throw error;
    let logs: RawLog[];
    try {
      logs = checkedLogs(error.partial, parameters.fromBlock, parameters.toBlock);
    } catch {
      throw error;
    }
    const inOrder = logs.every(
      (l, i) => i === 0 || l.blockNumber >= (logs[i - 1] as RawLog).blockNumber,
    );
    const reached = logs.at(-1)?.blockNumber;
    if (!inOrder || reached === undefined || reached <= parameters.fromBlock) throw error;
    const to = reached - 1;
    return { to, logs: current(logs.filter((l) => l.blockNumber <= to)), cut: error };
  }
}

/** Log objects of an answer for blocks `fromBlock`–`toBlock`, every field checked, in its order. */
function checkedLogs(raw: readonly unknown[], fromBlock: number, toBlock: number): RawLog[] {
  return raw.map((item): RawLog => {
    if (typeof item !== "object" || item === null)
      throw new RetryableError("malformed answer: log is not an object");
    const l = item as Record<string, unknown>;
    const address = l.address;
    if (typeof address !== "string" || !ADDRESS.test(address)) {
      throw new RetryableError("malformed answer: log.address");
    }
    if (!Array.isArray(l.topics) || l.topics.length > 4)
      throw new RetryableError("malformed answer: log.topics");
    if (typeof l.data !== "string" || !HEX.test(l.data) || l.data.length % 2 !== 0) {
      throw new RetryableError("malformed answer: log.data");
    }
    const log: RawLog = {
      address: (LOWER_ADDRESS.test(address) ? address : address.toLowerCase()) as Address,
      topics: l.topics.map((t) => hash(t, "a log topic")),
      data: l.data as Hex,
      blockNumber: quantity(l.blockNumber, "log.blockNumber"),
      blockHash: hash(l.blockHash, "log.blockHash"),
      transactionHash: hash(l.transactionHash, "log.transactionHash"),
      transactionIndex: quantity(l.transactionIndex, "log.transactionIndex"),
      logIndex: quantity(l.logIndex, "log.logIndex"),
      removed: l.removed === true,
    };
    if (log.blockNumber < fromBlock || log.blockNumber > toBlock) {
      throw new RetryableError(
        `malformed answer: log in block ${log.blockNumber} outside ${fromBlock}-${toBlock}`,
      );
    }
    return log;
  });
}

export type TransactionSender = {
  readonly hash: Hex;
  readonly from: Address;
  readonly to: Address | null;
  readonly input: Hex;
};

/** Sender, target and calldata of transactions (only for events that carry no actor). */
export async function getTransactions(
  rpc: RpcClient,
  hashes: readonly Hex[],
): Promise<TransactionSender[]> {
  const raws = await rpc.batch<unknown>(
    hashes.map((h) => ({ method: "eth_getTransactionByHash", params: [h] })),
  );
  return raws.map((raw, i) => {
    const t = raw as Record<string, unknown> | null;
    if (!t || typeof t.from !== "string" || !ADDRESS.test(t.from)) {
      throw new RetryableError(`malformed answer: transaction ${hashes[i]}`);
    }
    return {
      hash: hashes[i] as Hex,
      from: t.from as Address,
      to: typeof t.to === "string" && ADDRESS.test(t.to) ? (t.to as Address) : null,
      input: (typeof t.input === "string" ? t.input : "0x") as Hex,
    };
  });
}
