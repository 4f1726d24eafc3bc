/** Ports and JSON-RPC endpoints: is a port free, which one is, is a node up yet. */
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** True when nothing listens on `port` at `host` (we could bind it ourselves). */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** A port the OS considers free right now on `host`. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One JSON-RPC call over HTTP; throws on transport errors and on JSON-RPC errors. */
export async function rpc<T = unknown>(
  url: string,
  method: string,
  params: unknown[] = [],
): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Waits until `url` answers eth_chainId; returns the chain id. */
export async function waitForRpc(
  url: string,
  {
    timeoutMs = 60_000,
    isAlive = () => true,
  }: { timeoutMs?: number; isAlive?: () => boolean } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return Number(await rpc<string>(url, "eth_chainId"));
    } catch (error) {
      if (!isAlive()) throw new Error(`the node at ${url} exited before answering`);
      if (Date.now() > deadline) {
        throw new Error(`no JSON-RPC answer from ${url} after ${timeoutMs / 1000}s: ${error}`);
      }
      await sleep(150);
    }
  }
}

/** True when the node is a Hardhat (EDR) node (its default accounts are unlocked and funded). */
export async function isHardhatNode(url: string): Promise<boolean> {
  try {
    const version = await rpc<string>(url, "web3_clientVersion");
    return /hardhat/i.test(version);
  } catch {
    return false;
  }
}
