/**
 * Bounded backfill batches (issue 26, item 5): with MAX_BATCH_EVENTS the sync cuts a batch at
 * the block boundary after that many events, whatever the events per block, and the store ends
 * identical to an index made with the default batches.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEnv, STORE_DEFAULTS, withStoreDefaults } from "../../indexer/src/env.ts";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import { createIndexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import type { ApplyBatchParameters } from "../../indexer/src/store/index.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { dumpStore, envFor, referenceDump, waitFor } from "./helpers/indexer.ts";

describe("backfill batches are capped", () => {
  let chain: TestChain & { lastBlock: number };
  let expected: Record<string, unknown[]>;

  before(async () => {
    chain = await startSeededChain();
    expected = await referenceDump(chain);
  });
  after(async () => {
    await chain?.close();
  });

  it("ends every batch with the block that holds its MAX_BATCH_EVENTS-th event", async () => {
    let db: Database | undefined;
    const cap = 40;
    try {
      db = await createPgliteDatabase();
      const indexer = await createIndexer({
        env: envFor(chain.url, chain.deployment, { MAX_BATCH_EVENTS: String(cap) }),
        logger: silentLogger,
        db,
      });
      const store = indexer.store;
      assert.ok(store !== undefined);
      /** Per batch: its events, and those before its last block (the cut is after that block). */
      const batches: { events: number; beforeLast: number }[] = [];
      const apply = store.applyBatch.bind(store);
      store.applyBatch = (params: ApplyBatchParameters) => {
        const lastBlock = params.events.at(-1)?.blockNumber;
        batches.push({
          events: params.events.length,
          beforeLast: params.events.filter((e) => e.blockNumber !== lastBlock).length,
        });
        return apply(params);
      };
      let failure: unknown;
      indexer.sync.run().catch((error: unknown) => {
        failure = error;
      });
      await waitFor("the capped index", () => {
        if (failure !== undefined) throw failure;
        return indexer.sync.status().indexed >= chain.lastBlock;
      });
      await indexer.close();
      const total = batches.reduce((n, b) => n + b.events, 0);
      assert.ok(total > 10 * cap, `${total} events in ${batches.length} batches`);
      for (const b of batches)
        assert.ok(
          b.beforeLast < cap,
          `a batch of ${b.events}, ${b.beforeLast} before its last block`,
        );
      // Uncapped, the whole backfill is one or two batches.
      const nonEmpty = batches.filter((b) => b.events > 0).length;
      assert.ok(nonEmpty >= total / (3 * cap), `${nonEmpty} batches for ${total} events`);
      assert.deepEqual(await dumpStore(db), expected);
    } finally {
      await db?.close();
    }
  });
});

describe("batch and log-answer defaults follow the store", () => {
  const base = { RPC_URL: "http://127.0.0.1:8545" };
  it("PGlite, inside the indexer's process, gets smaller batches and answers than PostgreSQL", () => {
    const pglite = withStoreDefaults(parseEnv(base), "pglite");
    const postgres = withStoreDefaults(parseEnv(base), "postgres");
    assert.equal(pglite.MAX_BATCH_EVENTS, STORE_DEFAULTS.pglite.maxBatchEvents);
    assert.equal(pglite.MAX_LOGS_ANSWER_KB, STORE_DEFAULTS.pglite.maxLogsAnswerKb);
    assert.equal(postgres.MAX_BATCH_EVENTS, STORE_DEFAULTS.postgres.maxBatchEvents);
    assert.equal(postgres.MAX_LOGS_ANSWER_KB, STORE_DEFAULTS.postgres.maxLogsAnswerKb);
    assert.ok(pglite.MAX_BATCH_EVENTS < postgres.MAX_BATCH_EVENTS);
  });
  it("an operator's values win over either default, and out-of-range ones are refused", () => {
    const env = parseEnv({ ...base, MAX_BATCH_EVENTS: "777", MAX_LOGS_ANSWER_KB: "1024" });
    for (const store of ["pglite", "postgres"] as const) {
      const resolved = withStoreDefaults(env, store);
      assert.equal(resolved.MAX_BATCH_EVENTS, 777);
      assert.equal(resolved.MAX_LOGS_ANSWER_KB, 1024);
    }
    assert.throws(() => parseEnv({ ...base, MAX_LOGS_ANSWER_KB: "8" }), /MAX_LOGS_ANSWER_KB/);
  });
});
