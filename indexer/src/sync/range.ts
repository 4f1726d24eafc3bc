/**
 * The `eth_getLogs` block range: sized from the log density of the last answer so that the next
 * one holds about `targetLogs` logs (growing at most 4× per answer), and shrunk when the node
 * refuses (range or result-size limits). The blocks a cut-off answer reached are kept: a range
 * starting among them is sized from where their logs lie, not from the average density of the
 * answer before it (which, from a sparse stretch, sent the next query deep into a dense one).
 */
import type { LogsReached, RangeLimitError } from "../internal/errors.ts";

export type BlockRange = {
  /** Blocks to ask for next, wherever the range starts. */
  readonly size: number;
  /**
   * Blocks to ask for in a range starting at `from`: {@link size}, or fewer where the last
   * cut-off answer showed the logs from `from` on to be denser. Call it once per query: the first
   * range past that answer's blocks uses up what it showed.
   */
  sizeAt(from: number): number;
  /** After a successful query of `blocks` blocks that returned `logs` logs. */
  succeeded(blocks: number, logs: number): void;
  /** After the node refused a query of `blocks` blocks starting at `from`. */
  refused(blocks: number, from: number, error: RangeLimitError): void;
  /**
   * After an answer for a range starting at `from` was cut off at the client's size limit and the
   * whole blocks it held were kept: the next range starts where it stopped.
   */
  cutOff(from: number, error: RangeLimitError): void;
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
  /**
   * Where the logs of the last cut-off answer lay: `logs` of them had begun by block `block`,
   * counted from the answer's first block (every so many logs, rpc/client.ts), sorted by block.
   */
  let reached: readonly LogsReached[] = [];

  /** Logs per block over the last samples of `reached`: the density where the answer was cut. */
  const densityAtCut = () => {
    const last = reached.at(-1) as LogsReached;
    const earlier = reached[Math.max(0, reached.length - 5)] as LogsReached;
    return (last.logs - earlier.logs) / Math.max(1, last.block - earlier.block);
  };

  return {
    get size() {
      return size;
    },
    sizeAt(from) {
      const last = reached.at(-1);
      if (last === undefined) return size;
      if (from > last.block) {
        // Past what the answer showed: its density where it was cut, once; then the usual growth.
        const rate = densityAtCut();
        reached = [];
        return rate > 0 ? Math.max(1, Math.min(size, Math.floor(targetLogs / rate))) : size;
      }
      const before = reached.filter((r) => r.block < from).at(-1)?.logs ?? 0;
      const past = reached.find((r) => r.block >= from && r.logs - before > targetLogs);
      // Up to the block where the logs from `from` pass the target, else up to the block the
      // answer was cut in: its size limit came first, and a range past it would be cut again.
      const end = past ?? last;
      return Math.max(1, Math.min(ceiling, end.block - from));
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
      reached = within;
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
    cutOff(from, error) {
      // Sized from the density where the answer was cut, as a range past a cut-off answer is in
      // `sizeAt` (the blocks before were kept, so nothing before the cut is asked again).
      reached = error.reached.filter((r) => r.block > from);
      const rate = reached.length > 0 ? densityAtCut() : 0;
      reached = [];
      if (rate > 0) size = Math.max(1, Math.min(ceiling, Math.floor(targetLogs / rate)));
    },
  };
};
