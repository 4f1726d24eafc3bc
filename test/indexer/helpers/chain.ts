/**
 * Test set-up: an in-process Hardhat (EDR) chain served over real JSON-RPC HTTP on a free port,
 * the jangbu contracts deployed on it, and the demo season of scripts/seed written to it (every
 * sale and tender stage, credentials, forwarded requests). A `fault` hook lets a test fail or stall
 * a share of the requests (the RPC fault-injection proxy is the same server).
 */

import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import type { Address } from "viem";
import { demoIssuerGrants } from "../../../scripts/seed/actors.ts";
import { Role } from "../../../scripts/seed/enums.ts";
import { seedDemo } from "../../../scripts/seed/index.ts";
import type { Deployment } from "../../../sdk/deployments.ts";
import { CredentialRegistryAbi } from "../../../sdk/index.ts";

export type Fault =
  | "none"
  | "http500"
  | "http429"
  | "garbage"
  | "stall"
  | "rpcError"
  | "drop"
  | "rangeLimit";

export type TestChain = {
  url: string;
  deployment: Deployment;
  /** EIP-1193 request on the in-process chain (no HTTP, no faults). */
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Decides, per HTTP request, whether to inject a fault. */
  setFault(pick: (body: string) => Fault): void;
  /** Delays every HTTP answer by this many ms. */
  setLatency(ms: number): void;
  /** Mines `n` empty blocks. */
  mine(n: number): Promise<void>;
  head(): Promise<number>;
  close(): Promise<void>;
  connection: Awaited<ReturnType<typeof network.create>>;
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });

export async function startChain(): Promise<
  Omit<TestChain, "deployment"> & { deploy(): Promise<Deployment> }
> {
  const connection = await network.create();
  const provider = connection.provider;
  const request = <T>(method: string, params: unknown[] = []) =>
    provider.request({ method, params }) as Promise<T>;
  let pick: (body: string) => Fault = () => "none";
  let latency = 0;
  const answer = async (call: { id?: unknown; method?: string; params?: unknown[] }) => {
    try {
      const result = await request(String(call.method), call.params ?? []);
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
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const fault = pick(body);
    if (fault === "http500" || fault === "http429") {
      res.writeHead(fault === "http500" ? 503 : 429, { "content-type": "text/plain" }).end("busy");
      return;
    }
    if (fault === "garbage") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":');
      return;
    }
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault === "stall") {
      // Never answers: the client must time out. Closed when the server closes.
      return;
    }
    if (fault === "rangeLimit") {
      const id = (JSON.parse(body) as { id?: unknown }).id ?? null;
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          error: { code: -32005, message: "query exceeds max block range 5" },
        }),
      );
      return;
    }
    if (fault === "rpcError") {
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32603, message: "internal error" },
        }),
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const result = Array.isArray(parsed)
      ? await Promise.all(parsed.map(answer))
      : await answer(parsed as never);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const deploy = async (): Promise<Deployment> => {
    const viem = connection.viem;
    const [admin] = await viem.getWalletClients();
    if (admin === undefined) throw new Error("no accounts");
    const startBlock = Number(await request<string>("eth_blockNumber")) + 1;
    const forwarder = await viem.deployContract("JangbuForwarder");
    const registry = await viem.deployContract("CredentialRegistry", [
      forwarder.address,
      admin.account.address,
      3600,
    ]);
    const rice = await viem.deployContract("RicePurchase", [forwarder.address, registry.address]);
    const tender = await viem.deployContract("TenderBoard", [forwarder.address, registry.address]);
    const farmGate = await viem.deployContract("FarmGatePrices", [
      forwarder.address,
      registry.address,
      rice.address,
    ]);
    const publicClient = await viem.getPublicClient();
    for (const grant of demoIssuerGrants()) {
      for (const role of grant.roles) {
        const hash = await admin.writeContract({
          address: registry.address,
          abi: CredentialRegistryAbi,
          functionName: "setIssuer",
          args: [grant.issuer, Role[role], grant.region, true],
        });
        await publicClient.waitForTransactionReceipt({ hash });
      }
    }
    return {
      chainId: 31337,
      startBlock,
      addresses: {
        JangbuForwarder: forwarder.address as Address,
        CredentialRegistry: registry.address as Address,
        RicePurchase: rice.address as Address,
        TenderBoard: tender.address as Address,
        FarmGatePrices: farmGate.address as Address,
        VarietyTesting: (await rice.read.varietyTesting()) as Address,
      },
    };
  };

  return {
    url,
    request,
    connection,
    deploy,
    setFault(p) {
      pick = p;
    },
    setLatency(ms) {
      latency = ms;
    },
    async mine(n) {
      await request("hardhat_mine", [`0x${n.toString(16)}`]);
    },
    async head() {
      return Number(await request<string>("eth_blockNumber"));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}

/** A chain with the contracts deployed and the demo season seeded. */
export async function startSeededChain(): Promise<TestChain & { lastBlock: number }> {
  const chain = await startChain();
  const deployment = await chain.deploy();
  const accounts = await chain.request<Address[]>("eth_accounts");
  const seeded = await seedDemo({
    rpcUrl: chain.url,
    dataDir: mkdtempSync(join(tmpdir(), "jangbu-seed-")),
    deployment,
    relayer: accounts[1] as Address,
    log: () => {},
  });
  return { ...chain, deployment, lastBlock: seeded.lastBlock };
}
