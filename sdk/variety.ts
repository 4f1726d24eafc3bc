/**
 * VarietyTesting's rules, exactly as IVarietyTesting documents them (issue 24), and the sale's
 * delivery day (issue 21): one definition for the portal, the indexer, the seed script and the tests.
 *
 *   - The sample frame of a county is its selling farms in the order of their first
 *     `SaleSubmitted` in the programme ({@link sampleFrame}); farm number i (1-based) is the i-th.
 *   - The seed commitment is `keccak256(abi.encode(programId, region, secret))`; the seed is
 *     `keccak256(abi.encode(chainId, varietyTesting, programId, region, secret, anchorHash))`.
 *   - `k = ceil(n × 5 / 100)` farms are drawn: those whose swap-or-not shuffled position is below
 *     k. Each round of the shuffle is its own inverse, so the drawn farms are the positions 0…k−1
 *     run through the rounds backwards: {@link drawSample} costs k × rounds hashes, not n × rounds.
 *   - More than 200 ‰ of a non-designated variety excludes the farm for crop years Y+1…Y+5.
 */
import { type Address, encodeAbiParameters, type Hex, keccak256 } from "viem";

/** VarietyTesting.SHUFFLE_ROUNDS. */
export const SHUFFLE_ROUNDS = 90;
/** VarietyTesting.EXCLUSION_THRESHOLD_PERMILLE: a share above this excludes the farm. */
export const EXCLUSION_THRESHOLD_PERMILLE = 200;
/** VarietyTesting.EXCLUSION_YEARS: crop years excluded, from the year after the tested one. */
export const EXCLUSION_YEARS = 5;

/** Two variety codes; `[0, 0]` (or a first code of 0) names none. */
export type VarietyPair = readonly [number, number];

/**
 * The varieties a sale's variety is held to: the county's (`VarietiesDesignated` for the
 * programme and the sale's 시군) when it named any, else the programme's (`ProgramCreated`).
 * VarietyTesting.checkSale refuses a sale of another variety only in a county that named some;
 * a county can name them only before its first sale (`designateVarieties` requires no sellers),
 * so the pair in force when a sale is submitted is the one for all its county's sales.
 */
export function varietiesInForce(
  programme: VarietyPair | undefined,
  county: VarietyPair | undefined,
): VarietyPair | undefined {
  return county !== undefined && county[0] !== 0 ? county : programme;
}

/** Whether `variety` is designated for the sale: one of {@link varietiesInForce} (0 never is). */
export function isDesignatedVariety(
  variety: number,
  programme: VarietyPair | undefined,
  county: VarietyPair | undefined,
): boolean {
  const pair = varietiesInForce(programme, county);
  return variety !== 0 && pair !== undefined && (variety === pair[0] || variety === pair[1]);
}

/** The key of a county's designation: programme and 시군. */
export const countyKeyOf = (programId: number, region: number) => `${programId}|${region}`;

/** ceil(sellers × 5 / 100), as VarietyTesting.sampleSizeOf. */
export function sampleSizeOf(sellers: number): number {
  return Math.floor((sellers * 5 + 99) / 100);
}

/** The commitment a county sends to commitSeed for `secret`. */
export function varietySeedCommitment(programId: number, region: number, secret: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint32" }, { type: "uint32" }, { type: "bytes32" }],
      [programId, region, secret],
    ),
  );
}

/** The seed {draw} records, from the revealed secret and the anchor block's hash. */
export function varietySeedOf(p: {
  chainId: number;
  varietyTesting: Address;
  programId: number;
  region: number;
  secret: Hex;
  anchorHash: Hex;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "uint32" },
        { type: "uint32" },
        { type: "bytes32" },
        { type: "bytes32" },
      ],
      [BigInt(p.chainId), p.varietyTesting, p.programId, p.region, p.secret, p.anchorHash],
    ),
  );
}

function pivotOf(seed: Hex, round: number, count: bigint): bigint {
  const h = keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [seed, BigInt(round)]),
  );
  return BigInt(h) % count;
}

function bitOf(seed: Hex, round: number, position: bigint): boolean {
  const h = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "uint256" }],
      [seed, BigInt(round), position],
    ),
  );
  return (BigInt(h) & 1n) === 1n;
}

function round(seed: Hex, r: number, count: bigint, pivot: bigint, x: bigint): bigint {
  const flip = (pivot + count - x) % count;
  const position = x > flip ? x : flip;
  return bitOf(seed, r, position) ? flip : x;
}

/** Where the shuffle keyed by `seed` puts `index` among 0…count−1 (VarietyTesting.shuffledPosition). */
export function shuffledPosition(seed: Hex, count: number, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`index ${index} is outside 0…${count - 1}`);
  }
  const n = BigInt(count);
  let x = BigInt(index);
  for (let r = 0; r < SHUFFLE_ROUNDS; r++) x = round(seed, r, n, pivotOf(seed, r, n), x);
  return Number(x);
}

/** The index whose shuffled position is `position`: the rounds backwards (each is an involution). */
export function unshuffledIndex(seed: Hex, count: number, position: number): number {
  if (!Number.isInteger(position) || position < 0 || position >= count) {
    throw new RangeError(`position ${position} is outside 0…${count - 1}`);
  }
  const n = BigInt(count);
  let x = BigInt(position);
  for (let r = SHUFFLE_ROUNDS - 1; r >= 0; r--) x = round(seed, r, n, pivotOf(seed, r, n), x);
  return Number(x);
}

/**
 * The farms drawn from `frame` (the county's selling farms in order, see {@link sampleFrame}),
 * as farm numbers (1-based), ascending. Anyone re-derives it from the seed in `SampleDrawn`.
 */
export function drawSample(seed: Hex, sellers: number): number[] {
  const k = sampleSizeOf(sellers);
  const drawn: number[] = [];
  for (let position = 0; position < k; position++) {
    drawn.push(unshuffledIndex(seed, sellers, position) + 1);
  }
  return drawn.sort((a, b) => a - b);
}

/** True when farm number `sellerIndex` (1-based) is in the sample (VarietyTesting.isSampled). */
export function isSampled(seed: Hex, sellers: number, sellerIndex: number): boolean {
  if (sellerIndex < 1 || sellerIndex > sellers) return false;
  return shuffledPosition(seed, sellers, sellerIndex - 1) < sampleSizeOf(sellers);
}

/**
 * A county's sample frame from its `SaleSubmitted` events in chain order: each farm once, at its
 * first sale (farm number = position + 1), as RicePurchase numbers them.
 */
export function sampleFrame(
  submitted: Iterable<{ programId: number; region: number; farmer: Address }>,
  programId: number,
  region: number,
): Address[] {
  const seen = new Set<string>();
  const frame: Address[] = [];
  for (const s of submitted) {
    if (s.programId !== programId || s.region !== region) continue;
    const key = s.farmer.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    frame.push(s.farmer);
  }
  return frame;
}

/** True when a result excludes the farm (strictly above 200 ‰). */
export function excludes(offTypePermille: number): boolean {
  return offTypePermille > EXCLUSION_THRESHOLD_PERMILLE;
}

/** The crop years a result of crop year `cropYear` excludes. */
export function exclusionYears(cropYear: number): { fromYear: number; toYear: number } {
  return { fromYear: cropYear + 1, toYear: cropYear + EXCLUSION_YEARS };
}

// ------------------------------------------------------------------ delivery day (issue 21)

const DAY = 86_400;
/** Korean time, UTC+9, in seconds. */
const KST_OFFSET = 9 * 3600;

/** The delivery day (days since 1970-01-01) of a Korean calendar date `YYYY-MM-DD`. */
export function deliveryDayOf(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(m[3]) || back.getUTCMonth() !== Number(m[2]) - 1) {
    throw new RangeError(`no such date: ${date}`);
  }
  return ms / 1000 / DAY;
}

/** The Korean calendar date `YYYY-MM-DD` of a delivery day. */
export function dateOfDeliveryDay(day: number): string {
  return new Date(day * DAY * 1000).toISOString().slice(0, 10);
}

/** The delivery day that Unix time `seconds` falls on in Korea. */
export function deliveryDayAt(seconds: number | bigint): number {
  return Math.floor((Number(seconds) + KST_OFFSET) / DAY);
}

/** The delivery days submitSale accepts in a programme: its window's first and last Korean days. */
export function deliveryDayBounds(window: {
  deliveryStart: number | bigint;
  deliveryEnd: number | bigint;
}): { firstDay: number; lastDay: number } {
  return {
    firstDay: deliveryDayAt(window.deliveryStart),
    lastDay: deliveryDayAt(window.deliveryEnd),
  };
}

// ------------------------------------------------------------------ a county's draw, step by step

/** True for a 시군구 code such as 46810 (Regions.isCounty): only a county designates and draws. */
export function isCounty(region: number): boolean {
  return region >= 11_000 && region <= 99_999 && region % 1000 !== 0;
}

/**
 * Where a county's draw stands, as VarietyTesting's checks decide what may be sent next:
 *   - `designate`: no designated variety yet (commitSeed refuses with NoDesignation);
 *   - `commit`: designated, no commitment, the delivery window still open;
 *   - `missed`: designated, the window closed with no commitment: no draw for this programme;
 *   - `committed`: committed, the window still open (the reveal waits for it to close);
 *   - `reveal`: committed and the window closed, not revealed;
 *   - `draw`: revealed (anchor block fixed), no seed yet: anyone may draw once the anchor is mined;
 *   - `drawn`: the seed is recorded; the sample is fixed.
 * `now` and `deliveryEnd` are Unix seconds (the chain's clock, not the device's).
 */
export type CountyDrawPhase =
  | "designate"
  | "commit"
  | "missed"
  | "committed"
  | "reveal"
  | "draw"
  | "drawn";

export function countyDrawPhase(
  county: {
    varieties: readonly number[];
    commitment: string | null;
    anchorBlock: number | null;
    seed: string | null;
  } | null,
  deliveryEnd: number,
  now: number,
): CountyDrawPhase {
  const open = now <= deliveryEnd;
  if (county === null || county.varieties.length === 0) return "designate";
  if (county.seed !== null) return "drawn";
  if (county.anchorBlock !== null && county.anchorBlock !== 0) return "draw";
  if (county.commitment === null) return open ? "commit" : "missed";
  return open ? "committed" : "reveal";
}
