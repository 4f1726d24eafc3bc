/**
 * Signer attribution of events that name no actor (indexer/src/sync/signers.ts), on hand-built
 * transactions: relayed batches of several signers, a skipped request, direct transactions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Address, encodeEventTopics, getAddress, type Hex, toHex } from "viem";
import { createDecoder, type EventRecord, positionOf } from "../../indexer/src/sync/decode.ts";
import { attributeForwardedSigners } from "../../indexer/src/sync/signers.ts";
import { RicePurchaseAbi } from "../../sdk/index.ts";

const address = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const FORWARDER = address(0xf0);
const TENDER_BOARD = address(0xb0);
const [alice, bob, carol] = [address(0xa1), address(0xb1), address(0xc1)];

let logIndex = 0;
function log(
  txHash: `0x${string}`,
  event: string,
  args: Record<string, string>,
  signer: Address | null,
  from: Address = TENDER_BOARD,
): EventRecord {
  const index = logIndex++;
  return {
    pos: positionOf(7, index),
    chainId: 31337,
    blockNumber: 7,
    blockHash: `0x${"77".repeat(32)}`,
    blockTime: 1_790_000_000,
    txHash,
    txIndex: 0,
    logIndex: index,
    address: from,
    contract: from === FORWARDER ? "JangbuForwarder" : "TenderBoard",
    event,
    args,
    signer,
  };
}
const executed = (txHash: `0x${string}`, signer: Address) =>
  log(txHash, "ExecutedForwardRequest", { signer, nonce: "0" }, signer, FORWARDER);

describe("signer attribution", () => {
  it("gives each request's actorless events its own signer, within one relayed batch", () => {
    logIndex = 0;
    const batch = "0xba7c";
    const events = [
      log(batch, "ReserveDrawn", { tenderId: "1" }, null), // alice's request
      log(batch, "TenderAwarded", { tenderId: "1", official: alice }, alice),
      executed(batch, alice),
      // bob's request was skipped as invalid (no ExecutedForwardRequest, no logs)
      log(batch, "TenderClosed", { tenderId: "2" }, null), // carol's request
      executed(batch, carol),
    ];
    const left = attributeForwardedSigners(events, FORWARDER);
    assert.deepEqual(left, []);
    assert.deepEqual(
      events.map((e) => [e.event, e.signer]),
      [
        ["ReserveDrawn", alice],
        ["TenderAwarded", alice],
        ["ExecutedForwardRequest", alice],
        ["TenderClosed", carol],
        ["ExecutedForwardRequest", carol],
      ],
    );
    assert.ok(!events.some((e) => e.signer === bob));
  });

  it("leaves direct transactions, and forwarders it was not given, to the transaction sender", () => {
    logIndex = 0;
    const direct = log("0xd1", "ReserveDrawn", { tenderId: "3" }, null);
    const relayed = [log("0xf1", "TenderClosed", { tenderId: "4" }, null), executed("0xf1", bob)];
    // An actorless event after the last request of a transaction belongs to no request.
    const trailing = log("0xf1", "TenderClosed", { tenderId: "5" }, null);
    const events = [direct, ...relayed, trailing];
    assert.deepEqual(attributeForwardedSigners(events, FORWARDER), [direct, trailing]);
    assert.equal(relayed[0]?.signer, bob);

    const untouched = [log("0xf2", "TenderClosed", { tenderId: "6" }, null), executed("0xf2", bob)];
    assert.deepEqual(attributeForwardedSigners(untouched, undefined), [untouched[0]]);
    assert.equal(untouched[0]?.signer, null);
  });

  it("does not carry a signer from one transaction into the next", () => {
    logIndex = 0;
    const first = log("0x01", "TenderClosed", { tenderId: "7" }, null);
    const events = [
      first,
      log("0x02", "TenderClosed", { tenderId: "8" }, null),
      executed("0x02", carol),
    ];
    assert.deepEqual(attributeForwardedSigners(events, FORWARDER), [first]);
    assert.equal(first.signer, null);
  });

  it("attributes a sale's cancel and dispute to who acted (a lost key's successor), not to the farm the event names", () => {
    const RICE = address(0x1c);
    const decoder = createDecoder({ chainId: 31337, addresses: { RicePurchase: RICE } });
    const [oldFarm, successor] = [address(0xfa1), address(0x5cc)];
    const saleId = 12345n;
    const rawLog = (
      eventName: "SaleCancelled" | "SaleDisputed" | "SaleSubmitted",
      index: number,
    ) => {
      const topics = encodeEventTopics({
        abi: RicePurchaseAbi,
        eventName,
        args:
          eventName === "SaleSubmitted"
            ? { saleId, farmer: oldFarm, programId: 1 }
            : { saleId, farmer: oldFarm },
      } as never) as Hex[];
      const data: Hex =
        eventName === "SaleDisputed"
          ? toHex(7n, { size: 32 })
          : eventName === "SaleSubmitted"
            ? `0x${"00".repeat(32 * 6)}`
            : "0x";
      return {
        address: RICE,
        topics,
        data,
        blockNumber: 9,
        blockHash: `0x${"99".repeat(32)}` as Hex,
        transactionHash: `0x${"5e".repeat(32)}` as Hex,
        transactionIndex: 0,
        logIndex: index,
        removed: false,
      };
    };
    const submitted = decoder.decode(rawLog("SaleSubmitted", 0), 1_790_000_000);
    const cancelled = decoder.decode(rawLog("SaleCancelled", 1), 1_790_000_000);
    const disputed = decoder.decode(rawLog("SaleDisputed", 2), 1_790_000_000);
    // The farm still names itself when it submits; the cancel and dispute name the farm only.
    assert.equal(submitted.signer, oldFarm);
    assert.equal(cancelled.args.farmer, oldFarm);
    assert.equal(disputed.args.farmer, oldFarm);
    assert.equal(cancelled.signer, null);
    assert.equal(disputed.signer, null);
    // Relayed for the successor: the request's signer is the actor.
    const forwarded = {
      ...log(
        cancelled.txHash,
        "ExecutedForwardRequest",
        { signer: successor, nonce: "0" },
        successor,
        FORWARDER,
      ),
      blockNumber: 9,
      logIndex: 3,
    };
    const left = attributeForwardedSigners([cancelled, disputed, forwarded], FORWARDER);
    assert.deepEqual(left, []);
    assert.equal(cancelled.signer, successor);
    assert.equal(disputed.signer, successor);
  });
});
