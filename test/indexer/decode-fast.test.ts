/**
 * The sync's fast path for all-static events (indexer/src/sync/decode.ts compileStaticEvent) gives
 * exactly what viem's decodeEventLog + toJson gives, for every event of every jangbu ABI, with
 * random arguments (extremes included), and hands malformed logs back to viem.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AbiEvent,
  type AbiParameter,
  decodeEventLog,
  encodeAbiParameters,
  encodeEventTopics,
  type Hex,
  toHex,
} from "viem";
import { compileStaticEvent, contractAbis, toJson } from "../../indexer/src/sync/decode.ts";

let seed = 0x1234567;
const nextByte = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed >>> 24;
};
const randomHex = (bytes: number): Hex =>
  toHex(Uint8Array.from({ length: bytes }, () => nextByte()));

function randomValue(type: string, extreme: number): unknown {
  const array = /^(.*)\[(\d+)\]$/.exec(type);
  if (array !== null)
    return Array.from({ length: Number(array[2]) }, () => randomValue(array[1] as string, extreme));
  const uint = /^uint(\d*)$/.exec(type);
  if (uint !== null) {
    const bits = BigInt(uint[1] || 256);
    const max = 2n ** bits - 1n;
    const value = extreme === 0 ? 0n : extreme === 1 ? max : BigInt(randomHex(32)) % (max + 1n);
    return bits > 48n ? value : Number(value);
  }
  if (type === "address") return randomHex(20);
  if (type === "bool") return extreme === 1 || nextByte() > 127;
  const bytes = /^bytes(\d+)$/.exec(type);
  if (bytes !== null) return randomHex(Number(bytes[1]));
  if (type === "string") return `문자열 ${nextByte()}`;
  throw new Error(`no generator for ${type}`);
}

const events = Object.entries(contractAbis()).flatMap(([contract, abi]) =>
  (abi ?? [])
    .filter((item): item is AbiEvent => item.type === "event")
    .map((item) => ({ contract, item })),
);

describe("fast static event decoding", () => {
  it("covers the events of the jangbu contracts", () => {
    const fast = events.filter(({ item }) => compileStaticEvent(item) !== undefined);
    assert.ok(events.length > 40, `only ${events.length} events`);
    // Every event but those with a string argument has a fast path.
    for (const { contract, item } of events) {
      const hasString = item.inputs.some((i) => i.type === "string");
      assert.equal(compileStaticEvent(item) !== undefined, !hasString, `${contract}.${item.name}`);
    }
    assert.ok(fast.length > 30);
  });

  it("gives what viem decodeEventLog + toJson gives", () => {
    let compared = 0;
    for (const { contract, item } of events) {
      const decode = compileStaticEvent(item);
      if (decode === undefined) continue;
      for (let round = 0; round < 12; round++) {
        const extreme = Math.min(round, 2);
        const values = item.inputs.map((input) => randomValue(input.type, extreme));
        const args = Object.fromEntries(item.inputs.map((input, i) => [input.name, values[i]]));
        const topics = encodeEventTopics({ abi: [item], args } as never) as Hex[];
        const plain = item.inputs.filter((i) => i.indexed !== true) as AbiParameter[];
        const data = encodeAbiParameters(
          plain,
          plain.map((p) => args[p.name as string]),
        );
        // As decode.ts does: an event without arguments gives {}.
        const viem = toJson(
          decodeEventLog({ abi: [item], topics: topics as [Hex], data, strict: true }).args ?? {},
        );
        const mine: unknown = decode(topics, data);
        assert.equal(
          JSON.stringify(mine),
          JSON.stringify(viem),
          `${contract}.${item.name} round ${round}`,
        );
        compared++;
      }
    }
    assert.ok(compared > 300, `compared ${compared}`);
  });

  it("hands malformed logs back to viem", () => {
    const withData = events.find(
      ({ item }) =>
        compileStaticEvent(item) !== undefined && item.inputs.some((i) => i.indexed !== true),
    );
    assert.ok(withData !== undefined);
    const decode = compileStaticEvent(withData.item);
    assert.ok(decode !== undefined);
    const args = Object.fromEntries(
      withData.item.inputs.map((input) => [input.name, randomValue(input.type, 2)]),
    );
    const topics = encodeEventTopics({ abi: [withData.item], args } as never) as Hex[];
    const plain = withData.item.inputs.filter((i) => i.indexed !== true) as AbiParameter[];
    const data = encodeAbiParameters(
      plain,
      plain.map((p) => args[p.name as string]),
    );
    assert.equal(decode(topics, data.slice(0, -64) as Hex), undefined, "short data");
    assert.equal(decode(topics, `${data}0` as Hex), undefined, "odd data");
    assert.equal(decode(topics.slice(0, -1), data), undefined, "missing topic");
    // A small uint with high bits set: viem's call, not the fast path's.
    const small = withData.item.inputs.findIndex(
      (i) => i.indexed !== true && /^uint([1-9]|[1-3]\d|4[0-8])$/.test(i.type),
    );
    if (small >= 0) {
      const wordsOf = (type: string): number => {
        const array = /^(.*)\[(\d+)\]$/.exec(type);
        return array === null ? 1 : Number(array[2]) * wordsOf(array[1] as string);
      };
      const before = plain.slice(0, plain.indexOf(withData.item.inputs[small] as AbiParameter));
      const offset = 2 + before.reduce((n, p) => n + wordsOf(p.type), 0) * 64;
      const corrupt = `${data.slice(0, offset)}ff${data.slice(offset + 2)}` as Hex;
      assert.equal(decode(topics, corrupt), undefined, "uint out of range");
    }
  });
});
