/**
 * What a sale is worth and which payment it waits for, exactly as RicePurchase computes them
 * (`_settlement`, `recordPayment`, `recordClawback`): one definition for the indexer's sale record,
 * the official's payment list and the tests.
 *   - interim = accepted units × interimPerUnit;
 *   - final (once the programme's final prices are set) = Σ grade units × grade price, less
 *     accepted units × bulkDeduction for bulk sales; balance = final − interim;
 *   - next due: Approved → the interim; InterimPaid with final prices → the final top-up
 *     (balance ≥ 0) or the clawback to record (balance < 0); ClawbackDue → its repayment;
 *     anything else, or InterimPaid before final prices → nothing.
 */
import { PaymentKind, SaleStateNames } from "./generated/enums.ts";

/** The four grade counts (특, 1, 2, 3) of an inspected sale. */
export interface GradeUnits {
  special: number;
  first: number;
  second: number;
  third: number;
}

/** The programme's payment terms; `prices` is null until the final prices are set. */
export interface PaymentTerms {
  interimPerUnit: bigint;
  bulkDeduction: bigint;
  prices: { special: bigint; first: bigint; second: bigint; third: bigint } | null;
}

export interface Settlement {
  interim: bigint;
  finalAmount: bigint | null;
  /** final − interim; negative: a clawback the farmer owes. Null before final prices. */
  balance: bigint | null;
}

/** RicePurchase `settlementOf` for a sale's grades (null before inspection) and packaging. */
export function settlementOf(
  grades: GradeUnits | null,
  bulk: boolean,
  terms: PaymentTerms,
): Settlement {
  const g = grades ?? { special: 0, first: 0, second: 0, third: 0 };
  const accepted = BigInt(g.special + g.first + g.second + g.third);
  const interim = accepted * terms.interimPerUnit;
  if (terms.prices === null || grades === null)
    return { interim, finalAmount: null, balance: null };
  const p = terms.prices;
  let finalAmount =
    BigInt(g.special) * p.special +
    BigInt(g.first) * p.first +
    BigInt(g.second) * p.second +
    BigInt(g.third) * p.third;
  if (bulk) finalAmount -= accepted * terms.bulkDeduction;
  return { interim, finalAmount, balance: finalAmount - interim };
}

/** The next step of a sale's money: a payment to record, a clawback to record, or nothing. */
export type PaymentDue =
  | { action: "payment"; kind: PaymentKind; amount: bigint }
  | { action: "clawback"; amount: bigint }
  | null;

/**
 * What `recordPayment` (or `recordClawback`) accepts next for a sale in `state` (name or number),
 * with the exact amount it requires (the contract takes a clawback's repayment in one payment).
 */
export function nextPaymentDue(state: string | number, s: Settlement): PaymentDue {
  const name = typeof state === "number" ? SaleStateNames[state] : state;
  switch (name) {
    case "Approved":
      return { action: "payment", kind: PaymentKind.Interim, amount: s.interim };
    case "InterimPaid":
      if (s.balance === null) return null;
      return s.balance >= 0n
        ? { action: "payment", kind: PaymentKind.FinalBalance, amount: s.balance }
        : { action: "clawback", amount: -s.balance };
    case "ClawbackDue":
      if (s.balance === null || s.balance >= 0n) return null;
      return { action: "payment", kind: PaymentKind.ClawbackRepayment, amount: -s.balance };
    default:
      return null;
  }
}
