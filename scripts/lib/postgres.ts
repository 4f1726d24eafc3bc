/**
 * PostgreSQL for `npm start`. Every start is a new local chain, so the index of the previous one is
 * stale: start.ts gives the indexer a schema of its own (`jangbu_local`) in DATABASE_URL's
 * database, dropped and created anew at each start, and leaves every other schema alone.
 */

/** The schema `npm start` owns in DATABASE_URL's database. */
export const LOCAL_SCHEMA = "jangbu_local";

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

/** Recreates LOCAL_SCHEMA and returns DATABASE_URL with it as the search path. */
export async function freshLocalSchema(databaseUrl: string): Promise<string> {
  // `pg` comes with the indexer; loaded only when DATABASE_URL is set.
  const pg = (
    (await import("pg" as string)) as { default: { Client: new (c: object) => PgClient } }
  ).default;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query(`drop schema if exists ${LOCAL_SCHEMA} cascade`);
    await client.query(`create schema ${LOCAL_SCHEMA}`);
  } catch (error) {
    throw new Error(`cannot prepare PostgreSQL at DATABASE_URL: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  const url = new URL(databaseUrl);
  url.searchParams.set("options", `-c search_path=${LOCAL_SCHEMA}`);
  return url.toString();
}
