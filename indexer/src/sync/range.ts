/**
 * The `eth_getLogs` block range: sized from the log density of the last answer so that the next
 * one holds about `targetLogs` logs (growing at most 4× per answer), and shrunk when the node
 * refuses (range or result-size limits).
 */
import type { RangeLimitError } from "../internal/errors.ts";

export type BlockRange = {
  /** Blocks to ask for next. */
  readonly size: number;
  /** After a successful query of `blocks` blocks that returned `logs` logs. */
  succeeded(blocks: number, logs: number): void;
  /** After the node refused a query of `blocks` blocks starting at `from`. */
  refused(blocks: number, from: number, error: RangeLimitError): void;
};

export type CreateBlockRangeParameters = {
  initial?: number;
  max?: number;
  /** Logs per query to aim for (the sync passes its batch cap: one answer, one batch). */
  targetLogs?: number;
};

export const createBlockRange = ({
  initial = 1_000,
  max = 100_000,
  targetLogs = 5_000,
}: CreateBlockRangeParameters = {}): BlockRange => {
  let size = Math.max(1, Math.min(initial, max));
  /** The largest range the node accepted since its last refusal: do not grow past a refusal. */
  let ceiling = max;
  return {
    get size() {
      return size;
    },
    succeeded(blocks, logs) {
      // The blocks that would hold `targetLogs` logs at this answer's density. A range ending at
      // the chain's safe head may be shorter than asked: it only grows the range if it was full.
      const fit = logs === 0 ? Number.POSITIVE_INFINITY : Math.floor((blocks * targetLogs) / logs);
      if (fit < size) size = Math.max(1, fit);
      else if (blocks >= size) size = Math.max(1, Math.min(ceiling, fit, blocks * 4));
    },
    refused(blocks, from, error) {
      const hinted =
        error.suggestedTo !== undefined && error.suggestedTo >= from
          ? error.suggestedTo - from + 1
          : 0;
      // An answer over the client's size limit says what fits: the blocks it had given before
      // its `targetLogs`-th log (no more: an answer as large as the limit would be read, parsed
      // and carried over whole), or the share of the range its declared size allows. Halving
      // instead wasted one answer per halving (on the benchmark chain, four from a sparse range
      // into a dense one: 2 s, each a whole answer the node computed).
      const within = error.reached.filter((r) => r.block > from);
      const upToTarget = within.filter((r) => r.logs <= targetLogs).at(-1) ?? within[0];
      const fitting =
        upToTarget !== undefined
          ? upToTarget.block - from
          : error.oversize !== undefined && error.oversize > 1
            ? Math.floor((blocks / error.oversize) * 0.8)
            : 0;
      const next =
        hinted > 0 && hinted < blocks
          ? hinted
          : fitting > 0 && fitting < blocks
            ? fitting
            : Math.max(1, Math.floor(blocks / 2));
      size = next;
      // The node's own limit holds for later queries too; the client's (a slow or oversized
      // answer) depends on the blocks asked, so the range may grow again over sparser ones.
      if (!error.ownLimit) ceiling = Math.max(1, next);
    },
  };
};
