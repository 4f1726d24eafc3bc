/**
 * V8 heap tuning for the indexer process, applied once at start (indexer/src/run.ts, and the
 * backfill benchmark's child so that it measures the same process).
 *
 * Why: a backfill allocates a few hundred MB of short-lived objects per second (decoded logs, COPY
 * text, projection rows) while its live heap stays near 45 MB (`--trace-gc`). V8's default heap
 * growing factor lets the old generation reach several times the live size before a full
 * mark-compact. With PGlite's WebAssembly memory in the same process that is what pushed the peak
 * RSS past 400 MB, so with PGlite the old generation may grow by 20 % only; measured on 100,000
 * events into PGlite (`npx tsx scripts/bench/indexer.ts --backfill pglite`): peak RSS 473–526 MB by
 * default (5 runs), 326–393 MB with 20 % (10 runs); throughput 7,660–8,760 events/s against
 * 8,080–8,890 by default. With PostgreSQL (its memory in its own processes) the indexer stays far
 * below that, and the collections 20 % costs are time lost: on the 101,065-event benchmark chain
 * (`npm run bench -- indexer`) 100 % gave 15,574–15,618 events/s at a peak RSS of 338–343 MB,
 * against 13,581–14,809 at 283–291 MB with 20 % (same run, 2 each).
 */
import { setFlagsFromString } from "node:v8";
import type { StoreKind } from "../store/db.ts";

/** Old-generation growth allowed after a full GC, in % of the live heap (V8: adaptive, 1.1–4×). */
export const HEAP_GROWING_PERCENT: Readonly<Record<StoreKind, number>> = {
  pglite: 20,
  postgres: 100,
};

/**
 * Sets V8's heap growing factor for this process. Node documents flag changes after start as
 * "may simply do nothing" in general; this one is read by the GC at every full collection, and the
 * figures above are with it set here, at run time.
 */
export function tuneHeapForIndexing(store: StoreKind): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT[store]}`);
}

/**
 * glibc's `MALLOC_ARENA_MAX` for the indexer process, set in its environment by whatever starts it
 * (`npm run indexer`, `npm start`, the benchmark), since glibc reads it once, at process start.
 * glibc gives threads that allocate at once arenas of their own, up to 8 per core, and an arena
 * returns freed memory to the system only from its top; the indexer's threads (the PGlite engine's,
 * V8's helpers, libuv's) allocate and free buffers of several MB per batch. With two arenas the
 * PGlite peak RSS on the 101,065-event benchmark chain was 355–362 MB instead of 404–413 MB (2 runs
 * each, same run), at the same speed; which arena held the difference was not measured.
 */
export const MALLOC_ARENA_MAX = "2";
