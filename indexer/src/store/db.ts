/**
 * One small SQL interface over the two engines the store runs on: embedded PGlite (a data folder,
 * or memory for tests) and PostgreSQL (node-postgres pool). Both speak the same SQL; `int8`
 * columns come back as JS numbers from both (the store keeps only values below 2^53 in `int8`;
 * larger integers are `numeric`, which both return as decimal strings).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { NonRetryableError, RetryableError } from "../internal/errors.ts";

export type Row = Record<string, unknown>;

export type Sql = {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
  /**
   * Bulk load with `COPY table (columns) FROM` in PostgreSQL text format (tab-separated, `\N` for
   * null; {@link copyText} builds it): several times faster than any INSERT on both engines.
   * Given parts, PostgreSQL receives each one as it is produced (the server parses a part while
   * the next is built); PGlite, which runs in this thread, gets them joined.
   */
  copy(table: string, columns: readonly string[], text: string | Iterable<string>): Promise<void>;
};

/** One value in COPY text format. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  // Numbers, bigints and booleans print no character COPY treats specially.
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  const text =
    typeof value === "string"
      ? value
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : text;
}

/**
 * A JSON value in COPY text format. `JSON.stringify` escapes every control character, so of the
 * characters COPY treats specially only the backslash can occur (and only inside an escape).
 */
export function jsonCopyValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes("\\") ? text.replace(/\\/g, "\\\\") : text;
}

/** Rows (arrays of values, in column order) in COPY text format. */
export const copyText = (rows: readonly (readonly unknown[])[]) =>
  rows.length === 0 ? "" : `${rows.map((r) => r.map(copyValue).join("\t")).join("\n")}\n`;

export type StoreKind = "pglite" | "postgres";

export type Database = Sql & {
  readonly kind: StoreKind;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type CreatePgliteDatabaseParameters = {
  /** Data folder; undefined for an in-memory database. */
  dataDir?: string;
  /** PostgreSQL `shared_buffers` inside PGlite (default 64MB, env PGLITE_SHARED_BUFFERS). */
  sharedBuffers?: string;
};

/**
 * Creates a new PGlite data folder in a short-lived child process. PGlite's first start runs
 * initdb, which grows its WebAssembly memory to about 450 MB; WebAssembly memory never shrinks, so
 * done in the indexer's own process it would stay that size for the process's life (measured: RSS
 * 650 MB after a first start, 200–300 MB after opening an existing folder).
 */
async function initialiseDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  mkdirSync(dataDir, { recursive: true });
  const script = [
    `const { PGlite } = await import(${JSON.stringify(import.meta.resolve("@electric-sql/pglite"))});`,
    `const db = new PGlite(${JSON.stringify(dataDir)});`,
    "await db.waitReady;",
    "await db.close();",
  ].join("\n");
  await new Promise<void>((done, fail) => {
    execFile(
      process.execPath,
      ["--input-type=module", "--eval", script],
      { timeout: 120_000 },
      (error, _stdout, stderr) =>
        error === null
          ? done()
          : fail(
              new NonRetryableError(`cannot create a PGlite database in ${dataDir}: ${stderr}`, {
                cause: error,
              }),
            ),
    );
  });
}

export async function createPgliteDatabase({
  dataDir: folder,
  sharedBuffers = process.env.PGLITE_SHARED_BUFFERS ?? "64MB",
}: CreatePgliteDatabaseParameters = {}): Promise<Database> {
  const dataDir = folder === undefined ? undefined : resolve(folder);
  if (dataDir !== undefined) await initialiseDataDir(dataDir);
  // PGlite's defaults plus a configurable buffer pool (PGLITE_SHARED_BUFFERS) and new WAL
  // segments created without writing 16 MB of zeros first (`wal_init_zero`: the zeros only
  // pre-allocate disk space; WAL records carry their own checksums either way). Measured on
  // 100,000 events: WAL written 295 → 144 MB, its write time 430–480 → 120–200 ms. (The event
  // log's GIN index sets its own larger pending list: migration 5.)
  const defaults =
    (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? [];
  const startParams =
    defaults.length > 0
      ? [...defaults, "-c", `shared_buffers=${sharedBuffers}`, "-c", "wal_init_zero=off"]
      : undefined;
  const options = startParams !== undefined ? { startParams } : {};
  const db = dataDir === undefined ? new PGlite(options) : new PGlite(dataDir, options);
  try {
    await db.waitReady;
  } catch (error) {
    throw new NonRetryableError(`cannot open the PGlite database in ${dataDir ?? "memory"}`, {
      cause: error,
    });
  }
  const wrap = (conn: Pick<PGlite, "query" | "exec">): Sql => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      const result = await conn.query<T>(text, params as unknown[]);
      return result.rows;
    },
    async exec(text: string) {
      await conn.exec(text);
    },
    async copy(table, columns, parts) {
      const text = typeof parts === "string" ? parts : [...parts].join("");
      if (text === "") return;
      await conn.query(`copy ${table} (${columns.join(", ")}) from '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
    },
  });
  let closed = false;
  return {
    kind: "pglite",
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}

export type CreatePostgresDatabaseParameters = {
  url: string;
  /** Schema to create and use (tests give each run its own); default `public`. */
  schema?: string;
  max?: number;
};

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const parseInt8 = (value: string) => Number(value);
// pg's TypeId type lists scalar types only; its parser for 1016 gives the elements as strings.
const parseTextArray = (pg.types.getTypeParser as (oid: number) => (value: string) => string[])(
  INT8_ARRAY_OID,
);
/** `int8[]` (the event log's key hashes) as numbers too, as PGlite returns it. */
const parseInt8Array = (value: string) => parseTextArray(value).map(Number);

export async function createPostgresDatabase({
  url,
  schema,
  max = 10,
}: CreatePostgresDatabaseParameters): Promise<Database> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new NonRetryableError(`invalid schema name ${schema}`);
  }
  const types = {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === INT8_OID
        ? parseInt8
        : oid === INT8_ARRAY_OID
          ? parseInt8Array
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      if (schema !== undefined) await client.query(`create schema if not exists ${schema}`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw new NonRetryableError(
      `cannot connect to PostgreSQL (DATABASE_URL): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const wrap = (conn: pg.Pool | pg.PoolClient): Sql => ({
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      try {
        // Named (prepared) statements: PostgreSQL plans each distinct text once per connection.
        const result = await conn.query<T>({
          name: statementName(text),
          text,
          values: params as unknown[],
        });
        return result.rows;
      } catch (error) {
        throw asRetryable(error);
      }
    },
    async exec(text: string) {
      try {
        await conn.query(text);
      } catch (error) {
        throw asRetryable(error);
      }
    },
    async copy(table, columns, parts) {
      if (parts === "") return;
      const client = "release" in conn ? conn : await conn.connect();
      try {
        const stream = client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`));
        let failed = false;
        const done = new Promise<void>((resolve, reject) => {
          stream.on("error", (error) => {
            failed = true;
            reject(error);
          });
          stream.on("finish", () => resolve());
        });
        done.catch(() => {}); // awaited below; observed now in case it fails while parts are built
        if (typeof parts === "string") stream.end(parts);
        else {
          for (const part of parts) {
            if (failed) break;
            if (part !== "") stream.write(part);
            // Lets the socket send this part: the server parses it while the next one is built.
            await new Promise((resolve) => setImmediate(resolve));
          }
          stream.end();
        }
        await done;
      } catch (error) {
        throw asRetryable(error);
      } finally {
        if (!("release" in conn)) client.release();
      }
    },
  });
  let closed = false;
  return {
    kind: "postgres",
    ...wrap(pool),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw new RetryableError("PostgreSQL connection failed", { cause: error });
      }
      try {
        await client.query("begin");
        const value = await fn(wrap(client));
        await client.query("commit");
        return value;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

const statementNames = new Map<string, string>();
/** A stable name per distinct statement text (bounded: dynamic texts beyond it are not prepared). */
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= 5_000) return undefined;
    name = `jangbu_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Connection-level PostgreSQL failures are transient; SQL errors are bugs and stay as they are. */
function asRetryable(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (
    typeof code === "string" &&
    (code.startsWith("08") || code === "57P01" || code === "ECONNREFUSED" || code === "ECONNRESET")
  ) {
    return new RetryableError(`PostgreSQL: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
