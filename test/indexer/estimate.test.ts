/**
 * The farm-gate series and settlement estimates over an index of the demo season: programme 2's
 * series is complete and its final prices came from its average, so every sale's estimate must
 * equal its actual settlement to the won — the indexer's and the contract's own `settlementOf`;
 * programme 1 is midway, with a range around its estimate. Bad input gets 400/404.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { FARM_GATE_SERIES, P2_FINAL_INPUTS } from "../../scripts/seed/rice.ts";
import { farmGateAverage } from "../../sdk/estimate.ts";
import { FarmGatePricesAbi, RicePurchaseAbi } from "../../sdk/generated/abis.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { envFor, indexUntil } from "./helpers/indexer.ts";

type Json = Record<string, unknown>;
type Estimate = {
  saleId: string;
  programId: number;
  farmer: string;
  interim: string;
  estimate: {
    finalAmount: string;
    low: string;
    high: string;
    clawback: string;
    clawbackAtLow: string;
    complete: boolean;
  } | null;
  actual: { finalAmount: string; balance: string } | null;
};

describe("farm-gate prices and settlement estimates (API)", () => {
  let chain: TestChain & { lastBlock: number };
  let db: Database;
  let indexer: Indexer;
  const get = async <T = Json>(path: string, status = 200): Promise<T> => {
    const res = await indexer.app.request(path);
    const text = await res.text();
    assert.equal(res.status, status, `${path} → ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };

  before(async () => {
    chain = await startSeededChain();
    db = await createPgliteDatabase();
    indexer = await indexUntil(envFor(chain.url, chain.deployment), db, chain.lastBlock);
  });
  after(async () => {
    await indexer?.close();
    await db?.close();
    await chain?.close();
  });

  const programmes = async () => {
    const { items } = await get<{ items: Json[] }>("/api/v1/programs?limit=10");
    const final = items.find((p) => p.finalPricesSet === true);
    const open = items.find((p) => p.finalPricesSet !== true);
    assert.ok(final !== undefined && open !== undefined);
    return { p1: Number(open.id), p2: Number(final.id) };
  };

  it("serves each programme's series as the contract holds it", async () => {
    const { p1, p2 } = await programmes();
    const client = await chain.connection.viem.getPublicClient();
    for (const [id, prices] of [
      [p1, FARM_GATE_SERIES[1]],
      [p2, FARM_GATE_SERIES[2]],
    ] as const) {
      const series = await get<{
        observations: { date: string; pricePer80kg: number }[];
        surveyDates: string[];
        outlook: { observed: number; remaining: number; average: number; complete: boolean };
      }>(`/api/v1/programs/${id}/farm-gate-prices`);
      assert.deepEqual(
        series.observations.map((o) => o.pricePer80kg),
        [...prices],
      );
      assert.equal(series.observations[0]?.date, "2026-10-05");
      assert.equal(series.surveyDates.length, 9);
      assert.equal(series.outlook.observed, prices.length);
      assert.equal(series.outlook.remaining, 9 - prices.length);
      const onChain = await client.readContract({
        address: chain.deployment.addresses.FarmGatePrices,
        abi: FarmGatePricesAbi,
        functionName: "averageOf",
        args: [id],
      });
      assert.equal(series.outlook.average, onChain);
      assert.equal(series.outlook.average, farmGateAverage(prices));
    }
  });

  it("complete series: every estimate equals the final settlement to the won", async () => {
    const { p2 } = await programmes();
    const programme = await get<{
      finalMatchesObservations: boolean;
      finalPrices: Json;
      estimatedPrices: { atAverage: Json };
      millingTerms: { source: string };
    }>(`/api/v1/programs/${p2}/estimate`);
    assert.equal(programme.finalMatchesObservations, true);
    assert.equal(programme.millingTerms.source, "final");
    assert.equal(programme.finalPrices.farmGatePer80kg, P2_FINAL_INPUTS.farmGatePer80kg);
    for (const grade of ["special", "first", "second", "third"])
      assert.equal(programme.estimatedPrices.atAverage[grade], programme.finalPrices[grade], grade);

    const client = await chain.connection.viem.getPublicClient();
    const { items: sales } = await get<{ items: Json[] }>(`/api/v1/sales?program=${p2}&limit=200`);
    let compared = 0;
    let clawbacks = 0;
    for (const sale of sales) {
      if (!["InterimPaid", "ClawbackDue", "Settled"].includes(String(sale.state))) continue;
      const e = await get<Estimate>(`/api/v1/sales/${sale.id}/estimate`);
      assert.ok(e.estimate !== null && e.actual !== null, `sale ${sale.id}`);
      assert.equal(e.estimate.complete, true);
      assert.equal(e.estimate.finalAmount, e.actual.finalAmount, `sale ${sale.id}`);
      assert.equal(e.estimate.low, e.estimate.finalAmount);
      assert.equal(e.estimate.high, e.estimate.finalAmount);
      const [interim, finalAmount, balance] = await client.readContract({
        address: chain.deployment.addresses.RicePurchase,
        abi: RicePurchaseAbi,
        functionName: "settlementOf",
        args: [BigInt(String(sale.id))],
      });
      assert.equal(e.interim, interim.toString());
      assert.equal(e.estimate.finalAmount, finalAmount.toString(), `sale ${sale.id} on chain`);
      assert.equal(e.actual.balance, balance.toString());
      assert.equal(e.estimate.clawback, (balance < 0n ? -balance : 0n).toString());
      if (balance < 0n) clawbacks++;
      compared++;
    }
    assert.ok(compared >= 5, `compared ${compared} sales`);
    assert.ok(clawbacks >= 1, "the demo's 3등 sales owe a clawback");
  });

  it("midway series: an estimate with a range and no actual figures yet", async () => {
    const { p1 } = await programmes();
    const { items: sales } = await get<{ items: Json[] }>(
      `/api/v1/sales?program=${p1}&state=InterimPaid&limit=5`,
    );
    const sale = sales[0];
    assert.ok(sale !== undefined);
    const e = await get<Estimate>(`/api/v1/sales/${sale.id}/estimate`);
    assert.equal(e.actual, null);
    assert.ok(e.estimate !== null);
    assert.equal(e.estimate.complete, false);
    const [low, mid, high] = [e.estimate.low, e.estimate.finalAmount, e.estimate.high].map(BigInt);
    assert.ok(low !== undefined && mid !== undefined && high !== undefined);
    assert.ok(low < mid && mid < high, `${low} < ${mid} < ${high}`);
    const programme = await get<{ millingTerms: { source: string }; finalPrices: null }>(
      `/api/v1/programs/${p1}/estimate`,
    );
    assert.equal(programme.millingTerms.source, "default");
    assert.equal(programme.finalPrices, null);

    // The farm's list holds the same estimate.
    const mine = await get<{ items: Estimate[] }>(`/api/v1/estimates?farmer=${sale.farmer}`);
    assert.deepEqual(
      mine.items.find((x) => x.saleId === sale.id),
      e,
    );
    assert.ok(mine.items.every((x) => x.farmer === sale.farmer));
  });

  it("bad input: 400 and 404, never a 500", async () => {
    await get("/api/v1/programs/999/farm-gate-prices", 404);
    await get("/api/v1/programs/999/estimate", 404);
    await get("/api/v1/programs/0/estimate", 400);
    await get("/api/v1/sales/12345/estimate", 404);
    await get("/api/v1/estimates?farmer=nope", 400);
    await get("/api/v1/estimates", 400);
    const openapi = await get<{ paths: Record<string, unknown> }>("/openapi.json");
    for (const path of [
      "/api/v1/programs/{id}/farm-gate-prices",
      "/api/v1/programs/{id}/estimate",
      "/api/v1/sales/{id}/estimate",
      "/api/v1/estimates",
    ])
      assert.ok(path in openapi.paths, path);
  });
});
