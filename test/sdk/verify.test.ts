/**
 * `npm run verify` catches lies: the demo season indexed, its API served over HTTP, and a
 * tampering proxy in front of it that changes a sale's state, an amount, a grade and a tender's
 * winner, drops an event from a sale's history and lists a sale that is not on chain. The clean
 * API verifies with 0 mismatches; through the proxy each lie is named (record and field) and
 * nothing else is; bad input (unreachable node, node of another chain, an API answering garbage
 * or 5xx) ends with one line and exit 2.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../scripts/lib/net.ts";
import { type Mismatch, verify } from "../../scripts/verify/index.ts";
import type { Deployment } from "../../sdk/deployments.ts";
import { type DemoApi, startDemoApi } from "./demo.ts";

type Json = Record<string, unknown>;
type Tamper = (path: string, body: Json) => Json;

/** An HTTP proxy in front of `upstream` that rewrites JSON answers, or answers garbage or 503. */
async function startProxy(upstream: string) {
  let tamper: Tamper = (_, body) => body;
  let mode: "tamper" | "garbage" | "503" = "tamper";
  const server: Server = createServer(async (req, res) => {
    if (mode === "503") {
      res.writeHead(503, { "content-type": "text/plain" }).end("busy");
      return;
    }
    if (mode === "garbage") {
      res.writeHead(200, { "content-type": "application/json" }).end("<html>oops</html>");
      return;
    }
    const url = new URL(req.url ?? "/", upstream);
    const answer = await fetch(url);
    const text = await answer.text();
    let out = text;
    if (answer.headers.get("content-type")?.includes("json"))
      out = JSON.stringify(tamper(url.pathname + url.search, JSON.parse(text) as Json));
    res.writeHead(answer.status, { "content-type": "application/json" }).end(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(next: Tamper) {
      tamper = next;
      mode = "tamper";
    },
    fail(next: "garbage" | "503") {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const TSX = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "tsx");
const VERIFY = join(import.meta.dirname, "..", "..", "scripts", "verify.ts");

/** Runs the CLI as `npm run verify` does (asynchronously: chain and API live in this process). */
function cli(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(TSX, [VERIFY, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Asserts a one-line error without a stack trace and exit 2. */
function assertInputError(r: { code: number | null; stderr: string }, pattern: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/);
}

describe("npm run verify on the demo season", () => {
  let demo: DemoApi;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let deployment: Deployment;
  const api = async (path: string) => (await (await fetch(`${demo.apiUrl}${path}`)).json()) as Json;

  before(async () => {
    demo = await startDemoApi();
    deployment = demo.chain.deployment;
    proxy = await startProxy(demo.apiUrl);
  });
  after(async () => {
    await proxy?.close();
    await demo?.close();
  });

  it("verifies the clean demo season with 0 mismatches, every record rebuilt", async () => {
    const report = await verify({ rpcUrl: demo.chain.url, apiUrl: demo.apiUrl, deployment });
    assert.deepEqual(report.mismatches, []);
    assert.ok(report.events > 500, `${report.events} events`);
    assert.deepEqual(report.records, report.apiRecords);
    assert.ok(report.records.sales > 50 && report.records.tenders >= 5);
    assert.ok(report.records.credentials > 20 && report.records.programmes >= 1);
    const run = await cli([
      "--rpc",
      demo.chain.url,
      "--api",
      demo.apiUrl,
      "--deployment",
      demo.deploymentFile,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /0 mismatches/);
  });

  it("names each lie of a tampering API, and nothing else", async () => {
    const { items: sales } = (await api("/api/v1/sales?limit=500")) as { items: Json[] };
    const { items: tenders } = (await api("/api/v1/tenders?limit=500")) as { items: Json[] };
    const interimPaid = sales.find((s) => s.state === "InterimPaid");
    const paid = sales.find((s) => s !== interimPaid && BigInt(String(s.paidAmount)) > 0n);
    const graded = sales.find(
      (s) => s !== interimPaid && s !== paid && s.grades !== null && s.state === "Inspected",
    );
    const withHistory = sales.find((s) => ![interimPaid, paid, graded].includes(s));
    const awarded = tenders.find((t) => t.winner !== null);
    const failed = tenders.find((t) => t.state === "Failed" && t.reserve !== null);
    const { items: programmes } = (await api("/api/v1/programs")) as { items: Json[] };
    const priced = programmes.find((p) => p.finalPricesSet === true);
    const { items: credentials } = (await api("/api/v1/credentials?status=valid")) as {
      items: Json[];
    };
    const valid = credentials[0];
    assert.ok(failed && priced && valid, "the season has a failed tender, prices, a credential");
    assert.ok(interimPaid && paid && graded && withHistory && awarded, "the season has each case");
    const fakeId = (BigInt(String(withHistory.id)) + (999n << 160n)).toString();
    const liar = "0x000000000000000000000000000000000000dEaD";
    // The fake sale's detail page: the proxy answers it from a real sale's page.
    const realDetail = await api(`/api/v1/sales/${withHistory.id}`);
    proxy.set(
      (
        (inner: Tamper): Tamper =>
        (path, body) =>
          path === `/api/v1/sales/${fakeId}` ? { ...realDetail, id: fakeId } : inner(path, body)
      )((path, body) => {
        const id = path.split("?")[0]?.split("/").at(-1);
        if (path.startsWith("/api/v1/sales?") && Array.isArray(body.items))
          return {
            ...body,
            items: [...body.items, { ...withHistory, id: fakeId, state: "Settled" }],
          };
        if (id === interimPaid.id) return { ...body, state: "Settled" };
        if (id === paid.id) return { ...body, paidAmount: "4000000" };
        if (id === graded.id) {
          const grades = body.grades as Json;
          return { ...body, grades: { ...grades, first: Number(grades.first) + 1 } };
        }
        if (id === withHistory.id)
          return { ...body, history: (body.history as Json[]).slice(0, -1) };
        if (path.startsWith(`/api/v1/tenders/${awarded.id}`)) return { ...body, winner: liar };
        if (path === `/api/v1/tenders/${failed.id}`)
          return { ...body, reserve: String(BigInt(String(body.reserve)) + 1n) };
        if (path === `/api/v1/programs/${priced.id}`) {
          const prices = body.finalPrices as Json;
          return { ...body, finalPrices: { ...prices, first: String(Number(prices.first) + 10) } };
        }
        if (path === `/api/v1/credentials/${valid.id}`) return { ...body, status: "revoked" };
        return body;
      }),
    );
    const report = await verify({ rpcUrl: demo.chain.url, apiUrl: proxy.url, deployment });
    const found = (kind: string, id: unknown, field: string | RegExp) =>
      report.mismatches.filter(
        (m: Mismatch) =>
          m.kind === kind &&
          m.id === String(id) &&
          (typeof field === "string" ? m.field === field : field.test(m.field)),
      );
    assert.deepEqual(found("sale", interimPaid.id, "state"), [
      {
        kind: "sale",
        id: String(interimPaid.id),
        field: "state",
        api: "Settled",
        chain: "InterimPaid",
      },
    ]);
    assert.deepEqual(
      found("sale", paid.id, "paidAmount").map((m) => [m.api, m.chain]),
      [["4000000", String(paid.paidAmount)]],
    );
    assert.deepEqual(
      found("sale", graded.id, "grades.first").map((m) => [m.api, m.chain]),
      [[String(Number((graded.grades as Json).first) + 1), String((graded.grades as Json).first)]],
    );
    assert.deepEqual(
      found("tender", awarded.id, "winner").map((m) => [m.api, m.chain]),
      [[liar.toLowerCase(), String(awarded.winner).toLowerCase()]],
    );
    const dropped = found("sale", withHistory.id, /^history/);
    assert.ok(
      dropped.some((m) => m.field === "history.length"),
      JSON.stringify(dropped),
    );
    assert.ok(
      dropped.some((m) => /^history\[\d+\/\d+ \w+\]$/.test(m.field) && m.api === undefined),
      JSON.stringify(dropped),
    );
    assert.deepEqual(
      found("sale", fakeId, "(record)").map((m) => m.chain),
      [undefined],
    );
    // Nothing but the lies: every mismatch is about one of the tampered records.
    const tampered = new Set(
      [
        interimPaid.id,
        paid.id,
        graded.id,
        withHistory.id,
        awarded.id,
        fakeId,
        failed.id,
        priced.id,
        valid.id,
      ].map(String),
    );
    assert.deepEqual(
      report.mismatches.filter((m) => !tampered.has(m.id)),
      [],
    );

    // The CLI prints each and exits 1; --json carries the same list.
    const run = await cli([
      "--rpc",
      demo.chain.url,
      "--api",
      proxy.url,
      "--deployment",
      demo.deploymentFile,
    ]);
    assert.equal(run.code, 1, run.stderr);
    // Shown in the test output: what an auditor reads.
    console.log(run.stdout);
    assert.match(
      run.stdout,
      new RegExp(`✗ sale ${interimPaid.id}: state: API Settled ≠ chain InterimPaid`),
    );
    assert.match(
      run.stdout,
      new RegExp(`✗ tender ${awarded.id}: winner: API ${liar.toLowerCase()}`),
    );
    assert.match(
      run.stdout,
      new RegExp(`✗ sale ${fakeId}: \\(record\\): API Settled ≠ chain \\(absent\\)`),
    );
    const json = await cli([
      "--rpc",
      demo.chain.url,
      "--api",
      proxy.url,
      "--deployment",
      demo.deploymentFile,
      "--json",
    ]);
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; mismatches: Mismatch[] };
    assert.equal(parsed.ok, false);
    assert.equal(parsed.mismatches.length, report.mismatches.length);
  });

  it("runs again at the newer block when the indexer moved during a run", async () => {
    // The first status answer is 30 blocks old, as if the indexer indexed them while the API
    // was read: the first run finds API records newer than its block, the second run none.
    let statusCalls = 0;
    proxy.set((path, body) => {
      if (path !== "/api/v1/status") return body;
      statusCalls++;
      return statusCalls === 1 ? { ...body, indexedBlock: Number(body.indexedBlock) - 30 } : body;
    });
    const report = await verify({ rpcUrl: demo.chain.url, apiUrl: proxy.url, deployment });
    assert.deepEqual(report.mismatches, []);
    assert.equal(report.block, demo.chain.lastBlock);
    assert.equal(statusCalls, 3, "a first run, the check of the indexed block, a second run");
  });

  it("ends bad input with one line and exit 2", async () => {
    const deploymentArgs = ["--deployment", demo.deploymentFile];
    const closed = `http://127.0.0.1:${await freePort()}`;
    assertInputError(
      await cli(["--rpc", closed, "--api", demo.apiUrl, ...deploymentArgs]),
      /node at 127\.0\.0\.1:\d+ is unreachable/,
    );
    // A node of another chain (id 5) in front of the same API.
    const other = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        const { id } = JSON.parse(body) as { id: number };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id, result: "0x5" }));
      });
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      assertInputError(
        await cli(["--rpc", otherUrl, "--api", demo.apiUrl, ...deploymentArgs]),
        /is chain 5, but the deployment is on chain 31337/,
      );
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
    proxy.fail("garbage");
    assertInputError(
      await cli(["--rpc", demo.chain.url, "--api", proxy.url, ...deploymentArgs]),
      /API at 127\.0\.0\.1:\d+ answered something that is not JSON/,
    );
    proxy.fail("503");
    assertInputError(
      await cli(["--rpc", demo.chain.url, "--api", proxy.url, ...deploymentArgs]),
      /API at 127\.0\.0\.1:\d+ answered HTTP 503/,
    );
    assertInputError(await cli(["--rpc", demo.chain.url]), /usage: npm run verify/);
  });
});
