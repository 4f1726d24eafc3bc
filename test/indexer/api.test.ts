/**
 * The HTTP API, in process (`app.request`), over an index of the demo season: every route, its
 * filters and pagination, bad input (400/404/413/422, never a 500), CSV, OCDS validated against the
 * shared schemas offline, the SSE stream, security headers, CORS, the portal fallback and env.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { getAddress } from "viem";
import { createApp } from "../../indexer/src/api/app.ts";
import { acceptsGzip } from "../../indexer/src/api/cache.ts";
import { EnvError, parseEnv } from "../../indexer/src/env.ts";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { envFor, indexUntil } from "./helpers/indexer.ts";
import { codelist, createOcdsValidator } from "./helpers/ocds.ts";

type Page<T = Record<string, unknown>> = { items: T[]; nextCursor: string | null };

describe("indexer API", () => {
  let chain: TestChain & { lastBlock: number };
  let db: Database;
  let indexer: Indexer;
  const get = async <T = Record<string, unknown>>(path: string, status = 200): Promise<T> => {
    const res = await indexer.app.request(path);
    const text = await res.text();
    assert.equal(res.status, status, `${path} → ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const rejects = async (path: string, status: number, code?: string) => {
    const body = await get<{ error: { code: string; message: string } }>(path, status);
    assert.equal(typeof body.error.message, "string");
    if (code !== undefined) assert.equal(body.error.code, code, path);
    return body.error;
  };

  before(async () => {
    chain = await startSeededChain();
    db = await createPgliteDatabase();
    indexer = await indexUntil(envFor(chain.url, chain.deployment), db, chain.lastBlock);
  });
  after(async () => {
    await indexer?.close();
    await db?.close();
    await chain?.close();
  });

  it("status, health, metrics, openapi and docs", async () => {
    const status = await get<Record<string, unknown>>("/api/v1/status");
    assert.equal(status.chainId, 31337);
    assert.equal(status.store, "pglite");
    assert.ok(Number(status.indexedBlock) >= chain.lastBlock);
    assert.equal(status.lagBlocks, Number(status.chainHead) - Number(status.indexedBlock));
    assert.deepEqual(await get("/health"), { ok: true });
    const metrics = await indexer.app.request("/metrics");
    const exposition = await metrics.text();
    assert.match(exposition, /jangbu_events_indexed_total \d+/);
    // Process memory, read at scrape time: a positive byte count, not a placeholder.
    const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(exposition)?.[1]);
    assert.ok(rss > 10 * 2 ** 20, `process_resident_memory_bytes ${rss}`);
    assert.match(exposition, /^nodejs_heap_size_used_bytes [1-9]\d*$/m);
    const spec = await get<{ openapi: string; paths: Record<string, unknown> }>("/openapi.json");
    assert.equal(spec.openapi, "3.1.0");
    for (const path of [
      "/api/v1/status",
      "/api/v1/credentials",
      "/api/v1/credentials/{id}",
      "/api/v1/programs/{id}",
      "/api/v1/sales",
      "/api/v1/sales/{id}",
      "/api/v1/payments",
      "/api/v1/tenders",
      "/api/v1/tenders/{id}",
      "/api/v1/accounts/{address}",
      "/api/v1/stream",
      "/api/v1/exports/sales.csv",
      "/api/v1/ocds/tenders/{id}",
    ]) {
      assert.ok(spec.paths[path], `${path} documented`);
    }
    const docs = await indexer.app.request("/docs");
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /\/api\/v1\/sales/);
  });

  it("credentials: filters, keyset pagination without gaps or repeats, detail, 404", async () => {
    const all = await get<Page<{ id: string; role: string; status: string; subject: string }>>(
      "/api/v1/credentials?limit=500",
    );
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<{ id: string }> = await get(
        `/api/v1/credentials?limit=7${cursor ? `&cursor=${cursor}` : ""}`,
      );
      assert.ok(page.items.length <= 7);
      pages.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(
      pages,
      all.items.map((i) => i.id),
    );
    const farmers = await get<Page<{ role: string }>>("/api/v1/credentials?role=Farmer&limit=500");
    assert.ok(farmers.items.length > 0 && farmers.items.every((c) => c.role === "Farmer"));
    const valid = await get<Page<{ status: string }>>("/api/v1/credentials?status=valid&limit=500");
    assert.ok(valid.items.every((c) => c.status === "valid"));
    const first = all.items[0];
    assert.ok(first);
    const detail = await get<{ id: string; history: { event: string; txHash: string }[] }>(
      `/api/v1/credentials/${first.id}`,
    );
    assert.equal(detail.history[0]?.event, "CredentialIssued");
    const hex = `0x${BigInt(first.id).toString(16)}`;
    assert.equal((await get<{ id: string }>(`/api/v1/credentials/${hex}`)).id, first.id);
    await rejects("/api/v1/credentials/12345", 404, "not_found");
    await rejects("/api/v1/credentials/abc", 400, "invalid_parameter");
    await rejects("/api/v1/credentials?role=King", 400);
    await rejects("/api/v1/credentials?subject=0x1234", 400);
    await rejects("/api/v1/credentials?cursor=!!", 400, "invalid_cursor");
    await rejects("/api/v1/credentials?cursor=bm9wZQ", 400, "invalid_cursor");
    const issuers = await get<{ items: { allowed: boolean }[] }>("/api/v1/issuers");
    assert.ok(issuers.items.length >= 5);
  });

  it("programmes, quotas and allocations", async () => {
    const programs = await get<Page<{ id: number; finalPrices: unknown }>>("/api/v1/programs");
    assert.ok(programs.items.length >= 1);
    const withPrices = programs.items.find((p) => p.finalPrices !== null);
    assert.ok(withPrices, "a programme with final prices");
    const detail = await get<{
      quotas: { region: number; units: string; distributed: string }[];
      history: unknown[];
    }>(`/api/v1/programs/${withPrices.id}`);
    assert.ok(detail.quotas.length >= 1 && detail.history.length >= 2);
    const county = detail.quotas.find((q) => q.region === 46810);
    assert.ok(county);
    assert.ok(
      BigInt(county.distributed) <= BigInt(county.units),
      "a county never passes down more than it got",
    );
    const allocations = await get<Page<{ farmer: string; units: number }>>(
      `/api/v1/allocations?program=${withPrices.id}&limit=500`,
    );
    assert.equal(
      allocations.items.reduce((s, a) => s + BigInt(a.units), 0n),
      BigInt(county.distributed),
      "the county's distributed units are its farms' allocations",
    );
    const farmer = allocations.items[0]?.farmer;
    assert.ok(farmer);
    const mine = await get<Page<{ farmer: string }>>(
      `/api/v1/allocations?farmer=${farmer.toLowerCase()}`,
    );
    assert.ok(mine.items.every((a) => a.farmer === farmer));
    await rejects("/api/v1/programs/0", 400);
    await rejects("/api/v1/programs/999", 404);
    await rejects("/api/v1/quotas?region=100000", 400);
    const quotas = await get<{ items: unknown[] }>(`/api/v1/quotas?program=${withPrices.id}`);
    assert.equal(quotas.items.length, detail.quotas.length);
  });

  it("sales: every filter, date and block ranges, detail with history and provenance", async () => {
    type Sale = {
      id: string;
      region: number;
      programId: number;
      farmer: string;
      state: string;
      submittedAt: string;
      provenance: { created: { blockNumber: number; txHash: string; signer: string } };
    };
    const all = await get<Page<Sale>>("/api/v1/sales?limit=500");
    assert.ok(all.items.length > 50);
    const sample = all.items[Math.floor(all.items.length / 2)];
    assert.ok(sample);
    for (const [query, check] of [
      [`region=${sample.region}`, (s: Sale) => s.region === sample.region],
      [`program=${sample.programId}`, (s: Sale) => s.programId === sample.programId],
      [`farmer=${sample.farmer}`, (s: Sale) => s.farmer === sample.farmer],
      [`state=${sample.state}`, (s: Sale) => s.state === sample.state],
      [
        `fromBlock=${sample.provenance.created.blockNumber}`,
        (s: Sale) => s.provenance.created.blockNumber >= sample.provenance.created.blockNumber,
      ],
      [
        `toBlock=${sample.provenance.created.blockNumber}`,
        (s: Sale) => s.provenance.created.blockNumber <= sample.provenance.created.blockNumber,
      ],
      [`from=${sample.submittedAt}`, (s: Sale) => s.submittedAt >= sample.submittedAt],
    ] as const) {
      const page = await get<Page<Sale>>(`/api/v1/sales?${query}&limit=500`);
      assert.ok(
        page.items.some((s) => s.id === sample.id),
        `${query} keeps the sample`,
      );
      assert.ok(page.items.every(check), `${query} filters`);
      assert.equal(
        page.items.length,
        all.items.filter(check).length,
        `${query} keeps all that match`,
      );
    }
    // The list's JSON is built by the database, the detail's in TypeScript: they must agree.
    for (const item of all.items) {
      const {
        settlement: _s,
        payments: _p,
        history: _h,
        ...fields
      } = await get<Record<string, unknown>>(`/api/v1/sales/${item.id}`);
      assert.deepEqual(item, fields, `sale ${item.id} as listed and as detailed`);
    }
    const states = new Set(all.items.map((s) => s.state));
    assert.ok(states.has("Settled") && states.has("Submitted") && states.has("Cancelled"));

    const detail = await get<
      Sale & { history: { event: string; blockNumber: number; logIndex: number; signer: string }[] }
    >(`/api/v1/sales/${all.items.find((s) => s.state === "Settled")?.id}`);
    const events = detail.history.map((h) => h.event);
    assert.deepEqual(events.slice(0, 1), ["SaleSubmitted"]);
    assert.ok(
      events.includes("SaleInspected") &&
        events.includes("PurchaseApproved") &&
        events.includes("PaymentRecorded"),
    );
    for (let i = 1; i < detail.history.length; i++) {
      const [a, b] = [detail.history[i - 1], detail.history[i]];
      assert.ok(
        a &&
          b &&
          (a.blockNumber < b.blockNumber ||
            (a.blockNumber === b.blockNumber && a.logIndex < b.logIndex)),
      );
    }
    assert.equal(detail.history[0]?.signer, detail.farmer);
    assert.equal(detail.provenance.created.signer, detail.farmer);

    await rejects("/api/v1/sales?state=Sold", 400);
    await rejects("/api/v1/sales?region=-1", 400);
    await rejects("/api/v1/sales?limit=0", 400);
    await rejects("/api/v1/sales?limit=501", 400);
    await rejects("/api/v1/sales?limit=ten", 400);
    await rejects("/api/v1/sales?farmer=bob", 400);
    await rejects("/api/v1/sales?from=yesterday", 400);
    await rejects("/api/v1/sales?fromBlock=10&toBlock=2", 422, "invalid_range");
    await rejects("/api/v1/sales?from=2027-01-01&to=2026-01-01", 422);
    await rejects(`/api/v1/sales/${"9".repeat(79)}`, 400);
    await rejects(`/api/v1/sales/1${"0".repeat(70)}`, 404);
  });

  it("payments: filters and totals that agree with the sales", async () => {
    type Payment = { saleId: string; kind: string; amount: string; farmer: string };
    const all = await get<Page<Payment>>("/api/v1/payments?limit=500");
    assert.ok(all.items.length > 20);
    const interim = await get<Page<Payment>>("/api/v1/payments?kind=Interim&limit=500");
    assert.ok(interim.items.length > 0 && interim.items.every((p) => p.kind === "Interim"));
    const sale = all.items[0]?.saleId;
    assert.ok(sale);
    const detail = await get<{ paidAmount: string; repaidAmount: string; payments: Payment[] }>(
      `/api/v1/sales/${sale}`,
    );
    const paid = detail.payments
      .filter((p) => p.kind !== "ClawbackRepayment")
      .reduce((s, p) => s + BigInt(p.amount), 0n);
    assert.equal(BigInt(detail.paidAmount), paid);
    const bySale = await get<Page<Payment>>(`/api/v1/payments?sale=${sale}`);
    assert.equal(bySale.items.length, detail.payments.length);
    await rejects("/api/v1/payments?kind=Bribe", 400);
  });

  it("tenders: text search, state, detail with amendments, bids, draw, award; 404", async () => {
    type Tender = { id: string; title: string; state: string };
    const all = await get<Page<Tender>>("/api/v1/tenders?limit=100");
    assert.ok(all.items.length >= 5);
    const found = await get<Page<Tender>>(`/api/v1/tenders?q=${encodeURIComponent("트랙터")}`);
    assert.ok(found.items.length >= 1 && found.items.every((t) => t.title.includes("트랙터")));
    const none = await get<Page<Tender>>(`/api/v1/tenders?q=${encodeURIComponent("100%_")}`);
    assert.equal(none.items.length, 0, "% and _ are literal in the search");
    const awarded = all.items.find((t) =>
      ["Awarded", "Delivered", "Accepted", "Paid"].includes(t.state),
    );
    assert.ok(awarded);
    const detail = await get<{
      bids: { status: string; price: string | null }[];
      award: { outcome: string; candidates: string[]; chosen: number[]; winner: string };
      winner: string;
      history: { event: string }[];
    }>(`/api/v1/tenders/${awarded.id}`);
    assert.equal(detail.award.outcome, "awarded");
    assert.equal(detail.award.candidates.length, 15);
    assert.equal(detail.award.chosen.length, 4);
    assert.equal(detail.award.winner, detail.winner);
    assert.ok(detail.bids.some((b) => b.status === "Revealed" && b.price !== null));
    const events = new Set(detail.history.map((h) => h.event));
    for (const e of [
      "TenderCreated",
      "BidCommitted",
      "BidRevealed",
      "ReserveDrawn",
      "TenderAwarded",
      "BondReleased",
    ]) {
      assert.ok(events.has(e), `history has ${e}`);
    }
    const amendedRow = await db.query<{ tender_id: string }>(
      "select tender_id from amendments limit 1",
    );
    assert.ok(amendedRow[0]);
    const amended = await get<{
      amendments: { version: number; reason: string }[];
      version: number;
    }>(`/api/v1/tenders/${amendedRow[0].tender_id}`);
    assert.ok(amended.amendments.length >= 1 && amended.version >= 2);
    const byState = await get<Page<Tender>>(`/api/v1/tenders?state=${awarded.state}`);
    assert.ok(byState.items.every((t) => t.state === awarded.state));
    await rejects("/api/v1/tenders/777", 404);
    await rejects("/api/v1/tenders?state=Won", 400);
    await rejects(`/api/v1/tenders?q=${"x".repeat(101)}`, 400);
  });

  it("accounts and the raw event log", async () => {
    const [row] = await db.query<{ farmer: string }>("select farmer from sales limit 1");
    assert.ok(row);
    const account = await get<{
      credentials: { role: string }[];
      counts: { sales: number };
      activity: Page<{ signer: string; event: string }>;
    }>(`/api/v1/accounts/${row.farmer.toLowerCase()}`);
    assert.ok(account.credentials.some((c) => c.role === "Farmer"));
    assert.ok(account.counts.sales >= 1);
    assert.ok(account.activity.items.length >= 1);
    const events = await get<Page<{ txHash: string; id: string }>>("/api/v1/events?limit=3");
    assert.equal(events.items.length, 3);
    const tx = events.items[0]?.txHash;
    const byTx = await get<Page<{ txHash: string }>>(`/api/v1/events?tx=${tx}`);
    assert.ok(byTx.items.length >= 1 && byTx.items.every((e) => e.txHash === tx));
    // Event name, signer and transaction go through the keys' index: each filter, alone and
    // combined, answers exactly the rows the columns themselves select.
    const official = (
      await db.query<{ signer: string }>(
        "select signer from events where event = 'SaleInspected' limit 1",
      )
    )[0]?.signer;
    assert.ok(official && tx);
    const filters: [string, string, unknown[]][] = [
      ["event=SaleSubmitted", "event = $1", ["SaleSubmitted"]],
      ["event=ProgramCreated", "event = $1", ["ProgramCreated"]],
      ["event=NoSuchEvent", "event = $1", ["NoSuchEvent"]],
      [`signer=${official.toLowerCase()}`, "signer = $1", [official]],
      [`tx=${tx.toUpperCase().replace("0X", "0x")}`, "tx_hash = $1", [tx]],
      [
        `event=SaleInspected&signer=${official}&contract=RicePurchase`,
        "event = $1 and signer = $2 and contract = 'RicePurchase'",
        ["SaleInspected", official],
      ],
    ];
    for (const [query, condition, params] of filters) {
      const expected = await db.query<{ pos: number }>(
        `select pos from events where ${condition} order by pos desc limit 200`,
        params,
      );
      assert.equal(expected.length > 0, !query.includes("NoSuchEvent"), query);
      const answered = await get<Page<{ id: string }>>(`/api/v1/events?${query}&limit=200`);
      assert.deepEqual(
        answered.items.map((e) => Number(e.id)),
        expected.map((r) => r.pos),
        query,
      );
    }
    assert.equal(
      (await get<{ id: string }>(`/api/v1/events/${events.items[0]?.id}`)).id,
      events.items[0]?.id,
    );
    await rejects("/api/v1/events?tx=0x12", 400);
    await rejects("/api/v1/events/99", 404);
    await rejects("/api/v1/accounts/nobody", 400);
  });

  it("CSV exports list every record with escaping", async () => {
    const res = await indexer.app.request("/api/v1/exports/sales.csv");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/csv/);
    const text = await res.text();
    const lines = text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    const [count] = await db.query<{ n: number }>("select count(*)::int8 as n from sales");
    assert.equal(lines.length, Number(count?.n) + 1);
    assert.match(lines[0] ?? "", /^id,programId,region,farmer/);
    const tenders = await (await indexer.app.request("/api/v1/exports/tenders.csv")).text();
    assert.match(tenders, /트랙터/);
    const payments = await (
      await indexer.app.request("/api/v1/exports/payments.csv?region=46810")
    ).text();
    assert.ok(payments.split("\r\n").length > 10);
    await rejects("/api/v1/exports/sales.csv?fromBlock=9&toBlock=1", 422);
  });

  it("OCDS: every tender and purchase exports releases valid against OCDS 1.1 + bids", async () => {
    const validate = createOcdsValidator();
    const tags = codelist("releaseTag.csv");
    const tenderStatus = codelist("tenderStatus.csv");
    const check = (pkg: {
      releases: { ocid: string; id: string; tag: string[]; tender?: { status?: string } }[];
    }) => {
      assert.deepEqual(validate(pkg), []);
      const ids = new Set(pkg.releases.map((r) => r.id));
      assert.equal(ids.size, pkg.releases.length, "release ids are unique");
      assert.equal(new Set(pkg.releases.map((r) => r.ocid)).size, 1, "one ocid per process");
      for (const r of pkg.releases) {
        for (const tag of r.tag) assert.ok(tags.has(tag), `tag ${tag} is in the codelist`);
        if (r.tender?.status) assert.ok(tenderStatus.has(r.tender.status));
      }
    };
    const tenders = await db.query<{ id: string; state: number }>("select id, state from tenders");
    const seenTags = new Set<string>();
    for (const t of tenders) {
      const pkg = await get<{ releases: { ocid: string; id: string; tag: string[] }[] }>(
        `/api/v1/ocds/tenders/${t.id}`,
      );
      check(pkg);
      assert.match(pkg.releases[0]?.ocid ?? "", /^ocds-jangbu-\d+-T-\d+$/);
      for (const r of pkg.releases) for (const tag of r.tag) seenTags.add(tag);
    }
    for (const tag of [
      "tender",
      "tenderAmendment",
      "tenderUpdate",
      "tenderCancellation",
      "award",
      "contract",
      "implementation",
      "contractTermination",
    ]) {
      assert.ok(seenTags.has(tag), `some tender release is tagged ${tag}`);
    }
    const sales = await db.query<{ id: string; state: number }>(
      "select distinct on (state) id, state from sales order by state, submitted_pos",
    );
    for (const s of sales) {
      const pkg = await get<{ releases: { ocid: string; id: string; tag: string[] }[] }>(
        `/api/v1/ocds/sales/${s.id}`,
      );
      check(pkg);
      assert.deepEqual(pkg.releases[0]?.tag, ["planning", "tender"]);
    }
    // The validator itself rejects what it should: a missing required field, a bad bid status.
    const sample = await get<{ releases: Record<string, unknown>[] }>(
      `/api/v1/ocds/tenders/${tenders[0]?.id}`,
    );
    const broken = structuredClone(sample);
    delete broken.releases[0]?.initiationType;
    assert.notDeepEqual(validate(broken), []);
    const withBids = structuredClone(sample);
    const release = withBids.releases.find((r) => r.bids !== undefined) ?? withBids.releases[0];
    if (release) release.bids = { details: [{ id: "x", status: "bribed" }] };
    assert.notDeepEqual(validate(withBids), [], "the bids extension is enforced");

    const paged = await indexer.app.request("/api/v1/ocds/tenders?limit=2");
    assert.match(paged.headers.get("link") ?? "", /rel="next"/);
    assert.deepEqual(validate(await paged.json()), []);
    await rejects("/api/v1/ocds/tenders/404", 404);
    await rejects("/api/v1/ocds/things", 400);
  });

  it("SSE stream resumes after Last-Event-ID, in order", async () => {
    const rows = await db.query<{ pos: number }>("select pos from events order by pos limit 6");
    const from = rows[1]?.pos;
    assert.ok(from !== undefined);
    const controller = new AbortController();
    const res = await indexer.app.request("/api/v1/stream", {
      headers: { "last-event-id": String(from) },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = res.body?.getReader();
    assert.ok(reader);
    let text = "";
    const decoder = new TextDecoder();
    while ((text.match(/^id: /gm) ?? []).length < 4) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    await reader.cancel().catch(() => {});
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      ids.slice(0, 4),
      rows.slice(2, 6).map((r) => r.pos),
    );
    assert.match(text, /^event: record$/m);
    await rejects("/api/v1/stream?lastEventId=abc", 400);
  });

  it("serves cached pages gzip-compressed to clients that accept gzip, identical once unpacked", async () => {
    const path = "/api/v1/events?limit=100";
    const first = await indexer.app.request(path, { headers: { "accept-encoding": "gzip" } });
    assert.equal(first.headers.get("vary"), "accept-encoding");
    const plain = await first.text(); // a miss: built by the route, not compressed
    assert.ok(plain.length > 1_024, "a page large enough to be compressed");
    const hit = await indexer.app.request(path, { headers: { "accept-encoding": "br, gzip" } });
    assert.equal(hit.headers.get("x-cache"), "hit");
    assert.equal(hit.headers.get("content-encoding"), "gzip");
    assert.equal(hit.headers.get("vary"), "accept-encoding");
    // A hit replays the page's first headers, security headers included.
    for (const name of ["content-security-policy", "x-content-type-options", "content-type"]) {
      assert.ok(first.headers.get(name), name);
      assert.equal(hit.headers.get(name), first.headers.get(name), name);
    }
    const packed = Buffer.from(await hit.arrayBuffer());
    assert.ok(packed.length < plain.length / 3, `${packed.length} bytes of ${plain.length}`);
    assert.equal(gunzipSync(packed).toString("utf8"), plain);
    for (const refusing of [undefined, "identity", "gzip;q=0", "br"]) {
      const res = await indexer.app.request(
        path,
        refusing === undefined ? {} : { headers: { "accept-encoding": refusing } },
      );
      assert.equal(res.headers.get("content-encoding"), null, `accept-encoding ${refusing}`);
      assert.equal(await res.text(), plain);
    }
    assert.equal(acceptsGzip("deflate, *;q=0.5"), true);
    assert.equal(acceptsGzip("gzip;q=0.0, identity"), false);
  });

  it("never answers a client with a 500: garbage parameters on every list route", async () => {
    const garbage = [
      "%00",
      "'; drop table sales; --",
      "9".repeat(400),
      "-1",
      "1e309",
      "0x",
      "[]",
      "{}",
      "NaN",
    ];
    const routes = [
      "credentials",
      "issuers",
      "programs",
      "quotas",
      "allocations",
      "sales",
      "payments",
      "tenders",
      "events",
    ];
    const params = [
      "region",
      "program",
      "farmer",
      "state",
      "limit",
      "cursor",
      "from",
      "toBlock",
      "q",
      "kind",
      "role",
    ];
    for (const route of routes) {
      for (const param of params) {
        for (const value of garbage) {
          const res = await indexer.app.request(
            `/api/v1/${route}?${param}=${encodeURIComponent(value)}`,
          );
          assert.ok(
            [200, 400, 422].includes(res.status),
            `${route}?${param}=${value} → ${res.status}`,
          );
          const body = (await res.json()) as { error?: { code: string } };
          if (res.status !== 200) assert.equal(typeof body.error?.code, "string");
        }
      }
    }
    await rejects("/api/v1/nothing-here", 404, "not_found");
    const [count] = await db.query<{ n: number }>("select count(*)::int8 as n from sales");
    assert.ok(Number(count?.n) > 0, "still there");
  });

  it("body limit (413), security headers, CORS and the portal with SPA fallback", async () => {
    const big = await indexer.app.request("/api/v1/sales", {
      method: "POST",
      body: "x".repeat(70_000),
      headers: { "content-type": "application/json" },
    });
    assert.equal(big.status, 413);
    assert.equal(
      ((await big.json()) as { error: { code: string } }).error.code,
      "payload_too_large",
    );
    const res = await indexer.app.request("/api/v1/status");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
    assert.ok(res.headers.get("content-security-policy"));

    const portal = mkdtempSync(join(tmpdir(), "jangbu-portal-"));
    try {
      writeFileSync(join(portal, "index.html"), "<!doctype html><title>jangbu portal</title>");
      mkdirSync(join(portal, "assets"));
      writeFileSync(join(portal, "assets", "app.js"), "console.log('portal')");
      const app = createApp({
        db,
        storeKind: "pglite",
        chainId: 31337,
        addresses: {},
        corsOrigins: ["https://portal.example"],
        portalDir: portal,
      });
      const cors = await app.request("/api/v1/status", {
        headers: { origin: "https://portal.example" },
      });
      assert.equal(cors.headers.get("access-control-allow-origin"), "https://portal.example");
      const other = await app.request("/api/v1/status", {
        headers: { origin: "https://evil.example" },
      });
      assert.notEqual(other.headers.get("access-control-allow-origin"), "https://evil.example");
      // A cached page carries the CORS headers of the request at hand, not of its first one.
      const page = "/api/v1/events?limit=1";
      const allowed = { headers: { origin: "https://portal.example" } };
      const first = await app.request(page, allowed);
      assert.equal(first.headers.get("access-control-allow-origin"), "https://portal.example");
      const evil = await app.request(page, { headers: { origin: "https://evil.example" } });
      assert.equal(evil.headers.get("x-cache"), "hit");
      assert.equal(evil.headers.get("access-control-allow-origin"), null);
      assert.ok(evil.headers.get("content-security-policy"));
      const again = await app.request(page, allowed);
      assert.equal(again.headers.get("x-cache"), "hit");
      assert.equal(again.headers.get("access-control-allow-origin"), "https://portal.example");
      assert.match(await (await app.request("/")).text(), /jangbu portal/);
      assert.match(await (await app.request("/assets/app.js")).text(), /portal/);
      assert.match(
        await (await app.request("/sales/123/history")).text(),
        /jangbu portal/,
        "SPA fallback",
      );
      const api404 = await app.request("/api/v1/unknown");
      assert.equal(api404.status, 404);
      assert.equal(((await api404.json()) as { error: { code: string } }).error.code, "not_found");
      const modules = createApp({
        db,
        storeKind: "pglite",
        chainId: 31337,
        addresses: {},
        modules: [
          {
            name: "extra",
            register: (a) => a.get("/api/v1/extra", (c) => c.json({ mounted: true })),
          },
        ],
      });
      assert.deepEqual(await (await modules.request("/api/v1/extra")).json(), { mounted: true });
    } finally {
      rmSync(portal, { recursive: true, force: true });
    }
  });

  it("validates the environment and names the bad variable", () => {
    const ok = parseEnv({});
    assert.equal(ok.RPC_URL, "http://127.0.0.1:8545");
    assert.equal(ok.PORT, 8080);
    assert.equal(ok.HOST, "127.0.0.1");
    assert.equal(ok.DATA_DIR, "./.data");
    const bad: [Record<string, string>, string][] = [
      [{ PORT: "70000" }, "PORT"],
      [{ RPC_URL: "ftp://x" }, "RPC_URL"],
      [{ RICE_PURCHASE_ADDRESS: "0x12" }, "RICE_PURCHASE_ADDRESS"],
      [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
      [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
      [{ REORG_DEPTH: "-1" }, "REORG_DEPTH"],
    ];
    for (const [env, field] of bad) {
      assert.throws(
        () => parseEnv(env),
        (e: unknown) => e instanceof EnvError && e.field === field,
        field,
      );
    }
    const parsed = parseEnv({
      FORWARDER_ADDRESS: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      CORS_ORIGINS: "a, b",
    });
    assert.equal(
      parsed.FORWARDER_ADDRESS,
      getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3"),
    );
    assert.deepEqual(parsed.CORS_ORIGINS, ["a", "b"]);
  });
});
