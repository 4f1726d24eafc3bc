/**
 * `npm run bench -- verify`: how fast `npm run verify` rebuilds records from the chain and diffs
 * the API.
 *
 * `eventsPerSec` is measured on the chain of the end-to-end indexer benchmark
 * (scripts/bench/indexer-chain.ts: ≥ 100,000 jangbu events, real contracts, served over JSON-RPC
 * HTTP by its own process, its plan cached in `.data/bench/`), indexed by the indexer service as
 * an operator starts it (on PostgreSQL at DATABASE_URL, in a schema of its own) and its API served
 * over HTTP: the whole verification (logs, block times, folding, re-derivation, every API list and
 * detail page compared) over the events read, once the indexer has caught up.
 * `chainEventsPerSec` is the chain side alone (eth_getLogs, block times, decode, fold), and
 * `phase.*` where the whole run's time went (from the verifier's progress reports).
 *
 * `demo.*`: the same on the demo season (a few hundred events, an in-process Hardhat chain over
 * JSON-RPC HTTP, indexed into PGlite, its API over HTTP), each the best of three runs.
 *
 * BENCH_VERIFY_RPC_URL, BENCH_VERIFY_API_URL and BENCH_VERIFY_DEPLOYMENT (a deployment JSON file)
 * measure a chain already served elsewhere instead of the benchmark chain.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { Deployment } from "../../sdk/deployments.ts";
import { startDemoApi } from "../../test/sdk/demo.ts";
import { readChainRecords } from "../verify/chain.ts";
import { verify } from "../verify/index.ts";
import { createRpc } from "../verify/rpc.ts";
import type { Metrics } from "./index.ts";
import { startBenchChain, startIndexer } from "./indexer-e2e.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

type Measured = {
  eventsPerSec: number;
  chainEventsPerSec: number;
  seconds: number;
  events: number;
  /** Seconds from the first to the last progress report of each phase, in the best run. */
  phases: Record<string, number>;
};

async function measure(rpcUrl: string, apiUrl: string, deployment: Deployment, runs: number) {
  let best: Measured | undefined;
  let bestChain = 0;
  for (let i = 0; i < runs; i++) {
    const phases = new Map<string, { first: number; last: number }>();
    let last = performance.now();
    const report = await verify({
      rpcUrl,
      apiUrl,
      deployment,
      progress: (phase) => {
        const now = performance.now();
        const seen = phases.get(phase);
        // A phase runs from the previous report (the end of the last phase) to its last report.
        if (seen === undefined) phases.set(phase, { first: last, last: now });
        else seen.last = now;
        last = now;
      },
    });
    if (report.mismatches.length > 0)
      throw new Error(
        `the benchmark's API does not verify: ${report.mismatches.length} mismatches, the first ${JSON.stringify(report.mismatches.slice(0, 3))}`,
      );
    const chainStarted = performance.now();
    const chain = await readChainRecords(createRpc(rpcUrl), deployment, report.block);
    const chainSeconds = (performance.now() - chainStarted) / 1000;
    bestChain = Math.max(bestChain, chain.events / chainSeconds);
    if (best === undefined || report.seconds < best.seconds)
      best = {
        eventsPerSec: report.events / report.seconds,
        chainEventsPerSec: 0,
        seconds: report.seconds,
        events: report.events,
        phases: Object.fromEntries(
          [...phases].map(([name, p]) => [name, (p.last - p.first) / 1000]),
        ),
      };
  }
  if (best === undefined) throw new Error("no run");
  return { ...best, chainEventsPerSec: bestChain };
}

function record(metrics: Metrics, prefix: string, m: Measured, label: string) {
  metrics[`${prefix}eventsPerSec`] = {
    value: Math.round(m.eventsPerSec),
    unit: `events/s (${label})`,
  };
  metrics[`${prefix}chainEventsPerSec`] = {
    value: Math.round(m.chainEventsPerSec),
    unit: `events/s (chain side only, ${label})`,
  };
  metrics[`${prefix}seconds`] = { value: Number(m.seconds.toFixed(2)), unit: `s (${label})` };
  for (const [phase, seconds] of Object.entries(m.phases))
    metrics[`${prefix}phase.${phase.replaceAll(" ", "_")}`] = {
      value: Number(seconds.toFixed(2)),
      unit: `s (${label})`,
    };
}

async function large(metrics: Metrics) {
  const { BENCH_VERIFY_RPC_URL: rpc, BENCH_VERIFY_API_URL: api } = process.env;
  const file = process.env.BENCH_VERIFY_DEPLOYMENT;
  if (rpc !== undefined && api !== undefined && file !== undefined) {
    const deployment = JSON.parse(readFileSync(file, "utf8")) as Deployment;
    const m = await measure(rpc, api, deployment, 1);
    record(
      metrics,
      "",
      m,
      `${m.events} events at ${new URL(rpc).host}, load ${loadavg()[0]?.toFixed(2)}`,
    );
    return;
  }
  const chain = await startBenchChain();
  try {
    console.log(
      `  verify chain: ${chain.events} events in ${chain.blocks} blocks, ${chain.cached ? "replayed from" : "generated into"} ${chain.cache} in ${chain.replaySeconds.toFixed(1)} s`,
    );
    const indexer = await startIndexer(chain, ROOT, "postgres");
    try {
      await indexer.waitCaughtUp(600_000);
      const counted = await indexer.waitCounted();
      if (counted !== chain.events)
        throw new Error(`the indexer counts ${counted} events of the chain's ${chain.events}`);
      const m = await measure(chain.url, `${indexer.origin}/`, chain.deployment, 2);
      const label = `${m.events} events over JSON-RPC, API on PostgreSQL, load ${loadavg()[0]?.toFixed(2)}`;
      console.log(
        `  verify: ${m.events} events in ${m.seconds.toFixed(2)} s (${Math.round(m.eventsPerSec)}/s; chain side ${Math.round(m.chainEventsPerSec)}/s); phases ${JSON.stringify(m.phases)}`,
      );
      record(metrics, "", m, label);
    } finally {
      await indexer.stop();
    }
  } finally {
    await chain.stop();
  }
}

export async function run(): Promise<Metrics> {
  const metrics: Metrics = {};
  const demo = await startDemoApi();
  try {
    const d = await measure(demo.chain.url, demo.apiUrl, demo.chain.deployment, 3);
    record(metrics, "demo.", d, `demo season, ${d.events} events`);
    console.log(`  verify demo: ${d.events} events in ${d.seconds.toFixed(2)} s`);
  } finally {
    await demo.close();
  }
  if (process.env.BENCH_VERIFY_LARGE !== "0") await large(metrics);
  return metrics;
}
