/**
 * The whole indexer as one object: configuration resolved (chain id, deployment addresses, start
 * block), store opened (PGlite with its folder lock, or PostgreSQL), sync and HTTP app built.
 * `main.ts` serves it; tests build it in process.
 */
import { join } from "node:path";
import { type Address, zeroAddress } from "viem";
import { type ContractName, findDeployment } from "../../sdk/index.ts";
import { createApp } from "./api/app.ts";
import type { App, RouteModule } from "./api/deps.ts";
import { defaultAllowedHosts } from "./api/hosts.ts";
import type { Env } from "./env.ts";
import { NonRetryableError } from "./internal/errors.ts";
import { type FolderLock, lockFolder } from "./internal/lock.ts";
import type { Logger } from "./internal/logger.ts";
import { createIndexerMetrics, type IndexerMetrics } from "./internal/metrics.ts";
import { createNotifier, type Notifier } from "./internal/notify.ts";
import { getChainId } from "./rpc/actions.ts";
import { createRpcClient, type RpcClient } from "./rpc/client.ts";
import { createPgliteDatabase, createPostgresDatabase, type Database } from "./store/db.ts";
import { createStore, type Store } from "./store/index.ts";
import { createDecoder } from "./sync/decode.ts";
import { createSync, type Sync } from "./sync/index.ts";

export type Indexer = {
  app: App;
  store: Store;
  sync: Sync;
  rpc: RpcClient;
  chainId: number;
  addresses: Partial<Record<ContractName, Address>>;
  metrics: IndexerMetrics;
  notifier: Notifier;
  /** Stops the sync, closes the store and releases the folder lock. */
  close(): Promise<void>;
};

export type CreateIndexerParameters = {
  env: Env;
  logger: Logger;
  /** An already opened database (tests); otherwise from DATABASE_URL / DATA_DIR. */
  db?: Database;
  modules?: readonly RouteModule[];
};

/** The addresses to index: the SDK's deployment for the chain, overridden by the env. */
export function resolveAddresses(env: Env, chainId: number) {
  const deployment = findDeployment(chainId);
  const pick = (name: ContractName, override: Address | undefined) => {
    const address = override ?? deployment?.addresses[name];
    return address === undefined || address === zeroAddress ? undefined : address;
  };
  const addresses: Partial<Record<ContractName, Address>> = {};
  const set = (name: ContractName, address: Address | undefined) => {
    if (address !== undefined) addresses[name] = address;
  };
  set("CredentialRegistry", pick("CredentialRegistry", env.CREDENTIAL_REGISTRY_ADDRESS));
  set("RicePurchase", pick("RicePurchase", env.RICE_PURCHASE_ADDRESS));
  set("TenderBoard", pick("TenderBoard", env.TENDER_BOARD_ADDRESS));
  set("JangbuForwarder", pick("JangbuForwarder", env.FORWARDER_ADDRESS));
  if (addresses.CredentialRegistry === undefined || addresses.RicePurchase === undefined) {
    throw new NonRetryableError(
      `jangbu is not deployed on chain ${chainId} according to the SDK: set CREDENTIAL_REGISTRY_ADDRESS and RICE_PURCHASE_ADDRESS (and TENDER_BOARD_ADDRESS, FORWARDER_ADDRESS, START_BLOCK)`,
    );
  }
  return { addresses, startBlock: env.START_BLOCK ?? deployment?.startBlock ?? 0 };
}

export async function createIndexer({
  env,
  logger,
  db: given,
  modules,
}: CreateIndexerParameters): Promise<Indexer> {
  const metrics = createIndexerMetrics();
  const notifier = createNotifier();
  const abort = new AbortController();
  const rpc = createRpcClient({
    url: env.RPC_URL,
    timeoutMs: env.RPC_TIMEOUT_MS,
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

  let lock: FolderLock | undefined;
  let db = given;
  if (db === undefined) {
    if (env.DATABASE_URL !== undefined) {
      db = await createPostgresDatabase({ url: env.DATABASE_URL });
    } else {
      lock = lockFolder(env.DATA_DIR);
      try {
        db = await createPgliteDatabase({ dataDir: join(env.DATA_DIR, "pglite") });
      } catch (error) {
        lock.release();
        throw error;
      }
    }
  }
  const opened = db;
  try {
    const store = await createStore({ db: opened });
    const fingerprint = Object.entries(addresses)
      .map(([name, address]) => `${name}=${address}`)
      .sort()
      .join(",");
    await store.initSyncState({ chainId, addresses: fingerprint, startBlock });
    const decoder = createDecoder({ chainId, addresses });
    const sync = createSync({
      rpc,
      store,
      decoder,
      ...(addresses.JangbuForwarder !== undefined ? { forwarder: addresses.JangbuForwarder } : {}),
      reorgDepth: env.REORG_DEPTH,
      pollIntervalMs: env.POLL_INTERVAL_MS,
      maxBlockRange: env.MAX_BLOCK_RANGE,
      logger: logger.child("sync"),
      metrics,
      notifier,
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
      corsOrigins: env.CORS_ORIGINS,
      ...(env.ALLOWED_HOSTS === "*"
        ? {}
        : { allowedHosts: env.ALLOWED_HOSTS ?? defaultAllowedHosts(env.HOST) }),
      listenPort: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      portalDir: env.PORTAL_DIR,
      ocidPrefix: env.OCID_PREFIX,
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
      async close() {
        if (closed) return;
        closed = true;
        abort.abort(new Error("shutting down"));
        await sync.stop();
        if (given === undefined) await store.close();
        lock?.release();
      },
    };
  } catch (error) {
    if (given === undefined) await opened.close().catch(() => {});
    lock?.release();
    throw error;
  }
}
