/** sdk/settlement.ts's rule for a sale and its programme as the API gives them. */
import {
  nextPaymentDue,
  type PaymentDue,
  type PaymentTerms,
  type Settlement,
  settlementOf,
} from "../../../sdk/settlement.ts";
import { packagingName, saleStateName } from "./labels.ts";

/** An API record (kept local: this module also runs in Node, in the tests, without the DOM). */
type Json = Record<string, unknown>;

/** The programme's payment terms from its API record (`finalPrices` null until set). */
export function termsOf(programme: Json): PaymentTerms {
  const fp = programme.finalPrices as Record<string, unknown> | null | undefined;
  const big = (v: unknown) => BigInt(String(v ?? 0));
  return {
    interimPerUnit: big(programme.interimPerUnit),
    bulkDeduction: big(programme.bulkDeduction),
    prices:
      programme.finalPricesSet === true && fp
        ? {
            special: big(fp.special),
            first: big(fp.first),
            second: big(fp.second),
            third: big(fp.third),
          }
        : null,
  };
}

/** A sale's interim, final amount and balance under its programme (sdk/settlement.ts). */
export function settlementOfSale(sale: Json, programme: Json): Settlement {
  const g = sale.grades as Record<string, unknown> | null | undefined;
  const grades = g
    ? {
        special: Number(g.special ?? 0),
        first: Number(g.first ?? 0),
        second: Number(g.second ?? 0),
        third: Number(g.third ?? 0),
      }
    : null;
  return settlementOf(grades, packagingName(sale.packaging) === "Bulk", termsOf(programme));
}

/** The one payment (or clawback) the sale waits for, with its exact amount; null: none due. */
export function paymentDueOf(sale: Json, programme: Json | undefined): PaymentDue {
  if (programme === undefined) return null;
  return nextPaymentDue(saleStateName(sale.state), settlementOfSale(sale, programme));
}
