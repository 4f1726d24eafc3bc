/** Deterministic choices from the seed: the same SEED always gives the same demo season. */
import { type Hex, keccak256, stringToBytes } from "viem";

export class SeedRandom {
  readonly seed: string;
  constructor(seed: string) {
    this.seed = seed;
  }

  /** 32 bytes that depend only on the seed and `label`. */
  hash(label: string): Hex {
    return keccak256(stringToBytes(`${this.seed}:${label}`));
  }

  /** An integer in [0, n) for `label`. */
  int(label: string, n: number): number {
    return Number(BigInt(this.hash(label)) % BigInt(n));
  }

  /** An integer in [min, max] (inclusive) that is a multiple of `step`. */
  range(label: string, min: number, max: number, step = 1): number {
    const choices = Math.floor((max - min) / step) + 1;
    return min + this.int(label, choices) * step;
  }

  pick<T>(label: string, items: readonly T[]): T {
    const item = items[this.int(label, items.length)];
    if (item === undefined) throw new Error(`pick(${label}) from an empty list`);
    return item;
  }
}
