/**
 * The official's payment list: for each sale only the next payment it waits for (interim after
 * approval; the final top-up, or the clawback and then its repayment, once final prices are set),
 * with the exact amount the contract requires, and the bank transfer's reference typed by the
 * official (its hash goes on chain as transferRefHash). Sales with nothing due are not listed.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { PaymentKind } from "../../../sdk/generated/enums.ts";
import type { PaymentDue } from "../../../sdk/settlement.ts";
import { type Json, list } from "../api/client.ts";
import { PasskeyFlag } from "../components/PasskeyMark.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field, Who } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { officialKo } from "../i18n/ko-official.ts";
import { textHash } from "../lib/docs.ts";
import { num, recordRef, won } from "../lib/format.ts";
import { href, useAsync, useLive } from "../lib/hooks.ts";
import { paymentKindLabel, saleStateName } from "../lib/labels.ts";
import { paymentDueOf } from "../lib/payments.ts";
import { REGIONS, refName } from "../lib/reference.ts";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("official", officialKo);

/** Sale states that can have a payment or clawback due (sdk/settlement.ts nextPaymentDue). */
const PAYABLE_STATES = ["Approved", "InterimPaid", "ClawbackDue"] as const;

/** A bank reference as the transfer slip shows it: 4–64 characters, no control characters. */
export const validTransferRef = (v: string) => /^[^\p{C}]{4,64}$/u.test(v.trim());

function DueRow({
  sale: s,
  due,
  onDone,
}: {
  sale: Json;
  due: NonNullable<PaymentDue>;
  onDone: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [ref, setRef] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const id = String(s.id);
  const label = `${recordRef(s)} · ${refName(REGIONS, s.region as number, i18n.language)}`;
  const record = async () => {
    if (due.action === "clawback") {
      const r = await requestSignature({
        contract: "RicePurchase",
        functionName: "recordClawback",
        args: [BigInt(id)],
        title: t("actions.recordClawback", { id: label }),
        details: [[t("official.clawbackAmount"), won(due.amount)]],
      });
      if (r) onDone();
      return;
    }
    if (!validTransferRef(ref)) {
      setErr(t("official.errTransferRef"));
      return;
    }
    setErr(null);
    const r = await requestSignature({
      contract: "RicePurchase",
      functionName: "recordPayment",
      args: [BigInt(id), due.kind, due.amount, textHash(ref.trim())],
      title: t("actions.recordPayment", {
        kind: paymentKindLabel(t, due.kind),
        amount: won(due.amount),
        id: label,
      }),
      details: [[t("official.transferRef"), ref.trim()]],
    });
    if (r) {
      setRef("");
      onDone();
    }
  };
  const what =
    due.action === "clawback"
      ? t("official.clawbackToRecord")
      : due.kind === PaymentKind.ClawbackRepayment
        ? t("official.repaymentDue")
        : paymentKindLabel(t, due.kind);
  return (
    <li className="card" data-testid="payment-due">
      <p style={{ marginTop: 0 }}>
        <strong>{what}</strong> <strong data-testid="payment-amount">{won(due.amount)}</strong>
      </p>
      <p>
        <a href={href(`/sale/${id}`)}>{label}</a> ·{" "}
        <Who address={s.farmer as string} holderRole="Farmer" region={s.region as number} />{" "}
        <PasskeyFlag marked={s.passkeyAccount} /> ·{" "}
        {t("official.acceptedBags", { units: num(s.acceptedUnits as number) })}
      </p>
      <form
        noValidate
        aria-label={what}
        onSubmit={(e) => {
          e.preventDefault();
          void record();
        }}
      >
        {due.action === "clawback" ? (
          <p>{t("official.clawbackHelp", { amount: won(due.amount) })}</p>
        ) : (
          <Field
            label={t(
              due.kind === PaymentKind.ClawbackRepayment
                ? "official.repaymentRef"
                : "official.transferRef",
            )}
            hint={t("official.transferRefHint")}
            error={err}
            required
          >
            {(p) => (
              <input
                {...p}
                value={ref}
                autoComplete="off"
                onChange={(e) => setRef(e.target.value)}
                data-testid="transfer-ref"
              />
            )}
          </Field>
        )}
        <button type="submit" className="btn" data-testid="pay">
          {due.action === "clawback"
            ? t("official.recordClawback")
            : due.kind === PaymentKind.ClawbackRepayment
              ? t("official.recordRepayment")
              : t("official.pay")}
        </button>
      </form>
    </li>
  );
}

export default function Payments() {
  const { t } = useTranslation();
  const q = useAsync(async () => {
    const [programmes, ...pages] = await Promise.all([
      list<Json>("programs", { limit: 100 }),
      ...PAYABLE_STATES.map((state) => list<Json>("sales", { state, limit: 100 })),
    ]);
    const byId = new Map(programmes.items.map((p) => [String(p.id), p]));
    return pages
      .flatMap((p) => p.items)
      .filter((s) => (PAYABLE_STATES as readonly string[]).includes(saleStateName(s.state)))
      .map((sale) => ({ sale, due: paymentDueOf(sale, byId.get(String(sale.programId))) }))
      .filter((x): x is { sale: Json; due: NonNullable<PaymentDue> } => x.due !== null);
  }, []);
  useLive(() => q.reload(), 800);
  return (
    <Async state={q} empty={(x) => x.length === 0}>
      {(items) => (
        <>
          <p>{t("official.paymentsHelp", { count: items.length })}</p>
          <ul style={{ listStyle: "none", padding: 0 }}>
            {items.map(({ sale, due }) => (
              <DueRow key={String(sale.id)} sale={sale} due={due} onDone={() => q.reload()} />
            ))}
          </ul>
        </>
      )}
    </Async>
  );
}
