/**
 * V8 heap tuning for the indexer process, applied once at start (indexer/src/main.ts, and the
 * backfill benchmark's child so that it measures the same process).
 *
 * Why: a backfill allocates a few hundred MB of short-lived objects per second (decoded logs, COPY
 * text, projection rows) while its live heap stays near 45 MB (`--trace-gc`). V8's default heap
 * growing factor lets the old generation reach several times the live size before a full
 * mark-compact, and with PGlite's WebAssembly memory in the same process that is what pushed the
 * peak RSS past 400 MB. A growing factor of 1.2 keeps the old generation close to the live heap;
 * measured on 100,000 events into PGlite (`npx tsx scripts/bench/indexer.ts --backfill pglite`):
 * peak RSS 473–526 MB by default (5 runs), 326–393 MB with 20 % (10 runs); throughput 7,660–8,760
 * events/s against 8,080–8,890 by default.
 */
import { setFlagsFromString } from "node:v8";

/** Old-generation growth allowed after a full GC, in % of the live heap (V8: adaptive, 1.1–4×). */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Sets V8's heap growing factor for this process. Node documents flag changes after start as
 * "may simply do nothing" in general; this one is read by the GC at every full collection, and the
 * figures above are with it set here, at run time.
 */
export function tuneHeapForIndexing(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
