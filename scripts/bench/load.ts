/**
 * Load (docs/threat-model.md, "a hostile citizen hitting the API"): the API under 50 concurrent
 * clients (autocannon) for 60 s while the indexer follows a chain that makes one block a second
 * with 50 jangbu transactions each.
 *
 * Four processes, so that each figure is the indexer's own: the chain (scripts/bench/load-chain.ts:
 * the demo season, then the producer), the indexer as it runs in production (indexer/src/main.ts,
 * PGlite in a fresh data folder, default poll interval), autocannon, and this one, which only
 * watches. Reported: errors and non-2xx answers, requests/s and p99, blocks and transactions
 * produced, the indexer's lag in blocks (sampled as each block is mined: how far it is behind the
 * block mined a second earlier) over the first and last third of the run, and the indexer's RSS
 * (from /proc) once it has caught up with the seeded chain, every 10 s, and at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { envVars } from "../../test/indexer/helpers/indexer.ts";
import { freePort } from "../lib/net.ts";
import { ManagedProcess } from "../lib/processes.ts";
import { autocannon } from "./api.ts";
import type { Metrics } from "./index.ts";
import type { ChainMessage, ControlMessage } from "./load-chain.ts";
import { TX_PER_BLOCK } from "./load-chain.ts";

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHAIN_ENTRY = join(ROOT, "scripts", "bench", "load-chain.ts");
const INDEXER_ENTRY = join(ROOT, "indexer", "src", "main.ts");

/** Resident set size of another process, in MB (Linux /proc). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Math.round(Number(kb) / 1024);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

/** The chain child; resolves once it is seeded, with its RPC URL, deployment and head. */
async function startChainProcess() {
  const child = spawn(process.execPath, ["--import", "tsx", CHAIN_ENTRY], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <K extends ChainMessage["type"]>(type: K, timeoutMs: number) =>
    new Promise<Extract<ChainMessage, { type: K }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the chain process sent no "${type}" in ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`the chain process exited (${code}) before "${type}"`));
      };
      const listener = (message: ChainMessage) => {
        if (message.type !== type) return;
        cleanup();
        resolve(message as Extract<ChainMessage, { type: K }>);
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off("message", listener);
        child.off("exit", onExit);
      };
      child.on("message", listener);
      child.once("exit", onExit);
    });
  const ready = await next("ready", 300_000);
  return {
    ...ready,
    child,
    onMessage: (listener: (message: ChainMessage) => void) => child.on("message", listener),
    control: (message: ControlMessage) => child.send(message),
    next,
  };
}

/** The indexer as `npm run indexer` runs it; resolves when it listens. Its warnings go to stderr. */
async function startIndexerProcess(env: NodeJS.ProcessEnv): Promise<ManagedProcess> {
  const indexer = new ManagedProcess("indexer", process.execPath, [INDEXER_ENTRY], {
    cwd: ROOT,
    env,
    onLine: (line, stream) => {
      if (stream === "stderr") console.error(`  indexer: ${line}`);
    },
  });
  await indexer.waitForLine(/jangbu indexer listening on/, 120_000);
  return indexer;
}

export async function runLoad(): Promise<Metrics> {
  const chain = await startChainProcess();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "jangbu-bench-load-"));
  const api = `http://127.0.0.1:${port}`;
  let indexer: ManagedProcess | undefined;
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...envVars(chain.url, chain.deployment, {
        HOST: "127.0.0.1",
        PORT: String(port),
        DATA_DIR: dataDir,
        POLL_INTERVAL_MS: "500", // the service's default, not the tests' 20 ms
        LOG_LEVEL: "warn",
      }),
    };
    delete env.DATABASE_URL; // PGlite: the default store, and the one whose memory is in-process
    indexer = await startIndexerProcess(env);
    const indexerPid = indexer.pid;
    if (indexerPid === undefined) throw new Error("the indexer has no pid");
    const status = async () => {
      const response = await fetch(`${api}/api/v1/status`);
      if (!response.ok) throw new Error(`/api/v1/status answered ${response.status}`);
      return (await response.json()) as { indexedBlock: number; store: string };
    };
    const indexed = async () => (await status()).indexedBlock;
    const { store } = await status();
    if (store !== "pglite") throw new Error(`the indexer runs on ${store}, not PGlite`);
    const deadline = Date.now() + 120_000;
    while ((await indexed()) < chain.head) {
      if (Date.now() > deadline) throw new Error(`the indexer did not reach block ${chain.head}`);
      await sleep(100);
    }

    const lags: number[] = [];
    const short: number[] = [];
    const minedAt: number[] = [];
    chain.onMessage((message) => {
      if (message.type !== "mined") return;
      minedAt.push(message.atMs);
      if (message.txs !== TX_PER_BLOCK) short.push(message.block);
      indexed().then(
        (at) => lags.push(Math.max(0, message.block - 1 - at)),
        () => lags.push(Number.NaN),
      );
    });
    /** The indexer's V8 heap in use, in MB, from its own /metrics. */
    const heapMB = async () => {
      const text = await (await fetch(`${api}/metrics`)).text();
      const bytes = /^nodejs_heap_size_used_bytes (\d+)$/m.exec(text)?.[1];
      if (bytes === undefined) throw new Error("/metrics has no nodejs_heap_size_used_bytes");
      return Math.round(Number(bytes) / 1_048_576);
    };
    const rssStart = rssOf(indexerPid);
    const rssSeries = [rssStart];
    const heapSeries = [await heapMB()];
    const rssSampler = setInterval(() => {
      rssSeries.push(rssOf(indexerPid));
      heapMB().then(
        (mb) => heapSeries.push(mb),
        () => heapSeries.push(Number.NaN),
      );
    }, 10_000);
    chain.control({ type: "produce" });
    const result = await autocannon(`${api}/api/v1/credentials?limit=50&region=46810`, SECONDS);
    clearInterval(rssSampler);
    chain.control({ type: "stop" });
    const stopped = await chain.next("stopped", 30_000);
    const lastBlock = chain.head + stopped.blocks;
    const caughtUp = Date.now() + 10_000;
    while ((await indexed()) < lastBlock && Date.now() < caughtUp) await sleep(50);
    const finalLag = lastBlock - (await indexed());
    const rssEnd = rssOf(indexerPid);
    rssSeries.push(rssEnd);
    heapSeries.push(await heapMB());

    if (short.length > 0)
      throw new Error(`blocks ${short.join(", ")} held fewer than ${TX_PER_BLOCK} transactions`);
    if (lags.some(Number.isNaN)) throw new Error("a lag sample failed (/api/v1/status)");
    const third = Math.max(1, Math.floor(lags.length / 3));
    const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    const lagFirst = Number(avg(lags.slice(0, third)).toFixed(2));
    const lagLast = Number(avg(lags.slice(-third)).toFixed(2));
    const span = (minedAt.at(-1) ?? 0) - (minedAt[0] ?? 0);
    const blocksPerSecond = span > 0 ? ((minedAt.length - 1) * 1000) / span : 0;
    console.log(
      `  load: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${result.errors} errors, ${result.non2xx} non-2xx; ${stopped.produced} txs in ${stopped.blocks} blocks (${blocksPerSecond.toFixed(2)} blocks/s); lag first third ${lagFirst}, last third ${lagLast} blocks, ${finalLag} after the run; indexer RSS ${rssStart} → ${rssEnd} MB (every 10 s: ${rssSeries.join(", ")}; V8 heap in use ${heapSeries.join(", ")} MB; chain process ${stopped.rssMB} MB)`,
    );
    return {
      "load.errors": { value: result.errors + result.non2xx, unit: "requests" },
      "load.rps": { value: Math.round(result.requests.average), unit: "req/s" },
      "load.p99Ms": { value: result.latency.p99, unit: "ms" },
      "load.jangbuTxs": { value: stopped.produced, unit: "txs" },
      "load.blocksPerSec": { value: Number(blocksPerSecond.toFixed(2)), unit: "blocks/s" },
      "load.lagFirstThirdBlocks": { value: lagFirst, unit: "blocks" },
      "load.lagLastThirdBlocks": { value: lagLast, unit: "blocks" },
      "load.finalLagBlocks": { value: finalLag, unit: "blocks" },
      "load.rssStartMB": { value: rssStart, unit: "MB" },
      "load.rssEndMB": { value: rssEnd, unit: "MB" },
      "load.rssPeakMB": { value: Math.max(...rssSeries), unit: "MB" },
    };
  } finally {
    await indexer?.stop();
    if (chain.child.connected) chain.child.disconnect();
    await exited(chain.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runLoad(), null, 2));
}
