/**
 * `npm run bench -- portal`: the portal's budgets.
 *   js.gzipKB           initial JS (the entry script and the modules index.html preloads), gzipped
 *   recordPage.renderMs auditor record page (a sale), navigation → business record shown, in
 *                       Chromium, median of 5 warm loads
 * Builds portal/dist if missing. Uses E2E_BASE_URL / E2E_RPC_URL / E2E_DATA_DIR when set, else
 * starts its own `npm start` on spare ports (test/e2e/lib.ts).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { launch, ROOT, startStack } from "../../test/e2e/lib.ts";
import type { Metrics } from "./index.ts";

const DIST = join(ROOT, "portal", "dist");

function initialJsGzipKB(): number {
  if (!existsSync(join(DIST, "index.html"))) {
    execFileSync(
      process.execPath,
      [
        join(ROOT, "node_modules", "vite", "bin", "vite.js"),
        "build",
        "--config",
        "portal/vite.config.ts",
      ],
      {
        cwd: ROOT,
        stdio: "inherit",
      },
    );
  }
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) files.add(m[1] as string);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g))
    files.add(m[1] as string);
  let bytes = 0;
  for (const f of files)
    bytes += gzipSync(readFileSync(join(DIST, f.replace(/^\.?\//, "")))).length;
  return Math.round((bytes / 1024) * 10) / 10;
}

async function recordPageRenderMs(): Promise<number> {
  const stack = await startStack();
  const browser = await launch();
  try {
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
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? Number.NaN;
  } finally {
    await browser.close();
    await stack.stop();
  }
}

export async function run(): Promise<Metrics> {
  return {
    "js.gzipKB": { value: initialJsGzipKB(), unit: "KB" },
    "recordPage.renderMs": { value: await recordPageRenderMs(), unit: "ms" },
  };
}
