/** What every part of the seed shares: the cast, the relay, the clock, the roster being written. */
import type { Address } from "viem";
import type { Deployment } from "../../sdk/deployments.ts";
import type { Cast } from "./actors.ts";
import type { Clock } from "./clock.ts";
import type { Call, Relay } from "./forward.ts";
import type { SeedRandom } from "./random.ts";

export interface SeedContext {
  readonly seed: string;
  readonly cast: Cast;
  readonly random: SeedRandom;
  readonly relay: Relay;
  readonly deployment: Deployment;
  readonly clock: Clock;
  readonly log: (message: string) => void;
  /** Off-chain facts collected for DATA_DIR/demo-roster.json. */
  readonly roster: Record<string, unknown>;
}

/** `call` as signed by persona `id`. */
export function by(ctx: SeedContext, id: string, call: Call) {
  return { signer: ctx.cast.get(id).account, call };
}

export function addressOf(ctx: SeedContext, id: string): Address {
  return ctx.cast.get(id).address;
}
