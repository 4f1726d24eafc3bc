/**
 * One small SQL interface over the two engines the store runs on: embedded PGlite (a data folder,
 * or memory for tests) and PostgreSQL (node-postgres pool). Both speak the same SQL; `int8`
 * columns come back as JS numbers from both (the store keeps only values below 2^53 in `int8`;
 * larger integers are `numeric`, which both return as decimal strings).
 */
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { NonRetryableError, RetryableError } from "../internal/errors.ts";

export {
  type CreatePgliteDatabaseParameters,
  createPgliteDatabase,
} from "./pglite.ts";

export type Row = Record<string, unknown>;

export type Sql = {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
  /**
   * Bulk load with `COPY table (columns) FROM` in PostgreSQL text format (tab-separated, `\N` for
   * null; {@link copyText} builds it): several times faster than any INSERT on both engines.
   * Given parts (text, or the same text as UTF-8 bytes), PostgreSQL receives each one as it is
   * produced (the server parses a part while the next is built); PGlite gets them all in one
   * message to its thread (pglite.ts), which reads them as one blob.
   */
  copy(
    table: string,
    columns: readonly string[],
    text: string | Iterable<string | Uint8Array>,
  ): Promise<void>;
  /**
   * True when calls issued without waiting for one another still run in the order issued
   * (PGlite: one queue on its thread). {@link inSequence} then issues them all at once.
   */
  readonly inOrder?: boolean;
};

/**
 * Runs `steps` (each one or more calls on `sql`) in order. On an engine that keeps its calls in
 * the order issued they are all issued at once, so that it never waits for this thread between
 * two of them: the thread is often busy for tens of milliseconds parsing the next block range's
 * answer. Elsewhere (PostgreSQL, where a COPY must finish before the next statement) each waits
 * for the one before. Rejects with the first failure, after every step has settled.
 */
export async function inSequence(
  sql: Sql,
  steps: readonly (() => Promise<unknown>)[],
): Promise<void> {
  if (sql.inOrder !== true) {
    for (const step of steps) await step();
    return;
  }
  const results = await Promise.allSettled(steps.map((step) => step()));
  const failed = results.find((r) => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

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

export type CreatePostgresDatabaseParameters = {
  url: string;
  /** Schema to create and use (tests give each run its own); default `public`. */
  schema?: string;
  /** Connections in the pool (env DATABASE_POOL_MAX). */
  max?: number;
  /** PostgreSQL `statement_timeout` of every connection, ms; 0: none (env DATABASE_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  /** `application_name` shown in `pg_stat_activity`. */
  applicationName?: string;
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

const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID
      ? parseInt8
      : oid === INT8_ARRAY_OID
        ? parseInt8Array
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function checkSchema(schema: string | undefined) {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new NonRetryableError(`invalid schema name ${schema}`);
  }
}

/** The connection settings shared by the pool, the leader's session and the listener. */
const clientConfig = (
  url: string,
  schema: string | undefined,
  statementTimeoutMs: number,
  applicationName: string,
): pg.ClientConfig => ({
  connectionString: url,
  types,
  application_name: applicationName,
  ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
});

export async function createPostgresDatabase({
  url,
  schema,
  max = 10,
  statementTimeoutMs = 0,
  applicationName = "jangbu-indexer",
}: CreatePostgresDatabaseParameters): Promise<Database> {
  checkSchema(schema);
  const pool = new pg.Pool({
    ...clientConfig(url, schema, statementTimeoutMs, applicationName),
    max,
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
  const wrap = wrapPostgres;
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

/** {@link Sql} over a pool (each call on any free connection) or over one connection. */
function wrapPostgres(conn: pg.Pool | pg.PoolClient | pg.Client): Sql {
  return {
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
      const pooled = conn instanceof pg.Pool;
      const client = pooled ? await conn.connect() : conn;
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
        if (pooled) (client as pg.PoolClient).release();
      }
    },
  };
}

/** The advisory lock class of the writers' leader lock (the schema's hash is the second key). */
export const LEADER_LOCK_CLASS = 7_322_542;

export type PostgresSession = Database & {
  /**
   * Tries to take the leader lock of this schema's store (a session-level advisory lock, held
   * until the session ends; one per schema, so stores in other schemas do not contend).
   */
  tryLeaderLock(): Promise<boolean>;
  /** Resolves (with the reason) when the session's connection is gone: its locks are gone too. */
  readonly lost: Promise<Error>;
};

export type CreatePostgresSessionParameters = {
  url: string;
  schema?: string;
  statementTimeoutMs?: number;
  applicationName?: string;
  /** Runs last in every transaction, before its commit (the cursor's NOTIFY). */
  beforeCommit?: (tx: Sql) => Promise<void>;
  /** A heartbeat query this often; no answer within 3 heartbeats ends the session. */
  heartbeatMs?: number;
};

/**
 * One dedicated PostgreSQL connection as a {@link Database}: the sync leader's. The leader lock is
 * a session-level advisory lock taken on this same connection and every write goes through it,
 * so a write can only commit while this process holds the lock: if the connection drops, the
 * server releases the lock and aborts whatever transaction was open (no stale leader can commit
 * after a standby took over). Calls are serialised (one connection, one transaction at a time).
 */
export async function createPostgresSession({
  url,
  schema,
  statementTimeoutMs = 0,
  applicationName = "jangbu-indexer-writer",
  beforeCommit,
  heartbeatMs = 1_000,
}: CreatePostgresSessionParameters): Promise<PostgresSession> {
  checkSchema(schema);
  const client = new pg.Client({
    ...clientConfig(url, schema, statementTimeoutMs, applicationName),
    keepAlive: true,
    keepAliveInitialDelayMillis: 1_000,
  });
  let markLost: (error: Error) => void = () => {};
  const lost = new Promise<Error>((resolve) => {
    markLost = resolve;
  });
  let gone: Error | undefined;
  const end = (error: Error) => {
    if (gone !== undefined) return;
    gone = error;
    markLost(error);
  };
  client.on("error", (error) => end(error));
  client.on("end", () => end(new Error("the connection closed")));
  try {
    await client.connect();
    // The server notices a vanished client (power loss, network cut) within about 10 s and
    // frees its lock for a standby; a killed process's socket is closed by the kernel at once.
    await client.query(
      "set tcp_keepalives_idle = 5; set tcp_keepalives_interval = 2; set tcp_keepalives_count = 3",
    );
    if (schema !== undefined) await client.query(`create schema if not exists ${schema}`);
  } catch (error) {
    await client.end().catch(() => {});
    throw new RetryableError(
      `cannot connect to PostgreSQL (DATABASE_URL): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const raw = wrapPostgres(client);
  // One operation at a time: a query issued during a transaction would otherwise run inside it.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(() => {
      if (gone !== undefined)
        throw new RetryableError(`the writer's PostgreSQL session is gone: ${gone.message}`);
      return fn();
    });
    queue = run.catch(() => {});
    return run;
  };
  let beating = false;
  const heartbeat = setInterval(() => {
    if (gone !== undefined || beating) return;
    beating = true;
    // Queued behind the current operation (a long batch delays it, it does not fail it); the
    // clock starts when it is sent.
    serial(async () => {
      const timer = setTimeout(() => {
        end(new Error(`no answer to a heartbeat in ${3 * heartbeatMs} ms`));
        // Drops the socket: the server ends the session (and its lock) when it notices.
        (
          client as unknown as { connection?: { stream?: { destroy(): void } } }
        ).connection?.stream?.destroy();
      }, 3 * heartbeatMs);
      try {
        await client.query("select 1");
      } finally {
        clearTimeout(timer);
      }
    })
      .catch(() => {})
      .finally(() => {
        beating = false;
      });
  }, heartbeatMs);
  heartbeat.unref();
  let closed = false;
  return {
    kind: "postgres",
    lost,
    query: (text, params) => serial(() => raw.query(text, params)),
    exec: (text) => serial(() => raw.exec(text)),
    copy: (table, columns, parts) => serial(() => raw.copy(table, columns, parts)),
    async tryLeaderLock() {
      const [row] = await serial(() =>
        raw.query<{ locked: boolean }>(
          "select pg_try_advisory_lock($1, hashtext(current_schema())) as locked",
          [LEADER_LOCK_CLASS],
        ),
      );
      return row?.locked === true;
    },
    transaction: (fn) =>
      serial(async () => {
        try {
          await client.query("begin");
          const value = await fn(raw);
          await beforeCommit?.(raw);
          await client.query("commit");
          return value;
        } catch (error) {
          await client.query("rollback").catch(() => {});
          throw asRetryable(error);
        }
      }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      await queue;
      end(new Error("closed"));
      await client.end().catch(() => {});
    },
  };
}

/** What the writer announces when its store changes: the new cursor and the last event's position. */
export type CursorNotice = { readonly block: number; readonly lastPos: number };

/** The NOTIFY channel of a schema (each schema is its own store). */
export const notifyChannel = (schema: string) => `jangbu_cursor:${schema}`;

/**
 * The `beforeCommit` step of the writer's session: one NOTIFY with `block:lastPos`, delivered to
 * the listeners when (and only if) the transaction commits, in commit order. Readers then fetch
 * the new rows themselves (a NOTIFY payload is limited to 8000 bytes).
 */
export const notifyCursor = async (tx: Sql) => {
  await tx.query(
    `select pg_notify('jangbu_cursor:' || current_schema(),
       block_number::text || ':' || coalesce((select max(pos) from events), -1)::text)
     from sync_state where id = 1`,
  );
};

export const parseCursorNotice = (payload: string | undefined): CursorNotice | undefined => {
  const m = /^(-?\d+):(-?\d+)$/.exec(payload ?? "");
  return m === null ? undefined : { block: Number(m[1]), lastPos: Number(m[2]) };
};

export type PostgresListener = { close(): Promise<void> };

export type ListenCursorParameters = {
  url: string;
  schema?: string;
  onNotice(notice: CursorNotice): void;
  /** After every (re)connection: notices may have been missed while it was down. */
  onConnected(): void;
  onError?(error: Error): void;
};

/**
 * LISTENs for the writer's cursor notices on a dedicated connection (on the primary: a hot
 * standby delivers no notifications), reconnecting with back-off when it drops.
 */
export function listenCursor({
  url,
  schema,
  onNotice,
  onConnected,
  onError,
}: ListenCursorParameters): PostgresListener {
  checkSchema(schema);
  let closed = false;
  let client: pg.Client | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const connect = async () => {
    if (closed) return;
    const next = new pg.Client(clientConfig(url, schema, 0, "jangbu-indexer-listener"));
    client = next;
    let dropped = false;
    const again = (error: Error) => {
      if (dropped || closed) return;
      dropped = true;
      onError?.(error);
      next.end().catch(() => {});
      failures++;
      retry = setTimeout(() => void connect(), Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
    };
    next.on("error", again);
    next.on("end", () => again(new Error("the listener's connection closed")));
    next.on("notification", (message) => {
      const notice = parseCursorNotice(message.payload);
      if (notice !== undefined) onNotice(notice);
    });
    try {
      await next.connect();
      const [row] = (await next.query<{ schema: string }>("select current_schema() as schema"))
        .rows;
      await next.query(`listen "${notifyChannel(row?.schema ?? "public").replace(/"/g, '""')}"`);
      failures = 0;
      onConnected();
    } catch (error) {
      again(error as Error);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
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
