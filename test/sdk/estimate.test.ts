/**
 * sdk/estimate.ts: the survey dates, the average, the range's assumption, and that an estimate on
 * a complete series is the settlement the final prices from its average give (the same formula).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_MILLING_TERMS,
  estimateSale,
  FARM_GATE_MAX_PRICE,
  FARM_GATE_MIN_PRICE,
  farmGateAverage,
  farmGateOutlook,
  isSurveyDate,
  surveyDates,
} from "../../sdk/estimate.ts";
import { gradePricesOf } from "../../sdk/reducers/programme.ts";
import { settlementOf } from "../../sdk/settlement.ts";

const terms = { interimPerUnit: 56_000n, bulkDeduction: 1_200n, ...DEFAULT_MILLING_TERMS };
const season = [179_000, 177_500, 176_000, 175_000, 174_000, 173_000, 172_000, 170_500, 169_000];
const observe = (prices: readonly number[]) =>
  prices.map((pricePer80kg, i) => ({ date: surveyDates(2026)[i] as number, pricePer80kg }));

describe("farm-gate estimate (sdk/estimate.ts)", () => {
  it("nine survey dates from 5 October to 25 December of the crop year", () => {
    const dates = surveyDates(2026);
    assert.equal(dates.length, 9);
    assert.equal(dates[0], 20261005);
    assert.equal(dates[8], 20261225);
    assert.ok(isSurveyDate(20261115, 2026));
    assert.ok(!isSurveyDate(20261115, 2025));
    assert.ok(!isSurveyDate(20261004, 2026));
    assert.ok(!isSurveyDate(20261226, 2026));
  });

  it("the average rounds down to the won, as FarmGatePrices.averageOf", () => {
    assert.equal(farmGateAverage(season), 174_000);
    assert.equal(farmGateAverage([100_000, 100_001]), 100_000);
    assert.throws(() => farmGateAverage([]), /no observations/);
  });

  it("the range: each remaining price moves at most 3 % from the one before", () => {
    const outlook = farmGateOutlook(observe([200_000]), 2026);
    assert.ok(outlook !== null);
    assert.equal(outlook.remaining, 8);
    assert.equal(outlook.complete, false);
    // Lowest path: 194,000, 188,180, 182,534, … (each ×0.97, rounded down).
    let p = 200_000;
    let sum = p;
    for (let k = 0; k < 8; k++) {
      p = Math.floor((p * 9_700) / 10_000);
      sum += p;
    }
    assert.equal(outlook.low, Math.floor(sum / 9));
    assert.ok(outlook.low < outlook.average && outlook.average < outlook.high);
    assert.equal(farmGateOutlook([], 2026), null);
  });

  it("the range stays within the contract's price bounds", () => {
    const high = farmGateOutlook(observe([FARM_GATE_MAX_PRICE]), 2026);
    const low = farmGateOutlook(observe([FARM_GATE_MIN_PRICE]), 2026);
    assert.equal(high?.high, FARM_GATE_MAX_PRICE);
    assert.equal(low?.low, FARM_GATE_MIN_PRICE);
  });

  it("a complete series: the estimate is the final settlement to the won, for every grade mix", () => {
    const outlook = farmGateOutlook(observe(season), 2026);
    assert.ok(outlook?.complete);
    assert.equal(outlook.low, outlook.average);
    assert.equal(outlook.high, outlook.average);
    const prices = gradePricesOf({ farmGatePer80kg: 174_000, ...DEFAULT_MILLING_TERMS });
    assert.equal(prices.first, 60_400);
    for (const [grades, bulk] of [
      [{ special: 0, first: 20, second: 0, third: 0 }, false],
      [{ special: 3, first: 10, second: 5, third: 2 }, true],
      [{ special: 0, first: 0, second: 0, third: 40 }, false],
    ] as const) {
      const e = estimateSale(grades, bulk, terms, outlook);
      const final = settlementOf(grades, bulk, {
        interimPerUnit: terms.interimPerUnit,
        bulkDeduction: terms.bulkDeduction,
        prices: {
          special: BigInt(prices.special),
          first: BigInt(prices.first),
          second: BigInt(prices.second),
          third: BigInt(prices.third),
        },
      });
      assert.equal(e.finalAmount, final.finalAmount);
      assert.equal(e.low, e.finalAmount);
      assert.equal(e.high, e.finalAmount);
      const balance = final.balance ?? 0n;
      assert.equal(e.clawback, balance < 0n ? -balance : 0n);
    }
  });

  it("clawback risk: 3등 at 56,000 interim owes (56,000 − 51,380) a bag", () => {
    const outlook = farmGateOutlook(observe(season), 2026);
    assert.ok(outlook !== null);
    const e = estimateSale({ special: 0, first: 0, second: 0, third: 10 }, false, terms, outlook);
    // 3등 = 60,407.5 × 85.06 % → 51,380 won.
    assert.equal(e.finalAmount, 513_800n);
    assert.equal(e.clawback, 560_000n - 513_800n);
  });

  it("midway: the lowest path can owe money where the estimate does not", () => {
    const outlook = farmGateOutlook(observe([172_000, 171_000]), 2026);
    assert.ok(outlook !== null);
    const e = estimateSale({ special: 0, first: 0, second: 10, third: 0 }, false, terms, outlook);
    assert.equal(e.interim, 560_000n);
    assert.ok(e.low < e.finalAmount && e.finalAmount < e.high);
    assert.equal(e.clawback, 0n);
    assert.ok(e.clawbackAtLow > 0n, `lowest path ${e.low}`);
  });
});
