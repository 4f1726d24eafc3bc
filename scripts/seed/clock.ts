/**
 * The chain's clock for the seed. The seed moves time forward to pass delivery windows and reveal
 * deadlines on any node that offers the de-facto standard development methods (Hardhat, anvil,
 * Ganache and others): `evm_setNextBlockTimestamp` (exact) or else `evm_increaseTime`, each
 * followed by `evm_mine`. Which ones a node offers is found by trying them (see `probeClock`), not
 * from its name. Where a node offers none, `advance` refuses and the steps that need it are skipped.
 */
import { rpc } from "../lib/net.ts";

export const DAY = 24 * 60 * 60;

/** How this node's clock is moved: the method that sets the time; `evm_mine` then mines. */
export type ClockControl = "evm_setNextBlockTimestamp" | "evm_increaseTime";

export type ClockProbe =
  | { control: ClockControl }
  | { control: undefined /** Why the clock cannot move, in a sentence. */; reason: string };

type RpcAnswer = { result?: unknown; error?: { code?: number; message?: string } };

async function call(rpcUrl: string, method: string, params: unknown[]): Promise<RpcAnswer> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as RpcAnswer;
  } catch {
    // Some nodes and gateways answer an unknown method with an HTTP error and a plain-text body.
    return { error: { message: `HTTP ${response.status}: ${text.slice(0, 200)}` } };
  }
}

/** Method not found (-32601, the JSON-RPC standard; Hardhat's EDR says -32004 "not supported"). */
const isUnknownMethod = (error: NonNullable<RpcAnswer["error"]>) =>
  error.code === -32601 ||
  error.code === -32004 ||
  /method .*(not (found|supported|available)|does not exist)|unknown method|HTTP 40[45]/i.test(
    error.message ?? "",
  );

/**
 * True when the node knows `method`. Tried with arguments that change nothing: parameters it must
 * refuse (invalid params, -32602, means the method exists) or a zero step.
 */
async function offers(rpcUrl: string, method: string, params: unknown[]): Promise<boolean> {
  const answer = await call(rpcUrl, method, params);
  return answer.error === undefined || !isUnknownMethod(answer.error);
}

/** Finds how (and whether) the node at `rpcUrl` lets the seed move its clock. */
export async function probeClock(rpcUrl: string): Promise<ClockProbe> {
  // evm_mine with a timestamp that is not a number: refused as invalid params by the nodes that
  // have it (a lenient one may mine one empty block, which is harmless).
  const mine = await offers(rpcUrl, "evm_mine", ["not-a-timestamp"]);
  const setNext = await offers(rpcUrl, "evm_setNextBlockTimestamp", []);
  const increase = await offers(rpcUrl, "evm_increaseTime", [0]);
  if (mine && setNext) return { control: "evm_setNextBlockTimestamp" };
  if (mine && increase) return { control: "evm_increaseTime" };
  const missing = [
    ...(mine ? [] : ["evm_mine"]),
    ...(setNext || increase ? [] : ["evm_setNextBlockTimestamp", "evm_increaseTime"]),
  ];
  return {
    control: undefined,
    reason: `the node at ${rpcUrl} offers no way to move its clock (${missing.join(", ")}: method not found)`,
  };
}

export class Clock {
  private readonly rpcUrl: string;
  /** How the clock moves; undefined where it cannot (or the caller said not to). */
  readonly control: ClockControl | undefined;
  /** Why the clock stays still, when it does. */
  readonly stillBecause: string | undefined;
  /** Chain time when the seed started. */
  readonly start: number;

  private constructor(
    rpcUrl: string,
    control: ClockControl | undefined,
    stillBecause: string | undefined,
    start: number,
  ) {
    this.rpcUrl = rpcUrl;
    this.control = control;
    this.stillBecause = stillBecause;
    this.start = start;
  }

  /**
   * `allowTravel: false` keeps the clock still even where it could move (`--no-time-travel`).
   * `probe` is the node's answer when the caller has already asked (otherwise it is asked here).
   */
  static async create(rpcUrl: string, allowTravel: boolean, probe?: ClockProbe): Promise<Clock> {
    const found = allowTravel
      ? (probe ?? (await probeClock(rpcUrl)))
      : { control: undefined, reason: "--no-time-travel" };
    const reason = found.control === undefined ? found.reason : undefined;
    return new Clock(rpcUrl, found.control, reason, await Clock.latest(rpcUrl));
  }

  /** True where time may be moved. */
  get canTravel(): boolean {
    return this.control !== undefined;
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
    if (this.control === undefined) {
      if (!required) return;
      throw new TimeTravelRefused(
        `the seed needs chain time ${new Date(target * 1000).toISOString()} but the chain is at ` +
          `${new Date(now * 1000).toISOString()}, and this node's clock cannot be moved ` +
          "(no evm_setNextBlockTimestamp or evm_increaseTime with evm_mine)",
      );
    }
    if (this.control === "evm_setNextBlockTimestamp") {
      await rpc(this.rpcUrl, "evm_setNextBlockTimestamp", [`0x${target.toString(16)}`]);
    } else {
      // A step relative to the node's clock: the block mined next lands at the target or later.
      await rpc(this.rpcUrl, "evm_increaseTime", [target - now]);
    }
    await rpc(this.rpcUrl, "evm_mine");
  }
}

export class TimeTravelRefused extends Error {
  override name = "TimeTravelRefused";
}
