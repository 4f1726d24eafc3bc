/**
 * Generic load / reduce / bulk-write of the projection tables: one `select` and one `insert …
 * on conflict` per table per batch, whatever the number of rows.
 */
import { NonRetryableError } from "../internal/errors.ts";
import type { EventRecord } from "../sync/decode.ts";
import { copyText, inSequence, type Sql } from "./db.ts";
import {
  ALL_HANDLERS,
  type ApplyContext,
  type ProjectionRow,
  readsOf,
  touchesOf,
} from "./handlers.ts";
import type { RowCache } from "./row-cache.ts";
import { parseKey, TABLES, type TableName, type TableSpec } from "./tables.ts";

/** Loads the rows with the given keys: `{ key → row }`. */
async function loadRows(
  sql: Sql,
  spec: TableSpec,
  keys: readonly string[],
): Promise<Map<string, ProjectionRow>> {
  const out = new Map<string, ProjectionRow>();
  if (keys.length === 0) return out;
  const parsed = keys.map((k) => parseKey(spec, k));
  const arrays = spec.key.map((_, i) => parsed.map((p) => p[i]));
  const unnest = spec.key.map((k, i) => `$${i + 1}::${spec.columns[k]}[]`).join(", ");
  const join = spec.key.map((k) => `t.${k} = k.${k}`).join(" and ");
  const rows = await sql.query(
    `select t.* from ${spec.name} t join unnest(${unnest}) as k(${spec.key.join(", ")}) on ${join}`,
    arrays,
  );
  for (const row of rows) out.set(spec.key.map((k) => String(row[k])).join("|"), row);
  return out;
}

/**
 * Inserts rows known not to exist yet with one COPY into `table` (the spec's own table unless a
 * staging table is named): no conflict check, because a single writer holds the cursor row lock,
 * so nothing else can add them meanwhile.
 */
export async function insertRows(
  sql: Sql,
  spec: TableSpec,
  rows: readonly ProjectionRow[],
  table: string = spec.name,
): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(spec.columns);
  await sql.copy(
    table,
    cols,
    copyText(rows.map((r) => cols.map((c) => normalise(r[c], spec.columns[c])))),
  );
}

/** Above this many rows an upsert goes through COPY into a staging table. */
const STAGE_THRESHOLD = 200;

/** Inserts or replaces rows, one statement for the whole set. */
export async function upsertRows(
  sql: Sql,
  spec: TableSpec,
  rows: readonly ProjectionRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(spec.columns);
  if (rows.length > STAGE_THRESHOLD) {
    // COPY into a per-transaction staging table, then one upsert from it.
    const updates = cols.filter((c) => !spec.key.includes(c)).map((c) => `${c} = excluded.${c}`);
    const stage = `stage_${spec.name}`;
    await inSequence(sql, [
      () =>
        sql.query(
          `create temp table if not exists ${stage} (like ${spec.name}) on commit delete rows`,
        ),
      () => insertRows(sql, spec, rows, stage),
      () =>
        sql.query(
          `insert into ${spec.name} (${cols.join(", ")}) select ${cols.join(", ")} from ${stage}
       on conflict (${spec.key.join(", ")}) do ${updates.length > 0 ? `update set ${updates.join(", ")}` : "nothing"}`,
        ),
    ]);
    return;
  }
  const arrays = cols.map((c) => rows.map((r) => normalise(r[c], spec.columns[c])));
  const unnest = cols.map((c, i) => `$${i + 1}::${spec.columns[c]}[]`).join(", ");
  const updates = cols.filter((c) => !spec.key.includes(c)).map((c) => `${c} = excluded.${c}`);
  await sql.query(
    `insert into ${spec.name} (${cols.join(", ")}) select * from unnest(${unnest})
     on conflict (${spec.key.join(", ")}) do ${updates.length > 0 ? `update set ${updates.join(", ")}` : "nothing"}`,
    arrays,
  );
}

const normalise = (value: unknown, type: string | undefined) => {
  if (value === undefined || value === null) return null;
  if (type === "numeric") return String(value);
  if (type === "jsonb") return JSON.stringify(value);
  return value;
};

/** Deletes rows by key, one statement per table. */
export async function deleteRows(
  sql: Sql,
  spec: TableSpec,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  const parsed = keys.map((k) => parseKey(spec, k));
  const arrays = spec.key.map((_, i) => parsed.map((p) => p[i]));
  const unnest = spec.key.map((k, i) => `$${i + 1}::${spec.columns[k]}[]`).join(", ");
  await sql.query(
    `delete from ${spec.name} t using unnest(${unnest}) as k(${spec.key.join(", ")}) where ${spec.key
      .map((k) => `t.${k} = k.${k}`)
      .join(" and ")}`,
    arrays,
  );
}

export type ApplyOptions = {
  /** After a rollback: only these `table:key` rows are rebuilt; writes to other rows are dropped. */
  onlyKeys?: ReadonlySet<string>;
};

/** The projection rows a batch reads, as they were before it: `table → key → row`. */
export type LoadedRows = Map<TableName, Map<string, ProjectionRow>>;

/** What a batch's handlers changed: rows to write, and which of them already exist. */
export type ProjectionChanges = {
  readonly dirty: ReadonlyMap<TableName, ReadonlyMap<string, ProjectionRow>>;
  readonly stored: ReadonlyMap<TableName, ReadonlySet<string>>;
};

/**
 * Loads the rows `events` touch or read, one statement per table; not the rows an event of the
 * batch creates (`Handler.creates`), which cannot exist before it, nor the rows `cache` holds.
 */
export async function loadProjections(
  sql: Sql,
  events: readonly EventRecord[],
  cache?: Pick<RowCache, "get">,
): Promise<LoadedRows> {
  const wanted = new Map<TableName, Set<string>>();
  /** `table:key` of rows an earlier event of the batch creates: later events find them in memory. */
  const created = new Set<string>();
  const want = (table: TableName, key: string) => {
    if (created.has(`${table}:${key}`)) return;
    const set = wanted.get(table) ?? new Set<string>();
    set.add(key);
    wanted.set(table, set);
  };
  for (const ev of events) {
    const creates = ALL_HANDLERS[`${ev.contract}.${ev.event}`]?.creates;
    // Append-only rows (keyed by their event's position) are new by construction: not loaded.
    for (const [table, key] of touchesOf(ev, { appendOnly: false })) {
      if (table === creates && !wanted.get(table)?.has(key)) created.add(`${table}:${key}`);
      else want(table, key);
    }
    for (const [table, key] of readsOf(ev)) want(table, key);
  }
  const loaded: LoadedRows = new Map();
  // One statement per table, one after the other (a transaction's connection runs one at a time).
  for (const [table, keys] of wanted) {
    const rows = new Map<string, ProjectionRow>();
    const missing: string[] = [];
    for (const key of keys) {
      const row = cache?.get(table, key);
      if (row === undefined) missing.push(key);
      else rows.set(key, row);
    }
    for (const [key, row] of await loadRows(sql, TABLES[table], missing)) rows.set(key, row);
    loaded.set(table, rows);
  }
  return loaded;
}

/**
 * Runs every event's handler in order over the `loaded` rows (updated in place). Pure
 * JavaScript: the store runs it while PostgreSQL is still parsing the batch's event log.
 */
export function reduceProjections(
  events: readonly EventRecord[],
  loaded: LoadedRows,
  { onlyKeys }: ApplyOptions = {},
): ProjectionChanges {
  /** Rows that exist in the database; every other row written is new and goes in with COPY. */
  const stored = new Map<TableName, ReadonlySet<string>>(
    [...loaded].map(([table, rows]) => [table, new Set(rows.keys())]),
  );
  const dirty = new Map<TableName, Map<string, ProjectionRow>>();
  const ctx: ApplyContext = {
    get: (table, key) => loaded.get(table)?.get(key),
    put(table, key, row) {
      const rows = loaded.get(table) ?? new Map<string, ProjectionRow>();
      rows.set(key, row);
      loaded.set(table, rows);
      if (onlyKeys !== undefined && !onlyKeys.has(`${table}:${key}`)) return;
      const d = dirty.get(table) ?? new Map<string, ProjectionRow>();
      d.set(key, row);
      dirty.set(table, d);
    },
  };
  for (const ev of events) {
    const handler = ALL_HANDLERS[`${ev.contract}.${ev.event}`];
    if (handler === undefined) continue;
    try {
      handler.apply(ev, ctx);
    } catch (error) {
      throw new NonRetryableError(
        `cannot apply ${ev.contract}.${ev.event}: ${(error as Error).message}`,
        {
          details: { block: ev.blockNumber, tx: ev.txHash, logIndex: ev.logIndex },
          cause: error,
        },
      );
    }
  }
  return { dirty, stored };
}

/** PostgreSQL's SQLSTATE for a duplicate key. */
const UNIQUE_VIOLATION = "23505";

/** Writes the changed rows: new ones with COPY, existing ones with one upsert per table. */
export async function writeProjections(
  sql: Sql,
  { dirty, stored }: ProjectionChanges,
): Promise<number> {
  let written = 0;
  const steps: (() => Promise<unknown>)[] = [];
  for (const [table, rows] of dirty) {
    const existing = stored.get(table);
    const updated: ProjectionRow[] = [];
    const created: ProjectionRow[] = [];
    for (const [key, row] of rows) (existing?.has(key) ? updated : created).push(row);
    steps.push(
      () =>
        insertRows(sql, TABLES[table], created).catch((error: unknown) => {
          // Only an event that `creates` its row skips the lookup, so only it can get here.
          if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
          throw new NonRetryableError(
            `the batch creates a ${table} row the store already holds (the chain emitted a creating event twice for one id?): ${(error as Error).message}`,
            { cause: error },
          );
        }),
      () => upsertRows(sql, TABLES[table], updated),
    );
    written += rows.size;
  }
  await inSequence(sql, steps);
  return written;
}

/** Loads the touched rows, runs every event's handler in order, writes the changed rows back. */
export async function applyProjections(
  sql: Sql,
  events: readonly EventRecord[],
  options: ApplyOptions = {},
): Promise<number> {
  const loaded = await loadProjections(sql, events);
  return writeProjections(sql, reduceProjections(events, loaded, options));
}
