/**
 * The `eth_getLogs` block range: grows while the node answers with few logs, shrinks when it
 * refuses (range or result-size limits) or when answers get large.
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
  /** Logs per query to aim for: above twice this the range halves, below it doubles. */
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
      if (logs > targetLogs * 2) size = Math.max(1, Math.floor(blocks / 2));
      else if (logs < targetLogs && blocks >= size) size = Math.min(ceiling, size * 2);
    },
    refused(blocks, from, error) {
      const hinted =
        error.suggestedTo !== undefined && error.suggestedTo >= from
          ? error.suggestedTo - from + 1
          : 0;
      const next = hinted > 0 && hinted < blocks ? hinted : Math.max(1, Math.floor(blocks / 2));
      size = next;
      ceiling = Math.max(1, next);
    },
  };
};
