import { describe, expect, it } from "vitest";
import {
  parseReference,
  saleReference,
  saleReferences,
  seoulYear,
  tenderReference,
} from "../../../sdk/references.ts";
import { recordRef } from "../lib/format.ts";
import { hasReceipt } from "../lib/labels.ts";
import { regionCodeOf } from "../lib/reference.ts";
import { mergeRows, searchFilter } from "../pages/Search.tsx";

describe("short references (sdk/references.ts)", () => {
  it("numbers sales per region in chain order and parses them back", () => {
    const refs = saleReferences(
      [
        { saleId: "a", programId: 1, region: 46810 },
        { saleId: "b", programId: 2, region: 46810 },
        { saleId: "c", programId: 1, region: 46820 },
        { saleId: "d", programId: 1, region: 46810 },
      ],
      (p) => (p === 1 ? 2026 : 2027),
    );
    expect([...refs.values()]).toEqual([
      "2026-46810-000001",
      "2027-46810-000002",
      "2026-46820-000001",
      "2026-46810-000003",
    ]);
    expect(parseReference(" 2026-46810-000123 ")).toEqual({
      kind: "sale",
      year: 2026,
      region: 46810,
      ordinal: 123,
    });
    expect(saleReference(2026, 46810, 1_234_567)).toBe("2026-46810-1234567");
    expect(() => saleReference(2026, 46810, 0)).toThrow();
    expect(parseReference("2026-46810-000000")).toBeNull();
    expect(parseReference("0x100b6da0")).toBeNull();
  });

  it("names a tender by its creation year in Seoul, region and id", () => {
    // 2026-12-31 15:30 UTC is already 2027-01-01 in Seoul.
    const t = Date.UTC(2026, 11, 31, 15, 30) / 1000;
    expect(seoulYear(t)).toBe(2027);
    expect(tenderReference(t, 46810, 42n)).toBe("2027-46810-T000042");
    expect(parseReference("2027-46810-t000042")).toEqual({
      kind: "tender",
      year: 2027,
      region: 46810,
      tenderId: "42",
    });
  });
});

describe("search and lists", () => {
  it("finds the region a name stands for, and sends sales text to the API", () => {
    expect(regionCodeOf("강진")).toBe(46810);
    expect(regionCodeOf("전라남도")).toBe(46000);
    expect(regionCodeOf("Gangjin")).toBe(46810);
    expect(regionCodeOf("0x1234")).toBeNull();
    expect(regionCodeOf("서울")).toBeNull();
    expect(searchFilter("sales", "강진군")).toEqual({ q: "46810" });
    expect(searchFilter("sales", "2026-46810-000001")).toEqual({ q: "2026-46810-000001" });
    expect(searchFilter("sales", "0x1234ab…cdef12")).toEqual({ q: "0x1234ab…cdef12" });
    expect(searchFilter("tenders", "트랙터")).toEqual({ q: "트랙터" });
    expect(searchFilter("programs", "x")).toEqual({});
  });

  it("a live refresh keeps the rows already loaded and puts new ones on top", () => {
    const old = [{ id: "3" }, { id: "2" }, { id: "1", state: "Submitted" }];
    const fresh = [{ id: "4" }, { id: "3" }];
    expect(mergeRows(fresh, old).map((x) => x.id)).toEqual(["4", "3", "2", "1"]);
    const changed = mergeRows([{ id: "1", state: "Cancelled" }], old);
    expect(changed.find((x) => x.id === "1")?.state).toBe("Cancelled");
    expect(changed).toHaveLength(3);
  });

  it("shows a record's reference, else a short id; receipts only for bought sales", () => {
    expect(recordRef({ id: "5", ref: "2026-46810-000005" })).toBe("2026-46810-000005");
    expect(recordRef({ id: "7" })).toBe("#7");
    expect(recordRef({ id: (1n << 220n).toString() })).toMatch(/^0x1000…0000$/);
    for (const state of ["Approved", "InterimPaid", "ClawbackDue", "Settled"])
      expect(hasReceipt({ state })).toBe(true);
    for (const state of ["Submitted", "Cancelled", "Inspected", "Rejected", "Disputed"])
      expect(hasReceipt({ state })).toBe(false);
  });
});
