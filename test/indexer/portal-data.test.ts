/**
 * Issue 21, items 4 and 6, against the demo season indexed from a real chain:
 *   - every download link the portal makes (portal/src/api/exports.ts, the module its pages use)
 *     answers 200 with a CSV header line (or an OCDS package): no button points at a 404;
 *   - the official's payment list (portal/src/lib/payments.ts over sdk/settlement.ts) names, for
 *     every payable sale, exactly the payment the contract accepts next: `recordPayment` with that
 *     kind and amount (or `recordClawback`) succeeds in an eth_call from the paying official, and
 *     a sale listed as having nothing due refuses every payment kind.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, encodeFunctionData, keccak256, toHex } from "viem";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { listExports, recordExports, SEARCH_KINDS } from "../../portal/src/api/exports.ts";
import { paymentDueOf } from "../../portal/src/lib/payments.ts";
import { createCast } from "../../scripts/seed/actors.ts";
import { CSV_EXPORT_PATHS, CSV_EXPORTS } from "../../sdk/exports.ts";
import { PaymentKind, RicePurchaseAbi } from "../../sdk/index.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { envFor, indexUntil } from "./helpers/indexer.ts";

type Json = Record<string, unknown>;

describe("portal downloads and payment amounts", () => {
  let chain: TestChain & { lastBlock: number };
  let db: Database;
  let indexer: Indexer;
  const get = async (path: string) => {
    const res = await indexer.app.request(path);
    return {
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      text: await res.text(),
    };
  };
  const json = async <T = Json>(path: string): Promise<T> => {
    const r = await get(path);
    assert.equal(r.status, 200, `${path} → ${r.status}`);
    return JSON.parse(r.text) as T;
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

  /** A CSV download: 200, text/csv, a header line of column names and at least one data line. */
  const assertCsv = async (href: string, rows: "some" | "any" = "some") => {
    const r = await get(href);
    assert.equal(r.status, 200, `${href} → ${r.status}: ${r.text.slice(0, 200)}`);
    assert.match(r.type, /^text\/csv/, href);
    const lines = r.text
      .replace(/^\uFEFF/, "")
      .split("\r\n")
      .filter(Boolean);
    assert.match(lines[0] ?? "", /^id,[a-zA-Z]+(,[a-zA-Z]+)+$/, `${href} header: ${lines[0]}`);
    if (rows === "some") assert.ok(lines.length > 1, `${href}: no data line`);
    assert.ok(!lines.some((l) => l.startsWith("#ERROR")), `${href}: incomplete export`);
    return lines;
  };
  const assertOcds = async (href: string) => {
    const r = await get(href);
    assert.equal(r.status, 200, `${href} → ${r.status}: ${r.text.slice(0, 200)}`);
    const body = JSON.parse(r.text) as { releases?: unknown[] };
    assert.ok(Array.isArray(body.releases) && body.releases.length > 0, `${href}: no release`);
  };

  it("every list's CSV and OCDS link on the search page", async () => {
    // Every list the portal shows has a CSV export.
    assert.deepEqual([...SEARCH_KINDS].sort(), [...CSV_EXPORTS].sort());
    for (const kind of SEARCH_KINDS) {
      const links = listExports(kind);
      assert.ok(links.some((l) => l.format === "csv" && l.href === CSV_EXPORT_PATHS[kind]));
      for (const l of links) await (l.format === "csv" ? assertCsv(l.href) : assertOcds(l.href));
    }
    const programmes = await assertCsv(CSV_EXPORT_PATHS.programs);
    const listed = await json<{ items: Json[] }>("/api/v1/programs?limit=100");
    assert.equal(programmes.length - 1, listed.items.length, "one CSV line per programme");
  });

  it("every record page's download link", async () => {
    const sale = (await json<{ items: Json[] }>("/api/v1/sales?limit=1")).items[0] as Json;
    const tender = (await json<{ items: Json[] }>("/api/v1/tenders?limit=1")).items[0] as Json;
    const programme = (await json<{ items: Json[] }>("/api/v1/programs?limit=1")).items[0] as Json;
    const credential = (await json<{ items: Json[] }>("/api/v1/credentials?limit=1"))
      .items[0] as Json;
    const pages: [string, Json][] = [
      ["sale", sale],
      ["tender", tender],
      ["programme", programme],
      ["credential", credential],
    ];
    let count = 0;
    for (const [kind, record] of pages) {
      const links = recordExports(kind, String(record.id), record);
      assert.ok(links.length > 0, `${kind} page offers no download`);
      for (const l of links) {
        if (l.format === "csv") await assertCsv(l.href);
        else await assertOcds(l.href);
        count++;
      }
    }
    assert.equal(count, 5);
    // Filters narrow the file: the holder's credentials are all this holder's.
    const [header, ...rows] = await assertCsv(
      recordExports("credential", String(credential.id), credential)[0]?.href ?? "",
    );
    const subjectCol = (header ?? "").split(",").indexOf("subject");
    for (const row of rows) assert.equal(row.split(",")[subjectCol], credential.subject);
  });

  it("the payment list names exactly the payment the contract accepts next", async () => {
    const payer = createCast().get("official-gangjin-pay").address;
    const rice = chain.deployment.addresses.RicePurchase as Address;
    const accepts = async (fn: "recordPayment" | "recordClawback", args: readonly unknown[]) => {
      try {
        await chain.request("eth_call", [
          {
            from: payer,
            to: rice,
            data: encodeFunctionData({ abi: RicePurchaseAbi, functionName: fn, args } as never),
          },
          "latest",
        ]);
        return true;
      } catch {
        return false;
      }
    };
    const programmes = new Map(
      (await json<{ items: Json[] }>("/api/v1/programs?limit=100")).items.map((p) => [
        String(p.id),
        p,
      ]),
    );
    const ref = keccak256(toHex("은행 이체 2026-12-05 제123호"));
    const seen = { interim: 0, final: 0, clawback: 0, repayment: 0, none: 0 };
    for (const state of ["Approved", "InterimPaid", "ClawbackDue"]) {
      const sales = (await json<{ items: Json[] }>(`/api/v1/sales?state=${state}&limit=100`)).items;
      for (const sale of sales.filter((s) => Number(s.region) === 46810)) {
        const id = BigInt(String(sale.id));
        const due = paymentDueOf(sale, programmes.get(String(sale.programId)));
        if (due === null) {
          seen.none++;
          for (const kind of Object.values(PaymentKind)) {
            // Nothing due: no kind with the settlement's interim or any amount is accepted.
            const interim = BigInt(String(sale.interimAmount ?? 0));
            assert.equal(await accepts("recordPayment", [id, kind, interim, ref]), false);
          }
          assert.equal(await accepts("recordClawback", [id]), false, `clawback on ${id}`);
          continue;
        }
        if (due.action === "clawback") {
          seen.clawback++;
          assert.ok(await accepts("recordClawback", [id]), `recordClawback ${id}`);
          assert.equal(
            await accepts("recordPayment", [id, PaymentKind.FinalBalance, 0n, ref]),
            false,
          );
          continue;
        }
        if (due.kind === PaymentKind.Interim) seen.interim++;
        if (due.kind === PaymentKind.FinalBalance) seen.final++;
        if (due.kind === PaymentKind.ClawbackRepayment) seen.repayment++;
        assert.ok(
          await accepts("recordPayment", [id, due.kind, due.amount, ref]),
          `${state} ${id}: kind ${due.kind} amount ${due.amount} refused`,
        );
        // One won off is refused: the amount shown is the only one the contract takes.
        assert.equal(await accepts("recordPayment", [id, due.kind, due.amount + 1n, ref]), false);
      }
    }
    assert.ok(seen.interim > 0, JSON.stringify(seen));
    assert.ok(seen.final + seen.clawback + seen.repayment + seen.none > 0, JSON.stringify(seen));
    console.log("payment list over the demo season:", JSON.stringify(seen));
  });
});
