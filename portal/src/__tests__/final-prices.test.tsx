import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { gradePricesOf } from "../../../sdk/reducers/programme.ts";

const signed: { functionName: string; args: unknown[]; details: [string, string][] }[] = [];
vi.mock("../components/sign-store.ts", () => ({
  requestSignature: async (action: {
    functionName: string;
    args: unknown[];
    details: [string, string][];
  }) => {
    signed.push(action);
    return { txHash: `0x${"cd".repeat(32)}`, receipt: {} };
  },
}));

import { FinalPrices, PendingPrices } from "../pages/Official.tsx";

const PROPOSER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const proposal = {
  official: PROPOSER,
  farmGatePer80kg: "180000",
  millingFee: "8500",
  millingYieldBps: 7200,
  gradePrices: { special: "63780", first: "61740", second: "58990", third: "52510" },
  proposedAt: { at: "2026-12-01T01:00:00.000Z", txHash: `0x${"ab".repeat(32)}`, blockNumber: 9 },
};
const programmes = [
  { id: 1, cropYear: 2026, finalPricesSet: false, pendingProposal: proposal },
  { id: 2, cropYear: 2026, finalPricesSet: true, pendingProposal: null },
];

describe("final prices awaiting a second national official", () => {
  it("shows who proposed, the inputs and the grade prices, and confirms exactly those inputs", async () => {
    const done = vi.fn();
    render(<PendingPrices programmes={programmes} address={OTHER} onDone={done} />);
    const [card, ...more] = screen.getAllByTestId("pending-prices");
    expect(more).toEqual([]);
    const item = card as HTMLElement;
    expect(item.dataset.program).toBe("1");
    expect(item.textContent).toMatch(/최초 가격 제안/);
    expect(item.textContent).toMatch(/180,000/);
    expect(item.textContent).toMatch(/8,500/);
    expect(item.textContent).toMatch(/72%/);
    const cells = Object.fromEntries(
      [...item.querySelectorAll("td[data-grade]")].map((td) => [
        (td as HTMLElement).dataset.grade,
        td.textContent,
      ]),
    );
    expect(cells.first).toMatch(/61,740/);
    expect(cells.special).toMatch(/63,780/);
    expect(within(item).queryByTestId("own-proposal")).toBeNull();
    fireEvent.click(within(item).getByRole("button", { name: "이 제안 확인·확정" }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(signed.at(-1)).toMatchObject({
      functionName: "confirmFinalPrices",
      args: [1, 180_000, 8_500, 7_200],
    });
  });

  it("does not let the proposer confirm its own proposal, and says why", () => {
    render(
      <PendingPrices programmes={programmes} address={PROPOSER.toLowerCase()} onDone={() => {}} />,
    );
    const button = screen.getByRole("button", { name: "이 제안 확인·확정" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByTestId("own-proposal").textContent).toMatch(/다른 세대의 전국 공무원/);
  });

  it("says when nothing awaits confirmation", () => {
    render(<PendingPrices programmes={[programmes[1] ?? {}]} address={OTHER} onDone={() => {}} />);
    expect(screen.getByTestId("no-pending-prices").textContent).toBe(
      "확인을 기다리는 제안이 없습니다.",
    );
  });
});

describe("final prices and the recorded farm-gate series", () => {
  afterEach(() => vi.unstubAllGlobals());
  // RicePurchase takes the farm-gate input as typed; the farmers' estimates use FarmGatePrices'
  // average. The form shows that average, fills it on request and says when the input differs.
  const AVERAGE = 212_345;
  const stubSeries = () =>
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: string) => {
        const body = String(input).includes("/programs/1/farm-gate-prices")
          ? { outlook: { average: AVERAGE, observed: 9, complete: true } }
          : { items: [] };
        return new Response(JSON.stringify(body), { status: 200 });
      }),
    );

  it("shows the series' average, warns when the input is another figure, fills the average", async () => {
    stubSeries();
    render(<FinalPrices programmes={programmes} />);
    await screen.findByText("기록된 산지쌀값 9회의 평균: ₩212,345");
    const input = screen.getByLabelText(/^산지 쌀값/) as HTMLInputElement;
    fireEvent.change(input, { target: { value: "200000" } });
    expect(screen.getByTestId("farm-gate-differs").textContent).toMatch(/평균과 다릅니다/);
    fireEvent.click(screen.getByRole("button", { name: "기록된 평균 넣기" }));
    expect(input.value).toBe(String(AVERAGE));
    expect(screen.queryByTestId("farm-gate-differs")).toBeNull();
  });

  it("signs the inputs with the 1등 price of the sdk's formula and the recorded average beside them", async () => {
    stubSeries();
    render(<FinalPrices programmes={programmes} />);
    await screen.findByText("기록된 산지쌀값 9회의 평균: ₩212,345");
    fireEvent.change(screen.getByLabelText(/^산지 쌀값/), { target: { value: "200000" } });
    fireEvent.change(screen.getByLabelText(/^도정 비용/), { target: { value: "8500" } });
    fireEvent.change(screen.getByLabelText(/^도정 수율/), { target: { value: "73" } });
    fireEvent.submit(screen.getByRole("form", { name: "최종 가격 확정" }));
    await waitFor(() => expect(signed.at(-1)?.functionName).toBe("setFinalPrices"));
    const action = signed.at(-1);
    expect(action?.args).toEqual([1, 200_000, 8_500, 7_300]);
    const details = Object.fromEntries(action?.details ?? []);
    const first = gradePricesOf({
      farmGatePer80kg: 200_000,
      millingFee: 8_500,
      millingYieldBps: 7_300,
    }).first;
    expect(details["1등"]).toBe(`₩${first.toLocaleString("ko-KR")}`);
    expect(details["기록된 산지쌀값 평균"]).toMatch(/₩212,345 \(9회 기록\) · 입력한 산지 쌀값이/);
  });
});
