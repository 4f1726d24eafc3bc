/**
 * "체인과 직접 대조": the comparison mapping (each difference one Korean line), and the rebuild
 * against a fake node answering real encoded logs: a tampered state, amount, grade, a dropped
 * event and an invented record are each named; the node's problems are sentences, never a crash.
 */
import {
  type AbiEvent,
  decodeEventLog,
  encodeAbiParameters,
  encodeEventTopics,
  type Hex,
  toEventSelector,
} from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RicePurchaseAbi, VarietyTestingAbi } from "../../../sdk/generated/abis.ts";
import type { Json, PortalConfig } from "../api/client.ts";
import { describeDifference } from "../chain/audit-labels.ts";
import { NodeProblem, parseNodeUrl, probeNode } from "../chain/audit-node.ts";
import { auditRecord, auditTx, contractsOf } from "../chain/rebuild.ts";
import i18n from "../i18n/index.ts";
import { problemMessage } from "../pages/verify-panels.tsx";

const t = i18n.t.bind(i18n);

describe("each difference as one Korean line", () => {
  it("amounts in won, states, grades, addresses, events and records", () => {
    expect(
      describeDifference(t, "sale", { field: "paidAmount", api: "4000000", chain: "800000" }),
    ).toBe("지급액: 서버 ₩4,000,000 ≠ 체인 ₩800,000");
    expect(
      describeDifference(t, "sale", { field: "state", api: "Settled", chain: "InterimPaid" }),
    ).toBe("상태: 서버 최종 정산 완료 ≠ 체인 중간정산금 지급");
    expect(describeDifference(t, "sale", { field: "grades.first", api: "30", chain: "40" })).toBe(
      "1등 수량: 서버 30 ≠ 체인 40",
    );
    expect(
      describeDifference(t, "sale", {
        field: "settlement.balance",
        api: "-100",
        chain: "250000",
      }),
    ).toBe("정산: 잔액 (추가 지급 또는 환수): 서버 −₩100 ≠ 체인 ₩250,000");
    expect(
      describeDifference(t, "tender", {
        field: "winner",
        api: "0x1111111111111111111111111111111111111111",
        chain: "0x2222222222222222222222222222222222222222",
      }),
    ).toBe("낙찰자: 서버 0x1111…1111 ≠ 체인 0x2222…2222");
    expect(
      describeDifference(t, "sale", {
        field: "history[12/3 PaymentRecorded]",
        api: undefined,
        chain: "0xabc",
      }),
    ).toBe("서버가 빠뜨림: 이력: 대금 지급 기록 (블록 12) (체인에는 있음)");
    expect(
      describeDifference(t, "sale", { field: "payments[9/1]", api: "Interim", chain: undefined }),
    ).toBe("서버가 지어냄: 지급 기록 (블록 9) (체인에는 없음)");
    expect(
      describeDifference(t, "tender", {
        field: "bids[0x3333333333333333333333333333333333333333|1].status",
        api: "Revealed",
        chain: "Forfeited",
      }),
    ).toMatch(/^입찰 0x3333…3333 \(1차 공고\) · 상태: 서버 Revealed ≠ 체인 Forfeited$/);
    expect(
      describeDifference(t, "sale", { field: "(record)", api: "exists", chain: undefined }),
    ).toMatch(/체인에 없습니다/);
    expect(
      describeDifference(t, "credential", { field: "status", api: "valid", chain: "revoked" }),
    ).toBe("상태: 서버 유효 ≠ 체인 폐지됨");
    expect(describeDifference(t, "tender", { field: "reserve", api: null, chain: "1000" })).toBe(
      "예정가격: 서버 비어 있음 ≠ 체인 ₩1,000",
    );
  });
});

// ---- a fake node serving encoded RicePurchase logs ----

const RICE = "0x00000000000000000000000000000000000000aa";
const FARMER = "0x00000000000000000000000000000000000000f1";
const OFFICIAL = "0x00000000000000000000000000000000000000b2";
const INSPECTOR = "0x00000000000000000000000000000000000000c3";
/** programId << 216 | region << 192 | seq << 160 | farmer (RicePurchase's sale id). */
const SALE_ID = (1n << 216n) | (46810n << 192n) | (7n << 160n) | BigInt(FARMER);

function encodeLog(
  name: string,
  args: Record<string, unknown>,
  block: number,
  index: number,
  abi: readonly unknown[] = RicePurchaseAbi,
  address = RICE,
) {
  const item = (abi as readonly AbiEvent[]).find(
    (i) => i.type === "event" && i.name === name,
  ) as AbiEvent;
  const topics = encodeEventTopics({
    abi: [item],
    eventName: name,
    args: Object.fromEntries(
      item.inputs.filter((i) => i.indexed).map((i) => [i.name, args[i.name ?? ""]]),
    ),
  } as never) as Hex[];
  const plain = item.inputs.filter((i) => !i.indexed);
  const data = encodeAbiParameters(
    plain,
    plain.map((i) => args[i.name ?? ""]),
  );
  return {
    address,
    topics,
    data,
    blockNumber: `0x${block.toString(16)}`,
    logIndex: `0x${index.toString(16)}`,
    transactionHash: `0x${block.toString(16).padStart(64, "0")}`,
  };
}

const LOGS = [
  encodeLog(
    "ProgramCreated",
    {
      programId: 1,
      official: OFFICIAL,
      cropYear: 2026,
      nationalQuota: 1000000n,
      interimPerUnit: 40000,
      bulkDeduction: 1000,
      deliveryStart: 1_790_000_000n,
      deliveryEnd: 1_800_000_000n,
      varieties: [101, 0],
      disputePeriod: 604800,
    },
    2,
    0,
  ),
  encodeLog(
    "SaleSubmitted",
    {
      saleId: SALE_ID,
      programId: 1,
      farmer: FARMER,
      region: 46810,
      units: 20,
      packaging: 0,
      variety: 101,
      collectionPoint: 4681001,
      deliveryDay: 20_718,
    },
    3,
    0,
  ),
  encodeLog(
    "SaleInspected",
    {
      saleId: SALE_ID,
      inspector: INSPECTOR,
      gradeUnits: [0, 20, 0, 0],
      rejectedUnits: 0,
      moisturePermille: 150,
      certificateHash: `0x${"11".repeat(32)}`,
      reinspection: false,
    },
    4,
    0,
  ),
  encodeLog(
    "PurchaseApproved",
    { saleId: SALE_ID, official: OFFICIAL, acceptedUnits: 20, interimAmount: 800000n },
    5,
    0,
  ),
  encodeLog(
    "PaymentRecorded",
    {
      saleId: SALE_ID,
      kind: 0,
      amount: 800000n,
      transferRefHash: `0x${"22".repeat(32)}`,
      official: OFFICIAL,
    },
    6,
    1,
  ),
];

/** Serves eth_chainId, eth_blockNumber, eth_getBlockByNumber and eth_getLogs (topic filters). */
function fakeNode(chainId = 31337, logs = LOGS) {
  return vi.fn(async (_url: string, init?: RequestInit) => {
    const req = JSON.parse(String(init?.body)) as { method: string; params: unknown[] };
    const answer = (result: unknown) =>
      new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result }), {
        headers: { "content-type": "application/json" },
      });
    if (req.method === "eth_chainId") return answer(`0x${chainId.toString(16)}`);
    if (req.method === "eth_blockNumber") return answer("0x10");
    if (req.method === "eth_getBlockByNumber") {
      const n = Number(req.params[0]);
      return answer({
        number: req.params[0],
        timestamp: `0x${(1_790_000_000 + n * 12).toString(16)}`,
      });
    }
    if (req.method === "eth_getTransactionReceipt")
      return answer(
        req.params[0] === LOGS[1]?.transactionHash
          ? { blockNumber: "0x3", status: "0x1", logs: [LOGS[1]] }
          : null,
      );
    if (req.method === "eth_getLogs") {
      const f = req.params[0] as { topics: (string | string[] | null)[] };
      const match = (topic: string | undefined, want: string | string[] | null | undefined) =>
        want === null ||
        want === undefined ||
        (Array.isArray(want) ? want.includes(topic ?? "") : want === topic);
      return answer(logs.filter((l) => f.topics.every((w, i) => match(l.topics[i], w))));
    }
    return new Response("{}", { status: 400 });
  });
}

const cfg: PortalConfig = {
  chainId: 31337,
  rpcUrl: "http://node.test",
  rpcSource: "server",
  contracts: { RicePurchase: RICE },
  demo: false,
};

/** The server's answer as the API gives it for the clean sale (history and payments included). */
function apiSale(): Json {
  const pos = (block: number, index: number) => ({
    blockNumber: block,
    logIndex: index,
    txHash: `0x${block.toString(16).padStart(64, "0")}`,
  });
  return {
    id: SALE_ID.toString(),
    programId: 1,
    region: 46810,
    seq: 7,
    farmer: FARMER,
    units: 20,
    packaging: "Bag40",
    variety: 101,
    designatedVariety: true,
    collectionPoint: 4681001,
    state: "InterimPaid",
    grades: { special: 0, first: 20, second: 0, third: 0 },
    rejectedUnits: 0,
    acceptedUnits: 20,
    moisturePermille: 150,
    certificateHash: `0x${"11".repeat(32)}`,
    inspector: INSPECTOR,
    inspections: 1,
    disputeReasonHash: null,
    approver: OFFICIAL,
    interimAmount: "800000",
    clawbackAmount: null,
    paidAmount: "800000",
    repaidAmount: "0",
    submittedAt: 1_790_000_036,
    updatedAt: 1_790_000_072,
    provenance: {
      created: { ...pos(3, 0), blockTime: 1_790_000_036 },
      updated: { ...pos(6, 1), blockTime: 1_790_000_072 },
    },
    settlement: { interim: "800000", finalAmount: null, balance: null },
    payments: [
      {
        id: String(6 * 2 ** 20 + 1),
        blockNumber: 6,
        kind: "Interim",
        amount: "800000",
        transferRefHash: `0x${"22".repeat(32)}`,
        official: OFFICIAL,
        txHash: pos(6, 1).txHash,
        blockTime: 1_790_000_072,
      },
    ],
    history: [
      { event: "SaleSubmitted", ...pos(3, 0) },
      { event: "SaleInspected", ...pos(4, 0) },
      { event: "PurchaseApproved", ...pos(5, 0) },
      { event: "PaymentRecorded", ...pos(6, 1) },
    ],
  };
}

describe("the browser's rebuild against a node", () => {
  afterEach(() => vi.unstubAllGlobals());

  const lines = async (record: Json, id = SALE_ID) => {
    vi.stubGlobal("fetch", fakeNode());
    const node = await probeNode(cfg.rpcUrl, cfg.chainId);
    const r = await auditRecord(node, contractsOf(cfg), "sale", id, record);
    return { ...r, text: r.mismatches.map((d) => describeDifference(t, "sale", d)) };
  };

  it("the clean answer matches every field and every event", async () => {
    const r = await lines(apiSale());
    expect(r.text).toEqual([]);
    expect(r.events).toBe(4);
    expect(r.compared).toBeGreaterThan(40);
  });

  it("judges the designated variety by the county's designation when it named one", async () => {
    // 강진군 named 201 and 202 before its first sale: the sale's 101 (the programme's) is not
    // designated there, whatever the programme names (VarietyTesting.checkSale).
    const VARIETY_TESTING = "0x00000000000000000000000000000000000000dd";
    const designation = encodeLog(
      "VarietiesDesignated",
      { programId: 1, region: 46810, official: OFFICIAL, varieties: [201, 202] },
      1,
      0,
      VarietyTestingAbi,
      VARIETY_TESTING,
    );
    vi.stubGlobal("fetch", fakeNode(31337, [designation, ...LOGS]));
    const node = await probeNode(cfg.rpcUrl, cfg.chainId);
    const contracts = { ...contractsOf(cfg), VarietyTesting: VARIETY_TESTING };
    const r = await auditRecord(node, contracts, "sale", SALE_ID, apiSale());
    expect(r.mismatches).toEqual([{ field: "designatedVariety", api: "true", chain: "false" }]);
  });

  it("names a changed state, amount and grade, a dropped event and an invented record", async () => {
    const tampered = apiSale();
    tampered.state = "Settled";
    tampered.paidAmount = "4000000";
    (tampered.grades as Json).first = 19;
    (tampered.history as unknown[]).splice(2, 1);
    const r = await lines(tampered);
    expect(r.text).toEqual(
      expect.arrayContaining([
        "상태: 서버 최종 정산 완료 ≠ 체인 중간정산금 지급",
        "지급액: 서버 ₩4,000,000 ≠ 체인 ₩800,000",
        "1등 수량: 서버 19 ≠ 체인 20",
        "이력 건수: 서버 3 ≠ 체인 4",
        "서버가 빠뜨림: 이력: 매입 승인 (블록 5) (체인에는 있음)",
      ]),
    );
    expect(r.text).toHaveLength(5);
    const invented = await lines({ ...apiSale(), id: "123" }, 123n);
    expect(invented.text).toEqual([
      "이 기록은 체인에 없습니다: 서버가 보여준 기록을 뒷받침하는 사건이 하나도 없습니다.",
    ]);
  });

  it("a node of another chain, an unreachable node, a garbage answer, a bad address: sentences", async () => {
    vi.stubGlobal("fetch", fakeNode(1));
    const wrong = await probeNode("http://other.test:8545", 31337).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(NodeProblem);
    expect(problemMessage(t, wrong)).toBe(
      "노드 other.test:8545는 체인 ID 1의 노드입니다. 이 장부는 체인 ID 31337에 기록되어 있으니, 같은 체인의 노드를 입력하세요.",
    );
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    const down = await probeNode("http://down.test", 31337).catch((e: unknown) => e);
    expect(problemMessage(t, down)).toMatch(/^노드 down.test에 연결할 수 없습니다/);
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("<html>hi</html>")),
    );
    const junk = await probeNode("http://junk.test", 31337).catch((e: unknown) => e);
    expect(problemMessage(t, junk)).toBe("노드 junk.test의 답이 블록체인 노드의 답이 아닙니다.");
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("busy", { status: 503 })),
    );
    const busy = await probeNode("http://busy.test", 31337).catch((e: unknown) => e);
    expect(problemMessage(t, busy)).toBe("노드 busy.test가 HTTP 503 오류로 답했습니다.");
    const typed = (() => {
      try {
        return parseNodeUrl("ftp://x");
      } catch (e) {
        return e;
      }
    })();
    expect(problemMessage(t, typed)).toMatch(/^노드 주소가 올바르지 않습니다/);
    expect(
      toEventSelector(
        "SaleSubmitted(uint256,uint32,address,uint32,uint16,uint8,uint16,uint32,uint32)",
      ),
    ).toBe(LOGS[1]?.topics[0]);
  });

  it("the transaction page: a changed argument and a log left out are named", async () => {
    vi.stubGlobal("fetch", fakeNode());
    const node = await probeNode(cfg.rpcUrl, cfg.chainId);
    const log = LOGS[1] as (typeof LOGS)[number];
    const d = decodeEventLog({
      abi: RicePurchaseAbi,
      data: log.data,
      topics: log.topics as [Hex, ...Hex[]],
    });
    const shown = (args: unknown) => ({
      blockNumber: 3n,
      status: "success",
      logs: [{ index: 0, address: RICE, event: d.eventName, args }],
    });
    const clean = await auditTx(node, log.transactionHash, shown(d.args));
    expect(clean.mismatches).toEqual([]);
    const lied = await auditTx(node, log.transactionHash, shown({ ...d.args, units: 21 }));
    expect(lied.mismatches.map((m) => describeDifference(t, "tx", m))).toEqual([
      "로그 #0 · 수량: 서버 21 ≠ 체인 20",
    ]);
    const dropped = await auditTx(node, log.transactionHash, { ...shown(d.args), logs: [] });
    expect(dropped.mismatches.map((m) => describeDifference(t, "tx", m))).toEqual([
      "로그 수: 서버 0 ≠ 체인 1",
      "서버가 빠뜨림: 로그 #0 (체인에는 있음)",
    ]);
    const none = await auditTx(node, `0x${"99".repeat(32)}`, shown(d.args));
    expect(none.mismatches.map((m) => describeDifference(t, "tx", m))[0]).toMatch(
      /체인에 없습니다/,
    );
  });

  it("a node answering garbage to eth_getLogs, or refusing every range, ends in a sentence", async () => {
    const base = fakeNode();
    const withLogs = (logsAnswer: (init?: RequestInit) => Response) =>
      vi.fn(async (url: string, init?: RequestInit) =>
        /eth_getLogs/.test(String(init?.body)) ? logsAnswer(init) : base(url, init),
      );
    vi.stubGlobal(
      "fetch",
      withLogs(() => new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "oops" }))),
    );
    const node = await probeNode(cfg.rpcUrl, cfg.chainId);
    const junk = await auditRecord(node, contractsOf(cfg), "sale", SALE_ID, apiSale()).catch(
      (e: unknown) => e,
    );
    expect(problemMessage(t, junk)).toBe("노드 node.test의 답이 블록체인 노드의 답이 아닙니다.");
    const refuse = withLogs(
      () =>
        new Response(
          JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32005, message: "too many" } }),
        ),
    );
    vi.stubGlobal("fetch", refuse);
    const refused = await auditRecord(node, contractsOf(cfg), "sale", SALE_ID, apiSale()).catch(
      (e: unknown) => e,
    );
    expect(problemMessage(t, refused)).toBe("노드 node.test가 요청을 거절했습니다: too many");
    // The range was halved down to one block before giving up (0x0–0x10: 17 blocks → 5 tries).
    expect(refuse.mock.calls.filter(([, i]) => /eth_getLogs/.test(String(i?.body))).length).toBe(5);
  });
});
