/**
 * `npm run bench -- relay`: the relay end to end on an in-process Hardhat chain (automine), over
 * real HTTP (@hono/node-server on a free port, fetch as the client).
 *
 * - actionsPerSec: signed submitSale requests from 20 farmers, posted with 64 in flight, from the
 *   first POST to the last request mined; best of 3 rounds of 200 (the machine is shared: the best
 *   round is the least disturbed). The relay batches what queues up while a transaction is being
 *   sent. Signing happens before the clock starts: it is the users' phones' work.
 * - addedLatencyMs: one request at a time, POST → receipt, minus the same action sent directly by
 *   the farmer's own funded wallet → receipt (medians of RUNS each).
 */
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { type Hash, toHex } from "viem";
import { createRelay } from "../../indexer/src/relay/index.ts";
import { buildAction, readForwarderNonce, submitRelayRequest } from "../../sdk/actions.ts";
import type { RelayBody } from "../../sdk/forwarder.ts";
import { setupRelayChain } from "../../test/relay/setup.ts";
import type { Metrics } from "./index.ts";

const SIGNERS = 20;
const PER_SIGNER = 30;
const IN_FLIGHT = 64;
const ROUNDS = 3;
const RUNS = 30;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

export async function run(): Promise<Metrics> {
  const chain = await setupRelayChain({ farmers: SIGNERS + 1 });
  const relay = createRelay({
    publicClient: chain.publicClient,
    walletClient: chain.relayerWallet,
    deployment: chain.deployment,
    config: { ratePerSigner: 0, ratePerIp: 0, nonceWaitMs: 10_000, pollIntervalMs: 20 },
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
    // Throughput.
    const signers = chain.farmers.slice(0, SIGNERS);
    const firstNonce = await Promise.all(
      signers.map((s) => readForwarderNonce(chain.publicClient, chain.forwarder, s.address)),
    );
    const bodies: RelayBody[] = [];
    for (let k = 0n; k < BigInt(PER_SIGNER); k++) {
      for (const [i, signer] of signers.entries()) {
        const nonce = (firstNonce[i] ?? 0n) + k;
        bodies.push(await chain.sign(signer, chain.submitSale(), { nonce }));
      }
    }
    // Best of ROUNDS rounds: the machine is shared, and the best round is the least disturbed.
    const perRound = bodies.length / ROUNDS;
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const batch = bodies.slice(round * perRound, (round + 1) * perRound);
      const minedBefore = relay.status().requests.mined;
      const started = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < batch.length) await postBody(batch[next++] as RelayBody);
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      while (relay.status().requests.mined < minedBefore + batch.length) {
        const s = relay.status().requests;
        if (s.failed + s.reverted > 0) throw new Error(`relay bench: ${JSON.stringify(s)}`);
        await sleep(2);
      }
      rates.push(batch.length / ((performance.now() - started) / 1_000));
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
      buildAction(chain.contracts.RicePurchase, "submitSale", [1, 10, 0, 101, 4_681_001]);
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
      `relay: ${ROUNDS} rounds of ${perRound} requests: ${rates.map((r) => r.toFixed(0)).join(", ")} actions/s, ` +
        `${status.txsSent} transactions in all; ` +
        `latency relayed ${relayedMs.toFixed(1)} ms vs direct ${directMs.toFixed(1)} ms (medians of ${RUNS})`,
    );
    return {
      actionsPerSec: { value: Math.round(Math.max(...rates)), unit: "actions/s" },
      addedLatencyMs: { value: Number((relayedMs - directMs).toFixed(1)), unit: "ms" },
    };
  } finally {
    await relay.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await chain.close();
  }
}
