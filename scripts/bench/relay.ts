/**
 * `npm run bench -- relay`: the relay end to end on an in-process Hardhat chain (automine), over
 * real HTTP (@hono/node-server on a free port, fetch as the client).
 *
 * - actionsPerSec: 200 signed submitSale requests from 10 farmers (20 nonces each), shuffled so
 *   that a signer's later nonces often arrive before its earlier ones (a phone that retries, a
 *   signer with several tabs), all posted at once; from the first POST to the last request mined.
 *   Every request must be mined exactly once (one successful `ExecutedForwardRequest` per signer
 *   and nonce, none refused, none failed), else the bench fails after printing its figures. Best
 *   of 3 rounds (the machine is shared: the best round is the least disturbed). Signing happens
 *   before the clock starts: it is the users' phones' work.
 * - actionsPerSecPool16: the same, through a client that keeps at most 16 requests in flight
 *   (a connection pool): a held request must not keep the missing ones from being sent.
 * - addedLatencyMs: one request at a time, POST → receipt, minus the same action sent directly by
 *   the farmer's own funded wallet → receipt (medians of RUNS each).
 */
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { getAbiItem, type Hash, toHex } from "viem";
import { createRelay, relayConfigFromEnv } from "../../indexer/src/relay/index.ts";
import {
  buildAction,
  RelayRequestError,
  readForwarderNonce,
  submitRelayRequest,
} from "../../sdk/actions.ts";
import type { RelayBody } from "../../sdk/forwarder.ts";
import { JangbuForwarderAbi } from "../../sdk/generated/abis.ts";
import { setupRelayChain } from "../../test/relay/setup.ts";
import type { Metrics } from "./index.ts";

const SIGNERS = 10;
const PER_SIGNER = 20;
const ROUNDS = 3;
/** The second figure's client: at most this many requests in flight (a connection pool). */
const POOL = 16;
const RUNS = 30;
/** A round that has not finished after this long is over (its requests counted as not mined). */
const ROUND_LIMIT_MS = 60_000;

const ExecutedForwardRequest = getAbiItem({
  abi: JangbuForwarderAbi,
  name: "ExecutedForwardRequest",
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** A fixed shuffle (Fisher–Yates on a linear congruential sequence): every run sees the same order. */
const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 48_271) % 2_147_483_647;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

export async function run(): Promise<Metrics> {
  const chain = await setupRelayChain({ farmers: SIGNERS + 1 });
  const relay = createRelay({
    publicClient: chain.publicClient,
    walletClient: chain.relayerWallet,
    deployment: chain.deployment,
    // The RELAY_* variables apply (e.g. RELAY_SIGNATURE_THREADS=0 to compare), rate limits off.
    config: { ...relayConfigFromEnv(), ratePerSigner: 0, ratePerIp: 0, pollIntervalMs: 20 },
  });
  await relay.ready();
  const app = new OpenAPIHono();
  app.route("/api/v1", relay.routes);
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

  const postBody = async (body: RelayBody): Promise<Hash> => {
    const { txHash } = await submitRelayRequest(api, body);
    if (txHash === null) throw new Error("relay bench: a request was still queued");
    return txHash;
  };
  const receipt = async (hash: Hash) => {
    for (;;) {
      const r = await chain.publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
      if (r !== undefined) return r;
      await sleep(1);
    }
  };

  try {
    // Throughput: shuffled nonces from several signers, all posted at once.
    const signers = chain.farmers.slice(0, SIGNERS);
    // One bag each: every round fits in the farmers' allocations of 1,000.
    const oneBag = () =>
      buildAction(chain.contracts.RicePurchase, "submitSale", [
        1,
        1,
        0,
        101,
        4_681_001,
        chain.deliveryDay,
      ]);
    const problems: string[] = [];
    /** Posts 200 shuffled requests, at most `inFlight` at a time; actions mined per second. */
    const round = async (label: string, seed: number, inFlight: number): Promise<number> => {
      const firstNonce = await Promise.all(
        signers.map((s) => readForwarderNonce(chain.publicClient, chain.forwarder, s.address)),
      );
      const ordered: RelayBody[] = [];
      for (const [i, signer] of signers.entries()) {
        for (let k = 0n; k < BigInt(PER_SIGNER); k++) {
          const nonce = (firstNonce[i] ?? 0n) + k;
          ordered.push(await chain.sign(signer, oneBag(), { nonce }));
        }
      }
      const bodies = shuffled(ordered, seed);
      const before = relay.status().requests;
      const txsBefore = relay.status().txsSent;
      const blockBefore = await chain.publicClient.getBlockNumber();
      const refusals = new Map<string, number>();
      const started = performance.now();
      let next = 0;
      const client = async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as RelayBody;
          await submitRelayRequest(api, body).catch((error: unknown) => {
            const code = error instanceof RelayRequestError ? error.code : String(error);
            refusals.set(code, (refusals.get(code) ?? 0) + 1);
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, bodies.length) }, client));
      const end = performance.now() + ROUND_LIMIT_MS;
      const settled = () => {
        const s = relay.status().requests;
        return s.mined + s.reverted + s.failed - (before.mined + before.reverted + before.failed);
      };
      const accepted = () => relay.status().requests.accepted - before.accepted;
      while (settled() < accepted() && performance.now() < end) await sleep(2);
      const seconds = (performance.now() - started) / 1_000;
      const s = relay.status().requests;
      const mined = s.mined - before.mined;

      // Exactly once, and in order: every (signer, nonce) executed successfully once.
      const logs = await chain.publicClient.getLogs({
        address: chain.forwarder,
        event: ExecutedForwardRequest,
        fromBlock: blockBefore + 1n,
        toBlock: "latest",
      });
      const executed = new Map<string, number>();
      for (const log of logs) {
        if (log.args.success !== true) continue;
        const key = `${log.args.signer}:${log.args.nonce}`;
        executed.set(key, (executed.get(key) ?? 0) + 1);
      }
      const twice = [...executed.values()].filter((n) => n > 1).length;
      const summary =
        `${label}: ${mined}/${bodies.length} mined in ${seconds.toFixed(2)} s ` +
        `(${(mined / seconds).toFixed(1)} actions/s), refused ${JSON.stringify(Object.fromEntries(refusals))}, ` +
        `failed ${s.failed - before.failed}, reverted ${s.reverted - before.reverted}, executed twice ${twice}, ` +
        `${relay.status().txsSent - txsBefore} transactions`;
      console.log(`relay: ${summary}`);
      if (mined !== bodies.length || executed.size !== bodies.length || twice > 0) {
        problems.push(summary);
      }
      return mined / seconds;
    };
    const rates: number[] = [];
    const pooledRates: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      rates.push(await round(`all at once, round ${r + 1}`, 7 + r, Number.POSITIVE_INFINITY));
    }
    for (let r = 0; r < ROUNDS; r++) {
      pooledRates.push(await round(`${POOL} in flight, round ${r + 1}`, 17 + r, POOL));
    }
    const status = relay.status();

    // Added latency: relayed vs direct, one at a time, same action.
    const farmer = chain.farmer(SIGNERS);
    await chain.provider.request({
      method: "hardhat_setBalance",
      params: [farmer.address, toHex(10n ** 21n)],
    });
    const own = chain.walletOf(farmer);
    const smallSale = () =>
      buildAction(chain.contracts.RicePurchase, "submitSale", [
        1,
        10,
        0,
        101,
        4_681_001,
        chain.deliveryDay,
      ]);
    const relayed: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const body = await chain.sign(farmer, smallSale());
      let t = performance.now();
      await receipt(await postBody(body));
      relayed.push(performance.now() - t);
      const action = smallSale();
      t = performance.now();
      await receipt(
        await own.sendTransaction({
          account: farmer,
          chain: own.chain,
          to: action.to,
          data: action.data,
        }),
      );
      direct.push(performance.now() - t);
    }
    const relayedMs = median(relayed);
    const directMs = median(direct);
    console.log(
      `relay: ${ROUNDS} rounds of ${SIGNERS * PER_SIGNER} shuffled requests from ${SIGNERS} signers: ` +
        `${rates.map((r) => r.toFixed(0)).join(", ")} actions/s all at once, ` +
        `${pooledRates.map((r) => r.toFixed(0)).join(", ")} actions/s ${POOL} in flight, ` +
        `${status.txsSent} transactions in all; ` +
        `latency relayed ${relayedMs.toFixed(1)} ms vs direct ${directMs.toFixed(1)} ms (medians of ${RUNS})`,
    );
    if (problems.length > 0) {
      throw new Error(
        `relay bench: not every request was mined exactly once:\n${problems.join("\n")}`,
      );
    }
    return {
      actionsPerSec: { value: Math.round(Math.max(...rates)), unit: "actions/s" },
      actionsPerSecPool16: { value: Math.round(Math.max(...pooledRates)), unit: "actions/s" },
      addedLatencyMs: { value: Number((relayedMs - directMs).toFixed(1)), unit: "ms" },
    };
  } finally {
    await relay.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await chain.close();
  }
}
