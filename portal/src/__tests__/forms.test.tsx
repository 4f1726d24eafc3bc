import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import {
  parseAllocationCsv,
  validateInspection,
  validatePicks,
  validateSale,
} from "../lib/validate.ts";
import { CsvAllocation } from "../pages/Official.tsx";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("allocation CSV", () => {
  it("accepts a header and valid rows", () => {
    const r = parseAllocationCsv(`address,units\n${A},120\n${B},"1,000"\n`);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.units)).toEqual([120, 1000]);
    expect(r.total).toBe(1120);
  });
  it("reports every bad row and applies nothing", () => {
    const r = parseAllocationCsv(`${A},120\n0x1234,5\n${B},-3\n${A},7\nonlyone\n`);
    expect(r.rows).toEqual([]);
    expect(r.errors.map((e) => [e.line, e.msg.key])).toEqual([
      [2, "official.errAddress"],
      [3, "official.errUnitsRow"],
      [4, "official.errDuplicate"],
      [5, "official.errColumns"],
    ]);
  });
  it("refuses an empty file", () => {
    expect(parseAllocationCsv("\n\n").errors[0]?.msg.key).toBe("official.errEmpty");
  });
});

describe("CSV import component", () => {
  it("shows the row errors in Korean and keeps the apply button disabled", () => {
    render(<CsvAllocation programmes={[{ id: 1, cropYear: 2026 }]} region={46810} />);
    fireEvent.change(screen.getByLabelText("또는 붙여넣기"), {
      target: { value: `${A},10\nbad,1\n` },
    });
    fireEvent.click(screen.getByRole("button", { name: "검사하기" }));
    expect(screen.getByText(/1개 줄에 오류가 있어 아무것도 배정하지 않았습니다/)).toBeTruthy();
    expect(screen.getByText(/2번째 줄: 주소 형식이 아닙니다/)).toBeTruthy();
    expect(
      (screen.getByRole("button", { name: "한 번에 배정하기" }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });
  it("enables applying when every row is valid", () => {
    render(<CsvAllocation programmes={[{ id: 1, cropYear: 2026 }]} region={46810} />);
    fireEvent.change(screen.getByLabelText("또는 붙여넣기"), {
      target: { value: `${A},10\n${B},20\n` },
    });
    fireEvent.click(screen.getByRole("button", { name: "검사하기" }));
    expect(screen.getByText("2줄 모두 올바릅니다 (합계 30포대).")).toBeTruthy();
    expect(
      (screen.getByRole("button", { name: "한 번에 배정하기" }) as HTMLButtonElement).disabled,
    ).toBe(false);
  });
});

describe("sale form validation", () => {
  const ctx = { remaining: 100, windowStart: "2026-10-05", windowEnd: "2026-12-31", tonBag: 1 };
  const ok = {
    units: "40",
    packaging: 0,
    variety: "101",
    collectionPoint: "4681001",
    day: "2026-10-10",
  };
  it("accepts a valid sale", () => expect(validateSale(ok, ctx)).toEqual({}));
  it("ton bags in steps of 20", () =>
    expect(validateSale({ ...ok, packaging: 1, units: "30" }, ctx).units?.key).toBe(
      "farmer.errTonBag",
    ));
  it("not above the remaining allocation", () => {
    expect(validateSale({ ...ok, units: "101" }, ctx).units).toEqual({
      key: "farmer.errExceeds",
      params: { remaining: 100 },
    });
  });
  it("needs variety, point and a date in the window", () => {
    const e = validateSale({ ...ok, variety: "", collectionPoint: "", day: "2027-01-02" }, ctx);
    expect(Object.keys(e).sort()).toEqual(["collectionPoint", "day", "variety"]);
  });
  it("rejects zero and fractions", () => {
    expect(validateSale({ ...ok, units: "0" }, ctx).units?.key).toBe("farmer.errUnits");
    expect(validateSale({ ...ok, units: "1.5" }, ctx).units?.key).toBe("farmer.errUnits");
  });
});

describe("inspection and bid validation", () => {
  it("grades must add up and moisture 13–15 %", () => {
    expect(
      validateInspection({ units: 40, grades: ["", "40", "", ""], rejected: "", moisture: "14.0" }),
    ).toBeNull();
    expect(
      validateInspection({ units: 40, grades: ["", "30", "", ""], rejected: "", moisture: "14.0" })
        ?.key,
    ).toBe("inspector.errSum");
    expect(
      validateInspection({ units: 40, grades: ["", "40", "", ""], rejected: "", moisture: "16" })
        ?.key,
    ).toBe("inspector.errMoisture");
  });
  it("two distinct picks in 1–15", () => {
    expect(validatePicks(1, 15)).toBeNull();
    expect(validatePicks(3, 3)).not.toBeNull();
    expect(validatePicks(0, 4)).not.toBeNull();
  });
});
