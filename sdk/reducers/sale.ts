/**
 * A RicePurchase sale folded from its own events (`SaleSubmitted` … `PaymentRecorded`, all indexed
 * by `saleId`), in chain order: the same transitions the contract makes, and what its settlement
 * is worth once the programme's prices are known.
 */
import type { Address, Hex } from "viem";
import type { RicePurchaseAbi } from "../generated/abis.ts";
import { Packaging, PaymentKind, SaleState } from "../generated/enums.ts";
import { decodeSaleId } from "../ids.ts";
import { type Settlement, settlementOf as settlementRule } from "../settlement.ts";
import {
  assertAfter,
  type ChainPosition,
  FoldError,
  foldEvents,
  type HistoryEntry,
  historyEntry,
  type PositionedEvent,
} from "./event.ts";
import type { ProgrammeRecord } from "./programme.ts";

export type { Settlement };

export type RiceEvent = PositionedEvent<typeof RicePurchaseAbi>;

/** One payment or clawback repayment of a sale. */
export interface SalePayment extends ChainPosition {
  readonly kind: PaymentKind;
  readonly amount: bigint;
  readonly transferRefHash: Hex;
  readonly official: Address;
}

export interface SaleRecord {
  readonly id: bigint;
  readonly programId: number;
  readonly region: number;
  readonly seq: number;
  readonly farmer: Address;
  readonly units: number;
  readonly packaging: Packaging;
  readonly variety: number;
  readonly collectionPoint: number;
  /** The delivery day signed with the sale: days since 1970-01-01 of the Korean date. */
  readonly deliveryDay: number;
  readonly state: SaleState;
  /** 특, 1, 2, 3 of the last inspection; null before one. */
  readonly grades: readonly [number, number, number, number] | null;
  readonly rejectedUnits: number | null;
  readonly acceptedUnits: number | null;
  readonly moisturePermille: number | null;
  readonly certificateHash: Hex | null;
  readonly inspector: Address | null;
  readonly inspections: number;
  readonly disputeReasonHash: Hex | null;
  readonly approver: Address | null;
  readonly interimAmount: bigint | null;
  readonly clawbackAmount: bigint | null;
  /** Interim and final top-up paid to the farmer. */
  readonly paidAmount: bigint;
  /** Clawback repaid by the farmer. */
  readonly repaidAmount: bigint;
  readonly payments: readonly SalePayment[];
  readonly history: readonly HistoryEntry[];
}

const SALE_EVENTS = new Set([
  "SaleSubmitted",
  "SaleCancelled",
  "SaleInspected",
  "SaleDisputed",
  "PurchaseApproved",
  "ClawbackRecorded",
  "PaymentRecorded",
]);

/** Whether `event` belongs to a sale's history. */
export const isSaleEvent = (event: { eventName: string }) => SALE_EVENTS.has(event.eventName);

/** The sale after `event`; `sale` undefined only before its `SaleSubmitted`. */
export function applySaleEvent(sale: SaleRecord | undefined, event: RiceEvent): SaleRecord {
  if (event.eventName === "SaleSubmitted") {
    if (sale !== undefined) throw new FoldError(`sale ${event.args.saleId} submitted twice`);
    const a = event.args;
    return {
      id: a.saleId,
      programId: a.programId,
      region: a.region,
      seq: decodeSaleId(a.saleId).seq,
      farmer: a.farmer,
      units: a.units,
      packaging: a.packaging as Packaging,
      variety: a.variety,
      collectionPoint: a.collectionPoint,
      deliveryDay: a.deliveryDay,
      state: SaleState.Submitted,
      grades: null,
      rejectedUnits: null,
      acceptedUnits: null,
      moisturePermille: null,
      certificateHash: null,
      inspector: null,
      inspections: 0,
      disputeReasonHash: null,
      approver: null,
      interimAmount: null,
      clawbackAmount: null,
      paidAmount: 0n,
      repaidAmount: 0n,
      payments: [],
      history: [historyEntry(event)],
    };
  }
  if (sale === undefined) throw new FoldError(`${event.eventName} before the sale was submitted`);
  if (!isSaleEvent(event) || (event.args as { saleId?: bigint }).saleId !== sale.id)
    throw new FoldError(`${event.eventName} is not an event of sale ${sale.id}`);
  assertAfter(sale.history.at(-1), event, `sale ${sale.id}`);
  const next = (change: Partial<SaleRecord>): SaleRecord => ({
    ...sale,
    ...change,
    history: [...sale.history, historyEntry(event)],
  });
  switch (event.eventName) {
    case "SaleCancelled":
      return next({ state: SaleState.Cancelled });
    case "SaleInspected": {
      const a = event.args;
      const [special, first, second, third] = a.gradeUnits;
      const grades = [special ?? 0, first ?? 0, second ?? 0, third ?? 0] as const;
      const accepted = grades[0] + grades[1] + grades[2] + grades[3];
      const state =
        accepted === 0
          ? a.reinspection
            ? SaleState.RejectedOnReinspection
            : SaleState.Rejected
          : a.reinspection
            ? SaleState.Reinspected
            : SaleState.Inspected;
      return next({
        state,
        grades,
        rejectedUnits: a.rejectedUnits,
        acceptedUnits: accepted,
        moisturePermille: a.moisturePermille,
        certificateHash: a.certificateHash,
        inspector: a.inspector,
        inspections: sale.inspections + 1,
      });
    }
    case "SaleDisputed":
      return next({ state: SaleState.Disputed, disputeReasonHash: event.args.reasonHash });
    case "PurchaseApproved":
      return next({
        state: SaleState.Approved,
        approver: event.args.official,
        acceptedUnits: event.args.acceptedUnits,
        interimAmount: event.args.interimAmount,
      });
    case "ClawbackRecorded":
      return next({ state: SaleState.ClawbackDue, clawbackAmount: event.args.amount });
    case "PaymentRecorded": {
      const a = event.args;
      const kind = a.kind as PaymentKind;
      const repayment = kind === PaymentKind.ClawbackRepayment;
      return next({
        state: kind === PaymentKind.Interim ? SaleState.InterimPaid : SaleState.Settled,
        paidAmount: repayment ? sale.paidAmount : sale.paidAmount + a.amount,
        repaidAmount: repayment ? sale.repaidAmount + a.amount : sale.repaidAmount,
        payments: [
          ...sale.payments,
          {
            kind,
            amount: a.amount,
            transferRefHash: a.transferRefHash,
            official: a.official,
            blockNumber: event.blockNumber,
            logIndex: event.logIndex,
            transactionHash: event.transactionHash,
            ...(event.blockTime === undefined ? {} : { blockTime: event.blockTime }),
          },
        ],
      });
    }
    default:
      throw new FoldError(`${event.eventName} is not an event of sale ${sale.id}`);
  }
}

/** Folds a sale's events, in chain order, into its state. */
export function foldSale(events: readonly RiceEvent[]): SaleRecord {
  return foldEvents(events, applySaleEvent, "SaleSubmitted");
}

/** interim / final / balance by sdk/settlement.ts's rule (RicePurchase.settlementOf). */
export function settlementOf(sale: SaleRecord, programme: ProgrammeRecord | undefined): Settlement {
  if (programme === undefined) return { interim: 0n, finalAmount: null, balance: null };
  const [special, first, second, third] = sale.grades ?? [0, 0, 0, 0];
  const prices = programme.finalPrices;
  return settlementRule(
    sale.grades === null ? null : { special, first, second, third },
    sale.packaging === Packaging.Bulk,
    {
      interimPerUnit: BigInt(programme.interimPerUnit),
      bulkDeduction: BigInt(programme.bulkDeduction),
      prices:
        prices === null
          ? null
          : {
              special: BigInt(prices.special),
              first: BigInt(prices.first),
              second: BigInt(prices.second),
              third: BigInt(prices.third),
            },
    },
  );
}
