/**
 * The threat model's tests that need the whole demo season (docs/threat-model.md):
 *
 * - **Privacy scan**: every event argument, every storage value written and every API answer of
 *   the demo season is scanned for personal data — resident registration numbers, mobile phone
 *   numbers, bank account numbers, and the demo roster's own names, farm registration numbers and
 *   accounts (the roster stays off-chain, in DATA_DIR/demo-roster.json). Zero hits.
 * - **API fuzzing**: ≥ 2,000 random and malformed requests (fast-check) across every route of the
 *   OpenAPI document: wrong types, huge numbers, unicode, path tricks, SQL metacharacters, deep
 *   JSON. Zero 5xx, every 4xx a JSON error, and the store unchanged.
 * - **Boundary requests** (bounds.ts): every operation of `/openapi.json` as `npm start` serves it
 *   (relay and demo sign-ins included), each parameter at and beyond each documented bound, on
 *   PGlite and PostgreSQL. Every answer a documented status with a body valid against its
 *   documented schema, never a 5xx, and the store unchanged.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { type Abi, bytesToString, type Hex, hexToBytes, parseEventLogs, type RpcLog } from "viem";
import { createApp } from "../../indexer/src/api/app.ts";
import { createPortalModule } from "../../indexer/src/api/routes/portal.ts";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import { createRelayModule } from "../../indexer/src/relay/module.ts";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import {
  CredentialRegistryAbi,
  FarmGatePricesAbi,
  isReference,
  JangbuForwarderAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  VarietyTestingAbi,
} from "../../sdk/index.ts";
import { startSeededChain, type TestChain } from "../indexer/helpers/chain.ts";
import { dumpStore, envFor, indexUntil, withTestPostgres } from "../indexer/helpers/indexer.ts";
import { runBoundaryRequests, type Spec } from "./bounds.ts";

// ---------------------------------------------------------------------------------- the scanner

/** Patterns of Korean personal data, matched on whole tokens of text. */
const PATTERNS: Readonly<Record<string, RegExp>> = {
  // YYMMDD with a real month and day, then the gender/century digit 1–4 and six more.
  residentRegistrationNumber:
    /(?<![\w-])\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-?[1-4]\d{6}(?![\w-])/,
  mobilePhone: /(?<![\w-])01[016789]-?\d{3,4}-?\d{4}(?![\w-])/,
  bankAccount: /(?<![\w-])\d{3,6}-\d{2,6}-\d{4,7}(?![\w-])/,
};

interface Finding {
  where: string;
  what: string;
}

/** The roster's personal values (names, registration numbers, accounts) to look for verbatim. */
function rosterSecrets(roster: { staff: Person[]; farmers: Person[] }): string[] {
  const secrets = new Set<string>();
  for (const person of [...roster.staff, ...roster.farmers]) {
    secrets.add(person.name);
    for (const [field, value] of Object.entries(person.record ?? {})) {
      if (field === "farmRegistrationNo" || field === "businessRegistrationNo") secrets.add(value);
      // "강진농협 351-0042-****-**": the visible digits are the secret part.
      if (field === "bankAccount") secrets.add(value.replace(/^\D+/, "").replace(/[-*]+$/, ""));
    }
  }
  return [...secrets].filter((s) => s.length >= 2);
}

interface Person {
  name: string;
  record?: Record<string, string>;
}

function scanText(text: string, where: string, secrets: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const [what, pattern] of Object.entries(PATTERNS)) {
    // A sale's public reference (2026-46810-000123, sdk/references.ts) has the shape of an
    // account number: it is the record's published name, not personal data.
    const match = [...text.matchAll(new RegExp(pattern.source, "g"))].find(
      (m) => !isReference(m[0]),
    );
    if (match) findings.push({ where, what: `${what}: ${match[0]}` });
  }
  for (const secret of secrets) {
    if (text.includes(secret)) findings.push({ where, what: `roster value "${secret}"` });
  }
  return findings;
}

/** A 32-byte word as the text it could hide: its UTF-8 bytes and, if small, its decimal value. */
function wordTexts(word: Hex): string[] {
  const bytes = hexToBytes(word);
  const printable = bytesToString(bytes.filter((b) => b !== 0));
  const value = BigInt(word);
  return value < 2n ** 64n ? [printable, value.toString()] : [printable];
}

// ---------------------------------------------------------------------------------- the season

const ABIS = [
  CredentialRegistryAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  JangbuForwarderAbi,
  FarmGatePricesAbi,
  VarietyTestingAbi,
];
const jsonText = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

describe("threat model: privacy and hostile API clients", () => {
  let chain: TestChain & { lastBlock: number };
  let db: Database;
  let indexer: Indexer;
  let secrets: string[];
  let rosterFile: string;

  before(async () => {
    chain = await startSeededChain();
    db = await createPgliteDatabase();
    indexer = await indexUntil(envFor(chain.url, chain.deployment), db, chain.lastBlock);
    // The seed helper writes its roster into a fresh temp folder: take the newest one. (Older
    // runs left the same deterministic roster, so any would do; the newest is this run's.)
    const newest = readdirSync(tmpdir())
      .filter((d) => d.startsWith("jangbu-seed-"))
      .map((d) => join(tmpdir(), d, "demo-roster.json"))
      .filter((file) => existsSync(file))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    assert.ok(newest !== undefined, "the seed wrote its roster");
    rosterFile = newest;
    const roster = JSON.parse(readFileSync(newest, "utf8")) as {
      staff: Person[];
      farmers: Person[];
    };
    assert.ok(roster.farmers.length >= 60, "the season has at least 60 farms");
    secrets = rosterSecrets(roster);
  });
  after(async () => {
    await indexer?.close();
    await db?.close();
    await chain?.close();
  });

  it("the scanner finds planted personal data (so a clean scan means something)", () => {
    const name = secrets.find((s) => /[가-힣]/.test(s)) ?? "";
    const planted = `{"memo":"${name} 010-1234-5678 900101-1234567 351-0042-123456"}`;
    const kinds = scanText(planted, "planted", secrets).map((f) => f.what.split(":")[0]);
    assert.ok(kinds.includes("mobilePhone"));
    assert.ok(kinds.includes("residentRegistrationNumber"));
    assert.ok(kinds.includes("bankAccount"));
    assert.ok(kinds.some((k) => k?.startsWith("roster value")));
    assert.deepEqual(scanText('{"amount":"4000000","date":"2026-10-05"}', "clean", secrets), []);
  });

  it("no personal data in any event argument", async () => {
    const addresses = Object.values(chain.deployment.addresses);
    const logs = await chain.request<RpcLog[]>("eth_getLogs", [
      { address: addresses, fromBlock: "0x0", toBlock: "latest" },
    ]);
    assert.ok(logs.length > 500, `the season emitted ${logs.length} events`);
    const findings: Finding[] = [];
    const decoded = parseEventLogs({
      abi: ABIS.flat() as Abi,
      logs,
    });
    assert.equal(decoded.length, logs.length, "every jangbu log decodes with the sdk ABIs");
    for (const log of decoded) {
      findings.push(...scanText(jsonText(log.args), `event ${log.eventName}`, secrets));
    }
    for (const log of logs) {
      const words = [
        ...log.topics,
        ...(log.data.slice(2).match(/.{64}/g) ?? []).map((w) => `0x${w}` as Hex),
      ];
      for (const word of words) {
        for (const text of wordTexts(word))
          findings.push(...scanText(text, "raw log word", secrets));
      }
    }
    assert.deepEqual(findings, []);
  });

  it("no personal data in any storage slot written", async () => {
    const head = await chain.head();
    const findings: Finding[] = [];
    let stores = 0;
    for (let n = 1; n <= head; n++) {
      const block = await chain.request<{ transactions: Hex[] }>("eth_getBlockByNumber", [
        `0x${n.toString(16)}`,
        false,
      ]);
      for (const hash of block.transactions) {
        const trace = await chain.request<{ structLogs: { op: string; stack?: Hex[] }[] }>(
          "debug_traceTransaction",
          [hash, { disableMemory: true, disableStorage: true }],
        );
        for (const step of trace.structLogs) {
          if (step.op !== "SSTORE" || step.stack === undefined) continue;
          const value = step.stack[step.stack.length - 2];
          if (value === undefined) continue;
          stores++;
          const word = `0x${BigInt(value).toString(16).padStart(64, "0")}` as Hex;
          for (const text of wordTexts(word))
            findings.push(...scanText(text, `SSTORE in ${hash}`, secrets));
        }
      }
    }
    assert.ok(stores > 1_000, `${stores} storage writes scanned`);
    assert.deepEqual(findings, []);
  });

  it("no personal data in any API answer", async () => {
    const spec = (await (await indexer.app.request("/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    const lists = Object.keys(spec.paths).filter(
      (p) =>
        p.startsWith("/api/v1/") &&
        !p.includes("{") &&
        !p.endsWith("/stream") &&
        !p.endsWith("/relay"),
    );
    const findings: Finding[] = [];
    let answers = 0;
    const read = async (path: string) => {
      const res = await indexer.app.request(path);
      const text = await res.text();
      answers++;
      findings.push(...scanText(text, path, secrets));
      return { res, text };
    };
    for (const list of lists) {
      let cursor: string | null = null;
      for (let page = 0; page < 50; page++) {
        const { res, text } = await read(
          `${list}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        if (!res.headers.get("content-type")?.includes("json")) break;
        const body = JSON.parse(text) as {
          items?: Record<string, unknown>[];
          nextCursor?: string | null;
        };
        if (!Array.isArray(body.items)) break;
        // Follow every record to its detail page too.
        const detail = Object.keys(spec.paths).find((p) => p.startsWith(`${list}/{`));
        for (const item of detail ? body.items : []) {
          const id = item.id ?? item.address;
          if (typeof id === "string" || typeof id === "number")
            await read(`${list}/${encodeURIComponent(String(id))}`);
        }
        cursor = body.nextCursor ?? null;
        if (cursor === null) break;
      }
    }
    for (const path of [
      "/api/v1/exports/sales.csv",
      "/api/v1/exports/payments.csv",
      "/api/v1/exports/tenders.csv",
      "/api/v1/ocds/tenders",
      "/api/v1/ocds/sales",
    ]) {
      if (
        Object.keys(spec.paths).some(
          (p) => p === path || p.endsWith("/{kind}") || path.startsWith(p.replace(/\{.*$/, "")),
        )
      )
        await read(path);
    }
    assert.ok(answers > 100, `${answers} API answers scanned`);
    assert.deepEqual(findings, []);
  });

  /**
   * The app as `npm start` serves it (the relay and portal modules mounted, the demo roster
   * present, the page cache on) over `store`, and every operation of its /openapi.json sent its
   * boundary requests (bounds.ts). The store is dumped before and after.
   */
  async function boundsOn(store: Database, running: Indexer, label: string) {
    const relay = createRelayModule({
      rpcUrl: chain.url,
      env: {},
      startBlock: chain.deployment.startBlock,
      logger: silentLogger,
    });
    const app = createApp({
      db: store,
      storeKind: store.kind,
      chainId: running.chainId,
      addresses: running.addresses,
      syncStatus: running.sync.status,
      notifier: running.notifier,
      modules: [relay, createPortalModule({ publicRpcUrl: chain.url, demoRosterFile: rosterFile })],
    });
    try {
      const spec = (await (await app.request("/openapi.json")).json()) as Spec;
      const operations = Object.values(spec.paths).reduce(
        (n, ops) => n + Object.keys(ops).length,
        0,
      );
      const before = jsonText(await dumpStore(store));
      const started = performance.now();
      const report = await runBoundaryRequests(app, spec);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `  ${label}: ${report.requests} boundary requests over ${report.operations} operations in ${seconds} s; statuses ${JSON.stringify(report.byStatus)}`,
      );
      assert.deepEqual(
        report.failures.slice(0, 100),
        [],
        `${report.failures.length} answers broke the contract`,
      );
      assert.equal(report.operations, operations, "every operation of /openapi.json");
      assert.ok(operations >= 25, `${operations} operations documented`);
      assert.ok(report.requests >= 2_000, `${report.requests} requests`);
      assert.ok((report.byStatus[200] ?? 0) > 100 && (report.byStatus[400] ?? 0) > 100);
      assert.equal(jsonText(await dumpStore(store)), before, "the store is unchanged");
    } finally {
      await relay.close();
    }
  }

  it("every operation of /openapi.json, at and beyond each documented bound, answers as documented and never 5xx; the store unchanged (PGlite)", async () => {
    await boundsOn(db, indexer, "PGlite");
  });

  it("the same on PostgreSQL", async (t) => {
    await withTestPostgres(t, async (pg) => {
      const running = await indexUntil(envFor(chain.url, chain.deployment), pg, chain.lastBlock);
      try {
        await boundsOn(pg, running, "PostgreSQL");
      } finally {
        await running.close();
      }
    });
  });

  it("2,000 hostile requests: no 5xx, every 4xx a JSON error, the store unchanged", async () => {
    const before = jsonText(await dumpStore(db));
    const spec = (await (await indexer.app.request("/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    const templates = Object.keys(spec.paths).filter((p) => !p.endsWith("/stream"));
    const nasty = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.constantFrom(
        "' OR 1=1 --",
        "1; drop table sales",
        "%00",
        "..%2F..%2Fetc%2Fpasswd",
        "../../",
        "\\u0000",
        "null",
        "NaN",
        "-1",
        "1e309",
        "0x",
        "0xzz",
        "９９",
        "𝟘",
        "<script>",
        "%",
        "%%",
        "?",
        "#",
        "&",
        "=",
        "*",
      ),
      fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map(String),
      fc.integer().map(String),
      fc.stringMatching(/^[0-9a-fA-F]{0,70}$/).map((h) => `0x${h}`),
    );
    const queryKeys = fc.constantFrom(
      "limit",
      "cursor",
      "region",
      "program",
      "programId",
      "farmer",
      "state",
      "from",
      "to",
      "fromBlock",
      "toBlock",
      "q",
      "role",
      "kind",
      "status",
      "sort",
      "x",
    );
    const deepJson = fc
      .integer({ min: 1, max: 5_000 })
      .map((depth) => "[".repeat(depth) + "]".repeat(depth));
    const body = fc.oneof(
      fc.json(),
      deepJson,
      fc.string(),
      fc.constant('{"request":'),
      fc.constant("x".repeat(200_000)),
    );
    const request = fc.record({
      template: fc.constantFrom(...templates),
      params: fc.array(nasty, { minLength: 3, maxLength: 3 }),
      query: fc.array(fc.tuple(queryKeys, nasty), { maxLength: 4 }),
      method: fc.constantFrom("GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"),
      body,
    });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ template, params, query, method, body }) => {
        let i = 0;
        const path = template.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++] ?? ""));
        const search = new URLSearchParams(query).toString();
        const url = `${path}${search ? `?${search}` : ""}`;
        const init: RequestInit =
          method === "GET"
            ? { method }
            : { method, body, headers: { "content-type": "application/json" } };
        const res = await indexer.app.request(url, init);
        sent++;
        if (res.status >= 500)
          throw new Error(`${method} ${url} → ${res.status}: ${(await res.text()).slice(0, 200)}`);
        if (res.status >= 400) {
          const text = await res.text();
          let error: { code?: unknown; message?: unknown } | undefined;
          try {
            error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
          } catch {
            throw new Error(`${method} ${url} → ${res.status} is not JSON: ${text.slice(0, 120)}`);
          }
          if (typeof error?.code !== "string" || typeof error.message !== "string") {
            throw new Error(
              `${method} ${url} → ${res.status} without { error: { code, message } }`,
            );
          }
        } else {
          await res.body?.cancel();
        }
      }),
      { numRuns: 2_000, seed: 20_261_202 },
    );
    assert.ok(sent >= 2_000, `${sent} requests sent`);
    assert.equal(jsonText(await dumpStore(db)), before, "the store is unchanged");
  });
});
