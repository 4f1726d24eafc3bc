/**
 * Browser end-to-end flows of issue 21 not covered by run.ts (real Chromium): `npm run test:e2e:flows`.
 *   - a tender by the official at 1280 px: published, amended with the "정정 공고" form, bid on by
 *     two suppliers at 360 px, the draw seed imported from its file in a browser that lacks it
 *     (the disabled "추첨·낙찰" says why), awarded, delivered by the winner at 360 px, accepted and
 *     paid by the official;
 *   - credential revocation by searching and picking;
 *   - short references (2026-46810-000123) in lists, the cancel dialog and search; a live event
 *     keeps "더 보기" open and the scroll position; the farmer's receipt with her name from her
 *     own device, none for a cancelled sale;
 *   - layout shift (CLS, PerformanceObserver) below 0.1 on every page, and axe with no serious or
 *     critical finding on every signed-in screen.
 * Starts its own `npm start` on E2E_PORT / E2E_RPC_PORT unless E2E_BASE_URL is set.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { axe, openSession, type Persona, rpc, runSession, shots } from "./lib.ts";

const session = await openSession();
const { stack, people, who, url, signIn, sign } = session;
type Json = Record<string, unknown>;
const api = (path: string) => session.api<Json>(path);
const a11y: string[] = [];
const cls: string[] = [];
const shifts: Record<string, number> = {};

/** Sums layout-shift entries not caused by input into window.__cls (reset per page measured). */
const CLS_OBSERVER = `
  window.__cls = 0;
  window.__clsSources = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__cls += e.value;
      for (const s of e.sources || [])
        window.__clsSources.push(
          e.value.toFixed(3) + " " + (s.node && s.node.nodeType === 1
            ? s.node.tagName + "." + s.node.className + " " + (s.node.textContent || "").slice(0, 30)
            : String(s.node && s.node.nodeName)) + " y " + s.previousRect.y + "→" + s.currentRect.y,
        );
    }
  }).observe({ type: "layout-shift", buffered: true });
`;

const context = (width: 360 | 1280) => session.page({ width, initScript: CLS_OBSERVER });

/**
 * Loads `hash` in a fresh document and measures its layout shift until the page has settled;
 * also runs axe when `scan` names the screen.
 */
async function measure(page: Page, name: string, hash: string, ready: string, scan = false) {
  await page.goto("about:blank");
  await page.goto(url(hash));
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(800);
  const value = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
  shifts[name] = Math.round(value * 1000) / 1000;
  if (value >= 0.1) {
    const sources = await page.evaluate(
      () => (window as unknown as { __clsSources: string[] }).__clsSources,
    );
    cls.push(`${name}: CLS ${value.toFixed(3)} (${sources.slice(0, 4).join("; ")})`);
  }
  if (scan) a11y.push(...(await axe(page, name)));
}

const tests: [string, () => Promise<void>][] = [
  [
    "tender: published, amended with the form, bids at 360 px, seed imported, awarded, delivered, accepted and paid",
    async () => {
      const off = await context(1280);
      await signIn(off, "official-gangjin-contract");
      await off.goto(url("/official/tenders"));
      const f = off.getByRole("form", { name: "입찰 공고" });
      await f.getByLabel(/^제목/).fill("e2e 흐름 농업용 드론 구매");
      await f.getByLabel(/^수량/).fill("2");
      await f.getByLabel(/^기초금액/).fill("60000000");
      const seedFile = off.waitForEvent("download");
      await f.getByRole("button", { name: "입찰 공고" }).click();
      await sign(off, /입찰 공고: e2e 흐름 농업용 드론 구매/);
      const seedPath = await (await seedFile).path();
      const tender = ((await api("tenders?q=e2e 흐름")).items as Json[])[0];
      assert.ok(tender, "tender indexed");
      const ref = String(tender.ref);
      assert.match(ref, /^\d{4}-46810-T\d{6}$/);
      // The reference is the tender's name on the official's list and finds it in search.
      await off.reload();
      const card = off.locator("li.card", { hasText: "e2e 흐름 농업용 드론 구매" });
      assert.equal(await card.getByTestId("tender-ref").textContent(), ref);
      // 정정 공고: the form holds the current terms; a deadline inside 5 days is refused.
      await card.getByRole("button", { name: "정정 공고" }).click();
      const amend = card.getByTestId("amend-form");
      assert.equal(await amend.getByLabel(/^제목/).inputValue(), "e2e 흐름 농업용 드론 구매");
      await amend.getByLabel(/^입찰 마감/).fill("1");
      await amend.getByRole("button", { name: "정정 내용 확인 후 서명" }).click();
      await amend.getByText("사유를 적어 주세요").waitFor();
      await amend.getByText(/입찰 마감은 .* 이후여야 합니다/).waitFor();
      assert.equal(await off.locator("dialog.sign-dialog[open]").count(), 0);
      await amend.getByLabel(/^정정 사유/).fill("수량 정정 (2대 → 3대)");
      await amend.getByLabel(/^수량/).fill("3");
      await amend.getByLabel(/^입찰 마감/).fill("130");
      await amend.getByRole("button", { name: "정정 내용 확인 후 서명" }).click();
      await sign(off, new RegExp(`정정 공고 \\(입찰 ${ref}\\)`));
      const amended = (await api(`tenders/${ref}`)) as {
        version: number;
        quantity: string;
        amendments: { reason: string }[];
      };
      assert.equal(amended.version, 2);
      assert.equal(amended.quantity, "3");
      assert.equal(amended.amendments.at(-1)?.reason, "수량 정정 (2대 → 3대)");
      a11y.push(...(await axe(off, "official-tenders")));
      // Two suppliers bid on their phones.
      const bidders: [string, string, [number, number]][] = [
        ["supplier-namdo", "55600000", [3, 9]],
        ["supplier-tamjin", "56900000", [5, 12]],
      ];
      const phones: Page[] = [];
      for (const [id, price, [a, b]] of bidders) {
        const sp = await context(360);
        phones.push(sp);
        await signIn(sp, id);
        await sp.goto(url("/supplier"));
        const c = sp.locator("li.card", { hasText: "e2e 흐름 농업용 드론 구매" });
        assert.match((await c.locator("h3").textContent()) ?? "", new RegExp(ref));
        await c.getByLabel(/^입찰가/).fill(price);
        await c.getByLabel(/①/).fill(String(a));
        await c.getByLabel(/②/).fill(String(b));
        await c.getByRole("button", { name: "봉인해서 제출" }).click();
        await sign(sp, /봉인 입찰 제출/);
        await c.getByTestId("bid-status").getByText("봉인 입찰 제출됨").waitFor();
      }
      await rpc(stack.rpc, "evm_increaseTime", [131 * 3600]);
      await rpc(stack.rpc, "evm_mine");
      for (const [i, sp] of phones.entries()) {
        await sp.reload();
        const c = sp.locator("li.card", { hasText: "e2e 흐름 농업용 드론 구매" });
        await c.getByRole("button", { name: "개찰 (입찰가 공개)" }).click();
        await sign(sp, /개찰: 입찰가/);
        await c.getByText("개찰 완료").waitFor();
        assert.ok(bidders[i]);
      }
      await rpc(stack.rpc, "evm_increaseTime", [26 * 3600]);
      await rpc(stack.rpc, "evm_mine");
      // Another browser of the same official, without the seed: the button says why; the file fixes it.
      const other = await context(1280);
      await signIn(other, "official-gangjin-contract");
      await other.goto(url("/official/tenders"));
      const oc = other.locator("li.card", { hasText: "e2e 흐름 농업용 드론 구매" });
      const reveal = oc.getByRole("button", { name: "추첨 시드 공개" });
      await reveal.waitFor();
      assert.equal(await reveal.isDisabled(), true);
      const why = await reveal.getAttribute("aria-describedby");
      assert.match((await other.locator(`[id="${why}"]`).textContent()) ?? "", /추첨 시드가 없어/);
      await oc.getByLabel("추첨 시드 파일 가져오기").setInputFiles({
        name: "wrong.json",
        mimeType: "application/json",
        buffer: Buffer.from(JSON.stringify({ seed: `0x${"11".repeat(32)}` })),
      });
      await oc.getByText(/시드 약속값과 맞지 않습니다/).waitFor();
      assert.ok(seedPath);
      await oc.getByLabel("추첨 시드 파일 가져오기").setInputFiles({
        name: "seed.json",
        mimeType: "application/json",
        buffer: readFileSync(seedPath),
      });
      await other.waitForFunction(
        () =>
          [...document.querySelectorAll("button")].some(
            (b) => b.textContent === "추첨 시드 공개" && !b.disabled,
          ),
        null,
        { timeout: 15_000 },
      );
      await oc.getByRole("button", { name: "추첨 시드 공개" }).click();
      await sign(other, /추첨 시드 공개/);
      await rpc(stack.rpc, "evm_mine");
      await rpc(stack.rpc, "evm_mine");
      await other.reload();
      await oc.getByRole("button", { name: "추첨·낙찰" }).click();
      await sign(other, /예정가격 추첨과 낙찰 결정/);
      const awarded = (await api(`tenders/${tender.id}`)) as { state: string; winner: string };
      assert.equal(awarded.state, "Awarded");
      // The winner records delivery on its phone.
      const winner = bidders.findIndex(([id]) => who(id).address === awarded.winner);
      assert.ok(winner >= 0, "a persona won");
      const wp = phones[winner] as Page;
      await wp.goto(url("/supplier"));
      const won = wp.locator("li.card", { hasText: "e2e 흐름 농업용 드론 구매" }).filter({
        has: wp.getByRole("button", { name: "납품 기록" }),
      });
      await won.getByRole("button", { name: "납품 기록" }).click();
      await sign(wp, /납품/);
      assert.equal(((await api(`tenders/${tender.id}`)) as { state: string }).state, "Delivered");
      a11y.push(...(await axe(wp, "supplier-won")));
      await shots(wp, "flows-supplier-delivered");
      // The official accepts and pays the contract amount.
      await other.reload();
      await oc.getByRole("button", { name: "검수 완료" }).click();
      await sign(other, /검수/);
      await other.reload();
      await oc.getByRole("button", { name: "대금 지급" }).click();
      await sign(other, /대금/);
      const paid = (await api(`tenders/${tender.id}`)) as {
        state: string;
        paidAmount: string;
        contractAmount: string;
      };
      assert.equal(paid.state, "Paid");
      assert.equal(paid.paidAmount, paid.contractAmount);
      await shots(other, "flows-official-tender-paid");
      for (const p of [off, other, ...phones]) await p.context().close();
    },
  ],
  [
    "official at 1280 px revokes a credential by searching and picking it",
    async () => {
      const target = who("farmer-05");
      const before = (await api(`credentials?subject=${target.address}&status=valid`))
        .items as Json[];
      assert.ok(before.length >= 1, "farmer-05 holds a valid credential");
      const off = await context(1280);
      await signIn(off, "official-gangjin");
      await off.goto(url("/official/credentials"));
      const form = off.getByRole("form", { name: "폐지" });
      await form.getByLabel("폐지할 자격 찾기").fill("농가");
      await form.getByTestId("revoke-candidates").locator("input[type=radio]").first().waitFor();
      // The address as the portal shows it narrows the list to that holder.
      const shown = `${target.address.slice(0, 8)}…${target.address.slice(-6)}`;
      await form.getByLabel("폐지할 자격 찾기").fill(shown);
      const radios = form.getByTestId("revoke-candidates").locator("input[type=radio]");
      await off.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="revoke-candidates"] input').length === n,
        before.length,
      );
      await form.getByRole("button", { name: "폐지" }).click();
      await form.getByText("폐지할 자격을 목록에서 고르세요.").waitFor();
      await radios.first().check();
      await form.getByLabel(/^폐지 사유/).fill("영농 중단 신고 (e2e)");
      await form.getByRole("button", { name: "폐지" }).click();
      await sign(off, /자격 폐지: 농가/);
      const after = (await api(`credentials?subject=${target.address}&status=valid`))
        .items as Json[];
      assert.equal(after.length, before.length - 1);
      a11y.push(...(await axe(off, "official-credentials")));
      await off.context().close();
    },
  ],
  [
    "references and search: lists, the cancel dialog, free text; a live event keeps 더 보기 and the scroll",
    async () => {
      const farmer = who("farmer-60");
      const fp = await context(360);
      await signIn(fp, farmer.id);
      await fp.goto(url("/farmer"));
      const form = fp.getByTestId("sale-form").first();
      await form.getByLabel(/^수량/).fill("20");
      await form.getByLabel(/^품종/).selectOption("101");
      await form.getByLabel(/^수매장/).selectOption("4681003");
      await form.getByRole("button", { name: "출하 신청하기" }).click();
      await sign(fp, /출하 신청 \(20포대/);
      const mine = (await api(`sales?farmer=${farmer.address}&state=Submitted`)).items as Json[];
      const sale = mine.find((s) => s.collectionPoint === 4681003);
      assert.ok(sale);
      const ref = String(sale.ref);
      assert.match(ref, /^\d{4}-46810-\d{6}$/);
      // The sale's card and its cancel dialog name it by its reference, not a hex id.
      const card = fp.getByTestId("my-sale").filter({ hasText: ref });
      await card.waitFor();
      assert.equal(await card.getByRole("link", { name: "매입확인서" }).count(), 0);
      await card.getByRole("button", { name: "신청 취소" }).click();
      const dialog = fp.locator("dialog.sign-dialog");
      await dialog.waitFor({ state: "visible" });
      const title = (await dialog.locator("h2").textContent()) ?? "";
      assert.ok(title.includes(ref), title);
      assert.doesNotMatch(title, /0x[0-9a-f]{4}/i);
      await sign(fp, new RegExp(ref));
      // No receipt for a cancelled sale, even by its address.
      await fp.goto(url(`/receipt/${sale.id}`));
      await fp.getByTestId("no-receipt").waitFor();
      // Search: by reference, by region name, by the address as displayed.
      const sp = await context(1280);
      for (const [q, expect] of [
        [ref, 1],
        [`${farmer.address.slice(0, 8)}…${farmer.address.slice(-6)}`, -1],
      ] as const) {
        await sp.goto(url(`/search?kind=sales&q=${encodeURIComponent(q)}`));
        await sp.getByTestId("sale-ref").first().waitFor();
        const refs = await sp.getByTestId("sale-ref").allTextContents();
        if (expect === 1) assert.deepEqual(refs, [ref]);
        else assert.ok(refs.includes(ref) && refs.length >= 1, `${q}: ${refs.join(",")}`);
      }
      await sp.goto(url(`/search?kind=sales&q=${encodeURIComponent("강진군")}`));
      await sp.getByTestId("sale-ref").first().waitFor();
      assert.match(
        (await sp.locator("table.data tbody tr").first().textContent()) ?? "",
        /전라남도 강진군/,
      );
      // "더 보기" twice, scroll down, then a live event (a new sale): nothing collapses or moves.
      await sp.goto(url("/search?kind=sales"));
      // The whole first page, with its "더 보기": counted before, it could be the last query's rows.
      await sp.getByRole("button", { name: "더 보기" }).waitFor();
      for (let i = 0; i < 1; i++) {
        const n = await sp.getByTestId("sale-ref").count();
        await sp.getByRole("button", { name: "더 보기" }).click();
        await sp.waitForFunction(
          (m) => document.querySelectorAll('[data-testid="sale-ref"]').length > m,
          n,
        );
      }
      const rows = await sp.getByTestId("sale-ref").count();
      assert.ok(rows > 50, `${rows} rows after 더 보기`);
      const anchor = sp.getByTestId("sale-ref").nth(rows - 10);
      await anchor.scrollIntoViewIfNeeded();
      const anchorText = await anchor.textContent();
      const y0 = (await anchor.boundingBox())?.y ?? -1;
      const form2 = fp.getByTestId("sale-form").first();
      await fp.goto(url("/farmer"));
      await form2.getByLabel(/^수량/).fill("20");
      await form2.getByLabel(/^품종/).selectOption("101");
      await form2.getByLabel(/^수매장/).selectOption("4681004");
      await form2.getByRole("button", { name: "출하 신청하기" }).click();
      await sign(fp, /출하 신청 \(20포대/);
      await sp.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="sale-ref"]').length > n,
        rows,
        { timeout: 20_000 },
      );
      const same = sp.getByTestId("sale-ref").filter({ hasText: anchorText ?? "" });
      const y1 = (await same.boundingBox())?.y ?? -2;
      assert.ok(Math.abs(y1 - y0) < 2, `row moved from ${y0} to ${y1} px`);
      // Every row loaded with 더 보기 is still there.
      assert.equal(await sp.getByTestId("sale-ref").count(), rows + 1);
      for (const p of [fp, sp]) await p.context().close();
    },
  ],
  [
    "the farmer's receipt: her name from her own device, prices per grade, amounts; not in the API",
    async () => {
      const settled = (await api("sales?state=Settled&limit=100")).items as Json[];
      const sale = settled.find((s) => people.some((p) => p.address === s.farmer));
      assert.ok(sale, "a settled demo sale");
      const farmer = people.find((p) => p.address === sale.farmer) as Persona & {
        record: { name: string; farmRegistrationNo: string };
        credentialFile: string;
      };
      const page = await context(360);
      await signIn(page, farmer.id);
      // Her credential file, as she received it when her credential was issued: kept encrypted on
      // her phone by the portal (the receipt reads her name and farm from it).
      await page.goto(url("/credentials"));
      await page.getByTestId("credential-import-file").setInputFiles(farmer.credentialFile);
      await page.getByText("가져왔습니다").waitFor();
      await page.goto(url("/farmer"));
      await page
        .getByTestId("my-sale")
        .filter({ hasText: String(sale.ref) })
        .getByRole("link", { name: "매입확인서" })
        .click();
      await page.getByTestId("receipt-grades").waitFor();
      const text = (await page.locator("main").textContent()) ?? "";
      assert.ok(text.includes(farmer.record.name), "her name from the device");
      assert.ok(text.includes(farmer.record.farmRegistrationNo), "her farm from the device");
      assert.ok(text.includes(String(sale.ref)));
      assert.match(text, /최종 매입 금액₩[\d,]+/);
      const prices = await page.getByTestId("receipt-grades").locator("tbody tr").count();
      assert.equal(prices, 4);
      const record = JSON.stringify(await api(`sales/${sale.id}`));
      assert.ok(!record.includes(farmer.record.name), "the public API does not know her name");
      a11y.push(...(await axe(page, "receipt")));
      await shots(page, "flows-receipt");
      // Someone else looking at the same receipt sees no name.
      const other = await context(360);
      await other.goto(url(`/receipt/${sale.id}`));
      await other.getByTestId("receipt-farmer").waitFor();
      assert.ok(!((await other.locator("main").textContent()) ?? "").includes(farmer.record.name));
      for (const p of [page, other]) await p.context().close();
    },
  ],
  [
    "layout shift below 0.1 on every page; axe clean on every signed-in screen",
    async () => {
      const sale = ((await api("sales?state=Settled&limit=1")).items as Json[])[0] as Json;
      const tender = ((await api("tenders?limit=1")).items as Json[])[0] as Json;
      const pub = await context(1280);
      for (const [name, hash, ready] of [
        ["home", "/", "main h1"],
        ["search", "/search?kind=sales", "table.data tbody tr"],
        ["stats", "/stats", "main h1"],
        ["wallet", "/wallet", "[data-persona]"],
        ["sale", `/sale/${sale.id}`, '[data-testid="record-ready"]'],
        ["tender", `/tender/${tender.id}`, '[data-testid="record-ready"]'],
        ["programme", "/programme/1", '[data-testid="record-ready"]'],
        ["receipt", `/receipt/${sale.id}`, ".qr svg"],
      ] as const)
        await measure(pub, name, hash, ready);
      await pub.context().close();
      const screens: [string, string, 360 | 1280, string, string][] = [
        ["farmer", "farmer-60", 360, "/farmer", '[data-testid="allocation"]'],
        ["inspector", "inspector-naqs-1", 360, "/inspector", "main h2"],
        ["supplier", "supplier-namdo", 360, "/supplier", "main h1"],
        ["official-approvals", "official-gangjin-pay", 1280, "/official/approvals", "main h2"],
        ["official-payments", "official-gangjin-pay", 1280, "/official/payments", "main h2"],
        ["official-programmes", "official-gangjin", 1280, "/official/programmes", "main h2"],
        ["official-credentials", "official-gangjin", 1280, "/official/credentials", "main h2"],
        ["official-tenders", "official-gangjin-contract", 1280, "/official/tenders", "li.card"],
        ["wallet-signed-in", "farmer-60", 360, "/wallet", "main h1"],
      ];
      for (const [name, persona, width, hash, ready] of screens) {
        const page = await context(width);
        await signIn(page, persona);
        await measure(page, name, hash, ready, true);
        await page.context().close();
      }
      console.log(`    CLS per page: ${JSON.stringify(shifts)}`);
      assert.deepEqual(cls, []);
    },
  ],
  [
    "accessibility: no serious or critical axe violations on the signed-in screens",
    async () => {
      assert.deepEqual(a11y, []);
    },
  ],
];

// E2E_GREP=a|b (runTests) runs only the tests whose name contains one of them.
await runSession(session, tests);
