/**
 * A TenderBoard tender folded from every event indexed by its `tenderId` (terms, amendments,
 * bids and bonds, the draw, the outcome, delivery and payment), in chain order; and the
 * recomputation of its draw (복수예가) from the revealed bids with the rules of sdk/tenders.ts.
 */
import type { Address, Hex } from "viem";
import type { TenderBoardAbi } from "../generated/abis.ts";
import { BidStatus, type ReleaseReason, type Role, TenderState } from "../generated/enums.ts";
import {
  type Draw,
  drawReserve,
  finalSeedOf,
  pickCountsOf,
  type RevealedBid,
  saltMixOf,
  winnerOf,
} from "../tenders.ts";
import {
  assertAfter,
  type ChainPosition,
  FoldError,
  foldEvents,
  type HistoryEntry,
  historyEntry,
  type PositionedEvent,
} from "./event.ts";

export type TenderEvent = PositionedEvent<typeof TenderBoardAbi>;

/** The terms a version of the tender published (creation or amendment). */
export interface TenderTerms {
  readonly title: string;
  readonly specHash: Hex;
  readonly quantity: bigint;
  readonly unit: string;
  readonly basePrice: bigint;
  readonly floorRate: number;
  readonly bidDeadline: number;
  readonly revealDeadline: number;
}

export interface Amendment extends TenderTerms, ChainPosition {
  readonly version: number;
  readonly official: Address;
  readonly reason: string;
}

export interface BidRecord {
  readonly bidder: Address;
  readonly version: number;
  readonly seq: number;
  readonly commitment: Hex;
  readonly bondAmount: bigint;
  readonly bondDocHash: Hex;
  readonly status: BidStatus;
  readonly releaseReason: ReleaseReason | null;
  readonly price: bigint | null;
  readonly picks: readonly [number, number] | null;
  readonly docHash: Hex | null;
  readonly salt: Hex | null;
  readonly committed: ChainPosition;
  readonly revealed: ChainPosition | null;
  readonly passedOver: boolean;
}

/** What `ReserveDrawn` published. */
export interface DrawnReserve {
  readonly seed: Hex;
  readonly saltMix: bigint;
  readonly drawBlock: bigint;
  readonly drawBlockHash: Hex;
  readonly finalSeed: Hex;
  readonly candidates: readonly bigint[];
  readonly pickCounts: readonly number[];
  readonly chosen: readonly number[];
  readonly reserve: bigint;
  readonly floor: bigint;
}

export interface TenderOutcome extends ChainPosition {
  readonly outcome: "awarded" | "failed";
  readonly official: Address;
  readonly winner: Address | null;
  readonly price: bigint | null;
  readonly seq: number | null;
  readonly reserve: bigint;
  readonly floor: bigint;
  readonly revealedCount: number;
}

export interface TenderRecord extends TenderTerms {
  readonly id: bigint;
  readonly region: number;
  readonly official: Address;
  readonly bond: bigint;
  readonly seedCommitment: Hex;
  readonly version: number;
  readonly state: TenderState;
  readonly commitCount: number;
  readonly revealedCount: number;
  readonly reserve: bigint | null;
  readonly floor: bigint | null;
  readonly winner: Address | null;
  readonly contractAmount: bigint | null;
  readonly cancelReason: string | null;
  readonly bondsReleased: boolean | null;
  readonly deliveryDocHash: Hex | null;
  readonly deliveredTime: number | null;
  readonly acceptor: Address | null;
  readonly acceptorRole: Role | null;
  readonly inspectionDocHash: Hex | null;
  readonly acceptedTime: number | null;
  readonly paidAmount: bigint | null;
  readonly transferRefHash: Hex | null;
  readonly paidTime: number | null;
  readonly drawBlock: bigint | null;
  readonly deliveryDeadline: number | null;
  readonly refusals: number;
  readonly refusalReason: string | null;
  readonly refusedTime: number | null;
  readonly terminationReason: string | null;
  readonly terminatedTime: number | null;
  readonly lapsedTime: number | null;
  readonly amendments: readonly Amendment[];
  /** Keyed `bidder|version` (bidder checksummed), in commit order. */
  readonly bids: ReadonlyMap<string, BidRecord>;
  readonly drawn: (DrawnReserve & ChainPosition) | null;
  readonly outcome: TenderOutcome | null;
  readonly created: ChainPosition;
  /** The last event that changed the tender's own fields (not a bid's or the draw's). */
  readonly updated: ChainPosition;
  readonly history: readonly HistoryEntry[];
}

export const bidKeyOf = (bidder: Address, version: number) => `${bidder}|${version}`;

const TENDER_EVENTS = new Set([
  "TenderCreated",
  "TenderAmended",
  "BidCommitted",
  "BidRevealed",
  "DrawScheduled",
  "ReserveDrawn",
  "BidPassedOver",
  "TenderAwarded",
  "TenderFailed",
  "TenderLapsed",
  "TenderCancelled",
  "DeliveryRecorded",
  "DeliveryRefused",
  "TenderTerminated",
  "DeliveryAccepted",
  "TenderPaid",
  "BondForfeited",
  "BondReleased",
]);

/** Whether `event` belongs to a tender's history. */
export const isTenderEvent = (event: { eventName: string }) => TENDER_EVENTS.has(event.eventName);

const termsOf = (a: TenderTerms): TenderTerms => ({
  title: a.title,
  specHash: a.specHash,
  quantity: a.quantity,
  unit: a.unit,
  basePrice: a.basePrice,
  floorRate: a.floorRate,
  bidDeadline: a.bidDeadline,
  revealDeadline: a.revealDeadline,
});

const timeOf = (e: ChainPosition) => e.blockTime ?? null;

/** The tender after `event`; `tender` undefined only before its `TenderCreated`. */
export function applyTenderEvent(
  tender: TenderRecord | undefined,
  event: TenderEvent,
): TenderRecord {
  const here = historyEntry(event);
  if (event.eventName === "TenderCreated") {
    if (tender !== undefined) throw new FoldError(`tender ${event.args.tenderId} created twice`);
    const a = event.args;
    return {
      id: a.tenderId,
      region: a.region,
      official: a.official,
      ...termsOf(a),
      bond: a.bond,
      seedCommitment: a.seedCommitment,
      version: 1,
      state: TenderState.Open,
      commitCount: 0,
      revealedCount: 0,
      reserve: null,
      floor: null,
      winner: null,
      contractAmount: null,
      cancelReason: null,
      bondsReleased: null,
      deliveryDocHash: null,
      deliveredTime: null,
      acceptor: null,
      acceptorRole: null,
      inspectionDocHash: null,
      acceptedTime: null,
      paidAmount: null,
      transferRefHash: null,
      paidTime: null,
      drawBlock: null,
      deliveryDeadline: null,
      refusals: 0,
      refusalReason: null,
      refusedTime: null,
      terminationReason: null,
      terminatedTime: null,
      lapsedTime: null,
      amendments: [],
      bids: new Map(),
      drawn: null,
      outcome: null,
      created: here,
      updated: here,
      history: [here],
    };
  }
  if (tender === undefined) throw new FoldError(`${event.eventName} before the tender was created`);
  if (!isTenderEvent(event) || (event.args as { tenderId?: bigint }).tenderId !== tender.id)
    throw new FoldError(`${event.eventName} is not an event of tender ${tender.id}`);
  assertAfter(tender.history.at(-1), event, `tender ${tender.id}`);
  const history = [...tender.history, here];
  /** A change of the tender's own fields. */
  const own = (change: Partial<TenderRecord>): TenderRecord => ({
    ...tender,
    ...change,
    updated: here,
    history,
  });
  const bid = (bidder: Address, version: number, change: Partial<BidRecord>): TenderRecord => {
    const key = bidKeyOf(bidder, version);
    const old = tender.bids.get(key);
    if (old === undefined) throw new FoldError(`${event.eventName} for unknown bid ${key}`);
    const bids = new Map(tender.bids);
    bids.set(key, { ...old, ...change });
    return { ...tender, bids, history };
  };
  switch (event.eventName) {
    case "TenderAmended": {
      const a = event.args;
      return own({
        ...termsOf(a),
        version: a.version,
        amendments: [
          ...tender.amendments,
          { ...termsOf(a), version: a.version, official: a.official, reason: a.reason, ...here },
        ],
      });
    }
    case "BidCommitted": {
      const a = event.args;
      const bids = new Map(tender.bids);
      bids.set(bidKeyOf(a.bidder, a.version), {
        bidder: a.bidder,
        version: a.version,
        seq: a.seq,
        commitment: a.commitment,
        bondAmount: a.bondAmount,
        bondDocHash: a.bondDocHash,
        status: BidStatus.Committed,
        releaseReason: null,
        price: null,
        picks: null,
        docHash: null,
        salt: null,
        committed: here,
        revealed: null,
        passedOver: false,
      });
      return { ...own({ commitCount: tender.commitCount + 1 }), bids };
    }
    case "BidRevealed": {
      const a = event.args;
      const revealed = bid(a.bidder, a.version, {
        status: BidStatus.Revealed,
        price: a.price,
        picks: [a.picks[0] ?? 0, a.picks[1] ?? 0],
        docHash: a.docHash,
        salt: a.salt,
        revealed: here,
      });
      return { ...revealed, revealedCount: tender.revealedCount + 1, updated: here };
    }
    case "BondReleased":
      return bid(event.args.bidder, event.args.version, {
        status: BidStatus.Released,
        releaseReason: event.args.reason as ReleaseReason,
      });
    case "BondForfeited":
      return bid(event.args.bidder, event.args.version, { status: BidStatus.Forfeited });
    case "BidPassedOver":
      return bid(event.args.bidder, event.args.version, { passedOver: true });
    case "DrawScheduled":
      return own({ drawBlock: event.args.drawBlock });
    case "ReserveDrawn": {
      const a = event.args;
      return {
        ...tender,
        history,
        drawn: {
          seed: a.seed,
          saltMix: a.saltMix,
          drawBlock: a.drawBlock,
          drawBlockHash: a.drawBlockHash,
          finalSeed: a.finalSeed,
          candidates: [...a.candidates],
          pickCounts: [...a.pickCounts],
          chosen: [...a.chosen],
          reserve: a.reserve,
          floor: a.floor,
          ...here,
        },
      };
    }
    case "TenderAwarded": {
      const a = event.args;
      return own({
        state: TenderState.Awarded,
        reserve: a.reserve,
        floor: a.floor,
        winner: a.winner,
        contractAmount: a.price,
        deliveryDeadline: a.deliveryDeadline,
        outcome: {
          outcome: "awarded",
          official: a.official,
          winner: a.winner,
          price: a.price,
          seq: a.seq,
          reserve: a.reserve,
          floor: a.floor,
          revealedCount: a.revealedCount,
          ...here,
        },
      });
    }
    case "TenderFailed": {
      const a = event.args;
      return own({
        state: TenderState.Failed,
        reserve: a.reserve,
        floor: a.floor,
        outcome: {
          outcome: "failed",
          official: a.official,
          winner: null,
          price: null,
          seq: null,
          reserve: a.reserve,
          floor: a.floor,
          revealedCount: a.revealedCount,
          ...here,
        },
      });
    }
    case "TenderLapsed":
      return own({ state: TenderState.Failed, lapsedTime: timeOf(event) });
    case "TenderCancelled":
      // Cancellation is only possible before the bid deadline: every bond is released.
      return own({
        state: TenderState.Cancelled,
        cancelReason: event.args.reason,
        bondsReleased: true,
      });
    case "DeliveryRecorded":
      return own({
        state: TenderState.Delivered,
        deliveryDocHash: event.args.deliveryDocHash,
        deliveredTime: timeOf(event),
      });
    case "DeliveryRefused":
      return own({
        state: TenderState.Refused,
        refusals: tender.refusals + 1,
        refusalReason: event.args.reason,
        refusedTime: timeOf(event),
        inspectionDocHash: event.args.inspectionDocHash,
      });
    case "TenderTerminated":
      return own({
        state: TenderState.Terminated,
        terminationReason: event.args.reason,
        terminatedTime: timeOf(event),
      });
    case "DeliveryAccepted":
      return own({
        state: TenderState.Accepted,
        acceptor: event.args.acceptor,
        acceptorRole: event.args.role as Role,
        inspectionDocHash: event.args.inspectionDocHash,
        acceptedTime: timeOf(event),
      });
    case "TenderPaid":
      return own({
        state: TenderState.Paid,
        paidAmount: event.args.amount,
        transferRefHash: event.args.transferRefHash,
        paidTime: timeOf(event),
      });
    default:
      throw new FoldError(
        `${(event as { eventName: string }).eventName} is not an event of tender ${tender.id}`,
      );
  }
}

/** Folds a tender's events, in chain order, into its state. */
export function foldTender(events: readonly TenderEvent[]): TenderRecord {
  return foldEvents(events, applyTenderEvent, "TenderCreated");
}

/** The draw and winner recomputed from the tender's own revealed bids (ITenderBoard steps 1–7). */
export interface RecomputedDraw extends Draw {
  readonly saltMix: bigint;
  readonly finalSeed: Hex;
  readonly pickCounts: readonly number[];
  readonly winner: RevealedBid | undefined;
}

/**
 * Recomputes the draw from the seed and draw block hash `ReserveDrawn` published and the salts
 * and picks of the revealed bids; undefined before the draw. `drawBlockHash` may be given from
 * the node's own block (the auditor's check that the event names the real block's hash).
 */
export function recomputeDraw(
  tender: TenderRecord,
  chainId: number,
  board: Address,
  drawBlockHash: Hex | undefined = tender.drawn?.drawBlockHash,
): RecomputedDraw | undefined {
  if (tender.drawn === null || drawBlockHash === undefined) return undefined;
  // Reveals run only under the tender's last version (amendments end before bidding does).
  const revealed = [...tender.bids.values()].filter((b) => b.revealed !== null);
  const saltMix = saltMixOf(revealed.map((b) => b.salt as Hex));
  const finalSeed = finalSeedOf(
    chainId,
    board,
    tender.id,
    tender.drawn.seed,
    saltMix,
    drawBlockHash,
  );
  const pickCounts = pickCountsOf(revealed.map((b) => b.picks as readonly [number, number]));
  const draw = drawReserve(tender.basePrice, BigInt(tender.floorRate), finalSeed, pickCounts);
  const winner = winnerOf(
    revealed.map((b) => ({ bidder: b.bidder, seq: b.seq, price: b.price ?? 0n })),
    draw.reserve,
    draw.floor,
    revealed.filter((b) => b.passedOver).map((b) => b.bidder),
  );
  return { ...draw, saltMix, finalSeed, pickCounts, winner };
}
