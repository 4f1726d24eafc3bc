/** In-process fan-out of what the sync committed, for the SSE stream and tests. */

export type SyncNotice =
  | {
      readonly type: "batch";
      readonly toBlock: number;
      readonly lastPos: number | undefined;
      readonly events: number;
    }
  | { readonly type: "reorg"; readonly ancestor: number; readonly removedEvents: number };

export type Notifier = {
  publish(notice: SyncNotice): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (notice: SyncNotice) => void): () => void;
};

export const createNotifier = (): Notifier => {
  const listeners = new Set<(notice: SyncNotice) => void>();
  return {
    publish(notice) {
      for (const listener of listeners) {
        try {
          listener(notice);
        } catch {
          // a listener's failure is its own business
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
