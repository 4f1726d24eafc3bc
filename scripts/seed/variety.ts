/**
 * Variety testing (품종검정, issue 24) in 강진군 for programme 2, through VarietyTesting's public
 * functions, each actor signing its own ForwardRequest:
 *
 * - before any sale, 강진군's purchase official designates 새청무 (101) and 새일미 (102) and commits
 *   to the secret of its draw;
 * - after the window closed, the official reveals the secret; a block later the draw is made;
 * - the inspector records the result of each drawn farm, found with the SDK's `drawSample` from
 *   the seed in `SampleDrawn` (as anyone can): all pass (120 ‰) but the last, which holds 260 ‰
 *   of a non-designated variety and is excluded from crop years 2027–2031.
 */
import { type Address, parseEventLogs } from "viem";
import { RicePurchaseAbi, VarietyTestingAbi } from "../../sdk/generated/abis.ts";
import { drawSample, varietySeedCommitment } from "../../sdk/variety.ts";
import { by, type SeedContext } from "./context.ts";
import { REGION } from "./enums.ts";
import { type Call, call, relayBatch, relayCall } from "./forward.ts";

/** The varieties 강진군 designates for programme 2. */
export const GANGJIN_VARIETIES = [101, 102] as const;
/** The results recorded for the drawn farms, in farm-number order: the last one excludes. */
export const PASSING_PERMILLE = 120;
export const EXCLUDING_PERMILLE = 260;
const resultOf = (i: number, count: number) =>
  i === count - 1 ? EXCLUDING_PERMILLE : PASSING_PERMILLE;

function vt(ctx: SeedContext, functionName: string, args: readonly unknown[], gas?: bigint): Call {
  const address = ctx.deployment.addresses.VarietyTesting;
  return call(address, { abi: VarietyTestingAbi, functionName, args } as never, gas);
}

const secretOf = (ctx: SeedContext, programId: number) =>
  ctx.random.hash(`variety-secret:${programId}:${REGION.GANGJIN}`);

/** Designation and seed commitment, before the county's first sale of the programme. */
export async function designateAndCommit(ctx: SeedContext, programId: number): Promise<void> {
  const commitment = varietySeedCommitment(programId, REGION.GANGJIN, secretOf(ctx, programId));
  await relayBatch(ctx.relay, [
    by(
      ctx,
      "official-gangjin",
      vt(ctx, "designateVarieties", [programId, REGION.GANGJIN, GANGJIN_VARIETIES]),
    ),
    by(ctx, "official-gangjin", vt(ctx, "commitSeed", [programId, REGION.GANGJIN, commitment])),
  ]);
}

export interface VarietySummary {
  sellers: number;
  sampled: Address[];
  excluded: Address[];
}

/** Reveal, draw and results, once the programme's window has closed. */
export async function drawAndTest(
  ctx: SeedContext,
  programId: number,
  advance: (hour: number) => Promise<void>,
): Promise<VarietySummary> {
  const client = ctx.relay.publicClient;
  const revealed = await relayCall(
    ctx.relay,
    ctx.cast.get("official-gangjin").account,
    vt(ctx, "revealSeed", [programId, REGION.GANGJIN, secretOf(ctx, programId)]),
  );
  const [reveal] = parseEventLogs({
    abi: VarietyTestingAbi,
    eventName: "SeedRevealed",
    logs: revealed.logs,
  });
  if (reveal === undefined) throw new Error("revealSeed: no SeedRevealed event");
  // The draw needs the anchor block (the one after the reveal) mined: on a chain whose clock the
  // seed moves, each advance mines a block; elsewhere blocks come by themselves.
  for (let hour = 11; (await client.getBlockNumber()) <= reveal.args.anchorBlock; hour++) {
    if (hour <= 14) await advance(hour);
    else await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const drawn = await relayCall(
    ctx.relay,
    ctx.cast.get("inspector-naqs-1").account,
    vt(ctx, "draw", [programId, REGION.GANGJIN], 200_000n),
  );
  const [sample] = parseEventLogs({
    abi: VarietyTestingAbi,
    eventName: "SampleDrawn",
    logs: drawn.logs,
  });
  if (sample === undefined) throw new Error("draw: no SampleDrawn event");

  // The sample from the seed alone (sdk/variety.ts), then each farm number → farm through the
  // sale events of the county, in order (the frame).
  const numbers = drawSample(sample.args.seed, sample.args.sellers);
  const logs = await client.getLogs({
    address: ctx.deployment.addresses.RicePurchase,
    fromBlock: BigInt(ctx.deployment.startBlock),
    toBlock: "latest",
  });
  const frame: Address[] = [];
  for (const log of parseEventLogs({ abi: RicePurchaseAbi, eventName: "SaleSubmitted", logs })) {
    const a = log.args;
    if (a.programId !== programId || a.region !== REGION.GANGJIN) continue;
    if (!frame.includes(a.farmer)) frame.push(a.farmer);
  }
  if (frame.length !== sample.args.sellers) {
    throw new Error(
      `variety frame: ${frame.length} farms in the events, ${sample.args.sellers} on chain`,
    );
  }
  const sampled = numbers.map((n) => frame[n - 1] as Address);
  await advance(15);
  await relayBatch(
    ctx.relay,
    sampled.map((farmer, i) =>
      by(
        ctx,
        "inspector-naqs-1",
        vt(
          ctx,
          "recordResult",
          [
            programId,
            farmer,
            resultOf(i, sampled.length),
            ctx.random.hash(`variety-certificate:${programId}:${farmer}`),
          ],
          400_000n,
        ),
      ),
    ),
  );
  const excluded = sampled.filter((_, i) => resultOf(i, sampled.length) > 200);
  for (const farmer of excluded) {
    const excludedNow = await client.readContract({
      address: ctx.deployment.addresses.VarietyTesting,
      abi: VarietyTestingAbi,
      functionName: "isExcluded",
      args: [farmer, 2027],
    });
    if (!excludedNow) throw new Error(`variety check: ${farmer} should be excluded in 2027`);
  }
  return { sellers: sample.args.sellers, sampled, excluded };
}
