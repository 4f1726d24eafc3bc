/**
 * A JSON-RPC client over HTTP for any standard EVM node: per-attempt timeouts, retries with
 * exponential backoff and full jitter for transient faults (timeouts, lost connections, 429, 5xx,
 * malformed answers), batches, and classification of `eth_getLogs` size refusals into
 * {@link RangeLimitError} so the caller shrinks the range instead of waiting. An `eth_getLogs` over
 * several blocks whose answer times out or outgrows `maxLogsAnswerBytes` is given up the same way
 * rather than retried whole: the same query would take as long again, and one unbounded answer is
 * the indexer's peak memory. An answer cut off at the size limit carries the whole log objects read
 * before the cut (`partial`), which `getLogsUpTo` (actions.ts) keeps for the blocks they complete.
 */
import { isAscii } from "node:buffer";
import {
  describeError,
  type LogsReached,
  NonRetryableError,
  RangeLimitError,
  RetryableError,
} from "../internal/errors.ts";
import type { Logger } from "../internal/logger.ts";
import type { IndexerMetrics } from "../internal/metrics.ts";

export type RpcCall = { readonly method: string; readonly params: readonly unknown[] };

export type RpcClient = {
  /** One call; retried while the fault is transient. */
  request<T>(method: string, params?: readonly unknown[]): Promise<T>;
  /** Several calls in JSON-RPC batches of at most `maxBatchSize`; results in call order. */
  batch<T>(calls: readonly RpcCall[]): Promise<T[]>;
  readonly url: string;
};

export type CreateRpcClientParameters = {
  url: string;
  /** Milliseconds before one attempt is abandoned (default 10,000). */
  timeoutMs?: number;
  /** Attempts before a transient fault is given up as fatal (default: never give up). */
  maxAttempts?: number;
  /** First backoff delay in ms (default 100); doubles each attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  maxBatchSize?: number;
  /**
   * Largest `eth_getLogs` answer read, in bytes, when the query spans more than one block
   * (default 32 MiB, about 35,000 logs): past it the read stops and a RangeLimitError says what
   * the answer held.
   */
  maxLogsAnswerBytes?: number;
  logger?: Logger;
  metrics?: IndexerMetrics;
  /** Stops waiting and retrying when aborted (service shutdown). */
  signal?: AbortSignal;
};

type JsonRpcResponse = {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
};

/** Messages by which nodes (geth, erigon, besu, nethermind, alchemy, infura, ...) refuse a log range. */
const RANGE_PATTERNS = [
  /block range/i,
  /range (is )?too (large|big|wide)/i,
  /query returned more than/i,
  /too many (results|logs|blocks)/i,
  /exceed(s|ed)? (the )?(max|maximum|limit)/i,
  /limit exceeded/i,
  /response (size|too large)/i,
  /result window is too large/i,
  /max(imum)? (block )?range/i,
  /log response size/i,
];

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** An RPC error object turned into the error class the caller can act on. */
export function classifyRpcError(method: string, error: JsonRpcResponse["error"]): Error {
  const code = typeof error?.code === "number" ? error.code : undefined;
  const message = typeof error?.message === "string" ? error.message : JSON.stringify(error);
  const details = { method, code };
  if (
    method === "eth_getLogs" &&
    (code === -32005 || RANGE_PATTERNS.some((p) => p.test(message)))
  ) {
    // Some providers suggest a range that works: "[0x1, 0x2]" / "retry with the range 1-2".
    const hint = /\[(0x[0-9a-f]+),\s*(0x[0-9a-f]+)\]/i.exec(message);
    const suggestedTo = hint?.[2] !== undefined ? Number.parseInt(hint[2], 16) : undefined;
    return new RangeLimitError(`node refused the log range: ${message}`, suggestedTo, { details });
  }
  if (code === -32601)
    return new NonRetryableError(`node does not support ${method}: ${message}`, { details });
  if (code === -32602 || code === -32600) {
    return new NonRetryableError(`node rejected ${method} parameters: ${message}`, { details });
  }
  // -32603 internal error, -32000 server errors, rate limits (-32005 outside getLogs), unknown.
  return new RetryableError(`${method} failed: ${message}`, { details });
}

class BatchUnsupported extends Error {}

/** An `eth_getLogs` call over more than one block: the only call a smaller query can replace. */
function spansSeveralBlocks(method: string, params: readonly unknown[]): boolean {
  if (method !== "eth_getLogs") return false;
  const filter = params[0] as { fromBlock?: unknown; toBlock?: unknown } | undefined;
  const from = typeof filter?.fromBlock === "string" ? Number(filter.fromBlock) : Number.NaN;
  const to = typeof filter?.toBlock === "string" ? Number(filter.toBlock) : Number.NaN;
  return Number.isFinite(from) && Number.isFinite(to) && to > from;
}

/** The body as text, or `undefined` once it passes `limit` bytes (the rest is not read). */
/** What is known of a log answer cut off at the size limit. */
type Oversized = {
  /** The size the node declared (Content-Length), if it did. */
  readonly declared: number | undefined;
  /** Blocks the logs read before the cut reached, in order (empty if none was read). */
  readonly reached: readonly LogsReached[];
  /** The whole log objects read before the cut ({@link wholeLogsBefore}). */
  readonly partial?: readonly unknown[];
};

/** Logs per sample of a cut-off answer's density ({@link LogsReached}). */
const SAMPLE_EVERY = 250;

/**
 * What the bytes `read` of a cut-off log answer held, up to the client's limit (the chunk that
 * crossed it goes past it: a block named there would not fit): the block of every {@link SAMPLE_EVERY}th log and
 * of the last one, each with the logs that began before it (one `"logIndex"` per log; its
 * `"blockNumber"` is the last one before that key).
 */
function cutOffAt(read: Buffer): LogsReached[] {
  const logIndexKey = Buffer.from('"logIndex"');
  const blockKey = Buffer.from('"blockNumber"');
  const blockAt = (at: number): number | undefined => {
    const key = read.lastIndexOf(blockKey, at);
    if (key < 0) return undefined;
    const match = /^"blockNumber"\s*:\s*"(0x[0-9a-fA-F]+)"/.exec(
      read.subarray(key, key + 48).toString("latin1"),
    );
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  const reached: LogsReached[] = [];
  let logs = 0;
  let last = -1;
  for (let at = read.indexOf(logIndexKey); at >= 0; at = read.indexOf(logIndexKey, at + 1)) {
    logs++;
    last = at;
    if (logs % SAMPLE_EVERY === 0) {
      const block = blockAt(at);
      if (block !== undefined) reached.push({ logs, block });
    }
  }
  const block = last < 0 ? undefined : blockAt(last);
  if (block !== undefined) reached.push({ logs, block });
  return reached;
}

/**
 * The whole log objects in the first bytes of a cut-off `eth_getLogs` answer, or undefined when
 * they cannot be read. A log object holds no object (its values are strings, arrays of strings
 * and booleans), so the last `}` read ends the last whole one; whatever does not parse as the
 * result array up to there (another layout of the answer, a brace inside a string) gives
 * undefined, and the answer is then only refused, as before.
 */
function wholeLogsBefore(read: Buffer): unknown[] | undefined {
  const key = read.indexOf('"result"');
  const open = key < 0 ? -1 : read.indexOf("[", key);
  const end = read.lastIndexOf("}");
  if (open < 0 || end < open) return undefined;
  try {
    const logs: unknown = JSON.parse(`${bodyText(read.subarray(open, end + 1))}]`);
    return Array.isArray(logs) ? logs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The body as text, or what is known of it once it passes `limit` bytes (declared or read): the
 * rest is not read.
 */
async function readBounded(response: Response, limit: number): Promise<string | Oversized> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    return { declared, reached: [] };
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    chunks.push(value);
    if (size > limit) {
      await reader.cancel();
      const read = Buffer.concat(chunks).subarray(0, limit);
      const partial = wholeLogsBefore(read);
      return {
        declared: undefined,
        reached: cutOffAt(read),
        ...(partial !== undefined ? { partial } : {}),
      };
    }
  }
  return bodyText(Buffer.concat(chunks, size));
}

/**
 * An answer's bytes as text. A node's answers are ASCII in practice (hex and field names): read as
 * Latin-1 they give the same string, copied byte for byte, where UTF-8 decoding is about 20 times
 * slower (measured on a 6.6 MB log answer: 1 against 19 ms, and the JSON parse after it no slower).
 */
function bodyText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

export const createRpcClient = ({
  url,
  timeoutMs = 10_000,
  maxAttempts = Number.POSITIVE_INFINITY,
  baseBackoffMs = 100,
  maxBackoffMs = 10_000,
  maxBatchSize = 100,
  maxLogsAnswerBytes = 32 * 1024 * 1024,
  logger,
  metrics,
  signal,
}: CreateRpcClientParameters): RpcClient => {
  let nextId = 1;
  let batchSupported = true;

  /**
   * One HTTP exchange; throws RetryableError for transport faults and malformed answers. With
   * `shrinkable` (a log query a smaller range can replace) a timeout or an answer past
   * `maxLogsAnswerBytes` throws a RangeLimitError of the client's own instead.
   */
  const post = async (body: unknown, label: string, shrinkable = false): Promise<unknown> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: combined,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout.aborted;
      if (timedOut && shrinkable) throw tooSlow(label);
      throw new RetryableError(
        timedOut ? `${label} timed out after ${timeoutMs} ms` : `${label}: cannot reach the node`,
        {
          details: { url },
          cause: error,
        },
      );
    }
    let text: string;
    try {
      const bounded = shrinkable
        ? await readBounded(response, maxLogsAnswerBytes)
        : await response.text();
      if (typeof bounded !== "string") {
        throw new RangeLimitError(
          `${label}: answer larger than ${maxLogsAnswerBytes} bytes, asking a smaller range`,
          undefined,
          {
            ownLimit: true,
            // What fits is known at once, not by halving once per wasted answer.
            ...(bounded.declared !== undefined
              ? { oversize: bounded.declared / maxLogsAnswerBytes }
              : {}),
            reached: bounded.reached,
            ...(bounded.partial !== undefined ? { partial: bounded.partial } : {}),
            details: { limit: maxLogsAnswerBytes, declared: bounded.declared },
          },
        );
      }
      text = bounded;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof RangeLimitError) throw error;
      if (timeout.aborted && shrinkable) throw tooSlow(label);
      throw new RetryableError(`${label}: connection lost while reading the answer`, {
        cause: error,
      });
    }
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      throw new RetryableError(`${label}: node answered HTTP ${response.status}`, {
        details: { status: response.status },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RetryableError(`${label}: malformed answer (not JSON)`, {
        details: { status: response.status, body: text.slice(0, 120) },
      });
    }
    if (response.status >= 400 && (typeof parsed !== "object" || parsed === null)) {
      throw new RetryableError(`${label}: node answered HTTP ${response.status}`, {
        details: { status: response.status },
      });
    }
    return parsed;
  };

  const tooSlow = (label: string) =>
    new RangeLimitError(
      `${label} timed out after ${timeoutMs} ms, asking a smaller range`,
      undefined,
      { ownLimit: true, details: { timeoutMs } },
    );

  const withRetry = async <T>(label: string, attempt: () => Promise<T>): Promise<T> => {
    for (let n = 1; ; n++) {
      try {
        const value = await attempt();
        metrics?.rpcRequests.inc({ method: label, outcome: "ok" });
        return value;
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        const retryable = error instanceof RetryableError && !(error instanceof RangeLimitError);
        metrics?.rpcRequests.inc({ method: label, outcome: retryable ? "retry" : "error" });
        if (!retryable) throw error;
        if (n >= maxAttempts) {
          throw new NonRetryableError(`${label}: gave up after ${n} attempts: ${error.message}`, {
            cause: error,
          });
        }
        metrics?.rpcRetries.inc({ method: label });
        const cap = Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.min(n - 1, 20));
        const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
        logger?.[n >= 5 ? "warn" : "debug"](`rpc retry in ${delay} ms`, {
          attempt: n,
          error: describeError(error),
        });
        await sleep(delay, signal);
      }
    }
  };

  const checkOne = (method: string, answer: unknown): unknown => {
    if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
      throw new RetryableError(`${method}: malformed answer (not a JSON-RPC response)`);
    }
    const { result, error } = answer as JsonRpcResponse;
    if (error !== undefined && error !== null) throw classifyRpcError(method, error);
    if (!("result" in answer)) throw new RetryableError(`${method}: malformed answer (no result)`);
    return result;
  };

  const request = <T>(method: string, params: readonly unknown[] = []): Promise<T> =>
    withRetry(method, async () => {
      const id = nextId++;
      const answer = await post(
        { jsonrpc: "2.0", id, method, params },
        method,
        spansSeveralBlocks(method, params),
      );
      if (
        typeof answer === "object" &&
        answer !== null &&
        "id" in answer &&
        (answer as JsonRpcResponse).id !== id
      ) {
        throw new RetryableError(`${method}: malformed answer (id mismatch)`);
      }
      return checkOne(method, answer) as T;
    });

  const batchChunk = <T>(calls: readonly RpcCall[]): Promise<T[]> => {
    const label = calls[0]?.method ?? "batch";
    return withRetry(label, async () => {
      const first = nextId;
      nextId += calls.length;
      const body = calls.map((c, i) => ({
        jsonrpc: "2.0",
        id: first + i,
        method: c.method,
        params: c.params,
      }));
      const answer = await post(body, `${label} batch`);
      if (!Array.isArray(answer)) {
        // A node without batch support answers one error object: fall back to single calls.
        if ((answer as JsonRpcResponse | null)?.error) {
          batchSupported = false;
          throw new BatchUnsupported();
        }
        throw new RetryableError(`${label} batch: malformed answer (not an array)`);
      }
      const byId = new Map<number, unknown>();
      for (const item of answer) {
        const id = (item as JsonRpcResponse | null)?.id;
        if (typeof id === "number") byId.set(id, item);
      }
      return calls.map((c, i) => {
        const item = byId.get(first + i);
        if (item === undefined)
          throw new RetryableError(`${c.method} batch: answer missing for a call`);
        return checkOne(c.method, item) as T;
      });
    });
  };

  const batch = async <T>(calls: readonly RpcCall[]): Promise<T[]> => {
    if (!batchSupported) return Promise.all(calls.map((c) => request<T>(c.method, c.params)));
    try {
      return await batchChunks<T>(calls);
    } catch (error) {
      if (!(error instanceof BatchUnsupported)) throw error;
      logger?.warn("the node refuses JSON-RPC batches: sending calls one by one");
      return Promise.all(calls.map((c) => request<T>(c.method, c.params)));
    }
  };

  const batchChunks = async <T>(calls: readonly RpcCall[]): Promise<T[]> => {
    const chunks: RpcCall[][] = [];
    for (let i = 0; i < calls.length; i += maxBatchSize)
      chunks.push(calls.slice(i, i + maxBatchSize));
    // A few chunks in flight: enough to hide latency without hammering the node.
    const results: T[][] = new Array(chunks.length);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const index = next++;
        results[index] = await batchChunk<T>(chunks[index] ?? []);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, chunks.length) }, worker));
    return results.flat();
  };

  return { request, batch, url };
};
