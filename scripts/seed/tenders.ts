/**
 * Goods tenders of 강진군 (물품 구매 입찰) in every state, through the public functions of
 * TenderBoard with every actor signing: the county's contract official publishes, amends, cancels,
 * awards and pays; suppliers commit sealed bids with a guarantee-certificate bond and reveal them;
 * winners record delivery; an inspector or an official accepts it.
 *
 *   T1 공공비축미 톤백         paid (delivered, accepted by the NAQS inspector, paid)
 *   T2 곡물건조기 부품         accepted (awaiting payment)
 *   T3 친환경 유기질비료       delivered again after a refused delivery (awaiting acceptance)
 *   T4 관용 전기승합차         awarded, after an amendment (정정공고): one bid re-confirmed, one left
 *                              void, one never revealed (its bond forfeited)
 *   T5 방역용 드론             failed (유찰: every bid outside [floor, reserve])
 *   T6 사무용 복합기           cancelled before the bid deadline (bonds released)
 *   T7 마을회관 태양광 설비     in the reveal window (two of three bids revealed)
 *   T8 농기계 트랙터           open for bids
 *   T9 제설용 염화칼슘         terminated: the winner never delivered by the delivery deadline
 *                              (계약 해지, its bond forfeited)
 *   T10 하천 수질측정기        failed by lapse: no award within the award period (유찰), every
 *                              revealed bond released
 *   T11 경로당 공기청정기       refused: the delivery was refused, no new one yet
 *
 * Every award is two steps: the official reveals its seed after the reveal deadline, which fixes
 * the next block as the draw block; the award follows once that block is mined. The county's
 * contract official creates the tenders; its credential carries the household tag it was issued
 * with, which keeps its household out of the bidding.
 *
 * Deadlines need the chain's clock to move: on a node that offers no way to move it only T8 (open)
 * and T6 (cancelled) can be written, and the rest is skipped with a note.
 */

import { type Abi, type Address, type Hex, keccak256, stringToBytes } from "viem";
import { TenderBoardAbi } from "../../sdk/generated/abis.ts";
import { bidCommitment, seedCommitmentOf } from "../../sdk/tenders.ts";
import { DAY } from "./clock.ts";
import { by, type SeedContext } from "./context.ts";
import { REGION, TenderStateNames } from "./enums.ts";
import { call, relayBatch } from "./forward.ts";

type Planned =
  | "Paid"
  | "Accepted"
  | "Delivered"
  | "Awarded"
  | "Failed"
  | "Cancelled"
  | "InReveal"
  | "Bidding"
  | "Refused"
  | "Terminated";

interface TenderPlan {
  key: string;
  title: string;
  unit: string;
  quantity: number;
  basePrice: number;
  target: Planned;
  /** Bid prices as a share of the base price, one per bidder (in commit order). */
  bids: { supplier: string; share: number; reveal: boolean }[];
  tenderId?: bigint;
}

const FLOOR_RATE = 87_745; // 낙찰하한율 87.745 % (물품)
const OFFICIAL = "official-gangjin-contract";

/** Shares in [0.905, 0.965] of the base always lie in [floor, reserve]; below 0.85 never do. */
const PLANS: TenderPlan[] = [
  {
    key: "T1",
    title: "2026년산 공공비축미 매입용 톤백(800kg) 구매",
    unit: "개",
    quantity: 2_000,
    basePrice: 36_000_000,
    target: "Paid",
    bids: [
      { supplier: "supplier-namdo", share: 0.931, reveal: true },
      { supplier: "supplier-tamjin", share: 0.947, reveal: true },
      { supplier: "supplier-cheongja", share: 0.912, reveal: true },
      { supplier: "supplier-maryang", share: 0.958, reveal: true },
    ],
  },
  {
    key: "T2",
    title: "강진군농협 미곡종합처리장 곡물건조기 부품 구매",
    unit: "식",
    quantity: 1,
    basePrice: 48_500_000,
    target: "Accepted",
    bids: [
      { supplier: "supplier-byeongyeong", share: 0.921, reveal: true },
      { supplier: "supplier-tamjin", share: 0.944, reveal: true },
      { supplier: "supplier-namdo", share: 0.962, reveal: true },
    ],
  },
  {
    key: "T3",
    title: "2027년 친환경 유기질비료(20kg) 구매",
    unit: "포",
    quantity: 5_000,
    basePrice: 27_500_000,
    target: "Delivered",
    bids: [
      { supplier: "supplier-namdo", share: 0.915, reveal: true },
      { supplier: "supplier-cheongja", share: 0.936, reveal: true },
      { supplier: "supplier-maryang", share: 0.953, reveal: true },
    ],
  },
  {
    key: "T4",
    title: "2026년 강진군 관용 전기승합차 구매",
    unit: "대",
    quantity: 2,
    basePrice: 98_000_000,
    target: "Awarded",
    bids: [
      { supplier: "supplier-tamjin", share: 0.925, reveal: true }, // re-confirmed after the amendment
      { supplier: "supplier-dasan", share: 0.941, reveal: false }, // not re-confirmed: void
      { supplier: "supplier-byeongyeong", share: 0.93, reveal: false }, // never revealed: forfeit
      { supplier: "supplier-cheongja", share: 0.955, reveal: true },
    ],
  },
  {
    key: "T5",
    title: "방역용 드론(살포형) 구매",
    unit: "대",
    quantity: 3,
    basePrice: 66_000_000,
    target: "Failed",
    bids: [
      { supplier: "supplier-maryang", share: 0.81, reveal: true },
      { supplier: "supplier-dasan", share: 0.835, reveal: true },
      { supplier: "supplier-byeongyeong", share: 1.052, reveal: true },
    ],
  },
  {
    key: "T6",
    title: "읍면사무소 사무용 복합기 구매",
    unit: "대",
    quantity: 12,
    basePrice: 21_600_000,
    target: "Cancelled",
    bids: [
      { supplier: "supplier-dasan", share: 0.93, reveal: false },
      { supplier: "supplier-cheongja", share: 0.94, reveal: false },
    ],
  },
  {
    key: "T7",
    title: "마을회관 태양광 발전설비 구매",
    unit: "식",
    quantity: 1,
    basePrice: 135_000_000,
    target: "InReveal",
    bids: [
      { supplier: "supplier-namdo", share: 0.927, reveal: true },
      { supplier: "supplier-tamjin", share: 0.939, reveal: true },
      { supplier: "supplier-byeongyeong", share: 0.951, reveal: false },
    ],
  },
  {
    key: "T8",
    title: "농기계임대사업소 트랙터(95마력) 구매",
    unit: "대",
    quantity: 2,
    basePrice: 172_000_000,
    target: "Bidding",
    bids: [
      { supplier: "supplier-byeongyeong", share: 0.933, reveal: false },
      { supplier: "supplier-namdo", share: 0.946, reveal: false },
    ],
  },
  {
    key: "T9",
    title: "2026-2027 겨울철 제설용 염화칼슘(25kg) 구매",
    unit: "포",
    quantity: 4_000,
    basePrice: 52_000_000,
    target: "Terminated",
    bids: [
      { supplier: "supplier-maryang", share: 0.924, reveal: true },
      { supplier: "supplier-dasan", share: 0.949, reveal: true },
    ],
  },
  {
    key: "T10",
    title: "탐진강 수질 자동측정기 구매",
    unit: "대",
    quantity: 2,
    basePrice: 88_000_000,
    target: "Failed",
    bids: [
      { supplier: "supplier-namdo", share: 0.934, reveal: true },
      { supplier: "supplier-cheongja", share: 0.952, reveal: false },
    ],
  },
  {
    key: "T11",
    title: "마을 경로당 공기청정기 구매",
    unit: "대",
    quantity: 40,
    basePrice: 31_000_000,
    target: "Refused",
    bids: [
      { supplier: "supplier-byeongyeong", share: 0.919, reveal: true },
      { supplier: "supplier-tamjin", share: 0.943, reveal: true },
    ],
  },
];

interface Sealed {
  supplier: string;
  address: Address;
  price: bigint;
  picks: [number, number];
  salt: Hex;
  docHash: Hex;
  bondDocHash: Hex;
  commitment: Hex;
  revealed: boolean;
}

export async function seedTenders(ctx: SeedContext, skipped: string[]): Promise<unknown> {
  const board = ctx.deployment.addresses.TenderBoard;
  const abi: Abi = TenderBoardAbi;
  ctx.relay.errorAbis.push(abi);
  const tb = (functionName: string, args: readonly unknown[], gas?: bigint) =>
    call(board, { abi, functionName, args } as never, gas);
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    ctx.relay.publicClient.readContract({
      address: board,
      abi,
      functionName,
      args,
    } as never) as Promise<T>;
  const chainId = ctx.relay.chain.id;

  const officialSeed = (plan: TenderPlan) => ctx.random.hash(`tender-seed:${plan.key}`);
  const seedCommitment = (plan: TenderPlan) => seedCommitmentOf(officialSeed(plan));
  // 입찰보증금: 5 % of the first 기초금액 (the bond is fixed at creation, amendments keep it).
  const bonds = new Map<string, bigint>();
  const bond = (plan: TenderPlan) => {
    if (!bonds.has(plan.key)) bonds.set(plan.key, BigInt(Math.round(plan.basePrice * 0.05)));
    return bonds.get(plan.key) as bigint;
  };
  const specHash = (plan: TenderPlan, version = 1) =>
    keccak256(stringToBytes(`${ctx.seed}:spec:${plan.key}:v${version}:${plan.title}`));

  const sealedBids = new Map<string, Sealed[]>();
  const seal = (plan: TenderPlan, round = "v1"): Sealed[] =>
    plan.bids.map((b) => {
      const address = ctx.cast.get(b.supplier).address;
      const price = BigInt(Math.round((plan.basePrice * b.share) / 1_000) * 1_000);
      const a = ctx.random.int(`picks:${plan.key}:${b.supplier}:a`, 15);
      const b2 = (a + 1 + ctx.random.int(`picks:${plan.key}:${b.supplier}:b`, 14)) % 15;
      const salt = ctx.random.hash(`bid-salt:${plan.key}:${b.supplier}:${round}`);
      const docHash = ctx.random.hash(`bid-doc:${plan.key}:${b.supplier}`);
      const commitment = bidCommitment({
        chainId,
        board,
        tenderId: plan.tenderId as bigint,
        bidder: address,
        price,
        picks: [a, b2],
        docHash,
        salt,
      });
      return {
        supplier: b.supplier,
        address,
        price,
        picks: [a, b2],
        salt,
        docHash,
        bondDocHash: ctx.random.hash(`bond-doc:${plan.key}:${b.supplier}:${round}`),
        commitment,
        revealed: false,
      };
    });

  const createItem = (plan: TenderPlan, bidDeadline: number, revealDeadline: number) =>
    by(
      ctx,
      OFFICIAL,
      tb("createTender", [
        REGION.GANGJIN,
        plan.title,
        specHash(plan),
        BigInt(plan.quantity),
        plan.unit,
        BigInt(plan.basePrice),
        FLOOR_RATE,
        bidDeadline,
        revealDeadline,
        bond(plan),
        seedCommitment(plan),
      ]),
    );
  const commitItem = (plan: TenderPlan, s: Sealed) =>
    by(ctx, s.supplier, tb("commitBid", [plan.tenderId, s.commitment, bond(plan), s.bondDocHash]));
  const revealItem = (plan: TenderPlan, s: Sealed) => {
    s.revealed = true;
    return by(
      ctx,
      s.supplier,
      tb("revealBid", [plan.tenderId, s.price, s.picks, s.salt, s.docHash]),
    );
  };

  const plan = (key: string) => PLANS.find((p) => p.key === key) as TenderPlan;
  const at = (day: number, hour = 10) => ctx.clock.start + day * DAY + hour * 3600;
  const canTravel = ctx.clock.canTravel;
  const elapsed = Math.ceil(((await ctx.clock.now()) - ctx.clock.start) / DAY);
  // Tenders follow the rice season; on a chain whose clock cannot move everything starts "now".
  const d0 = canTravel ? Math.max(elapsed, 30) : elapsed;

  let nextId = (await read<bigint>("tenderCount", [])) + 1n;
  const create = async (plans: TenderPlan[], bidDeadline: number, revealDeadline: number) => {
    for (const p of plans) p.tenderId = nextId++;
    await relayBatch(
      ctx.relay,
      plans.map((p) => createItem(p, bidDeadline, revealDeadline)),
    );
    for (const p of plans) sealedBids.set(p.key, seal(p));
  };
  const commitAll = (plans: TenderPlan[]) =>
    relayBatch(
      ctx.relay,
      plans.flatMap((p) => (sealedBids.get(p.key) ?? []).map((s) => commitItem(p, s))),
    );

  // The creator's household is kept out of its tenders: its credential carries the household
  // tag it was issued with (scripts/seed/actors.ts).
  const written: TenderPlan[] = [];
  if (!canTravel) {
    // Only what needs no deadline to pass.
    const open = [plan("T6"), plan("T8")];
    await create(open, at(d0 + 14), at(d0 + 17));
    await commitAll(open);
    await relayBatch(ctx.relay, [
      by(ctx, OFFICIAL, tb("cancelTender", [plan("T6").tenderId, "예산 재편성으로 구매계획 취소"])),
    ]);
    written.push(...open);
    skipped.push(
      "tenders T1–T5 and T7 (they need bid and reveal deadlines to pass, and this node offers no way to move its clock)",
    );
  } else {
    const groupA = ["T1", "T2", "T3", "T4", "T5", "T6", "T9", "T10", "T11"].map(plan);
    await ctx.clock.advanceToDay(d0, { hour: 10 });
    await create(groupA, at(d0 + 7), at(d0 + 10));
    await ctx.clock.advanceToDay(d0 + 2, { hour: 11 });
    await commitAll(groupA);

    // T4: 정정공고 (the quantity and base price change); tamjin and cheongja re-confirm, dasan does
    // not. An amendment never brings the bid deadline earlier and leaves at least five days.
    const t4 = plan("T4");
    await ctx.clock.advanceToDay(d0 + 3, { hour: 14 });
    t4.quantity = 3;
    t4.basePrice = 147_000_000;
    await relayBatch(ctx.relay, [
      by(
        ctx,
        OFFICIAL,
        tb("amendTender", [
          t4.tenderId,
          t4.title,
          specHash(t4, 2),
          BigInt(t4.quantity),
          t4.unit,
          BigInt(t4.basePrice),
          FLOOR_RATE,
          at(d0 + 8, 15),
          at(d0 + 10),
          "구매 수량 2대에서 3대로 변경 (추경 예산 반영)",
        ]),
      ),
    ]);
    const v1 = sealedBids.get("T4") ?? [];
    const v2 = seal(t4, "v2");
    const reconfirming = ["supplier-tamjin", "supplier-cheongja", "supplier-byeongyeong"];
    const t4Bids = v1.map((old) =>
      reconfirming.includes(old.supplier)
        ? (v2.find((n) => n.supplier === old.supplier) as Sealed)
        : old,
    );
    sealedBids.set("T4", t4Bids);
    await ctx.clock.advanceToDay(d0 + 4, { hour: 10 });
    await relayBatch(
      ctx.relay,
      t4Bids.filter((s) => reconfirming.includes(s.supplier)).map((s) => commitItem(t4, s)),
    );

    // T6: cancelled before the bid deadline (the only time it may be); anyone may then release
    // its bonds.
    const t6 = plan("T6");
    await ctx.clock.advanceToDay(d0 + 5, { hour: 10 });
    await relayBatch(ctx.relay, [
      by(ctx, OFFICIAL, tb("cancelTender", [t6.tenderId, "예산 재편성으로 구매계획 취소"])),
      ...(sealedBids.get("T6") ?? []).map((s) =>
        by(ctx, OFFICIAL, tb("settleBond", [t6.tenderId, s.address])),
      ),
    ]);

    // Reveal window of group A (T4's opens at its amended deadline).
    const revealing = ["T1", "T2", "T3", "T4", "T5", "T9", "T10", "T11"];
    await ctx.clock.advanceToDay(d0 + 8, { hour: 16 });
    await relayBatch(
      ctx.relay,
      revealing.flatMap((key) => {
        const p = plan(key);
        return (sealedBids.get(key) ?? [])
          .filter((s) => p.bids.find((b) => b.supplier === s.supplier)?.reveal)
          .map((s) => revealItem(p, s));
      }),
    );

    // After the reveal deadline: the official reveals its seeds (fixing each draw block), then
    // awards once those blocks are mined. T10 is never awarded; then the bonds of T4's unrevealed
    // and void bids.
    const awarding = ["T1", "T2", "T3", "T4", "T5", "T9", "T11"];
    await ctx.clock.advanceToDay(d0 + 10, { hour: 11 });
    await relayBatch(
      ctx.relay,
      awarding.map((key) =>
        by(ctx, OFFICIAL, tb("revealSeed", [plan(key).tenderId, officialSeed(plan(key))])),
      ),
    );
    await ctx.clock.advanceToDay(d0 + 10, { hour: 12 });
    await relayBatch(ctx.relay, [
      ...awarding.map((key) =>
        by(ctx, OFFICIAL, tb("award", [plan(key).tenderId, officialSeed(plan(key))], 1_500_000n)),
      ),
      ...t4Bids
        .filter((s) => !s.revealed)
        .map((s) => by(ctx, OFFICIAL, tb("settleBond", [t4.tenderId, s.address]))),
    ]);
    const winners = new Map<string, Address>();
    for (const key of ["T1", "T2", "T3", "T9", "T11"]) {
      const award = await read<{ winner: Address }>("getAward", [plan(key).tenderId]);
      winners.set(key, award.winner);
    }
    const winnerId = (key: string) =>
      (sealedBids.get(key) ?? []).find((s) => s.address === winners.get(key))?.supplier as string;
    const deliver = (key: string, n = 1) =>
      by(
        ctx,
        winnerId(key),
        tb("recordDelivery", [plan(key).tenderId, ctx.random.hash(`delivery:${key}:${n}`)]),
      );

    // Delivery, acceptance and payment of group A; T3's and T11's first deliveries are refused.
    await ctx.clock.advanceToDay(d0 + 11, { hour: 10 });
    await relayBatch(
      ctx.relay,
      ["T1", "T2", "T3", "T11"].map((key) => deliver(key)),
    );
    await ctx.clock.advanceToDay(d0 + 12, { hour: 15 });
    await relayBatch(ctx.relay, [
      by(
        ctx,
        "inspector-naqs-1",
        tb("acceptDelivery", [plan("T1").tenderId, ctx.random.hash("inspection:T1")]),
      ),
      by(
        ctx,
        "official-gangjin",
        tb("acceptDelivery", [plan("T2").tenderId, ctx.random.hash("inspection:T2")]),
      ),
      by(
        ctx,
        "inspector-naqs-1",
        tb("refuseDelivery", [
          plan("T3").tenderId,
          "포장 파손 120포, 함수율 기준 초과: 재납품 요구",
          ctx.random.hash("inspection:T3:1"),
        ]),
      ),
      by(
        ctx,
        "inspector-naqs-2",
        tb("refuseDelivery", [
          plan("T11").tenderId,
          "규격서의 필터 등급(H13)과 다른 제품 납품",
          ctx.random.hash("inspection:T11:1"),
        ]),
      ),
    ]);
    await ctx.clock.advanceToDay(d0 + 13, { hour: 10 });
    const t1 = plan("T1");
    const t1Award = await read<{ amount: bigint }>("getAward", [t1.tenderId]);
    await relayBatch(ctx.relay, [
      by(
        ctx,
        "official-gangjin-pay",
        tb("recordPayment", [t1.tenderId, t1Award.amount, ctx.random.hash("transfer:T1")]),
      ),
      deliver("T3", 2),
    ]);

    // T10: nobody awarded it within the award period: anyone ends it (유찰) and its revealed
    // bond is released, its unrevealed one forfeited.
    const t10 = plan("T10");
    await ctx.clock.advanceToDay(d0 + 18, { hour: 10 });
    await relayBatch(ctx.relay, [
      by(ctx, "supplier-namdo", tb("lapseTender", [t10.tenderId])),
      ...(sealedBids.get("T10") ?? []).map((s) =>
        by(ctx, "supplier-namdo", tb("settleBond", [t10.tenderId, s.address])),
      ),
    ]);

    // T9: the winner never delivered: the contract is terminated after the delivery deadline.
    const t9 = plan("T9");
    const schedule = await read<{ deliveryDeadline: number }>("getSchedule", [t9.tenderId]);
    const deadlineDay = Math.ceil((Number(schedule.deliveryDeadline) - ctx.clock.start) / DAY);
    await ctx.clock.advanceToDay(deadlineDay, { hour: 10 });
    await relayBatch(ctx.relay, [
      by(
        ctx,
        OFFICIAL,
        tb("terminateForNonDelivery", [t9.tenderId, "납품기한 경과, 납품 없음 (계약 해지)"]),
      ),
    ]);

    // Group B, after the rest: T7 will be in its reveal window at the end, T8 open for bids.
    const t7 = plan("T7");
    await ctx.clock.advanceToDay(deadlineDay, { hour: 11 });
    await create([t7], at(deadlineDay + 2), at(deadlineDay + 14));
    await ctx.clock.advanceToDay(deadlineDay + 1, { hour: 9 });
    await commitAll([t7]);
    await ctx.clock.advanceToDay(deadlineDay + 3, { hour: 10 });
    await relayBatch(
      ctx.relay,
      (sealedBids.get("T7") ?? [])
        .filter((s) => t7.bids.find((b) => b.supplier === s.supplier)?.reveal)
        .map((s) => revealItem(t7, s)),
    );

    // T8: open for bids well past the end of the seed.
    const t8 = plan("T8");
    await ctx.clock.advanceToDay(deadlineDay + 3, { hour: 14 });
    await create([t8], at(deadlineDay + 17), at(deadlineDay + 20));
    await commitAll([t8]);
    written.push(...PLANS);
  }

  // Check every tender written against the plan.
  const now = await ctx.clock.now();
  const counts: Record<string, number> = {};
  for (const p of written) {
    const tender = await read<{ state: number; bidDeadline: number; revealDeadline: number }>(
      "getTender",
      [p.tenderId],
    );
    let state: string = TenderStateNames[tender.state] ?? "?";
    if (state === "Open") state = now >= tender.bidDeadline ? "InReveal" : "Bidding";
    if (state !== p.target)
      throw new Error(`seed check: tender ${p.key} is ${state}, planned ${p.target}`);
    counts[p.target] = (counts[p.target] ?? 0) + 1;
  }
  ctx.roster.tenders = written.map((p) => ({
    key: p.key,
    tenderId: String(p.tenderId),
    title: p.title,
    state: p.target,
    officialSeed: officialSeed(p),
    bids: (sealedBids.get(p.key) ?? []).map((s) => ({
      supplier: s.supplier,
      address: s.address,
      price: String(s.price),
      picks: s.picks,
      salt: s.salt,
      docHash: s.docHash,
      revealed: s.revealed,
    })),
  }));
  ctx.log(
    `tenders: ${written.length} — ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  return counts;
}
