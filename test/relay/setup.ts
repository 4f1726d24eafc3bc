/**
 * Test set-up for the relay (no side effects on import): an in-process Hardhat chain with the
 * jangbu stack deployed, a cast of credentialed signers holding rice allocations in 강진군, a
 * funded relayer with a key of its own, and helpers that sign relay bodies the SDK's way.
 */

import { network } from "hardhat";
import {
  type Address,
  createWalletClient,
  custom,
  encodeFunctionData,
  type Hex,
  keccak256,
  type PublicClient,
  toHex,
  type WalletClient,
  zeroAddress,
} from "viem";
import { generatePrivateKey, type LocalAccount, privateKeyToAccount } from "viem/accounts";
import { type Action, buildAction, jangbuContracts } from "../../sdk/actions.ts";
import type { Deployment } from "../../sdk/deployments.ts";
import { type ForwardRequest, type RelayBody, signRelayRequest } from "../../sdk/forwarder.ts";
import {
  CredentialRegistryAbi,
  JangbuForwarderAbi,
  PasskeyAccountFactoryAbi,
  RicePurchaseAbi,
} from "../../sdk/generated/abis.ts";
import { Role } from "../../sdk/generated/enums.ts";
import { householdTagOf } from "../../sdk/households.ts";
import { rpIdHashOf } from "../../sdk/passkey.ts";
import { deliveryDayAt } from "../../sdk/variety.ts";

export const GANGJIN = 46_810;
export const JEONNAM = 46_000;
const ROLE = { Farmer: 0, Official: 2, Inspector: 3 } as const;

export type RelayChain = Awaited<ReturnType<typeof setupRelayChain>>;

export async function setupRelayChain({ farmers: farmerCount = 3 }: { farmers?: number } = {}) {
  const connection = await network.create();
  const { viem, provider } = connection;
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient;
  const [admin] = await viem.getWalletClients();
  if (admin === undefined) throw new Error("no Hardhat account");
  const chainId = await publicClient.getChainId();
  const startBlock = Number(await publicClient.getBlockNumber()) + 1;
  const forwarder = (await viem.deployContract("JangbuForwarder")).address;
  const registry = (
    await viem.deployContract("CredentialRegistry", [forwarder, admin.account.address, 0])
  ).address;
  const rice = (await viem.deployContract("RicePurchase", [forwarder, registry])).address;
  const tenders = (await viem.deployContract("TenderBoard", [forwarder, registry])).address;
  const varietyTesting = (await publicClient.readContract({
    address: rice,
    abi: RicePurchaseAbi,
    functionName: "varietyTesting",
  })) as Address;
  const deployment: Deployment = {
    chainId,
    addresses: {
      JangbuForwarder: forwarder,
      CredentialRegistry: registry,
      RicePurchase: rice,
      TenderBoard: tenders,
      FarmGatePrices: zeroAddress,
      VarietyTesting: varietyTesting,
    },
    startBlock,
  };

  const adminSend = async (to: Address, data: Hex) => {
    const hash = await admin.sendTransaction({ to, data });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`set-up transaction reverted: ${hash}`);
    return hash;
  };
  const registryTx = (functionName: string, args: readonly unknown[]) =>
    adminSend(
      registry,
      encodeFunctionData({ abi: CredentialRegistryAbi, functionName, args } as never),
    );
  const now = Number((await publicClient.getBlock()).timestamp);
  const expiry = BigInt(now + 365 * 86_400);
  for (const role of Object.values(ROLE)) {
    await registryTx("setIssuer", [admin.account.address, role, 0, true]);
  }
  const credential = (who: Address, role: number, region: number) =>
    registryTx("issue", [
      who,
      role,
      region,
      keccak256(toHex(`claims:${who}:${role}`)),
      expiry,
      householdTagOf(keccak256(toHex(`household secret:${who}`))),
    ]);

  const account = () => privateKeyToAccount(generatePrivateKey());
  const national = account();
  const province = account();
  const official = account();
  const inspector = account();
  const stranger = account();
  const farmers = Array.from({ length: farmerCount }, account);
  await credential(national.address, ROLE.Official, 0);
  await credential(province.address, ROLE.Official, JEONNAM);
  await credential(official.address, ROLE.Official, GANGJIN);
  await credential(inspector.address, ROLE.Inspector, GANGJIN);
  for (const f of farmers) await credential(f.address, ROLE.Farmer, GANGJIN);

  // The relayer: a key of its own, funded. The programme itself is set up through the relay's
  // forwarder directly by the admin paying, so the relayer's nonce starts at 0 in every test.
  const relayerKey = generatePrivateKey();
  const relayerAccount = privateKeyToAccount(relayerKey);
  await provider.request({
    method: "hardhat_setBalance",
    params: [relayerAccount.address, toHex(10n ** 21n)],
  });
  const walletOf = (who: LocalAccount): WalletClient =>
    createWalletClient({ account: who, chain: publicClient.chain, transport: custom(provider) });
  const relayerWallet = walletOf(relayerAccount);
  /** Another funded relayer (each relay instance needs its own nonce sequence). */
  const fundedWallet = async (wei = 10n ** 21n) => {
    const who = account();
    await provider.request({ method: "hardhat_setBalance", params: [who.address, toHex(wei)] });
    return walletOf(who);
  };
  const contracts = jangbuContracts(deployment);

  /** Signs `action` as `signer`: the SDK's path, with overrides to forge bad requests. */
  const sign = async (
    signer: LocalAccount,
    action: Pick<Action, "to" | "data">,
    overrides: Partial<ForwardRequest> & { chainId?: number; forwarder?: Address } = {},
  ): Promise<RelayBody> => {
    const {
      chainId: signChainId = chainId,
      forwarder: signForwarder = forwarder,
      ...req
    } = overrides;
    const nonce =
      req.nonce ??
      (await publicClient.readContract({
        address: forwarder,
        abi: JangbuForwarderAbi,
        functionName: "nonces",
        args: [signer.address],
      }));
    const block = await publicClient.getBlock();
    const request: ForwardRequest = {
      from: signer.address,
      to: action.to,
      value: 0n,
      gas: 300_000n,
      deadline: Number(block.timestamp) + 3_600,
      data: action.data,
      ...req,
      nonce,
    };
    return signRelayRequest({
      wallet: walletOf(signer),
      account: signer,
      chainId: signChainId,
      forwarder: signForwarder,
      request,
    });
  };

  /** Executes a signed body through the forwarder, paid by the admin (not the relayer). */
  const directBody = (body: RelayBody) => {
    const r = body.request;
    return adminSend(
      forwarder,
      encodeFunctionData({
        abi: JangbuForwarderAbi,
        functionName: "execute",
        args: [
          {
            from: r.from,
            to: r.to,
            value: BigInt(r.value),
            gas: BigInt(r.gas),
            deadline: Number(r.deadline),
            data: r.data,
            signature: body.signature,
          },
        ],
      }),
    );
  };
  /** Signs and runs `action` as `signer` through the forwarder, paid by the admin (set-up). */
  const direct = async (signer: LocalAccount, action: Pick<Action, "to" | "data">) =>
    directBody(await sign(signer, action));

  // A programme open for 60 days with 1,000 units for every farmer.
  const riceAction = (fn: string, args: readonly unknown[]) =>
    ({
      contract: "RicePurchase",
      functionName: fn,
      args,
      to: rice,
      data: encodeFunctionData({ abi: RicePurchaseAbi, functionName: fn, args } as never),
    }) as Action;
  await direct(
    national,
    riceAction("createProgram", [
      {
        cropYear: 2026,
        nationalQuota: 11_250_000n,
        interimPerUnit: 40_000,
        bulkDeduction: 1_000,
        deliveryStart: now,
        deliveryEnd: now + 60 * 86_400,
        varieties: [101, 102],
        disputePeriod: 14 * 86_400,
      },
    ]),
  );
  await direct(national, riceAction("allocateRegion", [1, JEONNAM, 1_000_000n]));
  await direct(province, riceAction("allocateRegion", [1, GANGJIN, 200_000n]));
  for (const f of farmers) {
    await direct(official, riceAction("allocate", [1, GANGJIN, f.address, 1_000]));
  }

  /** The programme's first delivery day (its window opens now): a valid day for every sale. */
  const deliveryDay = deliveryDayAt(now);
  const submitSale = () =>
    buildAction(contracts.RicePurchase, "submitSale", [1, 20, 0, 101, 4_681_001, deliveryDay]);

  return {
    deliveryDay,
    connection,
    provider,
    publicClient,
    chainId,
    deployment,
    contracts,
    forwarder,
    admin,
    relayerAccount,
    relayerKey,
    relayerWallet,
    fundedWallet,
    walletOf,
    national,
    official,
    inspector,
    stranger,
    farmers,
    /** Farmer `i` of the cast. */
    farmer: (i: number): LocalAccount => {
      const f = farmers[i];
      if (f === undefined) throw new Error(`no farmer ${i}`);
      return f;
    },
    account,
    sign,
    direct,
    directBody,
    submitSale,
    /** Transactions the relayer has sent (its nonce on chain, pending included). */
    relayerTxCount: () =>
      publicClient.getTransactionCount({ address: relayerAccount.address, blockTag: "pending" }),
    chainTime: async () => Number((await publicClient.getBlock()).timestamp),
    close: () => connection.close(),
  };
}

/** A relay answer, loosely typed for assertions. */
export type Answer = {
  error?: { code: string; message: string; details?: Record<string, unknown> };
  requestId?: Hex;
  txHash?: Hex;
  state?: string;
  duplicate?: boolean;
  [key: string]: unknown;
};

/** POSTs a JSON body (or raw text) to `app` and returns status, headers and parsed JSON. */
export async function post(
  app: { request(path: string, init: RequestInit, env: object): Response | Promise<Response> },
  body: unknown,
  {
    path = "/api/v1/relay",
    client = "10.0.0.1",
    raw = false,
    headers = {},
  }: {
    path?: string;
    client?: string;
    raw?: boolean;
    headers?: Record<string, string>;
  } = {},
) {
  const res = await app.request(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: raw ? (body as string) : JSON.stringify(body),
    },
    { incoming: { socket: { remoteAddress: client } } },
  );
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json: json as Answer };
}

/** Serves an EIP-1193 provider as JSON-RPC over HTTP on a free local port (for http transports). */
export async function serveRpc(provider: {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import("node:http");
  const answer = async (call: { id?: unknown; method?: string; params?: unknown[] }) => {
    try {
      const result = await provider.request({
        method: String(call.method),
        params: call.params ?? [],
      });
      return { jsonrpc: "2.0", id: call.id ?? null, result: result ?? null };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: call.id ?? null,
        error: {
          code: typeof e.code === "number" ? e.code : -32603,
          message: e.message ?? "error",
          data: e.data,
        },
      };
    }
  };
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", async () => {
      const parsed = JSON.parse(body) as
        | Parameters<typeof answer>[0]
        | Parameters<typeof answer>[0][];
      const out = Array.isArray(parsed)
        ? await Promise.all(parsed.map(answer))
        : await answer(parsed);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Calldata of `CredentialRegistry.issue`: a farmer credential in 강진군 for `account`, valid a year
 * from `now`, its claims hash and household tag derived from `label` (tests of accounts that are
 * not in the cast, such as a passkey account's address before it exists).
 */
export function farmerCredentialIssue(account: Address, label: string, now: number): Hex {
  return encodeFunctionData({
    abi: CredentialRegistryAbi,
    functionName: "issue",
    args: [
      account,
      Role.Farmer,
      GANGJIN,
      keccak256(toHex(`claims:${label}`)),
      BigInt(now + 365 * 86_400),
      householdTagOf(keccak256(toHex(`household secret: ${label}`))),
    ],
  });
}

/**
 * Deploys a PasskeyAccountFactory on `chain` (forwarder and registry of its deployment, passkeys
 * of the relying party `localhost`) and reads its account implementation.
 */
export async function deployPasskeyFactory(
  chain: RelayChain,
): Promise<{ factory: Address; implementation: Address }> {
  const { addresses } = chain.deployment;
  const { address: factory } = await chain.connection.viem.deployContract("PasskeyAccountFactory", [
    addresses.JangbuForwarder,
    addresses.CredentialRegistry,
    rpIdHashOf("localhost"),
  ]);
  const implementation = await chain.publicClient.readContract({
    address: factory,
    abi: PasskeyAccountFactoryAbi,
    functionName: "implementation",
  });
  return { factory, implementation };
}
