/**
 * A response cache for GET `/api/v1/...` JSON pages: a page cannot change until the store
 * commits new events, so answers are kept until the sync publishes a batch with events (or a
 * reorg). Without a notifier (a read-only replica) entries live for `ttlMs`. Bounded LRU.
 *
 * Entries are bytes, not strings (no UTF-8 encoding per answer), and a page of 1 KB or more is
 * also kept gzip-compressed, made on its first hit from a client that accepts gzip: a page of 50
 * sales is about 66 KB of JSON and a tenth of that compressed, which matters to a phone on a slow
 * network and to the server's socket writes alike.
 */
import { gzipSync } from "node:zlib";
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

type Entry = {
  body: Uint8Array<ArrayBuffer>;
  /** The body gzip-compressed, once a client asked for it (null: too small to be worth it). */
  gzip?: Uint8Array<ArrayBuffer> | null;
  /**
   * The headers the page was first answered with (security headers included: this middleware
   * runs outside them), as the plain object a hit is answered with, `x-cache: hit` added.
   */
  headers: Readonly<Record<string, string>>;
  at: number;
};

/**
 * Headers a hit does not replay: length and encoding depend on the copy sent, and CORS headers on
 * the request's Origin (the CORS middleware, outside this one, sets them for every request).
 */
const replayed = (name: string) =>
  name !== "content-length" &&
  name !== "content-encoding" &&
  name !== "transfer-encoding" &&
  !name.startsWith("access-control-");

/** Smallest body worth compressing: below it the gzip header costs more than it saves. */
const GZIP_MIN_BYTES = 1_024;

/** True when an Accept-Encoding header accepts gzip (listed, or `*`, without `q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(",").some((item) => {
    const [coding = "", ...params] = item.split(";").map((part) => part.trim().toLowerCase());
    if (coding !== "gzip" && coding !== "*") return false;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

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
      // A Response with plain-object headers goes to the socket without a Headers object
      // (@hono/node-server writes them as they are): most of a hit's cost was header handling.
      if (acceptsGzip(c.req.header("accept-encoding"))) {
        if (hit.gzip === undefined)
          hit.gzip =
            hit.body.byteLength >= GZIP_MIN_BYTES ? new Uint8Array(gzipSync(hit.body)) : null;
        if (hit.gzip !== null)
          return new Response(hit.gzip, {
            status: 200,
            headers: { ...hit.headers, "content-encoding": "gzip" },
          });
      }
      return new Response(hit.body, { status: 200, headers: hit.headers });
    }
    // Whatever a cached page is served as, it depends on Accept-Encoding (hits replay this).
    c.header("vary", "accept-encoding");
    const started = generation;
    await next();
    const type = c.res.headers.get("content-type") ?? "";
    if (c.res.status !== 200 || !type.startsWith("application/json") || started !== generation)
      return;
    const body = new Uint8Array(await c.res.clone().arrayBuffer());
    if (body.byteLength > maxBodyBytes) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of c.res.headers) if (replayed(name)) headers[name] = value;
    headers["x-cache"] = "hit";
    entries.set(key, { body, headers, at: Date.now() });
    if (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  };
}
