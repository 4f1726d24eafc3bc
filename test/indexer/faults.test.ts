/**
 * Robustness: the service killed (SIGKILL) at random points of its backfill and restarted, and an
 * RPC that fails, stalls, garbles or refuses a share of requests, both end with a store identical
 * to a clean index. Also: one instance per data folder, clean SIGTERM.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { type Fault, startSeededChain, type TestChain } from "./helpers/chain.ts";
import { dumpStore, envFor, envVars, indexUntil } from "./helpers/indexer.ts";

const MAIN = new URL("../../indexer/src/main.ts", import.meta.url).pathname;

/** A small deterministic PRNG (mulberry32): reproducible kill points and faults. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Child = {
  process: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | null>;
  stderr: () => string;
};

function startService(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [MAIN], {
    // PGlite unless the test says otherwise: CI exports DATABASE_URL for the PostgreSQL variants.
    env: { ...process.env, DATABASE_URL: "", ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /jangbu indexer listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) =>
      reject(new Error(`exited with ${code} before listening: ${stderr}`)),
    );
  });
  url.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { process: child, url, exit, stderr: () => stderr };
}

async function indexedBlock(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/api/v1/status`);
    return ((await res.json()) as { indexedBlock: number }).indexedBlock;
  } catch {
    return -1;
  }
}

describe("indexer robustness", () => {
  let chain: TestChain & { lastBlock: number };
  let clean: Database;
  let expected: Record<string, unknown[]>;

  before(async () => {
    chain = await startSeededChain();
    clean = await createPgliteDatabase();
    const indexer = await indexUntil(envFor(chain.url, chain.deployment), clean, chain.lastBlock);
    await indexer.close();
    expected = await dumpStore(clean);
  });
  after(async () => {
    await clean?.close();
    await chain?.close();
  });

  it("killed at random points during backfill, it restarts and ends identical to a clean index", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "jangbu-crash-"));
    const random = prng(20261202);
    const env = envVars(chain.url, chain.deployment, {
      DATA_DIR: dataDir,
      PORT: "0",
      MAX_BLOCK_RANGE: "2",
    });
    chain.setLatency(10);
    const seen: number[] = [];
    try {
      for (let kill = 0; kill < 3; kill++) {
        const child = startService(env);
        const url = await child.url;
        await new Promise((r) => setTimeout(r, 50 + random() * 900));
        seen.push(await indexedBlock(url));
        child.process.kill("SIGKILL");
        await child.exit;
      }
      assert.ok(
        seen.some((b) => b > chain.deployment.startBlock && b < chain.lastBlock),
        `a kill landed mid-backfill (indexed blocks at kill time: ${seen.join(", ")})`,
      );
      chain.setLatency(0);
      const child = startService(env);
      const url = await child.url;
      const deadline = Date.now() + 60_000;
      while ((await indexedBlock(url)) < chain.lastBlock) {
        assert.ok(Date.now() < deadline, "caught up in time");
        await new Promise((r) => setTimeout(r, 50));
      }

      // A second instance on the same folder refuses at once.
      const second = startService({ ...env });
      assert.equal(await second.exit, 1);
      assert.match(second.stderr(), /in use by another indexer/);

      child.process.kill("SIGTERM");
      assert.equal(await child.exit, 0, `clean exit on SIGTERM: ${child.stderr()}`);
      assert.equal(existsSync(join(dataDir, "indexer.lock")), false, "lock released");

      const db = await createPgliteDatabase({ dataDir: join(dataDir, "pglite") });
      try {
        assert.deepEqual(await dumpStore(db), expected);
      } finally {
        await db.close();
      }
    } finally {
      chain.setLatency(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("with an RPC that fails, stalls, garbles and refuses ranges, it ends identical to a clean index", async () => {
    const random = prng(7);
    const faults: Fault[] = ["http500", "http429", "garbage", "stall", "rpcError", "drop"];
    const injected = new Map<Fault, number>();
    chain.setFault((body) => {
      // The node refuses log queries wider than 5 blocks, as many providers do.
      const call = JSON.parse(body) as {
        method?: string;
        params?: [{ fromBlock: string; toBlock: string }];
      };
      if (call.method === "eth_getLogs" && call.params) {
        const [{ fromBlock, toBlock }] = call.params;
        if (Number(toBlock) - Number(fromBlock) + 1 > 5) return "rangeLimit";
      }
      if (random() >= 0.25) return "none";
      const fault = faults[Math.floor(random() * faults.length)] ?? "http500";
      injected.set(fault, (injected.get(fault) ?? 0) + 1);
      return fault;
    });
    const db = await createPgliteDatabase();
    try {
      const indexer = await indexUntil(
        envFor(chain.url, chain.deployment, { RPC_TIMEOUT_MS: "300" }),
        db,
        chain.lastBlock,
      );
      await indexer.close();
      chain.setFault(() => "none");
      assert.ok(
        injected.size >= 4,
        `several kinds of fault were injected: ${[...injected.keys()].join(", ")}`,
      );
      assert.deepEqual(await dumpStore(db), expected);
      const retries = indexer.metrics.registry.render();
      assert.match(retries, /jangbu_rpc_retries_total\{method="[a-z_A-Z]+"\} [1-9]/);
    } finally {
      chain.setFault(() => "none");
      await db.close();
    }
  });

  it("exits 1 naming the bad variable when the configuration is invalid", async () => {
    const child = startService({ ...envVars(chain.url, chain.deployment), PORT: "eighty" });
    assert.equal(await child.exit, 1);
    assert.match(child.stderr(), /PORT/);
  });
});
