/**
 * `npm run bench -- indexer`: backfill throughput end to end and store only, peak RSS, and head
 * lag on a real chain.
 *
 * End to end (indexer-e2e.ts, metrics `backfill.e2e.*`): a chain of 100,981 jangbu events written
 * with the real contracts (indexer-chain.ts: the demo season, 2,000 farm credentials, 98,000
 * allocations in 491 blocks of 200 events), served over JSON-RPC HTTP by its own process; the
 * indexer process started cold on an empty PGlite folder or PostgreSQL schema and timed from its
 * spawn to its status reaching the chain head; peak RSS is the kernel's high-water mark of that
 * process.
 *
 * Store only (metrics `backfill.storeOnly.*`): 100,000 synthetic decoded jangbu events (a season
 * of farms: credential, allocation, then per sale submit → inspect → approve → interim → final
 * payment) fed through the store's apply path (`store.applyBatch`, the same transaction the sync
 * commits: raw event log, block hashes, projections, cursor) in batches of 5,000 events: no RPC,
 * no decoding, no start-up. Head lag: an in-process Hardhat chain over HTTP mining a block every
 * second, the real sync following it at the service's default settings (HTTP only: the adaptive
 * polling); lag = time from a transaction's receipt (polled every 2 ms) to the store having its
 * block. `npx tsx scripts/bench/indexer.ts --head-lag` measures the head lag alone.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Address, getAddress, type Hex } from "viem";
import { parseEnv } from "../../indexer/src/env.ts";
import { tuneHeapForIndexing } from "../../indexer/src/internal/heap.ts";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import { createIndexer } from "../../indexer/src/service.ts";
import {
  createPgliteDatabase,
  createPostgresDatabase,
  type Database,
} from "../../indexer/src/store/db.ts";
import { createStore } from "../../indexer/src/store/index.ts";
import { type EventRecord, positionOf } from "../../indexer/src/sync/decode.ts";
import { CredentialRegistryAbi } from "../../sdk/index.ts";
import type { Metrics } from "./index.ts";

const REGION = 46810;
/**
 * A deterministic 32-byte hex "hash" of a label. Not keccak: the input is generated between the
 * timed batches, and keccak's garbage (measured: 4.3 s of a 19 s CPU profile of this benchmark)
 * would be collected inside them and counted as indexing.
 */
function hash(label: string): Hex {
  const words: string[] = [];
  for (let seed = 0; seed < 8; seed++) {
    let h = 0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b1);
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    words.push(((h ^ (h >>> 15)) >>> 0).toString(16).padStart(8, "0"));
  }
  return `0x${words.join("")}`;
}
const addressOf = (i: number) => getAddress(`0x${(0x100000 + i).toString(16).padStart(40, "0")}`);

/** A deterministic synthetic season of `total` events, in chain order, ~40 events per block. */
export function syntheticEvents(total: number, chainId = 31337): EventRecord[] {
  return [...syntheticEventStream(total, chainId)];
}

/**
 * The same season, generated lazily (the benchmark's input must not count in its memory): a
 * programme with final prices, then per farm a credential and an allocation, then up to three
 * sales each submitted, inspected, approved and paid.
 */
export function* syntheticEventStream(total: number, chainId = 31337): Generator<EventRecord> {
  const official = addressOf(0);
  const inspector = addressOf(1);
  const registry = addressOf(2);
  const rice = addressOf(3);
  let block = 1;
  let blockHash = hash("block 1");
  let logIndex = 0;
  let produced = 0;
  const make = (
    contract: EventRecord["contract"],
    event: string,
    args: Record<string, unknown>,
    signer: Address,
  ): EventRecord => {
    if (logIndex >= 40) {
      block++;
      blockHash = hash(`block ${block}`);
      logIndex = 0;
    }
    produced++;
    const record: EventRecord = {
      pos: positionOf(block, logIndex),
      chainId,
      blockNumber: block,
      blockHash,
      blockTime: 1_790_000_000 + block * 2,
      txHash: hash(`tx ${block} ${logIndex}`),
      txIndex: logIndex,
      logIndex,
      address: contract === "CredentialRegistry" ? registry : rice,
      contract,
      event,
      args: args as EventRecord["args"],
      signer,
    };
    logIndex++;
    return record;
  };
  const program = [
    make(
      "RicePurchase",
      "ProgramCreated",
      {
        programId: 1,
        official,
        cropYear: 2026,
        nationalQuota: "11250000",
        interimPerUnit: 40000,
        bulkDeduction: 1200,
        deliveryStart: 1_790_000_000,
        deliveryEnd: 1_800_000_000,
        varieties: [101, 102],
        disputePeriod: 1_209_600,
      },
      official,
    ),
    make(
      "RicePurchase",
      "FinalPricesSet",
      {
        programId: 1,
        official,
        farmGatePer80kg: 187268,
        millingFee: 8002,
        millingYieldBps: 7200,
        gradePrices: [66660, 64530, 61660, 54880],
        proposer: official,
        revision: 1,
      },
      official,
    ),
  ];
  for (const e of program.slice(0, total)) yield e;
  for (let farm = 0; produced < total; farm++) {
    const farmer = addressOf(1000 + farm);
    const credentialId = ((BigInt(farmer) << 96n) | (BigInt(REGION) << 64n) | 1n).toString();
    const steps: (() => EventRecord)[] = [
      () =>
        make(
          "CredentialRegistry",
          "CredentialIssued",
          {
            id: credentialId,
            subject: farmer,
            issuer: official,
            role: 0,
            region: REGION,
            claimsHash: hash(`claims ${farm}`),
            expiresAt: 1_900_000_000,
            householdTag: hash(`household ${farm}`).slice(0, 34),
          },
          official,
        ),
      () =>
        make(
          "RicePurchase",
          "QuotaAllocated",
          { programId: 1, farmer, official, region: REGION, units: 400 },
          official,
        ),
    ];
    for (let seq = 1; seq <= 3; seq++) {
      const saleId = (
        (1n << 216n) |
        (BigInt(REGION) << 192n) |
        (BigInt(seq) << 160n) |
        BigInt(farmer)
      ).toString();
      const units = 40 + ((farm * 7 + seq) % 60);
      steps.push(
        () =>
          make(
            "RicePurchase",
            "SaleSubmitted",
            {
              saleId,
              programId: 1,
              farmer,
              region: REGION,
              units,
              packaging: seq % 3,
              variety: 101,
              collectionPoint: 4681001,
            },
            farmer,
          ),
        () =>
          make(
            "RicePurchase",
            "SaleInspected",
            {
              saleId,
              inspector,
              gradeUnits: [0, units - 2, 2, 0],
              rejectedUnits: 0,
              moisturePermille: 145,
              certificateHash: hash(`cert ${saleId}`),
              reinspection: false,
            },
            inspector,
          ),
        () =>
          make(
            "RicePurchase",
            "PurchaseApproved",
            { saleId, official, acceptedUnits: units, interimAmount: String(units * 40000) },
            official,
          ),
        () =>
          make(
            "RicePurchase",
            "PaymentRecorded",
            {
              saleId,
              kind: 0,
              amount: String(units * 40000),
              transferRefHash: hash(`pay ${saleId}`),
              official,
            },
            official,
          ),
      );
    }
    for (const step of steps) {
      if (produced >= total) return;
      yield step();
    }
  }
}

/**
 * Feeds `events` through store.applyBatch in batches of about `batchSize` events ending on block
 * boundaries (as a log range does); returns events per second.
 */
async function backfill(
  db: Database,
  events: Iterable<EventRecord>,
  batchSize = 5_000,
): Promise<number> {
  const store = await createStore({ db });
  await store.initSyncState({ chainId: 31337, addresses: "bench", startBlock: 0 });
  let cursor = -1;
  let count = 0;
  let buffer: EventRecord[] = [];
  /** Time spent in applyBatch only: generating the synthetic input (keccak hashes) is not indexing. */
  let applying = 0;
  const flush = async () => {
    if (buffer.length === 0) return;
    const toBlock = buffer.at(-1)?.blockNumber ?? cursor;
    const numbers = [...new Set(buffer.map((e) => e.blockNumber))];
    const t0 = performance.now();
    await store.applyBatch({
      expectedBlock: cursor,
      toBlock,
      toHash: hash(`block ${toBlock}`),
      headers: numbers.map((n) => ({
        number: n,
        hash: hash(`block ${n}`),
        parentHash: hash(`block ${n - 1}`),
        timestamp: 1_790_000_000 + n * 2,
      })),
      events: buffer,
      keepBlocksFrom: toBlock - 12,
    });
    applying += performance.now() - t0;
    count += buffer.length;
    cursor = toBlock;
    buffer = [];
  };
  for (const event of events) {
    const last = buffer.at(-1);
    if (buffer.length >= batchSize && last !== undefined && last.blockNumber !== event.blockNumber)
      await flush();
    buffer.push(event);
  }
  await flush();
  const seconds = applying / 1000;
  const [row] = await db.query<{ n: number }>("select count(*)::int8 as n from events");
  if (Number(row?.n) !== count) throw new Error(`indexed ${row?.n} of ${count} events`);
  return count / seconds;
}

/** One backfill in this process (a child of run()), printing `{ rate, rssMB }` as JSON. */
async function backfillChild(kind: "pglite" | "postgres", total: number) {
  tuneHeapForIndexing(kind); // as indexer/src/run.ts does
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  let rate: number;
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "jangbu-bench-pglite-"));
    const db = await createPgliteDatabase({ dataDir: dir });
    try {
      rate = await backfill(db, syntheticEventStream(total));
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    const schema = `jangbu_bench_${process.pid}`;
    const db = await createPostgresDatabase({ url, schema });
    try {
      rate = await backfill(db, syntheticEventStream(total));
    } finally {
      await db.exec(`drop schema ${schema} cascade`);
      await db.close();
    }
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(JSON.stringify({ rate, rssMB: peak / 2 ** 20 }));
}

function runChild(
  kind: "pglite" | "postgres",
  total: number,
): Promise<{ rate: number; rssMB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--backfill", kind, String(total)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${kind} backfill exited ${code}`));
      resolve(JSON.parse(line) as { rate: number; rssMB: number });
    });
  });
}

async function headLag(): Promise<number[]> {
  const { startChain } = await import("../../test/indexer/helpers/chain.ts");
  const chain = await startChain();
  const deployment = await chain.deploy();
  const dataDir = mkdtempSync(join(tmpdir(), "jangbu-bench-lag-"));
  const db = await createPgliteDatabase();
  const a = deployment.addresses;
  const env = parseEnv({
    RPC_URL: chain.url,
    CREDENTIAL_REGISTRY_ADDRESS: a.CredentialRegistry,
    RICE_PURCHASE_ADDRESS: a.RicePurchase,
    TENDER_BOARD_ADDRESS: a.TenderBoard,
    FORWARDER_ADDRESS: a.JangbuForwarder,
    START_BLOCK: String(deployment.startBlock),
    // Everything else at the service's defaults (POLL_INTERVAL_MS 500, REORG_DEPTH 12, RPC_WS_URL
    // off: the adaptive polling is what is measured).
    DATA_DIR: dataDir,
  });
  const indexer = await createIndexer({ env, logger: silentLogger, db });
  let failure: unknown;
  indexer.sync.run().catch((error: unknown) => {
    failure = error;
  });
  const until = async (block: number) => {
    const deadline = Date.now() + 30_000;
    while (indexer.sync.status().indexed < block) {
      if (failure !== undefined) throw failure;
      if (Date.now() > deadline) throw new Error(`head lag: block ${block} not indexed in 30 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const lags: number[] = [];
  try {
    const [admin] = await chain.connection.viem.getWalletClients();
    const client = await chain.connection.viem.getPublicClient();
    if (admin === undefined) throw new Error("no account");
    await until(await chain.head());
    // 1 s blocks, as on the consortium chain (QBFT blockperiodseconds 1).
    await chain.request("evm_setAutomine", [false]);
    await chain.request("evm_setIntervalMining", [1_000]);
    // A few blocks for the sync to learn the block interval.
    const warm = (await chain.head()) + 3;
    await until(warm);
    for (let i = 0; i < 60; i++) {
      const hashTx = await admin.writeContract({
        address: a.CredentialRegistry,
        abi: CredentialRegistryAbi,
        functionName: "setIssuer",
        args: [addressOf(50_000 + i), 0, REGION, true],
      });
      const receipt = await client.waitForTransactionReceipt({ hash: hashTx, pollingInterval: 2 });
      const mined = performance.now();
      const block = Number(receipt.blockNumber);
      await until(block);
      lags.push(performance.now() - mined);
      await new Promise((r) => setTimeout(r, Math.random() * 100));
    }
  } finally {
    await indexer.close();
    await db.close();
    await chain.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return lags;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
};

export async function run(): Promise<Metrics> {
  const total = Number(process.env.BENCH_EVENTS ?? 100_000);
  const metrics: Metrics = {};
  // End to end first: a real chain over JSON-RPC, the indexer process from start to caught up.
  const { e2e, summarise } = await import("./indexer-e2e.ts");
  const { chain, runs } = await e2e({ runs: Number(process.env.BENCH_E2E_RUNS ?? 1) });
  metrics["backfill.e2e.events"] = { value: chain.events, unit: "events" };
  metrics["backfill.e2e.blocks"] = { value: chain.blocks, unit: "blocks" };
  for (const [store, label] of [
    ["postgres", "pg"],
    ["pglite", "pglite"],
  ] as const) {
    const s = summarise(runs, runs[0]?.root ?? "", store);
    metrics[`backfill.e2e.${label}.eventsPerSec`] = {
      value: Math.round(s.eventsPerSec),
      unit: "events/s",
    };
    metrics[`backfill.e2e.${label}.rssMB`] = { value: Math.round(s.peakRssMB), unit: "MB" };
  }
  // Store only: pre-decoded synthetic events through the store's apply path (no RPC, no decode).
  const pglite = await runChild("pglite", total);
  console.log(
    `  store only, PGlite: ${Math.round(pglite.rate)} events/s, peak RSS ${Math.round(pglite.rssMB)} MB (${total} synthetic decoded events through the store's apply path)`,
  );
  const postgres = await runChild("postgres", total);
  console.log(
    `  store only, PostgreSQL: ${Math.round(postgres.rate)} events/s, peak RSS ${Math.round(postgres.rssMB)} MB`,
  );
  metrics["backfill.storeOnly.pglite.eventsPerSec"] = {
    value: Math.round(pglite.rate),
    unit: "events/s",
  };
  metrics["backfill.storeOnly.postgres.eventsPerSec"] = {
    value: Math.round(postgres.rate),
    unit: "events/s",
  };
  // The service's own memory (PostgreSQL store); with PGlite the database engine runs inside it.
  metrics["backfill.storeOnly.rssMB"] = { value: Math.round(postgres.rssMB), unit: "MB" };
  metrics["backfill.storeOnly.pglite.rssMB"] = { value: Math.round(pglite.rssMB), unit: "MB" };
  const lags = await headLag();
  const p95 = percentile(lags, 95);
  console.log(
    `  head lag: p50 ${percentile(lags, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (${lags.length} txs)`,
  );
  metrics["headLag.p95Ms"] = { value: Math.round(p95), unit: "ms" };
  return metrics;
}

if (process.argv[2] === "--head-lag") {
  const lags = await headLag();
  console.log(
    `head lag: p50 ${percentile(lags, 50).toFixed(0)} ms, p95 ${percentile(lags, 95).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms (${lags.length} txs)`,
  );
  process.exit(0);
}

if (process.argv[2] === "--backfill") {
  const kind = process.argv[3] === "postgres" ? "postgres" : "pglite";
  await backfillChild(kind, Number(process.argv[4] ?? 100_000));
  process.exit(0);
}
