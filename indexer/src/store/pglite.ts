/**
 * The PGlite {@link Database}: embedded PostgreSQL in a data folder (or in memory, for tests),
 * run on a worker thread of its own (pglite-worker.ts says why). Every call is one message to
 * that thread and one reply; what a caller sees is what it saw when PGlite ran in its thread,
 * errors included (their SQLSTATE `code` and other fields are carried over).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { NonRetryableError } from "../internal/errors.ts";
import type { Database, Row, Sql } from "./db.ts";
import type { EngineError, EngineReply, EngineRequest, EngineSetup } from "./pglite-worker.ts";
import { adoptPreparedFolder } from "./prepare.ts";
import { copyTemplate, templateFolder } from "./template.ts";

export type CreatePgliteDatabaseParameters = {
  /** Data folder; undefined for an in-memory database. */
  dataDir?: string;
  /** PostgreSQL `shared_buffers` inside PGlite (default 16MB, env PGLITE_SHARED_BUFFERS; env.ts STORE_DEFAULTS says why). */
  sharedBuffers?: string;
  /**
   * Creates a missing folder in this process rather than in a child (prepare-child.ts: itself a
   * short-lived process). Otherwise a folder prepared early (prepare.ts) is adopted if there is one.
   */
  createHere?: boolean;
};

/**
 * Creates a new PGlite data folder: a copy of the template, else in a short-lived child process
 * (initdb only; the store migrates it when it opens it). PGlite's first start runs
 * initdb, which grows its WebAssembly memory to about 450 MB; WebAssembly memory never shrinks, so
 * done in the indexer's own process it would stay that size for the process's life (measured: RSS
 * 650 MB after a first start, 200–300 MB after opening an existing folder).
 */
async function initialiseDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  // A new folder is the schema's template when there is one (template.ts), as in prepare.ts.
  const template = templateFolder();
  if (!existsSync(dataDir) && template !== undefined && copyTemplate(template, dataDir)) return;
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

/** An error from the engine's thread as an Error here, with its fields (`code`, `detail`…). */
function revive(error: EngineError): Error {
  const revived = Object.assign(new Error(error.message), error.fields);
  revived.name = error.name;
  return revived;
}

type Engine = {
  call<T>(request: DistributiveOmit<EngineRequest, "id">): Promise<T>;
  /** Stops the thread (after `close`, or when the database never opened). */
  terminate(): Promise<void>;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const WORKER = new URL("./pglite-worker.ts", import.meta.url);

/**
 * The engine's thread. Its heap only passes messages through (the data lives in PGlite's
 * WebAssembly memory): a young generation of 8 MB instead of V8's default took 35–70 MB off the
 * indexer's peak RSS in the 100,000-event backfill, at the same speed.
 */
const startWorker = () =>
  new Worker(WORKER, {
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
    // The process's flags, as a worker gets by default (tsx's --import), but not those a worker
    // refuses (`node --input-type=module --eval …` would stop it from starting).
    execArgv: process.execArgv.filter((flag) => !flag.startsWith("--input-type")),
  });

let warm: Worker | undefined;

/**
 * Starts the engine's thread ahead of need, so that it loads PGlite (and tsx) while this thread
 * loads the service's modules: the next {@link createPgliteDatabase} takes it (0.3–0.4 s off a
 * start-up). An unused thread does not keep the process alive.
 */
export function warmPgliteEngine(): void {
  if (warm !== undefined) return;
  const worker = startWorker();
  worker.unref();
  worker.on("error", () => {}); // a thread that died before use is not taken: a new one is started
  worker.once("exit", () => {
    if (warm === worker) warm = undefined;
  });
  warm = worker;
}

/** Starts the engine's thread (or takes the warm one) and opens the database in it. */
async function startEngine(setup: EngineSetup): Promise<Engine> {
  const worker = warm ?? startWorker();
  warm = undefined;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let stopped: Error | undefined;
  // The thread keeps the process alive only while a call waits on it: a test or script that
  // forgets to close its database still exits, and one that awaits a query is not cut short.
  const settled = () => {
    if (waiting.size === 0) worker.unref();
  };
  const stopAll = (error: Error) => {
    stopped ??= error;
    for (const { reject } of waiting.values()) reject(stopped);
    waiting.clear();
  };
  worker.on("message", (reply: EngineReply) => {
    const caller = waiting.get(reply.id);
    if (caller === undefined) return;
    waiting.delete(reply.id);
    if (reply.ok) caller.resolve(reply.value);
    else caller.reject(revive(reply.error));
    settled();
  });
  worker.on("error", (error) =>
    stopAll(new NonRetryableError(`the PGlite engine failed: ${error.message}`, { cause: error })),
  );
  worker.on("exit", (code) =>
    stopAll(new NonRetryableError(`the PGlite engine stopped (${code})`)),
  );
  const opened = new Promise<unknown>((resolve, reject) => {
    waiting.set(0, { resolve, reject });
  });
  worker.ref();
  worker.postMessage({ id: 0, op: "open", setup } satisfies EngineRequest);
  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw new NonRetryableError(`cannot open the PGlite database in ${setup.dataDir ?? "memory"}`, {
      cause: error,
    });
  }
  settled();
  return {
    call<T>(request: DistributiveOmit<EngineRequest, "id">) {
      if (stopped !== undefined) return Promise.reject(stopped);
      const id = nextId++;
      const reply = new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      });
      worker.ref();
      try {
        worker.postMessage({ ...request, id });
      } catch (error) {
        // A parameter that cannot be cloned (a function, say): this call fails, nothing waits.
        waiting.delete(id);
        settled();
        return Promise.reject(
          new NonRetryableError(
            `cannot send this call to the PGlite engine: ${(error as Error).message}`,
            {
              cause: error,
            },
          ),
        );
      }
      return reply;
    },
    async terminate() {
      await worker.terminate();
    },
  };
}

export async function createPgliteDatabase({
  dataDir: folder,
  sharedBuffers = process.env.PGLITE_SHARED_BUFFERS ?? "16MB",
  createHere = false,
}: CreatePgliteDatabaseParameters = {}): Promise<Database> {
  const dataDir = folder === undefined ? undefined : resolve(folder);
  if (dataDir !== undefined && createHere) mkdirSync(dataDir, { recursive: true });
  else if (dataDir !== undefined && !(await adoptPreparedFolder(dataDir)))
    await initialiseDataDir(dataDir);
  const engine = await startEngine({ dataDir, sharedBuffers });
  const on = (tx: number): Sql => ({
    inOrder: true,
    query<T extends Row>(text: string, params: readonly unknown[] = []) {
      return engine.call<T[]>({ op: "query", tx, text, params });
    },
    async exec(text: string) {
      await engine.call({ op: "exec", tx, text });
    },
    async copy(table, columns, parts) {
      const list = (typeof parts === "string" ? [parts] : [...parts]).filter((p) => p.length > 0);
      if (list.length === 0) return;
      await engine.call({ op: "copy", tx, table, columns, parts: list });
    },
  });
  let closed = false;
  return {
    kind: "pglite",
    ...on(0),
    async transaction(fn) {
      const tx = await engine.call<number>({ op: "begin" });
      let value: Awaited<ReturnType<typeof fn>>;
      try {
        value = await fn(on(tx));
      } catch (error) {
        await engine.call({ op: "end", tx, commit: false }).catch(() => {});
        throw error;
      }
      await engine.call({ op: "end", tx, commit: true });
      return value;
    },
    async close() {
      if (closed) return;
      closed = true;
      await engine.call({ op: "close" }).catch(() => {});
      await engine.terminate();
    },
  };
}
