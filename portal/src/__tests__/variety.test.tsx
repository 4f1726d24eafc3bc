/**
 * Issue 24's official and inspector screens: each role sees only the forms it can use, the
 * county's step follows the chain's state and clock, the drawn farms are recomputed in the
 * browser (and a mismatch with the record is said), and the refusals of FarmGatePrices read in
 * Korean.
 */
import { render, screen, waitFor } from "@testing-library/react";
import i18n from "i18next";
import { encodeErrorResult, type Hex } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FarmGatePricesAbi } from "../../../sdk/generated/abis.ts";
import { drawSample, varietySeedCommitment, varietySeedOf } from "../../../sdk/variety.ts";
import { resetConfig } from "../api/client.ts";
import { describeError, errorMessage } from "../chain/errors.ts";
import { setSession } from "../chain/session.ts";
import InspectorVariety from "../pages/InspectorVariety.tsx";
import OfficialVariety from "../pages/OfficialVariety.tsx";

const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const VARIETY_TESTING = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const CHAIN_ID = 31337;
const NOW = 1_790_000_000;
const SECRET = `0x${"ab".repeat(32)}` as Hex;
const ANCHOR_HASH = `0x${"cd".repeat(32)}` as Hex;

const programme = (deliveryEnd: number) => ({
  id: 3,
  cropYear: 2026,
  deliveryStart: new Date((NOW - 86_400) * 1000).toISOString(),
  deliveryEnd: new Date(deliveryEnd * 1000).toISOString(),
});

/** The API and the chain's clock: `routes` maps a path fragment to its JSON answer. */
function mockApi(routes: Record<string, unknown>) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = String(input);
      calls.push(url);
      if (init?.method === "POST" && String(init.body).includes("eth_getBlockByNumber")) {
        const result = { timestamp: `0x${NOW.toString(16)}`, number: "0x10" };
        return new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result }), { status: 200 });
      }
      if (url.includes("/config")) {
        const body = {
          chainId: CHAIN_ID,
          rpcUrl: "http://rpc.test",
          contracts: { VarietyTesting: VARIETY_TESTING },
        };
        return new Response(JSON.stringify(body), { status: 200 });
      }
      const hit = Object.keys(routes)
        .sort((a, b) => b.length - a.length)
        .find((k) => url.includes(k));
      const body = hit ? routes[hit] : { items: [], nextCursor: null };
      return new Response(JSON.stringify(body), { status: 200 });
    }),
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSession(null);
  resetConfig();
  localStorage.clear();
});

describe("official variety page", () => {
  it("a county official before any designation: the designation form, no price form", async () => {
    mockApi({ "/programs?": { items: [programme(NOW + 86_400)] } });
    render(<OfficialVariety region={46810} />);
    await screen.findByText(/아직 지정 품종이 없습니다/);
    expect(screen.getByRole("form", { name: "지정 품종 정하기" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "추첨 약속값 등록" })).toBeNull();
    expect(screen.queryByRole("form", { name: "산지쌀값 기록" })).toBeNull();
  });

  it("designated and the window open: the commitment is offered", async () => {
    mockApi({
      "/programs?": { items: [programme(NOW + 86_400)] },
      "/variety/counties": {
        items: [{ varieties: [101, 102], commitment: null, anchorBlock: null, seed: null }],
      },
    });
    render(<OfficialVariety region={46810} />);
    await screen.findByRole("button", { name: "추첨 약속값 등록" });
    expect(screen.getByTestId("designated").textContent).toContain("새청무, 새일미");
  });

  it("committed, window closed, secret not on this device: the reveal is disabled and says why", async () => {
    const commitment = varietySeedCommitment(3, 46810, SECRET);
    mockApi({
      "/programs?": { items: [programme(NOW - 60)] },
      "/variety/counties": {
        items: [{ varieties: [101], commitment, anchorBlock: null, seed: null }],
      },
    });
    render(<OfficialVariety region={46810} />);
    const reveal = await screen.findByRole("button", { name: "비밀값 공개" });
    expect((reveal as HTMLButtonElement).disabled).toBe(true);
    expect(reveal.getAttribute("aria-describedby")).toBe("variety-no-secret");
    expect(screen.getByTestId("secret-missing").textContent).toMatch(/비밀값이 없어/);
  });

  it("the secret kept on this device enables the reveal", async () => {
    const commitment = varietySeedCommitment(3, 46810, SECRET);
    localStorage.setItem("jangbu.varietySecrets", JSON.stringify({ "3:46810": SECRET }));
    mockApi({
      "/programs?": { items: [programme(NOW - 60)] },
      "/variety/counties": {
        items: [{ varieties: [101], commitment, anchorBlock: null, seed: null }],
      },
    });
    render(<OfficialVariety region={46810} />);
    const reveal = await screen.findByRole("button", { name: "비밀값 공개" });
    expect((reveal as HTMLButtonElement).disabled).toBe(false);
  });

  const drawnRow = (sampledIndex: number[]) => {
    const seed = varietySeedOf({
      chainId: CHAIN_ID,
      varietyTesting: VARIETY_TESTING,
      programId: 3,
      region: 46810,
      secret: SECRET,
      anchorHash: ANCHOR_HASH,
    });
    return {
      programId: 3,
      region: 46810,
      varieties: [101],
      commitment: varietySeedCommitment(3, 46810, SECRET),
      secret: SECRET,
      anchorBlock: 20,
      anchorHash: ANCHOR_HASH,
      seed,
      sellers: 30,
      sampleSize: 2,
      sampled: sampledIndex.map((i) => ({
        sellerIndex: i,
        farmer: `0x${i.toString(16).padStart(40, "0")}`,
      })),
    };
  };

  it("drawn: the sample is recomputed in the browser and matches the record", async () => {
    const row = drawnRow([]);
    const numbers = drawSample(row.seed, 30);
    mockApi({
      "/programs?": { items: [programme(NOW - 60)] },
      "/variety/counties": { items: [drawnRow(numbers)] },
    });
    render(<OfficialVariety region={46810} />);
    const check = await screen.findByTestId("draw-check");
    expect(check.textContent).toBe(
      `이 브라우저에서 다시 계산해도 같은 결과입니다 (농가 번호 ${numbers.join(", ")}).`,
    );
    expect(screen.getAllByTestId("drawn-farm")).toHaveLength(2);
  });

  it("drawn: a listed sample that is not the seed's is reported", async () => {
    const numbers = drawSample(drawnRow([]).seed, 30);
    const wrong = [1, 2].filter((n) => !numbers.includes(n)).length === 2 ? [1, 2] : [3, 4];
    mockApi({
      "/programs?": { items: [programme(NOW - 60)] },
      "/variety/counties": { items: [drawnRow(wrong)] },
    });
    render(<OfficialVariety region={46810} />);
    await waitFor(() =>
      expect(screen.getByTestId("draw-check").textContent).toMatch(/기록과 다릅니다/),
    );
  });

  it("a national official: the farm-gate price form with the nine survey dates, no county forms", async () => {
    mockApi({
      "/programs?": { items: [programme(NOW + 86_400)] },
      "/farm-gate-prices": {
        observations: [{ date: "2026-10-05", pricePer80kg: 221_500 }],
      },
    });
    render(<OfficialVariety region={0} />);
    const form = await screen.findByRole("form", { name: "산지쌀값 기록" });
    const options = [...form.querySelectorAll("option")].map((o) => o.getAttribute("value"));
    expect(options).toEqual([
      "20261005",
      "20261015",
      "20261025",
      "20261105",
      "20261115",
      "20261125",
      "20261205",
      "20261215",
      "20261225",
    ]);
    // Once the series has loaded, the recorded date is marked and the first open one is chosen.
    await screen.findByText("₩221,500");
    await waitFor(() =>
      expect(form.querySelector('option[value="20261005"]')?.textContent).toMatch(/기록됨/),
    );
    expect((form.querySelector("select") as HTMLSelectElement).value).toBe("20261015");
    expect(screen.queryByTestId("county-draw")).toBeNull();
  });

  it("a province official has neither", async () => {
    mockApi({ "/programs?": { items: [programme(NOW + 86_400)] } });
    render(<OfficialVariety region={46000} />);
    await screen.findByText(/이 자격으로는 할 일이 없습니다/);
  });
});

describe("inspector variety results", () => {
  it("shown to an inspector: one form per drawn farm without a result", async () => {
    mockApi({
      "/variety/counties": {
        items: [
          {
            programId: 3,
            region: 46810,
            sampled: [
              { sellerIndex: 4, farmer: "0x0000000000000000000000000000000000000004" },
              { sellerIndex: 9, farmer: "0x0000000000000000000000000000000000000009" },
            ],
          },
        ],
      },
      "/variety/results": {
        items: [{ programId: 3, farmer: "0x0000000000000000000000000000000000000009" }],
      },
      "/programs?": { items: [programme(NOW - 60)] },
    });
    const session = { address: ADDRESS, kind: "demo", role: "Inspector" } as const;
    render(<InspectorVariety session={session} />);
    await screen.findByRole("heading", { name: "품종검정 결과 등록" });
    await waitFor(() => expect(screen.getAllByTestId("variety-pending")).toHaveLength(1));
    expect(screen.getByTestId("variety-pending").getAttribute("data-farmer")).toBe(
      "0x0000000000000000000000000000000000000004",
    );
    expect(screen.getByRole("form", { name: "농가 번호 4의 품종검정 결과" })).toBeTruthy();
  });

  it("hidden from an account without an Inspector credential", async () => {
    const calls = mockApi({ "/credentials": { items: [] } });
    const session = { address: ADDRESS, kind: "keystore" } as const;
    const { container } = render(<InspectorVariety session={session} />);
    await waitFor(() =>
      expect(calls.some((u) => /credentials\?subject=.*role=Inspector.*status=valid/.test(u))).toBe(
        true,
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(container.textContent).toBe("");
  });
});

describe("FarmGatePrices refusals in Korean", () => {
  const t = i18n.getFixedT("ko");
  it.each(FarmGatePricesAbi.filter((i) => i.type === "error").map((i) => [i.name] as const))(
    "%s has a Korean sentence",
    (name) => {
      const text = describeError(t, { name, args: {} });
      expect(text).not.toBe(t("errors.unknown", { name }));
      expect(text).toMatch(/[가-힣]/);
    },
  );

  it("a duplicate date decoded from the revert data", () => {
    const data = encodeErrorResult({
      abi: FarmGatePricesAbi,
      errorName: "DuplicateObservation",
      args: [3, 20261005],
    });
    expect(errorMessage(t, { data })).toBe("이 날짜의 산지쌀값은 이미 기록되었습니다.");
  });
});
