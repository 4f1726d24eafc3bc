/**
 * The chain's clock for the seed. On a Hardhat node the seed moves time forward
 * (`evm_increaseTime` + `evm_mine`) to pass delivery windows and reveal deadlines. On any other
 * chain time cannot be moved: `advance` then refuses, and the steps that need it are skipped.
 */
import { rpc } from "../lib/net.ts";

export const DAY = 24 * 60 * 60;

export class Clock {
  private constructor(
    private readonly rpcUrl: string,
    /** True on a Hardhat node: time may be moved. */
    readonly canTravel: boolean,
    /** Chain time when the seed started. */
    readonly start: number,
  ) {}

  static async create(rpcUrl: string, canTravel: boolean): Promise<Clock> {
    return new Clock(rpcUrl, canTravel, await Clock.latest(rpcUrl));
  }

  private static async latest(rpcUrl: string): Promise<number> {
    const block = await rpc<{ timestamp: string }>(rpcUrl, "eth_getBlockByNumber", [
      "latest",
      false,
    ]);
    return Number(block.timestamp);
  }

  /** The latest block's timestamp. */
  now(): Promise<number> {
    return Clock.latest(this.rpcUrl);
  }

  /**
   * Moves the chain to `start + day × DAY + hour × 3600` (never backwards) and mines a block.
   * Where time cannot move, a step that only looks better spread over days (`required: false`)
   * goes on at the current time; a step that needs the time to have passed throws.
   */
  async advanceToDay(day: number, { hour = 0, required = true } = {}): Promise<void> {
    const target = this.start + Math.round(day * DAY) + hour * 3600;
    const now = await this.now();
    if (target <= now) return;
    if (!this.canTravel) {
      if (!required) return;
      throw new TimeTravelRefused(
        `the seed needs chain time ${new Date(target * 1000).toISOString()} but the chain is at ` +
          `${new Date(now * 1000).toISOString()}: only a Hardhat node lets the seed move time`,
      );
    }
    await rpc(this.rpcUrl, "evm_setNextBlockTimestamp", [`0x${target.toString(16)}`]);
    await rpc(this.rpcUrl, "evm_mine");
  }
}

export class TimeTravelRefused extends Error {
  override name = "TimeTravelRefused";
}
