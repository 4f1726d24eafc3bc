/**
 * The service after its socket is listening (main.ts): configuration validated, store opened,
 * routes served, sync run until a signal or a fatal error. Returns the exit code.
 *
 * The relay (POST /api/v1/relay) runs on the roles that serve the public API, `all` and `api`:
 * it needs the relayer key (RELAYER_*), and it keeps that key's nonces in process, so exactly one
 * process should hold a given key (docs/operations.md routes /api/v1/relay to one replica).
 * `sync` writers never run it: they serve /health, /metrics and the read API on their port.
 */

import type { RouteModule } from "./api/deps.ts";
import { createPortalModule } from "./api/routes/portal.ts";
import { EnvError, parseEnv } from "./env.ts";
import { describeError } from "./internal/errors.ts";
import { tuneHeapForIndexing } from "./internal/heap.ts";
import { createLogger } from "./internal/logger.ts";
import { createRelayModule } from "./relay/module.ts";
import { createIndexer, type Indexer } from "./service.ts";

export type RunParameters = {
  /** Starts answering with the service (until then: 503 starting). */
  serve(fetch: (request: Request, env?: unknown) => Response | Promise<Response>): void;
  closeServer(): Promise<void>;
  /** Called once with SIGINT/SIGTERM (at once if one arrived already). */
  onSignal(listener: (why: string) => void): void;
};

export async function run({ serve, closeServer, onSignal }: RunParameters): Promise<number> {
  let signalled: string | undefined;
  let wakeStop: (why: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    wakeStop = resolve;
  });
  onSignal((why) => {
    signalled = why;
    wakeStop(why);
  });
  const fail = async (message: string) => {
    console.error(`jangbu indexer: ${message}`);
    await closeServer();
    return 1;
  };

  let env: ReturnType<typeof parseEnv>;
  try {
    env = parseEnv();
  } catch (error) {
    return fail(error instanceof EnvError ? error.message : describeError(error));
  }
  tuneHeapForIndexing(env.DATABASE_URL === undefined ? "pglite" : "postgres");
  const logger = createLogger({ level: env.LOG_LEVEL, name: "indexer" });
  let indexer: Indexer;
  let relay: ReturnType<typeof createRelayModule> | undefined;
  try {
    const modules: RouteModule[] = [];
    if (env.INDEXER_ROLE !== "sync") {
      // RELAY_* settings and the relayer key are checked here, before anything starts.
      relay = createRelayModule({
        rpcUrl: env.RPC_URL,
        env: process.env,
        startBlock: env.START_BLOCK,
        logger: logger.child("relay"),
      });
      modules.push(relay);
    }
    // Config for the portal's own chain checks, and demo sign-ins under `npm start` (DEMO_ROSTER).
    modules.push(
      createPortalModule({
        publicRpcUrl: process.env.PUBLIC_RPC_URL || env.RPC_URL,
        demoRosterFile: process.env.DEMO_ROSTER || undefined,
        passkeyEnv: process.env,
      }),
    );
    indexer = await createIndexer({ env, logger, modules });
  } catch (error) {
    await relay?.close().catch(() => {});
    return fail(describeError(error));
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) => {
    stopping ??= (async () => {
      logger.info(`stopping (${why})`);
      await closeServer();
      await relay?.close();
      await indexer.close();
    })();
    return stopping;
  };
  if (signalled !== undefined) {
    await shutdown(signalled);
    return 0;
  }

  const outcome = await new Promise<number>((resolve) => {
    void stopRequested.then((why) => shutdown(why).then(() => resolve(0)));
    // Data routes answer once the store can be read (an API replica waits for a writer).
    void indexer.ready.then(() => {
      if (stopping === undefined) serve(indexer.app.fetch);
      logger.info("ready", { role: indexer.role });
    });
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
