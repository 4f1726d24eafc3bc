/**
 * The first log range read while the store opens (sync/index.ts `readFirstRange`, issue 26):
 * used once, only for the block it was read from, a cut-off answer's whole blocks kept as any
 * other's, and the store the same as without it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NonRetryableError } from "../../indexer/src/internal/errors.ts";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import { getLogs } from "../../indexer/src/rpc/actions.ts";
import { createRpcClient, type RpcClient } from "../../indexer/src/rpc/client.ts";
import { resolveAddresses } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { type ApplyBatchParameters, createStore } from "../../indexer/src/store/index.ts";
import { createDecoder } from "../../indexer/src/sync/decode.ts";
import { createSync, type FirstRead, readFirstRange } from "../../indexer/src/sync/index.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { dumpStore, envFor, referenceDump, waitFor } from "./helpers/indexer.ts";

describe("the first log range, read while the store opens", () => {
  let chain: TestChain & { lastBlock: number };
  let expected: Record<string, unknown[]>;
  let addresses: ReturnType<typeof resolveAddresses>["addresses"];
  let startBlock: number;

  before(async () => {
    chain = await startSeededChain();
    ({ addresses, startBlock } = resolveAddresses(envFor(chain.url, chain.deployment), 31337));
    expected = await referenceDump(chain);
  });
  after(async () => {
    await chain?.close();
  });

  /** Orders the requests and the batches written in one test. */
  let sequence = 0;

  /**
   * An RPC client that notes the block range of every eth_getLogs it sends, when, and when its
   * answer came; and the blocks of every batch of eth_getBlockByNumber calls, and when.
   */
  const countingClient = (maxLogsAnswerBytes?: number) => {
    const ranges: { from: number; to: number; at: number; answeredAt?: number }[] = [];
    const headerBatches: { blocks: number[]; at: number }[] = [];
    const rpc = createRpcClient({
      url: chain.url,
      logger: silentLogger,
      ...(maxLogsAnswerBytes !== undefined ? { maxLogsAnswerBytes } : {}),
    });
    const counting: RpcClient = {
      url: rpc.url,
      batch(calls) {
        const blocks = calls
          .filter((c) => c.method === "eth_getBlockByNumber")
          .map((c) => Number(c.params[0]));
        if (blocks.length > 0) headerBatches.push({ blocks, at: sequence++ });
        return rpc.batch(calls);
      },
      request<T>(method: string, params?: readonly unknown[]) {
        if (method !== "eth_getLogs") return rpc.request<T>(method, params);
        const filter = params?.[0] as { fromBlock: string; toBlock: string };
        const range = {
          from: Number(filter.fromBlock),
          to: Number(filter.toBlock),
          at: sequence++,
        };
        ranges.push(range);
        return rpc.request<T>(method, params).then((answer) => {
          Object.assign(range, { answeredAt: sequence++ });
          return answer;
        });
      },
    };
    return { rpc: counting, ranges, headerBatches };
  };

  /**
   * Indexes the chain into a fresh store with `firstRead` (and, given, batches and a first range
   * of that size), returning the store's dump; `written` notes each batch's last block and when.
   */
  const indexWith = async (
    rpc: RpcClient,
    firstRead?: FirstRead,
    sizes: { maxBatchEvents?: number; initialBlockRange?: number; maxBlockRange?: number } = {},
    written: { toBlock: number; at: number }[] = [],
  ) => {
    let db: Database | undefined;
    try {
      db = await createPgliteDatabase();
      const store = await createStore({ db });
      await store.initSyncState({ chainId: 31337, addresses: "test", startBlock });
      const apply = store.applyBatch.bind(store);
      store.applyBatch = async (params: ApplyBatchParameters) => {
        await apply(params);
        written.push({ toBlock: params.toBlock, at: sequence++ });
      };
      const sync = createSync({
        rpc,
        store,
        decoder: createDecoder({ chainId: 31337, addresses }),
        ...(addresses.JangbuForwarder !== undefined
          ? { forwarder: addresses.JangbuForwarder }
          : {}),
        ...(firstRead !== undefined ? { firstRead } : {}),
        ...sizes,
        reorgDepth: 0,
        logger: silentLogger,
      });
      let failure: unknown;
      sync.run().catch((error: unknown) => {
        failure = error;
      });
      await waitFor("the index", () => {
        if (failure !== undefined) throw failure;
        return sync.status().indexed >= chain.lastBlock;
      });
      await sync.stop();
      return await dumpStore(db);
    } finally {
      await db?.close();
    }
  };

  it("is used for the store's first batch and not asked for again", async () => {
    const { rpc, ranges } = countingClient();
    const decoder = createDecoder({ chainId: 31337, addresses });
    const firstRead = readFirstRange({ rpc, decoder, from: startBlock, reorgDepth: 0 });
    const early = await firstRead.result;
    assert.ok(early !== undefined && "logs" in early && early.logs.length > 0, "it read logs");
    assert.equal(ranges.length, 1);
    assert.deepEqual(await indexWith(rpc, firstRead), expected);
    const fromStart = ranges.filter((r) => r.from === startBlock);
    assert.equal(fromStart.length, 1, `ranges asked for: ${JSON.stringify(ranges)}`);
  });

  it("is not used by a store whose cursor is elsewhere", async () => {
    const { rpc } = countingClient();
    const decoder = createDecoder({ chainId: 31337, addresses });
    const all = await getLogs(rpc, {
      address: decoder.addresses,
      fromBlock: startBlock,
      toBlock: chain.lastBlock,
    });
    const firstWithLogs = all[0]?.blockNumber;
    assert.ok(firstWithLogs !== undefined);
    // Read from the block after the first one with logs: a sync that took it for its own first
    // range would miss that block's logs.
    const misplaced = readFirstRange({ rpc, decoder, from: firstWithLogs + 1, reorgDepth: 0 });
    assert.ok((await misplaced.result) !== undefined);
    assert.deepEqual(await indexWith(rpc, misplaced), expected);
  });

  it("cut off at the answer size limit, keeps its whole blocks: the next range starts after them", async () => {
    // 256 KB: the demo season's logs (867 KB in one answer) do not fit.
    const { rpc, ranges } = countingClient(256 * 1024);
    const decoder = createDecoder({ chainId: 31337, addresses });
    const firstRead = readFirstRange({ rpc, decoder, from: startBlock, reorgDepth: 0 });
    const early = await firstRead.result;
    assert.ok(early !== undefined && "cut" in early && early.cut !== undefined, "cut off");
    assert.ok(early.to >= startBlock && early.to < early.cut.asked, `kept up to ${early.to}`);
    assert.ok(early.logs.length > 0 && early.logs.every((l) => l.blockNumber <= early.to));
    assert.deepEqual(await indexWith(rpc, firstRead), expected);
    const next = ranges[1];
    assert.ok(next !== undefined && next.from === early.to + 1, `next: ${JSON.stringify(next)}`);
    assert.ok(
      ranges.slice(1).every((r) => r.from > early.to),
      `a kept block asked for again: ${JSON.stringify(ranges)}`,
    );
  });

  it("drops a failure other than a refusal: the sync reads the range itself", async () => {
    const failing: RpcClient = {
      url: chain.url,
      batch: () => Promise.reject(new NonRetryableError("down")),
      request: () => Promise.reject(new NonRetryableError("down")),
    };
    const decoder = createDecoder({ chainId: 31337, addresses });
    const firstRead = readFirstRange({ rpc: failing, decoder, from: startBlock, reorgDepth: 0 });
    assert.equal(await firstRead.result, undefined);
    const { rpc } = countingClient();
    assert.deepEqual(await indexWith(rpc, firstRead), expected);
  });

  it("with batches smaller than an answer, reads the next range ahead of the carried ones, each block once", async () => {
    const { rpc, ranges } = countingClient();
    const written: { toBlock: number; at: number }[] = [];
    // Batches of 40 events, and a first range of a third of the chain: its answer holds several
    // batches, carried one after the other, and the range after it is asked for while they are
    // still being written.
    const initialBlockRange = Math.ceil((chain.lastBlock - startBlock + 1) / 3);
    const sizes = { maxBatchEvents: 40, initialBlockRange };
    assert.deepEqual(await indexWith(rpc, undefined, sizes, written), expected);
    const second = ranges[1];
    assert.ok(second !== undefined, `${ranges.length} ranges`);
    const writtenAfter = written.filter((w) => w.at > second.at && w.toBlock < second.from);
    // Read only when the last carried batch is read, the range would be asked for with one
    // batch before it left to write.
    assert.ok(
      writtenAfter.length >= 2,
      `${writtenAfter.length} batches before block ${second.from} were written after it was asked for`,
    );
    const sorted = [...ranges].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      const before = sorted[i - 1] as { from: number; to: number };
      const range = sorted[i] as { from: number; to: number };
      assert.ok(range.from > before.to, `asked twice: ${JSON.stringify([before, range])}`);
    }
    assert.ok(ranges.length >= 2, `${ranges.length} ranges`);
  });

  it("asks for a short range's headers with its logs, not after them, and the store is the same", async () => {
    const { rpc, ranges, headerBatches } = countingClient();
    // Ranges of at most 8 blocks: each is short enough to be taken for a dense stretch.
    assert.deepEqual(
      await indexWith(rpc, undefined, { initialBlockRange: 8, maxBlockRange: 8 }),
      expected,
    );
    const withLogs = ranges.filter((range) =>
      headerBatches.some(
        (batch) =>
          // Asked for before the logs came back (the headers asked after them come later).
          batch.at < (range.answeredAt ?? Number.POSITIVE_INFINITY) &&
          Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i).every(
            (block) => batch.blocks.includes(block),
          ),
      ),
    );
    // Every range but the last (which may end at the head, past what the sync asks headers for).
    assert.ok(
      withLogs.length >= ranges.length - 1 && ranges.length > 3,
      `${withLogs.length} of ${ranges.length} ranges had their headers asked for with their logs`,
    );
  });
});
