/**
 * Load (docs/threat-model.md, "a hostile citizen hitting the API"): the API under 50 concurrent
 * clients (autocannon) for 60 s while the indexer follows a chain that makes one block a second
 * with 50 jangbu transactions each (credentials issued by the registry admin). Reports errors,
 * the indexer's lag in blocks at the start and the end of the run, and the process RSS at the
 * start and the end (indexer, API and chain all run in this process).
 */
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { type Address, encodeFunctionData, keccak256, toHex } from "viem";
import { createPgliteDatabase } from "../../indexer/src/store/db.ts";
import { CredentialRegistryAbi, Role } from "../../sdk/index.ts";
import { startSeededChain } from "../../test/indexer/helpers/chain.ts";
import { envFor, indexUntil } from "../../test/indexer/helpers/indexer.ts";
import { autocannon } from "./api.ts";
import type { Metrics } from "./index.ts";

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const TX_PER_BLOCK = 50;
const rssMB = () => Math.round(process.memoryUsage().rss / 1_048_576);

export async function runLoad(): Promise<Metrics> {
  const chain = await startSeededChain();
  const db = await createPgliteDatabase();
  const indexer = await indexUntil(envFor(chain.url, chain.deployment), db, chain.lastBlock);
  const server = serve({ fetch: indexer.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const registry = chain.deployment.addresses.CredentialRegistry;
  const [admin] = await chain.request<Address[]>("eth_accounts");
  if (admin === undefined) throw new Error("no account");
  const call = (functionName: "setIssuer" | "issue", args: readonly unknown[]) =>
    chain.request("eth_sendTransaction", [
      {
        from: admin,
        to: registry,
        gas: "0x30000",
        data: encodeFunctionData({ abi: CredentialRegistryAbi, functionName, args } as never),
      },
    ]);
  await call("setIssuer", [admin, Role.Farmer, 0, true]);
  await chain.request("evm_setAutomine", [false]);

  let stop = false;
  let produced = 0;
  const lags: number[] = [];
  const producer = (async () => {
    const now = Number(
      BigInt(
        (await chain.request<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false]))
          .timestamp,
      ),
    );
    while (!stop) {
      const started = Date.now();
      for (let i = 0; i < TX_PER_BLOCK; i++) {
        const subject = `0x${keccak256(toHex(`load:${produced}`)).slice(26)}` as Address;
        await call("issue", [
          subject,
          Role.Farmer,
          46_810,
          keccak256(toHex(`claims:${produced}`)),
          BigInt(now + 30 * 86_400),
        ]);
        produced++;
      }
      await chain.request("evm_mine");
      await sleep(Math.max(0, 1_000 - (Date.now() - started)));
      // Sampled just before the next block: how far behind the indexer is after a second.
      lags.push((await chain.head()) - indexer.sync.status().indexed);
    }
  })();

  const rssStart = rssMB();
  const result = await autocannon(
    `http://127.0.0.1:${port}/api/v1/credentials?limit=50&region=46810`,
    SECONDS,
  );
  stop = true;
  await producer;
  await sleep(2_000); // let the indexer catch the last block
  const rssEnd = rssMB();
  const finalLag = (await chain.head()) - indexer.sync.status().indexed;
  const third = Math.max(1, Math.floor(lags.length / 3));
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  console.log(
    `  load: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${result.errors} errors, ${result.non2xx} non-2xx; ${produced} txs in ${lags.length} blocks; lag first third ${avg(lags.slice(0, third)).toFixed(2)}, last third ${avg(lags.slice(-third)).toFixed(2)} blocks, after ${finalLag}; RSS ${rssStart} → ${rssEnd} MB`,
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await indexer.close();
  await db.close();
  await chain.close();
  return {
    "load.errors": { value: result.errors + result.non2xx, unit: "requests" },
    "load.rps": { value: Math.round(result.requests.average), unit: "req/s" },
    "load.p99Ms": { value: result.latency.p99, unit: "ms" },
    "load.jangbuTxs": { value: produced, unit: "txs" },
    "load.lagFirstThirdBlocks": {
      value: Number(avg(lags.slice(0, third)).toFixed(2)),
      unit: "blocks",
    },
    "load.lagLastThirdBlocks": {
      value: Number(avg(lags.slice(-third)).toFixed(2)),
      unit: "blocks",
    },
    "load.rssStartMB": { value: rssStart, unit: "MB" },
    "load.rssEndMB": { value: rssEnd, unit: "MB" },
  };
}
