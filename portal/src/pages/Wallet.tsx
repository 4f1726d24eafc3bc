import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Json, list } from "../api/client.ts";
import {
  PasskeyError,
  passkeyUnsupportedReason,
  registerPasskey,
  signInWithPasskey,
  storedPasskeys,
} from "../chain/passkey.ts";
import {
  connectInjected,
  type DemoPersona,
  demoPersonas,
  injectedProvider,
  setSession,
  signInDemo,
  signInWithKey,
  storedKeystore,
  storeKeystore,
  useSession,
} from "../chain/wallet.ts";
import { RecoveryKeyMaker } from "../components/RecoveryKeyMaker.tsx";
import { Async, Field, Hex, Loading, Section } from "../components/ui.tsx";
import { download } from "../lib/docs.ts";
import { useAsync } from "../lib/hooks.ts";
import { roleLabel } from "../lib/labels.ts";
import { REGIONS, refName } from "../lib/reference.ts";

const QrCode = lazy(() => import("../components/QrCode.tsx"));
// Loaded only for a passkey session: the account ABI it reads with stays out of this page's load.
const HolderPasskeys = lazy(() =>
  import("../components/PasskeyRecovery.tsx").then((m) => ({ default: m.HolderPasskeys })),
);

function Demo() {
  const { t, i18n } = useTranslation();
  const personas = useAsync(() => demoPersonas().catch(() => [] as DemoPersona[]), []);
  if (!personas.data || personas.data.length === 0) return null;
  return (
    <Section title={t("wallet.demo")}>
      <p className="alert warn">
        <span className="demo-tag">{t("app.demo")}</span> {t("wallet.demoNote")}
      </p>
      <ul className="grid" style={{ listStyle: "none", padding: 0 }}>
        {personas.data.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              className="btn secondary"
              style={{ width: "100%" }}
              data-persona={p.id}
              onClick={() => signInDemo(p)}
            >
              <span className="demo-tag">{t("app.demo")}</span> {p.name} · {roleLabel(t, p.role)} ·{" "}
              {refName(REGIONS, p.region, i18n.language)}
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** Sign-in with a passkey: create one (the account address follows from it) or use this device's. */
function Passkey() {
  const { t } = useTranslation();
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const unsupported = passkeyUnsupportedReason();
  // This device's first passkey, else one made here for a recovery or added to an account.
  const stored = storedPasskeys()[0];
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setErr(null);
    try {
      await fn();
    } catch (e) {
      setErr(e instanceof PasskeyError ? t(e.reason) : t("wallet.passkeyCancelled"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t("wallet.passkey")}>
      {unsupported ? (
        <p className="alert warn" data-passkey-unsupported>
          {t(unsupported)}
        </p>
      ) : (
        <>
          <p>{t("wallet.passkeyIntro")}</p>
          {err && (
            <p className="alert danger" role="alert">
              {err}
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              className="btn"
              data-passkey-create
              disabled={busy}
              onClick={() => void run(registerPasskey)}
            >
              {busy ? t("wallet.working") : t("wallet.passkeyCreate")}
            </button>
            {stored && (
              <button
                type="button"
                className="btn secondary"
                data-passkey-use
                disabled={busy}
                onClick={() => void run(() => signInWithPasskey(stored))}
              >
                {t("wallet.passkeyUse")}
              </button>
            )}
          </div>
          <RecoveryKeyMaker />
        </>
      )}
    </Section>
  );
}

function Keystore() {
  const { t } = useTranslation();
  const [pw, setPw] = useState("");
  const [pw2, setPw2] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stored = storedKeystore();
  const create = async () => {
    if (pw.length < 8) return setErr(t("wallet.errShort"));
    if (pw !== pw2) return setErr(t("wallet.errMismatch"));
    setErr(null);
    setBusy(true);
    // The key-file crypto (scrypt, AES) loads only when a key is made or opened.
    const { encryptKeystore, newPrivateKey } = await import("../chain/keystore.ts");
    const pk = newPrivateKey();
    const ks = await encryptKeystore(pk, pw);
    storeKeystore(ks);
    signInWithKey(pk);
    setBusy(false);
  };
  const unlock = async (json?: string) => {
    setBusy(true);
    setErr(null);
    try {
      const source = json ?? JSON.stringify(stored);
      const { decryptKeystore } = await import("../chain/keystore.ts");
      const pk = await decryptKeystore(source, pw);
      if (json) storeKeystore(JSON.parse(json));
      signInWithKey(pk);
    } catch {
      setErr(t("wallet.errWrong"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={stored ? t("wallet.unlock") : t("wallet.create")}>
      <p>{t("wallet.intro")}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void (stored ? unlock() : create());
        }}
      >
        <Field
          label={t("wallet.passphrase")}
          hint={t("wallet.passphraseHint")}
          error={err}
          required
        >
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete={stored ? "current-password" : "new-password"}
              value={pw}
              onChange={(e) => setPw(e.target.value)}
            />
          )}
        </Field>
        {!stored && (
          <Field label={t("wallet.passphraseAgain")} required>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="new-password"
                value={pw2}
                onChange={(e) => setPw2(e.target.value)}
              />
            )}
          </Field>
        )}
        <div className="actions">
          <button type="submit" className="btn" disabled={busy}>
            {busy ? t("wallet.working") : stored ? t("wallet.unlock") : t("wallet.create")}
          </button>
          {stored && (
            <button
              type="button"
              className="btn secondary"
              onClick={() =>
                download("장부-지갑-백업.json", JSON.stringify(stored), "application/json")
              }
            >
              {t("wallet.export")}
            </button>
          )}
        </div>
        <Field label={t("wallet.importFile")}>
          {(p) => (
            <input
              {...p}
              type="file"
              accept="application/json,.json"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) await unlock(await f.text());
              }}
            />
          )}
        </Field>
      </form>
      <div className="actions">
        <button
          type="button"
          className="btn secondary"
          onClick={() => void connectInjected().catch(() => setErr(t("wallet.noInjected")))}
          disabled={!injectedProvider()}
        >
          {injectedProvider() ? t("wallet.injected") : t("wallet.noInjected")}
        </button>
      </div>
    </Section>
  );
}

function SignedIn() {
  const { t, i18n } = useTranslation();
  const s = useSession();
  const creds = useAsync(
    () =>
      s
        ? list<Json>("credentials", { subject: s.address })
        : Promise.resolve({ items: [], nextCursor: null }),
    [s?.address],
  );
  if (!s) return null;
  return (
    <Section title={t("wallet.address")}>
      {s.kind === "demo" && (
        <p>
          <span className="demo-tag">{t("app.demo")}</span> {t("wallet.demoNote")}
        </p>
      )}
      {s.kind === "passkey" && <p data-passkey-session>{t("wallet.passkeySignedIn")}</p>}
      {s.name && (
        <p>{t("wallet.signedInAs", { name: s.name, role: s.role ? roleLabel(t, s.role) : "" })}</p>
      )}
      <p>
        <Hex value={s.address} copy />
      </p>
      <p>{t("wallet.qrHelp")}</p>
      {/* The QR's box is there before its chunk arrives, so nothing below moves (CLS). */}
      <div style={{ width: 220, height: 220 }}>
        <Suspense fallback={<Loading />}>
          <QrCode value={s.address} label={`${t("wallet.address")} ${s.address}`} />
        </Suspense>
      </div>
      <h3>{t("wallet.credentials")}</h3>
      <Async state={creds}>
        {(p) =>
          p.items.length === 0 ? (
            <p>{t("wallet.noCredential", { role: "" })}</p>
          ) : (
            <ul>
              {p.items.map((c) => (
                <li key={String(c.id)}>
                  {roleLabel(t, c.role)} · {refName(REGIONS, c.region as number, i18n.language)} ·{" "}
                  {c.revoked ? t("fields.revoked") : t("fields.valid")}
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      {s?.kind === "passkey" && (
        <Suspense fallback={<Loading />}>
          <HolderPasskeys />
        </Suspense>
      )}
      <button type="button" className="btn secondary" onClick={() => setSession(null)}>
        {t("wallet.signOut")}
      </button>
    </Section>
  );
}

export default function WalletPage() {
  const { t } = useTranslation();
  const s = useSession();
  return (
    <>
      <h1>{t("wallet.title")}</h1>
      {s ? (
        <SignedIn />
      ) : (
        <>
          {/* The demo list arrives late: below the sign-in forms it pushes nothing (CLS). */}
          <Passkey />
          <Keystore />
          <Demo />
        </>
      )}
    </>
  );
}
