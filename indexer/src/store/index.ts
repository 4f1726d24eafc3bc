/**
 * The store: the raw event log, block hashes and projections, behind the few writes the sync
 * makes. Every write is one transaction that also moves the cursor, so a process killed at any
 * instant restarts exactly where the last committed batch ended.
 */
import type { Address, Hex } from "viem";
import { NonRetryableError } from "../internal/errors.ts";
import type { BlockHeader } from "../rpc/actions.ts";
import { type EventArgs, type EventRecord, LOG_INDEX_BITS } from "../sync/decode.ts";
import {
  copyValue,
  type Database,
  inSequence,
  jsonCopyValue,
  type Sql,
  type StoreKind,
} from "./db.ts";
import { eventKeys } from "./handlers.ts";
import { hasAnyKey, indexedKeysLiteral, keyHash } from "./keys.ts";
import { migrate } from "./migrations.ts";
import {
  applyProjections,
  deleteRows,
  loadProjections,
  type ProjectionChanges,
  reduceProjections,
  writeProjections,
} from "./projections.ts";
import { createRowCache } from "./row-cache.ts";
import { TABLE_NAMES, TABLES, type TableName } from "./tables.ts";

export type SyncState = {
  readonly chainId: number;
  /** The watched addresses, as recorded at first start (a different deployment is refused). */
  readonly addresses: string;
  /** Last block fully applied. */
  readonly blockNumber: number;
  /** Its hash; "" when unknown (the block before the start block). */
  readonly blockHash: string;
};

export type ApplyBatchParameters = {
  /** The cursor the batch was computed from: the write is refused if the store moved meanwhile. */
  readonly expectedBlock: number;
  readonly toBlock: number;
  readonly toHash: Hex;
  /** Headers to keep (blocks with logs, the cursor block, the unconfirmed window). */
  readonly headers: readonly BlockHeader[];
  readonly events: readonly EventRecord[];
  /** `events` in the event log's COPY format, built ahead by {@link Store.prepareEventLog}. */
  readonly eventLog?: EventLogText;
  /** Keep the hashes of blocks above this number even without logs (reorg window). */
  readonly keepBlocksFrom: number;
};

/**
 * A batch's events as the event log's COPY text, in parts (UTF-8 bytes: {@link eventsCopyBytes}).
 * Building it is a third of the store's own JavaScript work per event; the sync builds it while
 * the previous batch is still being written, instead of inside the batch's transaction.
 */
export type EventLogText = {
  readonly events: readonly EventRecord[];
  readonly parts: readonly (string | Uint8Array)[];
};

export type Store = {
  readonly db: Database;
  readonly kind: StoreKind;
  getSyncState(): Promise<SyncState | undefined>;
  /**
   * The COPY text of `events` (their signers filled), for {@link ApplyBatchParameters.eventLog};
   * undefined where building it in the batch is better (PostgreSQL).
   */
  prepareEventLog(events: readonly EventRecord[]): EventLogText | undefined;
  /** Records chain and deployment on first start; refuses a store written for another one. */
  initSyncState(params: {
    chainId: number;
    addresses: string;
    startBlock: number;
  }): Promise<SyncState>;
  applyBatch(params: ApplyBatchParameters): Promise<void>;
  /** Removes everything above `block` and rebuilds the rows those events had touched. */
  rollback(block: number, blockHash: string): Promise<{ removedEvents: number }>;
  /** Stored block hashes at or below `below`, newest first (for finding a common ancestor). */
  recentBlocks(below: number, limit: number): Promise<{ number: number; hash: string }[]>;
  /** Which of `addresses` (checksummed) are stored passkey accounts. */
  passkeyAccountsAmong(addresses: readonly Address[]): Promise<Address[]>;
  close(): Promise<void>;
};

type EventRow = {
  pos: number;
  chain_id: number;
  block_number: number;
  block_hash: string;
  block_time: number;
  tx_hash: string;
  tx_index: number;
  log_index: number;
  address: string;
  contract: string;
  event: string;
  args: EventArgs;
  signer: string | null;
};

export const eventFromRow = (r: EventRow): EventRecord => ({
  pos: r.pos,
  chainId: r.chain_id,
  blockNumber: r.block_number,
  blockHash: r.block_hash as Hex,
  blockTime: r.block_time,
  txHash: r.tx_hash as Hex,
  txIndex: r.tx_index,
  logIndex: r.log_index,
  address: r.address as Address,
  contract: r.contract as EventRecord["contract"],
  event: r.event,
  args: r.args,
  signer: r.signer as Address | null,
});

const EVENT_COLUMNS = [
  "pos",
  "chain_id",
  "block_number",
  "block_hash",
  "block_time",
  "tx_hash",
  "tx_index",
  "log_index",
  "address",
  "contract",
  "event",
  "args",
  "signer",
] as const;
/** The columns an {@link EventRow} is read from. */
const EVENT_SELECT = EVENT_COLUMNS.join(", ");

/** Events per part of the event log's COPY (PostgreSQL parses a part while the next is built). */
const COPY_PART = 1_000;

/**
 * Appends events to the raw log with one COPY, its text built directly (no row arrays: this runs
 * for every event indexed) and lazily, part by part. Numbers and contract names need no escaping;
 * the other strings go through `copyValue`, the args through `jsonCopyValue`, and the keys are
 * an `int8[]` literal of numbers (`indexedKeysLiteral`).
 */
async function insertEvents(
  sql: Sql,
  events: readonly EventRecord[],
  prepared: EventLogText | undefined,
): Promise<void> {
  if (events.length === 0) return;
  // Text prepared for another array (a caller's mistake) is not trusted: built again here.
  const parts = prepared?.events === events ? prepared.parts : eventsCopyParts(events);
  await sql.copy("events", [...EVENT_COLUMNS, "keys"], parts);
}

function* eventsCopyParts(events: readonly EventRecord[]): Generator<string> {
  for (let start = 0; start < events.length; start += COPY_PART) {
    let text = "";
    for (const e of events.slice(start, start + COPY_PART)) text += eventCopyRow(e);
    yield text;
  }
}

/** One event's row of the event log's COPY text. */
const eventCopyRow = (e: EventRecord) =>
  `${e.pos}\t${e.chainId}\t${e.blockNumber}\t${copyValue(e.blockHash)}\t${e.blockTime}\t${copyValue(e.txHash)}\t${e.txIndex}\t${e.logIndex}\t${copyValue(e.address)}\t${e.contract}\t${copyValue(e.event)}\t${jsonCopyValue(e.args)}\t${copyValue(e.signer)}\t${indexedKeysLiteral(e)}\n`;

/** Bytes per part of {@link eventsCopyBytes}. */
const COPY_PART_BYTES = 1 << 20;

/**
 * The event log's COPY text as UTF-8 bytes, each row encoded as soon as it is built. A batch's
 * text built as one string lives until the batch is written: built ahead, it outlived the young
 * generation's collections and went to the old one, whose collections were a fifth of the main
 * thread's time. A row's string now dies young, and the bytes are outside the JavaScript heap.
 */
function eventsCopyBytes(events: readonly EventRecord[]): Uint8Array[] {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let buffer = new Uint8Array(COPY_PART_BYTES);
  let used = 0;
  for (const e of events) {
    const row = eventCopyRow(e);
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    if (used + row.length * 3 > buffer.length) {
      parts.push(buffer.subarray(0, used));
      buffer = new Uint8Array(Math.max(COPY_PART_BYTES, row.length * 3));
      used = 0;
    }
    used += encoder.encodeInto(row, buffer.subarray(used)).written;
  }
  if (used > 0) parts.push(buffer.subarray(0, used));
  return parts;
}

async function insertBlocks(
  sql: Sql,
  headers: readonly BlockHeader[],
  withLogs: ReadonlySet<number>,
) {
  if (headers.length === 0) return;
  await sql.query(
    `insert into blocks (number, hash, parent_hash, timestamp, has_logs)
     select * from unnest($1::int8[], $2::text[], $3::text[], $4::int8[], $5::bool[])
     on conflict (number) do update set hash = excluded.hash, parent_hash = excluded.parent_hash,
       timestamp = excluded.timestamp, has_logs = blocks.has_logs or excluded.has_logs`,
    [
      headers.map((h) => h.number),
      headers.map((h) => h.hash),
      headers.map((h) => h.parentHash),
      headers.map((h) => h.timestamp),
      headers.map((h) => withLogs.has(h.number)),
    ],
  );
}

export type CreateStoreParameters = { db: Database };

export const createStore = async ({ db }: CreateStoreParameters): Promise<Store> => {
  await migrate(db);

  const readState = async (sql: Sql): Promise<SyncState | undefined> => {
    const [row] = await sql.query<{
      chain_id: number;
      addresses: string;
      block_number: number;
      block_hash: string;
    }>("select chain_id, addresses, block_number, block_hash from sync_state where id = 1");
    return row === undefined
      ? undefined
      : {
          chainId: row.chain_id,
          addresses: row.addresses,
          blockNumber: row.block_number,
          blockHash: row.block_hash,
        };
  };

  /** The rows the last batches committed (row-cache.ts): this store is the only writer. */
  const rows = createRowCache();

  const moveCursor = (sql: Sql, block: number, hash: string) =>
    sql.query(
      "update sync_state set block_number = $1, block_hash = $2, updated_at = $3 where id = 1",
      [block, hash, Math.floor(Date.now() / 1000)],
    );

  return {
    db,
    kind: db.kind,
    getSyncState: () => readState(db),
    async initSyncState({ chainId, addresses, startBlock }) {
      return db.transaction(async (tx) => {
        const existing = await readState(tx);
        if (existing !== undefined) {
          if (existing.chainId !== chainId) {
            throw new NonRetryableError(
              `the store holds chain ${existing.chainId}, not chain ${chainId}: use another DATA_DIR or database`,
            );
          }
          if (existing.addresses !== addresses) {
            throw new NonRetryableError(
              `the store was built for other contract addresses (${existing.addresses}), not ${addresses}: use another DATA_DIR or database`,
            );
          }
          return existing;
        }
        const state = { chainId, addresses, blockNumber: startBlock - 1, blockHash: "" };
        await tx.query(
          "insert into sync_state (id, chain_id, addresses, block_number, block_hash, updated_at) values (1, $1, $2, $3, $4, $5)",
          [chainId, addresses, state.blockNumber, "", Math.floor(Date.now() / 1000)],
        );
        return state;
      });
    },
    // PGlite gets the text whole (one message to its thread), so it is built while the previous
    // batch is written; PostgreSQL parses each part as it arrives while the next is built, and
    // building it all ahead only lengthened the reads, the slower half of its backfill (same run:
    // 17,900 against 19,800 events/s).
    prepareEventLog: (events) =>
      db.kind === "pglite" ? { events, parts: eventsCopyBytes(events) } : undefined,
    async applyBatch({
      expectedBlock,
      toBlock,
      toHash,
      headers,
      events,
      eventLog,
      keepBlocksFrom,
    }) {
      let changes: ProjectionChanges;
      try {
        changes = await db.transaction(async (tx) => {
          const withLogs = new Set(events.map((e) => e.blockNumber));
          const kept = headers.filter(
            (h) => withLogs.has(h.number) || h.number >= keepBlocksFrom || h.number === toBlock,
          );
          const cursorRow = tx.query<{ block_number: number; block_hash: string }>(
            "select block_number, block_hash from sync_state where id = 1 for update",
          );
          // An engine that keeps calls in order gets the batch's blocks and events right behind
          // the cursor check (they are rolled back with it if it fails); PostgreSQL gets them
          // below, the event log parsed as it arrives while the handlers run here.
          let logged: Promise<unknown> | undefined;
          if (tx.inOrder === true) {
            logged = Promise.all([
              insertBlocks(tx, kept, withLogs),
              insertEvents(tx, events, eventLog),
            ]);
            logged.catch(() => {}); // awaited below, unless the cursor check fails first
          }
          const [row] = await cursorRow;
          if (row?.block_number !== expectedBlock) {
            throw new NonRetryableError(
              `the store's cursor moved (${row?.block_number} instead of ${expectedBlock}): is another indexer writing to the same store?`,
            );
          }
          rows.checkCursor(row.block_number, row.block_hash);
          const loaded = await loadProjections(tx, events, rows);
          if (logged === undefined) {
            await insertBlocks(tx, kept, withLogs);
            logged = insertEvents(tx, events, eventLog);
          }
          const eventsLogged = logged;
          let batchChanges: ProjectionChanges;
          try {
            batchChanges = reduceProjections(events, loaded);
          } catch (error) {
            await eventsLogged.catch(() => {}); // the connection must be idle before the rollback
            throw error;
          }
          await inSequence(tx, [
            () => eventsLogged,
            () => writeProjections(tx, batchChanges),
            // Hashes of old blocks without logs are only needed inside the reorg window.
            () =>
              tx.query("delete from blocks where number < $1 and not has_logs and number <> $2", [
                keepBlocksFrom,
                toBlock,
              ]),
            () => moveCursor(tx, toBlock, toHash),
          ]);
          return batchChanges;
        });
      } catch (error) {
        rows.clear();
        throw error;
      }
      rows.remember(changes.dirty, toBlock, toHash);
    },
    async rollback(block, blockHash) {
      rows.clear();
      return db.transaction(async (tx) => {
        // Positions are block * 2^20 + log index: everything above `block` starts here.
        const above = (block + 1) * LOG_INDEX_BITS;
        const doomed = await tx.query<EventRow>(
          `select ${EVENT_SELECT} from events where pos >= $1`,
          [above],
        );
        const reset = new Set<string>();
        const byTable = new Map<TableName, string[]>();
        for (const row of doomed) {
          for (const key of eventKeys(eventFromRow(row))) {
            const sep = key.indexOf(":");
            const table = key.slice(0, sep) as TableName;
            if (!(table in TABLES) || reset.has(key)) continue;
            reset.add(key);
            const list = byTable.get(table) ?? [];
            list.push(key.slice(sep + 1));
            byTable.set(table, list);
          }
        }
        // A sale's reference is numbered from its region's sale counter when its SaleSubmitted
        // is applied: a sale rebuilt from its events needs the counter rebuilt alongside (from
        // every SaleSubmitted of the region), or it gets the next number instead of its own.
        const resetSales = byTable.get("sales") ?? [];
        if (resetSales.length > 0) {
          const regions = await tx.query<{ region: number }>(
            "select distinct region from sales where id = any($1::text[])",
            [resetSales],
          );
          for (const { region } of regions) {
            const key = `sale_counters:${region}`;
            if (reset.has(key)) continue;
            reset.add(key);
            byTable.set("sale_counters", [...(byTable.get("sale_counters") ?? []), String(region)]);
          }
        }
        await tx.query("delete from events where pos >= $1", [above]);
        await tx.query("delete from blocks where number > $1", [block]);
        for (const table of TABLE_NAMES)
          await deleteRows(tx, TABLES[table], byTable.get(table) ?? []);
        if (reset.size > 0) {
          const replay = await tx.query<EventRow>(
            `select ${EVENT_SELECT} from events where keys && $1::int8[] order by pos`,
            [[...reset].map(keyHash)],
          );
          const touchesReset = hasAnyKey(reset);
          await applyProjections(tx, replay.map(eventFromRow).filter(touchesReset), {
            onlyKeys: reset,
          });
        }
        await moveCursor(tx, block, blockHash);
        return { removedEvents: doomed.length };
      });
    },
    recentBlocks: (below, limit) =>
      db.query<{ number: number; hash: string }>(
        "select number, hash from blocks where number <= $1 order by number desc limit $2",
        [below, limit],
      ),
    async passkeyAccountsAmong(addresses) {
      if (addresses.length === 0) return [];
      const rows = await db.query<{ address: Address }>(
        "select address from passkey_accounts where address = any($1::text[])",
        [addresses],
      );
      return rows.map((r) => r.address);
    },
    close: () => db.close(),
  };
};
