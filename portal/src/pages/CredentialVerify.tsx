/**
 * Verify a credential presentation (docs/credential-claims.md §8), no sign-in: this page issues a
 * one-time challenge, loads a presentation (file or pasted text / QR parts), and checks it against
 * a chain node directly — never the API — with sdk/presentation.ts. It says which fields are
 * proven and by which issuer, or every reason for refusing.
 *
 * In the local demo only (config.demo), `#/verify?challenge=0x…` adopts that challenge, so that
 * the presentation `npm start` prints can be tried; a real verifier's challenge is always its own.
 */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Address, Hex } from "viem";
import {
  ChallengeBook,
  type PresentationResult,
  rpcCredentialReader,
  verifyPresentation,
} from "../../../sdk/presentation.ts";
import { getConfig } from "../api/client.ts";
import { rpcCall } from "../chain/rpc-lite.ts";
import { Field, Hex as HexText, Section } from "../components/ui.tsx";
import { date } from "../lib/format.ts";
import { useRoute } from "../lib/hooks.ts";
import { roleLabel } from "../lib/labels.ts";
import { REGIONS, refName } from "../lib/reference.ts";
import { pastedDocument } from "./Credentials.tsx";

const isChallenge = (v: string | null): v is Hex => v !== null && /^0x[0-9a-fA-F]{64}$/.test(v);

export default function CredentialVerify() {
  const { t, i18n } = useTranslation();
  const { params } = useRoute();
  const book = useRef(new ChallengeBook());
  const [challenge, setChallenge] = useState<Hex>(book.current.current);
  const [demoChallenge, setDemoChallenge] = useState(false);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PresentationResult | null>(null);
  const [chainError, setChainError] = useState(false);
  const [runs, setRuns] = useState(0);
  const wanted = params.get("challenge");

  useEffect(() => {
    if (!isChallenge(wanted) || book.current.wasUsed(wanted)) return;
    let live = true;
    void getConfig().then((cfg) => {
      if (!live || !cfg.demo) return;
      book.current = new ChallengeBook(wanted);
      setChallenge(wanted);
      setDemoChallenge(true);
    });
    return () => {
      live = false;
    };
  }, [wanted]);

  const renew = () => {
    setChallenge(book.current.next());
    setDemoChallenge(false);
  };

  const check = async (raw: string) => {
    setBusy(true);
    setResult(null);
    setChainError(false);
    try {
      const cfg = await getConfig();
      const registry = cfg.contracts.CredentialRegistry as Address;
      let input: unknown = raw;
      try {
        input = pastedDocument(raw);
      } catch {
        /* not whole: the format refusal says so */
      }
      const r = await verifyPresentation(input, {
        challenge: book.current.current,
        chainId: cfg.chainId,
        registry,
        reader: rpcCredentialReader((m, p) => rpcCall(cfg.rpcUrl, m, p), registry),
      });
      setResult(r);
      setRuns((n) => n + 1);
      // An accepted presentation uses the challenge up: the next one is new.
      if (r.ok) renew();
    } catch {
      setChainError(true);
    } finally {
      setBusy(false);
    }
  };

  const label = (name: string) => t(`credential.fieldNames.${name}`, { defaultValue: name });
  return (
    <>
      <h1>{t("credential.verify.title")}</h1>
      <p>{t("credential.verify.help")}</p>
      <Section title={t("credential.verify.challenge")}>
        <p>{t("credential.verify.challengeHelp")}</p>
        <p>
          <code data-testid="verify-challenge" style={{ wordBreak: "break-all" }}>
            {challenge}
          </code>
        </p>
        {demoChallenge && <p className="alert warn">{t("credential.verify.demoChallenge")}</p>}
        <button type="button" className="btn small secondary" onClick={renew}>
          {t("credential.verify.newChallenge")}
        </button>
      </Section>
      <Section title={t("credential.verify.load")}>
        <Field label={t("credential.verify.loadFile")}>
          {(p) => (
            <input
              {...p}
              type="file"
              accept="application/json,.json"
              data-testid="verify-file"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f)
                  void f.text().then((v) => {
                    setText(v);
                    return check(v);
                  });
                e.target.value = "";
              }}
            />
          )}
        </Field>
        <Field label={t("credential.verify.paste")}>
          {(p) => (
            <textarea
              {...p}
              rows={4}
              value={text}
              data-testid="verify-paste"
              onChange={(e) => setText(e.target.value)}
            />
          )}
        </Field>
        <button type="button" className="btn" disabled={busy} onClick={() => void check(text)}>
          {t("credential.verify.check")}
        </button>
        {busy && <p role="status">{t("credential.verify.checking")}</p>}
        {chainError && <p className="alert danger">{t("credential.verify.chainError")}</p>}
      </Section>
      {result && (
        <Section title={t("credential.verify.result")}>
          <div data-testid="verify-result" data-ok={result.ok} data-run={runs}>
            {result.ok ? (
              <>
                <p className="alert ok">{t("credential.verify.ok")}</p>
                <h3>{t("credential.verify.proven")}</h3>
                <dl className="dl" data-testid="verify-proven">
                  {result.proven.map((f) => (
                    <div key={f.name} data-field={f.name}>
                      <dt>{label(f.name)}</dt>
                      <dd>{f.value}</dd>
                    </div>
                  ))}
                </dl>
              </>
            ) : (
              <>
                <p className="alert danger">{t("credential.verify.refused")}</p>
                <ul data-testid="verify-refusals">
                  {result.refusals.map((r) => (
                    <li key={`${r.code}:${r.field ?? ""}`} data-code={r.code}>
                      {t(`credential.verify.reasons.${r.code}`, {
                        field: r.field ? label(r.field) : "",
                        signer: result.signer ?? "—",
                        date: result.chain ? date(result.chain.expiresAt) : "—",
                      })}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {result.chain && (
              <dl className="dl">
                <div>
                  <dt>{t("credential.verify.issuer")}</dt>
                  <dd data-testid="verify-issuer">
                    <HexText value={result.chain.issuer} />
                  </dd>
                </div>
                <div>
                  <dt>{t("credential.verify.holder")}</dt>
                  <dd>
                    <HexText value={result.chain.subject} />
                  </dd>
                </div>
                <div>
                  <dt>{t("credential.verify.kind")}</dt>
                  <dd>
                    {roleLabel(t, result.chain.role)} ·{" "}
                    {refName(REGIONS, result.chain.region, i18n.language)}
                  </dd>
                </div>
                <div>
                  <dt>{t("credential.verify.expires")}</dt>
                  <dd>{result.chain.expiresAt ? date(result.chain.expiresAt) : "—"}</dd>
                </div>
                <div>
                  <dt>{t("credential.verify.credentialId")}</dt>
                  <dd>
                    <HexText value={String(result.credentialId ?? "")} />
                  </dd>
                </div>
              </dl>
            )}
          </div>
        </Section>
      )}
    </>
  );
}
