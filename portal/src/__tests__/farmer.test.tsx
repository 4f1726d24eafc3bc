import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { allocationRemaining, unitsHeld } from "../../../sdk/allocation.ts";
import { FarmerHome } from "../pages/Farmer.tsx";

const FARMER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const NOW = Date.UTC(2026, 9, 15) / 1000; // chain time: inside programme 1's window only
const iso = (s: number) => new Date(s * 1000).toISOString();

const programmes = [
  {
    id: 1,
    cropYear: 2026,
    deliveryStart: iso(NOW - 86_400 * 10),
    deliveryEnd: iso(NOW + 86_400 * 30),
    varieties: [1],
  },
  {
    id: 2,
    cropYear: 2025,
    deliveryStart: iso(NOW - 86_400 * 400),
    deliveryEnd: iso(NOW - 86_400 * 300),
    varieties: [1],
  },
];
const sale = (programId: number, state: string, units: number, acceptedUnits: number | null) => ({
  id: String(programId * 1000 + units),
  programId,
  farmer: FARMER,
  units,
  state,
  acceptedUnits,
  packaging: "Bag40",
  variety: 1,
  collectionPoint: 1,
});
const sales = [
  sale(1, "Submitted", 20, null), // holds 20
  sale(1, "Rejected", 30, 0), // holds nothing: free again
  sale(1, "Cancelled", 40, null), // holds nothing
  sale(1, "Approved", 50, 45), // holds the 45 accepted
  sale(1, "Disputed", 10, 7), // holds the first inspection's 7
  sale(2, "Settled", 60, 60),
  // Inspected and rejected: one still inside its dispute period, one past it (both hold nothing).
  { ...sale(1, "Rejected", 31, 0), disputeDeadline: iso(NOW + 86_400 * 5) },
  { ...sale(1, "Rejected", 32, 0), disputeDeadline: iso(NOW - 60) },
];

function mockApi(list = programmes, extra: Record<string, unknown> = {}) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = String(input);
      const json = (body: unknown) =>
        new Response(JSON.stringify(body), {
          headers: { "content-type": "application/json" },
        });
      for (const [path, body] of Object.entries(extra)) if (url.includes(path)) return json(body);
      if (init?.method === "POST")
        return json({ jsonrpc: "2.0", id: 1, result: { timestamp: `0x${NOW.toString(16)}` } });
      if (url.includes("/accounts/"))
        return json({
          address: FARMER,
          allocations: [
            { programId: 1, units: 400 },
            { programId: 2, units: 100 },
          ],
        });
      if (url.includes("/sales")) return json({ items: sales, nextCursor: null });
      if (url.includes("/programs")) return json({ items: list, nextCursor: null });
      if (url.includes("/config")) return json({ rpcUrl: "http://rpc.test", chainId: 31337 });
      return json({});
    }),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("farm allocation: what a sale holds (sdk/allocation.ts, as RicePurchase.committed)", () => {
  it("frees the units of rejected and cancelled sales, holds accepted units after inspection", () => {
    expect(unitsHeld({ state: "Submitted", units: 20 })).toBe(20);
    expect(unitsHeld({ state: "Rejected", units: 30, acceptedUnits: 0 })).toBe(0);
    expect(unitsHeld({ state: "RejectedOnReinspection", units: 30, acceptedUnits: 0 })).toBe(0);
    expect(unitsHeld({ state: "Cancelled", units: 40 })).toBe(0);
    expect(unitsHeld({ state: "Inspected", units: 50, acceptedUnits: 45 })).toBe(45);
    expect(unitsHeld({ state: "Disputed", units: 10, acceptedUnits: 7 })).toBe(7);
    expect(unitsHeld({ state: 11, units: 60, acceptedUnits: 58 })).toBe(58);
    expect(allocationRemaining(400, sales.slice(0, 5))).toBe(400 - 20 - 45 - 7);
  });
});

describe("farmer with allocations in two programmes", () => {
  it("gets a sale form for the open programme and a Korean note for the closed one", async () => {
    mockApi();
    render(<FarmerHome session={{ address: FARMER, kind: "demo" }} />);
    await waitFor(() => expect(screen.getAllByTestId("allocation")).toHaveLength(2));
    const [one, two] = screen.getAllByTestId("allocation") as [HTMLElement, HTMLElement];
    await waitFor(() => expect(within(one).getByTestId("sale-form")).toBeTruthy());
    expect(within(one).getByTestId("remaining").textContent).toBe("328");
    expect(within(two).queryByTestId("sale-form")).toBeNull();
    expect(within(two).getByTestId("window-closed").textContent).toMatch(/출하 기간이 끝났습니다/);
    expect(within(two).getByTestId("remaining").textContent).toBe("40");
    expect(screen.getAllByTestId("sale-form")).toHaveLength(1);
  });

  it("gets one form per allocation when both windows are open, the open ones listed first", async () => {
    const reopened = programmes.map((p) => ({ ...p, deliveryEnd: iso(NOW + 86_400) }));
    mockApi(reopened);
    render(<FarmerHome session={{ address: FARMER, kind: "demo" }} />);
    await waitFor(() => expect(screen.getAllByTestId("sale-form")).toHaveLength(2));
    expect(screen.getAllByTestId("sale-form").map((f) => f.dataset.program)).toEqual(["1", "2"]);
    expect(screen.queryByTestId("window-closed")).toBeNull();
  });
});

describe("the dispute period of an inspected sale", () => {
  it("offers the dispute only until the deadline (chain time), and says when it ends or ended", async () => {
    mockApi();
    render(<FarmerHome session={{ address: FARMER, kind: "demo" }} />);
    await waitFor(() => expect(screen.getAllByTestId("my-sale").length).toBe(sales.length));
    const card = (units: number) =>
      screen
        .getAllByTestId("my-sale")
        .find((c) => c.querySelector("h3")?.textContent?.startsWith(`${units} `)) as HTMLElement;
    const open = card(31);
    expect(within(open).getByTestId("dispute-deadline").textContent).toMatch(
      /이의 신청 기한: .*까지/,
    );
    expect(within(open).getByRole("button", { name: "재검사 요청" })).toBeTruthy();
    const closed = card(32);
    expect(within(closed).getByTestId("dispute-deadline").textContent).toMatch(
      /이의 신청 기간이 .*끝났습니다/,
    );
    expect(within(closed).queryByRole("button", { name: "재검사 요청" })).toBeNull();
    // A sale past inspection shows no deadline and no dispute button.
    const approved = card(50);
    expect(within(approved).queryByTestId("dispute-deadline")).toBeNull();
    expect(within(approved).queryByRole("button", { name: "재검사 요청" })).toBeNull();
  });
});

describe("variety testing (issue 24) and the delivery date (issue 21)", () => {
  it("tells an excluded farmer why and for which crop years, in Korean", async () => {
    mockApi(programmes, {
      "/exclusions": {
        items: [
          {
            farmer: FARMER,
            fromYear: 2027,
            toYear: 2031,
            programId: 2,
            offTypePermille: 260,
            reason: "variety test",
          },
        ],
        nextCursor: null,
      },
    });
    render(<FarmerHome session={{ address: FARMER, kind: "demo" }} />);
    const notice = await screen.findByTestId("exclusion");
    expect(notice.textContent).toMatch(/매입 제외/);
    expect(notice.textContent).toMatch(/26%/);
    expect(notice.textContent).toMatch(/2027년산부터 2031년산까지/);
    expect(notice.textContent).not.toMatch(/[A-Za-z]{3,}/);
  });

  it("shows no notice to a farm that is not excluded, and each sale's delivery date", async () => {
    const dated = sales.map((x, i) => (i === 0 ? { ...x, deliveryDate: "2026-10-20" } : x));
    mockApi(programmes, { "/sales": { items: dated, nextCursor: null } });
    render(<FarmerHome session={{ address: FARMER, kind: "demo" }} />);
    await waitFor(() => expect(screen.getAllByTestId("my-sale").length).toBe(sales.length));
    expect(screen.queryByTestId("exclusion")).toBeNull();
    const dates = screen.getAllByTestId("delivery-date");
    expect(dates).toHaveLength(1);
    expect(dates[0]?.textContent).toMatch(/출하 예정일 2026년 10월 20일/);
  });

  it("warns that a variety outside the county's designation is refused", async () => {
    mockApi(programmes, {
      "/accounts/": {
        address: FARMER,
        allocations: [{ programId: 1, units: 400, region: 46810 }],
      },
      "/variety/counties": {
        items: [{ programId: 1, region: 46810, varieties: [102] }],
        nextCursor: null,
      },
    });
    render(<FarmerHome session={{ address: FARMER, kind: "demo" }} />);
    const form = await screen.findByTestId("sale-form");
    // The form starts on the county's first variety: no warning.
    expect(within(form).queryByText(/우리 군이 정한 품종이 아닙니다/)).toBeNull();
    const select = form.querySelector("select[name=variety]") as HTMLSelectElement;
    expect(select.value).toBe("102");
    fireEvent.change(select, { target: { value: "101" } });
    expect(within(form).getByText(/우리 군이 정한 품종이 아닙니다/)).toBeTruthy();
  });
});
