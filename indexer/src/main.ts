/**
 * `npm run indexer`: the jangbu indexer, configured only by environment variables (see env.ts).
 * INDEXER_ROLE picks what this process does: `all` (sync + API, the default; the only role on
 * PGlite), `sync` (a writer: the leader or a standby) or `api` (reads only). See
 * docs/operations.md.
 *
 * Start-up listens first (`jangbu indexer started on http://HOST:PORT`, within a second or two):
 * `/health` and every other route answer 503 `starting` until the store is open (a fresh PGlite
 * folder takes seconds to create; an API replica waits for a writer to create the store); then
 * `jangbu indexer listening on http://HOST:PORT` is logged and the service answers normally. The heavy modules (viem, the
 * API, PGlite) are imported only after the socket is listening.
 *
 * SIGINT or SIGTERM close the server, stop the sync and close the store. Exit code 1 on bad
 * configuration or a non-retryable error, with the reason on stderr.
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "../../scripts/lib/preflight.ts";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { warmPgliteEngine } from "./store/pglite.ts";
import { discardPreparedFolder, preparePgliteFolder } from "./store/prepare.ts";

/**
 * A fetch handler as @hono/node-server calls it: the second argument carries the Node request
 * (`incoming`), whose socket tells the host check (api/hosts.ts) the port actually listened on.
 */
type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** The heavy dependencies of run.ts, in the order it needs them. */
const PRELOAD: readonly (() => Promise<unknown>)[] = [
  () => import("zod"),
  () => import("viem"),
  () => import("@hono/zod-openapi"),
  () => import("pg"),
  () => import("./env.ts"),
  () => import("./service.ts"),
  () => import("./relay/module.ts"),
];

/**
 * Where start-up is, for the 503 answers until the store is ready: `loading` (the service's
 * modules; a fresh PGlite folder is being created meanwhile), then `opening the store` (store
 * opened and migrated, the node asked for its chain).
 */
let phase: "loading" | "opening the store" = "loading";
const bootedAt = performance.now();

const startingBody = (path: string) => {
  const elapsedMs = Math.round(performance.now() - bootedAt);
  return path === "/health"
    ? { ok: false, reason: "starting", phase, elapsedMs }
    : {
        error: {
          code: "starting",
          message: `the indexer is starting (${phase}, ${(elapsedMs / 1000).toFixed(1)} s); try again in a moment`,
        },
      };
};

/** The answer to every request until the store is ready. */
const starting: Fetch = (request) =>
  new Response(JSON.stringify(startingBody(new URL(request.url).pathname)), {
    status: 503,
    headers: {
      "content-type": "application/json",
      "retry-after": "1",
      "cache-control": "no-store",
    },
  });

/** PORT and HOST read before the full validation (env.ts, which imports viem and zod). */
function listenAddress(): { port: number; host: string } | string {
  const rawPort = process.env.PORT?.trim() || "8080";
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535)
    return "invalid environment variable PORT: must be an integer from 0 to 65535";
  return { port, host: process.env.HOST?.trim() || "127.0.0.1" };
}

async function main(): Promise<number> {
  const address = listenAddress();
  if (typeof address === "string") {
    console.error(`jangbu indexer: ${address}`);
    return 1;
  }
  let handler: Fetch = starting;
  const server = serve({
    fetch: (request, env) => handler(request, env),
    port: address.port,
    hostname: address.host,
  });
  const listening = await new Promise<Error | undefined>((resolve) => {
    server.once("listening", () => resolve(undefined));
    server.once("error", (error) => resolve(error));
  });
  if (listening !== undefined) {
    console.error(
      `jangbu indexer: cannot listen on ${address.host}:${address.port}: ${listening.message}`,
    );
    return 1;
  }
  const bound = server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : address.port;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  const origin = `http://${host}:${port}`;
  // Scripts and tests wait for "listening on" before using the API: it is logged once the store
  // is ready (run.ts); until then the socket already answers 503 starting.
  console.log(`jangbu indexer started on ${origin} (opening the store)`);
  // A fresh PGlite folder is created and migrated in a child process while the modules below
  // load (store/prepare.ts); the store adopts it under the folder lock. DATA_DIR as env.ts reads it.
  // PGlite's thread starts loading its engine now too (store/pglite.ts).
  if (!process.env.DATABASE_URL?.trim()) {
    preparePgliteFolder(join(process.env.DATA_DIR?.trim() || "./.data", "pglite"));
    warmPgliteEngine();
  }

  const closeServer = async () => {
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    if ("closeAllConnections" in server)
      (server as { closeAllConnections(): void }).closeAllConnections();
    await closing;
  };
  let signalled: string | undefined;
  let onSignal: (why: string) => void = (why) => {
    signalled = why;
  };
  process.once("SIGINT", () => onSignal("SIGINT"));
  process.once("SIGTERM", () => onSignal("SIGTERM"));

  // Importing the rest blocks the event loop while each module graph is evaluated (about 1.5 s on
  // a busy 2-core machine, viem alone half of it): imported a library at a time, with the loop
  // let through in between, the socket answers 503 starting meanwhile instead of not at all.
  for (const load of PRELOAD) {
    await load();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const { run } = await import("./run.ts");
  phase = "opening the store";
  try {
    return await run({
      closeServer,
      serve: (fetch) => {
        handler = fetch;
        console.log(`jangbu indexer listening on ${origin}`);
      },
      onSignal: (listener) => {
        if (signalled !== undefined) listener(signalled);
        else onSignal = listener;
      },
    });
  } finally {
    await discardPreparedFolder(); // not adopted (bad configuration, another owner, PostgreSQL)
  }
}

if (
  import.meta.url === `file://${process.argv[1]}` ||
  process.argv[1]?.endsWith("indexer/src/main.ts")
) {
  process.exit(await main());
}
