/**
 * Browser scenario (real Chromium, 360 px phone): a demo farmer sees each sale's settlement
 * estimate — interim, the estimate from the farm-gate prices so far with its range and clawback
 * risk, and the chart — for the open programme, and the actual figures for the programme whose
 * final prices are set. The panel's figures are the API's (`/estimates`), which the API test
 * checks against the contract. `npm run test:e2e:estimate` (same ports and E2E_* as run.ts).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { won } from "../../portal/src/lib/format.ts";
import { axe, openSession, type Persona, runSession, servePersonas, shots } from "./lib.ts";

const session = await openSession();
const { browser, cast, people, url, api } = session;

type Estimate = {
  saleId: string;
  interim: string;
  estimate: { finalAmount: string; low: string; high: string; complete: boolean } | null;
  actual: { finalAmount: string; balance: string } | null;
};

const tests: [string, () => Promise<void>][] = [
  [
    "farmer at 360 px: each sale's settlement estimate, range, clawback risk and chart; actual figures once final",
    async () => {
      // A demo farm with a sale in the open programme (estimate) and one with final prices.
      let farmer: Persona | undefined;
      let mine: Estimate[] = [];
      for (const f of cast.farmers) {
        mine = (await api<{ items: Estimate[] }>(`estimates?farmer=${f.address}`)).items;
        if (
          mine.some((e) => e.actual === null && e.estimate !== null) &&
          mine.some((e) => e.actual)
        ) {
          farmer = f;
          break;
        }
      }
      assert.ok(farmer !== undefined, "a demo farm has an estimated sale and a settled one");
      const ctx = await browser.newContext({
        locale: "ko-KR",
        timezoneId: "Asia/Seoul",
        bypassCSP: true,
        viewport: { width: 360, height: 780 },
        hasTouch: true,
      });
      const page: Page = await ctx.newPage();
      page.on("pageerror", (e) => console.log(`    [pageerror] ${e.message}`));
      await servePersonas(page, people);
      await page.goto(url("/wallet"));
      await page.locator(`[data-persona="${farmer.id}"]`).click();
      await page.getByText(farmer.address, { exact: false }).first().waitFor();
      await page.goto(url("/farmer"));
      await page.getByTestId("settlement-estimate").first().waitFor();

      const estimated = mine.find((e) => e.actual === null && e.estimate !== null) as Estimate;
      const card = page.locator(
        `[data-testid="my-sale"]:has(a[href$="/sale/${estimated.saleId}"])`,
      );
      const panel = card.getByTestId("settlement-estimate");
      assert.match(
        (await panel.getByTestId("estimate-final").textContent()) ?? "",
        new RegExp(won(estimated.estimate?.finalAmount).replace(/[₩,]/g, "\\$&")),
      );
      assert.match(
        (await panel.getByTestId("estimate-range").textContent()) ?? "",
        /₩[\d,]+ ~ ₩[\d,]+/,
      );
      await panel.getByTestId("estimate-clawback").waitFor();
      const chart = panel.getByRole("img", { name: /산지쌀값/ });
      await chart.waitFor();
      assert.ok((await chart.locator("circle").count()) >= 1, "the chart shows the observations");
      const box = await chart.boundingBox();
      assert.ok(box !== null && box.width <= 360, `chart ${box?.width} px wide`);

      const settled = mine.find((e) => e.actual !== null) as Estimate;
      const done = page
        .locator(`[data-testid="my-sale"]:has(a[href$="/sale/${settled.saleId}"])`)
        .getByTestId("settlement-estimate");
      assert.match(
        (await done.getByTestId("actual-final").textContent()) ?? "",
        /확정된 최종 금액₩[\d,]+/,
      );
      assert.equal(await done.getByTestId("estimate-range").count(), 0);

      const overflowX = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      assert.ok(overflowX <= 0, `scrolls sideways by ${overflowX} px`);
      await panel.scrollIntoViewIfNeeded();
      const violations = await axe(page, "farmer-estimate-phone");
      await shots(page, "farmer-estimate-phone");
      await ctx.close();
      assert.deepEqual(violations, []);
    },
  ],
];

await runSession(session, tests);
