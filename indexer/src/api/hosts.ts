/**
 * Which `Host` the service answers (ALLOWED_HOSTS), against DNS rebinding: a web page on
 * `evil.example` whose name is re-pointed at 127.0.0.1 reaches the service with its own name in
 * the `Host` header, so refusing names the operator did not list keeps other sites from reading
 * anything (the demo keys above all) through a visitor's browser.
 *
 * A rule is `name` (any port: the name behind a reverse proxy) or `name:port`; the default rules
 * are the listen address, `localhost`, `127.0.0.1` and `[::1]`, each with the port the service
 * listens on (read from the request's socket, so `PORT=0` works too). A request without a `Host`
 * header cannot come from a browser (Node refuses HTTP/1.1 without one) and is not checked.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./deps.ts";

export type HostRule = {
  /** Lower-case host name, an IPv6 address in brackets. */
  readonly hostname: string;
  /** A port, any port, or the port the service listens on. */
  readonly port: number | "any" | "listen";
};

const HOST_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(\d{1,5}))?$/;

/** Splits a `Host` header or a rule into name and port; undefined when malformed. */
export function parseHost(text: string): { hostname: string; port?: number } | undefined {
  const m = HOST_PATTERN.exec(text.trim().toLowerCase());
  if (m === null || m[1] === undefined) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return port === undefined ? { hostname: m[1] } : { hostname: m[1], port };
}

/**
 * ALLOWED_HOSTS: comma-separated `name` or `name:port`, or `*` (no check: only behind a proxy
 * that checks the host itself). Throws on a malformed entry.
 */
export function parseAllowedHosts(value: string): readonly HostRule[] | "*" {
  const entries = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 1 && entries[0] === "*") return "*";
  if (entries.length === 0) throw new Error("lists no host");
  return entries.map((entry) => {
    const host = parseHost(entry);
    if (host === undefined) throw new Error(`"${entry}" is not a host name or host:port`);
    return { hostname: host.hostname, port: host.port ?? "any" };
  });
}

/** The default: the listen address, localhost and the loopback addresses, on the listen port. */
export function defaultAllowedHosts(listenHost: string): readonly HostRule[] {
  const listen = listenHost.includes(":") ? `[${listenHost}]` : listenHost;
  const names = new Set([listen.toLowerCase(), "localhost", "127.0.0.1", "[::1]"]);
  return [...names].map((hostname) => ({ hostname, port: "listen" as const }));
}

/** A Host without a port names port 80 (the service speaks plain HTTP; TLS ends at a proxy). */
const samePort = (asked: number | undefined, port: number | undefined) =>
  port !== undefined && (asked ?? 80) === port;

export function hostAllowed(
  rules: readonly HostRule[],
  header: string,
  listenPort: number | undefined,
): boolean {
  const host = parseHost(header);
  if (host === undefined) return false;
  return rules.some(
    (rule) =>
      rule.hostname === host.hostname &&
      (rule.port === "any" || samePort(host.port, rule.port === "listen" ? listenPort : rule.port)),
  );
}

/** Refuses (403 `host_not_allowed`) a request whose `Host` no rule allows. */
export function hostGuard(
  rules: readonly HostRule[],
  configuredPort: number | undefined,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("host");
    if (header === undefined) return next();
    // @hono/node-server passes the Node request as `incoming`: its socket knows the real port.
    const env = c.env as { incoming?: { socket?: { localPort?: number } } } | undefined;
    const port = env?.incoming?.socket?.localPort ?? configuredPort;
    if (hostAllowed(rules, header, port)) return next();
    return c.json(
      {
        error: {
          code: "host_not_allowed",
          message: "this service does not answer for that host name (ALLOWED_HOSTS)",
        },
      },
      403,
    );
  };
}

/** Query parameters that name a person: a page filtered by one is that person's record. */
const PERSONAL_QUERY = ["farmer", "subject", "bidder", "account", "signer"] as const;
/** Paths that carry a key or a person's record. */
const PERSONAL_PATH = /^\/api\/v1\/(demo\/|accounts\/|relay)/;

/**
 * `Cache-Control: no-store` on every answer that carries a key (the demo personas) or a person's
 * record (an account page, a list filtered by a person), so no browser or shared cache keeps it.
 */
export function noStoreForPersonalRecords(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (
      PERSONAL_PATH.test(c.req.path) ||
      PERSONAL_QUERY.some((name) => c.req.query(name) !== undefined)
    )
      c.header("cache-control", "no-store");
  };
}
