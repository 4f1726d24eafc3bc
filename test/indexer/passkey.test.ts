/**
 * Issue 23 item 7: the indexer reads PasskeyAccountFactory's `PasskeyAccountCreated` into
 * `passkey_accounts` (migration 13), and the API marks what a passkey account signed
 * (`passkeyAccount` on sales, bids, credentials and the account page). A sale signed by a
 * passkey alone is marked; one signed with a keystore key through the forwarder is not. Run on
 * PGlite and, when reachable, PostgreSQL (TEST_DATABASE_URL). A passkey account's act whose event
 * names no actor (SaleCancelled) is attributed to the account, not to the transaction's sender.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, encodeFunctionData, type Hex } from "viem";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { softwarePasskey } from "../../scripts/lib/software-passkey.ts";
import {
  PasskeyAccountAbi,
  PasskeyAccountFactoryAbi,
  RicePurchaseAbi,
} from "../../sdk/generated/abis.ts";
import { passkeyAccountAddress, passkeyChallenge } from "../../sdk/passkey.ts";
import {
  deployPasskeyFactory,
  farmerCredentialIssue,
  GANGJIN,
  type RelayChain,
  serveRpc,
  setupRelayChain,
} from "../relay/setup.ts";
import { envFor, indexUntil, withTestPostgres } from "./helpers/indexer.ts";

type Json = Record<string, unknown>;

describe("indexer: passkey accounts", () => {
  let chain: RelayChain;
  let rpc: { url: string; close(): Promise<void> };
  let factory: Address;
  let account: Address;
  let keystoreFarmer: Address;
  let passkeySale: string;
  let keystoreSale: string;
  let cancelledSale: string;
  let lastBlock: number;
  const passkey = softwarePasskey("indexer test farmer");
  /** The sale id RicePurchase gives: programme, region, the farm's ordinal, the farm. */
  const saleIdOf = (farm: Address, ordinal: bigint) =>
    ((1n << 216n) | (BigInt(GANGJIN) << 192n) | (ordinal << 160n) | BigInt(farm)).toString();

  before(async () => {
    chain = await setupRelayChain({ farmers: 1 });
    const { deployment, publicClient, admin } = chain;
    const send = async (to: Address, data: Hex) => {
      const hash = await admin.sendTransaction({ to, data });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      assert.equal(receipt.status, "success", `set-up transaction reverted: ${hash}`);
    };
    const deployed = await deployPasskeyFactory(chain);
    factory = deployed.factory;
    const { implementation } = deployed;
    account = passkeyAccountAddress(factory, implementation, passkey.key);
    const now = await chain.chainTime();
    await send(
      deployment.addresses.CredentialRegistry,
      farmerCredentialIssue(account, "indexer passkey farmer", now),
    );
    await chain.direct(chain.official, {
      to: deployment.addresses.RicePurchase,
      data: encodeFunctionData({
        abi: RicePurchaseAbi,
        functionName: "allocate",
        args: [1, GANGJIN, account, 1_000],
      }),
    });

    // A keystore farmer's sale: an ECDSA-signed request through the forwarder.
    keystoreFarmer = chain.farmer(0).address;
    await chain.direct(chain.farmer(0), chain.submitSale());
    keystoreSale = saleIdOf(keystoreFarmer, 1n);

    // The passkey farmer's sale: her account deployed, then `execute` with a passkey assertion
    // (anyone may send it; the relay would, here the admin does).
    await send(
      factory,
      encodeFunctionData({
        abi: PasskeyAccountFactoryAbi,
        functionName: "createAccount",
        args: [passkey.key.qx, passkey.key.qy],
      }),
    );
    const target = deployment.addresses.RicePurchase;
    const execute = async (data: Hex, nonce: bigint) => {
      const deadline = (await chain.chainTime()) + 600;
      const challenge = passkeyChallenge({
        chainId: chain.chainId,
        account,
        target,
        data,
        nonce,
        deadline,
      });
      await send(
        account,
        encodeFunctionData({
          abi: PasskeyAccountAbi,
          functionName: "execute",
          args: [
            target,
            data,
            nonce,
            deadline,
            passkey.key.qx,
            passkey.key.qy,
            passkey.assert(challenge),
          ],
        }),
      );
    };
    await execute(chain.submitSale().data, 0n);
    passkeySale = saleIdOf(account, 1n);
    // A second sale, cancelled by the passkey: SaleCancelled names no actor, and the transaction's
    // sender (here the admin, through the relay the relayer) only paid for it.
    await execute(chain.submitSale().data, 1n);
    cancelledSale = saleIdOf(account, 2n);
    await execute(
      encodeFunctionData({
        abi: RicePurchaseAbi,
        functionName: "cancelSale",
        args: [BigInt(cancelledSale)],
      }),
      2n,
    );
    rpc = await serveRpc(chain.provider);
    lastBlock = Number(await publicClient.getBlockNumber());
    // Past the reorg depth of the test env (3): the sync reads everything by backfill.
    await chain.provider.request({ method: "hardhat_mine", params: ["0x5"] });
  });
  after(async () => {
    await rpc?.close();
    await chain?.close();
  });

  const check = async (db: Database) => {
    const env = envFor(rpc.url, chain.deployment, { PASSKEY_FACTORY_ADDRESS: factory });
    const indexer = await indexUntil(env, db, lastBlock);
    try {
      const get = async (path: string): Promise<Json> => {
        const res = await indexer.app.request(path);
        const text = await res.text();
        assert.equal(res.status, 200, `${path} → ${res.status}: ${text.slice(0, 300)}`);
        return JSON.parse(text) as Json;
      };
      const [row] = await db.query<{ address: string; qx: string; qy: string }>(
        "select address, qx, qy from passkey_accounts",
      );
      assert.deepEqual(row, { address: account, qx: passkey.key.qx, qy: passkey.key.qy });

      // The list (built by the database) and the record (built in TypeScript) agree.
      const list = (await get("/api/v1/sales")).items as Json[];
      const byId = new Map(list.map((s) => [s.id, s]));
      assert.equal(byId.get(passkeySale)?.farmer, account);
      assert.equal(byId.get(passkeySale)?.passkeyAccount, true);
      assert.equal(byId.get(keystoreSale)?.farmer, keystoreFarmer);
      assert.equal(byId.get(keystoreSale)?.passkeyAccount, false);
      assert.equal((await get(`/api/v1/sales/${passkeySale}`)).passkeyAccount, true);
      assert.equal((await get(`/api/v1/sales/${keystoreSale}`)).passkeyAccount, false);

      // Who cancelled: the passkey account, not the account that sent the transaction.
      const cancelled = await get(`/api/v1/sales/${cancelledSale}`);
      assert.equal(cancelled.state, "Cancelled");
      assert.equal(cancelled.passkeyAccount, true);
      const history = cancelled.history as Json[];
      assert.deepEqual(
        history.map((e) => [e.event, e.signer]),
        [
          ["SaleSubmitted", account],
          ["SaleCancelled", account],
        ],
      );

      const credentials = async (subject: Address) =>
        ((await get(`/api/v1/credentials?subject=${subject}`)).items as Json[]).map(
          (c) => c.passkeyAccount,
        );
      assert.deepEqual(await credentials(account), [true]);
      assert.deepEqual(await credentials(keystoreFarmer), [false]);

      const accountPage = await get(`/api/v1/accounts/${account}`);
      assert.equal(accountPage.passkeyAccount, true);
      assert.deepEqual(
        (accountPage.credentials as Json[]).map((c) => c.passkeyAccount),
        [true],
      );
      assert.equal((await get(`/api/v1/accounts/${keystoreFarmer}`)).passkeyAccount, false);

      // The OpenAPI document describes the field wherever it appears.
      const doc = (await get("/openapi.json")) as {
        components: { schemas: Record<string, { properties: Record<string, Json> }> };
      };
      for (const schema of ["Sale", "Credential", "Bid"]) {
        const field = doc.components.schemas[schema]?.properties.passkeyAccount;
        assert.equal(field?.type, "boolean", schema);
        assert.match(String(field?.description), /PasskeyAccountFactory/, schema);
      }
    } finally {
      await indexer.close();
    }
  };

  it("marks the passkey-signed sale, credential and account, not the keystore ones (PGlite)", async () => {
    const db = await createPgliteDatabase();
    try {
      await check(db);
    } finally {
      await db.close();
    }
  });

  it("the same on PostgreSQL", async (t) => {
    await withTestPostgres(t, check);
  });
});
