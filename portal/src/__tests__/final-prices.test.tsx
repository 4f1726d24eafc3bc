import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

const signed: { functionName: string; args: unknown[] }[] = [];
vi.mock("../components/sign-store.ts", () => ({
  requestSignature: async (action: { functionName: string; args: unknown[] }) => {
    signed.push(action);
    return { txHash: `0x${"cd".repeat(32)}`, receipt: {} };
  },
}));

import { PendingPrices } from "../pages/Official.tsx";

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
