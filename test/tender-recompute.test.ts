/**
 * Anyone can re-derive a tender's reserve price and winner from chain data: over the demo season,
 * every `ReserveDrawn` is recomputed from the events alone (the committed seed revealed by
 * `DrawScheduled`, the hash of the draw block it named — checked against the chain's own block —,
 * the revealed salts and picks, the last base price and floor rate, the bids `BidPassedOver`
 * left out) with sdk/tenders.ts, and must match the contract's candidates, chosen four, reserve,
 * floor and award.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Hex, parseEventLogs, type RpcLog } from "viem";
import { TenderBoardAbi } from "../sdk/index.ts";
import {
  drawReserve,
  finalSeedOf,
  pickCountsOf,
  saltMixOf,
  seedCommitmentOf,
  winnerOf,
} from "../sdk/tenders.ts";
import { startSeededChain, type TestChain } from "./indexer/helpers/chain.ts";

describe("tender award, recomputed from events", () => {
  let chain: TestChain & { lastBlock: number };
  let events: ReturnType<typeof parseEventLogs<typeof TenderBoardAbi>>;

  before(async () => {
    chain = await startSeededChain();
    const logs = await chain.request<RpcLog[]>("eth_getLogs", [
      { address: chain.deployment.addresses.TenderBoard, fromBlock: "0x0", toBlock: "latest" },
    ]);
    events = parseEventLogs({ abi: TenderBoardAbi, logs });
  });
  after(() => chain?.close());

  it("matches the contract's draw and award for every drawn tender", async () => {
    const chainId = Number(await chain.request<Hex>("eth_chainId"));
    const board = chain.deployment.addresses.TenderBoard;
    const draws = events.filter((e) => e.eventName === "ReserveDrawn");
    assert.ok(draws.length >= 2, `${draws.length} tenders drawn in the season`);
    let awarded = 0;
    let failed = 0;
    for (const draw of draws) {
      if (draw.eventName !== "ReserveDrawn") continue;
      const id = draw.args.tenderId;
      const of = (name: string) =>
        events.filter(
          (e) => e.eventName === name && (e.args as { tenderId?: bigint }).tenderId === id,
        );
      // The terms in force: the creation, then each amendment in order.
      let base = 0n;
      let floorRate = 0n;
      let seedCommitment: Hex | undefined;
      for (const e of [...of("TenderCreated"), ...of("TenderAmended")]) {
        if (e.eventName === "TenderCreated") seedCommitment = e.args.seedCommitment;
        if (e.eventName === "TenderCreated" || e.eventName === "TenderAmended") {
          base = BigInt(e.args.basePrice);
          floorRate = BigInt(e.args.floorRate);
        }
      }
      assert.equal(
        seedCommitmentOf(draw.args.seed),
        seedCommitment,
        "the seed is the committed one",
      );
      // The draw block was fixed when the seed was revealed, after the reveal deadline, and its
      // hash is the chain's.
      const [scheduled] = of("DrawScheduled");
      assert.ok(scheduled?.eventName === "DrawScheduled", "the seed was revealed first");
      assert.equal(scheduled.args.seed, draw.args.seed);
      assert.equal(scheduled.args.drawBlock, draw.args.drawBlock);
      assert.ok(BigInt(scheduled.blockNumber) < draw.args.drawBlock, "drawn from a later block");
      assert.ok(BigInt(draw.blockNumber) > draw.args.drawBlock, "awarded after the draw block");
      const block = await chain.request<{ hash: Hex }>("eth_getBlockByNumber", [
        `0x${draw.args.drawBlock.toString(16)}`,
        false,
      ]);
      assert.equal(draw.args.drawBlockHash, block.hash, "the draw block's hash is the chain's");
      const revealed = of("BidRevealed").flatMap((e) =>
        e.eventName === "BidRevealed" ? [e.args] : [],
      );
      const saltMix = saltMixOf(revealed.map((b) => b.salt));
      assert.equal(saltMix, draw.args.saltMix);
      const finalSeed = finalSeedOf(
        chainId,
        board,
        id,
        draw.args.seed,
        saltMix,
        draw.args.drawBlockHash,
      );
      assert.equal(finalSeed, draw.args.finalSeed);
      const counts = pickCountsOf(revealed.map((b) => [b.picks[0], b.picks[1]] as const));
      assert.deepEqual(counts, [...draw.args.pickCounts]);
      const mine = drawReserve(base, floorRate, finalSeed, counts);
      assert.deepEqual(mine.candidates, [...draw.args.candidates]);
      assert.deepEqual(mine.chosen, [...draw.args.chosen]);
      assert.equal(mine.reserve, draw.args.reserve);
      assert.equal(mine.floor, draw.args.floor);

      const passedOver = of("BidPassedOver").flatMap((e) =>
        e.eventName === "BidPassedOver" ? [e.args.bidder] : [],
      );
      const winner = winnerOf(
        revealed.map((b) => ({ bidder: b.bidder, seq: b.seq, price: BigInt(b.price) })),
        mine.reserve,
        mine.floor,
        passedOver,
      );
      const [award] = of("TenderAwarded");
      if (award?.eventName === "TenderAwarded") {
        awarded++;
        assert.equal(winner?.bidder, award.args.winner);
        assert.equal(winner?.price, BigInt(award.args.price));
      } else {
        failed++;
        assert.equal(of("TenderFailed").length, 1, "no valid bid: 유찰");
        assert.equal(winner, undefined);
      }
    }
    assert.ok(
      awarded >= 1 && failed >= 1,
      `${awarded} awarded and ${failed} failed tenders checked`,
    );
  });
});
