/**
 * The relay inside the indexer service: the app built by `createIndexer` with the relay module
 * (as indexer/src/main.ts does) serves POST /api/v1/relay on the API's port, shows the relayer on
 * /api/v1/status and lists the relay routes in /openapi.json. The chain is served over HTTP.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEnv } from "../../indexer/src/env.ts";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import { createRelayModule } from "../../indexer/src/relay/module.ts";
import { createIndexer, type Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { RelayRequestError, submitRelayRequest } from "../../sdk/actions.ts";
import { post, type RelayChain, serveRpc, setupRelayChain } from "./setup.ts";

describe("relay in the indexer service", () => {
  let chain: RelayChain;
  let rpc: Awaited<ReturnType<typeof serveRpc>>;
  let db: Database;
  let indexer: Indexer;
  let relay: ReturnType<typeof createRelayModule>;

  before(async () => {
    chain = await setupRelayChain({ farmers: 1 });
    rpc = await serveRpc(chain.provider);
    const { addresses, chainId, startBlock } = chain.deployment;
    const env = parseEnv({
      RPC_URL: rpc.url,
      CHAIN_ID: String(chainId),
      CREDENTIAL_REGISTRY_ADDRESS: addresses.CredentialRegistry,
      RICE_PURCHASE_ADDRESS: addresses.RicePurchase,
      TENDER_BOARD_ADDRESS: addresses.TenderBoard,
      FORWARDER_ADDRESS: addresses.JangbuForwarder,
      START_BLOCK: String(startBlock),
    });
    relay = createRelayModule({
      rpcUrl: rpc.url,
      env: { RELAYER_PRIVATE_KEY: chain.relayerKey, RELAY_MAX_BODY_BYTES: "100000" },
      startBlock,
      logger: silentLogger,
    });
    db = await createPgliteDatabase();
    indexer = await createIndexer({ env, logger: silentLogger, db, modules: [relay] });
    await relay.relay()?.ready();
  });
  after(async () => {
    await relay?.close();
    await indexer?.close();
    await db?.close();
    await rpc?.close();
    await chain?.close();
  });

  it("relays on the API's app and port", async () => {
    const body = await chain.sign(chain.farmer(0), chain.submitSale());
    const answer = await post(indexer.app, body);
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    const receipt = await chain.publicClient.waitForTransactionReceipt({
      hash: answer.json.txHash as `0x${string}`,
    });
    assert.equal(receipt.from.toLowerCase(), chain.relayerAccount.address.toLowerCase());
    const status = await indexer.app.request(`/api/v1/relay/${answer.json.requestId}`);
    assert.equal(status.status, 200);
  });

  it("is what the SDK's submitRelayRequest talks to", async () => {
    const fetchApp = ((input: string, init?: RequestInit) =>
      indexer.app.request(input, init, {
        incoming: { socket: { remoteAddress: "10.0.0.5" } },
      })) as typeof fetch;
    const ok = await submitRelayRequest(
      "http://jangbu.test/api/v1",
      await chain.sign(chain.farmer(0), chain.submitSale()),
      fetchApp,
    );
    assert.match(String(ok.txHash), /^0x[0-9a-f]{64}$/);
    const refused = await submitRelayRequest(
      "http://jangbu.test/api/v1",
      await chain.sign(chain.stranger, chain.submitSale()),
      fetchApp,
    ).catch((error: unknown) => error);
    assert.ok(refused instanceof RelayRequestError);
    assert.equal(refused.code, "RELAY_NO_CREDENTIAL");
    assert.equal(refused.status, 403);
  });

  it("answers its own size limit, above the API's, with RELAY_TOO_LARGE", async () => {
    const body = await chain.sign(chain.farmer(0), chain.submitSale());
    const big = await post(indexer.app, { ...body, padding: "x".repeat(70_000) });
    assert.equal(
      big.status,
      400,
      "under RELAY_MAX_BODY_BYTES: the shape check refuses the extra field",
    );
    assert.equal(big.json.error?.code, "RELAY_MALFORMED");
    const huge = await post(indexer.app, { ...body, padding: "x".repeat(120_000) });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error?.code, "RELAY_TOO_LARGE");
  });

  it("shows the relayer and its balance on /api/v1/status, and the routes in /openapi.json", async () => {
    const res = await indexer.app.request("/api/v1/status");
    const status = (await res.json()) as { relay?: Record<string, unknown> };
    assert.equal(status.relay?.relayer, chain.relayerAccount.address);
    assert.match(String(status.relay?.balanceWei), /^\d+$/);
    assert.equal(status.relay?.lowBalance, false);
    const doc = (await (await indexer.app.request("/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    assert.ok(doc.paths["/api/v1/relay"]);
    assert.ok(doc.paths["/api/v1/relay/{id}"]);
  });
});
