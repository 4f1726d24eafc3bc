/**
 * The whole indexer as one object: configuration resolved (chain id, deployment addresses, start
 * block), store opened (PGlite with its folder lock, or PostgreSQL), sync and HTTP app built.
 * `main.ts` serves it; tests build it in process.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Address, zeroAddress } from "viem";
import { type ContractName, findDeployment, type IndexedContractName } from "../../sdk/index.ts";
import { createApp } from "./api/app.ts";
import type { App, RouteModule } from "./api/deps.ts";
import { defaultAllowedHosts } from "./api/hosts.ts";
import { readCursor, watchCursor } from "./api/live.ts";
import { type Env, type ResolvedEnv, withStoreDefaults } from "./env.ts";
import { NonRetryableError } from "./internal/errors.ts";
import { type FolderLock, lockFolder } from "./internal/lock.ts";
import type { Logger } from "./internal/logger.ts";
import { createIndexerMetrics, type IndexerMetrics } from "./internal/metrics.ts";
import { createNotifier, type Notifier } from "./internal/notify.ts";
import { getChainId } from "./rpc/actions.ts";
import { createRpcClient, type RpcClient } from "./rpc/client.ts";
import {
  createPgliteDatabase,
  createPostgresDatabase,
  createPostgresSession,
  type Database,
  notifyCursor,
} from "./store/db.ts";
import { createStore, type Store } from "./store/index.ts";
import { createDecoder, type Decoder } from "./sync/decode.ts";
import { createHeadWatcher, type HeadWatcher, resolveWsUrl } from "./sync/heads.ts";
import { createSync, type FirstRead, readFirstRange, type Sync } from "./sync/index.ts";
import { createLeaderSync } from "./sync/leader.ts";

export type Indexer = {
  app: App;
  /** The store this process writes (PGlite, or a given database); undefined on PostgreSQL roles, whose writer store lives on the leader's session. */
  store: Store | undefined;
  /** The sync: the writer (leader election on PostgreSQL), or idle for INDEXER_ROLE=api. */
  sync: Sync;
  rpc: RpcClient;
  chainId: number;
  addresses: Partial<Record<IndexedContractName, Address>>;
  metrics: IndexerMetrics;
  notifier: Notifier;
  role: Env["INDEXER_ROLE"];
  /** Resolves once the store can be read (an API replica waits for a writer to create it). */
  ready: Promise<void>;
  /** Stops the sync, closes the store and releases the folder lock. */
  close(): Promise<void>;
};

export type CreateIndexerParameters = {
  env: Env;
  logger: Logger;
  /** An already opened database (tests): one process, role `all`, no leader election. */
  db?: Database;
  modules?: readonly RouteModule[];
};

/** The addresses to index: the SDK's deployment for the chain, overridden by the env. */
/** The app's HTTP settings from the environment, the same for every role and store. */
function httpSettings(env: Env) {
  return {
    corsOrigins: env.CORS_ORIGINS,
    ...(env.ALLOWED_HOSTS === "*"
      ? {}
      : { allowedHosts: env.ALLOWED_HOSTS ?? defaultAllowedHosts(env.HOST) }),
    listenPort: env.PORT,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    portalDir: env.PORTAL_DIR,
    ocidPrefix: env.OCID_PREFIX,
  };
}

export function resolveAddresses(env: Env, chainId: number) {
  const deployment = findDeployment(chainId);
  const pick = (name: ContractName, override: Address | undefined) => {
    const address = override ?? deployment?.addresses[name];
    return address === undefined || address === zeroAddress ? undefined : address;
  };
  const addresses: Partial<Record<IndexedContractName, Address>> = {};
  const set = (name: IndexedContractName, address: Address | undefined) => {
    if (address !== undefined) addresses[name] = address;
  };
  set("CredentialRegistry", pick("CredentialRegistry", env.CREDENTIAL_REGISTRY_ADDRESS));
  set("RicePurchase", pick("RicePurchase", env.RICE_PURCHASE_ADDRESS));
  set("TenderBoard", pick("TenderBoard", env.TENDER_BOARD_ADDRESS));
  set("FarmGatePrices", pick("FarmGatePrices", env.FARM_GATE_PRICES_ADDRESS));
  set("VarietyTesting", pick("VarietyTesting", env.VARIETY_TESTING_ADDRESS));
  set("JangbuForwarder", pick("JangbuForwarder", env.FORWARDER_ADDRESS));
  // Its PasskeyAccountCreated events mark the passkey accounts (the API's `passkeyAccount`).
  set("PasskeyAccountFactory", env.PASSKEY_FACTORY_ADDRESS ?? deployment?.passkey?.factory);
  if (addresses.CredentialRegistry === undefined || addresses.RicePurchase === undefined) {
    throw new NonRetryableError(
      `jangbu is not deployed on chain ${chainId} according to the SDK: set CREDENTIAL_REGISTRY_ADDRESS and RICE_PURCHASE_ADDRESS (and TENDER_BOARD_ADDRESS, FORWARDER_ADDRESS, START_BLOCK)`,
    );
  }
  return { addresses, startBlock: env.START_BLOCK ?? deployment?.startBlock ?? 0 };
}

export async function createIndexer({
  env: givenEnv,
  logger,
  db: given,
  modules,
}: CreateIndexerParameters): Promise<Indexer> {
  if (
    givenEnv.INDEXER_ROLE !== "all" &&
    (given !== undefined || givenEnv.DATABASE_URL === undefined)
  ) {
    throw new NonRetryableError(
      `INDEXER_ROLE=${givenEnv.INDEXER_ROLE} needs PostgreSQL (DATABASE_URL): a PGlite data folder is opened by one process only, which therefore runs everything (INDEXER_ROLE=all)`,
    );
  }
  const env = withStoreDefaults(
    givenEnv,
    given?.kind ?? (givenEnv.DATABASE_URL === undefined ? "pglite" : "postgres"),
  );
  const metrics = createIndexerMetrics();
  const notifier = createNotifier();
  const abort = new AbortController();
  const rpc = createRpcClient({
    url: env.RPC_URL,
    timeoutMs: env.RPC_TIMEOUT_MS,
    maxLogsAnswerBytes: env.MAX_LOGS_ANSWER_KB * 1024,
    logger: logger.child("rpc"),
    metrics,
    signal: abort.signal,
  });
  const nodeChainId = await getChainId(rpc);
  if (env.CHAIN_ID !== undefined && env.CHAIN_ID !== nodeChainId) {
    throw new NonRetryableError(
      `CHAIN_ID is ${env.CHAIN_ID} but the node at RPC_URL serves chain ${nodeChainId}`,
    );
  }
  const chainId = nodeChainId;
  const { addresses, startBlock } = resolveAddresses(env, chainId);

  const heads = createHeadWatcher({
    pollIntervalMs: env.POLL_INTERVAL_MS,
    wsUrl: resolveWsUrl(env.RPC_WS_URL, env.RPC_URL),
    explicitWs: env.RPC_WS_URL !== "auto" && env.RPC_WS_URL !== "off",
    logger: logger.child("heads"),
  });
  if (given === undefined && env.DATABASE_URL !== undefined) {
    return createPostgresIndexer({
      env,
      databaseUrl: env.DATABASE_URL,
      logger,
      modules,
      rpc,
      abort,
      heads,
      chainId,
      addresses,
      startBlock,
      metrics,
      notifier,
    });
  }
  let lock: FolderLock | undefined;
  let db = given;
  const decoder = createDecoder({ chainId, addresses });
  let firstRead: FirstRead | undefined;
  if (db === undefined) {
    lock = lockFolder(env.DATA_DIR);
    const folder = join(env.DATA_DIR, "pglite");
    // A folder that is not there yet holds no cursor: the sync will start at the start block.
    if (!existsSync(folder)) firstRead = firstRangeOf(env, rpc, decoder, startBlock);
    try {
      db = await createPgliteDatabase({ dataDir: folder });
    } catch (error) {
      lock.release();
      await heads.close();
      throw error;
    }
  }
  const opened = db;
  try {
    const store = await createStore({ db: opened });
    await store.initSyncState({ chainId, addresses: fingerprintOf(addresses), startBlock });
    const sync = createSync({
      rpc,
      store,
      decoder,
      ...(firstRead !== undefined ? { firstRead } : {}),
      ...(addresses.JangbuForwarder !== undefined ? { forwarder: addresses.JangbuForwarder } : {}),
      reorgDepth: env.REORG_DEPTH,
      pollIntervalMs: env.POLL_INTERVAL_MS,
      maxBlockRange: env.MAX_BLOCK_RANGE,
      maxBatchEvents: env.MAX_BATCH_EVENTS,
      logger: logger.child("sync"),
      metrics,
      notifier,
      heads,
    });
    const app = createApp({
      db: opened,
      storeKind: opened.kind,
      chainId,
      addresses,
      syncStatus: sync.status,
      notifier,
      metrics,
      logger: logger.child("api"),
      ...httpSettings(env),
      ...(modules !== undefined ? { modules } : {}),
    });
    let closed = false;
    return {
      app,
      store,
      sync,
      rpc,
      chainId,
      addresses,
      metrics,
      notifier,
      role: "all",
      ready: Promise.resolve(),
      async close() {
        if (closed) return;
        closed = true;
        abort.abort(new Error("shutting down"));
        await sync.stop();
        await heads.close();
        if (given === undefined) await store.close();
        lock?.release();
      },
    };
  } catch (error) {
    if (given === undefined) await opened.close().catch(() => {});
    lock?.release();
    await heads.close();
    throw error;
  }
}

/**
 * Starts reading the first log range of a store that is still empty, while it opens (sync/index.ts
 * `readFirstRange`), sized as the sync sizes its ranges.
 */
const firstRangeOf = (env: ResolvedEnv, rpc: RpcClient, decoder: Decoder, startBlock: number) =>
  readFirstRange({
    rpc,
    decoder,
    from: startBlock,
    reorgDepth: env.REORG_DEPTH,
    maxBlockRange: env.MAX_BLOCK_RANGE,
  });

/** The deployment a store was built for: a store is never reused for another. */
const fingerprintOf = (addresses: Partial<Record<IndexedContractName, Address>>) =>
  Object.entries(addresses)
    .map(([name, address]) => `${name}=${address}`)
    .sort()
    .join(",");

type PostgresIndexerParameters = {
  env: ResolvedEnv;
  /** The primary (DATABASE_URL). */
  databaseUrl: string;
  logger: Logger;
  modules: readonly RouteModule[] | undefined;
  rpc: RpcClient;
  abort: AbortController;
  heads: HeadWatcher;
  chainId: number;
  addresses: Partial<Record<IndexedContractName, Address>>;
  startBlock: number;
  metrics: IndexerMetrics;
  notifier: Notifier;
};

/**
 * PostgreSQL: the API reads through a pool (DATABASE_READ_URL or DATABASE_URL); live updates come
 * from the writer's NOTIFYs (api/live.ts), so every replica's streams and page cache follow the
 * one writer. Writers (`sync`, `all`) elect a leader (sync/leader.ts); `api` never writes.
 */
async function createPostgresIndexer(p: PostgresIndexerParameters): Promise<Indexer> {
  const {
    env,
    databaseUrl,
    logger,
    rpc,
    abort,
    heads,
    chainId,
    addresses,
    startBlock,
    metrics,
    notifier,
  } = p;
  const role = env.INDEXER_ROLE;
  const readUrl = env.DATABASE_READ_URL ?? databaseUrl;
  const readDb = await createPostgresDatabase({
    url: readUrl,
    max: env.DATABASE_POOL_MAX,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: `jangbu-indexer-${role}`,
  });
  const watch = watchCursor({
    listenUrl: databaseUrl,
    readDb,
    readReplica: env.DATABASE_READ_URL !== undefined,
    notifier,
    logger: logger.child("live"),
  });
  const sync: Sync =
    role === "api"
      ? idleSync()
      : createLeaderSync({
          openSession: () =>
            createPostgresSession({
              url: databaseUrl,
              beforeCommit: notifyCursor,
              applicationName: `jangbu-indexer-writer`,
            }),
          async lead(session) {
            const decoder = createDecoder({ chainId, addresses });
            // No cursor yet (a new database): the first range is read while the store migrates.
            const firstRead =
              (await readCursor(session).catch(() => undefined)) === undefined
                ? firstRangeOf(env, rpc, decoder, startBlock)
                : undefined;
            const store = await createStore({ db: session });
            await store.initSyncState({ chainId, addresses: fingerprintOf(addresses), startBlock });
            return createSync({
              rpc,
              store,
              decoder,
              ...(firstRead !== undefined ? { firstRead } : {}),
              ...(addresses.JangbuForwarder !== undefined
                ? { forwarder: addresses.JangbuForwarder }
                : {}),
              reorgDepth: env.REORG_DEPTH,
              pollIntervalMs: env.POLL_INTERVAL_MS,
              maxBlockRange: env.MAX_BLOCK_RANGE,
              maxBatchEvents: env.MAX_BATCH_EVENTS,
              logger: logger.child("sync"),
              metrics,
              heads,
            });
          },
          retryMs: env.LEADER_RETRY_MS,
          logger: logger.child("leader"),
        });
  const app = createApp({
    db: readDb,
    storeKind: "postgres",
    chainId,
    addresses,
    ...(role === "api" ? {} : { syncStatus: sync.status }),
    notifier,
    metrics,
    logger: logger.child("api"),
    ...httpSettings(env),
    ...(p.modules !== undefined ? { modules: p.modules } : {}),
  });
  let closed = false;
  const ready = (async () => {
    // The store exists once a writer has migrated and initialised it.
    while (!closed && (await readCursor(readDb).catch(() => undefined)) === undefined)
      await new Promise((r) => setTimeout(r, 200));
  })();
  return {
    app,
    store: undefined,
    sync,
    rpc,
    chainId,
    addresses,
    metrics,
    notifier,
    role,
    ready,
    async close() {
      if (closed) return;
      closed = true;
      abort.abort(new Error("shutting down"));
      await sync.stop();
      await heads.close();
      await watch.close();
      await readDb.close();
    },
  };
}

/** The sync of an API replica: nothing to do until stopped. */
function idleSync(): Sync {
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  return {
    run: () => stopped,
    async stop() {
      stop();
    },
    status: () => ({
      head: undefined,
      indexed: -1,
      phase: "standby",
      caughtUp: false,
      lastError: undefined,
      reorgs: 0,
    }),
  };
}
