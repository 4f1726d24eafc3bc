/**
 * A response cache for GET `/api/v1/...` JSON pages: a page cannot change until the store
 * commits new events, so answers are kept until the sync publishes a batch with events (or a
 * reorg). Without a notifier (a read-only replica) entries live for `ttlMs`. Bounded LRU.
 */
import type { MiddlewareHandler } from "hono";
import type { Notifier } from "../internal/notify.ts";
import type { AppEnv } from "./deps.ts";

export type CreateResponseCacheParameters = {
  notifier?: Notifier;
  maxEntries?: number;
  maxBodyBytes?: number;
  ttlMs?: number;
  /** Paths never cached (live or streamed). */
  bypass?: RegExp;
};

type Entry = { body: string; contentType: string; at: number };

export function createResponseCache({
  notifier,
  maxEntries = 2_000,
  maxBodyBytes = 512 * 1024,
  ttlMs = 1_000,
  bypass = /^\/api\/v1\/(status|stream|exports|relay)/,
}: CreateResponseCacheParameters = {}): MiddlewareHandler<AppEnv> {
  const entries = new Map<string, Entry>();
  let generation = 0;
  notifier?.subscribe((notice) => {
    if (notice.type === "reorg" || notice.events > 0) {
      entries.clear();
      generation++;
    }
  });
  const fresh = (entry: Entry) => notifier !== undefined || Date.now() - entry.at < ttlMs;
  return async (c, next) => {
    if (c.req.method !== "GET" || bypass.test(c.req.path)) return next();
    const url = c.req.url;
    const key = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    const hit = entries.get(key);
    if (hit !== undefined && fresh(hit)) {
      entries.delete(key);
      entries.set(key, hit);
      c.header("x-cache", "hit");
      return c.body(hit.body, 200, { "content-type": hit.contentType });
    }
    const started = generation;
    await next();
    const type = c.res.headers.get("content-type") ?? "";
    if (c.res.status !== 200 || !type.startsWith("application/json") || started !== generation)
      return;
    const body = await c.res.clone().text();
    if (body.length > maxBodyBytes) return;
    entries.set(key, { body, contentType: type, at: Date.now() });
    if (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  };
}
