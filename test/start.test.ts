/**
 * `npm start` end to end: runs scripts/start.ts as a child process on free ports with a temporary
 * DATA_DIR, waits for its "jangbu ready" line, checks that the chain holds the demo season (sales
 * and tenders in every state, from the contracts' events) and, when the indexer is in the tree,
 * that its API has indexed it; then sends SIGINT and checks that every child process exited and
 * that nothing listens on either port any more. The same runs against PostgreSQL when
 * DATABASE_URL is set.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Abi, type Address, createPublicClient, http, parseEventLogs } from "viem";
import { freePort, isPortFree } from "../scripts/lib/net.ts";
import type { Deployment } from "../sdk/deployments.ts";
import { CredentialRegistryAbi, RicePurchaseAbi, TenderBoardAbi } from "../sdk/generated/abis.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HAS_INDEXER = existsSync(join(ROOT, "indexer", "src", "main.ts"));
const READY_TIMEOUT_MS = 150_000;

interface Started {
  child: ChildProcess;
  output: string[];
  ready: string;
  pids: Record<string, number>;
  dataDir: string;
  port: number;
  rpcPort: number;
}

const cleanups: (() => void)[] = [];
after(() => {
  for (const cleanup of cleanups) cleanup();
});

function startJangbu(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): {
  child: ChildProcess;
  output: string[];
  exit: Promise<number | null>;
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<string>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  cleanups.push(() => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // already gone
    }
  });
  const output: string[] = [];
  const listeners = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on("line", (line) => {
      output.push(line);
      for (const l of listeners) l(line);
    });
  }
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const found = output.find((line) => pattern.test(line));
      if (found !== undefined) return resolve(found);
      const timer = setTimeout(() => {
        listeners.delete(onLine);
        reject(new Error(`no ${pattern} within ${timeoutMs / 1000}s:\n${output.join("\n")}`));
      }, timeoutMs);
      const onLine = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        listeners.delete(onLine);
        resolve(line);
      };
      listeners.add(onLine);
      void exit.then((code) => {
        clearTimeout(timer);
        reject(new Error(`start.ts exited (${code}) before ${pattern}:\n${output.join("\n")}`));
      });
    });
  return { child, output, exit, waitFor };
}

async function startReady(
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<Started & { exit: Promise<number | null> }> {
  const [port, rpcPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), "jangbu-start-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const run = startJangbu({
    PORT: String(port),
    RPC_PORT: String(rpcPort),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    // The default store unless a test asks for PostgreSQL (CI sets DATABASE_URL for that one).
    DATABASE_URL: "",
    ...extraEnv,
  });
  const ready = await run.waitFor(/^jangbu ready: /, READY_TIMEOUT_MS);
  const processes = run.output.find((line) => line.startsWith("processes: ")) ?? "";
  const pids = Object.fromEntries(
    [...processes.matchAll(/(\w+) (\d+)/g)].map((m) => [m[1] as string, Number(m[2])]),
  );
  return { ...run, ready, pids, dataDir, port, rpcPort };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Event ABIs: the SDK's, plus the build's in case the SDK lags behind the sources. */
function withArtifact(sdkAbi: Abi, name: string): Abi {
  const file = join(ROOT, "artifacts", "contracts", `${name}.sol`, `${name}.json`);
  if (!existsSync(file)) return sdkAbi;
  const built = (JSON.parse(readFileSync(file, "utf8")) as { abi: Abi }).abi;
  return [...sdkAbi, ...built.filter((item) => item.type === "event")];
}

/** Sales and tenders per state, folded from the contracts' events. */
async function seasonFromChain(rpcUrl: string, deployment: Deployment) {
  const client = createPublicClient({ transport: http(rpcUrl) });
  const logsOf = async (address: Address, abi: Abi) =>
    parseEventLogs({
      abi,
      logs: await client.getLogs({ address, fromBlock: BigInt(deployment.startBlock) }),
    }) as unknown as { eventName: string; args: Record<string, unknown> }[];

  const sales = new Map<bigint, string>();
  for (const { eventName, args } of await logsOf(
    deployment.addresses.RicePurchase,
    withArtifact(RicePurchaseAbi, "RicePurchase"),
  )) {
    const id = args.saleId as bigint;
    if (eventName === "SaleSubmitted") sales.set(id, "Submitted");
    else if (eventName === "SaleCancelled") sales.set(id, "Cancelled");
    else if (eventName === "SaleDisputed") sales.set(id, "Disputed");
    else if (eventName === "PurchaseApproved") sales.set(id, "Approved");
    else if (eventName === "ClawbackRecorded") sales.set(id, "ClawbackDue");
    else if (eventName === "SaleInspected") {
      const accepted = (args.gradeUnits as readonly number[]).reduce((a, b) => a + b, 0);
      const again = args.reinspection as boolean;
      sales.set(
        id,
        accepted > 0
          ? again
            ? "Reinspected"
            : "Inspected"
          : again
            ? "RejectedOnReinspection"
            : "Rejected",
      );
    } else if (eventName === "PaymentRecorded") {
      sales.set(
        id,
        Number(args.kind) === 0 ? "InterimPaid" : Number(args.kind) === 2 ? "Repaid" : "Settled",
      );
    }
  }
  const saleStates: Record<string, number> = {};
  for (const state of sales.values()) saleStates[state] = (saleStates[state] ?? 0) + 1;

  const farmers = new Set<string>();
  for (const { eventName, args } of await logsOf(
    deployment.addresses.CredentialRegistry,
    CredentialRegistryAbi,
  )) {
    if (eventName === "CredentialIssued" && Number(args.role) === 0)
      farmers.add(String(args.subject));
  }

  const tenderStates: Record<string, number> = {};
  if (deployment.addresses.TenderBoard !== "0x0000000000000000000000000000000000000000") {
    const head = await client.getBlock();
    const tenders = new Map<bigint, string>();
    for (const { eventName, args } of await logsOf(
      deployment.addresses.TenderBoard,
      withArtifact(TenderBoardAbi, "TenderBoard"),
    )) {
      const id = args.tenderId as bigint;
      const next: Record<string, string> = {
        TenderAwarded: "Awarded",
        TenderFailed: "Failed",
        TenderLapsed: "Failed",
        TenderCancelled: "Cancelled",
        DeliveryRecorded: "Delivered",
        DeliveryRefused: "Refused",
        TenderTerminated: "Terminated",
        DeliveryAccepted: "Accepted",
        TenderPaid: "Paid",
      };
      if (eventName === "TenderCreated" || eventName === "TenderAmended") {
        const bidding = head.timestamp < BigInt(args.bidDeadline as number);
        tenders.set(id, bidding ? "Bidding" : "InReveal");
      } else if (next[eventName] !== undefined) {
        tenders.set(id, next[eventName] as string);
      }
    }
    for (const state of tenders.values()) tenderStates[state] = (tenderStates[state] ?? 0) + 1;
  }
  return { saleStates, farmers: farmers.size, tenderStates };
}

async function checkRunning(started: Started): Promise<void> {
  const deployment = JSON.parse(
    readFileSync(join(started.dataDir, "deployment.json"), "utf8"),
  ) as Deployment;
  const rpcUrl = `http://127.0.0.1:${started.rpcPort}`;
  assert.match(started.ready, new RegExp(`rpc ${rpcUrl}`));

  const season = await seasonFromChain(rpcUrl, deployment);
  assert.ok(season.farmers >= 60, `at least 60 farmers credentialed, got ${season.farmers}`);
  for (const state of [
    "Submitted",
    "Cancelled",
    "Inspected",
    "Rejected",
    "Disputed",
    "Reinspected",
    "RejectedOnReinspection",
    "Approved",
    "InterimPaid",
    "ClawbackDue",
    "Settled",
    "Repaid",
  ]) {
    assert.ok(
      (season.saleStates[state] ?? 0) > 0,
      `a sale ${state}: ${JSON.stringify(season.saleStates)}`,
    );
  }
  if (deployment.addresses.TenderBoard !== "0x0000000000000000000000000000000000000000") {
    const total = Object.values(season.tenderStates).reduce((a, b) => a + b, 0);
    assert.ok(total >= 6, `at least 6 tenders, got ${total}`);
    for (const state of [
      "Bidding",
      "InReveal",
      "Awarded",
      "Failed",
      "Cancelled",
      "Delivered",
      "Paid",
      "Refused",
      "Terminated",
    ]) {
      assert.ok(
        (season.tenderStates[state] ?? 0) > 0,
        `a tender ${state}: ${JSON.stringify(season.tenderStates)}`,
      );
    }
  }

  const roster = JSON.parse(readFileSync(join(started.dataDir, "demo-roster.json"), "utf8")) as {
    farmers: { name: string; address: string }[];
  };
  assert.ok(roster.farmers.length >= 60 && /[가-힣]/.test(roster.farmers[0]?.name ?? ""));

  if (HAS_INDEXER) {
    const api = `http://127.0.0.1:${started.port}/api/v1`;
    assert.match(started.ready, new RegExp(`api ${api}`));
    const block = Number(/ block (\d+)/.exec(started.ready)?.[1]);
    const status = (await getJson(`${api}/status`)) as { indexedBlock: number; chainId: number };
    assert.ok(status.indexedBlock >= block, `indexed ${status.indexedBlock} ≥ seeded ${block}`);
    assert.equal(status.chainId, deployment.chainId);

    // The API's sales and tenders per state are the chain's.
    const fromChain = { ...season.saleStates };
    fromChain.Settled = (fromChain.Settled ?? 0) + (fromChain.Repaid ?? 0);
    delete fromChain.Repaid;
    for (const [state, count] of Object.entries(fromChain)) {
      assert.equal(await countPages(`${api}/sales?state=${state}`), count, `API sales ${state}`);
    }
    if (Object.keys(season.tenderStates).length > 0) {
      const tenders = { ...season.tenderStates };
      tenders.Open = (tenders.Bidding ?? 0) + (tenders.InReveal ?? 0);
      delete tenders.Bidding;
      delete tenders.InReveal;
      for (const [state, count] of Object.entries(tenders)) {
        assert.equal(
          await countPages(`${api}/tenders?state=${state}`),
          count,
          `API tenders ${state}`,
        );
      }
    }
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  return response.json();
}

/** The number of items of a paginated API list. */
async function countPages(url: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = (await getJson(
      `${url}&limit=500${cursor === null ? "" : `&cursor=${cursor}`}`,
    )) as { items: unknown[]; nextCursor: string | null };
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return count;
}

async function stopAndCheck(started: Started & { exit: Promise<number | null> }): Promise<void> {
  const names = Object.keys(started.pids);
  assert.ok(names.includes("chain"), `child pids printed: ${JSON.stringify(started.pids)}`);
  if (HAS_INDEXER) assert.ok(names.includes("indexer"));
  started.child.kill("SIGINT");
  const code = await Promise.race([
    started.exit,
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 30_000).unref()),
  ]);
  assert.notEqual(code, "timeout", "start.ts exits within 30 s of SIGINT");
  assert.equal(code, 130);
  for (const [name, pid] of Object.entries(started.pids)) {
    assert.equal(alive(pid), false, `${name} (pid ${pid}) still running`);
  }
  assert.ok(await isPortFree(started.rpcPort), "nothing listens on RPC_PORT");
  assert.ok(await isPortFree(started.port), "nothing listens on PORT");
  assert.match(started.output.join("\n"), /stopped: no jangbu process left running/);
}

describe("npm start", () => {
  it("runs the chain, deploys, seeds the demo season, and stops every child on SIGINT", async () => {
    const started = await startReady();
    await checkRunning(started);
    await stopAndCheck(started);
  });

  it("refuses a port that is taken with a clear message, and starts nothing", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const taken = (server.address() as { port: number }).port;
    try {
      const dataDir = mkdtempSync(join(tmpdir(), "jangbu-start-"));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const run = startJangbu({
        RPC_PORT: String(taken),
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
      });
      const code = await run.exit;
      const text = run.output.join("\n");
      assert.equal(code, 1);
      assert.match(text, new RegExp(`port ${taken} on 127.0.0.1 is already in use \\(RPC_PORT\\)`));
      assert.doesNotMatch(text, /^\s+at /m, "no stack trace");
    } finally {
      server.close();
    }
  });

  it("does the same with the indexer on PostgreSQL (DATABASE_URL)", {
    skip: !process.env.DATABASE_URL
      ? "DATABASE_URL is not set: set it to a PostgreSQL database to run the indexer on it"
      : !HAS_INDEXER
        ? "indexer/src/main.ts is not in the tree yet"
        : false,
  }, async () => {
    const started = await startReady({ DATABASE_URL: process.env.DATABASE_URL });
    await checkRunning(started);
    await stopAndCheck(started);
  });
});
