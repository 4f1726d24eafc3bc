/**
 * `npm run bench -- verify`: how fast `npm run verify` rebuilds records from the chain and diffs
 * the API.
 *
 * On the demo season (labelled so: a few hundred events, an in-process Hardhat chain over JSON-RPC
 * HTTP, indexed into PGlite, its API over HTTP): `eventsPerSec` is the whole verification (logs,
 * block times, folding, re-derivation, every API list and detail page compared) over the events
 * read; `chainEventsPerSec` the chain side alone (eth_getLogs, decode, fold). Each the best of
 * three runs.
 *
 * On a large chain already served elsewhere (the 100,000-event chain of scripts/bench/indexer.ts
 * when it is cached and served, or any deployment): set BENCH_VERIFY_RPC_URL, BENCH_VERIFY_API_URL
 * and BENCH_VERIFY_DEPLOYMENT (a deployment JSON file) and the same figures are measured there too
 * (`large.*`), once.
 */
import { readFileSync } from "node:fs";
import type { Deployment } from "../../sdk/deployments.ts";
import { startDemoApi } from "../../test/sdk/demo.ts";
import { readChainRecords } from "../verify/chain.ts";
import { verify } from "../verify/index.ts";
import { createRpc } from "../verify/rpc.ts";
import type { Metrics } from "./index.ts";

async function measure(rpcUrl: string, apiUrl: string, deployment: Deployment, runs: number) {
  let best = {
    eventsPerSec: 0,
    chainEventsPerSec: 0,
    seconds: Number.POSITIVE_INFINITY,
    events: 0,
  };
  for (let i = 0; i < runs; i++) {
    const report = await verify({ rpcUrl, apiUrl, deployment });
    if (report.mismatches.length > 0)
      throw new Error(
        `the benchmark's API does not verify: ${report.mismatches.length} mismatches`,
      );
    const started = performance.now();
    const rpc = createRpc(rpcUrl);
    const chain = await readChainRecords(rpc, deployment, report.block);
    const chainSeconds = (performance.now() - started) / 1000;
    best = {
      eventsPerSec: Math.max(best.eventsPerSec, report.events / report.seconds),
      chainEventsPerSec: Math.max(best.chainEventsPerSec, chain.events / chainSeconds),
      seconds: Math.min(best.seconds, report.seconds),
      events: report.events,
    };
  }
  return best;
}

export async function run(): Promise<Metrics> {
  const demo = await startDemoApi();
  const metrics: Metrics = {};
  try {
    const d = await measure(demo.chain.url, demo.apiUrl, demo.chain.deployment, 3);
    const label = `demo season, ${d.events} events`;
    metrics.eventsPerSec = { value: Math.round(d.eventsPerSec), unit: `events/s (${label})` };
    metrics.chainEventsPerSec = {
      value: Math.round(d.chainEventsPerSec),
      unit: `events/s (chain side only, ${label})`,
    };
    metrics.demoSeconds = { value: Number(d.seconds.toFixed(2)), unit: `s (${label})` };
  } finally {
    await demo.close();
  }
  const { BENCH_VERIFY_RPC_URL: rpc, BENCH_VERIFY_API_URL: api } = process.env;
  const file = process.env.BENCH_VERIFY_DEPLOYMENT;
  if (rpc !== undefined && api !== undefined && file !== undefined) {
    const deployment = JSON.parse(readFileSync(file, "utf8")) as Deployment;
    const l = await measure(rpc, api, deployment, 1);
    const label = `${l.events} events at ${new URL(rpc).host}`;
    metrics["large.eventsPerSec"] = {
      value: Math.round(l.eventsPerSec),
      unit: `events/s (${label})`,
    };
    metrics["large.chainEventsPerSec"] = {
      value: Math.round(l.chainEventsPerSec),
      unit: `events/s (chain side only, ${label})`,
    };
  } else
    console.log(
      "verify: no large chain given (BENCH_VERIFY_RPC_URL, _API_URL, _DEPLOYMENT): demo season only",
    );
  return metrics;
}
