import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

vi.mock("../chain/tx.ts", () => ({
  RevertError: class extends Error {},
  prepare: vi.fn(async (_s: unknown, action: unknown) => ({
    action,
    config: {},
    request: {
      to: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      nonce: 7n,
      deadline: 1_790_000_000,
    },
  })),
  signAndSend: vi.fn(async () => ({ txHash: `0x${"ab".repeat(32)}`, receipt: {} })),
}));

import { setSession } from "../chain/session.ts";
import SignDialog from "../components/SignDialog.tsx";
import { requestSignature, usePending } from "../components/sign-store.ts";

// jsdom has <dialog> but not its modal methods.
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.setAttribute("open", "");
};
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.removeAttribute("open");
};

function Probe() {
  return <output data-testid="pending">{usePending() ? "open" : "closed"}</output>;
}

describe("signing dialog", () => {
  it("states the action in Korean, hides contract/nonce/deadline in 자세히, and 거래 보기 closes it first", async () => {
    setSession({
      address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      kind: "demo",
      name: "김농부",
    });
    render(
      <>
        <SignDialog />
        <Probe />
      </>,
    );
    let result: Promise<unknown> = Promise.resolve();
    act(() => {
      result = requestSignature({
        contract: "RicePurchase",
        functionName: "cancelSale",
        args: [1n],
        title: "출하 신청 취소 (2026-46810-000123)",
        details: [["수량", "20포대"]],
      });
    });
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe(
      "출하 신청 취소 (2026-46810-000123)",
    );
    const more = screen.getByText("자세히").closest("details") as HTMLDetailsElement;
    expect(more.open).toBe(false);
    expect(more.textContent).toMatch(/요청 번호/);
    expect(more.textContent).toMatch(/공공비축미 매입 계약/);
    expect(document.querySelector(".sign-foot")?.textContent).not.toMatch(/RicePurchase|0x/);
    const confirm = screen.getByTestId("sign-confirm");
    await waitFor(() => expect(confirm).toHaveProperty("disabled", false));
    expect(more.textContent).toMatch(/7/);
    fireEvent.click(confirm);
    await screen.findByText("기록되었습니다.");
    fireEvent.click(screen.getByRole("link", { name: "거래 보기" }));
    await expect(result).resolves.toMatchObject({ txHash: `0x${"ab".repeat(32)}` });
    expect(screen.getByTestId("pending").textContent).toBe("closed");
    expect(location.hash).toBe(`#/tx/0x${"ab".repeat(32)}`);
  });
});
