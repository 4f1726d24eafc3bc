/**
 * The store's row cache (row-cache.ts): on its own (copies, the database's value types, the
 * cursor it is tied to, its bound), and inside the store against what could make it stale: another
 * writer that rolled back and wrote a different history up to the same block number, a rollback by
 * the store itself, a batch that failed. Each time the next batch must give exactly what a clean
 * store that only ever saw the surviving history gives.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPgliteDatabase, type Database, type Sql } from "../../indexer/src/store/db.ts";
import type { ProjectionRow } from "../../indexer/src/store/handlers.ts";
import { createStore, type Store } from "../../indexer/src/store/index.ts";
import { createRowCache } from "../../indexer/src/store/row-cache.ts";
import type { TableName } from "../../indexer/src/store/tables.ts";
import { type EventRecord, positionOf } from "../../indexer/src/sync/decode.ts";
import { syntheticEvents } from "../../scripts/bench/indexer.ts";
import { dumpStore } from "./helpers/indexer.ts";

const written = (
  entries: [TableName, [string, ProjectionRow][]][],
): Map<TableName, Map<string, ProjectionRow>> =>
  new Map(entries.map(([table, rows]) => [table, new Map(rows)]));

describe("row cache", () => {
  it("hands out copies of the rows it keeps", () => {
    const cache = createRowCache();
    const row = { program_id: 1, farmer: "0xf", region: 4, units: 400 };
    cache.remember(written([["allocations", [["1|0xf", row]]]]), 7, "0x07");
    row.units = 1; // the writer's own object, changed after the batch
    const first = cache.get("allocations", "1|0xf");
    assert.equal(first?.units, 400, "kept as it was remembered");
    assert.ok(first !== undefined);
    first.units = 2;
    first.official = "0xchanged";
    const second = cache.get("allocations", "1|0xf");
    assert.equal(second?.units, 400, "a handler changing its copy changes no other");
    assert.equal(second?.official, null);
    assert.notEqual(first, second);
    assert.equal(cache.get("allocations", "1|0xe"), undefined, "not cached");
    assert.equal(cache.get("sales", "1|0xf"), undefined, "keys are per table");
  });

  it("hands out copies of jsonb values too (a handler mutating a nested array)", () => {
    const cache = createRowCache();
    const key = "0x01|0xb|1";
    cache.remember(
      written([["bids", [[key, { tender_id: "0x01", bidder: "0xb", version: 1, picks: [1, 2] }]]]]),
      7,
      "0x07",
    );
    const picks = cache.get("bids", key)?.picks;
    assert.ok(Array.isArray(picks));
    picks.push(3);
    assert.deepEqual(cache.get("bids", key)?.picks, [1, 2]);
  });

  it("keeps each value as the database returns it for its column's type", () => {
    const cache = createRowCache();
    const sale = "123";
    cache.remember(
      written([
        [
          "allocations",
          [
            [
              "1|0xf",
              // int8 columns given as bigints, a column left undefined.
              { program_id: 1n, farmer: "0xf", region: 4, units: 400n, created_pos: undefined },
            ],
          ],
        ],
        [
          "sales",
          [
            [
              sale,
              {
                id: sale,
                program_id: 1,
                units: 40,
                designated: true,
                state: 2,
                interim_amount: 1_600_000n, // numeric: a decimal string
                paid_amount: 5, // numeric given as a number
                clawback_amount: null,
              },
            ],
          ],
        ],
        ["bids", [["0x01|0xb|1", { tender_id: "0x01", picks: [1, "2", { a: 3n.toString() }] }]]],
      ]),
      7,
      "0x07",
    );
    assert.deepEqual(cache.get("allocations", "1|0xf"), {
      program_id: 1,
      farmer: "0xf",
      region: 4,
      units: 400,
      official: null,
      created_pos: null,
      updated_pos: null,
    });
    const row = cache.get("sales", sale);
    assert.equal(row?.interim_amount, "1600000");
    assert.equal(row?.paid_amount, "5");
    assert.equal(row?.clawback_amount, null);
    assert.equal(row?.designated, true);
    assert.equal(row?.program_id, 1);
    assert.equal(row?.ref, null, "every column of the table, absent ones as null");
    assert.ok(row !== undefined && "delivery_day" in row);
    assert.deepEqual(cache.get("bids", "0x01|0xb|1")?.picks, [1, "2", { a: "3" }]);
  });

  it("is emptied by a cursor other than the one its rows were written at", () => {
    const cache = createRowCache();
    const rows = written([["allocations", [["1|0xf", { units: 400 }]]]]);
    cache.remember(rows, 7, "0x07");
    cache.checkCursor(7, "0x07");
    assert.equal(cache.size, 1, "same block and hash: kept");
    assert.equal(cache.get("allocations", "1|0xf")?.units, 400);
    cache.checkCursor(7, "0x7b");
    assert.equal(cache.size, 0, "same block, another hash (another writer's fork)");
    assert.equal(cache.get("allocations", "1|0xf"), undefined);
    cache.remember(rows, 7, "0x07");
    cache.checkCursor(6, "0x07");
    assert.equal(cache.size, 0, "another block (a rollback)");
    cache.remember(rows, 7, "0x07");
    cache.clear();
    cache.checkCursor(7, "0x07");
    assert.equal(cache.size, 0);
    // Remembered after a clear, at a new cursor: tied to that one.
    cache.remember(rows, 8, "0x08");
    cache.checkCursor(8, "0x08");
    assert.equal(cache.size, 1);
    // A batch that wrote nothing still moves the cursor the rows are tied to.
    cache.remember(new Map(), 9, "0x09");
    cache.checkCursor(9, "0x09");
    assert.equal(cache.size, 1);
    cache.checkCursor(8, "0x08");
    assert.equal(cache.size, 0);
  });

  it("drops the oldest rows past maxRows; a row written again counts as new", () => {
    const cache = createRowCache(3);
    const row = (units: number): [string, ProjectionRow] => [`1|${units}`, { units }];
    cache.remember(written([["allocations", [row(1), row(2)]]]), 1, "0x1");
    cache.remember(written([["allocations", [row(3), row(4)]]]), 2, "0x2");
    assert.equal(cache.size, 3);
    assert.equal(cache.get("allocations", "1|1"), undefined, "the oldest went first");
    for (const n of [2, 3, 4]) assert.equal(cache.get("allocations", `1|${n}`)?.units, n);
    // 2 is written again (now the newest), 5 is new: 3 is the oldest and goes.
    cache.remember(written([["allocations", [row(2), row(5)]]]), 3, "0x3");
    assert.equal(cache.size, 3);
    assert.equal(cache.get("allocations", "1|3"), undefined);
    for (const n of [2, 4, 5]) assert.equal(cache.get("allocations", `1|${n}`)?.units, n);
    // A single batch larger than the bound keeps its last rows.
    cache.remember(written([["allocations", [6, 7, 8, 9].map(row)]]), 4, "0x4");
    assert.deepEqual(
      [5, 6, 7, 8, 9].map((n) => cache.get("allocations", `1|${n}`)?.units),
      [undefined, undefined, 7, 8, 9],
    );
  });
});

/* ------------------------------------------------------------------------------------------- */
/* Inside the store.                                                                           */
/* ------------------------------------------------------------------------------------------- */

/** Block hashes of two forks: "c" the common part and the last batch, "a" and "b" the forks. */
const hashOf = (n: number, fork: "a" | "b" | "c" = "c") =>
  `0x${fork.repeat(8)}${n.toString(16).padStart(56, "0")}` as const;

// One farm's season from the benchmark's generator: a programme, a credential, an allocation
// and a sale submitted, inspected, approved.
const season = syntheticEvents(2 + 14);
const template = (event: string): EventRecord => {
  const found = season.find((e) => e.event === event);
  if (found === undefined) throw new Error(`no ${event} in the synthetic season`);
  return found;
};

/** `event` moved to `block`/`logIndex` of a fork, its args changed by `args`. */
function at(
  event: string,
  block: number,
  logIndex: number,
  fork: "a" | "b" | "c",
  args: Record<string, unknown> = {},
): EventRecord {
  const e = template(event);
  return {
    ...e,
    args: { ...e.args, ...args } as EventRecord["args"],
    blockNumber: block,
    blockHash: hashOf(block, fork),
    blockTime: 1_790_000_000 + block * 2,
    txHash: `0x${fork.repeat(8)}${(block * 1_000 + logIndex).toString(16).padStart(56, "0")}`,
    txIndex: logIndex,
    logIndex,
    pos: positionOf(block, logIndex),
  };
}

const units = Number(template("SaleSubmitted").args.units);
const farmer = String(template("QuotaAllocated").args.farmer);
const saleId = String(template("SaleSubmitted").args.saleId);

/** Block 10, common to every history: the programme and the farmer's credential. */
const COMMON = [
  at("ProgramCreated", 10, 0, "c"),
  at("FinalPricesSet", 10, 1, "c"),
  at("CredentialIssued", 10, 2, "c"),
];
/**
 * Fork a, blocks 11 and 12: the allocation and the sale, then its inspection. (The sale is
 * submitted inside the fork, so that a rollback removes its submission too: rolling back only a
 * sale's later events replays its SaleSubmitted against the current sale counter and gives it a
 * new reference, a fault of the rollback outside the cache's concern.)
 */
const FORK_A = [
  [at("QuotaAllocated", 11, 0, "a", { units: 410 }), at("SaleSubmitted", 11, 1, "a")],
  [
    at("SaleInspected", 12, 0, "a", {
      gradeUnits: [0, units - 2, 2, 0],
      moisturePermille: 145,
    }),
  ],
];
/** Fork b, the same blocks: the sale and another inspection first, then another allocation. */
const FORK_B = [
  [
    at("SaleSubmitted", 11, 0, "b"),
    at("SaleInspected", 11, 1, "b", {
      gradeUnits: [0, units - 5, 5, 0],
      moisturePermille: 150,
    }),
  ],
  [at("QuotaAllocated", 12, 3, "b", { units: 300 })],
];
/** Block 13, after either fork: the same allocation and sale changed again. */
const NEXT = [at("QuotaAllocated", 13, 0, "c", { units: 500 }), at("PurchaseApproved", 13, 1, "c")];

const blockHashIn = (events: readonly EventRecord[], n: number, fork: "a" | "b" | "c") =>
  events.find((e) => e.blockNumber === n)?.blockHash ?? hashOf(n, fork);

/** Applies `events` as one batch from `expectedBlock` to `toBlock` (hash of `fork`). */
async function apply(
  store: Store,
  expectedBlock: number,
  toBlock: number,
  fork: "a" | "b" | "c",
  events: readonly EventRecord[],
) {
  const numbers = [...new Set([...events.map((e) => e.blockNumber), toBlock])];
  await store.applyBatch({
    expectedBlock,
    toBlock,
    toHash: hashOf(toBlock, fork),
    headers: numbers.map((n) => ({
      number: n,
      hash: n === toBlock ? hashOf(n, fork) : blockHashIn(events, n, fork),
      parentHash: hashOf(n - 1, fork),
      timestamp: 1_790_000_000 + n * 2,
    })),
    events,
    keepBlocksFrom: 0,
  });
}

async function newStore(db: Database): Promise<Store> {
  const store = await createStore({ db });
  await store.initSyncState({ chainId: 31337, addresses: "test", startBlock: 10 });
  return store;
}

/** Block 10, then fork `fork` in two batches (blocks 11 and 12). */
async function history(store: Store, fork: "a" | "b", from = 9) {
  if (from < 10) await apply(store, 9, 10, "c", COMMON);
  const [b11, b12] = fork === "a" ? FORK_A : FORK_B;
  await apply(store, 10, 11, fork, b11 ?? []);
  await apply(store, 11, 12, fork, b12 ?? []);
}

/**
 * `db` with the projection rows each batch loads from the database recorded (the statement of
 * projections.ts `loadRows`): a row the cache served is not loaded.
 */
function recording(db: Database): { db: Database; loads: string[] } {
  const loads: string[] = [];
  const wrap = (sql: Sql): Sql => ({
    ...(sql.inOrder === undefined ? {} : { inOrder: sql.inOrder }),
    query(text, params) {
      const loaded = /^select t\.\* from (\w+) t join unnest/.exec(text);
      if (loaded?.[1] !== undefined) loads.push(loaded[1]);
      return sql.query(text, params);
    },
    exec: (text) => sql.exec(text),
    copy: (table, columns, text) => sql.copy(table, columns, text),
  });
  const wrapped: Database = {
    ...wrap(db),
    kind: db.kind,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
  return { db: wrapped, loads };
}

describe("store row cache", () => {
  let clean: Record<string, unknown[]> | undefined;
  /** Fork b, then block 13, by one store that never saw anything else. */
  const cleanIndex = async () => {
    if (clean !== undefined) return clean;
    const db = await createPgliteDatabase();
    try {
      const store = await newStore(db);
      await history(store, "b");
      await apply(store, 12, 13, "c", NEXT);
      clean = await dumpStore(db);
    } finally {
      await db.close();
    }
    const sales = clean.sales as Record<string, unknown>[];
    const allocations = clean.allocations as Record<string, unknown>[];
    // The history the stale rows would leak from differs where it matters.
    assert.equal(sales.length, 1);
    assert.equal(sales[0]?.moisture_permille, 150);
    assert.equal(sales[0]?.grade_second, 5);
    assert.equal(sales[0]?.ref, "2026-46810-000001");
    assert.deepEqual(
      allocations.map((a) => [a.farmer, a.units, a.created_pos]),
      [[farmer, 500, positionOf(12, 3)]],
    );
    return clean;
  };

  it("does not serve rows another writer replaced: rolled back and wrote up to the same block", async () => {
    const expected = await cleanIndex();
    const shared = await createPgliteDatabase();
    try {
      const recorded = recording(shared);
      const a = await newStore(recorded.db);
      await apply(a, 9, 10, "c", COMMON);
      await apply(a, 10, 11, "a", FORK_A[0] ?? []);
      recorded.loads.length = 0;
      await apply(a, 11, 12, "a", FORK_A[1] ?? []);
      // Fork a's inspection found the sale and the programme in the cache.
      assert.deepEqual(recorded.loads, [], "A's cache holds the rows");

      // Another writer on the same database: back to block 10, then fork b up to block 12 again.
      const b = await createStore({ db: shared });
      await b.rollback(10, hashOf(10));
      await history(b, "b", 10);

      // A's next batch starts from block 12 as it expects, but not from A's block 12.
      recorded.loads.length = 0;
      await apply(a, 12, 13, "c", NEXT);
      assert.deepEqual(await dumpStore(shared), expected);
      assert.deepEqual(
        [...recorded.loads].sort(),
        ["allocations", "sales"],
        "the rows were read from the database again",
      );
      const [sale] = (await shared.query("select grade_second, state from sales")) as {
        grade_second: number;
      }[];
      assert.equal(sale?.grade_second, 5, "fork b's inspection, not fork a's");
    } finally {
      await shared.close();
    }
  });

  it("does not serve rows from before its own rollback", async () => {
    const expected = await cleanIndex();
    const db = await createPgliteDatabase();
    try {
      const store = await newStore(db);
      await history(store, "a");
      await store.rollback(10, hashOf(10));
      await history(store, "b", 10);
      await apply(store, 12, 13, "c", NEXT);
      assert.deepEqual(await dumpStore(db), expected);
    } finally {
      await db.close();
    }
  });

  it("is emptied by a failed batch: the next batch reads its rows again and gives a clean index", async () => {
    const expected = await cleanIndex();
    const raw = await createPgliteDatabase();
    try {
      const recorded = recording(raw);
      const store = await newStore(recorded.db);
      await history(store, "b");
      recorded.loads.length = 0;
      // Valid changes to the cached rows first, then an approval of a sale never submitted.
      const orphan = at("PurchaseApproved", 13, 5, "c", { saleId: "7" });
      await assert.rejects(
        apply(store, 12, 13, "c", [
          at("QuotaAllocated", 13, 0, "c", { units: 999 }),
          at("PurchaseApproved", 13, 1, "c"),
          orphan,
        ]),
        /PurchaseApproved for unknown sale 7/,
      );
      assert.deepEqual(recorded.loads, ["sales"], "only the orphan's sale was looked up");

      recorded.loads.length = 0;
      await apply(store, 12, 13, "c", NEXT);
      assert.deepEqual(
        [...recorded.loads].sort(),
        ["allocations", "sales"],
        "the cache was emptied: the rows were read from the database again",
      );
      assert.deepEqual(await dumpStore(raw), expected);
      const [sale] = await raw.query<{ id: string; state: number }>("select id, state from sales");
      assert.equal(sale?.id, saleId);
    } finally {
      await raw.close();
    }
  });
});

// Found while testing the cache: a rollback that removes only a sale's later events rebuilds the
// sale from its SaleSubmitted, which numbers it from the region's sale counter.
describe("store rollback of a sale's later events", () => {
  it("keeps the sale's reference, and the region's next sale gets the next one", async () => {
    const second = (BigInt(saleId) + 1n).toString();
    const NEW_SALE = [at("SaleSubmitted", 12, 0, "b", { saleId: second })];
    const reorged = await createPgliteDatabase();
    const clean = await createPgliteDatabase();
    try {
      const store = await newStore(reorged);
      await history(store, "a"); // the sale submitted in block 11, inspected in block 12
      await store.rollback(11, hashOf(11, "a")); // only the inspection goes
      await apply(store, 11, 12, "b", NEW_SALE);
      const cleanStore = await newStore(clean);
      await apply(cleanStore, 9, 10, "c", COMMON);
      await apply(cleanStore, 10, 11, "a", FORK_A[0] ?? []);
      await apply(cleanStore, 11, 12, "b", NEW_SALE);
      const got = await dumpStore(reorged);
      assert.deepEqual(
        (got.sales as { id: string; ref: string }[]).map((s) => [s.id, s.ref]),
        [
          [saleId, "2026-46810-000001"],
          [second, "2026-46810-000002"],
        ],
      );
      assert.deepEqual(got, await dumpStore(clean));
    } finally {
      await reorged.close();
      await clean.close();
    }
  });
});
