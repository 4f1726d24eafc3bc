/**
 * Waiting for the next block once the sync has caught up. Two sources, either may be missing:
 *
 * - a WebSocket `eth_subscribe("newHeads")` when RPC_WS_URL is set (a URL, or `auto`: RPC_URL's
 *   host and port over ws, as Hardhat node and anvil serve both on one port): the wait ends as
 *   the node announces the block;
 * - adaptive polling: the block interval is estimated from when new heads were first seen, the
 *   wait polls slowly (the poll interval) until shortly before the next block is due and then
 *   every `fastPollMs` until it arrives. With 1 s blocks and the 500 ms default the head is seen
 *   within about `fastPollMs` of being mined instead of within one poll interval.
 *
 * The subscription is a hint only: the sync still reads the head with `eth_blockNumber`, and a
 * wait never lasts longer than the poll interval, so a silent socket costs latency, not blocks.
 */
import { createPublicClient, webSocket } from "viem";
import type { Logger } from "../internal/logger.ts";

export type HeadWatcher = {
  /** Records a head read by the sync (learns the block interval from new ones). */
  saw(head: number): void;
  /** Resolves when a block above `head` is likely (or announced), or when `stop` wakes it. */
  wait(head: number): Promise<void>;
  /** Ends a running wait at once. */
  wake(): void;
  /** How long the next wait would sleep, ms (polling mode). */
  pollDelay(): number;
  /** "ws" once the subscription is live, else "poll". */
  mode(): "ws" | "poll";
  close(): Promise<void>;
};

export type CreateHeadWatcherParameters = {
  pollIntervalMs: number;
  /** Poll interval near the expected next block. */
  fastPollMs?: number;
  /** A ws(s) URL to subscribe to, or undefined (poll only). */
  wsUrl?: string;
  /** True when the operator set the URL (reconnect when it drops); false when derived (`auto`). */
  explicitWs?: boolean;
  logger: Logger;
  now?: () => number;
};

/** RPC_WS_URL resolved: `off` → none; `auto` → RPC_URL's host and port over ws(s). */
export function resolveWsUrl(setting: string, rpcUrl: string): string | undefined {
  if (setting === "off") return undefined;
  if (setting !== "auto") return setting;
  try {
    const url = new URL(rpcUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
  } catch {
    return undefined;
  }
}

export function createHeadWatcher({
  pollIntervalMs,
  fastPollMs = 40,
  wsUrl,
  explicitWs = false,
  logger,
  now = () => performance.now(),
}: CreateHeadWatcherParameters): HeadWatcher {
  let highest = -1;
  let lastArrival: number | undefined;
  const intervals: number[] = [];
  let announced = -1;
  let wakeWait: (() => void) | undefined;
  let live = false;
  let unwatch: (() => void) | undefined;
  let closed = false;

  /** Median of the recent arrival intervals; undefined until a few were seen. */
  const blockInterval = () => {
    if (intervals.length < 3) return undefined;
    const sorted = [...intervals].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };

  const saw = (head: number) => {
    if (head <= highest) return;
    const at = now();
    // Several blocks at once (catching up, automine bursts) say nothing about the interval.
    if (lastArrival !== undefined && highest >= 0 && head === highest + 1) {
      intervals.push(at - lastArrival);
      if (intervals.length > 9) intervals.shift();
    }
    highest = head;
    lastArrival = at;
  };

  /** How long to sleep before the next poll. */
  const nextPollIn = () => {
    const interval = blockInterval();
    if (interval === undefined || lastArrival === undefined || interval < 2 * fastPollMs)
      return pollIntervalMs;
    const due = lastArrival + interval;
    const lead = Math.min(200, interval / 4);
    const untilWindow = due - lead - now();
    if (untilWindow > 0) return Math.min(pollIntervalMs, untilWindow);
    // Inside the window (or late: the block interval is irregular): poll fast for a while, then
    // fall back to the normal interval so an idle chain is not hammered.
    return now() < due + interval ? Math.min(pollIntervalMs, fastPollMs) : pollIntervalMs;
  };

  if (wsUrl !== undefined) {
    try {
      const client = createPublicClient({
        // A derived URL (RPC_WS_URL=auto) may simply not exist: one try, then polling only.
        transport: webSocket(wsUrl, {
          retryCount: 0,
          reconnect: explicitWs ? { attempts: 1_000, delay: 2_000 } : false,
        }),
      });
      unwatch = client.watchBlockNumber({
        emitMissed: false,
        onBlockNumber(block) {
          if (!live) logger.info("following new heads over WebSocket", { url: wsUrl });
          live = true;
          const n = Number(block);
          if (n > announced) announced = n;
          wakeWait?.();
        },
        onError(error) {
          if (live)
            logger.warn("the new-heads subscription failed; polling", { error: error.message });
          else
            logger.debug("no new-heads subscription; polling", {
              url: wsUrl,
              error: error.message,
            });
          live = false;
          if (!explicitWs) {
            unwatch?.();
            unwatch = undefined;
          }
        },
      });
    } catch (error) {
      logger.debug("no new-heads subscription; polling", { error: (error as Error).message });
    }
  }

  return {
    saw,
    wait(head) {
      if (closed || announced > head) return Promise.resolve();
      const ms = live ? pollIntervalMs : nextPollIn();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          if (wakeWait === done) wakeWait = undefined;
          resolve();
        }
        wakeWait = done;
      });
    },
    wake: () => wakeWait?.(),
    pollDelay: nextPollIn,
    mode: () => (live ? "ws" : "poll"),
    async close() {
      closed = true;
      unwatch?.();
      wakeWait?.();
    },
  };
}
