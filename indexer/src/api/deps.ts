/** What the API needs from the rest of the service. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Address } from "viem";
import type { IndexedContractName } from "../../../sdk/index.ts";
import type { Logger } from "../internal/logger.ts";
import type { IndexerMetrics } from "../internal/metrics.ts";
import type { Notifier } from "../internal/notify.ts";
import type { Sql, StoreKind } from "../store/db.ts";
import type { SyncStatus } from "../sync/index.ts";
import type { HostRule } from "./hosts.ts";

export type AppDeps = {
  /** Read access to the store. */
  db: Sql;
  storeKind: StoreKind;
  chainId: number;
  addresses: Partial<Record<IndexedContractName, Address>>;
  /** The sync's live status; undefined for a read-only replica. */
  syncStatus?: () => SyncStatus;
  notifier?: Notifier;
  metrics?: IndexerMetrics;
  logger?: Logger;
  corsOrigins?: readonly string[];
  /**
   * Host names the service answers (ALLOWED_HOSTS, see hosts.ts); undefined: any (an app used in
   * process, without a server).
   */
  allowedHosts?: readonly HostRule[];
  /** The configured listen port: for the `listen` host rules when the socket does not say. */
  listenPort?: number;
  bodyLimitBytes?: number;
  /** Folder of the portal build, served at / with SPA fallback when it exists. */
  portalDir?: string;
  ocidPrefix?: string;
  /** Cache GET /api/v1 pages until the store changes (default true). */
  cache?: boolean;
  /** Extra route modules (the relay): each mounts its routes on the app. */
  modules?: readonly RouteModule[];
};

export type AppEnv = { Variables: { deps: AppDeps } };
export type App = OpenAPIHono<AppEnv>;

/** A route module: registers its routes (under /api/v1/… by convention) on the app. */
export type RouteModule = {
  readonly name: string;
  register(app: App, deps: AppDeps): void;
  /** A section of /api/v1/status under the module's name (added for the relay). */
  status?(): unknown;
};
