/**
 * Browser scenario of issue 24's official screens (real Chromium): `npm run test:e2e:variety`.
 *   - 강진군's official at 1280 px names the county's varieties for a new programme, commits the
 *     draw (the secret's backup file is downloaded), and after the window closes imports that file
 *     in a browser without the secret, reveals and draws; the drawn farms the page recomputes with
 *     sdk/variety.ts are the API's and the ones this test derives itself;
 *   - the inspector at 360 px records the drawn farm's result (260 ‰ with a certificate file); the
 *     API lists the result, its certificate hash and the farm's exclusion for 2027–2031;
 *   - the national official at 1280 px records a farm-gate price observation, which the API
 *     serves; recording the same date again is refused with the contract's error in Korean.
 * The programme and the farms' sales are set up from Node, each persona signing its own forward
 * request (sdk/actions.ts) executed through the forwarder by a funded node account.
 * Starts its own `npm start` on E2E_PORT / E2E_RPC_PORT unless E2E_BASE_URL is set.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type ActionArgs,
  type ActionContractName,
  type ActionFunctionName,
  buildAction,
  jangbuContracts,
  prepareForwardRequest,
} from "../../sdk/actions.ts";
import { encodeExecute, signForwardRequest } from "../../sdk/forwarder.ts";
import { RicePurchaseAbi } from "../../sdk/generated/abis.ts";
import { deliveryDayAt, drawSample, varietySeedCommitment } from "../../sdk/variety.ts";
import { axe, openSession, rpc, runSession, shots } from "./lib.ts";

const session = await openSession();
const { stack, cast, who, url, signIn, sign } = session;
type Json = Record<string, unknown>;
const api = <T = Json>(path: string) => session.api<T>(path);
const GANGJIN = 46810;
const JEONNAM = 46000;
const a11y: string[] = [];

// ------------------------------------------------------------------ set-up from Node

const config = await api<{ chainId: number; contracts: Record<string, Address> }>("config");
const deployment = { addresses: config.contracts } as Parameters<typeof jangbuContracts>[0];
const contracts = jangbuContracts(deployment);
const forwarder = config.contracts.JangbuForwarder as Address;
const publicClient = createPublicClient({ transport: http(stack.rpc) });
// A funded node account that only this test uses (the seed and the relay use the first ones).
const payer = ((await rpc(stack.rpc, "eth_accounts")) as Address[])[7] as Address;
const payerWallet = createWalletClient({ account: payer, transport: http(stack.rpc) });

/** `contract.fn(args)` signed by persona `id`, executed through the forwarder; its receipt. */
async function act<C extends ActionContractName, const F extends ActionFunctionName<C>>(
  id: string,
  contract: C,
  fn: F,
  args: ActionArgs<C, F>,
) {
  const account = privateKeyToAccount(who(id).privateKey as Hex);
  const wallet = createWalletClient({ account, transport: http(stack.rpc) });
  const action = buildAction(contracts[contract], fn, args);
  const request = await prepareForwardRequest({
    publicClient,
    forwarder,
    from: account.address,
    action,
  });
  const signed = await signForwardRequest({
    wallet,
    account,
    chainId: config.chainId,
    forwarder,
    request,
  });
  const hash = await payerWallet.sendTransaction({
    chain: null,
    to: forwarder,
    data: encodeExecute(signed),
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success", `${id} ${fn} reverted`);
  return receipt;
}

async function chainTime(): Promise<number> {
  return Number((await publicClient.getBlock()).timestamp);
}

/** Waits until the API's answer at `path` satisfies `ok` (the indexer follows the chain). */
async function until<T = Json>(path: string, ok: (body: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 60; i++) {
    const body = await api<T>(path);
    if (ok(body)) return body;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the API never showed ${what} (${path})`);
}

// The new programme: open now for two days, quotas down to 강진군 and three of its farms.
const now = await chainTime();
const created = await act("official-mafra", "RicePurchase", "createProgram", [
  {
    cropYear: 2026,
    nationalQuota: 100_000n,
    interimPerUnit: 40_000,
    bulkDeduction: 1_200,
    deliveryStart: now - 3_600,
    deliveryEnd: now + 2 * 86_400,
    varieties: [101, 102],
    disputePeriod: 14 * 86_400,
  },
]);
const [programCreated] = parseEventLogs({
  abi: RicePurchaseAbi,
  eventName: "ProgramCreated",
  logs: created.logs,
});
assert.ok(programCreated, "ProgramCreated");
const programId = programCreated.args.programId;
await act("official-mafra", "RicePurchase", "allocateRegion", [programId, JEONNAM, 50_000n]);
await act("official-jeonnam", "RicePurchase", "allocateRegion", [programId, GANGJIN, 10_000n]);
const excluded = new Set(
  (await api<{ items: { farmer: string }[] }>("exclusions")).items.map((e) =>
    e.farmer.toLowerCase(),
  ),
);
const sellers = cast.farmers
  .filter((f) => f.region === GANGJIN && !excluded.has(f.address.toLowerCase()))
  .slice(0, 3);
assert.equal(sellers.length, 3, "three 강진군 farms that may sell");
for (const f of sellers) {
  await act("official-gangjin", "RicePurchase", "allocate", [
    programId,
    GANGJIN,
    f.address as Address,
    100,
  ]);
}

// ------------------------------------------------------------------ browser helpers

const context = (width: 360 | 1280) => session.page({ width });

async function openProgramme(page: Page): Promise<void> {
  await page.goto(url("/official/variety"));
  const select = page.getByLabel("매입 사업");
  await select.locator(`option[value="${programId}"]`).waitFor({ state: "attached" });
  await select.selectOption(String(programId));
}

let secretFile: string | undefined;
let drawnFarm: string | undefined;

const tests: [string, () => Promise<void>][] = [
  [
    "county official at 1280 px: designates, commits, reveals from the backup file and draws; the page's recomputed sample is the API's",
    async () => {
      const off = await context(1280);
      await signIn(off, "official-gangjin");
      await openProgramme(off);
      const county = off.getByTestId("county-draw");
      await county
        .getByTestId("draw-phase")
        .getByText(/아직 지정 품종이 없습니다/)
        .waitFor();
      await county.getByLabel(/^첫째 품종/).selectOption("101");
      await county.getByLabel(/^둘째 품종/).selectOption("102");
      await county.getByRole("button", { name: "지정 품종 정하기" }).click();
      await sign(off, /강진군 지정 품종: 새청무, 새일미/);
      await county.getByTestId("designated").getByText("새청무, 새일미").waitFor();
      await until<{ items: Json[] }>(
        `variety/counties?program=${programId}&region=${GANGJIN}`,
        (b) => JSON.stringify(b.items[0]?.varieties) === "[101,102]",
        "the designation",
      );

      const download = off.waitForEvent("download");
      await county.getByRole("button", { name: "추첨 약속값 등록" }).click();
      await sign(off, /품종검정 추첨 약속값 등록/);
      secretFile = await (await download).path();
      const backup = JSON.parse(readFileSync(secretFile, "utf8")) as { secret: Hex };
      const commitment = varietySeedCommitment(programId, GANGJIN, backup.secret);
      await until<{ items: Json[] }>(
        `variety/counties?program=${programId}&region=${GANGJIN}`,
        (b) => String(b.items[0]?.commitment).toLowerCase() === commitment.toLowerCase(),
        "the commitment the backup file opens",
      );
      await county
        .getByTestId("draw-phase")
        .getByText(/약속값이 등록되었습니다/)
        .waitFor();
      a11y.push(...(await axe(off, "official-variety-committed")));

      // The farms sell (designated variety), then the window closes.
      const day = deliveryDayAt(await chainTime());
      for (const f of sellers) {
        await act(f.id, "RicePurchase", "submitSale", [programId, 10, 0, 101, 4681001, day]);
      }
      await rpc(stack.rpc, "evm_increaseTime", [3 * 86_400]);
      await rpc(stack.rpc, "evm_mine");

      // This browser loses the secret: the reveal says why and takes the backup file back.
      await off.evaluate(() => localStorage.removeItem("jangbu.varietySecrets"));
      await openProgramme(off);
      await county
        .getByTestId("draw-phase")
        .getByText(/비밀값을 공개하세요/)
        .waitFor();
      const reveal = county.getByRole("button", { name: "비밀값 공개" });
      assert.equal(await reveal.isDisabled(), true);
      await county.getByLabel("추첨 비밀값 파일 가져오기").setInputFiles({
        name: "wrong.json",
        mimeType: "application/json",
        buffer: Buffer.from(JSON.stringify({ secret: `0x${"22".repeat(32)}` })),
      });
      await county.getByText(/등록한 약속값과 맞지 않습니다/).waitFor();
      await county.getByLabel("추첨 비밀값 파일 가져오기").setInputFiles(secretFile);
      await off.waitForFunction(
        () =>
          [...document.querySelectorAll("button")].some(
            (b) => b.textContent === "비밀값 공개" && !b.disabled,
          ),
        null,
        { timeout: 15_000 },
      );
      await reveal.click();
      await sign(off, /품종검정 추첨 비밀값 공개/);
      // The anchor is the block after the reveal: mine it (a dev chain mines only on demand).
      await rpc(stack.rpc, "evm_mine");
      await rpc(stack.rpc, "evm_mine");
      await county
        .getByTestId("draw-phase")
        .getByText(/추첨을 하세요/)
        .waitFor();
      await county.getByRole("button", { name: "추첨하기" }).click();
      await sign(off, /품종검정 대상 추첨/);

      const drawn = await until<{ items: Json[] }>(
        `variety/counties?program=${programId}&region=${GANGJIN}`,
        (b) => typeof b.items[0]?.seed === "string",
        "the draw",
      );
      const row = drawn.items[0] as Json;
      assert.equal(row.sellers, 3);
      assert.equal(row.sampleSize, 1);
      // This test's own derivation: the farm numbers from the seed, the frame from the order of sale.
      const numbers = drawSample(row.seed as Hex, 3);
      const sampled = row.sampled as { sellerIndex: number; farmer: string }[];
      assert.deepEqual(
        sampled.map((s) => s.sellerIndex),
        numbers,
      );
      const expected = sellers[(numbers[0] as number) - 1]?.address.toLowerCase();
      assert.equal(sampled[0]?.farmer.toLowerCase(), expected);
      drawnFarm = sampled[0]?.farmer;

      const farms = county.getByTestId("drawn-farms");
      await farms
        .getByTestId("draw-check")
        .getByText(/다시 계산해도 같은 결과/)
        .waitFor();
      assert.match(
        (await farms.getByTestId("draw-check").textContent()) ?? "",
        new RegExp(`농가 번호 ${numbers.join(", ")}\\)`),
      );
      assert.equal(await farms.getByTestId("drawn-farm").count(), 1);
      assert.match(
        (await farms.getByTestId("drawn-farm").textContent()) ?? "",
        new RegExp(`농가 번호 ${numbers[0]}`),
      );
      a11y.push(...(await axe(off, "official-variety-drawn")));
      await shots(off, "official-variety-drawn");
      await off.context().close();
    },
  ],
  [
    "inspector at 360 px records the drawn farm's result and certificate; the API shows the result and the exclusion",
    async () => {
      assert.ok(drawnFarm, "the draw scenario ran first");
      const farm = drawnFarm;
      const phone = await context(360);
      await signIn(phone, "inspector-naqs-1");
      await phone.goto(url("/inspector"));
      const card = phone.locator(`[data-testid="variety-pending"][data-farmer="${farm}"]`);
      await card.waitFor({ timeout: 30_000 });
      // The form checks its inputs before anything is signed.
      await card.getByRole("button", { name: "결과 등록" }).click();
      await card.getByText("0에서 1000 사이의 정수를 적으세요.").waitFor();
      await card.getByText("검정 증명서 파일을 고르세요.").waitFor();
      const certificate = Buffer.from(`품종검정 증명서\n농가: ${farm}\n지정 외 품종: 26%\n`);
      await card.getByLabel(/^지정 외 품종 비율/).fill("260");
      await card.getByLabel(/^검정 증명서 파일/).setInputFiles({
        name: "certificate.txt",
        mimeType: "text/plain",
        buffer: certificate,
      });
      await card.getByTestId("certificate-hash").waitFor();
      await card.getByRole("button", { name: "결과 등록" }).click();
      await sign(phone, /지정 외 품종 26% \(20% 초과, 5년 매입 제외\)/);

      const results = await until<{ items: Json[] }>(
        `variety/results?program=${programId}`,
        (b) => b.items.length === 1,
        "the result",
      );
      const r = results.items[0] as Json;
      assert.equal(String(r.farmer).toLowerCase(), farm.toLowerCase());
      assert.equal(r.offTypePermille, 260);
      assert.equal(r.excluded, true);
      assert.equal(r.certificateHash, keccak256(certificate));
      assert.equal(
        String(r.inspector).toLowerCase(),
        who("inspector-naqs-1").address.toLowerCase(),
      );
      const exclusion = await until<{ items: Json[] }>(
        `exclusions?farmer=${farm}`,
        (b) => b.items.some((e) => e.programId === programId),
        "the exclusion",
      );
      const e = exclusion.items.find((x) => x.programId === programId) as Json;
      assert.deepEqual([e.fromYear, e.toYear], [2027, 2031]);
      // Recorded: the farm leaves the inspector's list.
      await card.waitFor({ state: "detached", timeout: 30_000 });
      const overflowX = await phone.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      assert.ok(overflowX <= 0, `scrolls sideways by ${overflowX} px`);
      a11y.push(...(await axe(phone, "inspector-variety-phone")));
      await phone.context().close();
    },
  ],
  [
    "national official at 1280 px records a farm-gate price; the API serves it; the same date again is refused in Korean",
    async () => {
      const off = await context(1280);
      await signIn(off, "official-mafra");
      await openProgramme(off);
      const box = off.getByTestId("farm-gate-prices");
      await box.getByLabel(/^발표 날짜/).selectOption("20261005");
      await box.getByLabel(/^80kg 값/).fill("221500");
      await box.getByRole("button", { name: "산지쌀값 기록" }).click();
      await sign(off, /산지쌀값 기록: .*₩221,500/);
      const series = await until<{ observations: Json[] }>(
        `programs/${programId}/farm-gate-prices`,
        (b) => b.observations.length === 1,
        "the observation",
      );
      assert.deepEqual(
        series.observations.map((o) => [o.date, o.pricePer80kg, String(o.official).toLowerCase()]),
        [["2026-10-05", 221_500, who("official-mafra").address.toLowerCase()]],
      );
      await box.getByTestId("price-series").getByText("₩221,500").waitFor();

      // The same date again: the contract refuses, and the dialog says so in Korean.
      await box.getByLabel(/^발표 날짜/).selectOption("20261005");
      await box.getByLabel(/^80kg 값/).fill("222000");
      await box.getByRole("button", { name: "산지쌀값 기록" }).click();
      const dialog = off.locator("dialog.sign-dialog");
      await dialog
        .getByRole("alert")
        .getByText("이 날짜의 산지쌀값은 이미 기록되었습니다.")
        .waitFor({ timeout: 30_000 });
      assert.equal(await dialog.getByTestId("sign-confirm").isDisabled(), true);
      await dialog.getByRole("button", { name: "취소" }).click();
      a11y.push(...(await axe(off, "official-farm-gate-prices")));
      await shots(off, "official-farm-gate-prices");
      await off.context().close();
    },
  ],
  [
    "no serious or critical accessibility finding on the variety screens",
    async () => {
      assert.deepEqual(a11y, []);
    },
  ],
];

await runSession(session, tests);
