/**
 * A sale's final settlement estimated from the farm-gate prices (산지쌀값) published so far, with
 * the programme's own formula: the series' average is the farm-gate input of `gradePricesOf`
 * (RicePurchase.computeGradePrices), whose grade prices go through `settlementOf` exactly as the
 * final prices will. Once the last survey date is in, the estimate is the final figure to the won
 * (when the final prices are confirmed from that average with the same milling terms).
 *
 * The series (FarmGatePrices.sol): survey dates are the 5th, 15th and 25th of October to December
 * of the crop year, nine in all; the final farm-gate input is their average, rounded down.
 *
 * The range ("could still reach") assumes each remaining observation moves at most
 * `RANGE_STEP_BPS` (3 %) from the one before, the lowest path falling and the highest rising by
 * that much at every step (bounded by the contract's price bounds). Ten-day changes of the
 * published series rarely reach 2 %; 3 % a step allows about 24 % over the whole window.
 */
import { SaleState } from "./generated/enums.ts";
import type { GradePrices, PriceInputs } from "./reducers/programme.ts";
import { gradePricesOf } from "./reducers/programme.ts";
import { type GradeUnits, settlementOf } from "./settlement.ts";

/** Survey days of each month in the window (FarmGatePrices.isSurveyDate). */
export const SURVEY_DAYS = [5, 15, 25] as const;
/** Months of the window: October to December of the crop year. */
export const SURVEY_MONTHS = [10, 11, 12] as const;
/** FarmGatePrices.MIN_PRICE / MAX_PRICE: won per 80 kg. */
export const FARM_GATE_MIN_PRICE = 50_000;
export const FARM_GATE_MAX_PRICE = 500_000;
/** The largest move of one remaining observation from the one before, in 1/10,000 (3 %). */
export const RANGE_STEP_BPS = 300;

/**
 * The milling terms an estimate uses until the programme's final-price inputs are proposed (they
 * are not on chain before): the published terms of the last season (도정 비용 8,500 won per 80 kg,
 * 도정수율 73 %). Once a proposal or final prices exist, their own terms are used.
 */
export const DEFAULT_MILLING_TERMS = { millingFee: 8_500, millingYieldBps: 7_300 } as const;

/** One recorded observation: `date` as `yyyymmdd`, price in won per 80 kg. */
export interface FarmGateObservation {
  readonly date: number;
  readonly pricePer80kg: number;
}

/** The nine survey dates of crop year `cropYear`, oldest first (`yyyymmdd`). */
export function surveyDates(cropYear: number): number[] {
  return SURVEY_MONTHS.flatMap((m) => SURVEY_DAYS.map((d) => cropYear * 10_000 + m * 100 + d));
}

/** FarmGatePrices.isSurveyDate. */
export function isSurveyDate(date: number, cropYear: number): boolean {
  return surveyDates(cropYear).includes(date);
}

/** The average of the prices, rounded down to the won (FarmGatePrices.averageOf). */
export function farmGateAverage(prices: readonly number[]): number {
  if (prices.length === 0) throw new Error("farm-gate average of no observations");
  const sum = prices.reduce((a, b) => a + b, 0);
  return Math.floor(sum / prices.length);
}

/** Where the series' average stands and where it could still end. */
export interface FarmGateOutlook {
  /** Observations recorded. */
  readonly observed: number;
  /** Survey dates after the newest observation. */
  readonly remaining: number;
  /** The average of the observations so far. */
  readonly average: number;
  /** The final average if every remaining observation falls / rises by the step. */
  readonly low: number;
  readonly high: number;
  /** True when the newest observation is the window's last survey date: the average is final. */
  readonly complete: boolean;
}

/** The outlook of a series (observations oldest first, as FarmGatePrices keeps them). */
export function farmGateOutlook(
  observations: readonly FarmGateObservation[],
  cropYear: number,
): FarmGateOutlook | null {
  const last = observations.at(-1);
  if (last === undefined) return null;
  const prices = observations.map((o) => o.pricePer80kg);
  const remaining = surveyDates(cropYear).filter((d) => d > last.date).length;
  const path = (sign: 1 | -1) => {
    const all = [...prices];
    let p = last.pricePer80kg;
    for (let k = 0; k < remaining; k++) {
      p = Math.floor((p * (10_000 + sign * RANGE_STEP_BPS)) / 10_000);
      p = Math.min(FARM_GATE_MAX_PRICE, Math.max(FARM_GATE_MIN_PRICE, p));
      all.push(p);
    }
    return farmGateAverage(all);
  };
  return {
    observed: observations.length,
    remaining,
    average: farmGateAverage(prices),
    low: path(-1),
    high: path(1),
    complete: remaining === 0,
  };
}

/** The settlement terms of a programme an estimate needs. */
export interface EstimateTerms {
  readonly interimPerUnit: bigint;
  readonly bulkDeduction: bigint;
  readonly millingFee: number;
  readonly millingYieldBps: number;
}

/** A sale's estimate: interim and the final amount at the average, its range and the risk. */
export interface SaleEstimate {
  readonly interim: bigint;
  /** The final amount if the final price were fixed from the average so far. */
  readonly finalAmount: bigint;
  readonly low: bigint;
  readonly high: bigint;
  /** What the farmer would owe back at the estimate (interim − estimate, 0 if none). */
  readonly clawback: bigint;
  /** What she would owe back on the lowest path. */
  readonly clawbackAtLow: bigint;
}

/** The grade prices a farm-gate figure gives with the terms' milling inputs. */
export function estimatedGradePrices(farmGatePer80kg: number, terms: EstimateTerms): GradePrices {
  const inputs: PriceInputs = {
    farmGatePer80kg,
    millingFee: terms.millingFee,
    millingYieldBps: terms.millingYieldBps,
  };
  return gradePricesOf(inputs);
}

/** The final amount of a sale (`settlementOf`) if the final prices came from `farmGatePer80kg`. */
export function finalAmountAt(
  grades: GradeUnits,
  bulk: boolean,
  terms: EstimateTerms,
  farmGatePer80kg: number,
): bigint {
  const p = estimatedGradePrices(farmGatePer80kg, terms);
  const s = settlementOf(grades, bulk, {
    interimPerUnit: terms.interimPerUnit,
    bulkDeduction: terms.bulkDeduction,
    prices: {
      special: BigInt(p.special),
      first: BigInt(p.first),
      second: BigInt(p.second),
      third: BigInt(p.third),
    },
  });
  // settlementOf gives a final amount whenever prices and grades are both given.
  return s.finalAmount ?? 0n;
}

/** The estimate of an inspected sale (its grades) from the series' outlook. */
export function estimateSale(
  grades: GradeUnits,
  bulk: boolean,
  terms: EstimateTerms,
  outlook: FarmGateOutlook,
): SaleEstimate {
  const { interim } = settlementOf(grades, bulk, { ...terms, prices: null });
  const finalAmount = finalAmountAt(grades, bulk, terms, outlook.average);
  const low = finalAmountAt(grades, bulk, terms, outlook.low);
  const high = finalAmountAt(grades, bulk, terms, outlook.high);
  const owed = (amount: bigint) => (amount < interim ? interim - amount : 0n);
  return { interim, finalAmount, low, high, clawback: owed(finalAmount), clawbackAtLow: owed(low) };
}

/** The sale states with grades and an interim amount that stands (or will once approved): the
 * sales an estimate is given for. */
export const ESTIMATED_SALE_STATES: readonly SaleState[] = [
  SaleState.Inspected,
  SaleState.Reinspected,
  SaleState.Disputed,
  SaleState.Approved,
  SaleState.InterimPaid,
  SaleState.ClawbackDue,
  SaleState.Settled,
];

/** The sale states in which the interim amount has been paid. */
export const INTERIM_PAID_STATES: readonly SaleState[] = [
  SaleState.InterimPaid,
  SaleState.ClawbackDue,
  SaleState.Settled,
];
