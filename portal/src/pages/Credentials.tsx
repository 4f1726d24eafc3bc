/**
 * The holder's credentials (docs/credential-claims.md): import the file the issuer handed over
 * (kept encrypted on this device), choose fields, and answer a verifier's challenge with a signed
 * presentation (a file or a QR sequence). Phone layout first (360 px).
 */
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Hex } from "viem";
import { type CredentialFile, fromQrParts, makePresentation } from "../../../sdk/presentation.ts";
import {
  importCredential,
  loadCredentials,
  NotMyCredentialError,
} from "../chain/credential-store.ts";
import type { Session } from "../chain/session.ts";
import { signTypedData } from "../chain/sign.ts";
import { QrSequence } from "../components/QrSequence.tsx";
import { RequireSession } from "../components/RequireSession.tsx";
import { Field, Hex as HexText, Section } from "../components/ui.tsx";
import { download } from "../lib/docs.ts";
import { roleLabel } from "../lib/labels.ts";
import { REGIONS, refName } from "../lib/reference.ts";

/** A pasted text: a whole JSON document, or QR parts (`JB1 i/n …`, one per line). */
export function pastedDocument(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith("JB1 ")) return trimmed;
  return fromQrParts(trimmed.split(/\r?\n(?=JB1 )/));
}

function Import({ s, onKept }: { s: Session; onKept: (files: CredentialFile[]) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const keep = async (raw: string) => {
    try {
      onKept(await importCredential(s, pastedDocument(raw)));
      setMsg({ ok: true, text: t("credential.holder.imported") });
      setText("");
    } catch (e) {
      setMsg({
        ok: false,
        text:
          e instanceof NotMyCredentialError
            ? t("credential.holder.notMine", { subject: e.subject })
            : t("credential.holder.badFile"),
      });
    }
  };
  return (
    <Section title={t("credential.holder.import")}>
      <Field label={t("credential.holder.importFile")}>
        {(p) => (
          <input
            {...p}
            type="file"
            accept="application/json,.json"
            data-testid="credential-import-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then(keep);
              e.target.value = "";
            }}
          />
        )}
      </Field>
      <Field label={t("credential.holder.importPaste")}>
        {(p) => <textarea {...p} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <button type="button" className="btn secondary" onClick={() => void keep(text)}>
        {t("credential.holder.importButton")}
      </button>
      {msg && (
        <p role="status" className={`alert ${msg.ok ? "ok" : "danger"}`}>
          {msg.text}
        </p>
      )}
    </Section>
  );
}

function Present({ s, file }: { s: Session; file: CredentialFile }) {
  const { t, i18n } = useTranslation();
  const [chosen, setChosen] = useState<string[]>([]);
  const [challenge, setChallenge] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const [out, setOut] = useState<string | null>(null);
  const label = (name: string) => t(`credential.fieldNames.${name}`, { defaultValue: name });
  const make = async () => {
    const c = challenge.trim();
    if (chosen.length === 0) return setErr(t("credential.holder.errNone"));
    if (!/^0x[0-9a-fA-F]{64}$/.test(c)) return setErr(t("credential.holder.errChallenge"));
    setErr(null);
    // Presentation order follows the file, whatever order the boxes were ticked in.
    const names = file.fields.map((f) => f.name).filter((n) => chosen.includes(n));
    const vp = await makePresentation(file, names, c as Hex, (typed) => signTypedData(s, typed));
    setOut(JSON.stringify(vp));
  };
  const hidden = file.fields.map((f) => f.name).filter((n) => !chosen.includes(n));
  return (
    <li className="card" data-credential={file.credentialId}>
      <h3>
        {t("credential.holder.credential", {
          role: roleLabel(t, file.role),
          issuer: `${file.issuer.slice(0, 10)}…`,
        })}
      </h3>
      <p>
        {refName(REGIONS, file.region, i18n.language)} · <HexText value={file.credentialId} />
      </p>
      <fieldset>
        <legend>{t("credential.holder.choose")}</legend>
        {file.fields.map((f) => (
          <label key={f.name} className="check" style={{ display: "block", margin: "0.5rem 0" }}>
            <input
              type="checkbox"
              data-field={f.name}
              checked={chosen.includes(f.name)}
              onChange={(e) =>
                setChosen(
                  e.target.checked ? [...chosen, f.name] : chosen.filter((n) => n !== f.name),
                )
              }
            />{" "}
            {label(f.name)}: {f.value}
          </label>
        ))}
      </fieldset>
      <Field
        label={t("credential.holder.challenge")}
        hint={t("credential.holder.challengeHelp")}
        error={err}
      >
        {(p) => (
          <input
            {...p}
            value={challenge}
            onChange={(e) => setChallenge(e.target.value)}
            placeholder="0x…"
            autoComplete="off"
            spellCheck={false}
          />
        )}
      </Field>
      <button type="button" className="btn" onClick={() => void make()}>
        {t("credential.holder.present")}
      </button>
      {out && (
        <>
          <p className="alert ok" role="status">
            {t("credential.holder.ready")}
          </p>
          <p>{t("credential.holder.shown", { fields: chosen.map(label).join(", ") })}</p>
          {hidden.length > 0 && (
            <p>{t("credential.holder.notShown", { fields: hidden.map(label).join(", ") })}</p>
          )}
          <QrSequence
            text={out}
            fileName={`자격증명-제시-${Date.now()}.json`}
            testId="presentation"
          />
        </>
      )}
    </li>
  );
}

function Holder({ s }: { s: Session }) {
  const { t } = useTranslation();
  const [files, setFiles] = useState<CredentialFile[] | null>(null);
  const [locked, setLocked] = useState(false);
  useEffect(() => {
    let live = true;
    loadCredentials(s).then(
      (f) => live && setFiles(f),
      () => live && setLocked(true),
    );
    return () => {
      live = false;
    };
  }, [s]);
  return (
    <>
      <h1>{t("credential.holder.title")}</h1>
      <p>{t("credential.holder.help")}</p>
      {locked && <p className="alert danger">{t("credential.holder.locked")}</p>}
      <Import s={s} onKept={setFiles} />
      <Section
        title={t("credential.holder.stored")}
        actions={
          files && files.length > 0 ? (
            <button
              type="button"
              className="btn small secondary"
              onClick={() =>
                download("자격증명-백업.json", JSON.stringify(files), "application/json")
              }
            >
              {t("credential.holder.backup")}
            </button>
          ) : undefined
        }
      >
        {files && files.length === 0 && <p>{t("credential.holder.none")}</p>}
        <ul style={{ listStyle: "none", padding: 0 }}>
          {files?.map((f) => (
            <Present key={`${f.chainId}:${f.credentialId}`} s={s} file={f} />
          ))}
        </ul>
      </Section>
    </>
  );
}

export default function CredentialsPage() {
  return <RequireSession>{(s) => <Holder s={s} />}</RequireSession>;
}
