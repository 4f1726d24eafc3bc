/**
 * The relay's accepted path on an in-process chain: submit → mined, request and transaction
 * status, idempotency, 200 shuffled requests from 10 signers, held nonces (in order, duplicates,
 * a gap that never fills), an on-chain revert decoded, a
 * stuck transaction re-sent with a higher fee, balance warning, rate limits, and the routes in
 * the API's OpenAPI document.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { OpenAPIHono } from "@hono/zod-openapi";
import { type Address, getAbiItem, type Hash, parseEventLogs } from "viem";
import { createRelay, type Relay } from "../../indexer/src/relay/index.ts";
import type { RelayLogger } from "../../indexer/src/relay/logger.ts";
import { buildAction, readForwarderNonce } from "../../sdk/actions.ts";
import type { RelayBody } from "../../sdk/forwarder.ts";
import { JangbuForwarderAbi, RicePurchaseAbi } from "../../sdk/generated/abis.ts";
import { type Answer, post, type RelayChain, setupRelayChain } from "./setup.ts";

const ExecutedForwardRequestEvent = getAbiItem({
  abi: JangbuForwarderAbi,
  name: "ExecutedForwardRequest",
});

const get = async (app: OpenAPIHono, id: string) => {
  const res = await app.request(`/api/v1/relay/${id}`);
  return { status: res.status, json: (await res.json()) as Answer };
};

/** Waits until `done()` is true (polling), or fails after `ms`. */
const until = async (done: () => boolean | Promise<boolean>, ms = 20_000, what = "condition") => {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

describe("relay", () => {
  let chain: RelayChain;
  const relays: Relay[] = [];
  const mount = (relay: Relay) => {
    relays.push(relay);
    const app = new OpenAPIHono();
    app.route("/api/v1", relay.routes);
    return app;
  };
  const open = (config: Parameters<typeof createRelay>[0]["config"] = {}, logger?: RelayLogger) =>
    chain.fundedWallet().then((walletClient) => {
      const relay = createRelay({
        publicClient: chain.publicClient,
        walletClient,
        deployment: chain.deployment,
        config: { ratePerSigner: 10_000, ratePerIp: 100_000, pollIntervalMs: 20, ...config },
        ...(logger ? { logger } : {}),
      });
      return { relay, app: mount(relay), relayer: walletClient.account?.address as Address };
    });

  before(async () => {
    chain = await setupRelayChain({ farmers: 21 });
  });
  after(async () => {
    for (const r of relays) await r.close();
    await chain?.close();
  });

  it("relays a valid request and reports it mined, by request id and by transaction hash", async () => {
    const { app, relay, relayer } = await open();
    const farmer = chain.farmer(0);
    const body = await chain.sign(farmer, chain.submitSale());
    const answer = await post(app, body);
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    const { txHash, requestId } = answer.json;
    assert.ok(txHash && requestId);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: txHash });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.from.toLowerCase(), relayer.toLowerCase());
    const submitted = parseEventLogs({
      abi: RicePurchaseAbi,
      eventName: "SaleSubmitted",
      logs: receipt.logs,
    });
    assert.equal(
      submitted[0]?.args.farmer,
      farmer.address,
      "the contract saw the signer as the actor",
    );

    await until(async () => (await get(app, requestId)).json.state === "mined", 5_000, "mined");
    const byRequest = await get(app, requestId);
    assert.equal(byRequest.status, 200);
    assert.equal(byRequest.json.kind, "request");
    assert.equal(byRequest.json.txHash, txHash);
    assert.equal(byRequest.json.blockNumber, receipt.blockNumber.toString());
    assert.match(
      String(byRequest.json.summary),
      /^매입 계획 #1 출하 신청 20포대 \(40kg 포대, \d{4}-\d{2}-\d{2} 출하\)$/,
    );
    const byTx = await get(app, txHash);
    assert.equal(byTx.json.kind, "transaction");
    assert.equal(byTx.json.state, "mined");
    assert.deepEqual(
      (byTx.json.requests as { requestId: string; state: string }[]).map((r) => [
        r.requestId,
        r.state,
      ]),
      [[requestId, "mined"]],
    );
    // Another relay instance (a replica) answers the same hash from the chain.
    const other = await open();
    const fromChain = await get(other.app, txHash);
    assert.equal(fromChain.json.state, "mined");
    assert.equal((fromChain.json.requests as { from: string }[])[0]?.from, farmer.address);
    assert.equal((await get(app, `0x${"ab".repeat(32)}`)).json.error?.code, "RELAY_NOT_FOUND");
    assert.equal((await get(app, "0x1234")).json.error?.code, "RELAY_MALFORMED");
    assert.equal(relay.status().requests.mined, 1);
  });

  it("answers the same signed request with the same transaction, never a second one", async () => {
    const { app, relayer } = await open();
    const body = await chain.sign(chain.farmer(1), chain.submitSale());
    const before = await chain.publicClient.getTransactionCount({ address: relayer });
    // Three copies at once, then one more after it was mined.
    const answers = await Promise.all([post(app, body), post(app, body), post(app, body)]);
    const later = await post(app, body);
    const hashes = new Set([...answers, later].map((a) => a.json.txHash));
    assert.equal(hashes.size, 1, JSON.stringify([...answers, later].map((a) => a.json)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 202]);
    assert.equal(later.status, 200);
    assert.equal(later.json.duplicate, true);
    assert.equal(await chain.publicClient.getTransactionCount({ address: relayer }), before + 1);
  });

  /** The relay's executions since `fromBlock`: one entry per ExecutedForwardRequest, in chain order. */
  const executions = async (fromBlock: bigint) =>
    (
      await chain.publicClient.getLogs({
        address: chain.forwarder,
        event: ExecutedForwardRequestEvent,
        fromBlock,
        toBlock: "latest",
      })
    ).map((e) => ({
      signer: e.args.signer as Address,
      nonce: e.args.nonce as bigint,
      success: e.args.success,
    }));

  /** Asserts each signer's nonces `first[signer] …` ran exactly once, successfully, in order. */
  const assertRanInOrder = (
    runs: { signer: Address; nonce: bigint; success: boolean | undefined }[],
    first: Map<Address, bigint>,
    perSigner: number,
  ) => {
    const seen = new Map<Address, bigint[]>();
    for (const r of runs) {
      assert.equal(r.success, true, `${r.signer}:${r.nonce} reverted`);
      seen.set(r.signer, [...(seen.get(r.signer) ?? []), r.nonce]);
    }
    for (const [signer, start] of first) {
      const expected = Array.from({ length: perSigner }, (_, k) => start + BigInt(k));
      assert.deepEqual(seen.get(signer), expected, `${signer}: once each, in nonce order`);
    }
    assert.equal(runs.length, first.size * perSigner, "nothing else ran");
  };

  it("mines 200 shuffled requests from 10 signers (20 nonces each) exactly once and in nonce order", async () => {
    const { app, relay, relayer } = await open();
    const signers = chain.farmers.slice(8, 18);
    const first = new Map<Address, bigint>();
    const bodies: RelayBody[] = [];
    for (const signer of signers) {
      const n = await readForwarderNonce(chain.publicClient, chain.forwarder, signer.address);
      first.set(signer.address, n);
      for (let k = 0n; k < 20n; k++) {
        bodies.push(await chain.sign(signer, chain.submitSale(), { nonce: n + k }));
      }
    }
    // Shuffled: a signer's later nonces often arrive before its earlier ones.
    const shuffled = bodies
      .map((b, i) => ({ b, key: (((i + 1) * 48_271) % 2_147_483_647) % 997 }))
      .sort((x, y) => x.key - y.key)
      .map((x) => x.b);
    const fromBlock = (await chain.publicClient.getBlockNumber()) + 1n;
    const answers = await Promise.all(shuffled.map((b) => post(app, b)));
    assert.deepEqual(
      answers.filter((a) => a.status !== 202).map((a) => a.json),
      [],
      "every request accepted",
    );
    assert.ok(
      answers.some((a) => a.json.state === "held" && a.json.txHash === null),
      "some arrived ahead of their turn and were held",
    );
    const ids = answers.map((a) => a.json.requestId as Hash);
    assert.equal(new Set(ids).size, 200);

    await until(() => relay.status().requests.mined === 200, 30_000, "200 mined");
    const status = relay.status();
    assert.equal(status.requests.failed, 0);
    assert.equal(status.requests.reverted, 0);
    assert.equal(status.held, 0);
    for (const id of ids) assert.equal((await relay.lookup(id))?.state, "mined");
    assertRanInOrder(await executions(fromBlock), first, 20);
    const sent = await chain.publicClient.getTransactionCount({ address: relayer });
    assert.equal(sent, status.txsSent, "every relayer nonce used once, none skipped");
    assert.ok(sent < 200, `batched: ${sent} transactions`);
  });

  it("holds later nonces sent one at a time in reverse order, answers at once, runs them in order once the first arrives", async () => {
    const { app, relay, relayer } = await open();
    const farmer = chain.farmer(18);
    const n = await readForwarderNonce(chain.publicClient, chain.forwarder, farmer.address);
    const bodies = await Promise.all(
      [0n, 1n, 2n, 3n, 4n].map((k) => chain.sign(farmer, chain.submitSale(), { nonce: n + k })),
    );
    const sentBefore = await chain.publicClient.getTransactionCount({ address: relayer });
    const fromBlock = (await chain.publicClient.getBlockNumber()) + 1n;
    const held: Answer[] = [];
    for (const body of bodies.slice(1).reverse()) {
      const started = Date.now();
      const answer = await post(app, body);
      assert.equal(answer.status, 202, JSON.stringify(answer.json));
      assert.equal(answer.json.state, "held");
      assert.equal(answer.json.txHash, null);
      assert.ok(Date.now() - started < 2_000, "a held request is answered at once");
      held.push(answer.json);
    }
    const third = held[1] as Answer; // nonce n + 3
    assert.equal((await get(app, third.requestId as Hash)).json.state, "held");
    assert.equal(relay.status().held, 4);
    // Duplicates: the same held request again is the same request; another one for a held
    // nonce is refused, and nothing is sent for either.
    const again = await post(app, bodies[3]);
    assert.equal(again.status, 200);
    assert.equal(again.json.duplicate, true);
    assert.equal(again.json.requestId, third.requestId);
    assert.equal(again.json.state, "held");
    const rival = await chain.sign(
      farmer,
      buildAction(chain.contracts.RicePurchase, "submitSale", [
        1,
        7,
        0,
        101,
        4_681_001,
        chain.deliveryDay,
      ]),
      { nonce: n + 3n },
    );
    const refused = await post(app, rival);
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error?.code, "RELAY_STALE_NONCE");
    assert.equal(
      await chain.publicClient.getTransactionCount({ address: relayer }),
      sentBefore,
      "nothing sent while the first nonce is missing",
    );

    const firstAnswer = await post(app, bodies[0]);
    assert.equal(firstAnswer.status, 202, JSON.stringify(firstAnswer.json));
    assert.ok(firstAnswer.json.txHash);
    for (const h of held) {
      await until(
        async () => (await get(app, h.requestId as Hash)).json.state === "mined",
        10_000,
        "held requests mined",
      );
    }
    assertRanInOrder(await executions(fromBlock), new Map([[farmer.address, n]]), 5);
    // After it ran: the same request again is answered with its transaction, not run again.
    const late = await post(app, bodies[3]);
    assert.equal(late.status, 200);
    assert.equal(late.json.state, "mined");
    assert.equal(late.json.txHash, (await get(app, third.requestId as Hash)).json.txHash);
    assert.equal((await executions(fromBlock)).length, 5);
  });

  it("refuses a held request whose gap never fills after RELAY_NONCE_WAIT_MS (RELAY_NONCE_GAP), and one too far ahead at once", async () => {
    const { app, relay, relayer } = await open({ nonceWaitMs: 300, nonceAheadMax: 4 });
    const farmer = chain.farmer(19);
    const n = await readForwarderNonce(chain.publicClient, chain.forwarder, farmer.address);
    const sentBefore = await chain.publicClient.getTransactionCount({ address: relayer });
    const tooFar = await post(app, await chain.sign(farmer, chain.submitSale(), { nonce: n + 5n }));
    assert.equal(tooFar.status, 409);
    assert.equal(tooFar.json.error?.code, "RELAY_NONCE_TOO_FAR");
    assert.equal(tooFar.json.error?.details?.expected, n.toString());

    const gapBody = await chain.sign(farmer, chain.submitSale(), { nonce: n + 2n });
    const held = await post(app, gapBody);
    assert.equal(held.status, 202);
    assert.equal(held.json.state, "held");
    const id = held.json.requestId as Hash;
    await until(async () => (await get(app, id)).json.state === "failed", 5_000, "refused");
    const outcome = (await get(app, id)).json;
    const error = outcome.error as unknown as { code: string; details: Record<string, unknown> };
    assert.equal(error.code, "RELAY_NONCE_GAP");
    assert.equal(error.details.expected, n.toString());
    assert.ok(Number(error.details.heldMs) >= 300);
    assert.equal(outcome.txHash, null);
    assert.equal(relay.status().held, 0);
    assert.equal(
      await chain.publicClient.getTransactionCount({ address: relayer }),
      sentBefore,
      "no gas spent on a refusal",
    );
    // The missing ones arrive later: the refused request may be sent again, and runs once.
    const fromBlock = (await chain.publicClient.getBlockNumber()) + 1n;
    for (const k of [0n, 1n]) {
      const a = await post(app, await chain.sign(farmer, chain.submitSale(), { nonce: n + k }));
      assert.equal(a.status, 202, JSON.stringify(a.json));
    }
    const retried = await post(app, gapBody);
    assert.equal(retried.status, 202, JSON.stringify(retried.json));
    assert.equal(retried.json.requestId, id);
    await until(async () => (await get(app, id)).json.state === "mined", 5_000, "mined");
    assertRanInOrder(await executions(fromBlock), new Map([[farmer.address, n]]), 3);
  });

  it("ends a held request whose deadline passes before its turn as RELAY_EXPIRED, never sent", async () => {
    const { app, relayer } = await open({ deadlineMarginSeconds: 1 });
    const farmer = chain.farmer(20);
    const n = await readForwarderNonce(chain.publicClient, chain.forwarder, farmer.address);
    const sentBefore = await chain.publicClient.getTransactionCount({ address: relayer });
    const soon = (await chain.chainTime()) + 3;
    const held = await post(
      app,
      await chain.sign(farmer, chain.submitSale(), { nonce: n + 1n, deadline: soon }),
    );
    assert.equal(held.status, 202, JSON.stringify(held.json));
    assert.equal(held.json.state, "held");
    const id = held.json.requestId as Hash;
    await until(async () => (await get(app, id)).json.state === "failed", 10_000, "expired");
    const error = (await get(app, id)).json.error as unknown as { code: string };
    assert.equal(error.code, "RELAY_EXPIRED");
    assert.equal(await chain.publicClient.getTransactionCount({ address: relayer }), sentBefore);
  });

  it("reports a call that reverts on chain with its decoded reason", async () => {
    const { app, relay } = await open();
    const farmer = chain.farmer(0); // 20 of its 1,000 units are sold
    const sale = (units: number) =>
      buildAction(chain.contracts.RicePurchase, "submitSale", [
        1,
        units,
        0,
        101,
        4_681_001,
        chain.deliveryDay,
      ]);
    let secondId: Hash | undefined;
    await chain.provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      // Each fits alone; together they exceed the allocation. The second is simulated before the
      // first is mined, so it passes simulation and reverts on chain.
      const first = await post(app, await chain.sign(farmer, sale(600)));
      const nonce = await readForwarderNonce(chain.publicClient, chain.forwarder, farmer.address);
      const second = await post(app, await chain.sign(farmer, sale(600), { nonce: nonce + 1n }));
      assert.equal(first.status, 202, JSON.stringify(first.json));
      assert.equal(second.status, 202, JSON.stringify(second.json));
      secondId = second.json.requestId;
      assert.equal((await get(app, second.json.txHash as Hash)).json.state, "pending");
      await chain.provider.request({ method: "evm_mine", params: [] });
    } finally {
      await chain.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    const settled = () => relay.status().requests.reverted + relay.status().requests.mined === 2;
    await until(settled, 5_000, "both settled");
    assert.equal(relay.status().requests.reverted, 1);
    const answer = await get(app, secondId as Hash);
    assert.equal(answer.json.state, "reverted");
    const error = answer.json.error as unknown as {
      code: string;
      details: { errorName: string; args: unknown };
    };
    assert.equal(error.code, "CALL_REVERTED");
    assert.equal(error.details.errorName, "ExceedsAllocation");
    assert.deepEqual(error.details.args, { requested: 600, remaining: 380 });
    // The revert used the nonce: the farmer's next request goes through.
    const next = await post(app, await chain.sign(farmer, sale(20)));
    assert.equal(next.status, 202, JSON.stringify(next.json));
  });

  it("re-sends a stuck transaction with a higher fee, and only one of them is mined", async () => {
    const { app, relay, relayer } = await open({ resendAfterMs: 150 });
    const farmer = chain.farmer(2);
    const sentBefore = await chain.publicClient.getTransactionCount({ address: relayer });
    await chain.provider.request({ method: "evm_setAutomine", params: [false] });
    let first: Hash;
    let answer: Answer;
    try {
      answer = (await post(app, await chain.sign(farmer, chain.submitSale()))).json;
      first = answer.txHash as Hash;
      await until(() => relay.status().resent >= 1, 5_000, "a re-send");
      const original = await get(app, first);
      assert.equal(original.json.state, "replaced");
      const replacement = original.json.replacedBy as Hash;
      assert.notEqual(replacement, first);
      // The node's pool holds only the replacement: same nonce, higher fee.
      const b = await chain.publicClient.getTransaction({ hash: replacement });
      assert.equal(b.nonce, sentBefore);
      await assert.rejects(chain.publicClient.getTransaction({ hash: first }));
      await chain.provider.request({ method: "evm_mine", params: [] });
    } finally {
      await chain.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    await until(
      async () => (await get(app, answer.requestId as Hash)).json.state === "mined",
      5_000,
      "mined",
    );
    const mined = await get(app, answer.requestId as Hash);
    assert.notEqual(mined.json.txHash, first);
    assert.equal((await get(app, first)).json.state, "replaced");
    assert.equal(
      await chain.publicClient.getTransactionCount({ address: relayer }),
      sentBefore + 1,
      "one relayer nonce used",
    );
  });

  it("answers without a hash when the queue is full, and sends once a pending transaction is mined", async () => {
    const { app, relay } = await open({ maxPendingTxs: 1, sendWaitMs: 100 });
    await chain.provider.request({ method: "evm_setAutomine", params: [false] });
    let queued: Answer;
    try {
      const first = await post(app, await chain.sign(chain.farmer(6), chain.submitSale()));
      assert.equal(first.json.state, "pending");
      const second = await post(app, await chain.sign(chain.farmer(7), chain.submitSale()));
      assert.equal(second.status, 202);
      queued = second.json;
      assert.equal(queued.txHash, null);
      assert.equal(queued.state, "queued");
      assert.equal(relay.status().queued, 1);
      await chain.provider.request({ method: "evm_mine", params: [] });
      await until(
        async () => (await get(app, queued.requestId as Hash)).json.state === "pending",
        5_000,
        "sent",
      );
      await chain.provider.request({ method: "evm_mine", params: [] });
    } finally {
      await chain.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    await until(
      async () => (await get(app, queued.requestId as Hash)).json.state === "mined",
      5_000,
      "mined",
    );
  });

  it("shows the relayer's balance on status and warns in the log when it is low", async () => {
    const warnings: string[] = [];
    const logger: RelayLogger = {
      debug() {},
      info() {},
      warn: (message) => warnings.push(message),
      error() {},
    };
    const { relay } = await open({ minBalanceWei: 10n ** 30n }, logger);
    await relay.ready();
    const status = relay.status();
    assert.equal(status.enabled, true);
    assert.equal(status.balanceWei, (10n ** 21n).toString());
    assert.equal(status.lowBalance, true);
    assert.ok(
      warnings.some((w) => /balance is low/.test(w)),
      warnings.join("\n"),
    );
  });

  it("limits requests per signer and per client address with 429 and Retry-After", async () => {
    const { app } = await open({ ratePerSigner: 2, ratePerIp: 4 });
    const farmer = chain.farmer(3);
    const nonce = await readForwarderNonce(chain.publicClient, chain.forwarder, farmer.address);
    const answers = [];
    for (let k = 0n; k < 3n; k++) {
      answers.push(
        await post(app, await chain.sign(farmer, chain.submitSale(), { nonce: nonce + k })),
      );
    }
    assert.deepEqual(
      answers.map((a) => a.status),
      [202, 202, 429],
    );
    assert.equal(answers[2]?.json.error?.code, "RELAY_RATE_LIMITED");
    assert.equal(answers[2]?.json.error?.details?.scope, "signer");
    assert.ok(Number(answers[2]?.headers.get("retry-after")) >= 1);
    // A forged request in the signer's name does not use up the signer's allowance.
    const other = chain.farmer(4);
    const forged = await chain.sign(chain.stranger, chain.submitSale(), { from: other.address });
    assert.equal(
      (await post(app, forged, { client: "10.0.0.9" })).json.error?.code,
      "RELAY_BAD_SIGNATURE",
    );
    // The same client (10.0.0.1) made 3 requests; the 5th is over its limit of 4.
    const next = await readForwarderNonce(chain.publicClient, chain.forwarder, other.address);
    const fourth = await post(app, await chain.sign(other, chain.submitSale(), { nonce: next }));
    assert.equal(fourth.status, 202, JSON.stringify(fourth.json));
    const late = await chain.sign(other, chain.submitSale(), { nonce: next + 1n });
    const limited = await post(app, late);
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error?.details?.scope, "client");
    assert.ok(limited.headers.get("retry-after"));
    // Another client is not limited.
    assert.equal((await post(app, late, { client: "10.0.0.2" })).status, 202);
  });

  it("answers 503 RELAY_DISABLED without a relayer account", async () => {
    const relay = createRelay({
      publicClient: chain.publicClient,
      walletClient: undefined,
      deployment: chain.deployment,
    });
    const app = mount(relay);
    const answer = await post(app, await chain.sign(chain.farmer(5), chain.submitSale()));
    assert.equal(answer.status, 503);
    assert.equal(answer.json.error?.code, "RELAY_DISABLED");
    assert.ok(answer.headers.get("retry-after"));
    assert.equal(relay.status().enabled, false);
  });

  it("puts its routes in the API's OpenAPI document when mounted", async () => {
    const { app } = await open();
    const doc = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "jangbu", version: "1" },
    });
    assert.ok(doc.paths?.["/api/v1/relay"]?.post);
    assert.ok(doc.paths?.["/api/v1/relay/{id}"]?.get);
    assert.ok(doc.components?.schemas?.RelayRequest);
  });
});
