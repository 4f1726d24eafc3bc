/**
 * Issue 21 item 9: the official screen is split into pages, open only to an account holding a
 * valid Official credential (it was one 6,000 px page any signed-in user could open).
 */
import { render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setSession } from "../chain/session.ts";
import Official from "../pages/Official.tsx";

const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/** The API: `credentials` answers the given Official credentials, every other list is empty. */
function mockApi(officialCredentials: unknown[]) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string) => {
      const url = String(input);
      calls.push(url);
      const items = url.includes("/credentials") ? officialCredentials : [];
      return new Response(JSON.stringify({ items, nextCursor: null }), { status: 200 });
    }),
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSession(null);
  location.hash = "";
});

describe("official pages", () => {
  it("refuses an account without a valid Official credential", async () => {
    const calls = mockApi([]);
    setSession({ address: ADDRESS, kind: "keystore" });
    location.hash = "#/official/payments";
    render(<Official />);
    await screen.findByText(/유효한 공무원 자격이 있는 계정만/);
    expect(screen.queryByRole("navigation", { name: "공무원 업무" })).toBeNull();
    // It asked for this address's valid Official credentials, nothing else.
    expect(
      calls.some((u) => /credentials\?subject=0x7099.*role=Official.*status=valid/.test(u)),
    ).toBe(true);
    expect(calls.some((u) => u.includes("/sales"))).toBe(false);
  });

  it("shows one page at a time to an official, with links to the six pages", async () => {
    mockApi([{ id: "1", role: "Official", region: 46810, status: "valid" }]);
    setSession({ address: ADDRESS, kind: "keystore" });
    location.hash = "#/official/payments";
    render(<Official />);
    const nav = await screen.findByRole("navigation", { name: "공무원 업무" });
    const links = [...nav.querySelectorAll("a")].map((a) => a.getAttribute("href"));
    expect(links).toEqual([
      "#/official/approvals",
      "#/official/payments",
      "#/official/programmes",
      "#/official/credentials",
      "#/official/tenders",
      "#/official/variety",
    ]);
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe("지급");
    await waitFor(() => expect(screen.getByRole("heading", { name: "지급 기록" })).toBeTruthy());
    expect(screen.getAllByRole("heading", { level: 2 }).length).toBe(1);
    // Only the payments page: no approval list, no credential form.
    expect(screen.queryByRole("heading", { name: "매입 승인 대기" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "자격 발급·폐지" })).toBeNull();
  });
});
