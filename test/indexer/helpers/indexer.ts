/** Test set-up for the indexer: env for a test chain, in-process runs, store dumps, PostgreSQL. */
import pg from "pg";
import { type Env, parseEnv } from "../../../indexer/src/env.ts";
import { silentLogger } from "../../../indexer/src/internal/logger.ts";
import { createIndexer, type Indexer } from "../../../indexer/src/service.ts";
import {
  createPgliteDatabase,
  createPostgresDatabase,
  type Database,
} from "../../../indexer/src/store/db.ts";
import { TABLE_NAMES, TABLES } from "../../../indexer/src/store/tables.ts";
import type { Deployment } from "../../../sdk/deployments.ts";

export const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function envVars(
  url: string,
  deployment: Deployment,
  extra: Record<string, string> = {},
): Record<string, string> {
  const a = deployment.addresses;
  return {
    RPC_URL: url,
    CREDENTIAL_REGISTRY_ADDRESS: a.CredentialRegistry,
    RICE_PURCHASE_ADDRESS: a.RicePurchase,
    TENDER_BOARD_ADDRESS: a.TenderBoard,
    FARM_GATE_PRICES_ADDRESS: a.FarmGatePrices,
    VARIETY_TESTING_ADDRESS: a.VarietyTesting,
    FORWARDER_ADDRESS: a.JangbuForwarder,
    START_BLOCK: String(deployment.startBlock),
    REORG_DEPTH: "3",
    POLL_INTERVAL_MS: "20",
    RPC_TIMEOUT_MS: "2000",
    LOG_LEVEL: "silent",
    PORTAL_DIR: "/nonexistent-portal",
    ...extra,
  };
}

export const envFor = (
  url: string,
  deployment: Deployment,
  extra: Record<string, string> = {},
): Env => parseEnv(envVars(url, deployment, extra));

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts an in-process indexer on `db` and waits until it has indexed `block`. */
export async function indexUntil(env: Env, db: Database, block: number): Promise<Indexer> {
  const indexer = await createIndexer({ env, logger: silentLogger, db });
  let failure: unknown;
  indexer.sync.run().catch((error: unknown) => {
    failure = error;
  });
  await waitFor(`block ${block}`, () => {
    if (failure !== undefined) throw failure;
    return indexer.sync.status().indexed >= block;
  });
  return indexer;
}

/**
 * The dump of `chain` indexed up to its last block the default way (in process, fresh PGlite):
 * what an index made another way must equal.
 */
export async function referenceDump(chain: {
  url: string;
  deployment: Deployment;
  lastBlock: number;
}): Promise<Record<string, unknown[]>> {
  const db = await createPgliteDatabase();
  try {
    const indexer = await indexUntil(envFor(chain.url, chain.deployment), db, chain.lastBlock);
    await indexer.close();
    return await dumpStore(db);
  } finally {
    await db.close();
  }
}

/** Every row of the raw event log and the projections, in key order: equal dumps, equal stores. */
export async function dumpStore(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  out.events = await db.query(
    "select pos, chain_id, block_number, block_hash, block_time, tx_hash, tx_index, log_index, address, contract, event, args, signer, keys from events order by pos",
  );
  for (const name of TABLE_NAMES) {
    const spec = TABLES[name];
    // Named columns, not *: a migration test that drops and re-adds a column moves it to the end,
    // and PostgreSQL refuses to reuse a prepared `select *` whose result changed shape.
    out[name] = await db.query(
      `select ${Object.keys(spec.columns).join(", ")} from ${spec.name} order by ${spec.key.join(", ")}`,
    );
  }
  out.cursor = await db.query("select chain_id, block_number, block_hash from sync_state");
  return out;
}

/**
 * Runs `fn` on a fresh PostgreSQL schema, dropped afterwards; skips the test (saying why) when
 * PostgreSQL is not reachable.
 */
export async function withTestPostgres(
  t: { skip(message: string): void },
  fn: (db: Database) => Promise<void>,
): Promise<void> {
  if (!(await postgresAvailable())) {
    t.skip("PostgreSQL is not reachable");
    return;
  }
  const db = await createTestPostgres();
  try {
    await fn(db);
  } finally {
    await db.drop();
  }
}

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A PostgreSQL database in a fresh schema; `drop()` removes it. */
export async function createTestPostgres(): Promise<Database & { drop(): Promise<void> }> {
  const schema = `jangbu_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const db = await createPostgresDatabase({ url: PG_URL, schema });
  return Object.assign(db, {
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  });
}
