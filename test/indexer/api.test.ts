/**
 * The HTTP API, in process (`app.request`), over an index of the demo season: every route, its
 * filters and pagination, bad input (400/404/413/422, never a 500), CSV, OCDS validated against the
 * shared schemas offline, the SSE stream, security headers, CORS, the portal fallback and env.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { serve } from "@hono/node-server";
import { createPublicClient, getAddress, type Hex, http } from "viem";
import { createApp } from "../../indexer/src/api/app.ts";
import { acceptsGzip } from "../../indexer/src/api/cache.ts";
import {
  defaultAllowedHosts,
  hostAllowed,
  parseAllowedHosts,
} from "../../indexer/src/api/hosts.ts";
import { createPortalModule } from "../../indexer/src/api/routes/portal.ts";
import { EnvError, parseEnv } from "../../indexer/src/env.ts";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { createStore } from "../../indexer/src/store/index.ts";
import { migrate } from "../../indexer/src/store/migrations.ts";
import { type EventRecord, positionOf } from "../../indexer/src/sync/decode.ts";
import { createCast } from "../../scripts/seed/actors.ts";
import { P2_FINAL_INPUTS, P2_MISTYPED_INPUTS, PROGRAMMES } from "../../scripts/seed/rice.ts";
import { RicePurchaseAbi, TenderBoardAbi, VarietyTestingAbi } from "../../sdk/generated/abis.ts";
import { saleReferences, tenderReference } from "../../sdk/references.ts";
import { deliveryDayBounds, deliveryDayOf, drawSample } from "../../sdk/variety.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { dumpStore, envFor, indexUntil, withTestPostgres } from "./helpers/indexer.ts";
import { codelist, createOcdsValidator, createRecordPackageValidator } from "./helpers/ocds.ts";

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

  it("references: recomputed from the chain's events alone; a record is found by its reference; free-text sales search", async () => {
    type Sale = { id: string; ref: string; region: number; farmer: string };
    const client = createPublicClient({ transport: http(chain.url) });
    const [created, submitted, tendered] = await Promise.all([
      client.getContractEvents({
        address: chain.deployment.addresses.RicePurchase,
        abi: RicePurchaseAbi,
        eventName: "ProgramCreated",
        fromBlock: 0n,
      }),
      client.getContractEvents({
        address: chain.deployment.addresses.RicePurchase,
        abi: RicePurchaseAbi,
        eventName: "SaleSubmitted",
        fromBlock: 0n,
      }),
      client.getContractEvents({
        address: chain.deployment.addresses.TenderBoard,
        abi: TenderBoardAbi,
        eventName: "TenderCreated",
        fromBlock: 0n,
      }),
    ]);
    const years = new Map(created.map((e) => [Number(e.args.programId), Number(e.args.cropYear)]));
    const expected = saleReferences(
      submitted.map((e) => ({
        saleId: String(e.args.saleId),
        programId: Number(e.args.programId),
        region: Number(e.args.region),
      })),
      (id) => years.get(id) ?? 0,
    );
    const sales: Sale[] = [];
    for (let cursor: string | null = ""; cursor !== null; ) {
      const p: Page<Sale> = await get(
        `/api/v1/sales?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      );
      sales.push(...p.items);
      cursor = p.nextCursor;
    }
    assert.equal(sales.length, expected.size);
    for (const sale of sales) assert.equal(sale.ref, expected.get(sale.id), `sale ${sale.id}`);
    assert.equal(new Set(sales.map((x) => x.ref)).size, sales.length, "references are unique");
    const sample = sales[7] as Sale;
    assert.match(sample.ref, /^\d{4}-\d{5}-\d{6}$/);
    assert.equal((await get<Sale>(`/api/v1/sales/${sample.ref}`)).id, sample.id);
    // Free text: the whole reference, the address as the portal shows it, a region code.
    for (const [q, check] of [
      [sample.ref, (x: Sale) => x.id === sample.id],
      [
        `${sample.farmer.slice(0, 8)}…${sample.farmer.slice(-6)}`,
        (x: Sale) => x.farmer === sample.farmer,
      ],
      [String(sample.region), (x: Sale) => x.region === sample.region],
    ] as const) {
      const found = await get<Page<Sale>>(`/api/v1/sales?q=${encodeURIComponent(q)}&limit=500`);
      assert.ok(
        found.items.some((x) => x.id === sample.id),
        `${q} finds the sample`,
      );
      assert.equal(found.items.length, sales.filter(check).length, `${q} finds exactly those`);
    }
    assert.equal((await get<Page<Sale>>("/api/v1/sales?q=%EC%97%86%EC%9D%8C")).items.length, 0);
    await rejects(`/api/v1/sales/${sample.ref.replace(/\d{6}$/, "999999")}`, 404);
    await rejects("/api/v1/sales/2026-46810-T000001", 404);
    // Tenders: year of creation (Seoul) - region - T id.
    const tender = tendered[0];
    assert.ok(tender);
    const block = await client.getBlock({ blockNumber: tender.blockNumber });
    const ref = tenderReference(
      Number(block.timestamp),
      Number(tender.args.region),
      String(tender.args.tenderId),
    );
    const byRef = await get<{ id: string; ref: string }>(`/api/v1/tenders/${ref}`);
    assert.equal(byRef.id, String(tender.args.tenderId));
    assert.equal(byRef.ref, ref);
    const listed = await get<Page<{ id: string }>>(`/api/v1/tenders?q=${ref}`);
    assert.deepEqual(
      listed.items.map((x) => x.id),
      [byRef.id],
    );
    await rejects(`/api/v1/tenders/${ref.replace(/^\d{4}/, "1999")}`, 404);
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

  it("issue 19 records: household tags, dispute deadlines, the corrected final price (revision 2), refused, terminated and lapsed tenders", async () => {
    const cast = createCast();
    // Credentials: each carries the household tag its issuer set; the couple's two farms share one.
    type Credential = {
      id: string;
      subject: string;
      role: string;
      householdTag: string | null;
      successorId: string | null;
      successor: string | null;
    };
    const credentials = await get<Page<Credential>>("/api/v1/credentials?limit=500");
    for (const persona of [...Object.values(cast.staff), ...cast.farmers]) {
      const c = credentials.items.find((x) => x.subject === persona.address);
      assert.ok(c, `${persona.id} has a credential`);
      assert.equal(c.householdTag, persona.householdTag, `${persona.id}'s household tag`);
      assert.equal(c.successorId, null);
      assert.equal(c.successor, null);
    }
    const couple = cast.farmers.slice(-2);
    const shared = await get<Page<Credential>>(
      `/api/v1/credentials?household=${couple[0]?.householdTag.toUpperCase().replace("0X", "0x")}`,
    );
    assert.deepEqual(
      shared.items.map((c) => c.subject).sort(),
      couple.map((f) => f.address).sort(),
      "one household, two farms",
    );
    await rejects("/api/v1/credentials?household=0x1234", 400, "invalid_parameter");

    // Programme 2's prices: proposed and confirmed by two national officials, then corrected.
    type Program = {
      id: number;
      disputePeriod: number;
      priceRevision: number;
      finalPrices: Record<string, string | number | null> | null;
      pendingProposal: unknown;
      history: { event: string; args: Record<string, unknown>; signer: string }[];
    };
    const programs = await get<Page<Program>>("/api/v1/programs");
    for (const p of programs.items) {
      const days = PROGRAMMES[p.finalPrices === null ? 1 : 2].disputeDays;
      assert.equal(p.disputePeriod, days * 86_400, `programme ${p.id}'s dispute period`);
      assert.equal(p.pendingProposal, null, "every demo proposal was confirmed");
    }
    const priced = programs.items.find((p) => p.finalPrices !== null);
    assert.ok(priced, "a programme with final prices");
    const [mafra, mafra2] = [cast.get("official-mafra"), cast.get("official-mafra-2")];
    assert.equal(priced.priceRevision, 2, "the demo's final price was corrected once");
    const prices = priced.finalPrices as Record<string, string | number | null>;
    assert.equal(prices.farmGatePer80kg, String(P2_FINAL_INPUTS.farmGatePer80kg));
    assert.equal(prices.millingFee, String(P2_FINAL_INPUTS.millingFee));
    assert.equal(prices.millingYieldBps, P2_FINAL_INPUTS.millingYieldBps);
    assert.equal(prices.first, "60400", "(174,000 − 8,500) × 73 % ÷ 2, rounded down to 10 won");
    assert.equal(prices.proposedBy, mafra2.address, "the correction was proposed by the second");
    assert.equal(prices.confirmedBy, mafra.address, "and confirmed by the first");
    const detail = await get<Program>(`/api/v1/programs/${priced.id}`);
    const setAt = prices.setAt as unknown as { txHash: string; at: string } | null;
    const priceEvents = detail.history.filter((h) => h.event.startsWith("FinalPrices"));
    assert.deepEqual(
      priceEvents.map((h) => [h.event, h.signer, Number(h.args.farmGatePer80kg), h.args.revision]),
      [
        ["FinalPricesProposed", mafra.address, P2_MISTYPED_INPUTS.farmGatePer80kg, undefined],
        ["FinalPricesSet", mafra2.address, P2_MISTYPED_INPUTS.farmGatePer80kg, 1],
        ["FinalPricesProposed", mafra2.address, P2_FINAL_INPUTS.farmGatePer80kg, undefined],
        ["FinalPricesSet", mafra.address, P2_FINAL_INPUTS.farmGatePer80kg, 2],
      ],
    );
    const lastSet = priceEvents.at(-1) as unknown as { txHash: string; blockTime: string };
    assert.equal(setAt?.txHash, lastSet.txHash, "the prices in effect name their confirmation");
    assert.equal(setAt?.at, lastSet.blockTime);

    // Sales: the dispute deadline is the first inspection plus the programme's period.
    type Sale = {
      id: string;
      programId: number;
      state: string;
      disputeDeadline: string | null;
      history: { event: string; blockTime: string }[];
    };
    const sales = await get<Page<Sale>>("/api/v1/sales?limit=500");
    const period = new Map(programs.items.map((p) => [p.id, p.disputePeriod]));
    let checked = 0;
    for (const state of [
      "Submitted",
      "Inspected",
      "Rejected",
      "Disputed",
      "Reinspected",
      "Settled",
    ]) {
      for (const sale of sales.items.filter((x) => x.state === state).slice(0, 3)) {
        const { history } = await get<Sale>(`/api/v1/sales/${sale.id}`);
        const first = history.find((h) => h.event === "SaleInspected");
        if (first === undefined) {
          assert.equal(sale.disputeDeadline, null, `sale ${sale.id} is not inspected yet`);
          continue;
        }
        const expected = Date.parse(first.blockTime) + Number(period.get(sale.programId)) * 1000;
        assert.equal(sale.disputeDeadline, new Date(expected).toISOString(), `sale ${sale.id}`);
        checked++;
      }
    }
    assert.ok(checked >= 8, `${checked} inspected sales checked`);
    const csv = (await (await indexer.app.request("/api/v1/exports/sales.csv")).text()).replace(
      /^\uFEFF/,
      "",
    );
    assert.match(csv.split("\r\n")[0] ?? "", /,disputeDeadline$/);

    // Tenders: a delivery refused (and one re-delivered), a termination, a lapse (유찰).
    type Tender = {
      id: string;
      state: string;
      drawBlock: number | null;
      deliveryDeadline: string | null;
      refusals: number;
      refusalReason: string | null;
      refusedAt: string | null;
      terminationReason: string | null;
      terminatedAt: string | null;
      lapsedAt: string | null;
      winner: string | null;
      award: { drawBlock: number | null; drawBlockHash: string | null } | null;
      bids: { bidder: string; status: string; passedOver: boolean }[];
      history: { event: string }[];
    };
    const tenders = await get<Page<Tender>>("/api/v1/tenders?limit=100");
    const one = async (state: string, pick: (t: Tender) => boolean = () => true) => {
      const found = tenders.items.filter((t) => t.state === state && pick(t));
      assert.equal(found.length, 1, `one ${state} tender`);
      return get<Tender>(`/api/v1/tenders/${found[0]?.id}`);
    };
    const refused = await one("Refused");
    assert.equal(refused.refusals, 1);
    assert.equal(refused.refusalReason, "규격서의 필터 등급(H13)과 다른 제품 납품");
    assert.ok(refused.refusedAt && refused.deliveryDeadline);
    assert.ok(refused.refusedAt < refused.deliveryDeadline, "refused before the deadline");
    assert.ok(refused.history.some((h) => h.event === "DeliveryRefused"));
    const redelivered = await one("Delivered", (t) => t.refusals > 0);
    assert.equal(redelivered.refusalReason, "포장 파손 120포, 함수율 기준 초과: 재납품 요구");
    assert.deepEqual(
      redelivered.history.map((h) => h.event).filter((e) => e.startsWith("Delivery")),
      ["DeliveryRecorded", "DeliveryRefused", "DeliveryRecorded"],
    );
    const terminated = await one("Terminated");
    assert.equal(terminated.terminationReason, "납품기한 경과, 납품 없음 (계약 해지)");
    assert.ok(terminated.terminatedAt && terminated.deliveryDeadline);
    assert.ok(terminated.terminatedAt >= terminated.deliveryDeadline, "after the deadline");
    assert.equal(
      terminated.bids.find((b) => b.bidder === terminated.winner)?.status,
      "Forfeited",
      "the winner's bond is forfeited",
    );
    assert.ok(terminated.history.some((h) => h.event === "TenderTerminated"));
    const lapsed = await one("Failed", (t) => t.lapsedAt !== null);
    assert.equal(lapsed.award, null, "no draw, no award");
    assert.equal(lapsed.winner, null);
    assert.ok(lapsed.history.some((h) => h.event === "TenderLapsed"));
    assert.ok(
      lapsed.bids.some((b) => b.status === "Released"),
      "revealed bonds released",
    );
    for (const awarded of [refused, redelivered, terminated]) {
      assert.ok(awarded.drawBlock !== null && awarded.award !== null);
      assert.equal(awarded.award.drawBlock, awarded.drawBlock, "the draw used the scheduled block");
      assert.match(awarded.award.drawBlockHash ?? "", /^0x[0-9a-f]{64}$/);
      assert.ok(awarded.bids.every((b) => b.passedOver === false));
    }
    const tenderCsv = (await (await indexer.app.request("/api/v1/exports/tenders.csv")).text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    assert.match(
      tenderCsv[0] ?? "",
      /,drawBlock,deliveryDeadline,refusals,refusalReason,terminationReason,terminatedAt,lapsedAt$/,
    );
    const terminatedLine = tenderCsv.find((l) => l.startsWith(`${terminated.id},`));
    assert.ok(terminatedLine?.includes("납품기한 경과"), "the CSV carries the termination reason");
  });

  it("issue 24 and 21: the variety draw, results and exclusion; every sale's delivery date", async () => {
    const counties = await get<{ items: Record<string, unknown>[] }>(
      "/api/v1/variety/counties?program=2&region=46810",
    );
    assert.equal(counties.items.length, 1);
    const county = counties.items[0] as Record<string, unknown>;
    assert.deepEqual(county.varieties, [101, 102]);
    assert.equal(county.sellers, 24, "programme 2's 24 selling farms of 강진군");
    assert.equal(county.sampleSize, 2, "ceil(24 × 5 %)");
    assert.match(String(county.seed), /^0x[0-9a-f]{64}$/);
    const sampled = county.sampled as { sellerIndex: number; farmer: string }[];
    // The API's sample is the SDK's draw from the seed; the contract agrees farm by farm.
    assert.deepEqual(
      sampled.map((x) => x.sellerIndex),
      drawSample(county.seed as Hex, 24),
    );
    const client = createPublicClient({ transport: http(chain.url) });
    for (let i = 1; i <= 24; i++) {
      const onChain = await client.readContract({
        address: chain.deployment.addresses.VarietyTesting,
        abi: VarietyTestingAbi,
        functionName: "isSampled",
        args: [2, 46_810, i],
      });
      assert.equal(
        onChain,
        sampled.some((x) => x.sellerIndex === i),
        `farm number ${i}`,
      );
    }
    const results = await get<Page>("/api/v1/variety/results?program=2");
    assert.deepEqual(
      results.items.map((r) => r.farmer).sort(),
      sampled.map((x) => x.farmer).sort(),
      "a result for each drawn farm",
    );
    const excluded = results.items.filter((r) => r.excluded === true);
    assert.equal(excluded.length, 1);
    const exclusions = await get<Page>(`/api/v1/exclusions?farmer=${excluded[0]?.farmer}`);
    assert.equal(exclusions.items.length, 1);
    assert.deepEqual(
      {
        fromYear: exclusions.items[0]?.fromYear,
        toYear: exclusions.items[0]?.toYear,
        offTypePermille: exclusions.items[0]?.offTypePermille,
      },
      { fromYear: 2027, toYear: 2031, offTypePermille: 260 },
    );
    assert.equal((await get<Page>("/api/v1/exclusions")).items.length, 1);
    await rejects("/api/v1/exclusions?farmer=0x12", 400);

    // Every sale has a delivery date inside its programme's window (Korean days).
    const sales = await get<Page>("/api/v1/sales?limit=500");
    const programmes = await get<Page>("/api/v1/programs");
    for (const sale of sales.items) {
      const p = programmes.items.find((x) => x.id === sale.programId);
      assert.ok(p);
      const { firstDay, lastDay } = deliveryDayBounds({
        deliveryStart: Date.parse(String(p.deliveryStart)) / 1000,
        deliveryEnd: Date.parse(String(p.deliveryEnd)) / 1000,
      });
      const day = deliveryDayOf(String(sale.deliveryDate));
      assert.ok(day >= firstDay && day <= lastDay, `${sale.id}: ${sale.deliveryDate}`);
    }
    const one = sales.items[0] as Record<string, unknown>;
    assert.equal((await get(`/api/v1/sales/${one.id}`)).deliveryDate, one.deliveryDate);

    // The excluded farm's purchases in programme 2 say so in OCDS.
    const excludedSale = sales.items.find(
      (x) => x.farmer === excluded[0]?.farmer && x.programId === 2,
    );
    assert.ok(excludedSale);
    const ocds = await get<{ releases: { tender: { statusDetails?: string } }[] }>(
      `/api/v1/ocds/sales/${excludedSale.id}`,
    );
    assert.match(String(ocds.releases.at(-1)?.tender.statusDetails), /2027–2031/);
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
    // Saved under a Korean name (RFC 6266 filename*), the ASCII name kept for older clients.
    const disposition = res.headers.get("content-disposition") ?? "";
    assert.match(disposition, /filename="sales\.csv"/);
    assert.equal(
      decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? ""),
      "판매.csv",
    );
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
      "household",
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
    assert.equal(big.headers.get("connection"), "close", "a pooled client must not reuse it");
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

  it("numeric parameters: every documented bound is served (uint32 programmes, blocks to 2^53−1), one past it is a 400", async () => {
    const U32 = 4_294_967_295;
    const MAX_BLOCK = Number.MAX_SAFE_INTEGER;
    // Issue 22: from 2^31 up, programme ids overflowed the store's int4 columns (500).
    for (const id of [2_147_483_648, U32]) {
      await rejects(`/api/v1/programs/${id}`, 404, "not_found");
      const head = await indexer.app.request(`/api/v1/programs/${id}`, { method: "HEAD" });
      assert.equal(head.status, 404, `HEAD /programs/${id}`);
    }
    await rejects(`/api/v1/programs/${U32 + 1}`, 400, "invalid_parameter");
    const csvLines = async (path: string) => {
      const res = await indexer.app.request(path);
      const text = await res.text();
      assert.equal(res.status, 200, `${path} → ${res.status}: ${text.slice(0, 200)}`);
      return text
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n");
    };
    for (const route of ["sales", "allocations", "quotas", "payments"]) {
      for (const id of [2_147_483_648, U32])
        assert.deepEqual((await get<Page>(`/api/v1/${route}?program=${id}`)).items, []);
      await rejects(`/api/v1/${route}?program=${U32 + 1}`, 400, "invalid_parameter");
      await rejects(`/api/v1/${route}?program=0`, 400, "invalid_parameter");
    }
    for (const route of ["sales", "payments"]) {
      assert.equal((await csvLines(`/api/v1/exports/${route}.csv?program=${U32}`)).length, 1);
      await rejects(`/api/v1/exports/${route}.csv?program=${U32 + 1}`, 400, "invalid_parameter");
    }
    // Issue 22: block numbers from 2^43 up were scaled past 2^63 in JavaScript (500).
    for (const route of ["sales", "tenders", "events", "payments"]) {
      const all = await get<Page>(`/api/v1/${route}?limit=500`);
      assert.ok(all.items.length > 0, `${route} has records`);
      for (const block of [2 ** 43, 2 ** 52, MAX_BLOCK])
        assert.deepEqual((await get<Page>(`/api/v1/${route}?fromBlock=${block}`)).items, []);
      const upTo = await get<Page>(`/api/v1/${route}?fromBlock=0&toBlock=${MAX_BLOCK}&limit=500`);
      assert.deepEqual(upTo.items, all.items, `${route}: toBlock=2^53−1 keeps everything`);
      await rejects(`/api/v1/${route}?fromBlock=${MAX_BLOCK + 1}`, 400, "invalid_parameter");
      await rejects(`/api/v1/${route}?toBlock=${2 ** 53}`, 400, "invalid_parameter");
      await rejects(`/api/v1/${route}?toBlock=-1`, 400, "invalid_parameter");
    }
    for (const route of ["sales", "tenders"]) {
      assert.equal(
        (await csvLines(`/api/v1/exports/${route}.csv?fromBlock=${MAX_BLOCK}`)).length,
        1,
      );
      const all = await csvLines(`/api/v1/exports/${route}.csv`);
      assert.deepEqual(await csvLines(`/api/v1/exports/${route}.csv?toBlock=${MAX_BLOCK}`), all);
      await rejects(`/api/v1/exports/${route}.csv?toBlock=${2 ** 53}`, 400, "invalid_parameter");
    }
    await rejects(`/api/v1/events/${MAX_BLOCK}`, 404, "not_found");
    await rejects(`/api/v1/events/${2 ** 53}`, 400, "invalid_parameter");
  });

  it("text parameters refuse control characters with 400", async () => {
    // Issue 22: a NUL byte reached PostgreSQL ("invalid byte sequence for encoding UTF8": 500).
    for (const bad of ["%00", "a%00b", "%01", "%1F", "%7F", "tab%09tab", "line%0A"]) {
      await rejects(`/api/v1/tenders?q=${bad}`, 400, "invalid_parameter");
      await rejects(`/api/v1/exports/tenders.csv?q=${bad}`, 400, "invalid_parameter");
      await rejects(`/api/v1/sales?state=${bad}`, 400, "invalid_parameter");
      await rejects(`/api/v1/events?event=Sale${bad}`, 400, "invalid_parameter");
    }
    assert.ok((await get<Page>(`/api/v1/tenders?q=${"가".repeat(100)}`)).items.length === 0);
    assert.ok(
      (await get<Page>(`/api/v1/tenders?q=${encodeURIComponent("트랙터")}`)).items.length > 0,
    );
    await rejects(`/api/v1/tenders?q=${"가".repeat(101)}`, 400, "invalid_parameter");
  });

  it("issuers, quotas, allocations and credentials carry their provenance (tx hash, block, log index, signer)", async () => {
    type Prov = { txHash: string; blockNumber: number; logIndex: number; signer: string | null };
    type WithProv = { provenance: { created: Prov | null; updated: Prov | null } };
    const check = async (what: string, items: WithProv[]) => {
      assert.ok(items.length > 0, `${what} listed`);
      for (const item of items) {
        const { created, updated } = item.provenance;
        assert.ok(created && updated, `${what}: provenance of both creation and last update`);
        assert.match(created.txHash, /^0x[0-9a-f]{64}$/);
        assert.ok(created.blockNumber <= updated.blockNumber);
        // The provenance is the event log's: the same transaction, block and signer.
        const event = await get<{ txHash: string; blockNumber: number; signer: string | null }>(
          `/api/v1/events/${created.blockNumber * 2 ** 20 + created.logIndex}`,
        );
        assert.deepEqual(
          [event.txHash, event.blockNumber, event.signer],
          [created.txHash, created.blockNumber, created.signer],
        );
      }
    };
    await check("issuers", (await get<{ items: WithProv[] }>("/api/v1/issuers")).items);
    await check("credentials", (await get<Page<WithProv>>("/api/v1/credentials?limit=20")).items);
    await check("quotas", (await get<{ items: WithProv[] }>("/api/v1/quotas")).items);
    await check("allocations", (await get<Page<WithProv>>("/api/v1/allocations?limit=20")).items);
    const program = (await get<Page<{ id: number }>>("/api/v1/programs")).items[0];
    const detail = await get<{ quotas: WithProv[] }>(`/api/v1/programs/${program?.id}`);
    await check("a programme's quotas", detail.quotas);
  });

  it("OCDS record packages: every process's releases and compiled release, valid against OCDS 1.1.5", async () => {
    const validate = createRecordPackageValidator();
    type Release = {
      ocid: string;
      id: string;
      date: string;
      tag: string[];
      tender?: Record<string, unknown>;
    };
    type RecordPackage = {
      packages: string[];
      records: {
        ocid: string;
        releases: Release[];
        compiledRelease: Release & Record<string, unknown>;
      }[];
    };
    const tenders = await db.query<{ id: string; region: number }>(
      "select id, region from tenders",
    );
    const sales = await db.query<{ id: string; region: number }>(
      "select distinct on (state) id, region from sales order by state, submitted_pos",
    );
    const processes = [
      ...tenders.map((t) => ({ ...t, kind: "tenders", letter: "T" })),
      ...sales.map((s) => ({ ...s, kind: "sales", letter: "R" })),
    ];
    for (const p of processes) {
      const ocid = `ocds-jangbu-${p.region}-${p.letter}-${p.id}`;
      const pkg = await get<RecordPackage>(`/api/v1/ocds/records/${ocid}`);
      assert.deepEqual(validate(pkg), [], ocid);
      const releases = (await get<{ releases: Release[] }>(`/api/v1/ocds/${p.kind}/${p.id}`))
        .releases;
      const [record] = pkg.records;
      assert.ok(record && pkg.records.length === 1);
      assert.equal(record.ocid, ocid);
      assert.deepEqual(
        record.releases.map((r) => r.id),
        releases.map((r) => r.id),
        "all the process's releases",
      );
      assert.match(pkg.packages[0] ?? "", new RegExp(`/api/v1/ocds/${p.kind}/${p.id}$`));
      const compiled = record.compiledRelease;
      const last = releases.at(-1);
      assert.deepEqual(compiled.tag, ["compiled"]);
      assert.equal(compiled.date, last?.date);
      assert.equal(
        compiled.tender?.status,
        last?.tender?.status,
        "the compiled state is the latest",
      );
      // Nothing a release said is lost: every party and bid of any release is in the compiled one.
      const ids = (rs: Release[], key: string) =>
        new Set(
          rs.flatMap(
            (r) =>
              ((r as Record<string, unknown>)[key] as { id: string }[] | undefined)?.map(
                (x) => x.id,
              ) ?? [],
          ),
        );
      assert.deepEqual(ids([compiled], "parties"), ids(releases, "parties"));
    }
    // The validator refuses what it should: no records, a compiled release without its ocid.
    const sample = await get<RecordPackage>(
      `/api/v1/ocds/records/ocds-jangbu-${processes[0]?.region}-${processes[0]?.letter}-${processes[0]?.id}`,
    );
    assert.notDeepEqual(validate({ ...sample, records: [] }), []);
    const broken = structuredClone(sample);
    const compiledRelease: Record<string, unknown> | undefined = broken.records[0]?.compiledRelease;
    assert.ok(compiledRelease);
    delete compiledRelease.ocid;
    assert.notDeepEqual(validate(broken), []);
    const t = tenders[0];
    await rejects(
      `/api/v1/ocds/records/ocds-jangbu-${(t?.region ?? 0) + 1}-T-${t?.id}`,
      404,
      "not_found",
    );
    await rejects(`/api/v1/ocds/records/ocds-other1-${t?.region}-T-${t?.id}`, 404, "not_found");
    await rejects(`/api/v1/ocds/records/ocds-jangbu-${t?.region}-T-0${t?.id}`, 404, "not_found");
    await rejects(
      `/api/v1/ocds/records/ocds-jangbu-${t?.region}-X-${t?.id}`,
      400,
      "invalid_parameter",
    );
    await rejects("/api/v1/ocds/records/nope", 400, "invalid_parameter");
  });

  it("CSV exports: a failure before the first byte is a JSON error, one after it ends the file with an #ERROR line and is logged", async () => {
    const [real] = await db.query(
      "select s.*, null as pc_tx, null as pu_tx from sales s order by submitted_pos desc limit 1",
    );
    assert.ok(real);
    const errors: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger = {
      ...silentLogger,
      error: (message: string, fields?: Record<string, unknown>) =>
        void errors.push({ message, ...(fields ? { fields } : {}) }),
    };
    let salesQueries = 0;
    let failFrom = 2;
    const failing: Database = {
      ...db,
      query: async <T extends Record<string, unknown>>(
        text: string,
        params?: readonly unknown[],
      ) => {
        if (!text.includes("from sales s")) return db.query<T>(text, params);
        salesQueries++;
        if (salesQueries >= failFrom) throw new Error("connection lost (injected)");
        // A full first page (2,000 rows), so that the export asks for a second one.
        return Array.from({ length: 2_000 }, (_, i) => ({
          ...real,
          submitted_pos: Number(real.submitted_pos) - i,
        })) as unknown as T[];
      },
    };
    const app = createApp({
      db: failing,
      storeKind: "pglite",
      chainId: 31337,
      addresses: {},
      cache: false,
      logger,
    });
    const res = await app.request("/api/v1/exports/sales.csv");
    assert.equal(res.status, 200);
    const lines = (await res.text()).trim().split("\r\n");
    assert.equal(lines.length, 1 + 2_000 + 1, "header, the first page, the error line");
    assert.match(
      lines.at(-1) ?? "",
      /^#ERROR,export_incomplete,"?the export stopped after 2000 rows .*: this file is incomplete"?$/,
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? "", /CSV export failed/);
    assert.equal(errors[0]?.fields?.rows, 2_000);
    // A store that fails on the first page: nothing is streamed, the client gets a JSON error.
    salesQueries = 0;
    failFrom = 1;
    const early = await app.request("/api/v1/exports/sales.csv");
    assert.equal(early.status, 500);
    assert.equal(
      ((await early.json()) as { error: { code: string } }).error.code,
      "internal_error",
    );
    // Bad parameters are refused before the first byte too.
    const bad = await app.request("/api/v1/exports/sales.csv?fromBlock=9&toBlock=1");
    assert.equal(bad.status, 422);
  });

  it("answers only its configured host names (DNS rebinding) and sends no-store on keys and personal records", async () => {
    // Issue 22: any Host was answered, demo keys included, and nothing said not to cache them.
    const roster = join(mkdtempSync(join(tmpdir(), "jangbu-roster-")), "demo-roster.json");
    writeFileSync(
      roster,
      JSON.stringify({
        staff: [
          {
            id: "o1",
            role: "Official",
            region: 46810,
            organisation: "강진군청",
            title: "주무관",
            address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            privateKey: `0x${"11".repeat(32)}`,
          },
        ],
        farmers: [],
      }),
    );
    const app = createApp({
      db,
      storeKind: "pglite",
      chainId: 31337,
      addresses: {},
      allowedHosts: defaultAllowedHosts("127.0.0.1"),
      modules: [
        createPortalModule({ publicRpcUrl: "http://127.0.0.1:8545", demoRosterFile: roster }),
      ],
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const ask = (path: string, host: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              body += chunk;
            });
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
            );
          });
          req.on("error", reject);
          req.end();
        },
      );
    try {
      for (const host of [
        `127.0.0.1:${port}`,
        `localhost:${port}`,
        `LOCALHOST:${port}`,
        `[::1]:${port}`,
      ]) {
        const res = await ask("/api/v1/demo/personas", host);
        assert.equal(res.status, 200, host);
        assert.equal(res.headers["cache-control"], "no-store", `${host}: a key is never cached`);
      }
      for (const host of [
        "evil.example",
        `evil.example:${port}`,
        "localhost",
        `localhost:${port + 1}`,
        "127.0.0.1",
        `localhost.:${port}`,
      ]) {
        for (const path of ["/api/v1/demo/personas", "/api/v1/status", "/", "/openapi.json"]) {
          const res = await ask(path, host);
          assert.equal(res.status, 403, `${host} ${path}`);
          assert.equal(
            (JSON.parse(res.body) as { error: { code: string } }).error.code,
            "host_not_allowed",
          );
          assert.doesNotMatch(res.body, /privateKey/);
        }
      }
      // A Host Node's parser itself refuses never reaches the app.
      for (const host of ["bad host", `127.0.0.1:${port}@evil.example`]) {
        const malformed = await ask("/api/v1/demo/personas", host);
        assert.equal(malformed.status, 400, host);
        assert.doesNotMatch(malformed.body, /privateKey/);
      }
      // Personal records: an account page and lists filtered by a person; public lists are not.
      const [row] = await db.query<{ farmer: string }>("select farmer from sales limit 1");
      const host = `127.0.0.1:${port}`;
      for (const path of [
        `/api/v1/accounts/${row?.farmer}`,
        `/api/v1/accounts/${row?.farmer}`, // a cache hit keeps the header
        `/api/v1/sales?farmer=${row?.farmer}`,
        `/api/v1/allocations?farmer=${row?.farmer}`,
        `/api/v1/credentials?subject=${row?.farmer}`,
      ]) {
        const res = await ask(path, host);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers["cache-control"], "no-store", path);
      }
      assert.equal((await ask("/api/v1/sales", host)).headers["cache-control"], undefined);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // Configured names: any port for `name`, that port only for `name:port`.
    const rules = parseAllowedHosts("jangbu.example, api.jangbu.example:8443");
    assert.notEqual(rules, "*");
    if (rules !== "*") {
      assert.equal(hostAllowed(rules, "jangbu.example", 8080), true);
      assert.equal(hostAllowed(rules, "jangbu.example:443", 8080), true);
      assert.equal(hostAllowed(rules, "api.jangbu.example:8443", 8080), true);
      assert.equal(hostAllowed(rules, "api.jangbu.example", 8080), false);
      assert.equal(hostAllowed(rules, "localhost:8080", 8080), false);
    }
    const local = defaultAllowedHosts("127.0.0.1");
    assert.equal(hostAllowed(local, "localhost", 80), true, "no port: port 80");
    assert.equal(hostAllowed(local, "localhost", 8080), false);
    assert.equal(hostAllowed(local, "localhost:8080", undefined), false, "port unknown: refused");
    assert.equal(hostAllowed(defaultAllowedHosts("::1"), "[::1]:8080", 8080), true);
    assert.equal(parseAllowedHosts("*"), "*");
    assert.throws(
      () => parseEnv({ ALLOWED_HOSTS: "not a host" }),
      (e: unknown) => e instanceof EnvError && e.field === "ALLOWED_HOSTS",
    );
    // The service applies the default list: a foreign Host is refused, its own is served.
    const evil = await indexer.app.request("/api/v1/status", { headers: { host: "evil.example" } });
    assert.equal(evil.status, 403);
    const own = await indexer.app.request("/api/v1/status", {
      headers: { host: "127.0.0.1:8080" },
    });
    assert.equal(own.status, 200);
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

describe("store and API at the uint32 bound, without a chain", () => {
  const U32 = 4_294_967_295;
  const official = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  const farmer = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
  const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;
  let logIndex = 0;
  const event = (
    block: number,
    contract: EventRecord["contract"],
    name: string,
    args: Record<string, unknown>,
  ): EventRecord => {
    const index = logIndex++;
    return {
      pos: positionOf(block, index),
      chainId: 31337,
      blockNumber: block,
      blockHash: hashOf(block),
      blockTime: 1_790_000_000 + block * 2,
      txHash: hashOf(1_000 + index),
      txIndex: index,
      logIndex: index,
      address: official,
      contract,
      event: name,
      args: args as EventRecord["args"],
      signer: official,
    };
  };
  const events = [
    event(1, "CredentialRegistry", "IssuerSet", {
      issuer: official,
      role: 2,
      region: 46810,
      allowed: true,
      admin: official,
    }),
    event(1, "RicePurchase", "ProgramCreated", {
      programId: U32,
      official,
      cropYear: 2026,
      nationalQuota: "11250000",
      interimPerUnit: 40000,
      bulkDeduction: 1200,
      deliveryStart: 1_790_000_000,
      deliveryEnd: 1_800_000_000,
      varieties: [101, 102],
      disputePeriod: 14 * 86_400, // issue 19: every ProgramCreated carries it
    }),
    event(1, "RicePurchase", "RegionAllocated", {
      programId: U32,
      region: 46000,
      official,
      parentRegion: 0,
      units: "1000",
    }),
    event(1, "RicePurchase", "RegionAllocated", {
      programId: U32,
      region: 46810,
      official,
      parentRegion: 46000,
      units: "500",
    }),
    event(1, "RicePurchase", "QuotaAllocated", {
      programId: U32,
      farmer,
      official,
      region: 46810,
      units: 40,
    }),
    event(2, "RicePurchase", "QuotaAllocated", {
      programId: U32,
      farmer,
      official,
      region: 46810,
      units: 50,
    }),
    event(2, "RicePurchase", "RegionAllocated", {
      programId: U32,
      region: 46810,
      official,
      parentRegion: 46000,
      units: "600",
    }),
    event(2, "CredentialRegistry", "IssuerSet", {
      issuer: official,
      role: 2,
      region: 46810,
      allowed: false,
      admin: official,
    }),
  ];

  async function check(db: Database) {
    const store = await createStore({ db });
    await store.initSyncState({ chainId: 31337, addresses: "test", startBlock: 1 });
    for (const block of [1, 2]) {
      await store.applyBatch({
        expectedBlock: block - 1,
        toBlock: block,
        toHash: hashOf(block),
        headers: [
          {
            number: block,
            hash: hashOf(block),
            parentHash: hashOf(block - 1),
            timestamp: 1_790_000_000 + block * 2,
          },
        ],
        events: events.filter((e) => e.blockNumber === block),
        keepBlocksFrom: 0,
      });
    }
    const app = createApp({ db, storeKind: db.kind, chainId: 31337, addresses: {}, cache: false });
    const get = async <T>(path: string) => {
      const res = await app.request(path);
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as T;
    };
    type Prov = {
      created: { blockNumber: number; txHash: string };
      updated: { blockNumber: number };
    };
    const program = await get<{ id: number; quotas: { region: number; units: string }[] }>(
      `/api/v1/programs/${U32}`,
    );
    assert.equal(program.id, U32);
    assert.deepEqual(
      program.quotas.map((q) => [q.region, q.units]),
      [
        [46000, "1000"],
        [46810, "600"],
      ],
    );
    const allocations = await get<Page<{ units: number; provenance: Prov }>>(
      `/api/v1/allocations?program=${U32}`,
    );
    assert.equal(allocations.items.length, 1);
    assert.equal(allocations.items[0]?.units, 50);
    assert.equal(allocations.items[0]?.provenance.created.blockNumber, 1, "created in block 1");
    assert.equal(allocations.items[0]?.provenance.created.txHash, events[4]?.txHash);
    assert.equal(allocations.items[0]?.provenance.updated.blockNumber, 2, "updated in block 2");
    const quotas = await get<{ items: { region: number; provenance: Prov }[] }>(
      `/api/v1/quotas?program=${U32}&region=46810`,
    );
    assert.deepEqual(
      quotas.items.map((q) => [q.provenance.created.blockNumber, q.provenance.updated.blockNumber]),
      [[1, 2]],
    );
    const issuers = await get<{ items: { allowed: boolean; provenance: Prov }[] }>(
      "/api/v1/issuers",
    );
    assert.equal(issuers.items[0]?.allowed, false);
    assert.equal(issuers.items[0]?.provenance.created.blockNumber, 1);
    assert.equal(issuers.items[0]?.provenance.updated.blockNumber, 2);

    // Migration 6 rebuilds the creation of rows an older store holds from the event log: the
    // same values the handlers write.
    const expected = await dumpStore(db);
    await db.exec(`
      alter table issuers drop column created_pos;
      alter table quotas drop column created_pos;
      alter table allocations drop column created_pos;
      delete from schema_migrations where id = 6;`);
    assert.equal(await migrate(db), 1);
    assert.deepEqual(await dumpStore(db), expected);

    // A rollback rebuilds the rows from the surviving events: created and updated in block 1.
    await store.rollback(1, hashOf(1));
    const rolled = await get<Page<{ units: number; provenance: Prov }>>(
      `/api/v1/allocations?program=${U32}`,
    );
    assert.equal(rolled.items[0]?.units, 40);
    assert.equal(rolled.items[0]?.provenance.updated.blockNumber, 1);
  }

  it("a programme id of 4,294,967,295 is stored and served; allocations, quotas and issuers keep their creation (PGlite)", async () => {
    const db = await createPgliteDatabase();
    try {
      await check(db);
    } finally {
      await db.close();
    }
  });

  it("the same on PostgreSQL", async (t) => {
    await withTestPostgres(t, check);
  });
});
