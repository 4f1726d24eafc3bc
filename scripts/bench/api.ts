/**
 * `npm run bench -- api`: `GET /api/v1/sales?limit=50` with filters on 1,000,000 sales in
 * PostgreSQL, loaded with autocannon (a separate process, 50 connections, 10 s).
 *
 * The rows are generated in SQL (generate_series) straight into the store's schema: 1,000,000
 * sales across 20 시군 and every state, each with its SaleSubmitted event for provenance. Two
 * figures: the service as configured (`api.sales.*`, page cache on: a page is served from memory
 * until the store commits new events), the same asked as a browser does (`api.sales.gzip.*`,
 * Accept-Encoding: gzip, answered from the compressed copy) and with the cache off
 * (`api.sales.uncached.*`, every request is a PostgreSQL query).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../../indexer/src/api/app.ts";
import { createNotifier } from "../../indexer/src/internal/notify.ts";
import { createPostgresDatabase, type Database } from "../../indexer/src/store/db.ts";
import { createStore } from "../../indexer/src/store/index.ts";
import { keyHash } from "../../indexer/src/store/keys.ts";
import type { Metrics } from "./index.ts";
import { runLoad } from "./load.ts";

const SALES = Number(process.env.BENCH_SALES ?? 1_000_000);

async function generate(db: Database) {
  const store = await createStore({ db });
  await store.initSyncState({ chainId: 31337, addresses: "bench", startBlock: 0 });
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>("select count(*)::int8 as n from sales");
  if (Number(n) === SALES) return;
  const started = Date.now();
  await db.exec("truncate sales, events");
  // 1,000,000 events of 1 per block, then the sales that reference them.
  await db.query(
    `insert into events (pos, chain_id, block_number, block_hash, block_time, tx_hash, tx_index, log_index,
       address, contract, event, args, signer, keys)
     select g * 1048576, 31337, g, '0x' || md5(g::text) || md5('b' || g), 1790000000 + g * 2,
       '0x' || md5('t' || g) || md5('x' || g), 0, 0, '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
       'RicePurchase', 'SaleSubmitted', json_build_object('saleId', g::text),
       '0x' || lpad(to_hex(100000 + g % 50000), 40, '0'), array[h.key]
     from generate_series(1, $1::int8) g join unnest($2::int8[]) with ordinality as h(key, n) on h.n = g`,
    // Each event's history key hash (store/keys.ts), computed here: SQL does not have the hash.
    [SALES, Array.from({ length: SALES }, (_, i) => keyHash(`sales:${i + 1}`))],
  );
  await db.query(
    `insert into sales (id, program_id, region, seq, farmer, units, packaging, variety, designated, collection_point,
       state, grade_special, grade_first, grade_second, grade_third, rejected_units, moisture_permille,
       certificate_hash, inspector, inspections, dispute_reason_hash, approver, accepted_units, interim_amount,
       clawback_amount, paid_amount, repaid_amount, submitted_pos, submitted_time, updated_pos, updated_time)
     select g::text, 1 + g % 3, 46810 + g % 20, 1 + g % 5, '0x' || lpad(to_hex(100000 + g % 50000), 40, '0'),
       40 + g % 60, g % 3, 101, true, 4681001, 1 + g % 11, 0, 40 + g % 60, 0, 0, 0, 145,
       '0x' || md5('c' || g) || md5('d' || g), '0x00000000000000000000000000000000000000aa', 1, null,
       '0x00000000000000000000000000000000000000bb', 40 + g % 60, (40 + g % 60) * 40000,
       null, 0, 0, g * 1048576, 1790000000 + g * 2, g * 1048576, 1790000000 + g * 2
     from generate_series(1, $1::int8) g`,
    [SALES],
  );
  await db.exec("analyze sales; analyze events");
  console.log(`  generated ${SALES} sales in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

type Autocannon = {
  latency: { p99: number; p50: number };
  requests: { average: number };
  non2xx: number;
  errors: number;
};

export function autocannon(
  url: string,
  seconds = 10,
  headers: Readonly<Record<string, string>> = {},
): Promise<Autocannon> {
  const bin = createRequire(import.meta.url).resolve("autocannon/autocannon.js");
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}=${v}`]);
  return new Promise((resolve, reject) => {
    const args = [bin, "-c", "50", "-d", String(seconds), "-j", ...headerArgs, url];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      try {
        resolve(JSON.parse(out) as Autocannon);
      } catch (error) {
        reject(error);
      }
    });
  });
}

async function measure(
  db: Database,
  cache: boolean,
  path: string,
  headers: Readonly<Record<string, string>> = {},
) {
  const app = createApp({
    db,
    storeKind: "postgres",
    chainId: 31337,
    addresses: {},
    cache,
    notifier: createNotifier(),
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${path}`;
  try {
    const check = await fetch(url);
    const body = (await check.json()) as { items: unknown[] };
    if (check.status !== 200 || body.items.length !== 50)
      throw new Error(`unexpected answer from ${url}`);
    await autocannon(url, 2, headers); // warm-up
    const result = await autocannon(url, 10, headers);
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    return result;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function run(): Promise<Metrics> {
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const db = await createPostgresDatabase({ url, schema: "jangbu_bench_api", max: 16 });
  const metrics: Metrics = {};
  try {
    await generate(db);
    // Writes left by what ran before (the backfill group's PostgreSQL runs, the generation) are
    // flushed now, not by a checkpoint during the measurement: it shares the same 2 cores.
    await db.exec("checkpoint").catch(() => {}); // needs a superuser; without one, skipped
    const path = "/api/v1/sales?limit=50&region=46815&state=Approved";
    const cached = await measure(db, true, path);
    console.log(
      `  cached:   p50 ${cached.latency.p50} ms, p99 ${cached.latency.p99} ms, ${Math.round(cached.requests.average)} req/s`,
    );
    // As a browser asks (Accept-Encoding: gzip): cached pages go out compressed (api/cache.ts).
    const gzip = await measure(db, true, path, { "accept-encoding": "gzip" });
    console.log(
      `  cached, gzip: p50 ${gzip.latency.p50} ms, p99 ${gzip.latency.p99} ms, ${Math.round(gzip.requests.average)} req/s`,
    );
    const uncached = await measure(db, false, path);
    console.log(
      `  uncached: p50 ${uncached.latency.p50} ms, p99 ${uncached.latency.p99} ms, ${Math.round(uncached.requests.average)} req/s`,
    );
    metrics["sales.p99Ms"] = { value: cached.latency.p99, unit: "ms" };
    metrics["sales.rps"] = { value: Math.round(cached.requests.average), unit: "req/s" };
    metrics["sales.gzip.p99Ms"] = { value: gzip.latency.p99, unit: "ms" };
    metrics["sales.gzip.rps"] = { value: Math.round(gzip.requests.average), unit: "req/s" };
    metrics["sales.uncached.p99Ms"] = { value: uncached.latency.p99, unit: "ms" };
    metrics["sales.uncached.rps"] = { value: Math.round(uncached.requests.average), unit: "req/s" };
  } finally {
    await db.close();
  }
  // The API under load while the indexer follows a busy chain (scripts/bench/load.ts).
  Object.assign(metrics, await runLoad());
  return metrics;
}
