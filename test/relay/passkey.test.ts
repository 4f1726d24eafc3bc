/**
 * POST /api/v1/relay/passkey: a farmer whose account is a passkey signs a sale with nothing but
 * the passkey; the relay deploys her account on its first call, sends `execute` and pays the gas.
 * Assertions for another site, with user verification off, for another action or replayed are
 * refused before anything is sent.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OpenAPIHono } from "@hono/zod-openapi";
import { encodeFunctionData, type Hex } from "viem";
import { createRelay, type Relay } from "../../indexer/src/relay/index.ts";
import { softwarePasskey } from "../../scripts/lib/software-passkey.ts";
import {
  CredentialRegistryAbi,
  PasskeyAccountAbi,
  RicePurchaseAbi,
} from "../../sdk/generated/abis.ts";
import {
  isPasskeyAccountCode,
  type PasskeyCall,
  passkeyAccountAddress,
  passkeyChallenge,
  passkeyRelayBody,
} from "../../sdk/passkey.ts";
import { deliveryDayAt } from "../../sdk/variety.ts";
import {
  deployPasskeyFactory,
  farmerCredentialIssue,
  GANGJIN,
  post,
  type RelayChain,
  setupRelayChain,
} from "./setup.ts";

describe("relay: passkey-signed calls", () => {
  let chain: RelayChain;
  let relay: Relay;
  let app: OpenAPIHono;
  const passkey = softwarePasskey("relay test farmer");
  let account: Hex;
  let factory: Hex;
  let implementation: Hex;

  before(async () => {
    chain = await setupRelayChain({ farmers: 1 });
    const { deployment } = chain;
    ({ factory, implementation } = await deployPasskeyFactory(chain));
    account = passkeyAccountAddress(factory, implementation, passkey.key);
    // The county issues the credential and the allocation to the address before it exists.
    const now = await chain.chainTime();
    const issue = await chain.admin.sendTransaction({
      to: deployment.addresses.CredentialRegistry,
      data: farmerCredentialIssue(account, "passkey farmer", now),
    });
    await chain.publicClient.waitForTransactionReceipt({ hash: issue });
    await chain.direct(chain.official, {
      to: deployment.addresses.RicePurchase,
      data: encodeFunctionData({
        abi: RicePurchaseAbi,
        functionName: "allocate",
        args: [1, GANGJIN, account, 1_000],
      }),
    });
    relay = createRelay({
      publicClient: chain.publicClient,
      walletClient: chain.relayerWallet,
      deployment: { ...deployment, passkey: { factory, implementation, rpId: "localhost" } },
      config: { ratePerSigner: 1_000, ratePerIp: 10_000 },
    });
    await relay.ready();
    app = new OpenAPIHono();
    app.route("/api/v1", relay.routes);
  });
  after(async () => {
    await relay?.close();
    await chain?.close();
  });

  const saleData = (units = 20, day = deliveryDayAt(Math.floor(Date.now() / 1000))) =>
    encodeFunctionData({
      abi: RicePurchaseAbi,
      functionName: "submitSale",
      args: [1, units, 0, 101, 4_681_001, day],
    });
  const nonceOf = async () =>
    (await chain.publicClient.getCode({ address: account }))
      ? chain.publicClient.readContract({
          address: account,
          abi: PasskeyAccountAbi,
          functionName: "nonce",
        })
      : 0n;
  const signed = async (
    o: { data?: Hex; nonce?: bigint; rpId?: string; flags?: number; signedData?: Hex } = {},
  ): Promise<PasskeyCall> => {
    const data = o.data ?? saleData();
    const nonce = o.nonce ?? (await nonceOf());
    const deadline = (await chain.chainTime()) + 600;
    const target = chain.deployment.addresses.RicePurchase;
    const challenge = passkeyChallenge({
      chainId: chain.chainId,
      account,
      target,
      data: o.signedData ?? data,
      nonce,
      deadline,
    });
    const assertOptions = {
      ...(o.rpId !== undefined ? { rpId: o.rpId } : {}),
      ...(o.flags !== undefined ? { flags: o.flags } : {}),
    };
    return {
      account,
      target,
      data,
      nonce,
      deadline,
      key: passkey.key,
      auth: passkey.assert(challenge, assertOptions),
    };
  };
  const send = (call: PasskeyCall) =>
    post(app, passkeyRelayBody(call), { path: "/api/v1/relay/passkey" });

  it("refuses another site's assertion, UV off and another action before sending anything", async () => {
    const before = await chain.relayerTxCount();
    let answer = await send(await signed({ rpId: "evil.example" }));
    assert.equal(answer.status, 422, JSON.stringify(answer.json));
    assert.equal(answer.json.error?.code, "RELAY_PASSKEY_REFUSED");
    assert.equal(answer.json.error?.details?.errorName, "PasskeyWrongRelyingParty");
    answer = await send(await signed({ flags: 0x01 }));
    assert.equal(answer.json.error?.details?.errorName, "PasskeyUserNotVerified");
    answer = await send(await signed({ data: saleData(900), signedData: saleData(20) }));
    assert.equal(answer.json.error?.details?.errorName, "PasskeyInvalidAssertion");
    assert.equal(await chain.relayerTxCount(), before, "the relayer sent a transaction");
    // Still undeployed: a refused call costs the county nothing.
    assert.equal(await chain.publicClient.getCode({ address: account }), undefined);
  });

  it("deploys the account on its first call and submits the sale as the account", async () => {
    const call = await signed();
    const answer = await send(call);
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    assert.equal(answer.json.state, "mined");
    const receipt = await chain.publicClient.getTransactionReceipt({
      hash: answer.json.txHash as Hex,
    });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.to?.toLowerCase(), account.toLowerCase());
    assert.equal(await nonceOf(), 1n);
    // The deployed code is the passkey account's (how the portal marks its records).
    assert.ok(
      isPasskeyAccountCode(await chain.publicClient.getCode({ address: account }), implementation),
    );
    assert.ok(
      !isPasskeyAccountCode(
        await chain.publicClient.getCode({ address: chain.deployment.addresses.RicePurchase }),
        implementation,
      ),
    );
    // The sale id carries the seller: the account.
    const sale = (1n << 216n) | (BigInt(GANGJIN) << 192n) | (1n << 160n) | BigInt(account);
    const got = await chain.publicClient.readContract({
      address: chain.deployment.addresses.RicePurchase,
      abi: RicePurchaseAbi,
      functionName: "getSale",
      args: [sale],
    });
    assert.equal(got.units, 20);

    // The same body again answers the same transaction; a fresh assertion of the used nonce is refused.
    const again = await send(call);
    assert.equal(again.status, 200);
    assert.equal(again.json.txHash, answer.json.txHash);
    const replay = await send(await signed({ nonce: 0n }));
    assert.equal(replay.status, 409, JSON.stringify(replay.json));
    assert.equal(replay.json.error?.code, "RELAY_STALE_NONCE");
  });
  it("relays an issuer's startRecovery and anyone's finishRecovery to a passkey account; the old passkey may object", async () => {
    const newKey = softwarePasskey("relay test farmer, new phone").key;
    const accountAction = (functionName: "startRecovery" | "finishRecovery", args: unknown[]) => ({
      to: account,
      data: encodeFunctionData({ abi: PasskeyAccountAbi, functionName, args } as never),
    });
    const start = accountAction("startRecovery", [0, GANGJIN, newKey.qx, newKey.qy]);
    const pending = () =>
      chain.publicClient.readContract({
        address: account,
        abi: PasskeyAccountAbi,
        functionName: "pendingRecovery",
      });
    // 강진군's official becomes an issuer of Farmer credentials there (she checked the farmer in person).
    const grant = await chain.admin.sendTransaction({
      to: chain.deployment.addresses.CredentialRegistry,
      data: encodeFunctionData({
        abi: CredentialRegistryAbi,
        functionName: "setIssuer",
        args: [chain.official.address, 0, GANGJIN, true],
      }),
    });
    await chain.publicClient.waitForTransactionReceipt({ hash: grant });

    // The same call to an address that is not a passkey account is not relayed.
    const elsewhere = await post(
      app,
      await chain.sign(chain.official, { ...start, to: chain.farmer(0).address }),
    );
    assert.equal(elsewhere.status, 403, JSON.stringify(elsewhere.json));
    assert.equal(elsewhere.json.error?.code, "RELAY_TARGET_NOT_ALLOWED");

    let answer = await post(app, await chain.sign(chain.official, start));
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    await chain.publicClient.waitForTransactionReceipt({ hash: answer.json.txHash as Hex });
    assert.equal((await pending())[0], newKey.qx);

    // The holder's current passkey objects (cancelRecovery, a call to her own account).
    const cancelData = encodeFunctionData({
      abi: PasskeyAccountAbi,
      functionName: "cancelRecovery",
    });
    const nonce = await nonceOf();
    const deadline = (await chain.chainTime()) + 600;
    const cancel: PasskeyCall = {
      account,
      target: account,
      data: cancelData,
      nonce,
      deadline,
      key: passkey.key,
      auth: passkey.assert(
        passkeyChallenge({
          chainId: chain.chainId,
          account,
          target: account,
          data: cancelData,
          nonce,
          deadline,
        }),
      ),
    };
    answer = await send(cancel);
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    assert.equal((await pending())[2], 0n);

    // Started again and left alone: after the delay anyone with a credential finishes it.
    answer = await post(app, await chain.sign(chain.official, start));
    await chain.publicClient.waitForTransactionReceipt({ hash: answer.json.txHash as Hex });
    const finish = accountAction("finishRecovery", []);
    answer = await post(app, await chain.sign(chain.farmer(0), finish));
    assert.equal(answer.status, 422, JSON.stringify(answer.json));
    assert.equal(answer.json.error?.details?.errorName, "RecoveryNotReady");
    await chain.provider.request({ method: "evm_increaseTime", params: [3 * 86_400] });
    await chain.provider.request({ method: "evm_mine", params: [] });
    // The relay reads the chain's time at most once a second: past that, it sees the jump.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    answer = await post(app, await chain.sign(chain.farmer(0), finish));
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    await chain.publicClient.waitForTransactionReceipt({ hash: answer.json.txHash as Hex });
    const isKey = (k: { qx: Hex; qy: Hex }) =>
      chain.publicClient.readContract({
        address: account,
        abi: PasskeyAccountAbi,
        functionName: "isPasskey",
        args: [k.qx, k.qy],
      });
    assert.equal(await isKey(newKey), true);
    assert.equal(await isKey(passkey.key), false);
  });
});
