/**
 * Scale-out on PostgreSQL (issue 26): a writer, a standby and two API replicas (INDEXER_ROLE
 * sync, sync, api, api) as separate processes on one fresh schema. The leader is killed with
 * SIGKILL while a batch transaction of its backfill is open; the standby takes the leader lock
 * and resumes at the committed cursor; more transactions are then driven and followed live. In
 * the end both replicas answer exactly what a clean single-process index answers, and the SSE
 * clients of both replicas received every record exactly once.
 *
 * Runs only with DATABASE_URL (PostgreSQL); skips saying so otherwise.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { getAddress } from "viem";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import { createIndexer, type Indexer } from "../../indexer/src/service.ts";
import {
  createPgliteDatabase,
  createPostgresDatabase,
  type Database,
} from "../../indexer/src/store/db.ts";
import { CredentialRegistryAbi } from "../../sdk/index.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { dumpStore, envFor, envVars, waitFor } from "./helpers/indexer.ts";

const MAIN = new URL("../../indexer/src/main.ts", import.meta.url).pathname;
const DATABASE_URL = process.env.DATABASE_URL;

type Service = {
  name: string;
  process: ChildProcess;
  url: Promise<string>;
  log: () => string;
  exit: Promise<number | null>;
};

function startService(name: string, env: Record<string, string>): Service {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    log += c;
  });
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      log += c;
      const m = /jangbu indexer listening on (http:\/\/\S+)/.exec(log);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}: ${log}`)));
  });
  url.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, process: child, url, log: () => log, exit };
}

/** A URL whose connections use `schema` (node-postgres passes `options` to the server). */
function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return u.toString();
}

type SseClient = { ids: number[]; reorgs: number; close(): void };

/** Reads `GET /api/v1/stream` and records the id of every `record` event. */
function openStream(base: string): SseClient {
  const client: SseClient = { ids: [], reorgs: 0, close: () => abort.abort() };
  const abort = new AbortController();
  void (async () => {
    // lastEventId=0: from the first record on (no event has position 0).
    const res = await fetch(`${base}/api/v1/stream?lastEventId=0`, { signal: abort.signal });
    assert.equal(res.status, 200);
    const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) return;
      buffer += chunk.value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (\w+)$/m.exec(message)?.[1];
        const id = /^id: (\d+)$/m.exec(message)?.[1];
        if (event === "record" && id !== undefined) client.ids.push(Number(id));
        if (event === "reorg") client.reorgs++;
        end = buffer.indexOf("\n\n");
      }
    }
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) throw error;
  });
  return client;
}

const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as unknown };
};

describe("one writer, a standby and two API replicas on one PostgreSQL schema", () => {
  let chain: (TestChain & { lastBlock: number }) | undefined;
  const services: Service[] = [];
  let admin: pg.Client | undefined;
  let schema = "";
  let clean: Database | undefined;
  let cleanIndexer: Indexer | undefined;
  let store: Database | undefined;
  const streams: SseClient[] = [];

  before(async () => {
    if (DATABASE_URL === undefined || DATABASE_URL === "") return;
    chain = await startSeededChain();
    schema = `jangbu_scale_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
  });
  after(async () => {
    for (const s of streams) s.close();
    for (const s of services) if (s.process.exitCode === null) s.process.kill("SIGKILL");
    await Promise.all(services.map((s) => s.exit));
    await cleanIndexer?.close();
    await clean?.close();
    await store?.close();
    if (admin !== undefined) {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
    await chain?.close();
  });

  it("survives kill -9 of the leader mid-batch; every replica ends equal to a clean index", async (t) => {
    if (DATABASE_URL === undefined || DATABASE_URL === "" || chain === undefined || !admin) {
      t.skip("DATABASE_URL is not set: this test needs PostgreSQL");
      return;
    }
    const c = chain;
    const pgAdmin = admin;
    const env = (role: string) =>
      envVars(c.url, c.deployment, {
        INDEXER_ROLE: role,
        DATABASE_URL: withSchema(DATABASE_URL, schema),
        // Many batches of backfill, so that the kill lands between committed ones.
        MAX_BLOCK_RANGE: "2",
        LEADER_RETRY_MS: "200",
        RPC_WS_URL: "off",
        LOG_LEVEL: "info",
        PORT: "0",
      });

    // A slow node while the processes start, so that the backfill is still running at the kill.
    c.setLatency(300);
    const leader = startService("writer-1", env("sync"));
    services.push(leader);
    await waitFor("the first writer to lead", () => leader.log().includes("leading"), 60_000);
    // The store exists once the leader has migrated it.
    store = await createPostgresDatabase({ url: DATABASE_URL, schema });
    const cursor = async () => {
      try {
        const [row] = await pgAdmin
          .query<{ block_number: string }>(`select block_number from ${schema}.sync_state`)
          .then((r) => r.rows);
        return row === undefined ? undefined : Number(row.block_number);
      } catch {
        return undefined;
      }
    };
    const standby = startService("writer-2", env("sync"));
    const apiA = startService("api-a", env("api"));
    const apiB = startService("api-b", env("api"));
    services.push(standby, apiA, apiB);
    const [urlA, urlB] = await Promise.all([apiA.url, apiB.url]);
    await waitFor(
      "both replicas to answer",
      async () =>
        (await getJson(`${urlA}/health`)).status === 200 &&
        (await getJson(`${urlB}/health`)).status === 200,
      60_000,
    );
    await waitFor("the standby to stand by", () => standby.log().includes("standing by"), 60_000);
    streams.push(openStream(urlA), openStream(urlB));

    // Kill the leader while one of its batch transactions is open (after some were committed).
    const start = c.deployment.startBlock;
    await waitFor("a first committed batch", async () => ((await cursor()) ?? -1) >= start, 60_000);
    let caught = false;
    const deadline = Date.now() + 60_000;
    while (!caught && Date.now() < deadline) {
      const { rows } = await pgAdmin.query<{ n: string }>(
        `select count(*) as n from pg_stat_activity
         where application_name = 'jangbu-indexer-writer'
           and (state = 'idle in transaction' or (state = 'active' and (query ilike '%for update%'
             or query ilike 'copy %' or query ilike 'insert %' or query ilike 'update %'
             or query ilike 'delete %')))`,
      );
      if (Number(rows[0]?.n) > 0) {
        leader.process.kill("SIGKILL");
        caught = true;
      }
    }
    assert.ok(
      caught,
      `the leader was seen inside a batch transaction (cursor ${await cursor()}, head ${await c.head()}): ${leader.log().slice(-3000)}`,
    );
    const killedAt = performance.now();
    await leader.exit;
    c.setLatency(0);
    const committed = await cursor();
    const head = await c.head();
    assert.ok(
      committed !== undefined && committed < head - 3,
      `killed mid-backfill (cursor ${committed}, head ${head})`,
    );

    await waitFor("the standby to take over", () => standby.log().includes("leading"), 30_000);
    const takeoverMs = performance.now() - killedAt;
    t.diagnostic(`standby led ${Math.round(takeoverMs)} ms after the kill (cursor ${committed})`);
    assert.ok(takeoverMs < 5_000, `takeover within 5 s (${Math.round(takeoverMs)} ms)`);

    // Fill both replicas' page caches before the new records: the answers compared at the end
    // are only right if every replica emptied its cache when the new leader moved the cursor.
    const paths = [
      "/api/v1/events?limit=200",
      "/api/v1/sales?limit=200",
      "/api/v1/tenders?limit=200",
      "/api/v1/credentials?limit=200",
      "/api/v1/issuers?limit=200",
      "/api/v1/payments?limit=200",
    ];
    const seeded = await c.head();
    await waitFor("the new leader to catch up", async () => ((await cursor()) ?? -1) >= seeded);
    await waitFor("the replicas to see it", async () => {
      const [a, b] = await Promise.all(
        [urlA, urlB].map(async (u) => (await getJson(`${u}/api/v1/status`)).body),
      );
      return [a, b].every((x) => (x as { indexedBlock: number }).indexedBlock >= seeded);
    });
    const cachedBefore = await getJson(`${urlA}/api/v1/issuers?limit=200`);
    for (const path of paths) {
      for (const base of [urlA, urlB]) {
        // (A notification still in flight from the catch-up may empty the cache once more.)
        await waitFor(`${path} cached`, async () => {
          await getJson(`${base}${path}`);
          const again = await fetch(`${base}${path}`);
          await again.body?.cancel();
          return again.headers.get("x-cache") === "hit";
        });
      }
    }

    // Drive new transactions, followed live by the new leader.
    const [wallet] = await c.connection.viem.getWalletClients();
    const client = await c.connection.viem.getPublicClient();
    assert.ok(wallet !== undefined);
    for (let i = 0; i < 5; i++) {
      const hash = await wallet.writeContract({
        address: c.deployment.addresses.CredentialRegistry,
        abi: CredentialRegistryAbi,
        functionName: "setIssuer",
        args: [getAddress(`0x${(0xabc000 + i).toString(16).padStart(40, "0")}`), 0, 46810, true],
      });
      await client.waitForTransactionReceipt({ hash });
    }
    await c.mine(4); // past REORG_DEPTH
    const last = await c.head();

    // The clean single-process index of the same chain.
    clean = await createPgliteDatabase();
    cleanIndexer = await createIndexer({
      env: envFor(c.url, c.deployment),
      logger: silentLogger,
      db: clean,
    });
    const cleanSync = cleanIndexer.sync;
    void cleanSync.run();
    await waitFor("the clean index", () => cleanSync.status().indexed >= last, 60_000);
    await waitFor("the new leader", async () => ((await cursor()) ?? -1) >= last, 60_000);

    const expected = await dumpStore(clean);
    assert.deepEqual(await dumpStore(store), expected, "the store equals a clean index");
    const total = expected.events?.length ?? 0;
    assert.ok(total > 500, `${total} events indexed`);

    // Both replicas answer identically, and as the clean index does.
    const cleanApp = cleanIndexer.app;
    for (const path of paths) {
      const want = await cleanApp.request(path);
      assert.equal(want.status, 200, path);
      const body = await want.json();
      const a = await getJson(`${urlA}${path}`);
      const b = await getJson(`${urlB}${path}`);
      assert.equal(a.status, 200, `${path} on replica A`);
      assert.deepEqual(a.body, body, `${path} on replica A`);
      assert.deepEqual(b.body, body, `${path} on replica B`);
    }

    assert.notDeepEqual(
      (await getJson(`${urlA}/api/v1/issuers?limit=200`)).body,
      cachedBefore.body,
      "the new issuers are served, not the cached page",
    );

    // A second process in role `all` on the same database stands by and serves the same answers.
    const second = startService("all", env("all"));
    services.push(second);
    const urlAll = await second.url;
    await waitFor("the all-role process to stand by", () => second.log().includes("standing by"));
    assert.deepEqual(
      (await getJson(`${urlAll}/api/v1/events?limit=200`)).body,
      await (await cleanApp.request("/api/v1/events?limit=200")).json(),
    );

    // Every record reached the SSE clients of both replicas, once each.
    const ids = (expected.events as { pos: number }[]).map((e) => Number(e.pos));
    for (const [i, stream] of streams.entries()) {
      await waitFor(`the stream of replica ${i}`, () => stream.ids.length >= ids.length, 30_000);
      assert.equal(new Set(stream.ids).size, stream.ids.length, "no record twice");
      assert.deepEqual(stream.ids, ids, "every record, in order");
      assert.equal(stream.reorgs, 0, "no reorg announced (the chain had none)");
    }
  });

  it("refuses INDEXER_ROLE=sync or api on PGlite, saying why", async () => {
    for (const role of ["sync", "api"]) {
      const service = startService(`pglite-${role}`, {
        INDEXER_ROLE: role,
        DATABASE_URL: "",
        DATA_DIR: "/nonexistent-jangbu-data",
        RPC_URL: "http://127.0.0.1:9",
        PORT: "0",
      });
      services.push(service);
      assert.equal(await service.exit, 1);
      assert.match(
        service.log(),
        new RegExp(
          `INDEXER_ROLE=${role} needs PostgreSQL \\(DATABASE_URL\\): a PGlite data folder is opened by one process only`,
        ),
      );
    }
  });
});
