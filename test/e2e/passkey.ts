/**
 * Passkey sign-in in a real Chromium (issue 23): `E2E_PORT=… E2E_RPC_PORT=… tsx test/e2e/passkey.ts`.
 * A virtual authenticator (DevTools protocol WebAuthn domain: CTAP2, internal transport, user
 * verification on) stands in for the phone's fingerprint reader:
 *   - the farmer creates a passkey at http://localhost (a domain, as WebAuthn needs), the county
 *     issues her a Farmer credential and an allocation at the account address shown, and she
 *     submits a sale signed only by the passkey: mined through the relay and indexed;
 *   - an assertion made for another relying party, a replayed assertion and one with user
 *     verification off are refused (by the relay, and by the account on chain);
 *   - she cancels a sale with the passkey (the list marks it, the indexer names her account);
 *   - she adds a second passkey on a security key (a second virtual authenticator, USB) and,
 *     the phone's authenticator removed, sells with the security key;
 *   - a new phone makes a passkey for her account, the official starts a recovery to it, and her
 *     current passkey objects (cancelRecovery); started again and left alone for three days, the
 *     official finishes it, the lost phone's passkey stops counting and the new phone signs.
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import {
  type Address,
  createPublicClient,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  toHex,
} from "viem";
import {
  CredentialRegistryAbi,
  PasskeyAccountAbi,
  RicePurchaseAbi,
} from "../../sdk/generated/abis.ts";
import { householdTagOf } from "../../sdk/households.ts";
import {
  type PasskeyCall,
  passkeyAccountAddress,
  passkeyChallenge,
  passkeyRelayBody,
  type WebAuthnAuth,
} from "../../sdk/passkey.ts";
import { launch, type Persona, roster, rpc, runTests, servePersonas, startStack } from "./lib.ts";

const stack = await startStack();
const browser: Browser = await launch().catch(async (error: unknown) => {
  await stack.stop();
  throw error;
});
const cast = roster(stack.dataDir);
const people: Persona[] = [...cast.staff, ...cast.farmers];
// WebAuthn needs a domain: the same service, as localhost.
const base = stack.base.replace("127.0.0.1", "localhost");
const url = (hash: string) => `${base}/?rpc=${encodeURIComponent(stack.rpc)}#${hash}`;
const api = async (path: string) =>
  (await fetch(`${stack.base}/api/v1/${path}`)).json() as Promise<Record<string, unknown>>;
const client = createPublicClient({ transport: http(stack.rpc) });
const GANGJIN = 46_810;

type Config = {
  chainId: number;
  contracts: Record<string, Address>;
  passkey?: { factory: Address; implementation: Address; rpId: string };
};
const config = (await api("config")) as unknown as Config;

let page: Page;
let cdp: CDPSession;
let authenticatorId = "";

/**
 * A CTAP2 virtual authenticator with user verification on (DevTools WebAuthn domain): `internal` is
 * a phone's built-in passkey, `usb` a security key. Returns its id.
 */
async function addAuthenticator(
  session: CDPSession,
  transport: "internal" | "usb",
): Promise<string> {
  const { authenticatorId: id } = await session.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport,
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return id;
}
let account: Address;
let key: { qx: Hex; qy: Hex };

/** Sends a transaction from the local node's first (unlocked) account: the registry admin. */
async function adminTx(to: Address, data: Hex): Promise<void> {
  const [from] = (await rpc(stack.rpc, "eth_accounts")) as Address[];
  const hash = (await rpc(stack.rpc, "eth_sendTransaction", [{ from, to, data }])) as Hex;
  const receipt = await client.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
}

/** An assertion from the page's authenticator over `challenge` (JSON-safe fields). */
async function assertionInPage(
  p: Page,
  challenge: Hex,
  credentialId: string,
  userVerification: UserVerificationRequirement,
): Promise<{ authenticatorData: number[]; clientDataJSON: number[]; signature: number[] }> {
  // A plain script, not a transpiled function: tsx's helpers (`__name`) do not exist in the page.
  const args = JSON.stringify({ challenge, credentialId, userVerification });
  return p.evaluate(`(async () => {
    const { challenge, credentialId, userVerification } = ${args};
    const hex = challenge.slice(2).match(/../g) || [];
    const b64 = credentialId.replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
    const c = await navigator.credentials.get({
      publicKey: {
        challenge: Uint8Array.from(hex, (h) => parseInt(h, 16)),
        allowCredentials: [{ type: "public-key", id: Uint8Array.from(atob(padded), (ch) => ch.charCodeAt(0)) }],
        userVerification,
      },
    });
    const r = c.response;
    return {
      authenticatorData: [...new Uint8Array(r.authenticatorData)],
      clientDataJSON: [...new Uint8Array(r.clientDataJSON)],
      signature: [...new Uint8Array(r.signature)],
    };
  })()`);
}

async function signedCall(
  p: Page,
  credentialId: string,
  userVerification: UserVerificationRequirement = "required",
): Promise<PasskeyCall> {
  const { webAuthnAuthOf } = await import("../../sdk/passkey.ts");
  const target = config.contracts.RicePurchase as Address;
  const { deliveryDayAt } = await import("../../sdk/variety.ts");
  const day = deliveryDayAt((await client.getBlock()).timestamp);
  const data = encodeFunctionData({
    abi: RicePurchaseAbi,
    functionName: "submitSale",
    args: [1, 5, 0, 101, 4_681_001, day],
  });
  const nonce = await client.readContract({
    address: account,
    abi: PasskeyAccountAbi,
    functionName: "nonce",
  });
  const deadline = Number((await client.getBlock()).timestamp) + 600;
  const challenge = passkeyChallenge({
    chainId: config.chainId,
    account,
    target,
    data,
    nonce,
    deadline,
  });
  const a = await assertionInPage(p, challenge, credentialId, userVerification);
  const auth: WebAuthnAuth = webAuthnAuthOf({
    authenticatorData: Uint8Array.from(a.authenticatorData),
    clientDataJSON: Uint8Array.from(a.clientDataJSON),
    signature: Uint8Array.from(a.signature),
  });
  return { account, target, data, nonce, deadline, key, auth };
}

const relay = async (call: PasskeyCall) => {
  const res = await fetch(`${stack.base}/api/v1/relay/passkey`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(passkeyRelayBody(call)),
  });
  const json = (await res.json()) as {
    error?: { code?: string; details?: { errorName?: string } };
    state?: string;
    txHash?: string;
  };
  return { status: res.status, json };
};

/** The account's own verdict: `execute` simulated on chain; the custom error's name, or "ok". */
async function onChain(call: PasskeyCall): Promise<string> {
  try {
    await client.simulateContract({
      address: account,
      abi: PasskeyAccountAbi,
      functionName: "execute",
      args: [
        call.target,
        call.data,
        call.nonce,
        call.deadline,
        call.key.qx,
        call.key.qy,
        call.auth,
      ],
    });
    return "ok";
  } catch (e) {
    const name = (e as { cause?: { data?: { errorName?: string } } }).cause?.data?.errorName;
    return name ?? String(e);
  }
}

let credentialId = "";
/** The recovery's actors, kept from one scenario to the next. */
let phone: BrowserContext;
let newPhone: Page;
let official: Page;
let keyText = "";

const code = await runTests([
  [
    "a farmer creates a passkey, gets a Farmer credential and sells with the passkey alone",
    async () => {
      assert.ok(config.passkey, "the service names the passkey factory");
      const ctx = await browser.newContext({
        locale: "ko-KR",
        timezoneId: "Asia/Seoul",
        viewport: { width: 360, height: 780 },
        hasTouch: true,
      });
      page = await ctx.newPage();
      page.on("pageerror", (e) => console.log(`    [pageerror] ${e.message}`));
      await servePersonas(page, people);
      cdp = await ctx.newCDPSession(page);
      await cdp.send("WebAuthn.enable");
      authenticatorId = await addAuthenticator(cdp, "internal");
      await page.goto(url("/wallet"));
      await page.locator("[data-passkey-create]").click();
      await page.locator("[data-passkey-session]").waitFor();
      const login = JSON.parse(
        (await page.evaluate(() => localStorage.getItem("jangbu.passkey"))) ?? "null",
      ) as { credentialId: string; qx: Hex; qy: Hex };
      credentialId = login.credentialId;
      key = { qx: login.qx, qy: login.qy };
      const p = config.passkey;
      account = passkeyAccountAddress(p.factory, p.implementation, key);
      // The page shows that address (and its QR) for the county.
      await page.getByText(account, { exact: false }).first().waitFor();

      // The county issues the credential to the address; an official allocates to it.
      const registry = config.contracts.CredentialRegistry as Address;
      const [admin] = (await rpc(stack.rpc, "eth_accounts")) as Address[];
      await adminTx(
        registry,
        encodeFunctionData({
          abi: CredentialRegistryAbi,
          functionName: "setIssuer",
          args: [admin as Address, 0, 0, true],
        }),
      );
      const now = Number((await client.getBlock()).timestamp);
      await adminTx(
        registry,
        encodeFunctionData({
          abi: CredentialRegistryAbi,
          functionName: "issue",
          args: [
            account,
            0,
            GANGJIN,
            keccak256(toHex(`claims:${account}`)),
            BigInt(now + 365 * 86_400),
            householdTagOf(keccak256(toHex(`household secret:${account}`))),
          ],
        }),
      );
      const off = await browser.newPage({
        locale: "ko-KR",
        timezoneId: "Asia/Seoul",
        bypassCSP: true,
      });
      await servePersonas(off, people);
      await off.goto(url("/wallet"));
      await off.locator('[data-persona="official-gangjin"]').click();
      await off.goto(url("/official/programmes"));
      const csv = off.getByLabel("또는 붙여넣기");
      await csv.fill(`address,units\n${account},300\n`);
      await off.getByRole("button", { name: "검사하기" }).click();
      await off.getByRole("button", { name: "한 번에 배정하기" }).click();
      await confirmSign(off, /농가 1곳에 물량 배정/);
      await off.close();

      // The farmer sells: the sign dialog asks the passkey (the virtual fingerprint says yes).
      await page.goto(url("/farmer"));
      await page.getByTestId("allocation").first().waitFor();
      const form = page.getByRole("form", { name: "출하 신청" });
      await form.getByLabel(/^포장 형태/).selectOption("0");
      await form.getByLabel(/^수량/).fill("40");
      await form.getByLabel(/^품종/).selectOption("101");
      await form.getByLabel(/^수매장/).selectOption("4681001");
      await form.getByRole("button", { name: "출하 신청하기" }).click();
      await confirmSign(page, /출하 신청 \(40포대/);
      assert.notEqual(
        await client.getCode({ address: account }),
        undefined,
        "the account was deployed",
      );
      const sales = (await api(`sales?farmer=${account}`)).items as { id: string; units: number }[];
      assert.equal(sales.length, 1, "the passkey sale is indexed under the account");
      assert.equal(sales[0]?.units, 40);
      // The account's page marks it as a passkey account (read from the chain's code).
      await page.goto(url(`/account/${account}`));
      await page.locator("[data-passkey-account]").first().waitFor();
    },
  ],
  [
    "an assertion for another relying party is refused",
    async () => {
      // The same key, registered by the authenticator for another site (evil.localhost), signs
      // a jangbu challenge there: the account refuses its rpIdHash.
      const { credentials } = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })) as {
        credentials: { privateKey: string }[];
      };
      const privateKey = credentials[0]?.privateKey;
      assert.ok(privateKey);
      const evilId = Buffer.from("evil-site-credential").toString("base64");
      await cdp.send("WebAuthn.addCredential", {
        authenticatorId,
        credential: {
          credentialId: evilId,
          isResidentCredential: false,
          rpId: "evil.localhost",
          privateKey,
          signCount: 1,
        },
      });
      const evil = `http://evil.localhost:${new URL(stack.base).port}/`;
      await page.route(`${evil}**`, (route) =>
        route.fulfill({
          contentType: "text/html",
          body: "<!doctype html><title>other site</title>",
        }),
      );
      await page.goto(evil);
      const call = await signedCall(
        page,
        Buffer.from("evil-site-credential").toString("base64url"),
      );
      const answer = await relay(call);
      assert.equal(answer.status, 422, JSON.stringify(answer.json));
      assert.equal(answer.json.error?.details?.errorName, "PasskeyWrongRelyingParty");
      assert.equal(await onChain(call), "PasskeyWrongRelyingParty");
      await page.goto(url("/wallet"));
    },
  ],
  [
    "a replayed assertion is refused",
    async () => {
      const call = await signedCall(page, credentialId);
      const first = await relay(call);
      assert.equal(first.status, 202, JSON.stringify(first.json));
      assert.equal(first.json.state, "mined");
      // Sent again: the relay answers the same transaction, nothing new; on chain the nonce is spent.
      const again = await relay(call);
      assert.equal(again.status, 200);
      assert.equal(again.json.txHash, first.json.txHash);
      assert.equal(await onChain(call), "PasskeyBadNonce");
    },
  ],
  [
    "an assertion with user verification off is refused",
    async () => {
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: false });
      const call = await signedCall(page, credentialId, "discouraged");
      const flags = Number.parseInt(call.auth.authenticatorData.slice(66, 68), 16);
      assert.equal(flags & 0x04, 0, "the authenticator did not verify the user");
      const answer = await relay(call);
      assert.equal(answer.status, 422, JSON.stringify(answer.json));
      assert.equal(answer.json.error?.details?.errorName, "PasskeyUserNotVerified");
      assert.equal(await onChain(call), "PasskeyUserNotVerified");
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: true });
    },
  ],
  [
    "the farmer cancels a sale with her passkey; the indexer says the account did it",
    async () => {
      // The page came back from the other site: a fresh load, signed out. Her passkey signs her in.
      await signInAgain(page);
      // The 5-bag sale sent straight to the relay, once indexed.
      let five: { id: string; units: number } | undefined;
      for (let i = 0; i < 100 && five === undefined; i++) {
        const items = (await api(`sales?farmer=${account}`)).items as {
          id: string;
          units: number;
        }[];
        five = items.find((x) => x.units === 5);
        if (five === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(five, "the 5-bag sale sent straight to the relay is indexed");
      await page.goto(url("/farmer"));
      const card = page
        .getByTestId("my-sale")
        .filter({ has: page.locator(`a[href*="/sale/${five.id}"]`) });
      // The list marks the sale from the API's passkeyAccount field.
      await card.locator("[data-passkey-flag]").waitFor();
      await card.getByRole("button", { name: "신청 취소" }).click();
      await confirmSign(page, /출하 신청 취소/);
      const sales = (await api(`sales?farmer=${account}&state=Cancelled`)).items as {
        id: string;
        passkeyAccount: boolean;
      }[];
      assert.equal(sales.length, 1);
      assert.equal(sales[0]?.passkeyAccount, true);
      const sale = await api(`sales/${sales[0]?.id}`);
      const history = sale.history as { event: string; signer: string }[];
      // SaleCancelled names no actor: the indexer attributes it to the account, not the relayer.
      assert.deepEqual(
        history.filter((e) => e.event === "SaleCancelled").map((e) => e.signer),
        [account],
      );
    },
  ],
  [
    "a second passkey on a security key is added, and signs once the phone is gone",
    async () => {
      const securityKey = await addAuthenticator(cdp, "usb");
      await page.goto(url("/wallet"));
      await page.locator("[data-passkey-add]").click();
      await page.locator("dialog.sign-dialog").waitFor({ state: "visible" });
      // The phone's passkey confirms the new one (addPasskey, a call to the account itself). Her
      // finger is on the phone, not on the key: the key answers no request meanwhile (a key
      // touched by a simulated presence while it holds none of the allowed credentials ends the
      // request with an error, as a real key touched by mistake would).
      await cdp.send("WebAuthn.setAutomaticPresenceSimulation", {
        authenticatorId: securityKey,
        enabled: false,
      });
      await confirmSign(page, /패스키 하나 더 등록/);
      await cdp.send("WebAuthn.setAutomaticPresenceSimulation", {
        authenticatorId: securityKey,
        enabled: true,
      });
      const { credentials } = (await cdp.send("WebAuthn.getCredentials", {
        authenticatorId: securityKey,
      })) as { credentials: unknown[] };
      assert.equal(credentials.length, 1, "the new passkey is on the security key");
      const more = JSON.parse(
        (await page.evaluate(() => localStorage.getItem("jangbu.passkeys"))) ?? "[]",
      ) as { qx: Hex; qy: Hex; account: Address }[];
      const second = more[0];
      assert.ok(second);
      assert.equal(second.account, account);
      assert.equal(
        await client.readContract({
          address: account,
          abi: PasskeyAccountAbi,
          functionName: "isPasskey",
          args: [second.qx, second.qy],
        }),
        true,
      );

      // The phone is lost: only the security key remains, and the farmer sells with it.
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
      authenticatorId = securityKey;
      const before = ((await api(`sales?farmer=${account}`)).items as unknown[]).length;
      await page.goto(url("/farmer"));
      await page.getByTestId("allocation").first().waitFor();
      const form = page.getByRole("form", { name: "출하 신청" });
      await form.getByLabel(/^포장 형태/).selectOption("0");
      await form.getByLabel(/^수량/).fill("12");
      await form.getByLabel(/^품종/).selectOption("101");
      await form.getByLabel(/^수매장/).selectOption("4681001");
      await form.getByRole("button", { name: "출하 신청하기" }).click();
      await confirmSign(page, /출하 신청 \(12포대/);
      const after = ((await api(`sales?farmer=${account}`)).items as unknown[]).length;
      assert.equal(after, before + 1, "the security key's sale is indexed under the account");
    },
  ],
  [
    "an official starts a recovery to a new phone's passkey, and the holder's passkey objects",
    async () => {
      // The new phone: a passkey made for her account, its key shown as text for the official.
      phone = await browser.newContext({
        locale: "ko-KR",
        timezoneId: "Asia/Seoul",
        viewport: { width: 360, height: 780 },
        hasTouch: true,
      });
      newPhone = await phone.newPage();
      const phoneCdp = await phone.newCDPSession(newPhone);
      await phoneCdp.send("WebAuthn.enable");
      await addAuthenticator(phoneCdp, "internal");
      await newPhone.goto(url("/wallet"));
      await newPhone.getByText("휴대전화를 잃어버렸나요?").click();
      await newPhone.locator("[data-recovery-account]").fill(account);
      await newPhone.locator("[data-recovery-create]").click();
      keyText = (await newPhone.locator("[data-recovery-key]").textContent()) ?? "";
      assert.match(keyText, /^jangbu-passkey:[0-9a-f]{128}$/);
      await assertFits(newPhone, 360);

      // The official, after checking her in person, pastes it (1280 px screen).
      official = await browser.newPage({
        locale: "ko-KR",
        timezoneId: "Asia/Seoul",
        viewport: { width: 1280, height: 900 },
      });
      await servePersonas(official, people);
      await official.goto(url("/wallet"));
      await official.locator('[data-persona="official-gangjin"]').click();
      await official.goto(url("/official/credentials"));
      const form = official.getByRole("form", { name: "패스키 계정 복구" });
      await form.locator("[data-recovery-account]").fill(account);
      await form.locator("[data-recovery-credential]").waitFor();
      await form.locator("[data-recovery-key-input]").fill(keyText);
      await form.getByRole("button", { name: "복구 시작" }).click();
      await confirmSign(official, /새 패스키로 옮기는 복구 시작/);
      await assertFits(official, 1280);
      const pending = () =>
        client.readContract({
          address: account,
          abi: PasskeyAccountAbi,
          functionName: "pendingRecovery",
        });
      const [qx, , readyAt] = await pending();
      assert.equal(`jangbu-passkey:${qx.slice(2)}`, keyText.slice(0, 15 + 64));
      assert.ok(readyAt > 0n);

      // The new phone signs in and sees the recovery waiting for its passkey.
      await newPhone.locator("[data-recovery-signin]").click();
      await newPhone
        .locator("[data-recovery-pending]")
        .getByText(/이 패스키로 계정을 옮기는/)
        .waitFor();

      // The holder's current passkey (the security key) sees the recovery, its final time, and objects.
      await page.goto(url("/wallet"));
      const notice = page.locator("[data-recovery-pending]");
      await notice.getByText(/확정됩니다/).waitFor();
      await assertFits(page, 360);
      await notice.getByRole("button", { name: "이의 제기" }).click();
      await confirmSign(page, /이의 제기/);
      assert.equal((await pending())[2], 0n, "the recovery is cancelled");
    },
  ],
  [
    "once the objection period is over, anyone finishes the recovery and the new phone signs",
    async () => {
      const form = official.getByRole("form", { name: "패스키 계정 복구" });
      await form.locator("[data-recovery-key-input]").fill(keyText);
      await form.getByRole("button", { name: "복구 시작" }).click();
      await confirmSign(official, /새 패스키로 옮기는 복구 시작/);
      // Nobody objects; three days pass on the chain (the relay reads its time once a second).
      await rpc(stack.rpc, "evm_increaseTime", [3 * 86_400 + 60]);
      await rpc(stack.rpc, "evm_mine", []);
      await new Promise((r) => setTimeout(r, 1_100));
      // The official looks the account up again: the recovery can be finished now.
      await official.goto(url("/official/approvals"));
      await official.goto(url("/official/credentials"));
      await form.locator("[data-recovery-account]").fill(account);
      await form.locator("[data-recovery-finish]").click();
      await confirmSign(official, /복구 마치기/);
      const newKey = {
        qx: `0x${keyText.slice(15, 15 + 64)}` as Hex,
        qy: `0x${keyText.slice(15 + 64)}` as Hex,
      };
      const isKey = (k: { qx: Hex; qy: Hex }) =>
        client.readContract({
          address: account,
          abi: PasskeyAccountAbi,
          functionName: "isPasskey",
          args: [k.qx, k.qy],
        });
      assert.equal(await isKey(newKey), true, "the new phone's passkey is the account's");
      assert.equal(await isKey(key), false, "the lost phone's passkey no longer is");

      // The new phone acts for the same account: it cancels the sale the security key made.
      const submitted = (await api(`sales?farmer=${account}&state=Submitted`)).items as {
        id: string;
        units: number;
      }[];
      const twelve = submitted.find((x) => x.units === 12);
      assert.ok(twelve, "the security key's sale is still hers");
      await newPhone.goto(url("/farmer"));
      const card = newPhone
        .getByTestId("my-sale")
        .filter({ has: newPhone.locator(`a[href*="/sale/${twelve.id}"]`) });
      await card.getByRole("button", { name: "신청 취소" }).click();
      await confirmSign(newPhone, /출하 신청 취소/);
      for (let i = 0; i < 100 && (await api(`sales/${twelve.id}`)).state !== "Cancelled"; i++)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal((await api(`sales/${twelve.id}`)).state, "Cancelled");
      await official.close();
      await phone.close();
    },
  ],
]);

/** Signs the page in again with this device's passkey (a fresh page load forgets the session). */
async function signInAgain(p: Page): Promise<void> {
  await p.goto(url("/wallet"));
  await p.locator("[data-passkey-use]").click();
  await p.locator("[data-passkey-session]").waitFor();
}

/** Nothing on the page is wider than the screen (no sideways scrolling). */
async function assertFits(p: Page, width: number): Promise<void> {
  const scroll = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `the page is ${scroll} px wide on a ${width} px screen`);
}

/** Confirms the open signing dialog (its summary checked) and waits for the block. */
async function confirmSign(p: Page, expectTitle: RegExp): Promise<void> {
  const dialog = p.locator("dialog.sign-dialog");
  await dialog.waitFor({ state: "visible" });
  assert.match((await dialog.getByTestId("sign-summary").textContent()) ?? "", expectTitle);
  await p.waitForFunction(
    () =>
      !(document.querySelector('[data-testid="sign-confirm"]') as HTMLButtonElement | null)
        ?.disabled,
    null,
    { timeout: 30_000 },
  );
  await dialog.getByTestId("sign-confirm").click();
  await dialog
    .getByText("기록되었습니다.")
    .waitFor({ timeout: 60_000 })
    .catch(async () => {
      throw new Error(`not recorded: ${await dialog.textContent()}`);
    });
  await dialog.getByRole("button", { name: "닫기" }).click();
}

await browser.close();
await stack.stop();
process.exit(code);
