/**
 * What every reducer folds: one decoded jangbu log (viem `decodeEventLog` output with the ABI
 * from `sdk/generated/abis.ts`) with its place in the chain. Reducers are pure: same events in
 * chain order, same state, in Node and in the browser.
 */
import type { Abi, DecodeEventLogReturnType, Hex } from "viem";

/**
 * A log as `eth_getLogs` answers it, before decoding (the fields the verifiers read; quantities
 * are hex strings).
 */
export interface JsonRpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
  transactionHash: string;
}

/** Where an event sits in the chain; `blockTime` (Unix seconds) when the caller read it. */
export interface ChainPosition {
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  readonly blockTime?: number;
}

/** A decoded log of `abi` at its position. */
export type PositionedEvent<abi extends Abi> = DecodeEventLogReturnType<abi> & ChainPosition;

/** One entry of a record's history: which event, where. */
export interface HistoryEntry extends ChainPosition {
  readonly event: string;
}

export const historyEntry = (e: ChainPosition & { eventName?: string }): HistoryEntry => ({
  event: e.eventName ?? "",
  blockNumber: e.blockNumber,
  logIndex: e.logIndex,
  transactionHash: e.transactionHash,
  ...(e.blockTime === undefined ? {} : { blockTime: e.blockTime }),
});

/** Chain order: block, then log index. */
export const compareChainOrder = (a: ChainPosition, b: ChainPosition): number =>
  a.blockNumber === b.blockNumber
    ? a.logIndex - b.logIndex
    : a.blockNumber < b.blockNumber
      ? -1
      : 1;

/** Thrown when events cannot be folded: the first is not the creating one, or one is out of order. */
export class FoldError extends Error {
  override name = "FoldError";
}

/** Refuses an event that comes before the last one folded (the caller must give chain order). */
export function assertAfter(last: ChainPosition | undefined, next: ChainPosition, what: string) {
  if (last !== undefined && compareChainOrder(last, next) >= 0)
    throw new FoldError(
      `${what}: event at ${next.blockNumber}/${next.logIndex} is not after ${last.blockNumber}/${last.logIndex}`,
    );
}

/**
 * Folds a record's events, in chain order, with its one-event step; `firstEvent` names the event
 * that creates the record, for the error when it is missing.
 */
export function foldEvents<R, E>(
  events: readonly E[],
  apply: (record: R | undefined, event: E) => R,
  firstEvent: string,
): R {
  let record: R | undefined;
  for (const event of events) record = apply(record, event);
  if (record === undefined) throw new FoldError(`the record needs at least its ${firstEvent}`);
  return record;
}
