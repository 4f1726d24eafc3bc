/**
 * Before signing: our own Korean summary of exactly what is signed (action, contract, signer,
 * deadline, nonce, details), then sign → relay → wait for the block. Reverts shown as sentences.
 */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { describeError, errorMessage } from "../chain/errors.ts";
import { getSession } from "../chain/session.ts";
import { type Prepared, prepare, RevertError, type Sent, signAndSend } from "../chain/tx.ts";
import { finishSignature, usePending } from "./sign-store.ts";

export { requestSignature } from "./sign-store.ts";

import { dateTime, shortHex } from "../lib/format.ts";
import { href, navigate } from "../lib/hooks.ts";

type Phase = "preparing" | "ready" | "sending" | "done" | "error";

export default function SignDialog() {
  const { t } = useTranslation();
  const current = usePending();
  const ref = useRef<HTMLDialogElement>(null);
  const [phase, setPhase] = useState<Phase>("preparing");
  const [prepared, setPrepared] = useState<Prepared | null>(null);
  const [message, setMessage] = useState("");
  const [sent, setSent] = useState<Sent | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (current && !d.open) d.showModal?.();
    if (!current && d.open) d.close();
    if (!current) return;
    const session = getSession();
    setPhase("preparing");
    setPrepared(null);
    setSent(null);
    setMessage("");
    if (!session) {
      setPhase("error");
      setMessage(t("wallet.needSignIn"));
      return;
    }
    prepare(session, current.action).then(
      (p) => {
        setPrepared(p);
        setPhase("ready");
      },
      (e: unknown) => {
        setPhase("error");
        setMessage(
          e instanceof RevertError
            ? describeError(t, { name: e.errorName, args: e.args })
            : errorMessage(t, e),
        );
      },
    );
  }, [current, t]);

  const finish = finishSignature;

  const onSign = async () => {
    const session = getSession();
    if (!session || !prepared) return;
    setPhase("sending");
    try {
      const s = await signAndSend(session, prepared);
      setSent(s);
      setPhase("done");
    } catch (e) {
      setPhase("error");
      setMessage(
        e instanceof RevertError
          ? describeError(t, { name: e.errorName, args: e.args })
          : errorMessage(t, e),
      );
    }
  };

  const a = current?.action;
  const session = getSession();
  const viewTx = (hash: string) => {
    // Close first: a modal dialog left open would cover the transaction page.
    finish(sent);
    navigate(`/tx/${hash}`);
  };
  return (
    <dialog
      ref={ref}
      className="sign-dialog"
      aria-labelledby="sign-title"
      aria-describedby="sign-intro"
      onCancel={(e) => {
        e.preventDefault();
        if (phase !== "sending") finish(phase === "done" ? sent : null);
      }}
    >
      {a && (
        <div className="sign-body">
          <div className="sign-scroll" data-testid="sign-summary">
            <p className="sign-kicker">{t("sign.title")}</p>
            <h2 id="sign-title">{a.title}</h2>
            <p id="sign-intro">{t("ux.sign.intro")}</p>
            {a.details.length > 0 && (
              <dl className="dl summary">
                {a.details.map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            )}
            <details className="sign-more">
              <summary>{t("ux.sign.more")}</summary>
              <dl className="dl">
                <div>
                  <dt>{t("sign.contract")}</dt>
                  <dd>
                    {t(`ux.contracts.${a.contract}`)} <code>{shortHex(prepared?.request.to)}</code>
                  </dd>
                </div>
                <div>
                  <dt>{t("sign.signer")}</dt>
                  <dd>
                    {session?.name ? `${session.name} · ` : ""}
                    <code>{shortHex(session?.address)}</code>
                  </dd>
                </div>
                <div>
                  <dt>{t("sign.deadline")}</dt>
                  <dd>{prepared ? dateTime(prepared.request.deadline) : "…"}</dd>
                </div>
                <div>
                  <dt>{t("sign.nonce")}</dt>
                  <dd>{prepared ? prepared.request.nonce.toString() : "…"}</dd>
                </div>
              </dl>
            </details>
          </div>
          <div className="sign-foot">
            <div role="status" aria-live="polite" className="sign-status">
              {phase === "preparing" && <p>{t("ux.sign.checking")}</p>}
              {phase === "sending" && <p>{t("sign.pending")}</p>}
              {phase === "done" && sent && <p className="alert ok">{t("sign.done")}</p>}
            </div>
            {phase === "error" && (
              <div className="alert danger" role="alert">
                <strong>{t("sign.failed")}</strong>
                <p>{message}</p>
              </div>
            )}
            <div className="actions">
              {phase === "done" ? (
                <>
                  <button type="button" className="btn" onClick={() => finish(sent)}>
                    {t("app.close")}
                  </button>
                  {sent && (
                    <a
                      className="btn secondary"
                      href={href(`/tx/${sent.txHash}`)}
                      onClick={(e) => {
                        e.preventDefault();
                        viewTx(sent.txHash);
                      }}
                    >
                      {t("sign.viewTx")}
                    </a>
                  )}
                </>
              ) : (
                <>
                  <button
                    type="button"
                    className="btn"
                    disabled={phase !== "ready"}
                    onClick={() => void onSign()}
                    data-testid="sign-confirm"
                  >
                    {phase === "sending" ? t("sign.sending") : t("sign.sign")}
                  </button>
                  <button
                    type="button"
                    className="btn secondary"
                    disabled={phase === "sending"}
                    onClick={() => finish(null)}
                  >
                    {t("app.cancel")}
                  </button>
                </>
              )}
            </div>
          </div>
        </div>
      )}
    </dialog>
  );
}
