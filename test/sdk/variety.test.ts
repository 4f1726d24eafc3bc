/**
 * sdk/variety.ts against the contract: the shuffle, the sample size and the whole sample are the
 * ones VarietyTesting computes, so anyone re-derives the drawn farms from the seed on chain; the
 * delivery day is the Korean calendar day the contract checks.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, type Hex, keccak256, toHex } from "viem";
import { VarietyTestingAbi } from "../../sdk/generated/abis.ts";
import {
  countyDrawPhase,
  dateOfDeliveryDay,
  deliveryDayAt,
  deliveryDayBounds,
  deliveryDayOf,
  drawSample,
  excludes,
  exclusionYears,
  isCounty,
  isSampled,
  sampleFrame,
  sampleSizeOf,
  shuffledPosition,
  unshuffledIndex,
} from "../../sdk/variety.ts";

describe("sdk/variety.ts", () => {
  let connection: Awaited<ReturnType<typeof network.create>>;
  let read: <T>(functionName: string, args: readonly unknown[]) => Promise<T>;

  before(async () => {
    connection = await network.create();
    const { viem } = connection;
    // RicePurchase deploys VarietyTesting; the pure functions need neither forwarder nor registry.
    const rice = await viem.deployContract("RicePurchase", [
      "0x0000000000000000000000000000000000000001",
      "0x0000000000000000000000000000000000000002",
    ]);
    const vt = (await rice.read.varietyTesting()) as Address;
    const client = await viem.getPublicClient();
    read = <T>(functionName: string, args: readonly unknown[]) =>
      client.readContract({
        address: vt,
        abi: VarietyTestingAbi,
        functionName,
        args,
      } as never) as Promise<T>;
  });
  after(async () => {
    await connection.close();
  });

  it("computes the contract's shuffle and sample size", async () => {
    for (const [label, n] of [
      ["a", 1],
      ["b", 7],
      ["c", 21],
      ["d", 64],
    ] as const) {
      const seed = keccak256(toHex(`seed ${label}`));
      for (const i of new Set([0, Math.floor(n / 2), n - 1])) {
        assert.equal(
          shuffledPosition(seed, n, i),
          await read<number>("shuffledPosition", [seed, n, i]),
        );
      }
      assert.equal(sampleSizeOf(n), await read<number>("sampleSizeOf", [n]));
    }
    for (const n of [0, 1, 20, 21, 100, 101, 10_000]) {
      assert.equal(sampleSizeOf(n), await read<number>("sampleSizeOf", [n]));
    }
  });

  it("draws exactly ceil(5 %) farms, the ones the contract's shuffle puts first", async () => {
    const seed: Hex = keccak256(toHex("county draw"));
    const n = 45; // k = 3
    const drawn = drawSample(seed, n);
    assert.equal(drawn.length, 3);
    const onChain: number[] = [];
    for (let i = 1; i <= n; i++) {
      if ((await read<number>("shuffledPosition", [seed, n, i - 1])) < 3) onChain.push(i);
    }
    assert.deepEqual(drawn, onChain);
    for (let i = 1; i <= n; i++) assert.equal(isSampled(seed, n, i), onChain.includes(i));
    // Reproducible: the same seed gives the same farms; another seed another sample.
    assert.deepEqual(drawSample(seed, n), drawn);
    assert.notDeepEqual(drawSample(keccak256(toHex("other")), n), drawn);
  });

  it("inverts the shuffle", () => {
    const seed = keccak256(toHex("inverse"));
    for (let i = 0; i < 30; i++)
      assert.equal(unshuffledIndex(seed, 30, shuffledPosition(seed, 30, i)), i);
    assert.throws(() => shuffledPosition(seed, 3, 3), RangeError);
  });

  it("builds the frame from sale events in order, each farm once", () => {
    const a = "0x00000000000000000000000000000000000000aa" as Address;
    const b = "0x00000000000000000000000000000000000000bb" as Address;
    const frame = sampleFrame(
      [
        { programId: 2, region: 46_810, farmer: b },
        { programId: 1, region: 46_810, farmer: a },
        { programId: 2, region: 46_820, farmer: a },
        { programId: 2, region: 46_810, farmer: a },
        { programId: 2, region: 46_810, farmer: b },
      ],
      2,
      46_810,
    );
    assert.deepEqual(frame, [b, a]);
  });

  it("excludes strictly above 200 ‰, for the five following crop years", () => {
    assert.equal(excludes(200), false);
    assert.equal(excludes(201), true);
    assert.deepEqual(exclusionYears(2026), { fromYear: 2027, toYear: 2031 });
  });

  it("numbers delivery days by the Korean calendar", () => {
    assert.equal(deliveryDayOf("1970-01-01"), 0);
    assert.equal(deliveryDayOf("2026-10-04"), 20_730);
    assert.equal(dateOfDeliveryDay(20_730), "2026-10-04");
    assert.throws(() => deliveryDayOf("2026-02-30"), RangeError);
    assert.throws(() => deliveryDayOf("20261004"), RangeError);
    // 2026-10-03 15:00 UTC is 2026-10-04 00:00 in Korea.
    const midnightKst = Date.UTC(2026, 9, 3, 15) / 1000;
    assert.equal(deliveryDayAt(midnightKst), 20_730);
    assert.equal(deliveryDayAt(midnightKst - 1), 20_729);
    assert.deepEqual(
      deliveryDayBounds({ deliveryStart: midnightKst, deliveryEnd: midnightKst + 86_400 }),
      {
        firstDay: 20_730,
        lastDay: 20_731,
      },
    );
  });

  it("says which step of a county's draw comes next, by the chain's clock", () => {
    const END = 1_000;
    const none = { varieties: [], commitment: null, anchorBlock: null, seed: null };
    const designated = { ...none, varieties: [101, 102] };
    const committed = { ...designated, commitment: "0x01" };
    const revealed = { ...committed, anchorBlock: 42 };
    const drawn = { ...revealed, seed: "0x02" };
    assert.equal(countyDrawPhase(null, END, END - 1), "designate");
    assert.equal(countyDrawPhase(none, END, END + 1), "designate");
    assert.equal(countyDrawPhase(designated, END, END), "commit");
    assert.equal(countyDrawPhase(designated, END, END + 1), "missed");
    assert.equal(countyDrawPhase(committed, END, END), "committed");
    assert.equal(countyDrawPhase(committed, END, END + 1), "reveal");
    assert.equal(countyDrawPhase(revealed, END, END + 1), "draw");
    assert.equal(countyDrawPhase(drawn, END, END + 1), "drawn");
  });

  it("tells a 시군구 from a 시도 and the nation, as Regions.isCounty", () => {
    assert.deepEqual([46810, 46000, 0, 11110, 99999, 100000, 10999].map(isCounty), [
      true,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});
