/**
 * A RicePurchase programme folded from the events indexed by its `programId`: its creation,
 * final-price proposals and confirmations, regional quotas and farm allocations. `history` holds
 * only the programme's own events (creation and prices), as its page lists them; quotas and
 * allocations keep their own positions.
 */
import type { Address } from "viem";
import {
  assertAfter,
  type ChainPosition,
  FoldError,
  foldEvents,
  type HistoryEntry,
  historyEntry,
} from "./event.ts";
import type { RiceEvent } from "./sale.ts";

/** The published statistic's inputs final prices are computed from. */
export interface PriceInputs {
  readonly farmGatePer80kg: number;
  readonly millingFee: number;
  readonly millingYieldBps: number;
}

/** Final prices per 40 kg, by grade, in won. */
export interface GradePrices {
  readonly special: number;
  readonly first: number;
  readonly second: number;
  readonly third: number;
}

/** Grade ratios to the unrounded 1등 price, in 1/10,000 (특 103.3 %, 1등, 2등 95.56 %, 3등 85.06 %). */
const RATIOS = [10_330n, 10_000n, 9_556n, 8_506n] as const;
/** ÷10,000 (yield bps) ÷2 (80 kg → 40 kg) ÷10,000 (ratio) ÷10 (round down to 10 won). */
const PRICE_DENOMINATOR = 10_000n * 2n * 10_000n * 10n;

/**
 * RicePurchase.computeGradePrices: every grade, 1등 included, from the unrounded 1등 price
 * (farm-gate − milling fee) × yield ÷ 2, then rounded down to 10 won.
 */
export function gradePricesOf(inputs: PriceInputs): GradePrices {
  const numerator =
    BigInt(inputs.farmGatePer80kg - inputs.millingFee) * BigInt(inputs.millingYieldBps);
  const [special, first, second, third] = RATIOS.map((r) =>
    Number(((numerator * r) / PRICE_DENOMINATOR) * 10n),
  ) as [number, number, number, number];
  return { special, first, second, third };
}

export interface QuotaRecord {
  readonly region: number;
  readonly parentRegion: number;
  readonly units: bigint;
  readonly official: Address;
  readonly created: ChainPosition;
  readonly updated: ChainPosition;
}

export interface AllocationRecord {
  readonly farmer: Address;
  readonly region: number;
  readonly units: number;
  readonly official: Address;
  readonly created: ChainPosition;
  readonly updated: ChainPosition;
}

export interface ProgrammeRecord {
  readonly id: number;
  readonly official: Address;
  readonly cropYear: number;
  readonly nationalQuota: bigint;
  readonly interimPerUnit: number;
  readonly bulkDeduction: number;
  readonly deliveryStart: number;
  readonly deliveryEnd: number;
  readonly varieties: readonly [number, number];
  readonly disputePeriod: number;
  /** Inputs of the prices in effect; null until confirmed. */
  readonly priceInputs: PriceInputs | null;
  /** The prices `FinalPricesSet` carried (the contract's own computation); null until set. */
  readonly finalPrices: GradePrices | null;
  readonly priceRevision: number;
  readonly pricesProposedBy: Address | null;
  readonly pricesConfirmedBy: Address | null;
  /** A proposal waiting for its confirmation. */
  readonly proposal: (PriceInputs & { readonly official: Address }) | null;
  readonly quotas: ReadonlyMap<number, QuotaRecord>;
  readonly allocations: ReadonlyMap<Address, AllocationRecord>;
  /** The programme's own events (creation, price proposals and confirmations). */
  readonly history: readonly HistoryEntry[];
  /** The last event folded of any kind (for chain order). */
  readonly last: ChainPosition;
}

const OWN_EVENTS = new Set(["ProgramCreated", "FinalPricesProposed", "FinalPricesSet"]);
const PROGRAMME_EVENTS = new Set([...OWN_EVENTS, "RegionAllocated", "QuotaAllocated"]);

/** Whether `event` is folded into a programme (its own events, quotas and allocations). */
export const isProgrammeEvent = (event: { eventName: string }) =>
  PROGRAMME_EVENTS.has(event.eventName);

const inputsOf = (a: PriceInputs): PriceInputs => ({
  farmGatePer80kg: a.farmGatePer80kg,
  millingFee: a.millingFee,
  millingYieldBps: a.millingYieldBps,
});

/** The programme after `event`; `programme` undefined only before its `ProgramCreated`. */
export function applyProgrammeEvent(
  programme: ProgrammeRecord | undefined,
  event: RiceEvent,
): ProgrammeRecord {
  return applyProgramme(programme, event, false);
}

/**
 * The same rule as {@link applyProgrammeEvent}, for a fold that owns `programme` (keeps no earlier
 * state of it): a quota or allocation event updates the programme's `quotas` or `allocations` map
 * in place instead of copying it. Copying made folding a programme quadratic: 98,000
 * allocations of 2,000 farms copied 2,000-entry maps 98,000 times (most of `npm run verify`'s time
 * on the 100,000-event benchmark chain). Every check runs before anything is changed, so a refused
 * event leaves `programme` as it was.
 */
export function applyProgrammeEventOwned(
  programme: ProgrammeRecord | undefined,
  event: RiceEvent,
): ProgrammeRecord {
  return applyProgramme(programme, event, true);
}

function applyProgramme(
  programme: ProgrammeRecord | undefined,
  event: RiceEvent,
  owned: boolean,
): ProgrammeRecord {
  if (event.eventName === "ProgramCreated") {
    if (programme !== undefined)
      throw new FoldError(`programme ${event.args.programId} created twice`);
    const a = event.args;
    return {
      id: a.programId,
      official: a.official,
      cropYear: a.cropYear,
      nationalQuota: a.nationalQuota,
      interimPerUnit: a.interimPerUnit,
      bulkDeduction: a.bulkDeduction,
      deliveryStart: a.deliveryStart,
      deliveryEnd: a.deliveryEnd,
      varieties: [a.varieties[0] ?? 0, a.varieties[1] ?? 0],
      disputePeriod: a.disputePeriod,
      priceInputs: null,
      finalPrices: null,
      priceRevision: 0,
      pricesProposedBy: null,
      pricesConfirmedBy: null,
      proposal: null,
      quotas: new Map(),
      allocations: new Map(),
      history: [historyEntry(event)],
      last: historyEntry(event),
    };
  }
  if (programme === undefined)
    throw new FoldError(`${event.eventName} before the programme was created`);
  if (!isProgrammeEvent(event) || (event.args as { programId?: number }).programId !== programme.id)
    throw new FoldError(`${event.eventName} is not an event of programme ${programme.id}`);
  assertAfter(programme.last, event, `programme ${programme.id}`);
  const here = historyEntry(event);
  const own = (change: Partial<ProgrammeRecord>): ProgrammeRecord => ({
    ...programme,
    ...change,
    history: [...programme.history, here],
    last: here,
  });
  switch (event.eventName) {
    case "FinalPricesProposed":
      return own({ proposal: { ...inputsOf(event.args), official: event.args.official } });
    case "FinalPricesSet": {
      const a = event.args;
      const [special, first, second, third] = a.gradePrices;
      return own({
        priceInputs: inputsOf(a),
        finalPrices: {
          special: special ?? 0,
          first: first ?? 0,
          second: second ?? 0,
          third: third ?? 0,
        },
        priceRevision: a.revision,
        pricesProposedBy: a.proposer,
        pricesConfirmedBy: a.official,
        proposal: null,
      });
    }
    case "RegionAllocated": {
      const a = event.args;
      const quotas = new Map(programme.quotas);
      quotas.set(a.region, {
        region: a.region,
        parentRegion: a.parentRegion,
        units: a.units,
        official: a.official,
        created: programme.quotas.get(a.region)?.created ?? here,
        updated: here,
      });
      return { ...programme, quotas, last: here };
    }
    case "QuotaAllocated": {
      const a = event.args;
      const allocations = owned
        ? (programme.allocations as Map<Address, AllocationRecord>)
        : new Map(programme.allocations);
      allocations.set(a.farmer, {
        farmer: a.farmer,
        region: a.region,
        units: a.units,
        official: a.official,
        created: programme.allocations.get(a.farmer)?.created ?? here,
        updated: here,
      });
      return { ...programme, allocations, last: here };
    }
    default:
      throw new FoldError(`${event.eventName} is not an event of programme ${programme.id}`);
  }
}

/** Folds a programme's events, in chain order, into its state. */
export function foldProgramme(events: readonly RiceEvent[]): ProgrammeRecord {
  // The fold owns every intermediate state: only the last one leaves it.
  return foldEvents(events, applyProgrammeEventOwned, "ProgramCreated");
}

/**
 * What a region passed down: its sub-regions' quotas, or (a 시군, code not a multiple of 1,000)
 * its farms' allocations — as the programme page shows it.
 */
export function distributedOf(programme: ProgrammeRecord, region: number): bigint {
  let sum = 0n;
  for (const q of programme.quotas.values())
    if (q.parentRegion === region && q.region !== region) sum += q.units;
  if (region % 1000 !== 0)
    for (const a of programme.allocations.values()) if (a.region === region) sum += BigInt(a.units);
  return sum;
}
