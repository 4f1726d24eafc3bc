/**
 * The store on its own: the same events applied in one large batch (COPY and staged upserts) or in
 * many small ones (`unnest` upserts) give the same store, on PGlite and on PostgreSQL; a rollback
 * rebuilds exactly what replaying the surviving events gives; the cursor guards against a second
 * writer; a batch whose handler fails, or that creates a row already stored, leaves nothing behind; an event log written before migration
 * 4 (text keys, jsonb args) migrates to what a new store holds; history reads re-check key hashes;
 * PostgreSQL COPYs stream in parts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { historyOf } from "../../indexer/src/api/events.ts";
import { copyText, createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { eventKeys } from "../../indexer/src/store/handlers.ts";
import { createStore } from "../../indexer/src/store/index.ts";
import { keyHash } from "../../indexer/src/store/keys.ts";
import { MIGRATIONS, migrate } from "../../indexer/src/store/migrations.ts";
import type { EventRecord } from "../../indexer/src/sync/decode.ts";
import { syntheticEvents } from "../../scripts/bench/indexer.ts";
import {
  createTestPostgres,
  dumpStore,
  postgresAvailable,
  withTestPostgres,
} from "./helpers/indexer.ts";

const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;

async function applyAll(db: Database, events: readonly EventRecord[], batches: number) {
  const store = await createStore({ db });
  await store.initSyncState({ chainId: 31337, addresses: "test", startBlock: 0 });
  const blocks = [...new Set(events.map((e) => e.blockNumber))];
  const per = Math.ceil(blocks.length / batches);
  let cursor = -1;
  for (let i = 0; i < blocks.length; i += per) {
    const range = new Set(blocks.slice(i, i + per));
    const batch = events.filter((e) => range.has(e.blockNumber));
    const toBlock = Math.max(...range);
    await store.applyBatch({
      expectedBlock: cursor,
      toBlock,
      toHash: hashOf(toBlock),
      headers: [...range].map((n) => ({
        number: n,
        hash: hashOf(n),
        parentHash: hashOf(n - 1),
        timestamp: 1_790_000_000 + n * 2,
      })),
      events: batch,
      keepBlocksFrom: 0,
    });
    cursor = toBlock;
  }
  return store;
}

describe("indexer store", () => {
  const events = syntheticEvents(2_000);
  let reference: Awaited<ReturnType<typeof dumpStore>>;

  it("gives the same store for one large batch and for many small ones (PGlite)", async () => {
    const [big, small] = [await createPgliteDatabase(), await createPgliteDatabase()];
    try {
      await applyAll(big, events, 1);
      await applyAll(small, events, 40);
      reference = await dumpStore(big);
      assert.equal(reference.events?.length, 2_000);
      assert.ok((reference.sales?.length ?? 0) > 200, "large enough for the staged (COPY) upsert");
      assert.deepEqual(reference, await dumpStore(small));
    } finally {
      await big.close();
      await small.close();
    }
  });

  it("gives the same store on PostgreSQL as on PGlite", async (t) => {
    await withTestPostgres(t, async (postgres) => {
      await applyAll(postgres, events, 3);
      assert.deepEqual(await dumpStore(postgres), reference);
    });
  });

  it("rolls back to a block exactly as if the later events had never been applied", async () => {
    const [rolled, clean] = [await createPgliteDatabase(), await createPgliteDatabase()];
    try {
      const middle = events[1_200]?.blockNumber ?? 0;
      const store = await applyAll(rolled, events, 4);
      await store.rollback(middle, hashOf(middle));
      await applyAll(
        clean,
        events.filter((e) => e.blockNumber <= middle),
        2,
      );
      const [a, b] = [await dumpStore(rolled), await dumpStore(clean)];
      assert.ok((a.sales?.length ?? 0) > 0);
      assert.deepEqual(a, b);
    } finally {
      await rolled.close();
      await clean.close();
    }
  });

  it("refuses a batch computed from a cursor that moved (a second writer)", async () => {
    const db = await createPgliteDatabase();
    try {
      const store = await applyAll(db, events.slice(0, 100), 1);
      const last = Math.max(...events.slice(0, 100).map((e) => e.blockNumber));
      await assert.rejects(
        store.applyBatch({
          expectedBlock: last - 1,
          toBlock: last + 1,
          toHash: hashOf(last + 1),
          headers: [],
          events: [],
          keepBlocksFrom: 0,
        }),
        /cursor moved/,
      );
      await assert.rejects(
        store.initSyncState({ chainId: 1, addresses: "test", startBlock: 0 }),
        /chain 31337, not chain 1/,
      );
    } finally {
      await db.close();
    }
  });

  /**
   * On PGlite and (when available) PostgreSQL: after the first 100 events, the batch of
   * `refused(last)` (at block last + 1) fails with `error` and leaves the store as it was.
   */
  async function assertRefusedBatch(
    refused: (last: number) => EventRecord[],
    error: RegExp,
  ): Promise<void> {
    const engines: (Database & { drop?(): Promise<void> })[] = [await createPgliteDatabase()];
    if (await postgresAvailable()) engines.push(await createTestPostgres());
    for (const db of engines) {
      try {
        const store = await applyAll(db, events.slice(0, 100), 1);
        const before = await dumpStore(db);
        const last = Math.max(...events.slice(0, 100).map((e) => e.blockNumber));
        await assert.rejects(
          store.applyBatch({
            expectedBlock: last,
            toBlock: last + 1,
            toHash: hashOf(last + 1),
            headers: [],
            events: refused(last),
            keepBlocksFrom: 0,
          }),
          error,
        );
        assert.deepEqual(await dumpStore(db), before, db.kind);
      } finally {
        await (db.drop?.() ?? db.close());
      }
    }
  }

  it("leaves nothing behind when a handler refuses an event (PGlite and PostgreSQL)", async () => {
    const approve = events.find((e) => e.event === "PurchaseApproved");
    assert.ok(approve !== undefined);
    await assertRefusedBatch((last) => {
      // Valid events first (they reach the log's COPY), then one for a sale never submitted.
      const next = events.slice(100, 160).map((e) => ({ ...e, blockNumber: last + 1 }));
      const orphan = { ...approve, args: { ...approve.args, saleId: "7" }, blockNumber: last + 1 };
      return [...next, { ...orphan, pos: Math.max(...next.map((e) => e.pos)) + 1 }];
    }, /cannot apply RicePurchase\.PurchaseApproved: PurchaseApproved for unknown sale 7/);
  });

  it("refuses an event that creates a row the store already holds, and leaves nothing behind", async () => {
    const submitted = events.slice(0, 100).find((e) => e.event === "SaleSubmitted");
    assert.ok(submitted !== undefined);
    // The store does not look up a sale before its SaleSubmitted: a second one must not
    // overwrite the first.
    await assertRefusedBatch(
      (last) => [{ ...submitted, blockNumber: last + 1, pos: (last + 1) * 2 ** 20 }],
      /the batch creates a sales row the store already holds/,
    );
  });

  it("migrates an event log with text history keys to the hashed keys a new store writes", async () => {
    const [old, fresh] = [await createPgliteDatabase(), await createPgliteDatabase()];
    try {
      // The log as migrations 1–3 left it: text[] keys and jsonb args, written as the store did.
      await migrate(
        old,
        MIGRATIONS.filter((m) => m.id <= 3),
      );
      const columns = ["pos", "chain_id", "block_number", "block_hash", "block_time", "tx_hash"];
      const more = ["tx_index", "log_index", "address", "contract", "event", "args", "signer"];
      await old.copy(
        "events",
        [...columns, ...more, "keys"],
        copyText(
          events.map((e) => [
            ...[e.pos, e.chainId, e.blockNumber, e.blockHash, e.blockTime, e.txHash],
            ...[e.txIndex, e.logIndex, e.address, e.contract, e.event, JSON.stringify(e.args)],
            e.signer,
            `{${eventKeys(e)
              .map((k) => `"${k}"`)
              .join(",")}}`,
          ]),
        ),
      );
      assert.equal(await migrate(old), MIGRATIONS.length - 3);
      await applyAll(fresh, events, 1);
      const [migrated, written] = [await dumpStore(old), await dumpStore(fresh)];
      assert.equal(migrated.events?.length, events.length);
      assert.deepEqual(migrated.events, written.events);
      // The rebuilt index answers history queries.
      const sale = events.find((e) => e.event === "SaleSubmitted")?.args.saleId;
      const history = await historyOf(old, [`sales:${sale}`]);
      assert.deepEqual(
        history.map((h) => h.event),
        ["SaleSubmitted", "SaleInspected", "PurchaseApproved", "PaymentRecorded"],
      );
    } finally {
      await old.close();
      await fresh.close();
    }
  });

  it("answers history queries by key, not by a key hash that collides", async () => {
    const db = await createPgliteDatabase();
    try {
      await applyAll(db, events, 1);
      const sale = events.find((e) => e.event === "SaleSubmitted")?.args.saleId;
      const credential = events.find((e) => e.event === "CredentialIssued");
      // A forged collision: a credential event whose key hashes include the sale's.
      await db.query("update events set keys = keys || $1::int8[] where pos = $2", [
        [keyHash(`sales:${sale}`)],
        credential?.pos,
      ]);
      const history = await historyOf(db, [`sales:${sale}`]);
      assert.equal(history.length, 4);
      assert.ok(history.every((h) => h.args.saleId === sale));
    } finally {
      await db.close();
    }
  });

  it("streams a COPY in parts to PostgreSQL; a part it refuses fails the whole COPY", async (t) => {
    await withTestPostgres(t, async (db) => {
      await db.exec("create table copy_probe (n int4 not null)");
      await assert.rejects(
        db.transaction((tx) => tx.copy("copy_probe", ["n"], ["1\n2\n", "three\n", "4\n"])),
        /invalid input syntax/,
      );
      assert.deepEqual(await db.query("select count(*)::int8 as n from copy_probe"), [{ n: 0 }]);
      // The connection is usable after the failure; parts arrive in order.
      await db.transaction((tx) => tx.copy("copy_probe", ["n"], ["1\n", "2\n", "", "3\n"]));
      assert.deepEqual(await db.query("select n from copy_probe order by n"), [
        { n: 1 },
        { n: 2 },
        { n: 3 },
      ]);
    });
  });

  it("migration 14 gives an older store's sales the references and counters the handlers write (PGlite and PostgreSQL)", async (t) => {
    const check = async (db: Database) => {
      await applyAll(db, events, 3);
      const expected = await dumpStore(db);
      const sales = (expected.sales ?? []) as { ref: string | null; region: number }[];
      assert.ok(sales.length > 50 && sales.every((s) => /^\d{4}-\d+-\d{6}$/.test(s.ref ?? "")));
      assert.equal(new Set(sales.map((s) => s.ref)).size, sales.length, "unique references");
      assert.ok((expected.sale_counters ?? []).length > 0);
      await db.exec(
        "drop index sales_ref; alter table sales drop column ref; drop table sale_counters; delete from schema_migrations where id = 14;",
      );
      assert.equal(await migrate(db), 1);
      assert.deepEqual(await dumpStore(db), expected);
    };
    const db = await createPgliteDatabase();
    try {
      await check(db);
    } finally {
      await db.close();
    }
    await withTestPostgres(t, check);
  });

  it("migration 9 gives an older store's inspected sales the dispute deadlines the handlers write (PGlite and PostgreSQL)", async (t) => {
    const check = async (db: Database) => {
      await applyAll(db, events, 3);
      const expected = await dumpStore(db);
      const sales = (expected.sales ?? []) as { dispute_deadline: number | null }[];
      assert.ok(
        sales.filter((s) => s.dispute_deadline !== null).length > 50,
        "the synthetic season inspects sales",
      );
      await db.exec(
        "alter table sales drop column dispute_deadline; delete from schema_migrations where id = 9;",
      );
      assert.equal(await migrate(db), 1);
      assert.deepEqual(await dumpStore(db), expected);
    };
    const db = await createPgliteDatabase();
    try {
      await check(db);
    } finally {
      await db.close();
    }
    await withTestPostgres(t, check);
  });
});
