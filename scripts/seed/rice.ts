/**
 * The rice season of 강진군, crop year 2026, written through the public functions of RicePurchase
 * with every actor signing their own ForwardRequest:
 *
 * - Programme 1, 2026년산 공공비축미곡: 450,000 t nationally, interim 40,000 won a bag, delivery
 *   window open (the final price is only fixed around 30 December). Its sales are in every state
 *   before settlement: submitted, cancelled, inspected in each grade, rejected, disputed,
 *   re-inspected, rejected on re-inspection, approved, interim paid.
 * - Programme 2, 2026년산 시장격리곡: a market-isolation purchase whose interim (56,000 won) was set
 *   at harvest, above what the final price turned out to be for low grades, as in 2016: its window
 *   is closed, final prices are set, most sales are settled with a top-up and the 3등 sales owe a
 *   clawback (one recorded, one repaid).
 *
 * Every planned sale's final state is checked against the chain at the end.
 */
import { type Address, parseEventLogs } from "viem";
import { DEFAULT_MILLING_TERMS, farmGateAverage, surveyDates } from "../../sdk/estimate.ts";
import { FarmGatePricesAbi, RicePurchaseAbi } from "../../sdk/generated/abis.ts";
import { deliveryDayAt } from "../../sdk/variety.ts";
import { isDeployed } from "../lib/deployment.ts";
import type { Farmer } from "./actors.ts";
import { by, type SeedContext } from "./context.ts";
import { Packaging, PaymentKind, REGION, SALE_STATES, type SaleStateName } from "./enums.ts";
import { type Call, call, relayBatch, relayCall } from "./forward.ts";
import { designateAndCommit, drawAndTest, type VarietySummary } from "./variety.ts";

/** Where a planned sale ends. `ClawbackRepaid` is the state Settled, reached through a clawback. */
type Target = Exclude<SaleStateName, "None"> | "ClawbackRepaid";
type Grades = [number, number, number, number];
type Profile =
  | "special"
  | "first"
  | "second"
  | "third"
  | "mostlyFirst"
  | "specialFirst"
  | "mixed"
  | "rejectSome"
  | "rejectAll";

interface PlannedSale {
  key: string;
  farmer: Farmer;
  program: 1 | 2;
  packaging: keyof typeof Packaging;
  units: number;
  variety: number;
  collectionPoint: number;
  day: number;
  profile: Profile;
  /** Dispute the first inspection, and grade this way on re-inspection. */
  reinspection?: Profile;
  target: Target;
  saleId?: bigint;
}

export const VARIETIES = { 101: "새청무", 102: "새일미", 103: "신동진" } as const;
export const COLLECTION_POINTS: Record<number, string> = {
  4681001: "강진군농협 미곡종합처리장 (RPC)",
  4681002: "성전농협 건조저장시설 (DSC)",
  4681003: "도암농협 수매장",
  4681004: "마량 공공비축 수매장",
};

export const PROGRAMMES = {
  1: {
    name: "2026년산 공공비축미곡 매입",
    nationalQuota: 11_250_000n, // 450,000 t in 40 kg units
    jeonnam: 2_150_000n,
    gangjin: 145_000n,
    interimPerUnit: 40_000,
    bulkDeduction: 1_200,
    // Open for the whole demo: the tender season (award, a 30-day delivery period, termination)
    // moves the chain's clock to about day 80, and the portal's farmers still sell into it.
    windowDays: [0, 120],
    disputeDays: 14,
  },
  2: {
    name: "2026년산 시장격리곡 매입 (수확기 가격 하락: 일부 환수)",
    nationalQuota: 4_000_000n,
    jeonnam: 700_000n,
    gangjin: 40_000n,
    interimPerUnit: 56_000,
    bulkDeduction: 1_200,
    windowDays: [0, 20],
    disputeDays: 14,
  },
} as const;

/**
 * The farm-gate prices (산지쌀값, won per 80 kg) the national official records for each
 * programme, on the survey dates of crop year 2026 from 5 October: programme 2 has all nine (a
 * falling season, as in 2016), so its final prices come from their average; programme 1 is
 * midway (five), so its farmers see an estimate with a range.
 */
export const FARM_GATE_SERIES = {
  1: [186_000, 185_200, 184_100, 183_500, 182_600],
  2: [179_000, 177_500, 176_000, 175_000, 174_000, 173_000, 172_000, 170_500, 169_000],
} as const;

/**
 * Programme 2's final-price inputs: the average of its nine farm-gate prices (174,000) with the
 * default milling terms: (174,000 − 8,500) × 73 % ÷ 2 = 60,407.5 → 1등 60,400 won.
 */
export const P2_FINAL_INPUTS = {
  farmGatePer80kg: farmGateAverage(FARM_GATE_SERIES[2]),
  ...DEFAULT_MILLING_TERMS,
};

/**
 * What programme 2's prices were first fixed from: the farm-gate price with two digits swapped
 * (147,000). Both national officials signed it, and both sign its correction before the first
 * final payment, so the demo shows a corrected final price (revision 2).
 */
export const P2_MISTYPED_INPUTS = { ...P2_FINAL_INPUTS, farmGatePer80kg: 147_000 };

const PACKAGINGS = ["Bag40", "TonBag", "Bulk", "Bag40"] as const;
const PAID_PROFILES: Profile[] = [
  "first",
  "mostlyFirst",
  "specialFirst",
  "second",
  "mixed",
  "rejectSome",
  "first",
  "special",
  "third",
];

function grades(units: number, profile: Profile): { grades: Grades; rejected: number } {
  const u = units;
  switch (profile) {
    case "special":
      return { grades: [u, 0, 0, 0], rejected: 0 };
    case "first":
      return { grades: [0, u, 0, 0], rejected: 0 };
    case "second":
      return { grades: [0, 0, u, 0], rejected: 0 };
    case "third":
      return { grades: [0, 0, 0, u], rejected: 0 };
    case "mostlyFirst": {
      const second = Math.floor(u / 5);
      return { grades: [0, u - second, second, 0], rejected: 0 };
    }
    case "specialFirst": {
      const special = Math.floor(u / 3);
      return { grades: [special, u - special, 0, 0], rejected: 0 };
    }
    case "mixed": {
      const s = Math.floor(u / 10);
      const f = Math.floor(u / 2);
      const se = Math.floor(u / 4);
      return { grades: [s, f, se, u - s - f - se], rejected: 0 };
    }
    case "rejectSome": {
      const rejected = Math.max(1, Math.floor(u / 10));
      return { grades: [0, u - rejected, 0, 0], rejected };
    }
    case "rejectAll":
      return { grades: [0, 0, 0, 0], rejected: u };
  }
}

function collectionPointOf(farmer: Farmer): number {
  if (farmer.village === "성전면" || farmer.village === "작천면" || farmer.village === "병영면") {
    return 4_681_002;
  }
  if (farmer.village === "도암면" || farmer.village === "신전면") return 4_681_003;
  if (farmer.village === "마량면" || farmer.village === "대구면") return 4_681_004;
  return 4_681_001;
}

/** Allocations (units) per farmer index, per programme. */
function allocations(ctx: SeedContext): { 1: number[]; 2: number[] } {
  const { farmers } = ctx.cast;
  return {
    1: farmers.map((f) => ctx.random.range(`${f.id}:alloc:1`, 100, 600, 20)),
    2: farmers.map((f, i) => (i >= 40 ? ctx.random.range(`${f.id}:alloc:2`, 100, 300, 20) : 0)),
  };
}

function plan(ctx: SeedContext, alloc: { 1: number[]; 2: number[] }): PlannedSale[] {
  const sales: PlannedSale[] = [];
  const farmers = ctx.cast.farmers;
  const add = (
    i: number,
    program: 1 | 2,
    target: Target,
    profile: Profile,
    options: Partial<PlannedSale> & { share?: number } = {},
  ) => {
    const farmer = farmers[i] as Farmer;
    const allocated = alloc[program][i] ?? 0;
    const units = Math.max(20, Math.floor((allocated * (options.share ?? 1)) / 20) * 20);
    const n = sales.filter((s) => s.farmer === farmer && s.program === program).length;
    // 신동진 (103) now and then in programme 1, where 강진군 named no variety of its own;
    // programme 2's 강진군 designation (101, 102) refuses it.
    const variety =
      program === 1 && sales.length % 9 === 8 ? 103 : sales.length % 2 === 0 ? 101 : 102;
    const { share: _share, ...rest } = options;
    sales.push({
      key: `${farmer.id}:p${program}:${n + 1}`,
      farmer,
      program,
      packaging: PACKAGINGS[i % PACKAGINGS.length] as keyof typeof Packaging,
      units,
      variety,
      collectionPoint: collectionPointOf(farmer),
      day: 1 + (i % 3) * 3,
      profile,
      target,
      ...rest,
    });
  };

  // Programme 1: every state before the final price.
  for (let i = 0; i <= 33; i++) {
    add(i, 1, "InterimPaid", PAID_PROFILES[i % PAID_PROFILES.length] as Profile, {
      share: i <= 4 ? 0.5 : 1,
    });
  }
  for (let i = 0; i <= 4; i++) add(i, 1, "InterimPaid", "first", { share: 0.5, day: 8 });
  for (let i = 34; i <= 39; i++) {
    add(i, 1, "Approved", PAID_PROFILES[i % PAID_PROFILES.length] as Profile);
  }
  (["special", "first", "second", "third", "rejectSome", "mixed"] as const).forEach(
    (profile, k) => {
      add(40 + k, 1, "Inspected", profile);
    },
  );
  add(46, 1, "Rejected", "rejectAll");
  add(47, 1, "Rejected", "rejectAll");
  add(48, 1, "Disputed", "third");
  add(49, 1, "Disputed", "rejectAll");
  add(50, 1, "Reinspected", "third", { reinspection: "second" });
  add(51, 1, "InterimPaid", "rejectSome", { reinspection: "first" });
  add(52, 1, "RejectedOnReinspection", "rejectAll", { reinspection: "rejectAll" });
  for (let i = 53; i <= 58; i++) add(i, 1, "Submitted", "first", { day: 10 });
  add(59, 1, "Cancelled", "first", { day: 1 });
  add(60, 1, "Cancelled", "first", { day: 1, share: 0.5 });
  add(60, 1, "Submitted", "first", { day: 10, share: 0.5 });
  for (let i = 61; i <= 63; i++) {
    add(i, 1, "InterimPaid", "mostlyFirst", { share: 0.5, day: 4 });
    add(i, 1, "Submitted", "first", { share: 0.5, day: 10 });
  }

  // Programme 2: closed, final prices set, settled, with clawbacks on 3등.
  const settledProfiles: Profile[] = ["first", "special", "mostlyFirst", "specialFirst", "second"];
  for (let i = 40; i <= 51; i++) {
    add(i, 2, "Settled", settledProfiles[i % settledProfiles.length] as Profile, {
      day: i % 2 === 0 ? 2 : 5,
    });
  }
  add(52, 2, "ClawbackDue", "third", { day: 2, packaging: "Bulk" });
  add(53, 2, "ClawbackRepaid", "third", { day: 5, packaging: "Bag40" });
  add(54, 2, "InterimPaid", "first", { day: 5 });
  add(55, 2, "Rejected", "rejectAll", { day: 2 });
  // More selling farms, so that the variety-test draw takes two (24 farms → ceil(1.2) = 2).
  for (let i = 56; i <= 63; i++) add(i, 2, "Settled", "first", { day: 8 });
  return sales;
}

const reaches = (sale: PlannedSale, ...targets: Target[]) => targets.includes(sale.target);
const isDisputed = (s: PlannedSale) => s.reinspection !== undefined || reaches(s, "Disputed");
const PAID: Target[] = ["InterimPaid", "ClawbackDue", "Settled", "ClawbackRepaid"];
const APPROVED: Target[] = ["Approved", ...PAID];

function expectedState(target: Target): SaleStateName {
  return target === "ClawbackRepaid" ? "Settled" : target;
}

export interface RiceSummary {
  programIds: { 1: number; 2: number };
  sales: number;
  byState: Record<string, number>;
  variety: VarietySummary;
}

export async function seedRice(ctx: SeedContext): Promise<RiceSummary> {
  const rice = ctx.deployment.addresses.RicePurchase;
  const rp = (functionName: string, args: readonly unknown[], gas?: bigint): Call =>
    call(rice, { abi: RicePurchaseAbi, functionName, args } as never, gas);
  const start = ctx.clock.start;

  // Programmes (created by the national official), then the quota chain down to the farms.
  const programIds = { 1: 0, 2: 0 } as { 1: number; 2: number };
  for (const n of [1, 2] as const) {
    const p = PROGRAMMES[n];
    const receipt = await relayCall(
      ctx.relay,
      ctx.cast.get("official-mafra").account,
      rp("createProgram", [
        {
          cropYear: 2026,
          nationalQuota: p.nationalQuota,
          interimPerUnit: p.interimPerUnit,
          bulkDeduction: p.bulkDeduction,
          deliveryStart: start + p.windowDays[0] * 86_400,
          deliveryEnd: start + p.windowDays[1] * 86_400,
          varieties: [101, 102],
          disputePeriod: p.disputeDays * 86_400,
        },
      ]),
    );
    const [created] = parseEventLogs({
      abi: RicePurchaseAbi,
      eventName: "ProgramCreated",
      logs: receipt.logs,
    });
    if (created === undefined) throw new Error("createProgram: no ProgramCreated event");
    programIds[n] = created.args.programId;
  }

  const alloc = allocations(ctx);
  const farmers = ctx.cast.farmers;
  const quotaItems = ([1, 2] as const).flatMap((n) => {
    const p = PROGRAMMES[n];
    const id = programIds[n];
    const allocated = farmers.flatMap((f, i) =>
      (alloc[n][i] ?? 0) > 0 ? [[f, alloc[n][i]] as const] : [],
    );
    return [
      by(ctx, "official-mafra", rp("allocateRegion", [id, REGION.JEONNAM, p.jeonnam])),
      by(ctx, "official-jeonnam", rp("allocateRegion", [id, REGION.GANGJIN, p.gangjin])),
      by(
        ctx,
        "official-gangjin",
        rp(
          "allocateBatch",
          [id, REGION.GANGJIN, allocated.map(([f]) => f.address), allocated.map(([, u]) => u)],
          BigInt(allocated.length) * 60_000n + 200_000n,
        ),
      ),
    ];
  });
  await relayBatch(ctx.relay, quotaItems);
  ctx.log(
    `rice: programmes ${programIds[1]} (${PROGRAMMES[1].name}) and ${programIds[2]} (${PROGRAMMES[2].name}), quotas 전국 → 전남 → 강진군 → ${farmers.length} farms`,
  );

  const farmGate = ctx.deployment.addresses.FarmGatePrices;
  if (isDeployed(farmGate)) {
    // The national official records the farm-gate prices published so far (before programme 2's
    // final prices: its series closes with them).
    const items = ([1, 2] as const).flatMap((n) =>
      FARM_GATE_SERIES[n].map((price, i) =>
        by(
          ctx,
          "official-mafra",
          call(farmGate, {
            abi: FarmGatePricesAbi,
            functionName: "recordObservation",
            args: [programIds[n], surveyDates(2026)[i] as number, price],
          }),
        ),
      ),
    );
    await relayBatch(ctx.relay, items);
    ctx.log(
      `rice: farm-gate prices, ${FARM_GATE_SERIES[1].length} for programme ${programIds[1]} and ${FARM_GATE_SERIES[2].length} for programme ${programIds[2]}`,
    );
  } else {
    ctx.log("rice: FarmGatePrices is not deployed: no farm-gate prices recorded");
  }
  // 강진군 names its varieties for programme 2 and commits to its draw before its first sale.
  await designateAndCommit(ctx, programIds[2]);

  const sales = plan(ctx, alloc);
  const seqs = new Map<string, number>();
  const saleIdOf = (s: PlannedSale): bigint => {
    const seqKey = `${s.farmer.address}:${s.program}`;
    const seq = (seqs.get(seqKey) ?? 0) + 1;
    seqs.set(seqKey, seq);
    return (
      (BigInt(programIds[s.program]) << 216n) |
      (BigInt(REGION.GANGJIN) << 192n) |
      (BigInt(seq) << 160n) |
      BigInt(s.farmer.address)
    );
  };
  const certificate = (s: PlannedSale, round: string) =>
    ctx.random.hash(`certificate:${s.key}:${round}`);
  const moisture = (s: PlannedSale) => ctx.random.range(`moisture:${s.key}`, 130, 150);
  const inspection = (s: PlannedSale, profile: Profile, round: string) => {
    const g = grades(s.units, profile);
    return {
      saleId: s.saleId as bigint,
      gradeUnits: g.grades,
      rejectedUnits: g.rejected,
      moisturePermille: moisture(s),
      certificateHash: certificate(s, round),
    };
  };

  // Delivery days: farmers sign their sales in the morning, the inspector grades in the afternoon.
  const days = [...new Set(sales.map((s) => s.day))].sort((a, b) => a - b);
  for (const day of days) {
    const today = sales.filter((s) => s.day === day);
    await ctx.clock.advanceToDay(day, { hour: 9, required: false });
    // Sale ids follow submission order per farm: assign them in the order they are submitted.
    for (const s of today) s.saleId = saleIdOf(s);
    await relayBatch(
      ctx.relay,
      today.map((s) =>
        by(
          ctx,
          s.farmer.id,
          rp("submitSale", [
            programIds[s.program],
            s.units,
            Packaging[s.packaging],
            s.variety,
            s.collectionPoint,
            deliveryDayAt(start + s.day * 86_400),
          ]),
        ),
      ),
    );
    const cancels = today.filter((s) => s.target === "Cancelled");
    if (cancels.length > 0) {
      await ctx.clock.advanceToDay(day, { hour: 11, required: false });
      await relayBatch(
        ctx.relay,
        cancels.map((s) => by(ctx, s.farmer.id, rp("cancelSale", [s.saleId]))),
      );
    }
    const toInspect = today.filter((s) => !reaches(s, "Submitted", "Cancelled"));
    if (toInspect.length > 0) {
      await ctx.clock.advanceToDay(day, { hour: 15, required: false });
      await relayBatch(ctx.relay, [
        by(
          ctx,
          "inspector-naqs-1",
          rp(
            "recordInspections",
            [toInspect.map((s) => inspection(s, s.profile, "first"))],
            BigInt(toInspect.length) * 80_000n + 200_000n,
          ),
        ),
      ]);
    }
    // Disputes: the farmer disputes the grading the same evening, well inside the programme's
    // dispute period (a later dispute is refused).
    const disputesToday = toInspect.filter(isDisputed);
    if (disputesToday.length > 0) {
      await ctx.clock.advanceToDay(day, { hour: 18, required: false });
      await relayBatch(
        ctx.relay,
        disputesToday.map((s) =>
          by(
            ctx,
            s.farmer.id,
            rp("disputeInspection", [s.saleId, ctx.random.hash(`dispute:${s.key}`)]),
          ),
        ),
      );
    }
  }
  const lastDeliveryDay = days.at(-1) ?? 0;

  // Re-inspection of the disputed sales by the other inspector.
  const disputed = sales.filter(isDisputed);
  const reinspected = disputed.filter((s) => s.reinspection !== undefined);
  await ctx.clock.advanceToDay(lastDeliveryDay + 3, { hour: 14, required: false });
  await relayBatch(ctx.relay, [
    by(
      ctx,
      "inspector-naqs-2",
      rp(
        "recordInspections",
        [reinspected.map((s) => inspection(s, s.reinspection as Profile, "reinspection"))],
        BigInt(reinspected.length) * 80_000n + 200_000n,
      ),
    ),
  ]);

  // Approval by the county's purchase official, interim payment by its settlement official.
  const approved = sales.filter((s) => reaches(s, ...APPROVED));
  await ctx.clock.advanceToDay(lastDeliveryDay + 4, { hour: 10, required: false });
  for (let i = 0; i < approved.length; i += 50) {
    const chunk = approved.slice(i, i + 50);
    await relayBatch(ctx.relay, [
      by(
        ctx,
        "official-gangjin",
        rp(
          "approvePurchases",
          [chunk.map((s) => s.saleId)],
          BigInt(chunk.length) * 40_000n + 200_000n,
        ),
      ),
    ]);
  }
  const paid = sales.filter((s) => reaches(s, ...PAID));
  await ctx.clock.advanceToDay(lastDeliveryDay + 6, { hour: 10, required: false });
  const interimItems = [];
  for (const s of paid) {
    const [interim] = await settlementOf(ctx, rice, s.saleId as bigint);
    interimItems.push(
      by(
        ctx,
        "official-gangjin-pay",
        rp("recordPayment", [
          s.saleId,
          PaymentKind.Interim,
          interim,
          ctx.random.hash(`transfer:${s.key}:interim`),
        ]),
      ),
    );
  }
  await relayBatch(ctx.relay, interimItems);

  // Programme 2: window closed, final prices fixed nationally, then top-ups and clawbacks.
  const p2 = PROGRAMMES[2];
  await ctx.clock.advanceToDay(p2.windowDays[1] + 2, { hour: 10, required: false });
  // Two national officials of different households: one proposes, the other confirms. The first
  // inputs carry a typo; the officials correct them (both again) before any final payment.
  const priceSteps = [
    ["official-mafra", "setFinalPrices", P2_MISTYPED_INPUTS],
    ["official-mafra-2", "confirmFinalPrices", P2_MISTYPED_INPUTS],
    ["official-mafra-2", "setFinalPrices", P2_FINAL_INPUTS],
    ["official-mafra", "confirmFinalPrices", P2_FINAL_INPUTS],
  ] as const;
  for (const [who, fn, inputs] of priceSteps) {
    await relayCall(
      ctx.relay,
      ctx.cast.get(who).account,
      rp(fn, [programIds[2], inputs.farmGatePer80kg, inputs.millingFee, inputs.millingYieldBps]),
    );
  }
  // 강진군's variety test: the secret revealed, the draw, the drawn farms' results.
  const variety = await drawAndTest(ctx, programIds[2], (hour) =>
    ctx.clock.advanceToDay(p2.windowDays[1] + 2, { hour, required: false }),
  );
  ctx.log(
    `rice: variety test of 강진군 (programme ${programIds[2]}): ${variety.sampled.length} of ${variety.sellers} farms drawn, ${variety.excluded.length} excluded`,
  );

  await ctx.clock.advanceToDay(p2.windowDays[1] + 3, { hour: 10, required: false });
  const finalItems = [];
  for (const s of sales.filter((x) => reaches(x, "Settled", "ClawbackDue", "ClawbackRepaid"))) {
    const [, , balance] = await settlementOf(ctx, rice, s.saleId as bigint);
    const clawback = s.target !== "Settled";
    if (clawback !== balance < 0n) {
      throw new Error(
        `seed plan: ${s.key} should have a ${clawback ? "negative" : "non-negative"} balance, has ${balance}`,
      );
    }
    finalItems.push(
      clawback
        ? by(ctx, "official-gangjin", rp("recordClawback", [s.saleId]))
        : by(
            ctx,
            "official-gangjin-pay",
            rp("recordPayment", [
              s.saleId,
              PaymentKind.FinalBalance,
              balance,
              ctx.random.hash(`transfer:${s.key}:final`),
            ]),
          ),
    );
  }
  await relayBatch(ctx.relay, finalItems);
  await ctx.clock.advanceToDay(p2.windowDays[1] + 10, { hour: 10, required: false });
  const repayItems = [];
  for (const s of sales.filter((x) => x.target === "ClawbackRepaid")) {
    const [, , balance] = await settlementOf(ctx, rice, s.saleId as bigint);
    repayItems.push(
      by(
        ctx,
        "official-gangjin-pay",
        rp("recordPayment", [
          s.saleId,
          PaymentKind.ClawbackRepayment,
          -balance,
          ctx.random.hash(`transfer:${s.key}:clawback`),
        ]),
      ),
    );
  }
  await relayBatch(ctx.relay, repayItems);

  // Check: every planned sale is where the plan says.
  const byState: Record<string, number> = {};
  for (const s of sales) {
    const sale = await ctx.relay.publicClient.readContract({
      address: rice,
      abi: RicePurchaseAbi,
      functionName: "getSale",
      args: [s.saleId as bigint],
    });
    const state = SALE_STATES[sale.state] as SaleStateName;
    if (state !== expectedState(s.target)) {
      throw new Error(`seed check: ${s.key} is ${state}, planned ${s.target}`);
    }
    const label = `p${s.program}:${s.target}`;
    byState[label] = (byState[label] ?? 0) + 1;
  }

  ctx.roster.programmes = Object.fromEntries(
    ([1, 2] as const).map((n) => [
      programIds[n],
      {
        ...PROGRAMMES[n],
        nationalQuota: String(PROGRAMMES[n].nationalQuota),
        jeonnam: String(PROGRAMMES[n].jeonnam),
        gangjin: String(PROGRAMMES[n].gangjin),
      },
    ]),
  );
  ctx.roster.finalPriceInputs = { [programIds[2]]: P2_FINAL_INPUTS };
  ctx.roster.varieties = VARIETIES;
  ctx.roster.collectionPoints = COLLECTION_POINTS;
  ctx.roster.sales = sales.map((s) => ({
    key: s.key,
    saleId: (s.saleId as bigint).toString(),
    farmer: s.farmer.id,
    programId: programIds[s.program],
    units: s.units,
    packaging: s.packaging,
    state: expectedState(s.target),
    ...(s.target === "ClawbackRepaid" ? { via: "clawback repaid" } : {}),
  }));
  ctx.log(
    `rice: ${sales.length} sales — ${Object.entries(byState)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  return { programIds, sales: sales.length, byState, variety };
}

async function settlementOf(
  ctx: SeedContext,
  rice: Address,
  saleId: bigint,
): Promise<readonly [bigint, bigint, bigint]> {
  return ctx.relay.publicClient.readContract({
    address: rice,
    abi: RicePurchaseAbi,
    functionName: "settlementOf",
    args: [saleId],
  });
}
