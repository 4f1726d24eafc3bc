/**
 * Live updates across processes (PostgreSQL): the writer's transactions NOTIFY the new cursor
 * (`block:lastPos`, store/db.ts `notifyCursor`); every process LISTENs and turns each change of
 * the cursor into a local {@link SyncNotice}, which wakes its SSE streams (they read the new rows
 * from the store) and empties its page cache. A cursor that moves back is a reorg.
 *
 * Notifications can be missed (the listener's connection dropped, a writer killed between its
 * commit and the delivery): the cursor is also read every `pollMs` and after every reconnection,
 * so a replica is never stale for longer than that.
 *
 * With a read replica (DATABASE_READ_URL), a notice is passed on only once the replica shows the
 * notified cursor (or after `replicaWaitMs`): otherwise a stream would look for rows the replica
 * does not have yet and a page cached meanwhile would stay stale.
 */
import type { Logger } from "../internal/logger.ts";
import type { Notifier } from "../internal/notify.ts";
import { type CursorNotice, listenCursor, type Sql } from "../store/db.ts";

export type WatchCursorParameters = {
  /** The primary (DATABASE_URL): where notifications are sent. */
  listenUrl: string;
  schema?: string;
  /** Where this process reads (the primary or a read replica). */
  readDb: Sql;
  /** True when `readDb` is a replica that may lag behind the primary. */
  readReplica: boolean;
  notifier: Notifier;
  logger: Logger;
  pollMs?: number;
  replicaWaitMs?: number;
};

export type CursorWatch = {
  /** The last cursor passed on (tests, status). */
  current(): CursorNotice | undefined;
  close(): Promise<void>;
};

/** The cursor as a reader sees it; undefined before the writer has created the store. */
export async function readCursor(db: Sql): Promise<CursorNotice | undefined> {
  try {
    const [row] = await db.query<{ block: number; last_pos: number }>(
      "select block_number as block, coalesce((select max(pos) from events), -1) as last_pos from sync_state where id = 1",
    );
    return row === undefined ? undefined : { block: row.block, lastPos: row.last_pos };
  } catch (error) {
    // 42P01: the tables do not exist yet (no writer has migrated this database).
    if ((error as { code?: unknown }).code === "42P01") return undefined;
    throw error;
  }
}

export function watchCursor({
  listenUrl,
  schema,
  readDb,
  readReplica,
  notifier,
  logger,
  pollMs = 2_000,
  replicaWaitMs = 2_000,
}: WatchCursorParameters): CursorWatch {
  let last: CursorNotice | undefined;
  let closed = false;
  /** Bumped by every notification: a poll that started before one must not undo it. */
  let noticeSeq = 0;
  let chain: Promise<void> = Promise.resolve();

  /** The last notification handled: notifications arrive in commit order. */
  let lastNotice: CursorNotice | undefined;
  const behind = (a: CursorNotice, b: CursorNotice) =>
    a.block < b.block || (a.block === b.block && a.lastPos < b.lastPos);

  const publish = (now: CursorNotice, reorg: boolean) => {
    const before = last;
    last = now;
    if (before === undefined) return;
    if (reorg) {
      // The count of removed events is the writer's to know; readers re-read from the ancestor.
      notifier.publish({ type: "reorg", ancestor: now.block, removedEvents: 0 });
      return;
    }
    notifier.publish({
      type: "batch",
      toBlock: now.block,
      lastPos: now.lastPos >= 0 ? now.lastPos : undefined,
      events: now.lastPos > before.lastPos ? now.lastPos - before.lastPos : 0,
    });
  };

  /** A notification: a cursor behind the previous notification's is a rollback (a reorg). */
  const onNotice = (notice: CursorNotice) => {
    const previous = lastNotice;
    lastNotice = notice;
    if (previous !== undefined && behind(notice, previous)) return publish(notice, true);
    // Behind what a poll already passed on: its own change was announced then.
    if (last !== undefined && !behind(last, notice)) return;
    publish(notice, false);
  };

  /** A poll (fallback for missed notifications): any change is passed on. */
  const onPoll = (now: CursorNotice) => {
    if (last !== undefined && now.block === last.block && now.lastPos === last.lastPos) return;
    publish(now, last !== undefined && behind(now, last));
  };

  const poll = async () => {
    const seq = noticeSeq;
    try {
      const now = await readCursor(readDb);
      if (now !== undefined && seq === noticeSeq) onPoll(now);
    } catch (error) {
      logger.debug("cannot read the cursor", { error: (error as Error).message });
    }
  };

  const untilReplicaShows = async (notice: CursorNotice) => {
    const deadline = Date.now() + replicaWaitMs;
    while (!closed && Date.now() < deadline) {
      const seen = await readCursor(readDb).catch(() => undefined);
      if (seen !== undefined && seen.block === notice.block && seen.lastPos === notice.lastPos)
        return;
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const listener = listenCursor({
    url: listenUrl,
    ...(schema !== undefined ? { schema } : {}),
    onNotice(notice) {
      noticeSeq++;
      // In order: a reorg's notice must not overtake the batch before it.
      chain = chain.then(async () => {
        if (readReplica) await untilReplicaShows(notice);
        onNotice(notice);
      });
    },
    onConnected() {
      chain = chain.then(poll);
    },
    onError(error) {
      logger.warn("the cursor listener's connection dropped; reconnecting", {
        error: error.message,
      });
    },
  });
  const timer = setInterval(() => {
    chain = chain.then(poll);
  }, pollMs);
  timer.unref();

  return {
    current: () => last,
    async close() {
      closed = true;
      clearInterval(timer);
      await listener.close();
      await chain.catch(() => {});
    },
  };
}
