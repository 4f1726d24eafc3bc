/**
 * The service's whole configuration: environment variables, validated with zod at start. A bad
 * value stops the service with the variable named (`parseEnv` throws {@link EnvError}).
 */
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import { parseAllowedHosts } from "./api/hosts.ts";
import { LOG_LEVELS } from "./internal/logger.ts";
import type { StoreKind } from "./store/db.ts";

const address = z
  .string()
  .trim()
  .refine((v) => isAddress(v, { strict: false }), "must be a 0x-prefixed 20-byte hex address")
  .transform((v) => getAddress(v));

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

const url = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a ${protocols.join(" or ")} URL`,
    );

/**
 * Defaults that depend on the store. PGlite runs inside the indexer's own process and its
 * WebAssembly memory never shrinks, so its batches and log answers are smaller: on the 101,065-event
 * benchmark chain (indexer/README.md) they bring the PGlite indexer's peak RSS from 485–527 MB to
 * about 335 MB. PostgreSQL runs apart, and its indexer peaks near 300 MB with the larger ones.
 * (32 MiB of log answer is about 35,000 logs.)
 */
export const STORE_DEFAULTS = {
  pglite: { maxBatchEvents: 2_500, maxLogsAnswerKb: 8_192 },
  postgres: { maxBatchEvents: 10_000, maxLogsAnswerKb: 32_768 },
} as const;

export const EnvSchema = z.object({
  RPC_URL: url(["http:", "https:"]).default("http://127.0.0.1:8545"),
  CHAIN_ID: int(1).optional(),
  CREDENTIAL_REGISTRY_ADDRESS: address.optional(),
  RICE_PURCHASE_ADDRESS: address.optional(),
  TENDER_BOARD_ADDRESS: address.optional(),
  FARM_GATE_PRICES_ADDRESS: address.optional(),
  /** VarietyTesting (deployed by RicePurchase; `RicePurchase.varietyTesting()`). */
  VARIETY_TESTING_ADDRESS: address.optional(),
  FORWARDER_ADDRESS: address.optional(),
  /** PasskeyAccountFactory: indexed to mark passkey accounts (also read by the relay, relay/module.ts). */
  PASSKEY_FACTORY_ADDRESS: address.optional(),
  START_BLOCK: int(0).optional(),
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  /** What this process does: `all` (sync + API), `sync` (writer: leader or standby), `api` (reads only). */
  INDEXER_ROLE: z.enum(["all", "sync", "api"]).default("all"),
  /** Where the API reads (a streaming read replica); default DATABASE_URL. */
  DATABASE_READ_URL: url(["postgres:", "postgresql:"]).optional(),
  /** Connections of the API's PostgreSQL pool (the writer uses one more, the listener one). */
  DATABASE_POOL_MAX: int(1, 1_000).default(10),
  /** `statement_timeout` of the API's PostgreSQL queries, ms; 0: none (the writer has none). */
  DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  /** How often a standby writer tries to take the leader lock. */
  LEADER_RETRY_MS: int(50, 60_000).default(500),
  /**
   * WebSocket endpoint for new heads (`eth_subscribe`): a ws(s) URL, `auto` (RPC_URL's host and
   * port over ws: Hardhat node, anvil) or `off` (the default: adaptive polling only). Not probed
   * by default: a probe is an HTTP upgrade request that plain JSON-RPC servers may not expect.
   */
  RPC_WS_URL: z
    .string()
    .trim()
    .refine((v) => {
      if (v === "auto" || v === "off") return true;
      try {
        return ["ws:", "wss:"].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, "must be a ws or wss URL, auto or off")
    .default("off"),
  DATA_DIR: z.string().trim().min(1).default("./.data"),
  PORT: int(0, 65_535).default(8080),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  REORG_DEPTH: int(0, 10_000).default(12),
  POLL_INTERVAL_MS: int(10, 600_000).default(500),
  /** Comma-separated origins allowed by CORS, or `*`. Empty: no CORS headers. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /**
   * Host names the service answers (DNS-rebinding guard): `name` or `name:port`, comma-separated,
   * or `*`. Unset: HOST, localhost, 127.0.0.1 and [::1] on the listen port (api/hosts.ts).
   */
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      try {
        return parseAllowedHosts(v);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /** The portal build served at / (SPA fallback); absent folder: not served. */
  PORTAL_DIR: z.string().trim().min(1).default("portal/dist"),
  /** Per-attempt RPC timeout. */
  RPC_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /**
   * Largest `eth_getLogs` answer read, in KiB, for a query over several blocks: past it the range
   * is halved (bounds the indexer's memory on dense chains). Default: {@link STORE_DEFAULTS}.
   */
  MAX_LOGS_ANSWER_KB: int(16, 4_194_304).optional(),
  /** Largest `eth_getLogs` range tried (the node may impose less). */
  MAX_BLOCK_RANGE: int(1, 10_000_000).default(50_000),
  /** Most events in one backfill batch (one transaction, held in memory); cut at a block boundary. */
  MAX_BATCH_EVENTS: int(1, 10_000_000).optional(),
  /** Largest accepted request body. */
  BODY_LIMIT_BYTES: int(1_024, 100_000_000).default(65_536),
  /** OCDS ocid prefix (registered with the OCDS Data Support team). */
  OCID_PREFIX: z
    .string()
    .regex(/^ocds-[a-z0-9]{6}$/, "must look like ocds-xxxxxx")
    .default("ocds-jangbu"),
});

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {
  override readonly name = "EnvError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`invalid environment variable ${field}: ${message}`);
    this.field = field;
  }
}

/** Parses the environment; empty strings count as unset. Throws EnvError naming the bad field. */
export function parseEnv(source: Readonly<Record<string, string | undefined>> = process.env): Env {
  const cleaned = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((k) => {
      const v = source[k];
      return v === undefined || v.trim() === "" ? [] : [[k, v]];
    }),
  );
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new EnvError(String(issue?.path[0] ?? "environment"), issue?.message ?? "invalid");
  }
  return result.data;
}

/** The environment with the store-dependent defaults ({@link STORE_DEFAULTS}) filled in. */
export type ResolvedEnv = Env & { MAX_BATCH_EVENTS: number; MAX_LOGS_ANSWER_KB: number };

export const withStoreDefaults = (env: Env, store: StoreKind): ResolvedEnv => ({
  ...env,
  MAX_BATCH_EVENTS: env.MAX_BATCH_EVENTS ?? STORE_DEFAULTS[store].maxBatchEvents,
  MAX_LOGS_ANSWER_KB: env.MAX_LOGS_ANSWER_KB ?? STORE_DEFAULTS[store].maxLogsAnswerKb,
});
