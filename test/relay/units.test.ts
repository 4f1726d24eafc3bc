/**
 * The relay's and the SDK's pure parts: relayer key sources (keystore vectors), settings from the
 * environment, rate limiter, allow-list, revert decoding, action builders and Korean summaries.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Hono } from "hono";
import {
  encodeErrorResult,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  recoverAddress,
  toHex,
  zeroAddress,
} from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import {
  DEV_RELAYER_INDEX,
  DEV_RELAYER_PRIVATE_KEY,
  decryptKeystore,
  HARDHAT_MNEMONIC,
  relayerAccountFromEnv,
} from "../../indexer/src/relay/account.ts";
import { DEFAULT_RELAY_CONFIG, relayConfigFromEnv } from "../../indexer/src/relay/config.ts";
import { defaultAllowList } from "../../indexer/src/relay/policy.ts";
import { createRateLimiter } from "../../indexer/src/relay/rate-limit.ts";
import { createRecoverPool } from "../../indexer/src/relay/recover-pool.ts";
import { clientAddressOf } from "../../indexer/src/relay/routes.ts";
import { decodeRevert } from "../../indexer/src/relay/simulate.ts";
import {
  buildAction,
  buildForwardRequest,
  decodeAction,
  decodeSaleId,
  describeAction,
  jangbuContracts,
} from "../../sdk/actions.ts";
import type { Deployment } from "../../sdk/deployments.ts";
import { forwardRequestDigest, toRelayBody } from "../../sdk/forwarder.ts";
import { RicePurchaseAbi } from "../../sdk/generated/abis.ts";

/** The Web3 Secret Storage definition's pbkdf2 test vector (password "testpassword"). */
const PBKDF2_VECTOR = JSON.stringify({
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
    ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    kdf: "pbkdf2",
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: "hmac-sha256",
      salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd",
    },
    mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
  },
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  version: 3,
});
/** A scrypt keystore written by ethers v6 (N = 1024 to keep the test fast), Korean password. */
const SCRYPT_VECTOR = JSON.stringify({
  address: "2c7536e3605d9c16a7a3d7b1898e529396a65c23",
  id: "01010101-0101-4101-8101-010101010101",
  version: 3,
  Crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "09090909090909090909090909090909" },
    ciphertext: "208f1ef662f8319a53d3acac2a0673f29c234eb055b69130dc21d842ad0bd32c",
    kdf: "scrypt",
    kdfparams: {
      salt: "0707070707070707070707070707070707070707070707070707070707070707",
      n: 1024,
      dklen: 32,
      p: 1,
      r: 8,
    },
    mac: "640c018f5c1cedcb20fae9db09ca336e979751b36e89203f9c84ec13b3f03a40",
  },
});
const SCRYPT_PASSWORD = "흙과 벼 2026";
const SCRYPT_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

const deployment: Deployment = {
  chainId: 31337,
  startBlock: 1,
  addresses: {
    JangbuForwarder: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    CredentialRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    RicePurchase: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    TenderBoard: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
    FarmGatePrices: "0x0000000000000000000000000000000000000000",
    VarietyTesting: "0x61c36a8d610163660E21a8b7359e1Cac0C9133e1",
  },
};

describe("relayer key", () => {
  it("decrypts Web3 Secret Storage keystores (pbkdf2 and scrypt) and refuses a wrong password", () => {
    assert.equal(
      decryptKeystore(PBKDF2_VECTOR, "testpassword"),
      "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d",
    );
    assert.equal(decryptKeystore(SCRYPT_VECTOR, SCRYPT_PASSWORD), SCRYPT_KEY);
    assert.throws(() => decryptKeystore(SCRYPT_VECTOR, "wrong"), /wrong password/);
    assert.throws(() => decryptKeystore("{", "x"), /not JSON/);
  });

  it("reads RELAYER_PRIVATE_KEY or RELAYER_KEYSTORE, never echoing the key", () => {
    const fromKey = relayerAccountFromEnv({ RELAYER_PRIVATE_KEY: SCRYPT_KEY }, { chainId: 1 });
    assert.equal(fromKey?.account.address, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    assert.equal(fromKey?.source, "RELAYER_PRIVATE_KEY");
    const bad = `${SCRYPT_KEY.slice(0, 60)}zz`;
    assert.throws(
      () => relayerAccountFromEnv({ RELAYER_PRIVATE_KEY: bad }, { chainId: 1 }),
      (error: Error) =>
        /32 bytes of hex/.test(error.message) && !error.message.includes(bad.slice(2, 20)),
    );
    const dir = mkdtempSync(join(tmpdir(), "jangbu-relay-"));
    try {
      const file = join(dir, "relayer.json");
      writeFileSync(file, SCRYPT_VECTOR);
      const fromFile = relayerAccountFromEnv(
        { RELAYER_KEYSTORE: file, RELAYER_KEYSTORE_PASSWORD: SCRYPT_PASSWORD },
        { chainId: 1 },
      );
      assert.equal(fromFile?.account.address, fromKey?.account.address);
      assert.equal(fromFile?.source, "RELAYER_KEYSTORE");
      assert.throws(
        () => relayerAccountFromEnv({ RELAYER_KEYSTORE: file }, { chainId: 1 }),
        /PASSWORD/,
      );
      assert.throws(
        () =>
          relayerAccountFromEnv(
            { RELAYER_KEYSTORE: file, RELAYER_PRIVATE_KEY: SCRYPT_KEY },
            { chainId: 1 },
          ),
        /not both/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("uses Hardhat's development account #9 on the local chain only", () => {
    const dev = relayerAccountFromEnv({}, { chainId: 31337 });
    assert.equal(dev?.account.address, "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
    assert.equal(dev?.source, "hardhat-dev");
    assert.equal(relayerAccountFromEnv({}, { chainId: 1 }), undefined);
  });

  it("keeps account #9's key equal to the one the Hardhat mnemonic derives", () => {
    const derived = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: DEV_RELAYER_INDEX });
    const key = derived.getHdKey().privateKey;
    assert.ok(key !== null);
    assert.equal(toHex(key), DEV_RELAYER_PRIVATE_KEY);
    assert.equal(relayerAccountFromEnv({}, { chainId: 31337 })?.account.address, derived.address);
  });
});

describe("relay settings", () => {
  it("has documented defaults and reads every variable", () => {
    assert.deepEqual(relayConfigFromEnv({}), DEFAULT_RELAY_CONFIG);
    const c = relayConfigFromEnv({
      RELAY_GAS_CAP: "2000000",
      RELAY_MAX_DEADLINE_SECONDS: "3600",
      RELAY_RATE_PER_SIGNER: "0",
      RELAY_RATE_PER_IP: "30",
      RELAY_MIN_BALANCE_WEI: "5",
      RELAY_TRUST_PROXY: "true",
      RELAY_RESEND_AFTER_SECONDS: "12",
      RELAY_BATCH_MAX: "",
      RELAY_NONCE_WAIT_MS: "45000",
      RELAY_NONCE_AHEAD_MAX: "8",
      RELAY_SIGNATURE_THREADS: "0",
    });
    assert.equal(c.gasCap, 2_000_000n);
    assert.equal(c.maxDeadlineSeconds, 3_600);
    assert.equal(c.ratePerSigner, 0);
    assert.equal(c.ratePerIp, 30);
    assert.equal(c.minBalanceWei, 5n);
    assert.equal(c.trustProxy, true);
    assert.equal(c.resendAfterMs, 12_000);
    assert.equal(c.batchMax, DEFAULT_RELAY_CONFIG.batchMax);
    assert.equal(c.nonceWaitMs, 45_000);
    assert.equal(c.nonceAheadMax, 8);
    assert.equal(c.signatureThreads, 0);
  });

  it("names the variable that is wrong", () => {
    assert.throws(
      () => relayConfigFromEnv({ RELAY_GAS_CAP: "lots" }),
      /^RelayConfigError: RELAY_GAS_CAP/,
    );
    assert.throws(
      () => relayConfigFromEnv({ RELAY_MAX_DEADLINE_SECONDS: "5" }),
      /RELAY_MAX_DEADLINE_SECONDS/,
    );
    assert.throws(() => relayConfigFromEnv({ RELAY_TRUST_PROXY: "maybe" }), /RELAY_TRUST_PROXY/);
  });
});

describe("signature recovery threads", () => {
  it("recover what viem recovers, refuse what it refuses, and answer on the event loop once their workers are gone", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const hashes = Array.from({ length: 6 }, (_, i) => keccak256(toHex(`request ${i}`)));
    const signatures = await Promise.all(hashes.map((hash) => account.sign({ hash })));
    const pool = createRecoverPool(2);
    try {
      const recovered = await Promise.all(
        hashes.map((h, i) => pool.recover(h, signatures[i] as Hex)),
      );
      assert.deepEqual(
        recovered,
        hashes.map(() => account.address),
      );
      // Another hash: another address, as in process.
      const other = await pool.recover(keccak256(toHex("other")), signatures[0] as Hex);
      assert.equal(
        other,
        await recoverAddress({ hash: keccak256(toHex("other")), signature: signatures[0] as Hex }),
      );
      assert.notEqual(other, account.address);
      // Not a signature at all (r = 0): refused like viem refuses it.
      const bad = `0x${"00".repeat(64)}1b` as Hex;
      await assert.rejects(recoverAddress({ hash: hashes[0] as Hex, signature: bad }));
      await assert.rejects(pool.recover(hashes[0] as Hex, bad));
    } finally {
      await pool.close();
    }
    // Closed (its workers gone): still answers, on the event loop.
    assert.equal(await pool.recover(hashes[1] as Hex, signatures[1] as Hex), account.address);
    assert.equal(
      await createRecoverPool(0).recover(hashes[2] as Hex, signatures[2] as Hex),
      account.address,
    );
  });
});

describe("rate limiter", () => {
  it("allows a burst of perMinute, then one every 60/perMinute seconds, with Retry-After", () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 3, now: () => t });
    assert.ok(limiter.take("a").ok && limiter.take("a").ok && limiter.take("a").ok);
    const refused = limiter.take("a");
    assert.deepEqual(refused, { ok: false, retryAfterSeconds: 20 });
    assert.ok(limiter.take("b").ok, "keys are independent");
    t = 20_000;
    assert.ok(limiter.take("a").ok);
    assert.equal(limiter.take("a").ok, false);
    assert.ok(createRateLimiter({ perMinute: 0 }).take("x").ok, "0 = unlimited");
  });
});

describe("client address", () => {
  it("is the socket's peer, or behind a trusted proxy the last X-Forwarded-For entry", async () => {
    const app = new Hono();
    app.get("/direct", (c) => c.text(clientAddressOf(c, false)));
    app.get("/proxied", (c) => c.text(clientAddressOf(c, true)));
    const env = { incoming: { socket: { remoteAddress: "10.1.1.1" } } };
    const headers = { "x-forwarded-for": "6.6.6.6, 203.0.113.7" };
    assert.equal(await (await app.request("/direct", { headers }, env)).text(), "10.1.1.1");
    assert.equal(await (await app.request("/proxied", { headers }, env)).text(), "203.0.113.7");
    assert.equal(await (await app.request("/proxied", {}, env)).text(), "10.1.1.1");
  });
});

describe("relay allow-list", () => {
  it("covers the interfaces' state-changing functions, minus the registry admin's", () => {
    const allow = defaultAllowList();
    for (const fn of [
      "submitSale",
      "recordInspections",
      "approvePurchase",
      "recordPayment",
      "createProgram",
    ]) {
      assert.ok(allow.RicePurchase.includes(fn), fn);
    }
    for (const fn of ["commitBid", "revealBid", "award", "acceptDelivery"]) {
      assert.ok(allow.TenderBoard.includes(fn), fn);
    }
    assert.ok(
      allow.CredentialRegistry.includes("issue") && allow.CredentialRegistry.includes("revoke"),
    );
    for (const fn of [
      "setIssuer",
      "grantRole",
      "beginDefaultAdminTransfer",
      "isValid",
      "hasRole",
    ]) {
      assert.ok(!allow.CredentialRegistry.includes(fn), fn);
    }
    assert.ok(!allow.RicePurchase.includes("getSale"));
    // Issue 24: national officials record the farm-gate prices through the relay; views stay out.
    assert.deepEqual(allow.FarmGatePrices, ["recordObservation"]);
  });
});

describe("revert decoding", () => {
  it("names custom errors with their arguments, Error(string), Panic and empty reverts", () => {
    const data = encodeErrorResult({
      abi: RicePurchaseAbi,
      errorName: "ExceedsAllocation",
      args: [600, 380],
    });
    assert.deepEqual(decodeRevert(data), {
      errorName: "ExceedsAllocation",
      args: { requested: 600, remaining: 380 },
      data,
    });
    const message = decodeRevert(
      encodeErrorResult({
        abi: [{ type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] }],
        errorName: "Error",
        args: ["nope"],
      }),
    );
    assert.equal(message.errorName, "Error");
    assert.deepEqual(message.args, { message: "nope" });
    assert.equal(decodeRevert("0x").errorName, "unknown");
    assert.equal(decodeRevert(undefined, "out of gas").errorName, "OutOfGas");
    assert.equal(decodeRevert("0xdeadbeef").errorName, "unknown");
  });
});

describe("sdk actions", () => {
  const c = jangbuContracts(deployment);
  const farmer = getAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  const saleId = (1n << 216n) | (46_810n << 192n) | (3n << 160n) | BigInt(farmer);

  it("builds calldata from the generated ABI and decodes it back", () => {
    const action = buildAction(c.RicePurchase, "approvePurchase", [saleId]);
    assert.equal(action.to, deployment.addresses.RicePurchase);
    assert.equal(
      action.data,
      encodeFunctionData({ abi: RicePurchaseAbi, functionName: "approvePurchase", args: [saleId] }),
    );
    const decoded = decodeAction(deployment, action);
    assert.equal(decoded?.contract, "RicePurchase");
    assert.equal(decoded?.functionName, "approvePurchase");
    assert.deepEqual(decoded?.args, [saleId]);
    assert.equal(decodeAction(deployment, { to: zeroAddress, data: action.data }), undefined);
    assert.deepEqual(decodeSaleId(saleId), { programId: 1, region: 46_810, seq: 3, farmer });
  });

  it("builds forward requests and the relay body with decimal strings", () => {
    const request = buildForwardRequest({
      from: farmer.toLowerCase() as `0x${string}`,
      to: deployment.addresses.RicePurchase,
      data: "0x1234",
      nonce: 7n,
      deadline: 1_790_000_000,
      gas: 120_000n,
    });
    assert.equal(request.from, farmer);
    assert.equal(request.value, 0n);
    assert.throws(() => buildForwardRequest({ ...request, deadline: 2 ** 48 }), /uint48/);
    const body = toRelayBody(31337, deployment.addresses.JangbuForwarder, request, "0xabcd");
    assert.deepEqual(body.request, {
      from: farmer,
      to: deployment.addresses.RicePurchase,
      value: "0",
      gas: "120000",
      nonce: "7",
      deadline: "1790000000",
      data: "0x1234",
    });
    assert.deepEqual(body.domain, {
      name: "jangbu",
      version: "1",
      chainId: 31337,
      verifyingContract: deployment.addresses.JangbuForwarder,
    });
    const digest = forwardRequestDigest(31337, deployment.addresses.JangbuForwarder, request);
    assert.notEqual(digest, forwardRequestDigest(1, deployment.addresses.JangbuForwarder, request));
  });

  it("summarises actions in one Korean line", () => {
    assert.equal(
      describeAction(buildAction(c.FarmGatePrices, "recordObservation", [2, 20261105, 175_000])),
      "매입 계획 #2 산지쌀값 기록 (11월 5일, 80kg ₩175,000)",
    );
    assert.equal(
      describeAction(buildAction(c.RicePurchase, "approvePurchase", [saleId])),
      "강진군 매입 #3 승인",
    );
    assert.equal(
      describeAction(
        buildAction(c.RicePurchase, "recordPayment", [saleId, 0, 800_000n, `0x${"11".repeat(32)}`]),
      ),
      "강진군 매입 #3 중간정산금 지급 ₩800,000 기록",
    );
    assert.equal(
      describeAction(buildAction(c.RicePurchase, "submitSale", [1, 40, 1, 101, 4_681_001, 20_730])),
      "매입 계획 #1 출하 신청 40포대 (톤백, 2026-10-04 출하)",
    );
    assert.equal(
      describeAction(
        buildAction(c.CredentialRegistry, "issue", [
          farmer,
          0,
          46_810,
          `0x${"22".repeat(32)}`,
          1n,
          `0x${"55".repeat(16)}`,
        ]),
      ),
      "강진군 농업인 자격 발급 (0x7099…79C8)",
    );
    assert.equal(
      describeAction(
        buildAction(c.TenderBoard, "commitBid", [
          2n,
          `0x${"33".repeat(32)}`,
          1n,
          `0x${"44".repeat(32)}`,
        ]),
      ),
      "입찰 #2 투찰 (밀봉)",
    );
    assert.equal(
      describeAction(buildAction(c.RicePurchase, "approvePurchase", [saleId]), {
        regionName: (code) => (code === 46_810 ? "전라남도 강진군" : String(code)),
      }),
      "전라남도 강진군 매입 #3 승인",
    );
  });
});
