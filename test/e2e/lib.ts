/**
 * End-to-end helpers: real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, a
 * jangbu stack started by `npm start` on spare ports, demo personas from the seed's roster.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ARTIFACTS = join(ROOT, "test-artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

export interface Stack {
  base: string;
  rpc: string;
  dataDir: string;
  stop: () => Promise<void>;
}

/** Uses E2E_BASE_URL/E2E_RPC_URL/E2E_DATA_DIR when given, else starts `npm start` on spare ports. */
export async function startStack(): Promise<Stack> {
  if (process.env.E2E_BASE_URL) {
    return {
      base: process.env.E2E_BASE_URL,
      rpc: process.env.E2E_RPC_URL ?? "http://127.0.0.1:8545",
      dataDir: process.env.E2E_DATA_DIR ?? join(ROOT, ".data"),
      stop: async () => {},
    };
  }
  const port = Number(process.env.E2E_PORT ?? 28080);
  const rpcPort = Number(process.env.E2E_RPC_PORT ?? 28545);
  const dataDir = process.env.E2E_DATA_DIR ?? `/tmp/jangbu-e2e-${process.pid}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/start.ts", "--fresh"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        RPC_PORT: String(rpcPort),
        DATA_DIR: dataDir,
        HOST: "127.0.0.1",
        // The browser flow runs on the default store (PGlite); test/start.test.ts covers PostgreSQL.
        DATABASE_URL: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not get ready:\n${out.slice(-2000)}`)),
      300_000,
    );
    const on = (b: Buffer) => {
      out += b.toString();
      if (/jangbu ready:/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", on);
    child.stderr?.on("data", on);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}):\n${out.slice(-2000)}`));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    rpc: `http://127.0.0.1:${rpcPort}`,
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(resolve, 15_000);
      }),
  };
}

export interface Persona {
  id: string;
  role: string;
  region: number;
  name: string;
  address: string;
  privateKey: string;
}

export function roster(
  dataDir: string,
): { staff: Persona[]; farmers: Persona[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(join(dataDir, "demo-roster.json"), "utf8"));
}

/**
 * Demo sign-in: the portal asks GET /api/v1/demo/personas (proposed demo-only route). Until the
 * indexer serves it, the test answers it from the seed's roster file.
 */
export async function servePersonas(page: Page, personas: Persona[]): Promise<void> {
  await page.route("**/api/v1/demo/personas", async (route) => {
    const res = await route.fetch().catch(() => null);
    if (res?.ok()) return route.fulfill({ response: res });
    return route.fulfill({ json: { items: personas } });
  });
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core injected into the page: WCAG 2.x A/AA rules; returns serious/critical violations. */
export async function axe(page: Page, name: string): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> };
    };
    return w.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
  })) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${name}: ${v.id} (${v.impact}) at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(", ")}`,
    );
}

export async function shots(page: Page, name: string): Promise<void> {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
}

/**
 * A tiny mocha-style runner: its summary lines are what scripts/test.ts parses.
 */
export async function runTests(tests: [string, () => Promise<void>][]): Promise<number> {
  let passing = 0;
  let failing = 0;
  const started = Date.now();
  // E2E_GREP=a|b runs only the scenarios whose name contains a or b (while working on some).
  const grep = process.env.E2E_GREP?.split("|").filter(Boolean) ?? [];
  for (const [name, fn] of tests.filter(
    ([n]) => grep.length === 0 || grep.some((g) => n.includes(g)),
  )) {
    const t0 = Date.now();
    try {
      await fn();
      passing++;
      console.log(`  ✔ ${name} (${Date.now() - t0}ms)`);
    } catch (e) {
      failing++;
      console.log(`  ✘ ${name}\n    ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(`\n  ${passing} passing (${Math.round((Date.now() - started) / 1000)}s)`);
  if (failing > 0) console.log(`  ${failing} failing`);
  return failing > 0 ? 1 : 0;
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

/** What every browser test file shares: one stack, one browser, the demo personas. */
export interface Session {
  readonly stack: Stack;
  readonly browser: Browser;
  readonly cast: ReturnType<typeof roster>;
  /** Staff first, then farmers (the portal's demo sign-in list). */
  readonly people: Persona[];
  who(id: string): Persona;
  /** GET /api/v1/<path>, parsed. */
  api<T = Record<string, unknown>>(path: string): Promise<T>;
  /** The portal at `hash`, pointed at the stack's node. */
  url(hash: string): string;
  /**
   * A new Korean (KST) page serving the personas. `width` 360 is a touch phone of 360 × 780 (the
   * farmer, inspector and supplier), 1280 a 1280 × 900 desk (the official and auditor); none, the
   * browser's default. `initScript` runs before every document (a layout-shift observer, say).
   */
  page(options?: { width?: 360 | 1280; initScript?: string }): Promise<Page>;
  /** Signs in as a demo persona on the wallet page. */
  signIn(page: Page, id: string): Promise<void>;
  /** Confirms the open signing dialog after checking its Korean summary; waits for the block. */
  sign(page: Page, expectTitle: RegExp): Promise<void>;
}

/** Starts the stack and the browser; a browser that cannot start stops the stack again. */
export async function openSession(): Promise<Session> {
  const stack = await startStack();
  const browser = await launch().catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  const cast = roster(stack.dataDir);
  const people: Persona[] = [...cast.staff, ...cast.farmers];
  const who = (id: string) => {
    const p = people.find((x) => x.id === id);
    if (!p) throw new Error(`no persona ${id}`);
    return p;
  };
  const url = (hash: string) => `${stack.base}/?rpc=${encodeURIComponent(stack.rpc)}#${hash}`;
  return {
    stack,
    browser,
    cast,
    people,
    who,
    url,
    api: async <T>(path: string) =>
      (await fetch(`${stack.base}/api/v1/${path}`)).json() as Promise<T>,
    async page({ width, initScript } = {}) {
      // bypassCSP only so axe-core can be injected; the app itself runs under the API's CSP.
      const ctx = await browser.newContext({
        locale: "ko-KR",
        timezoneId: "Asia/Seoul",
        bypassCSP: true,
        acceptDownloads: true,
        ...(width === 360 ? { viewport: { width: 360, height: 780 }, hasTouch: true } : {}),
        ...(width === 1280 ? { viewport: { width: 1280, height: 900 } } : {}),
      });
      if (initScript !== undefined) await ctx.addInitScript(initScript);
      const page = await ctx.newPage();
      page.on("pageerror", (e) => console.log(`    [pageerror] ${e.message}`));
      await servePersonas(page, people);
      return page;
    },
    async signIn(page, id) {
      await page.goto(url("/wallet"));
      await page.locator(`[data-persona="${id}"]`).click();
      await page.getByText(who(id).address, { exact: false }).first().waitFor();
    },
    async sign(page, expectTitle) {
      const dialog = page.locator("dialog.sign-dialog");
      await dialog.waitFor({ state: "visible" });
      assert.match((await dialog.getByTestId("sign-summary").textContent()) ?? "", expectTitle);
      await page
        .waitForFunction(
          () =>
            !(document.querySelector('[data-testid="sign-confirm"]') as HTMLButtonElement | null)
              ?.disabled,
          null,
          { timeout: 30_000 },
        )
        .catch(async () => {
          throw new Error(`cannot sign: ${await dialog.textContent()}`);
        });
      await dialog.getByTestId("sign-confirm").click();
      await dialog
        .getByText("기록되었습니다.")
        .waitFor({ timeout: 60_000 })
        .catch(async () => {
          throw new Error(`not recorded: ${await dialog.textContent()}`);
        });
      await dialog.getByRole("button", { name: "닫기" }).click();
    },
  };
}

/** Runs the tests (runTests), closes the browser and the stack, and exits with the result. */
export async function runSession(
  session: Session,
  tests: [string, () => Promise<void>][],
): Promise<never> {
  let code = 1;
  try {
    code = await runTests(tests);
  } finally {
    await session.browser.close();
    await session.stack.stop();
  }
  process.exit(code);
}
