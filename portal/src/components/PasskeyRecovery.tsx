/**
 * A passkey account's keys and recovery (issue 23): the holder adds a second passkey (another
 * phone or a security key); after a lost phone a new device makes a passkey and shows its public
 * key; an issuing official pastes it to start a recovery; the holder's current passkey may object
 * during the delay; anyone finishes it afterwards. Everything is read from the account on the chain.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import {
  type Address,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  isAddress,
} from "viem";
import { RoleNames } from "../../../sdk/generated/enums.ts";
import { getConfig, type Json, list } from "../api/client.ts";
import { PasskeyAccountAbi } from "../chain/abis.ts";
import {
  createPasskey,
  PasskeyError,
  parsePasskeyKeyText,
  rememberPasskey,
  storedPasskeys,
} from "../chain/passkey.ts";
import { ethCall, getBlock, getCode } from "../chain/rpc-lite.ts";
import { useSession } from "../chain/wallet.ts";
import { dateTime, shortHex } from "../lib/format.ts";
import { useAsync, useLive } from "../lib/hooks.ts";
import { roleLabel } from "../lib/labels.ts";
import { REGIONS, refName } from "../lib/reference.ts";
import { RecoveryAccountField } from "./RecoveryAccountField.tsx";
import { requestSignature } from "./sign-store.ts";
import { Field } from "./ui.tsx";

/** How long the current passkeys may object (PasskeyAccount.RECOVERY_DELAY), in days. */
const RECOVERY_DAYS = 3;

export type PendingRecovery = { qx: string; qy: string; readyAt: number; chainNow: number };

/** The account's pending recovery and the chain's time, or null (none, or not deployed yet). */
export async function readPendingRecovery(account: Address): Promise<PendingRecovery | null> {
  const { rpcUrl } = await getConfig();
  const [code, block] = await Promise.all([getCode(rpcUrl, account), getBlock(rpcUrl)]);
  if (code === "0x") return null;
  const [qx, qy, readyAt] = decodeFunctionResult({
    abi: PasskeyAccountAbi,
    functionName: "pendingRecovery",
    data: await ethCall(rpcUrl, {
      to: account,
      data: encodeFunctionData({ abi: PasskeyAccountAbi, functionName: "pendingRecovery" }),
    }),
  });
  if (readyAt === 0n) return null;
  return { qx, qy, readyAt: Number(readyAt), chainNow: Number(block.timestamp) };
}

/** The wallet page of a passkey session: add another passkey; see and object to a recovery. */
export function HolderPasskeys() {
  const { t } = useTranslation();
  const s = useSession();
  const [msg, setMsg] = useState<{ tone: "ok" | "danger"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const pending = useAsync(
    () => (s?.kind === "passkey" ? readPendingRecovery(s.address) : Promise.resolve(null)),
    [s?.address, s?.kind],
  );
  // A recovery started meanwhile shows up without a reload (the chain's new blocks).
  useLive(() => pending.reload(), 800);
  if (s?.kind !== "passkey" || !s.passkey) return null;
  const me = s.passkey;
  const add = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const login = await createPasskey({ elsewhere: true, exclude: storedPasskeys() });
      const r = await requestSignature({
        contract: "PasskeyAccount",
        functionName: "addPasskey",
        args: [login.qx, login.qy],
        title: t("passkeys.addTitle"),
        details: [[t("passkeys.newKey"), shortHex(login.qx)]],
      });
      if (r) {
        rememberPasskey({ ...login, account: s.address });
        setMsg({ tone: "ok", text: t("passkeys.added") });
      }
    } catch (e) {
      setMsg({
        tone: "danger",
        text: e instanceof PasskeyError ? t(e.reason) : t("wallet.passkeyCancelled"),
      });
    } finally {
      setBusy(false);
    }
  };
  const object = async () => {
    const r = await requestSignature({
      contract: "PasskeyAccount",
      functionName: "cancelRecovery",
      args: [],
      title: t("passkeys.objectTitle"),
      details: [],
    });
    if (r) pending.reload();
  };
  const p = pending.data;
  const mine = p !== null && p !== undefined && p.qx.toLowerCase() === me.qx.toLowerCase();
  return (
    <section aria-labelledby="passkeys-title">
      <h3 id="passkeys-title">{t("passkeys.title")}</h3>
      {p && (
        <div className={`alert ${mine ? "ok" : "warn"}`} data-recovery-pending role="status">
          <p style={{ marginTop: 0 }}>
            {mine
              ? t("passkeys.recoveryForThisKey", { time: dateTime(p.readyAt) })
              : t("passkeys.recoveryPending", { time: dateTime(p.readyAt) })}
          </p>
          {p.chainNow >= p.readyAt && <p>{t("passkeys.recoveryReady")}</p>}
          {!mine && p.chainNow < p.readyAt && (
            <button
              type="button"
              className="btn danger"
              data-recovery-object
              onClick={() => void object()}
            >
              {t("passkeys.object")}
            </button>
          )}
        </div>
      )}
      <p>{t("passkeys.addIntro")}</p>
      {msg && (
        <p className={`alert ${msg.tone}`} role={msg.tone === "danger" ? "alert" : "status"}>
          {msg.text}
        </p>
      )}
      <button
        type="button"
        className="btn secondary"
        data-passkey-add
        disabled={busy}
        onClick={() => void add()}
      >
        {busy ? t("wallet.working") : t("passkeys.add")}
      </button>
    </section>
  );
}

/**
 * The official's side: after checking the holder in person, start moving her account to the
 * passkey of her new phone (startRecovery, as an issuer of her credential's role and region);
 * after the delay, finish it (anyone may).
 */
export function OfficialRecovery() {
  const { t, i18n } = useTranslation();
  const [account, setAccount] = useState("");
  const [keyText, setKeyText] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const whole = isAddress(account.trim()) ? getAddress(account.trim()) : undefined;
  const info = useAsync(async () => {
    if (!whole) return null;
    const [creds, pending] = await Promise.all([
      list<Json>("credentials", { subject: whole, status: "valid" }),
      readPendingRecovery(whole),
    ]);
    return { credential: creds.items[0], pending };
  }, [whole]);
  const credential = info.data?.credential;
  const pending = info.data?.pending ?? null;
  const start = async () => {
    if (!whole) return setErr(t("passkeys.errAccount"));
    const key = parsePasskeyKeyText(keyText);
    if (!key) return setErr(t("passkeys.errKey"));
    if (!credential) return setErr(t("passkeys.errNoCredential"));
    setErr(null);
    const role = RoleNames.indexOf(String(credential.role) as never);
    const region = Number(credential.region);
    const r = await requestSignature({
      contract: "PasskeyAccount",
      account: whole,
      functionName: "startRecovery",
      args: [role, region, key.qx, key.qy],
      title: t("passkeys.startTitle", { account: shortHex(whole) }),
      details: [
        [t("passkeys.account"), whole],
        [t("fields.role"), roleLabel(t, credential.role)],
        [t("fields.region"), refName(REGIONS, region, i18n.language)],
        [t("passkeys.newKey"), shortHex(key.qx)],
        [t("passkeys.delay"), t("passkeys.delayDays", { days: RECOVERY_DAYS })],
      ],
    });
    if (r) {
      setKeyText("");
      setDone(t("passkeys.started"));
      info.reload();
    }
  };
  const finish = async () => {
    if (!whole) return;
    const r = await requestSignature({
      contract: "PasskeyAccount",
      account: whole,
      functionName: "finishRecovery",
      args: [],
      title: t("passkeys.finishTitle", { account: shortHex(whole) }),
      details: [[t("passkeys.account"), whole]],
    });
    if (r) {
      setDone(t("passkeys.finished"));
      info.reload();
    }
  };
  return (
    <>
      <h3>{t("passkeys.officialTitle")}</h3>
      <p>{t("passkeys.officialIntro", { days: RECOVERY_DAYS })}</p>
      <form
        aria-label={t("passkeys.officialTitle")}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <RecoveryAccountField value={account} onChange={setAccount} error={err} />
        {credential && (
          <p className="muted" data-recovery-credential>
            {roleLabel(t, credential.role)} ·{" "}
            {refName(REGIONS, Number(credential.region), i18n.language)}
          </p>
        )}
        {pending && (
          <div className="alert warn" data-recovery-pending role="status">
            <p style={{ marginTop: 0 }}>
              {t("passkeys.officialPending", { time: dateTime(pending.readyAt) })}
            </p>
            {pending.chainNow >= pending.readyAt && (
              <button
                type="button"
                className="btn"
                data-recovery-finish
                onClick={() => void finish()}
              >
                {t("passkeys.finish")}
              </button>
            )}
          </div>
        )}
        <Field label={t("passkeys.keyText")} hint={t("passkeys.keyTextHint")}>
          {(p) => (
            <textarea
              {...p}
              data-recovery-key-input
              rows={3}
              value={keyText}
              onChange={(e) => setKeyText(e.target.value)}
            />
          )}
        </Field>
        {done && (
          <p className="alert ok" role="status">
            {done}
          </p>
        )}
        <button type="submit" className="btn">
          {t("passkeys.start")}
        </button>
      </form>
    </>
  );
}
