/**
 * The HTTP application: `/api/v1/...` JSON routes declared with their schemas
 * (`@hono/zod-openapi`), `/openapi.json` generated from them, a docs page, `/health`,
 * `/metrics`, and the portal build with SPA fallback. Every client error is JSON
 * `{ error: { code, message } }`; nothing a client sends can produce a stack trace.
 *
 * Extension point: `deps.modules` are extra route modules (the relay) registered after the
 * built-in ones, with the same error handling, limits and OpenAPI document.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { ApiError, describeError } from "../internal/errors.ts";
import { createResponseCache } from "./cache.ts";
import { hasEncodedControl } from "./common.ts";
import type { App, AppDeps, AppEnv, RouteModule } from "./deps.ts";
import { hostGuard, noStoreForPersonalRecords } from "./hosts.ts";
import { credentialRoutes } from "./routes/credentials.ts";
import { estimateRoutes } from "./routes/estimates.ts";
import { exportRoutes } from "./routes/exports.ts";
import { riceRoutes } from "./routes/rice.ts";
import { streamRoutes } from "./routes/stream.ts";
import { systemRoutes } from "./routes/system.ts";
import { tenderRoutes } from "./routes/tenders.ts";
import { varietyRoutes } from "./routes/variety.ts";

export type { AppDeps, RouteModule } from "./deps.ts";

export const BUILTIN_MODULES: readonly RouteModule[] = [
  systemRoutes,
  credentialRoutes,
  riceRoutes,
  estimateRoutes,
  tenderRoutes,
  varietyRoutes,
  exportRoutes,
  streamRoutes,
];

const errorBody = (code: string, message: string) => ({ error: { code, message } });

export function createApp(deps: AppDeps): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
        return c.json(
          errorBody("invalid_parameter", `${where}${issue?.message ?? "invalid"}`),
          400,
        );
      }
    },
  });

  app.onError((error, c) => {
    if (error instanceof ApiError)
      return c.json(errorBody(error.code, error.message), error.status);
    if (error instanceof HTTPException) {
      const status = error.status;
      const code =
        status === 413 ? "payload_too_large" : status === 400 ? "bad_request" : "http_error";
      return c.json(errorBody(code, error.message || "bad request"), status);
    }
    if (error instanceof SyntaxError)
      return c.json(errorBody("bad_request", "malformed request body"), 400);
    deps.logger?.error("request failed", { path: c.req.path, error: describeError(error) });
    return c.json(errorBody("internal_error", "the server could not answer this request"), 500);
  });

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath || "unmatched";
    deps.metrics?.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    deps.metrics?.httpSeconds.observe((performance.now() - started) / 1000, { route });
  });
  // Before anything that answers (the page cache included): a refused host gets nothing else.
  if (deps.allowedHosts !== undefined) app.use("*", hostGuard(deps.allowedHosts, deps.listenPort));
  // A parameter with a control character is refused whatever the route (PostgreSQL refuses NUL
  // in text, and no parameter of this API has a use for them).
  app.use("/api/*", async (c, next) => {
    if (hasEncodedControl(c.req.url))
      return c.json(
        errorBody("invalid_parameter", "parameters must not contain control characters"),
        400,
      );
    return next();
  });
  const origins = deps.corsOrigins ?? [];
  if (origins.length > 0) {
    app.use(
      "*",
      cors({
        origin: origins.includes("*") ? "*" : [...origins],
        allowMethods: ["GET", "POST", "OPTIONS"],
        allowHeaders: ["content-type", "last-event-id"],
        maxAge: 600,
      }),
    );
  }
  // The page cache runs outside the security headers: a hit replays the headers its page was
  // first answered with, security headers included, without running them again.
  if (deps.cache !== false) {
    app.use(
      "/api/v1/*",
      createResponseCache(deps.notifier !== undefined ? { notifier: deps.notifier } : {}),
    );
  }
  // Inside the page cache: a cached page keeps (and replays) its no-store header.
  app.use("/api/*", noStoreForPersonalRecords());
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'", "*"],
        frameAncestors: ["'none'"],
      },
      crossOriginResourcePolicy: "cross-origin",
    }),
  );
  const limitBody = bodyLimit({
    maxSize: deps.bodyLimitBytes ?? 65_536,
    // The unread rest of the body leaves the connection unusable: say so, so that a pooled client
    // opens a new one for its next request (as the relay's 413 does).
    onError: (c) => {
      c.header("Connection", "close");
      return c.json(errorBody("payload_too_large", "request body too large"), 413);
    },
  });
  // The relay (indexer/src/relay) limits its own bodies (RELAY_MAX_BODY_BYTES, RELAY_TOO_LARGE).
  // GET and HEAD bodies are never read, and asking for one (`c.req.raw.body`, as bodyLimit does)
  // makes @hono/node-server build a full fetch Request for every read: a third of a cached
  // page's cost.
  app.use("*", (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" || c.req.path === "/api/v1/relay"
      ? next()
      : limitBody(c, next),
  );

  for (const module of [...BUILTIN_MODULES, ...(deps.modules ?? [])]) module.register(app, deps);

  const document = {
    openapi: "3.1.0",
    info: {
      title: "jangbu indexer API",
      version: "1.0.0",
      description:
        "Public-procurement ledger: rice purchases and goods tenders mirrored from the chain. Amounts are decimal strings of whole won; addresses are checksummed; every record carries its provenance.",
    },
    servers: [{ url: "/" }],
  };
  app.doc31("/openapi.json", document);
  app.get("/docs", (c) => c.html(docsPage(app.getOpenAPI31Document(document) as unknown as Spec)));
  app.get("/metrics", (c) => {
    const body = deps.metrics?.registry.render() ?? "";
    return c.body(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  // The portal build, with SPA fallback for everything outside /api.
  const portal = deps.portalDir === undefined ? undefined : resolve(deps.portalDir);
  const index = portal === undefined ? undefined : join(portal, "index.html");
  if (
    portal !== undefined &&
    index !== undefined &&
    existsSync(index) &&
    statSync(portal).isDirectory()
  ) {
    // Hashed build assets never change under their name: cached for a year, served from the
    // .br/.gz files the portal build writes next to them (portal/vite.config.ts).
    const assets = serveStatic<AppEnv>({
      root: portal,
      precompressed: true,
      onNotFound: (_path, c) => c.header("Cache-Control", undefined),
    });
    app.use("*", async (c, next) => {
      if (c.req.path.startsWith("/api/") || (c.req.method !== "GET" && c.req.method !== "HEAD"))
        return next();
      c.header(
        "Cache-Control",
        c.req.path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      );
      return assets(c, next);
    });
    app.get("*", (c, next) => {
      if (c.req.path.startsWith("/api/")) return next();
      c.header("Cache-Control", "no-cache");
      return c.html(readFileSync(index, "utf8"));
    });
  }

  app.notFound((c) =>
    c.json(errorBody("not_found", `no route ${c.req.method} ${c.req.path}`), 404),
  );
  return app;
}

type Spec = {
  paths?: Record<
    string,
    Record<string, { summary?: string; tags?: string[]; parameters?: unknown[] }>
  >;
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

/** A self-contained docs page (no CDN: the service may run offline). */
function docsPage(spec: Spec): string {
  const rows = Object.entries(spec.paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const params = (op.parameters ?? [])
        .map((p) => {
          const { name, in: where } = p as { name?: string; in?: string };
          return `<code>${escapeHtml(String(name))}</code> <small>(${escapeHtml(String(where))})</small>`;
        })
        .join(", ");
      return `<tr><td><b>${method.toUpperCase()}</b></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? "")}</td><td>${params}</td></tr>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>jangbu indexer API</title>
<style>body{font:17px/1.5 system-ui,sans-serif;color:#1e2124;margin:2rem}table{border-collapse:collapse}td{border-top:1px solid #ddd;padding:.4rem .8rem;vertical-align:top}code{color:#256ef4}</style>
</head><body><h1>jangbu indexer API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
Errors: <code>{ "error": { "code", "message" } }</code>. Lists: <code>{ items, nextCursor }</code>.</p>
<table>${rows.join("\n")}</table></body></html>`;
}
