/**
 * One writer among many (INDEXER_ROLE=sync or all on PostgreSQL): every writer process opens a
 * dedicated session and tries the leader lock (store/db.ts `tryLeaderLock`) every `retryMs`;
 * the one that gets it migrates, builds its store and sync on that very session and syncs. The
 * others stand by.
 *
 * When the leader dies (kill -9, crash, power loss), PostgreSQL ends its session, which releases
 * the lock and rolls back its open transaction; the next standby to try gets the lock and resumes
 * at the committed cursor (each batch moves the cursor in the batch's own transaction: nothing
 * lost, nothing twice). A leader whose session drops (network, server restart) stops its sync at
 * once and stands by again: its writes could not commit anyway, they ran on that session.
 */
import { describeError, isRetryable } from "../internal/errors.ts";
import type { Logger } from "../internal/logger.ts";
import type { PostgresSession } from "../store/db.ts";
import type { Sync, SyncStatus } from "./index.ts";

export type LeaderSyncParameters = {
  /** Opens a new writer session (a dedicated connection). */
  openSession(): Promise<PostgresSession>;
  /** Builds store and sync on the session once it holds the lock. */
  lead(session: PostgresSession): Promise<Sync>;
  retryMs: number;
  logger: Logger;
};

export type LeaderSync = Sync & {
  isLeader(): boolean;
  /** Leaderships taken by this process (1 after the first election). */
  terms(): number;
};

const idleStatus = (phase: SyncStatus["phase"], lastError?: string): SyncStatus => ({
  head: undefined,
  indexed: -1,
  phase,
  caughtUp: false,
  lastError,
  reorgs: 0,
});

export function createLeaderSync({
  openSession,
  lead,
  retryMs,
  logger,
}: LeaderSyncParameters): LeaderSync {
  let stopped = false;
  let current: Sync | undefined;
  let session: PostgresSession | undefined;
  let leader = false;
  let terms = 0;
  let phase: SyncStatus["phase"] = "starting";
  let lastError: string | undefined;
  let running: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  /** One session's life: stand by until the lock is ours, then sync until the session ends. */
  const term = async (s: PostgresSession) => {
    let gone = false;
    void s.lost.then(() => {
      gone = true;
      wake?.();
    });
    phase = "standby";
    let announced = false;
    while (!stopped && !gone) {
      if (await s.tryLeaderLock()) break;
      if (!announced) logger.info("standing by: another writer holds the leader lock");
      announced = true;
      await sleep(retryMs);
    }
    if (stopped || gone) return;
    leader = true;
    terms++;
    logger.info("leading: this process is the writer");
    try {
      const sync = await lead(s);
      current = sync;
      const outcome = await Promise.race([
        sync.run().then(() => "stopped" as const),
        s.lost.then((error) => error),
      ]);
      if (outcome !== "stopped") {
        lastError = `lost the leader session: ${outcome.message}`;
        logger.warn("lost the leader session; standing by again", { error: outcome.message });
        await sync.stop();
      }
    } finally {
      leader = false;
      current = undefined;
    }
  };

  const loop = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        session = await openSession();
        failures = 0;
        await term(session);
      } catch (error) {
        if (stopped) break;
        // No connection yet, or a session lost while leading: try again; anything else is fatal.
        const lost = session !== undefined && (await isGone(session));
        if (!lost && !isRetryable(error)) throw error;
        lastError = describeError(error);
        logger.warn("the writer's session failed; reconnecting", { error: lastError });
      } finally {
        await session?.close().catch(() => {});
        session = undefined;
      }
      if (!stopped) {
        failures++;
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  };

  return {
    run() {
      running ??= loop().then(
        () => {
          phase = "stopped";
        },
        (error: unknown) => {
          phase = stopped ? "stopped" : "failed";
          lastError = describeError(error);
          if (!stopped) throw error;
        },
      );
      return running;
    },
    async stop() {
      stopped = true;
      wake?.();
      await current?.stop();
      await running?.catch(() => {});
    },
    status: () => current?.status() ?? idleStatus(phase, lastError),
    isLeader: () => leader,
    terms: () => terms,
  };
}

/** Whether a session's connection is gone (its `lost` promise settled). */
async function isGone(session: PostgresSession): Promise<boolean> {
  const marker = Symbol("pending");
  const first = await Promise.race([session.lost, Promise.resolve(marker)]);
  return first !== marker;
}
