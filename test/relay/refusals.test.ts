/**
 * Every refusal of POST /api/v1/relay, each with its own code, and not one transaction sent by
 * the relayer (its nonce on chain stays 0 through the whole file).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OpenAPIHono } from "@hono/zod-openapi";
import { encodeFunctionData, type Hex } from "viem";
import { createRelay, type Relay } from "../../indexer/src/relay/index.ts";
import { buildAction } from "../../sdk/actions.ts";
import { RicePurchaseAbi } from "../../sdk/generated/abis.ts";
import { post, type RelayChain, setupRelayChain } from "./setup.ts";

describe("relay refusals", () => {
  let chain: RelayChain;
  let relay: Relay;
  let app: OpenAPIHono;

  before(async () => {
    chain = await setupRelayChain({ farmers: 2 });
    relay = createRelay({
      publicClient: chain.publicClient,
      walletClient: chain.relayerWallet,
      deployment: chain.deployment,
      config: {
        nonceWaitMs: 100,
        ratePerSigner: 1_000,
        ratePerIp: 10_000,
        maxBodyBytes: 16_384,
        maxDataBytes: 4_096,
      },
    });
    await relay.ready();
    app = new OpenAPIHono();
    app.route("/api/v1", relay.routes);
  });
  after(async () => {
    await relay?.close();
    await chain?.close();
  });

  /** Posts `body`, expects `status` and `code`, and that the relayer sent nothing. */
  const refused = async (
    body: unknown,
    status: number,
    code: string,
    opts: Parameters<typeof post>[2] = {},
  ) => {
    const answer = await post(app, body, opts);
    assert.equal(answer.json.error?.code, code, JSON.stringify(answer.json));
    assert.equal(answer.status, status);
    assert.equal(await chain.relayerTxCount(), 0, "the relayer sent a transaction");
    return answer;
  };

  it("refuses a forged signature", async () => {
    const farmer = chain.farmer(0);
    const body = await chain.sign(chain.account(), chain.submitSale(), { from: farmer.address });
    const answer = await refused(body, 422, "RELAY_BAD_SIGNATURE");
    assert.equal(answer.json.error?.details?.from, farmer.address);
    // A signature with a high s (the malleable twin) or a wrong v is refused too.
    const good = await chain.sign(farmer, chain.submitSale());
    await refused(
      { ...good, signature: `${good.signature.slice(0, 130)}1d` },
      422,
      "RELAY_BAD_SIGNATURE",
    );
    await refused({ ...good, signature: good.signature.slice(0, 128) }, 422, "RELAY_BAD_SIGNATURE");
  });

  it("refuses a request signed for another chain", async () => {
    const body = await chain.sign(chain.farmer(0), chain.submitSale(), { chainId: 1 });
    await refused(body, 422, "RELAY_WRONG_CHAIN");
    // Without the domain in the body, the same request is a bad signature here.
    const { domain: _domain, ...bare } = body;
    await refused(bare, 422, "RELAY_BAD_SIGNATURE");
  });

  it("refuses a request signed for another forwarder", async () => {
    const other = chain.account().address;
    const body = await chain.sign(chain.farmer(0), chain.submitSale(), { forwarder: other });
    await refused(body, 422, "RELAY_WRONG_FORWARDER");
    const good = await chain.sign(chain.farmer(0), chain.submitSale());
    await refused(
      { ...good, domain: { ...good.domain, version: "2" } },
      422,
      "RELAY_WRONG_FORWARDER",
    );
  });

  it("refuses an expired deadline and one too far away", async () => {
    const now = await chain.chainTime();
    await refused(
      await chain.sign(chain.farmer(0), chain.submitSale(), { deadline: now - 60 }),
      422,
      "RELAY_EXPIRED",
    );
    await refused(
      await chain.sign(chain.farmer(0), chain.submitSale(), { deadline: now + 2 }),
      422,
      "RELAY_EXPIRED",
    );
    await refused(
      await chain.sign(chain.farmer(0), chain.submitSale(), { deadline: now + 3 * 86_400 }),
      422,
      "RELAY_DEADLINE_TOO_FAR",
    );
  });

  it("refuses a replayed request, a stale nonce and a nonce too far ahead", async () => {
    const farmer = chain.farmer(1);
    // Executed once directly through the forwarder (someone else paid): posting it is a replay.
    const executed = await chain.sign(farmer, chain.submitSale());
    const txHash = await chain.directBody(executed);
    const answer = await refused(executed, 409, "RELAY_REPLAYED");
    assert.equal(answer.json.error?.details?.txHash, txHash);
    // Signed for the next nonce, but another request used that nonce first: stale.
    const stale = await chain.sign(farmer, chain.submitSale());
    const other = buildAction(chain.contracts.RicePurchase, "submitSale", [
      1,
      40,
      0,
      102,
      4_681_001,
      chain.deliveryDay,
    ]);
    await chain.direct(farmer, other);
    const staleAnswer = await refused(stale, 409, "RELAY_STALE_NONCE");
    assert.equal(staleAnswer.json.error?.details?.expected, "2");
    // Further ahead of the next nonce (2) than the relay holds (RELAY_NONCE_AHEAD_MAX, 32):
    // refused at once. (A nearer one is held; one whose gap never fills ends as RELAY_NONCE_GAP:
    // test/relay/relay.test.ts.)
    const far = await refused(
      await chain.sign(farmer, chain.submitSale(), { nonce: 35n }),
      409,
      "RELAY_NONCE_TOO_FAR",
    );
    assert.equal(far.json.error?.details?.expected, "2");
    assert.equal(far.json.error?.details?.aheadMax, 32);
  });

  it("refuses a target that is not a jangbu contract", async () => {
    const data = chain.submitSale().data;
    await refused(
      await chain.sign(chain.farmer(0), { to: chain.forwarder, data }),
      403,
      "RELAY_TARGET_NOT_ALLOWED",
    );
    await refused(
      await chain.sign(chain.farmer(0), { to: chain.admin.account.address, data }),
      403,
      "RELAY_TARGET_NOT_ALLOWED",
    );
  });

  it("refuses a function that is not on the allow-list", async () => {
    const setIssuer = buildAction(chain.contracts.CredentialRegistry, "setIssuer", [
      chain.farmer(0).address,
      0,
      0,
      true,
    ]);
    const answer = await refused(
      await chain.sign(chain.official, setIssuer),
      403,
      "RELAY_SELECTOR_NOT_ALLOWED",
    );
    assert.equal(answer.json.error?.details?.contract, "CredentialRegistry");
    const grantRole = {
      to: chain.contracts.CredentialRegistry.address,
      data: "0x2f2ff15d".padEnd(138, "0") as Hex,
    };
    await refused(await chain.sign(chain.official, grantRole), 403, "RELAY_SELECTOR_NOT_ALLOWED");
    await refused(
      await chain.sign(chain.official, { to: chain.deployment.addresses.RicePurchase, data: "0x" }),
      403,
      "RELAY_SELECTOR_NOT_ALLOWED",
    );
  });

  it("refuses a signer without any credential", async () => {
    const answer = await refused(
      await chain.sign(chain.stranger, chain.submitSale()),
      403,
      "RELAY_NO_CREDENTIAL",
    );
    assert.equal(answer.json.error?.details?.from, chain.stranger.address);
  });

  it("refuses a signer whose credential is not the one the action needs (from the simulation)", async () => {
    const saleId =
      (1n << 216n) | (46_810n << 192n) | (1n << 160n) | BigInt(chain.farmer(1).address);
    const approve = buildAction(chain.contracts.RicePurchase, "approvePurchase", [saleId]);
    const answer = await refused(
      await chain.sign(chain.farmer(0), approve),
      403,
      "RELAY_NO_CREDENTIAL",
    );
    assert.equal(answer.json.error?.details?.errorName, "CredentialRequired");
    assert.deepEqual(answer.json.error?.details?.args, {
      account: chain.farmer(0).address,
      role: 2,
      region: 46_810,
    });
  });

  it("refuses gas over the cap", async () => {
    const answer = await refused(
      await chain.sign(chain.farmer(0), chain.submitSale(), { gas: 1_000_001n }),
      422,
      "RELAY_GAS_OVER_CAP",
    );
    assert.equal(answer.json.error?.details?.cap, "1000000");
  });

  it("refuses ether with the call", async () => {
    await refused(
      await chain.sign(chain.farmer(0), chain.submitSale(), { value: 1n }),
      422,
      "RELAY_VALUE_NOT_ALLOWED",
    );
  });

  it("refuses a call that reverts in simulation, naming the custom error and its arguments", async () => {
    const missing =
      (1n << 216n) | (46_810n << 192n) | (77n << 160n) | BigInt(chain.farmer(0).address);
    const approve = buildAction(chain.contracts.RicePurchase, "approvePurchase", [missing]);
    const answer = await refused(
      await chain.sign(chain.official, approve),
      422,
      "RELAY_SIMULATION_REVERTED",
    );
    assert.equal(answer.json.error?.details?.errorName, "SaleNotFound");
    assert.deepEqual(answer.json.error?.details?.args, { saleId: missing.toString() });
    assert.match(answer.json.error?.message ?? "", /SaleNotFound\(saleId: \d+\)/);
    // Over the allocation: ExceedsAllocation(requested, remaining).
    const big = buildAction(chain.contracts.RicePurchase, "submitSale", [
      1,
      2_000,
      0,
      101,
      4_681_001,
      chain.deliveryDay,
    ]);
    const over = await refused(
      await chain.sign(chain.farmer(0), big),
      422,
      "RELAY_SIMULATION_REVERTED",
    );
    assert.equal(over.json.error?.details?.errorName, "ExceedsAllocation");
    // Too little gas for the call: the simulation runs it with the request's gas.
    const starved = await refused(
      await chain.sign(chain.farmer(0), chain.submitSale(), { gas: 30_000n }),
      422,
      "RELAY_SIMULATION_REVERTED",
    );
    assert.equal(starved.json.error?.details?.errorName, "OutOfGas");
  });

  it("refuses malformed JSON and malformed fields", async () => {
    await refused("{ not json", 400, "RELAY_MALFORMED", { raw: true });
    await refused("[]", 400, "RELAY_MALFORMED", { raw: true });
    await refused({ request: {}, signature: "0x" }, 400, "RELAY_MALFORMED");
    const good = await chain.sign(chain.farmer(0), chain.submitSale());
    await refused({ ...good, request: { ...good.request, gas: "-1" } }, 400, "RELAY_MALFORMED");
    await refused({ ...good, request: { ...good.request, gas: "1.5" } }, 400, "RELAY_MALFORMED");
    await refused(
      { ...good, request: { ...good.request, from: "0x1234" } },
      400,
      "RELAY_MALFORMED",
    );
    await refused({ ...good, request: { ...good.request, data: "0xabc" } }, 400, "RELAY_MALFORMED");
    await refused(
      { ...good, request: { ...good.request, deadline: (2n ** 48n).toString() } },
      400,
      "RELAY_MALFORMED",
    );
    await refused({ ...good, extra: 1 }, 400, "RELAY_MALFORMED");
    const badCalldata = {
      to: chain.deployment.addresses.RicePurchase,
      data: encodeFunctionData({
        abi: RicePurchaseAbi,
        functionName: "cancelSale",
        args: [1n],
      }).slice(0, 20) as Hex,
    };
    await refused(await chain.sign(chain.farmer(0), badCalldata), 400, "RELAY_MALFORMED");
    await refused(JSON.stringify(good), 400, "RELAY_MALFORMED", {
      raw: true,
      headers: { "content-type": "text/plain" },
    });
  });

  it("refuses oversized bodies and calldata", async () => {
    const good = await chain.sign(chain.farmer(0), chain.submitSale());
    await refused({ ...good, padding: "x".repeat(20_000) }, 413, "RELAY_TOO_LARGE");
    const huge = {
      to: chain.deployment.addresses.RicePurchase,
      data: `${chain.submitSale().data}${"00".repeat(5_000)}` as Hex,
    };
    await refused(await chain.sign(chain.farmer(0), huge), 413, "RELAY_TOO_LARGE");
  });

  it("refused requests leave no trace: the relayer sent nothing", async () => {
    assert.equal(await chain.relayerTxCount(), 0);
    const s = relay.status();
    assert.equal(s.txsSent, 0);
    assert.equal(s.requests.accepted, 0);
    assert.ok((s.refused.RELAY_BAD_SIGNATURE ?? 0) >= 3);
  });
});
