/**
 * `npm run indexer`: the jangbu indexer (sync + API on one port), configured only by environment
 * variables (see env.ts). Logs `jangbu indexer listening on http://HOST:PORT` when ready; SIGINT or
 * SIGTERM close the server, stop the sync and close the store. Exit code 1 on bad configuration or
 * a non-retryable error, with the reason on stderr.
 */
// First: on too old a Node, stop with one line before anything that needs the newer one loads.
import "../../scripts/lib/preflight.ts";
import { serve } from "@hono/node-server";
import { createPortalModule } from "./api/routes/portal.ts";
import { EnvError, parseEnv } from "./env.ts";
import { describeError } from "./internal/errors.ts";
import { tuneHeapForIndexing } from "./internal/heap.ts";
import { createLogger } from "./internal/logger.ts";
import { createRelayModule } from "./relay/module.ts";
import { createIndexer } from "./service.ts";

export { createApp } from "./api/app.ts";
export type { AppDeps, RouteModule } from "./api/deps.ts";
export { createIndexer } from "./service.ts";

async function main(): Promise<number> {
  tuneHeapForIndexing();
  let env: ReturnType<typeof parseEnv>;
  try {
    env = parseEnv();
  } catch (error) {
    console.error(
      `jangbu indexer: ${error instanceof EnvError ? error.message : describeError(error)}`,
    );
    return 1;
  }
  const logger = createLogger({ level: env.LOG_LEVEL, name: "indexer" });
  let indexer: Awaited<ReturnType<typeof createIndexer>>;
  // The relay (indexer/src/relay): POST /api/v1/relay on the same app and port; RELAY_* settings
  // and the relayer key are checked here, before anything starts.
  let relay: ReturnType<typeof createRelayModule>;
  try {
    relay = createRelayModule({
      rpcUrl: env.RPC_URL,
      env: process.env,
      startBlock: env.START_BLOCK,
      logger: logger.child("relay"),
    });
    // Config for the portal's own chain checks, and demo sign-ins under `npm start` (DEMO_ROSTER).
    const portal = createPortalModule({
      publicRpcUrl: process.env.PUBLIC_RPC_URL || env.RPC_URL,
      demoRosterFile: process.env.DEMO_ROSTER || undefined,
    });
    indexer = await createIndexer({ env, logger, modules: [relay, portal] });
  } catch (error) {
    console.error(`jangbu indexer: ${describeError(error)}`);
    return 1;
  }

  const server = serve({ fetch: indexer.app.fetch, port: env.PORT, hostname: env.HOST });
  const listening = await new Promise<Error | undefined>((resolve) => {
    server.once("listening", () => resolve(undefined));
    server.once("error", (error) => resolve(error));
  });
  if (listening !== undefined) {
    console.error(`jangbu indexer: cannot listen on ${env.HOST}:${env.PORT}: ${listening.message}`);
    await indexer.close();
    return 1;
  }
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : env.PORT;
  const host = env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
  console.log(`jangbu indexer listening on http://${host}:${port}`);

  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) => {
    stopping ??= (async () => {
      logger.info(`stopping (${why})`);
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      if ("closeAllConnections" in server)
        (server as { closeAllConnections(): void }).closeAllConnections();
      await closing;
      await relay.close();
      await indexer.close();
    })();
    return stopping;
  };

  const outcome = await new Promise<number>((resolve) => {
    process.once("SIGINT", () => void shutdown("SIGINT").then(() => resolve(0)));
    process.once("SIGTERM", () => void shutdown("SIGTERM").then(() => resolve(0)));
    indexer.sync.run().then(
      () => resolve(0),
      (error: unknown) => {
        logger.error(`sync stopped: ${describeError(error)}`);
        console.error(`jangbu indexer: ${describeError(error)}`);
        void shutdown("fatal error").then(() => resolve(1));
      },
    );
  });
  await stopping;
  return outcome;
}

if (
  import.meta.url === `file://${process.argv[1]}` ||
  process.argv[1]?.endsWith("indexer/src/main.ts")
) {
  process.exit(await main());
}
