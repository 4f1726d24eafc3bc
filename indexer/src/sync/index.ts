/**
 * The sync: backfills with `eth_getLogs` over adaptive ranges up to `head − reorgDepth`, then
 * follows the head block by block, checking each block's parent hash against the stored one.
 * On a mismatch it finds the common ancestor among the stored hashes, rolls the store back to it
 * and goes on. Transient faults back off and retry; a non-retryable error ends `run()`.
 */
import { type Address, getAbiItem, getAddress, type Hex, toFunctionSelector } from "viem";
import { PasskeyAccountAbi } from "../../../sdk/generated/abis.ts";
import {
  describeError,
  isRetryable,
  NonRetryableError,
  RangeLimitError,
  RetryableError,
} from "../internal/errors.ts";
import type { Logger } from "../internal/logger.ts";
import type { IndexerMetrics } from "../internal/metrics.ts";
import type { Notifier } from "../internal/notify.ts";
import {
  type BlockHeader,
  getBlockHeaders,
  getBlockNumber,
  getLogs,
  getLogsUpTo,
  getTransactions,
  type RawLog,
} from "../rpc/actions.ts";
import type { RpcClient } from "../rpc/client.ts";
import type { EventLogText, Store } from "../store/index.ts";
import type { Decoder, EventRecord } from "./decode.ts";
import { createHeadWatcher, type HeadWatcher } from "./heads.ts";
import { createBlockRange } from "./range.ts";
import { attributeForwardedSigners } from "./signers.ts";

export type SyncStatus = {
  /** Latest chain head seen, or undefined before the first answer. */
  readonly head: number | undefined;
  readonly indexed: number;
  readonly phase: "starting" | "standby" | "backfill" | "following" | "stopped" | "failed";
  /** True once the cursor has reached the head at least once. */
  readonly caughtUp: boolean;
  readonly lastError: string | undefined;
  readonly reorgs: number;
};

export type Sync = {
  /** Runs until `stop()` (resolves) or a non-retryable error (rejects with it). */
  run(): Promise<void>;
  stop(): Promise<void>;
  status(): SyncStatus;
};

/**
 * Largest range whose blocks' headers are asked for together with its logs rather than after them:
 * a range this short was sized to a dense stretch, where nearly every block has logs (and the
 * batch needs the header of each), so the second round trip of a read is saved for a few headers
 * asked for in vain.
 */
const HEADERS_WITH_LOGS_MAX_BLOCKS = 64;

/** Blocks of the first `eth_getLogs` range, before any answer has shown the chain's density. */
export const INITIAL_BLOCK_RANGE = 1_000;

/**
 * The first backfill range's logs of a store that starts empty, asked for while the store is
 * still opening ({@link readFirstRange}). A cold start otherwise waited for it with nothing else
 * to do: the node computes the whole answer before it sends a byte (0.5–0.9 s for the first
 * 1,000 blocks of the benchmark chain, some 45,000 logs).
 */
export type FirstRead = {
  readonly from: number;
  readonly result: Promise<LogsAnswer | undefined>;
};

/**
 * The node's answer for a block range: the logs of its blocks up to `to` (the range's last block,
 * or with `cut`, the last whole block of an answer the client's size limit cut off at `asked`'s
 * end), or its refusal of the range ending at `to`.
 */
type LogsAnswer =
  | {
      readonly to: number;
      readonly logs: RawLog[];
      readonly cut?: { readonly asked: number; readonly error: RangeLimitError };
    }
  | { readonly to: number; readonly refused: RangeLimitError };

/** Asks the node for the logs of blocks `from`–`to`; other failures than a refusal are thrown. */
async function askLogs(
  rpc: RpcClient,
  decoder: Decoder,
  from: number,
  to: number,
): Promise<LogsAnswer> {
  try {
    const answer = await getLogsUpTo(rpc, {
      address: decoder.addresses,
      fromBlock: from,
      toBlock: to,
    });
    return answer.cut === undefined
      ? { to, logs: answer.logs }
      : { to: answer.to, logs: answer.logs, cut: { asked: to, error: answer.cut } };
  } catch (error) {
    if (error instanceof RangeLimitError) return { to, refused: error };
    throw error;
  }
}

/**
 * Starts reading the logs of the sync's first range from `from`: {@link INITIAL_BLOCK_RANGE}
 * blocks (at most `maxBlockRange`, and at most to the head less `reorgDepth`), for a sync whose
 * store is empty. A failure other than a refused range is dropped: the sync then reads the range
 * itself.
 */
export function readFirstRange({
  rpc,
  decoder,
  from,
  reorgDepth,
  maxBlockRange = Number.POSITIVE_INFINITY,
}: {
  rpc: RpcClient;
  decoder: Decoder;
  from: number;
  reorgDepth: number;
  maxBlockRange?: number;
}): FirstRead {
  const blocks = Math.max(1, Math.min(INITIAL_BLOCK_RANGE, maxBlockRange));
  const read = async () => {
    const to = Math.min((await getBlockNumber(rpc)) - reorgDepth, from + blocks - 1);
    return to < from ? undefined : askLogs(rpc, decoder, from, to);
  };
  const result = read().catch(() => undefined);
  return { from, result };
}

export type CreateSyncParameters = {
  rpc: RpcClient;
  store: Store;
  decoder: Decoder;
  /** The forwarder: transactions sent to it act for the forwarded request's signer. */
  forwarder?: Address;
  reorgDepth?: number;
  pollIntervalMs?: number;
  initialBlockRange?: number;
  maxBlockRange?: number;
  /** The first range's logs, read ahead while the store opened (used if the cursor is there). */
  firstRead?: FirstRead;
  /** Blocks per follow step (headers fetched one by one). */
  followBatchBlocks?: number;
  /** Most events in one backfill batch (one transaction), cut at a block boundary. */
  maxBatchEvents?: number;
  logger: Logger;
  metrics?: IndexerMetrics;
  notifier?: Notifier;
  /** Waits for new heads once caught up (default: adaptive polling at `pollIntervalMs`). */
  heads?: HeadWatcher;
};

/** `PasskeyAccount.execute`'s selector: how a passkey account's call is told from others. */
const PASSKEY_EXECUTE = toFunctionSelector(
  getAbiItem({ abi: PasskeyAccountAbi, name: "execute" }),
).toLowerCase();

export const createSync = ({
  rpc,
  store,
  decoder,
  forwarder,
  reorgDepth = 12,
  pollIntervalMs = 1_000,
  initialBlockRange = INITIAL_BLOCK_RANGE,
  maxBlockRange = 50_000,
  firstRead,
  followBatchBlocks = 100,
  maxBatchEvents = 10_000,
  logger,
  metrics,
  notifier,
  heads = createHeadWatcher({ pollIntervalMs, logger }),
}: CreateSyncParameters): Sync => {
  // One answer about one batch: a larger answer is carried over (memory), a smaller one costs a
  // round trip more per batch.
  const range = createBlockRange({
    initial: initialBlockRange,
    max: maxBlockRange,
    targetLogs: maxBatchEvents,
  });
  let stopped = false;
  let wake: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let cursor = { number: -1, hash: "" };
  /**
   * Where the backfill's time goes, in ms, logged once when the sync first catches up. Reads of
   * the next range overlap the store's write of the current one, so the parts add up to more
   * than the wall time; `waitRead` is the time the loop waited on a read it could not overlap.
   */
  const spent = { logs: 0, headers: 0, decode: 0, signers: 0, eventLog: 0, store: 0, waitRead: 0 };
  const backfillStarted = performance.now();
  let backfilledEvents = 0;
  const timed = async <T>(part: keyof typeof spent, work: Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work;
    } finally {
      spent[part] += performance.now() - t0;
    }
  };
  const status: { -readonly [K in keyof SyncStatus]: SyncStatus[K] } = {
    head: undefined,
    indexed: -1,
    phase: "starting",
    caughtUp: false,
    lastError: undefined,
    reorgs: 0,
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  /**
   * Passkey accounts created in the batches read so far (lower-case). The batch that creates an
   * account may still be on its way to the store when the next one, read ahead, has its first
   * call: the store alone would not know it yet.
   */
  const passkeyAccountsRead = new Set<string>();

  /**
   * The transactions among `txs` that are a passkey account's `execute`, by hash: the account
   * acted (the relayer that sent the transaction only paid for it).
   */
  const passkeyCallers = async (txs: Awaited<ReturnType<typeof getTransactions>>) => {
    const calls = txs.filter(
      (tx) => tx.to !== null && tx.input.slice(0, 10).toLowerCase() === PASSKEY_EXECUTE,
    );
    const out = new Map<string, Address>();
    if (calls.length === 0) return out;
    const unknown = [
      ...new Set(
        calls
          .map((tx) => getAddress(tx.to as Address))
          .filter((a) => !passkeyAccountsRead.has(a.toLowerCase())),
      ),
    ];
    for (const a of await store.passkeyAccountsAmong(unknown))
      passkeyAccountsRead.add(a.toLowerCase());
    for (const tx of calls) {
      const account = getAddress(tx.to as Address);
      if (passkeyAccountsRead.has(account.toLowerCase())) out.set(tx.hash, account);
    }
    return out;
  };

  /**
   * Signers of events that name no actor: the forwarded request's signer (signers.ts), else the
   * passkey account whose `execute` the transaction called, else the transaction's sender (one
   * eth_getTransactionByHash per such transaction).
   */
  const fillSigners = async (events: EventRecord[]) => {
    for (const e of events)
      if (e.contract === "PasskeyAccountFactory" && e.event === "PasskeyAccountCreated")
        passkeyAccountsRead.add(String(e.args.account).toLowerCase());
    const remaining = attributeForwardedSigners(events, forwarder);
    const missing = [...new Set(remaining.map((e) => e.txHash))];
    if (missing.length === 0) return;
    const txs = await getTransactions(rpc, missing);
    const senders = new Map<string, Address>(txs.map((tx) => [tx.hash, getAddress(tx.from)]));
    const accounts = await passkeyCallers(txs);
    for (const e of remaining) e.signer = accounts.get(e.txHash) ?? senders.get(e.txHash) ?? null;
  };

  const decodeAll = (logs: readonly RawLog[], headers: ReadonlyMap<number, BlockHeader>) =>
    logs.map((log) => {
      const header = headers.get(log.blockNumber);
      if (header === undefined || header.hash !== log.blockHash) {
        throw new RetryableError("the chain changed while it was being read", {
          details: { block: log.blockNumber },
        });
      }
      return decoder.decode(log, header.timestamp);
    });

  const commit = async (params: {
    toBlock: number;
    toHash: Hex;
    headers: BlockHeader[];
    events: EventRecord[];
    eventLog?: EventLogText;
    keepBlocksFrom: number;
  }) => {
    const started = performance.now();
    await store.applyBatch({ expectedBlock: cursor.number, ...params });
    spent.store += performance.now() - started;
    backfilledEvents += params.events.length;
    cursor = { number: params.toBlock, hash: params.toHash };
    status.indexed = params.toBlock;
    metrics?.batchSeconds.observe((performance.now() - started) / 1000);
    metrics?.eventsIndexed.inc({}, params.events.length);
    metrics?.indexedBlock.set(params.toBlock);
    notifier?.publish({
      type: "batch",
      toBlock: params.toBlock,
      lastPos: params.events.at(-1)?.pos,
      events: params.events.length,
    });
  };

  /** Finds the newest stored block the node still has (at or below its head) and rolls back to it. */
  const handleReorg = async (nodeHead: number) => {
    logger.warn("chain reorganisation detected", { nodeHead, storedHead: cursor.number });
    prefetched = undefined; // read before the reorg was seen: maybe from the abandoned branch
    let below = Math.min(cursor.number, nodeHead);
    for (;;) {
      const stored = await store.recentBlocks(below, 32);
      if (stored.length === 0) {
        throw new NonRetryableError(
          `reorg deeper than the stored block hashes (below ${below}): raise REORG_DEPTH and re-index`,
        );
      }
      const onNode = await getBlockHeaders(
        rpc,
        stored.map((b) => b.number),
      );
      const index = stored.findIndex((b, i) => onNode[i]?.hash === b.hash);
      if (index >= 0) {
        const ancestor = stored[index] as { number: number; hash: string };
        const { removedEvents } = await store.rollback(ancestor.number, ancestor.hash);
        cursor = { number: ancestor.number, hash: ancestor.hash };
        status.indexed = ancestor.number;
        status.reorgs++;
        metrics?.reorgs.inc();
        metrics?.indexedBlock.set(ancestor.number);
        logger.warn("rolled back to the common ancestor", {
          ancestor: ancestor.number,
          removedEvents,
        });
        notifier?.publish({ type: "reorg", ancestor: ancestor.number, removedEvents });
        return;
      }
      below = (stored.at(-1)?.number ?? 0) - 1;
    }
  };

  /**
   * One batch is one transaction held in memory: it ends at the block boundary after
   * `maxBatchEvents` logs (a block is never split; in the backfill the logs past the cut are carried
   * to the next batch, and `range.succeeded` sizes the next query to the density). Logs come
   * ordered by block.
   */
  const batchEnd = (logs: readonly RawLog[], to: number) =>
    logs.length > maxBatchEvents ? (logs[maxBatchEvents - 1] as RawLog).blockNumber : to;

  type Fetched =
    | { readonly kind: "refused" }
    | { readonly kind: "reorg"; readonly to: number }
    | {
        readonly kind: "batch";
        readonly from: number;
        readonly to: number;
        readonly toHash: Hex;
        readonly headers: BlockHeader[];
        readonly events: EventRecord[];
        readonly eventLog: EventLogText | undefined;
        /** Logs read beyond the batch's cut, for the next batch. */
        readonly rest: Carry | undefined;
      };

  /**
   * Logs of blocks `from`–`to` the node already returned (every one of them, sorted) that a
   * batch cut left over: the next batch starts from them instead of asking the node again.
   */
  type Carry = {
    readonly from: number;
    /** `from − 1` when the carry holds no block, only a read ahead. */
    readonly to: number;
    readonly logs: RawLog[];
    /** The logs of the blocks after `to`, up to `readAhead.to`, already asked for. */
    readonly readAhead?: { readonly to: number; readonly answer: Promise<ReadLogs | undefined> };
  };

  /** Logs read from the node, up to block `to`. */
  type ReadLogs = { readonly to: number; readonly logs: RawLog[] };

  /**
   * An answer's logs for the range starting at `from` and the last block they cover (the range's,
   * or the last whole block of a cut-off answer), or undefined if the node (or the client's answer
   * limits) refused it; either way the next range is sized from it.
   */
  const accept = (from: number, answer: LogsAnswer): ReadLogs | undefined => {
    if ("refused" in answer) {
      range.refused(answer.to - from + 1, from, answer.refused);
      logger.debug("log range refused, shrinking", { from, to: answer.to, next: range.size });
      return undefined;
    }
    if (answer.cut !== undefined) {
      range.cutOff(from, answer.cut.error);
      logger.debug("log answer cut off, its whole blocks kept", {
        from,
        to: answer.cut.asked,
        kept: answer.to,
        next: range.size,
      });
    } else range.succeeded(answer.to - from + 1, answer.logs.length);
    return { to: answer.to, logs: answer.logs };
  };

  /**
   * The logs of blocks `from`–`to` (or of fewer, a cut-off answer's whole blocks), or undefined
   * if the range was refused ({@link accept}).
   */
  const readLogs = async (from: number, to: number): Promise<ReadLogs | undefined> =>
    accept(from, await timed("logs", askLogs(rpc, decoder, from, to)));

  /**
   * The headers of blocks `from`–`to`, asked for at once (the batch needs those of the blocks with
   * logs, of its first and of its last block: in a dense range, nearly all of them).
   */
  const askHeadersWithLogs = (from: number, to: number) => {
    const asked = getBlockHeaders(
      rpc,
      Array.from({ length: to - from + 1 }, (_, i) => from + i),
    );
    asked.catch(() => {}); // awaited once the logs are in, unless they are refused
    return asked;
  };

  /**
   * The first read's answer if it is for the range starting at `from` and within `safe` (else
   * undefined: it is used once, or never).
   */
  let pendingFirstRead = firstRead;
  const takeFirstRead = async (from: number, safe: number) => {
    const early = pendingFirstRead;
    pendingFirstRead = undefined;
    if (early === undefined || early.from !== from) return undefined;
    const result = await timed("logs", early.result);
    return result !== undefined && result.to <= safe ? result : undefined;
  };

  /**
   * Reads and decodes the backfill range starting at `from` (the block after one whose hash is
   * `parentHash`, "" when unknown), signers included: everything but the store's write. With a
   * `carry` starting at `from`, its logs are used and the node is not asked for them again (the
   * blocks' headers are read afresh all the same: a reorg meanwhile shows as a hash mismatch);
   * a carry smaller than a batch is topped up with the range after it, so that batches stay
   * full (each batch costs the store a transaction and a read of the rows it touches).
   */
  const fetchBackfill = async (
    from: number,
    parentHash: string,
    safe: number,
    carry?: Carry,
  ): Promise<Fetched> => {
    let to: number;
    let logs: RawLog[];
    /** Whether the node was asked for logs for this batch (else it came from a carry alone). */
    let read = true;
    /** The headers of every block of the range, asked for with its logs (a dense range). */
    let headersAsked: Promise<BlockHeader[]> | undefined;
    if (carry !== undefined && carry.from === from && carry.to <= safe) {
      to = carry.to;
      logs = carry.logs;
      read = false;
      const ahead = carry.readAhead;
      if (logs.length < maxBatchEvents && to < safe) {
        const next =
          ahead !== undefined && ahead.to <= safe
            ? ahead.to
            : Math.min(safe, to + range.sizeAt(to + 1));
        // (A read ahead counted its time in `spent.logs` as it ran.)
        const more = await (ahead !== undefined && ahead.to === next
          ? ahead.answer
          : readLogs(to + 1, next));
        read = true;
        if (more !== undefined) {
          logs = logs.concat(more.logs);
          to = more.to;
        }
      }
      if (to < from) return { kind: "refused" }; // a carry of no block, and its read ahead refused
    } else {
      const early = await takeFirstRead(from, safe);
      to = early?.to ?? Math.min(safe, from + range.sizeAt(from) - 1);
      if (early === undefined && to - from + 1 <= HEADERS_WITH_LOGS_MAX_BLOCKS)
        headersAsked = askHeadersWithLogs(from, to);
      const answer = early !== undefined ? accept(from, early) : await readLogs(from, to);
      if (answer === undefined) return { kind: "refused" };
      ({ to, logs } = answer);
    }
    const lastBlock = batchEnd(logs, to);
    let rest: Carry | undefined;
    if (lastBlock < to) {
      const found = logs.findIndex((l) => l.blockNumber > lastBlock);
      const cut = found < 0 ? logs.length : found;
      rest = { from: lastBlock + 1, to, logs: logs.slice(cut) };
      logs = logs.slice(0, cut);
      to = lastBlock;
    }
    // A batch made of carried logs alone asked the node nothing, and the next one would ask only
    // when this one is about to be written. The range after the carried blocks is asked for now
    // instead: on the benchmark chain, an answer two batches long was otherwise followed by a
    // wait of most of the next answer's 0.5–0.8 s.
    const carriedTo = rest?.to ?? to;
    if (!read && carriedTo < safe && (rest?.logs.length ?? 0) < maxBatchEvents) {
      const aheadTo = Math.min(safe, carriedTo + range.sizeAt(carriedTo + 1));
      const aheadAnswer = readLogs(carriedTo + 1, aheadTo);
      aheadAnswer.catch(() => {}); // awaited by the next batch; a failure there reads again
      rest = {
        from: to + 1,
        to: carriedTo,
        logs: rest?.logs ?? [],
        readAhead: { to: aheadTo, answer: aheadAnswer },
      };
    }
    const numbers = new Set(logs.map((l) => l.blockNumber));
    numbers.add(to);
    if (parentHash !== "") numbers.add(from);
    const headers = await timed(
      "headers",
      headersAsked !== undefined
        ? headersAsked.then((all) => all.filter((h) => numbers.has(h.number)))
        : getBlockHeaders(
            rpc,
            [...numbers].sort((a, b) => a - b),
          ),
    );
    const byNumber = new Map(headers.map((h) => [h.number, h]));
    if (parentHash !== "" && byNumber.get(from)?.parentHash !== parentHash)
      return { kind: "reorg", to };
    const t0 = performance.now();
    const events = decodeAll(logs, byNumber);
    spent.decode += performance.now() - t0;
    await timed("signers", fillSigners(events));
    const t1 = performance.now();
    const eventLog = store.prepareEventLog(events);
    spent.eventLog += performance.now() - t1;
    const last = byNumber.get(to) as BlockHeader;
    return { kind: "batch", from, to, toHash: last.hash, headers, events, eventLog, rest };
  };

  /**
   * The next backfill range, read while the current one is written (PostgreSQL writes in its own
   * process meanwhile, PGlite on its own thread: store/pglite.ts). Used only if it starts right
   * after the committed cursor, on top of its hash.
   */
  let prefetched:
    | { readonly from: number; readonly parentHash: string; readonly result: Promise<Fetched> }
    | undefined;

  const backfillStep = async (safe: number) => {
    status.phase = "backfill";
    const from = cursor.number + 1;
    const ahead = prefetched;
    prefetched = undefined;
    let fetched: Fetched | undefined;
    if (ahead !== undefined && ahead.from === from && ahead.parentHash === cursor.hash)
      fetched = await timed(
        "waitRead",
        ahead.result.catch(() => undefined), // failed ahead: read it again now
      );
    fetched ??= await timed("waitRead", fetchBackfill(from, cursor.hash, safe));
    if (fetched.kind === "refused") return;
    if (fetched.kind === "reorg") {
      await handleReorg(fetched.to);
      return;
    }
    const { to, toHash, headers, events, eventLog, rest } = fetched;
    if (to < safe && !stopped) {
      const result = fetchBackfill(to + 1, toHash, safe, rest);
      result.catch(() => {}); // observed when used; a failure is read again then
      prefetched = { from: to + 1, parentHash: toHash, result };
    }
    await commit({ toBlock: to, toHash, headers, events, eventLog, keepBlocksFrom: safe });
    if (events.length > 0) logger.debug("backfilled", { from, to, events: events.length });
  };

  const followStep = async (head: number) => {
    status.phase = "following";
    const from = cursor.number + 1;
    const to = Math.min(head, from + followBatchBlocks - 1);
    const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const headers = await getBlockHeaders(rpc, numbers);
    const first = headers[0] as BlockHeader;
    if (cursor.hash !== "" && first.parentHash !== cursor.hash) {
      await handleReorg(head);
      return;
    }
    for (let i = 1; i < headers.length; i++) {
      if (headers[i]?.parentHash !== headers[i - 1]?.hash) {
        throw new RetryableError("the chain changed while its headers were read", {
          details: { block: from + i },
        });
      }
    }
    let logs = await getLogs(rpc, { address: decoder.addresses, fromBlock: from, toBlock: to });
    const lastBlock = batchEnd(logs, to);
    if (lastBlock < to) logs = logs.filter((l) => l.blockNumber <= lastBlock);
    const kept = lastBlock < to ? headers.filter((h) => h.number <= lastBlock) : headers;
    const byNumber = new Map(kept.map((h) => [h.number, h]));
    const events = decodeAll(logs, byNumber);
    await fillSigners(events);
    const last = kept.at(-1) as BlockHeader;
    await commit({
      toBlock: last.number,
      toHash: last.hash,
      headers: kept,
      events,
      keepBlocksFrom: head - reorgDepth,
    });
  };

  const loop = async () => {
    const state = await store.getSyncState();
    if (state === undefined)
      throw new NonRetryableError("the store has no sync state: call initSyncState first");
    cursor = { number: state.blockNumber, hash: state.blockHash };
    status.indexed = cursor.number;
    let failures = 0;
    while (!stopped) {
      try {
        const head = await getBlockNumber(rpc);
        status.head = head;
        heads.saw(head);
        metrics?.headBlock.set(head);
        if (head < cursor.number) {
          // The node is behind us (restarted, or a deep reorg to a shorter chain): check our tip.
          await handleReorg(head);
          continue;
        }
        if (cursor.number >= head) {
          if (!status.caughtUp) {
            const round = (ms: number) => Math.round(ms);
            logger.info("caught up", {
              block: cursor.number,
              events: backfilledEvents,
              ms: round(performance.now() - backfillStarted),
              ...Object.fromEntries(Object.entries(spent).map(([k, v]) => [`${k}Ms`, round(v)])),
            });
          }
          status.caughtUp = true;
          status.phase = "following";
          failures = 0;
          await heads.wait(head);
          continue;
        }
        const safe = head - reorgDepth;
        if (cursor.number < safe) await backfillStep(safe);
        else await followStep(head);
        failures = 0;
        status.lastError = undefined;
      } catch (error) {
        if (stopped) break;
        if (!isRetryable(error)) throw error;
        failures++;
        status.lastError = describeError(error);
        const delay =
          Math.min(10_000, 100 * 2 ** Math.min(failures, 7)) * (0.5 + Math.random() / 2);
        logger[failures >= 3 ? "warn" : "debug"]("sync step failed, retrying", {
          attempt: failures,
          inMs: Math.round(delay),
          error: status.lastError,
        });
        await sleep(delay);
      }
    }
  };

  return {
    run() {
      running ??= loop().then(
        () => {
          status.phase = "stopped";
        },
        (error: unknown) => {
          status.phase = stopped ? "stopped" : "failed";
          status.lastError = describeError(error);
          if (!stopped) throw error;
        },
      );
      return running;
    },
    async stop() {
      stopped = true;
      wake?.();
      heads.wake();
      await running?.catch(() => {});
    },
    status: () => ({ ...status }),
  };
};
