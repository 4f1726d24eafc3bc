/**
 * TenderBoard's arithmetic and rules, exactly as ITenderBoard documents them: the sealed-bid
 * commitment, the seed commitment, the 복수예가 reserve-price draw (steps 1–7) from the official's
 * seed, the revealed salts and picks and the draw block's hash, and the tender timeline (award
 * period, delivery deadline, which actions a state allows). One definition for the portal (the
 * auditor's recomputation, the supplier's sealed bid, the official's buttons), the seed script,
 * the gas bench and the tests.
 */
import { type Address, encodeAbiParameters, type Hex, keccak256 } from "viem";
import { TenderState } from "./generated/enums.ts";

/** TenderBoard.AWARD_PERIOD: after the reveal deadline, the time to reveal the seed and award. */
export const AWARD_PERIOD_SECONDS = 7 * 24 * 3600;
/** TenderBoard.DELIVERY_PERIOD: the award time plus this is the winner's delivery deadline. */
export const DELIVERY_PERIOD_SECONDS = 30 * 24 * 3600;
/** TenderBoard.MIN_AMENDMENT_NOTICE: an amendment leaves at least this until the bid deadline. */
export const MIN_AMENDMENT_NOTICE_SECONDS = 5 * 24 * 3600;

/** Where a tender stands at `now` (Unix seconds), for what its pages offer. */
export type TenderPhase =
  | "bidding"
  | "reveal"
  | "awaitingSeed"
  | "awaitingAward"
  | "lapsable"
  | "awaitingDelivery"
  | "terminable"
  | "inspection"
  | "closed";

/**
 * The phase of a tender from its state, deadlines and draw block: bidding, reveal window, seed or
 * award due (within the award period), lapsable (award period over, anyone may end it as 유찰),
 * delivery awaited (or, past the delivery deadline, terminable), inspection, or closed.
 */
export function tenderPhase(
  t: {
    state: number;
    bidDeadline: number;
    revealDeadline: number;
    drawBlock: number | null;
    deliveryDeadline: number | null;
  },
  now: number,
): TenderPhase {
  switch (t.state) {
    case TenderState.Open:
      if (now < t.bidDeadline) return "bidding";
      if (now < t.revealDeadline) return "reveal";
      if (now >= t.revealDeadline + AWARD_PERIOD_SECONDS) return "lapsable";
      return t.drawBlock === null ? "awaitingSeed" : "awaitingAward";
    case TenderState.Awarded:
    case TenderState.Refused:
      return t.deliveryDeadline !== null && now >= t.deliveryDeadline
        ? "terminable"
        : "awaitingDelivery";
    case TenderState.Delivered:
      return "inspection";
    default:
      return "closed";
  }
}

/** The earliest bid deadline an amendment made at `now` may set (never earlier than `current`). */
export function earliestAmendedBidDeadline(current: number, now: number): number {
  return Math.max(current, now + MIN_AMENDMENT_NOTICE_SECONDS);
}

const MASK_64 = (1n << 64n) - 1n;

export function saltMixOf(salts: Hex[]): bigint {
  let mix = 0n;
  for (const s of salts)
    mix ^= BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }], [s]))) & MASK_64;
  return mix;
}

/**
 * Step 2: the final seed from the official's seed, the salt mix and the hash of the draw block
 * (the block after the seed's reveal, named in `DrawScheduled` and `ReserveDrawn`).
 */
export function finalSeedOf(
  chainId: number,
  board: Address,
  tenderId: bigint,
  seed: Hex,
  saltMix: bigint,
  drawBlockHash: Hex,
): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "bytes32" },
        { type: "uint64" },
        { type: "bytes32" },
      ],
      [BigInt(chainId), board, tenderId, seed, saltMix, drawBlockHash],
    ),
  );
}

export function pickCountsOf(picks: (readonly [number, number])[]): number[] {
  const counts = new Array<number>(15).fill(0);
  for (const [a, b] of picks) {
    counts[a] = (counts[a] ?? 0) + 1;
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return counts;
}

export interface Draw {
  candidates: bigint[];
  chosen: number[];
  reserve: bigint;
  floor: bigint;
}

export function drawReserve(
  basePrice: bigint,
  floorRate: bigint,
  finalSeed: Hex,
  pickCounts: number[],
): Draw {
  const candidates: bigint[] = [];
  for (let i = 0; i < 15; i++) {
    const r =
      BigInt(
        keccak256(
          encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [finalSeed, BigInt(i)]),
        ),
      ) % 601n;
    candidates.push((basePrice * (9_700n + r)) / 10_000n);
  }
  const order = [...Array(15).keys()].sort(
    (a, b) => (pickCounts[b] ?? 0) - (pickCounts[a] ?? 0) || a - b,
  );
  const chosen = order.slice(0, 4);
  const reserve = chosen.reduce((s, i) => s + (candidates[i] ?? 0n), 0n) / 4n;
  const floor = (reserve * floorRate + 99_999n) / 100_000n;
  return { candidates, chosen, reserve, floor };
}

/** The sealed-bid commitment (ITenderBoard notice): computed locally, never sent before reveal. */
export function bidCommitment(p: {
  chainId: number;
  board: Address;
  tenderId: bigint;
  bidder: Address;
  price: bigint;
  picks: readonly [number, number];
  docHash: Hex;
  salt: Hex;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "address" },
        { type: "uint64" },
        { type: "uint8" },
        { type: "uint8" },
        { type: "bytes32" },
        { type: "bytes32" },
      ],
      [
        BigInt(p.chainId),
        p.board,
        p.tenderId,
        p.bidder,
        p.price,
        p.picks[0],
        p.picks[1],
        p.docHash,
        p.salt,
      ],
    ),
  );
}

/** The official's seed commitment given at creation: `keccak256(abi.encode(seed))`. */
export function seedCommitmentOf(seed: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "bytes32" }], [seed]));
}

/** A revealed bid, as `BidRevealed` carries it. */
export interface RevealedBid {
  bidder: Address;
  seq: number;
  price: bigint;
}

/**
 * Step 7: the lowest price in [floor, reserve], ties to the earliest commit, leaving out the bids
 * named by `BidPassedOver` (their bidder's credential was no longer valid); undefined → 유찰.
 */
export function winnerOf(
  bids: readonly RevealedBid[],
  reserve: bigint,
  floor: bigint,
  passedOver: readonly Address[] = [],
): RevealedBid | undefined {
  const out = new Set(passedOver.map((a) => a.toLowerCase()));
  return bids
    .filter((b) => b.price >= floor && b.price <= reserve && !out.has(b.bidder.toLowerCase()))
    .sort((a, b) => (a.price === b.price ? a.seq - b.seq : a.price < b.price ? -1 : 1))[0];
}
