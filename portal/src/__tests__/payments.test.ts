/**
 * Issue 21 item 4: the official's list shows only the next payment due, with its amount. The old
 * list offered "대금 지급" on every InterimPaid sale, before final prices (₩0, refused by the
 * contract) and again after the interim. The chain's own answer is checked in
 * test/indexer/portal-data.test.ts; here, each state's rule.
 */
import { describe, expect, it } from "vitest";
import { PaymentKind } from "../../../sdk/generated/enums.ts";
import { paymentDueOf } from "../lib/payments.ts";

const programme = (final: boolean) => ({
  id: 1,
  interimPerUnit: "50000",
  bulkDeduction: "1000",
  finalPricesSet: final,
  finalPrices: final ? { special: "62000", first: "60000", second: "55000", third: "40000" } : null,
});
const sale = (
  state: string,
  packaging = "Bag40",
  grades = { special: 0, first: 10, second: 0, third: 2 },
) => ({
  state,
  packaging,
  grades,
  acceptedUnits: grades.special + grades.first + grades.second + grades.third,
  programId: 1,
});

describe("paymentDueOf (sdk/settlement.ts nextPaymentDue)", () => {
  it("Approved: the interim, accepted units × interimPerUnit", () => {
    expect(paymentDueOf(sale("Approved"), programme(false))).toEqual({
      action: "payment",
      kind: PaymentKind.Interim,
      amount: 600_000n,
    });
  });

  it("InterimPaid before final prices: nothing due (the old list offered ₩0)", () => {
    expect(paymentDueOf(sale("InterimPaid"), programme(false))).toBeNull();
  });

  it("InterimPaid after final prices: the top-up, or the clawback to record", () => {
    // 10 × 60,000 + 2 × 40,000 = 680,000; interim 600,000 → top-up 80,000.
    expect(paymentDueOf(sale("InterimPaid"), programme(true))).toEqual({
      action: "payment",
      kind: PaymentKind.FinalBalance,
      amount: 80_000n,
    });
    // Bulk: less 12 × 1,000 → 68,000.
    expect(paymentDueOf(sale("InterimPaid", "Bulk"), programme(true))).toMatchObject({
      amount: 68_000n,
    });
    // All third grade: 12 × 40,000 = 480,000 < 600,000 → a clawback of 120,000.
    const low = sale("InterimPaid", "Bag40", { special: 0, first: 0, second: 0, third: 12 });
    expect(paymentDueOf(low, programme(true))).toEqual({ action: "clawback", amount: 120_000n });
    expect(paymentDueOf({ ...low, state: "ClawbackDue" }, programme(true))).toEqual({
      action: "payment",
      kind: PaymentKind.ClawbackRepayment,
      amount: 120_000n,
    });
  });

  it("nothing due in any other state or without the programme", () => {
    for (const state of ["Submitted", "Inspected", "Disputed", "Settled", "Cancelled"])
      expect(paymentDueOf(sale(state), programme(true))).toBeNull();
    expect(paymentDueOf(sale("Approved"), undefined)).toBeNull();
  });
});

describe("validTransferRef (what the official types from the bank's slip)", () => {
  it("takes any printable reference of 4–64 characters, refuses empty, short, long and control", async () => {
    const { validTransferRef } = await import("../pages/OfficialPayments.tsx");
    for (const ok of [
      "농협 입금 2026120500042 (환수금)",
      "351-1234-5678-93",
      "KB#0042/12.05",
      "abcd",
    ])
      expect(validTransferRef(ok), ok).toBe(true);
    for (const bad of ["", "   ", "abc", "x".repeat(65), "ab\ncd", "ab\u0000cd"])
      expect(validTransferRef(bad), JSON.stringify(bad)).toBe(false);
  });
});
