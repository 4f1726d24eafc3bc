/**
 * End-to-end cold backfill: the chain of indexer-chain.ts (≥ 100,000 jangbu events, real
 * contracts, a dense part of 100–300 events per block) served over JSON-RPC HTTP by its own
 * process, and the indexer service started as an operator starts it (`node indexer/src/main.ts`,
 * environment only) on an empty store. Timed from the spawn of the indexer process to the
 * `indexedBlock` of its /api/v1/status reaching the chain head (polled every 100 ms: one
 * one-row read, and a count of the events at most once a second); peak RSS is the kernel's high-water mark of that process (VmHWM in
 * /proc/<pid>/status). The event count is then checked against the chain's.
 *
 * `BENCH_E2E_RUNS` (default 1) runs per store, interleaved; `BENCH_E2E_ROOTS` (comma-separated
 * checkouts, default this one) compares indexer versions on the same chain in the same run;
 * `BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of each indexer process there; MAX_BATCH_EVENTS,
 * MAX_BLOCK_RANGE, MAX_LOGS_ANSWER_KB and PGLITE_SHARED_BUFFERS, when set, are passed to the indexer;
 * `BENCH_E2E_TIMEOUT_S` (default 180) is how long one cold index may take; `BENCH_LOG_LEVEL` (default
 * info; `debug` logs every batch and every refused log range) is the indexer's log level and
 * `BENCH_STDERR_FILE` a file each indexer's log is written to when it stops (the last one stays).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { MALLOC_ARENA_MAX } from "../../indexer/src/internal/heap.ts";
import { freePort } from "../lib/net.ts";
import type { ChainReady } from "./indexer-chain.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = resolve(HERE, "..", "..");

export type Store = "pglite" | "postgres";
export type E2eRun = {
  root: string;
  store: Store;
  seconds: number;
  /** Spawn → "listening on" (the store open and migrated). */
  startSeconds: number;
  eventsPerSec: number;
  peakRssMB: number;
  /** Peak RSS at "listening on" (store open, nothing indexed yet). */
  startRssMB: number;
  load1: number;
  /** The sync's own "caught up" log line: time spent per part. */
  breakdown: string;
  /** CPU seconds the indexer process used from its start to caught up. */
  indexerCpuSeconds: number;
  /** CPU seconds the node (the bench chain's process) used over the same time. */
  nodeCpuSeconds: number;
};

export type Chain = ChainReady & { readonly pid: number; stop(): Promise<void> };

export async function startBenchChain(): Promise<Chain> {
  const child = spawn(process.execPath, ["--import", "tsx", join(HERE, "indexer-chain.ts")], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    cwd: ROOT,
  });
  const ready = await new Promise<ChainReady>((resolveReady, reject) => {
    child.once("message", (m) => resolveReady(m as ChainReady));
    child.once("exit", (code) => reject(new Error(`the bench chain exited ${code}`)));
  });
  return {
    ...ready,
    pid: child.pid as number,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.send({ type: "stop" });
      await exited;
    },
  };
}

/** Longest a cold index may take (BENCH_E2E_TIMEOUT_S, default 180). */
const TIMEOUT_S = Number(process.env.BENCH_E2E_TIMEOUT_S ?? 180);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU time a process has used so far (user + system, all its threads), in seconds: with the
 * wall time it shows how much of the machine's two cores the indexer and the node took.
 */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

function peakRssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/** An indexer service of checkout `root` over `chain`, on an empty `store`, as an operator starts it. */
export type RunningIndexer = {
  /** Its API's origin (http://127.0.0.1:PORT), known once it logs "listening on". */
  origin: string;
  pid: number;
  /** performance.now() at the spawn and at "listening on". */
  spawnedAt: number;
  listeningAt: number;
  /** Peak RSS when the store is open, before the sync has read anything. */
  startRssMB: number;
  stderr(): string;
  /** Polls /api/v1/status every 100 ms until the indexed block reaches `chain.head`. */
  waitCaughtUp(timeoutMs?: number): Promise<void>;
  /** Waits until /api/v1/status counts the chain's events (it counts at most once a second). */
  waitCounted(): Promise<number>;
  stop(): Promise<void>;
};

export async function startIndexer(
  chain: Chain,
  root: string,
  store: Store,
): Promise<RunningIndexer> {
  const dataDir = mkdtempSync(join(tmpdir(), "jangbu-bench-e2e-"));
  const baseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const schema = `jangbu_bench_e2e_${process.pid}_${Date.now() % 1_000_000}`;
  let admin: pg.Client | undefined;
  let databaseUrl: string | undefined;
  if (store === "postgres") {
    admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = new URL(baseUrl);
    url.searchParams.set("options", `-c search_path=${schema}`);
    databaseUrl = url.toString();
  }
  const a = chain.deployment.addresses;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    RPC_URL: chain.url,
    CHAIN_ID: String(chain.deployment.chainId),
    CREDENTIAL_REGISTRY_ADDRESS: a.CredentialRegistry,
    RICE_PURCHASE_ADDRESS: a.RicePurchase,
    TENDER_BOARD_ADDRESS: a.TenderBoard,
    FORWARDER_ADDRESS: a.JangbuForwarder,
    START_BLOCK: String(chain.deployment.startBlock),
    DATA_DIR: dataDir,
    PORT: String(await freePort()), // not 0: the allowed hosts are those of the configured port
    // The sync's "caught up" line carries its time breakdown; `debug` adds one line per batch.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    PORTAL_DIR: join(dataDir, "no-portal"),
    // As `npm run indexer` and `npm start` set it (indexer/src/internal/heap.ts).
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? MALLOC_ARENA_MAX,
    ...(databaseUrl !== undefined ? { DATABASE_URL: databaseUrl } : {}),
  };
  // Sync tuning under test, passed through when set (else the service's defaults).
  for (const name of [
    "MAX_BATCH_EVENTS",
    "MAX_BLOCK_RANGE",
    "MAX_LOGS_ANSWER_KB",
    "PGLITE_SHARED_BUFFERS",
  ]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const profile = process.env.BENCH_CPU_PROF;
  const args = [
    ...(profile !== undefined ? ["--cpu-prof", "--cpu-prof-dir", resolve(profile)] : []),
    // A checkout from before the indexer ran on Node's own type stripping (tsconfig's
    // erasableSyntaxOnly) is compared as it ran then, through tsx.
    ...(readFileSync(join(root, "tsconfig.json"), "utf8").includes("erasableSyntaxOnly")
      ? []
      : ["--import", "tsx"]),
    join(root, "indexer", "src", "main.ts"),
  ];
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let failed: string | undefined;
  void exited.then((code) => {
    failed ??= `the indexer exited ${code} before catching up`;
  });
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    if (process.env.BENCH_STDERR_FILE !== undefined)
      writeFileSync(process.env.BENCH_STDERR_FILE, stderr);
    rmSync(dataDir, { recursive: true, force: true });
    const errors = stderr
      .split("\n")
      .filter((l) => /error|warn/i.test(l) && !l.includes("caught up"));
    if (errors.length > 0) console.error(errors.slice(0, 5).join("\n"));
    if (admin !== undefined) {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  };
  try {
    let startRssMB = 0;
    const listening = await new Promise<{ origin: string; at: number }>((resolveOrigin, reject) => {
      let out = "";
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match?.[1] !== undefined) {
          startRssMB = peakRssMB(child.pid as number);
          resolveOrigin({ origin: match[1], at: performance.now() });
        }
      });
      void exited.then((code) => reject(new Error(`the indexer exited ${code}:\n${out}`)));
    });
    const origin = listening.origin;
    return {
      origin,
      pid: child.pid as number,
      spawnedAt,
      listeningAt: listening.at,
      startRssMB,
      stderr: () => stderr,
      async waitCaughtUp(timeoutMs = TIMEOUT_S * 1000) {
        let indexed = -1;
        while (indexed < chain.head) {
          if (failed !== undefined) throw new Error(failed);
          if (performance.now() - spawnedAt > timeoutMs)
            throw new Error(`not caught up in ${timeoutMs / 1000} s`);
          if ((stderr.match(/reorganisation/g)?.length ?? 0) > 5)
            throw new Error(`the indexer keeps seeing reorgs:\n${stderr.slice(0, 2_000)}`);
          await sleep(100);
          const answer = await fetch(`${origin}/api/v1/status`);
          const body = await answer.text();
          if (answer.ok) indexed = (JSON.parse(body) as { indexedBlock: number }).indexedBlock;
          else if (process.env.BENCH_E2E_DEBUG !== undefined) console.log(answer.status, body);
        }
      },
      async waitCounted() {
        let counted = -1;
        for (let i = 0; i < 30 && counted !== chain.events; i++) {
          const answer = await fetch(`${origin}/api/v1/status`);
          counted = ((await answer.json()) as { events: number }).events;
          if (counted !== chain.events) await sleep(200);
        }
        return counted;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One cold index of `chain` by the indexer of checkout `root` into a fresh `store`. */
export async function indexOnce(chain: Chain, root: string, store: Store): Promise<E2eRun> {
  const nodeCpuBefore = cpuSeconds(chain.pid);
  const indexer = await startIndexer(chain, root, store);
  try {
    await indexer.waitCaughtUp();
    const seconds = (performance.now() - indexer.spawnedAt) / 1000;
    const peak = peakRssMB(indexer.pid);
    const indexerCpuSeconds = cpuSeconds(indexer.pid);
    const nodeCpuSeconds = cpuSeconds(chain.pid) - nodeCpuBefore;
    // The status route counts the events at most once a second: ask until the count is fresh.
    const counted = await indexer.waitCounted();
    // The sync logs its breakdown right after its cursor reaches the head: give it a moment.
    for (let i = 0; i < 40 && !indexer.stderr().includes("caught up"); i++) await sleep(25);
    const breakdown =
      indexer
        .stderr()
        .split("\n")
        .find((l) => l.includes("caught up")) ?? "";
    if (counted !== chain.events)
      throw new Error(`indexed ${counted} events of the chain's ${chain.events}`);
    return {
      root,
      store,
      seconds,
      startSeconds: (indexer.listeningAt - indexer.spawnedAt) / 1000,
      eventsPerSec: chain.events / seconds,
      peakRssMB: peak,
      startRssMB: indexer.startRssMB,
      load1: loadavg()[0] ?? Number.NaN,
      breakdown: breakdown.replace(/^.*caught up\s*/, ""),
      indexerCpuSeconds,
      nodeCpuSeconds,
    };
  } finally {
    await indexer.stop();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Runs every (root, store) `runs` times, interleaved; returns every run. */
export async function e2e(options: {
  roots?: string[];
  runs?: number;
  stores?: Store[];
  log?: (line: string) => void;
}): Promise<{ chain: Omit<Chain, "stop">; runs: E2eRun[] }> {
  const roots = options.roots ?? [ROOT];
  const stores = options.stores ?? ["postgres", "pglite"];
  const log = options.log ?? console.log;
  const chain = await startBenchChain();
  log(
    `  e2e chain: ${chain.events} events in ${chain.blocks} blocks (${(chain.events / chain.blocks).toFixed(1)}/block; dense part ${chain.denseEvents} events in ${chain.denseBlocks} blocks, ${(chain.denseEvents / Math.max(1, chain.denseBlocks)).toFixed(0)}/block), ${chain.cached ? "replayed from" : "generated into"} ${chain.cache} in ${chain.replaySeconds.toFixed(1)} s`,
  );
  const runs: E2eRun[] = [];
  try {
    for (let i = 0; i < (options.runs ?? 1); i++) {
      for (const store of stores) {
        for (const root of roots) {
          let run: E2eRun;
          try {
            run = await indexOnce(chain, root, store);
          } catch (error) {
            // One failed index (e.g. a timeout under load) is reported; the others still run.
            log(`  e2e ${store} [${root}]: FAILED: ${(error as Error).message.split("\n")[0]}`);
            continue;
          }
          runs.push(run);
          log(
            `  e2e ${store} [${root}]: ${run.seconds.toFixed(2)} s (start-up ${run.startSeconds.toFixed(2)} s), ${Math.round(run.eventsPerSec)} events/s, peak RSS ${Math.round(run.peakRssMB)} MB (${Math.round(run.startRssMB)} MB at start-up), CPU ${run.indexerCpuSeconds.toFixed(1)} s indexer + ${run.nodeCpuSeconds.toFixed(1)} s node, load ${run.load1.toFixed(2)}\n      ${run.breakdown}`,
          );
        }
      }
    }
  } finally {
    await chain.stop();
  }
  const { stop: _stop, ...described } = chain;
  return { chain: described, runs };
}

export function summarise(runs: E2eRun[], root: string, store: Store) {
  const mine = runs.filter((r) => r.root === root && r.store === store);
  if (mine.length === 0) throw new Error(`no ${store} run of ${root} caught up`);
  return {
    eventsPerSec: median(mine.map((r) => r.eventsPerSec)),
    peakRssMB: Math.max(...mine.map((r) => r.peakRssMB)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const roots = (process.env.BENCH_E2E_ROOTS ?? ROOT).split(",").map((r) => resolve(r));
  const stores = (process.env.BENCH_E2E_STORES ?? "postgres,pglite").split(",") as Store[];
  const { runs } = await e2e({ roots, stores, runs: Number(process.env.BENCH_E2E_RUNS ?? 1) });
  for (const root of roots)
    for (const store of stores) {
      if (!runs.some((r) => r.root === root && r.store === store)) continue;
      const s = summarise(runs, root, store);
      console.log(
        `${store} [${root}]: median ${Math.round(s.eventsPerSec)} events/s, peak RSS ${Math.round(s.peakRssMB)} MB`,
      );
    }
  process.exit(0);
}
