/**
 * The PGlite database engine on a worker thread of its own (pglite.ts starts it).
 *
 * PGlite is PostgreSQL compiled to WebAssembly: a statement runs synchronously on the thread that
 * calls it. In the indexer's main thread it stopped everything else while it ran: in a cold
 * backfill of 100,000 events the main thread was busy 90 % of the time, 60 % of it inside
 * PGlite, and the next block range's JSON-RPC answers waited to be parsed and decoded until each
 * write had finished. Here it runs beside the main thread on the machine's other core.
 *
 * The protocol is one request per SQL call and one reply each, matched by `id`. A transaction is
 * opened by `begin` (replied with its number once PGlite is inside it), its statements carry that
 * number, and `end` commits or rolls it back; statements outside it (`tx` 0) wait for it in
 * PGlite's own queue, exactly as they do when PGlite runs in the calling thread.
 */
import { parentPort } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";

/** The database the engine opens (its first request, `open`). */
export type EngineSetup = {
  /** Data folder; undefined for an in-memory database. */
  readonly dataDir: string | undefined;
  /** PostgreSQL `shared_buffers`. */
  readonly sharedBuffers: string;
};

/** One SQL call; `tx` is the open transaction's number, 0 for none. */
export type EngineRequest =
  | { id: number; op: "open"; setup: EngineSetup }
  | { id: number; op: "query"; tx: number; text: string; params: readonly unknown[] }
  | { id: number; op: "exec"; tx: number; text: string }
  | {
      id: number;
      op: "copy";
      tx: number;
      table: string;
      columns: readonly string[];
      /** The COPY text: strings, or UTF-8 bytes (store/index.ts builds the event log's so). */
      parts: readonly (string | Uint8Array)[];
    }
  | { id: number; op: "begin" }
  | { id: number; op: "end"; tx: number; commit: boolean }
  | { id: number; op: "close" };

/** An error as it crosses the thread boundary: its message and its own fields (SQLSTATE `code`…). */
export type EngineError = {
  name: string;
  message: string;
  fields: Record<string, unknown>;
};

/** The reply to request `id`. */
export type EngineReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: EngineError };

/**
 * The part of PGlite's (Emscripten's) file system a COPY's input goes through. COPY reads a file
 * in the engine's in-memory file system (MEMFS) with one memory copy per read. PGlite's own
 * `/dev/blob` device copied the text into the engine one byte at a time in a JavaScript loop,
 * after copying it into a Blob and out again: on 30 MB of COPY text (about a benchmark backfill's
 * event log) 640–830 ms against 480–640 ms, on the engine thread a backfill waits for.
 */
type MemoryFiles = {
  /** With `canOwn` the file keeps `data` itself (no copy): the engine's thread owns the bytes. */
  writeFile(path: string, data: Uint8Array, options: { canOwn: boolean }): void;
  unlink(path: string): void;
};

/** A COPY's parts as one buffer (a single part is used as it is). */
function joinedBytes(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const encoder = new TextEncoder();
  const bytes = parts.map((part) => (typeof part === "string" ? encoder.encode(part) : part));
  if (bytes.length === 1) return bytes[0] as Uint8Array;
  const joined = new Uint8Array(bytes.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of bytes) {
    joined.set(part, at);
    at += part.byteLength;
  }
  return joined;
}

/** Thrown inside PGlite's transaction callback to make it roll back. */
class Rollback extends Error {}

function describe(error: unknown): EngineError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    // Only plain values cross (a field holding a function or a class instance would not clone).
    if (value === null || ["string", "number", "boolean"].includes(typeof value))
      fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}

/**
 * Opens the database, then answers requests until `close`. The thread may be started before the
 * database can be opened (pglite.ts `warmPgliteEngine`): PGlite's modules load meanwhile.
 */
function serve(port: NonNullable<typeof parentPort>): void {
  const reply = (message: EngineReply) => port.postMessage(message);
  const fail = (id: number, error: unknown) => reply({ id, ok: false, error: describe(error) });
  port.once("message", (request: EngineRequest) => {
    if (request.op !== "open") {
      fail(request.id, new Error(`the engine is not open (${request.op})`));
      return;
    }
    open(port, request.id, request.setup).catch((error: unknown) => fail(request.id, error));
  });
}

async function open(
  port: NonNullable<typeof parentPort>,
  openId: number,
  setup: EngineSetup,
): Promise<void> {
  const reply = (message: EngineReply) => port.postMessage(message);
  const fail = (id: number, error: unknown) => reply({ id, ok: false, error: describe(error) });
  // PGlite's defaults plus the buffer pool and new WAL segments created without writing 16 MB of
  // zeros first (`wal_init_zero`: the zeros only pre-allocate disk space; WAL records carry their
  // own checksums either way). Measured on 100,000 events: WAL written 295 → 144 MB, its write
  // time 430–480 → 120–200 ms.
  const defaults =
    (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? [];
  const options =
    defaults.length > 0
      ? {
          startParams: [
            ...defaults,
            "-c",
            `shared_buffers=${setup.sharedBuffers}`,
            "-c",
            "wal_init_zero=off",
          ],
        }
      : {};
  const db = setup.dataDir === undefined ? new PGlite(options) : new PGlite(setup.dataDir, options);
  await db.waitReady;
  const files: MemoryFiles = db.Module.FS;

  type OpenTransaction = {
    tx: Transaction;
    decide: (commit: boolean) => void;
    done: Promise<void>;
  };
  const transactions = new Map<number, OpenTransaction>();
  let nextTx = 1;

  const connection = (tx: number): Pick<PGlite, "query" | "exec"> => {
    if (tx === 0) return db;
    const entry = transactions.get(tx);
    if (entry === undefined) throw new Error(`no open transaction ${tx}`);
    return entry.tx;
  };

  const begin = (id: number) => {
    const number = nextTx++;
    let decide: (commit: boolean) => void = () => {};
    const decided = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    const done = db.transaction(async (tx) => {
      transactions.set(number, { tx, decide, done });
      reply({ id, ok: true, value: number });
      if (!(await decided)) throw new Rollback();
    });
    // A failure before the callback ran (BEGIN itself) is this request's; later ones are `end`'s.
    done.catch((error: unknown) => {
      if (!transactions.has(number) && !(error instanceof Rollback)) fail(id, error);
    });
  };

  const end = async (id: number, tx: number, commit: boolean) => {
    const entry = transactions.get(tx);
    if (entry === undefined) throw new Error(`no open transaction ${tx}`);
    entry.decide(commit);
    try {
      await entry.done;
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    } finally {
      transactions.delete(tx);
    }
    reply({ id, ok: true, value: null });
  };

  const handle = async (request: EngineRequest) => {
    switch (request.op) {
      case "query": {
        const result = await connection(request.tx).query(request.text, [...request.params]);
        reply({ id: request.id, ok: true, value: result.rows });
        return;
      }
      case "exec":
        await connection(request.tx).exec(request.text);
        reply({ id: request.id, ok: true, value: null });
        return;
      case "copy": {
        // A file of its own per COPY: calls queue in PGlite, and several may be waiting at once.
        const path = `/tmp/jangbu-copy-${request.id}`;
        files.writeFile(path, joinedBytes(request.parts), { canOwn: true });
        try {
          await connection(request.tx).query(
            `copy ${request.table} (${request.columns.join(", ")}) from '${path}'`,
          );
        } finally {
          files.unlink(path);
        }
        reply({ id: request.id, ok: true, value: null });
        return;
      }
      case "begin":
        begin(request.id);
        return;
      case "end":
        await end(request.id, request.tx, request.commit);
        return;
      case "open":
        throw new Error("the engine is already open");
      case "close":
        await db.close();
        reply({ id: request.id, ok: true, value: null });
        port.close();
        return;
    }
  };

  port.on("message", (request: EngineRequest) => {
    handle(request).catch((error: unknown) => fail(request.id, error));
  });
  reply({ id: openId, ok: true, value: null });
}

if (parentPort !== null) serve(parentPort);
