/**
 * The chain of the load benchmark (scripts/bench/load.ts), in its own process so that the
 * indexer's memory and event loop are measured alone: an in-process Hardhat (EDR) chain over
 * JSON-RPC HTTP with the demo season seeded, automine off, and a producer that mines one block a
 * second holding TX_PER_BLOCK credential issuances (the registry admin, made a Farmer issuer).
 *
 * Talks to its parent over the IPC channel (it is spawned with `"ipc"` in its stdio):
 *   child → parent  { type: "ready", url, deployment, head }        seeded, nothing produced yet
 *   parent → child  { type: "produce" }                              start one block a second
 *   child → parent  { type: "mined", block, txs, atMs }              after each block
 *   parent → child  { type: "stop" }                                 finish the current block
 *   child → parent  { type: "stopped", produced, blocks, rssMB }     then the child exits
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type Address, encodeFunctionData, keccak256, toHex } from "viem";
import type { Deployment } from "../../sdk/deployments.ts";
import { CredentialRegistryAbi, householdTagOf, Role } from "../../sdk/index.ts";
import { startSeededChain } from "../../test/indexer/helpers/chain.ts";

export const TX_PER_BLOCK = 50;
const BLOCK_MS = 1_000;
const REGION = 46_810;

export type ChainMessage =
  | { type: "ready"; url: string; deployment: Deployment; head: number }
  | { type: "mined"; block: number; txs: number; atMs: number }
  | { type: "stopped"; produced: number; blocks: number; rssMB: number };
export type ControlMessage = { type: "produce" } | { type: "stop" };

async function main() {
  const send = (message: ChainMessage) => process.send?.(message);
  const chain = await startSeededChain();
  const registry = chain.deployment.addresses.CredentialRegistry;
  const [admin] = await chain.request<Address[]>("eth_accounts");
  if (admin === undefined) throw new Error("the chain has no unlocked account");
  const transact = (functionName: "setIssuer" | "issue", args: readonly unknown[]) =>
    chain.request<string>("eth_sendTransaction", [
      {
        from: admin,
        to: registry,
        gas: "0x30000",
        data: encodeFunctionData({ abi: CredentialRegistryAbi, functionName, args } as never),
      },
    ]);
  await transact("setIssuer", [admin, Role.Farmer, 0, true]);
  await chain.request("evm_setAutomine", [false]);
  const latest = await chain.request<{ timestamp: string }>("eth_getBlockByNumber", [
    "latest",
    false,
  ]);
  const expiresAt = BigInt(latest.timestamp) + 30n * 86_400n;

  let stopping = false;
  let produced = 0;
  let blocks = 0;
  const produce = async () => {
    while (!stopping) {
      const started = Date.now();
      // Sent together: with automine off each one only enters the mempool (EDR assigns the
      // nonces in order), so a block's 50 sends cost one round of the event loop, not 50.
      await Promise.all(
        Array.from({ length: TX_PER_BLOCK }, () => {
          const n = produced++;
          const subject = `0x${keccak256(toHex(`load:${n}`)).slice(26)}` as Address;
          return transact("issue", [
            subject,
            Role.Farmer,
            REGION,
            keccak256(toHex(`claims:${n}`)),
            expiresAt,
            householdTagOf(keccak256(toHex(`household:${n}`))),
          ]);
        }),
      );
      await chain.request("evm_mine");
      const block = await chain.request<{ number: string; transactions: string[] }>(
        "eth_getBlockByNumber",
        ["latest", false],
      );
      blocks++;
      send({
        type: "mined",
        block: Number(block.number),
        txs: block.transactions.length,
        atMs: Date.now(),
      });
      await sleep(Math.max(0, BLOCK_MS - (Date.now() - started)));
    }
  };

  let production: Promise<void> | undefined;
  process.on("message", async (message: ControlMessage) => {
    if (message.type === "produce" && production === undefined) production = produce();
    if (message.type === "stop") {
      stopping = true;
      await production;
      send({
        type: "stopped",
        produced,
        blocks,
        rssMB: Math.round(process.memoryUsage().rss / 1_048_576),
      });
      await chain.close();
      process.disconnect();
    }
  });
  // The parent going away (or crashing) ends the chain too.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", url: chain.url, deployment: chain.deployment, head: await chain.head() });
}

// Run only as the entry point: load.ts imports this module for its types and TX_PER_BLOCK.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.send === undefined) {
    console.error("load-chain.ts is started by scripts/bench/load.ts (it needs an IPC channel)");
    process.exit(2);
  }
  await main();
}
