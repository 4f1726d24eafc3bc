/**
 * `npm run bench -- indexer`: backfill throughput into PGlite and PostgreSQL, peak RSS, and head
 * lag on a real chain.
 *
 * Backfill: 100,000 synthetic decoded jangbu events (a season of farms: credential, allocation,
 * then per sale submit → inspect → approve → interim → final payment) fed through the store's
 * apply path (`store.applyBatch`, the same transaction the sync commits: raw event log, block
 * hashes, projections, cursor) in batches of 5,000 events. Generating 100,000 real events on a
 * chain takes far longer than indexing them, so the RPC side is not part of this figure (the sync
 * tests cover it). Head lag: an in-process Hardhat chain over HTTP, the real sync following it
 * (POLL_INTERVAL_MS 50); lag = time from a transaction's receipt to the store having its block.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Address, getAddress, keccak256, toHex } from "viem";
import { parseEnv } from "../../indexer/src/env.ts";
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
const hash = (s: string) => keccak256(toHex(s));
const addressOf = (i: number) => getAddress(`0x${(0x100000 + i).toString(16).padStart(40, "0")}`);

/** A deterministic synthetic season of `total` events, in chain order, ~40 events per block. */
export function syntheticEvents(total: number, chainId = 31337): EventRecord[] {
  const events: EventRecord[] = [];
  const official = addressOf(0);
  const inspector = addressOf(1);
  const registry = addressOf(2);
  const rice = addressOf(3);
  let block = 1;
  let logIndex = 0;
  const push = (
    contract: EventRecord["contract"],
    event: string,
    args: Record<string, unknown>,
    signer: Address,
  ) => {
    if (logIndex >= 40) {
      block++;
      logIndex = 0;
    }
    const blockHash = hash(`block ${block}`);
    events.push({
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
    });
    logIndex++;
  };
  push(
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
    },
    official,
  );
  push(
    "RicePurchase",
    "FinalPricesSet",
    {
      programId: 1,
      official,
      farmGatePer80kg: 187268,
      millingFee: 8002,
      millingYieldBps: 7200,
      gradePrices: [66660, 64530, 61660, 54880],
    },
    official,
  );
  for (let farm = 0; events.length < total; farm++) {
    const farmer = addressOf(1000 + farm);
    const credentialId = ((BigInt(farmer) << 96n) | (BigInt(REGION) << 64n) | 1n).toString();
    push(
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
      },
      official,
    );
    push(
      "RicePurchase",
      "QuotaAllocated",
      { programId: 1, farmer, official, region: REGION, units: 400 },
      official,
    );
    for (let seq = 1; seq <= 3 && events.length < total; seq++) {
      const saleId = (
        (1n << 216n) |
        (BigInt(REGION) << 192n) |
        (BigInt(seq) << 160n) |
        BigInt(farmer)
      ).toString();
      const units = 40 + ((farm * 7 + seq) % 60);
      push(
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
      );
      push(
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
      );
      push(
        "RicePurchase",
        "PurchaseApproved",
        { saleId, official, acceptedUnits: units, interimAmount: String(units * 40000) },
        official,
      );
      push(
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
      );
    }
  }
  return events.slice(0, total);
}

/** Feeds `events` through store.applyBatch in batches; returns events per second. */
async function backfill(db: Database, events: EventRecord[], batchSize = 5_000): Promise<number> {
  const store = await createStore({ db });
  await store.initSyncState({ chainId: 31337, addresses: "bench", startBlock: 0 });
  let cursor = -1;
  const started = performance.now();
  for (let i = 0; i < events.length; i += batchSize) {
    let batch = events.slice(i, i + batchSize);
    // A batch ends on a block boundary, as a log range does.
    const lastBlock = batch.at(-1)?.blockNumber ?? cursor;
    const next = events[i + batchSize];
    if (next !== undefined && next.blockNumber === lastBlock) {
      batch = batch.filter((e) => e.blockNumber < lastBlock);
    }
    const toBlock = batch.at(-1)?.blockNumber ?? cursor;
    const blocks = [...new Set(batch.map((e) => e.blockNumber))].map((n) => ({
      number: n,
      hash: hash(`block ${n}`),
      parentHash: hash(`block ${n - 1}`),
      timestamp: 1_790_000_000 + n * 2,
    }));
    await store.applyBatch({
      expectedBlock: cursor,
      toBlock,
      toHash: hash(`block ${toBlock}`),
      headers: blocks,
      events: batch,
      keepBlocksFrom: toBlock - 12,
    });
    cursor = toBlock;
    i -= batchSize - batch.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const [row] = await db.query<{ n: number }>("select count(*)::int8 as n from events");
  if (Number(row?.n) !== events.length)
    throw new Error(`indexed ${row?.n} of ${events.length} events`);
  return events.length / seconds;
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
    REORG_DEPTH: "0",
    POLL_INTERVAL_MS: "50",
    DATA_DIR: dataDir,
  });
  const indexer = await createIndexer({ env, logger: silentLogger, db });
  void indexer.sync.run();
  const lags: number[] = [];
  try {
    const [admin] = await chain.connection.viem.getWalletClients();
    const client = await chain.connection.viem.getPublicClient();
    if (admin === undefined) throw new Error("no account");
    const head = await chain.head();
    while (indexer.sync.status().indexed < head) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 60; i++) {
      const hashTx = await admin.writeContract({
        address: a.CredentialRegistry,
        abi: CredentialRegistryAbi,
        functionName: "setIssuer",
        args: [addressOf(50_000 + i), 0, REGION, true],
      });
      const receipt = await client.waitForTransactionReceipt({ hash: hashTx, pollingInterval: 5 });
      const mined = performance.now();
      const block = Number(receipt.blockNumber);
      while (indexer.sync.status().indexed < block) await new Promise((r) => setTimeout(r, 2));
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
  const events = syntheticEvents(total);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const metrics: Metrics = {};
  try {
    const dir = mkdtempSync(join(tmpdir(), "jangbu-bench-pglite-"));
    const pglite = await createPgliteDatabase({ dataDir: dir });
    try {
      const rate = await backfill(pglite, events);
      console.log(
        `  backfill PGlite: ${Math.round(rate)} events/s (${total} synthetic events, store apply path)`,
      );
      metrics["backfill.pglite.eventsPerSec"] = { value: Math.round(rate), unit: "events/s" };
    } finally {
      await pglite.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    const schema = `jangbu_bench_${process.pid}`;
    const postgres = await createPostgresDatabase({ url, schema });
    try {
      const rate = await backfill(postgres, events);
      console.log(`  backfill PostgreSQL: ${Math.round(rate)} events/s`);
      metrics["backfill.postgres.eventsPerSec"] = { value: Math.round(rate), unit: "events/s" };
    } finally {
      await postgres.exec(`drop schema ${schema} cascade`);
      await postgres.close();
    }
    metrics["backfill.rssMB"] = { value: Math.round(peak / 2 ** 20), unit: "MB" };
    console.log(`  peak RSS: ${Math.round(peak / 2 ** 20)} MB`);
  } finally {
    clearInterval(sampler);
  }
  const lags = await headLag();
  const p95 = percentile(lags, 95);
  console.log(
    `  head lag: p50 ${percentile(lags, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (${lags.length} txs)`,
  );
  metrics["headLag.p95Ms"] = { value: Math.round(p95), unit: "ms" };
  return metrics;
}
