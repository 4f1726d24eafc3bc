/**
 * TenderBoard's arithmetic, exactly as ITenderBoard documents it: the sealed-bid commitment, the
 * seed commitment, and the 복수예가 reserve-price draw (steps 1–7) from the official's seed and the
 * revealed salts and picks. One definition for the portal (the auditor's recomputation, the
 * supplier's sealed bid), the seed script, the gas bench and the tests.
 */
import { type Address, encodeAbiParameters, type Hex, keccak256 } from "viem";

const MASK_64 = (1n << 64n) - 1n;

export function saltMixOf(salts: Hex[]): bigint {
  let mix = 0n;
  for (const s of salts)
    mix ^= BigInt(keccak256(encodeAbiParameters([{ type: "bytes32" }], [s]))) & MASK_64;
  return mix;
}

export function finalSeedOf(
  chainId: number,
  board: Address,
  tenderId: bigint,
  seed: Hex,
  saltMix: bigint,
): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "bytes32" },
        { type: "uint64" },
      ],
      [BigInt(chainId), board, tenderId, seed, saltMix],
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

/** Step 7: the lowest price in [floor, reserve], ties to the earliest commit; undefined → 유찰. */
export function winnerOf(
  bids: readonly RevealedBid[],
  reserve: bigint,
  floor: bigint,
): RevealedBid | undefined {
  return bids
    .filter((b) => b.price >= floor && b.price <= reserve)
    .sort((a, b) => (a.price === b.price ? a.seq - b.seq : a.price < b.price ? -1 : 1))[0];
}
