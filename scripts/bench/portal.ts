/**
 * `npm run bench -- portal`: the portal's budgets.
 *   js.gzipKB              initial JS (the entry script and the modules index.html preloads), gzipped
 *   js.largestRouteGzipKB  the heaviest route: entry + the route's chunk + its static imports,
 *                          gzipped (budget 150 KB); route.<Page>.gzipKB for each route
 *   assets.precompressed   1 when a hashed asset is answered with Content-Encoding br/gzip
 *   assets.immutable       1 when it carries Cache-Control: immutable
 *   header.phonePx         header height at 360 × 780 (budget 120 px)
 *   cls.max / cls.<page>   layout shift (PerformanceObserver 'layout-shift', no recent input) of
 *                          each page loaded at 360 × 780, 4 s after navigation (budget 0.1);
 *                          signed-in pages as their demo persona
 *   recordPage.renderMs    auditor record page (a sale), navigation → business record shown, in
 *                          Chromium, median of 5 warm loads
 * Builds portal/dist first. Uses E2E_BASE_URL / E2E_RPC_URL / E2E_DATA_DIR when set, else
 * starts its own `npm start` on spare ports (test/e2e/lib.ts).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { launch, ROOT, roster, type Stack, servePersonas, startStack } from "../../test/e2e/lib.ts";
import { freePort } from "../lib/net.ts";
import type { Metrics } from "./index.ts";

const DIST = join(ROOT, "portal", "dist");
const MANIFEST = join(DIST, ".vite", "manifest.json");

/** Builds portal/dist from the current sources (a stale build would measure old code). */
function build(): void {
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules", "vite", "bin", "vite.js"),
      "build",
      "--config",
      "portal/vite.config.ts",
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
}

const gzKB = (files: Iterable<string>) => {
  let bytes = 0;
  for (const f of files)
    bytes += gzipSync(readFileSync(join(DIST, f.replace(/^\.?\//, "")))).length;
  return Math.round((bytes / 1024) * 10) / 10;
};

function initialJsGzipKB(): number {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) files.add(m[1] as string);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g))
    files.add(m[1] as string);
  return gzKB(files);
}

interface Chunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

/** Each route's JS as the browser loads it on arrival: entry closure + page closure (static imports). */
function routeSizes(): Record<string, number> {
  const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as Record<string, Chunk>;
  const closure = (key: string, into: Set<string>) => {
    const c = manifest[key];
    if (!c || into.has(key)) return;
    into.add(key);
    for (const i of c.imports ?? []) closure(i, into);
  };
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entry) throw new Error("no entry in the Vite manifest");
  const out: Record<string, number> = {};
  for (const key of Object.keys(manifest)) {
    const page = /^src\/pages\/([A-Za-z]+)\.tsx$/.exec(key)?.[1];
    if (!page) continue;
    const keys = new Set<string>();
    closure(entry, keys);
    closure(key, keys);
    out[page] = gzKB([...keys].map((k) => manifest[k]?.file ?? ""));
  }
  return out;
}

async function assetHeaders(base: string): Promise<{ precompressed: number; immutable: number }> {
  const html = await (await fetch(`${base}/`)).text();
  const src = /<script[^>]+src="\.?\/?([^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error("no script in index.html");
  const res = await fetch(`${base}/${src}`, { headers: { "accept-encoding": "br, gzip" } });
  await res.arrayBuffer();
  return {
    precompressed: /^(br|gzip)$/.test(res.headers.get("content-encoding") ?? "") ? 1 : 0,
    immutable: /immutable/.test(res.headers.get("cache-control") ?? "") ? 1 : 0,
  };
}

const CLS_PROBE = () => {
  const w = window as unknown as { __cls: number };
  w.__cls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & {
      value: number;
      hadRecentInput: boolean;
    })[])
      if (!e.hadRecentInput) w.__cls += e.value;
  }).observe({ type: "layout-shift", buffered: true });
};

async function phonePage(browser: Browser, stack: Stack): Promise<Page> {
  const ctx = await browser.newContext({
    locale: "ko-KR",
    timezoneId: "Asia/Seoul",
    viewport: { width: 360, height: 780 },
  });
  const page = await ctx.newPage();
  const cast = roster(stack.dataDir);
  await servePersonas(page, [...cast.staff, ...cast.farmers]);
  await page.addInitScript(CLS_PROBE);
  return page;
}

async function layout(browser: Browser, stack: Stack): Promise<Metrics> {
  const url = (hash: string) => `${stack.base}/?rpc=${encodeURIComponent(stack.rpc)}#${hash}`;
  const sales = (await (await fetch(`${stack.base}/api/v1/sales?limit=1`)).json()) as {
    items: { id: string }[];
  };
  const sale = sales.items[0]?.id ?? "1";
  const pages: [string, string, string | null][] = [
    ["home", "/", null],
    ["search", "/search", null],
    ["stats", "/stats", null],
    ["wallet", "/wallet", null],
    ["sale", `/sale/${sale}`, null],
    ["receipt", `/receipt/${sale}`, null],
    ["farmer", "/farmer", "farmer-60"],
    ["inspector", "/inspector", "inspector-naqs-1"],
    ["official", "/official", "official-gangjin-pay"],
    ["supplier", "/supplier", "supplier-namdo"],
    ["walletSignedIn", "/wallet", "farmer-60"],
  ];
  const out: Metrics = {};
  let max = 0;
  for (const [name, hash, persona] of pages) {
    const page = await phonePage(browser, stack);
    if (persona) {
      await page.goto(url("/wallet"));
      await page.locator(`[data-persona="${persona}"]`).click();
      await page.waitForTimeout(300);
      await page.goto(url(hash));
      // A fresh load of the page, signed in (the demo session survives reloads), from the top.
      await page.evaluate(() => {
        history.scrollRestoration = "manual";
        scrollTo(0, 0);
      });
      await page.reload();
    } else {
      await page.goto(url(hash));
    }
    await page.waitForTimeout(4000);
    const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
    if (name === "home") {
      const h = await page.evaluate(
        () => document.querySelector("header.top")?.getBoundingClientRect().height ?? 0,
      );
      out["header.phonePx"] = { value: Math.round(h), unit: "px" };
    }
    out[`cls.${name}`] = { value: Math.round(cls * 1000) / 1000, unit: "" };
    max = Math.max(max, cls);
    await page.context().close();
  }
  out["cls.max"] = { value: Math.round(max * 1000) / 1000, unit: "" };
  return out;
}

async function recordPageRenderMs(browser: Browser, stack: Stack): Promise<number> {
  const res = await fetch(`${stack.base}/api/v1/sales?state=Settled&limit=1`);
  const sale = ((await res.json()) as { items: { id: string }[] }).items[0];
  if (!sale) throw new Error("no sale to show");
  const ctx = await browser.newContext({ locale: "ko-KR", timezoneId: "Asia/Seoul" });
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(`${stack.base}/?rpc=${encodeURIComponent(stack.rpc)}#/sale/${sale.id}`);
    await page.getByTestId("record-ready").waitFor({ timeout: 10_000 });
    if (i > 0) times.push(Date.now() - t0);
    await page.close();
  }
  await ctx.close();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<Metrics> {
  build();
  const routes = routeSizes();
  const metrics: Metrics = {
    "js.gzipKB": { value: initialJsGzipKB(), unit: "KB" },
    "js.largestRouteGzipKB": { value: Math.max(...Object.values(routes)), unit: "KB" },
  };
  for (const [page, kb] of Object.entries(routes))
    metrics[`route.${page}.gzipKB`] = { value: kb, unit: "KB" };
  // Spare ports: other stacks (tests, other benchmarks) may run on this machine.
  process.env.E2E_PORT ??= String(await freePort());
  process.env.E2E_RPC_PORT ??= String(await freePort());
  const stack = await startStack();
  const browser = await launch();
  try {
    const a = await assetHeaders(stack.base);
    metrics["assets.precompressed"] = { value: a.precompressed, unit: "" };
    metrics["assets.immutable"] = { value: a.immutable, unit: "" };
    Object.assign(metrics, await layout(browser, stack));
    metrics["recordPage.renderMs"] = {
      value: await recordPageRenderMs(browser, stack),
      unit: "ms",
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
  return metrics;
}
