import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SettlementEstimate } from "../components/SettlementEstimate.tsx";

const dates = ["10-05", "10-15", "10-25", "11-05", "11-15", "11-25", "12-05", "12-15", "12-25"].map(
  (d) => `2026-${d}`,
);
const seriesOf = (prices: number[]) => ({
  programId: 1,
  cropYear: 2026,
  surveyDates: dates,
  observations: prices.map((p, i) => ({ date: dates[i], pricePer80kg: p })),
  outlook: {
    observed: prices.length,
    remaining: 9 - prices.length,
    average: Math.floor(prices.reduce((a, b) => a + b, 0) / prices.length),
    low: 160_000,
    high: 180_000,
    complete: prices.length === 9,
    stepBps: 300,
  },
});

const midway = {
  saleId: "1",
  programId: 1,
  interim: "560000",
  interimPaid: true,
  estimate: {
    finalAmount: "542300",
    low: "500100",
    high: "580900",
    clawback: "17700",
    clawbackAtLow: "59900",
    complete: false,
  },
  actual: null,
};

const panel = () => screen.getByTestId("settlement-estimate");

describe("settlement estimate on the farmer page", () => {
  it("midway: interim, estimate, range, the clawback at risk and a chart, all in Korean", () => {
    render(<SettlementEstimate estimate={midway} series={seriesOf([165_000, 163_000, 162_400])} />);
    const p = panel();
    expect(p.textContent).toMatch(/이미 받은 중간정산금₩560,000/);
    expect(within(p).getByTestId("estimate-final").textContent).toMatch(/₩542,300/);
    expect(within(p).getByTestId("estimate-range").textContent).toMatch(/₩500,100 ~ ₩580,900/);
    expect(within(p).getByTestId("estimate-clawback").textContent).toMatch(/₩17,700/);
    expect(within(p).getByTestId("estimate-note").textContent).toMatch(/₩17,700을 돌려줘야/);
    expect(within(p).getByTestId("estimate-basis").textContent).toMatch(
      /3번 발표.*남은 발표 6번.*3%/,
    );
    const chart = within(p).getByRole("img", { name: /산지쌀값/ });
    expect(chart.querySelectorAll("circle")).toHaveLength(3);
    // The same figures as a table for screen readers.
    expect(within(p).getAllByRole("row")).toHaveLength(4);
    expect(within(p).getAllByRole("row")[1]?.textContent).toBe("10월 5일₩165,000");
    // No English left: the only Latin letters are the unit "kg".
    expect(p.textContent?.replace(/kg/g, "")).not.toMatch(/[A-Za-z]/);
  });

  it("no clawback at the estimate, but one on the lowest path: says how much at most", () => {
    const e = { ...midway, estimate: { ...midway.estimate, finalAmount: "568500", clawback: "0" } };
    render(<SettlementEstimate estimate={e} series={seriesOf([172_000, 171_000])} />);
    expect(within(panel()).getByTestId("estimate-clawback").textContent).toMatch(/없음/);
    expect(within(panel()).getByTestId("estimate-note").textContent).toMatch(/최대 ₩59,900/);
  });

  it("final prices set: the actual figures, no range", () => {
    const e = {
      ...midway,
      estimate: {
        ...midway.estimate,
        finalAmount: "513800",
        low: "513800",
        high: "513800",
        complete: true,
      },
      actual: { finalAmount: "513800", balance: "-46200" },
    };
    render(<SettlementEstimate estimate={e} series={seriesOf(Array(9).fill(174_000))} />);
    const p = panel();
    expect(within(p).getByTestId("actual-final").textContent).toMatch(/₩513,800/);
    expect(within(p).getByTestId("actual-clawback").textContent).toMatch(/₩46,200/);
    expect(within(p).queryByTestId("estimate-range")).toBeNull();
    expect(within(p).queryByTestId("estimate-basis")).toBeNull();
    expect(within(p).getByTestId("estimate-note").textContent).toMatch(/최종 가격이 정해졌습니다/);
  });

  it("before any observation: says there is nothing to estimate from yet", () => {
    render(<SettlementEstimate estimate={{ ...midway, estimate: null }} />);
    expect(panel().textContent).toMatch(/아직 발표된 산지쌀값이 없어/);
    expect(screen.queryByRole("img")).toBeNull();
  });
});
