/**
 * The projection rows the writer's last committed batches left behind, kept in memory so that
 * the next batch need not read them back (issue 26, item 5).
 *
 * A backfill touches the same rows batch after batch: on the benchmark chain's dense part every
 * batch of 2,500 events updates the same 2,000 quota allocations, and reading them back cost
 * PGlite 1.1 s of 100,000 events' 6.6 s in the store. The cache holds a row only once the
 * transaction that wrote it has committed, and only while nothing else can have changed it:
 *
 * - it is tied to the cursor (block number and hash) its rows were written at; a batch that
 *   starts from any other cursor (a rollback, another writer that led meanwhile, a restart)
 *   empties it first;
 * - a batch that fails empties it (its rows may be half-applied in memory);
 * - each row is kept as the database returns it (the column's type decides: numbers, decimal
 *   strings, parsed JSON), so a handler cannot tell a cached row from a loaded one;
 * - rows are handed out as copies: a handler that changes its row changes only its batch's copy.
 *
 * Bounded: past `maxRows` the oldest rows are dropped (they are read from the database again).
 */
import type { ProjectionRow } from "./handlers.ts";
import type { ColumnType, TableName } from "./tables.ts";
import { TABLES } from "./tables.ts";

export type RowCache = {
  /** Empties the cache unless it was left at this cursor. */
  checkCursor(block: number, hash: string): void;
  /** A copy of the cached row, or undefined (not cached: it may still exist in the database). */
  get(table: TableName, key: string): ProjectionRow | undefined;
  /** Keeps the rows a batch wrote, once it committed at cursor `block`/`hash`. */
  remember(
    rows: ReadonlyMap<TableName, ReadonlyMap<string, ProjectionRow>>,
    block: number,
    hash: string,
  ): void;
  clear(): void;
  readonly size: number;
};

/** A column's value as PostgreSQL and PGlite return it (db.ts: `int8` as numbers). */
function stored(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "int2":
    case "int4":
    case "int8":
      return Number(value);
    case "numeric":
    case "text":
      return String(value);
    case "bool":
      return Boolean(value);
    case "jsonb":
      return JSON.parse(JSON.stringify(value));
  }
}

const jsonColumnsOf = new Map<TableName, readonly string[]>();
const jsonColumns = (table: TableName): readonly string[] => {
  let found = jsonColumnsOf.get(table);
  if (found === undefined) {
    found = Object.entries(TABLES[table].columns)
      .filter(([, type]) => type === "jsonb")
      .map(([column]) => column);
    jsonColumnsOf.set(table, found);
  }
  return found;
};

export function createRowCache(maxRows = 50_000): RowCache {
  const rows = new Map<string, ProjectionRow>();
  let cursor: string | undefined;
  const id = (table: TableName, key: string) => `${table}:${key}`;
  return {
    checkCursor(block, hash) {
      if (cursor !== `${block}:${hash}`) rows.clear();
    },
    get(table, key) {
      const row = rows.get(id(table, key));
      if (row === undefined) return undefined;
      const copy = { ...row };
      // JSON values are objects: a handler that changed one in place would change the cache's.
      for (const column of jsonColumns(table)) copy[column] = structuredClone(copy[column]);
      return copy;
    },
    remember(written, block, hash) {
      for (const [table, byKey] of written) {
        const columns = Object.entries(TABLES[table].columns);
        for (const [key, row] of byKey) {
          const copy: ProjectionRow = {};
          for (const [column, type] of columns) copy[column] = stored(row[column], type);
          const name = id(table, key);
          rows.delete(name); // re-inserted last: the oldest rows are dropped first
          rows.set(name, copy);
        }
      }
      if (rows.size > maxRows) {
        let excess = rows.size - maxRows;
        for (const name of rows.keys()) {
          if (excess-- <= 0) break;
          rows.delete(name);
        }
      }
      cursor = `${block}:${hash}`;
    },
    clear() {
      rows.clear();
      cursor = undefined;
    },
    get size() {
      return rows.size;
    },
  };
}
