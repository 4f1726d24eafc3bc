import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { getRecord, type Json, provenanceOf } from "../api/client.ts";
import { useSession } from "../chain/session.ts";
import { Async, DL } from "../components/ui.tsx";
import { date, dateTime, num, recordRef, seoulMidnight, tonnes, won } from "../lib/format.ts";
import { useAsync } from "../lib/hooks.ts";
import {
  GRADE_KEYS,
  gradeLabels,
  gradeUnitsOf,
  hasReceipt,
  packagingLabel,
  saleStateLabel,
} from "../lib/labels.ts";
import { ownRecord } from "../lib/own-record.ts";
import { COLLECTION_POINTS, programmeName, REGIONS, refName, VARIETIES } from "../lib/reference.ts";

const QrCode = lazy(() => import("../components/QrCode.tsx"));

/**
 * 전자 매입확인서: a bought sale, printable, with a QR code (made locally) to its record and tx.
 * The farmer's name and farm come from her own device (the signed-in session), never from the
 * public API; the price per grade, amounts and any clawback from the chain's record. A sale that
 * was not bought (waiting, cancelled, rejected) has no receipt.
 */
export default function Receipt({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const rec = useAsync(async () => {
    const sale = await getRecord<Json>("sales", id);
    const programme = await getRecord<Json>("programs", String(sale.programId)).catch(
      () => undefined,
    );
    const own =
      session !== null && session.address.toLowerCase() === String(sale.farmer).toLowerCase();
    // Her name and farm: her credential file on this device (never the public API).
    const mine = own ? await ownRecord(session) : null;
    return { sale, programme, own, mine };
  }, [id, session?.address]);
  return (
    <div className="receipt">
      <h1>{t("record.receiptTitle")}</h1>
      <Async state={rec}>
        {({ sale: r, programme, own, mine }) => {
          if (!hasReceipt(r))
            return (
              <p className="alert info" data-testid="no-receipt">
                {t("receipt.none", { ref: recordRef(r), state: saleStateLabel(t, r.state) })}
              </p>
            );
          const p = provenanceOf(r);
          const url = `${location.origin}${location.pathname}#/sale/${id}`;
          const g = gradeUnitsOf(r);
          const labels = gradeLabels(t);
          const prices = programme?.finalPrices as Json | null | undefined;
          const settlement = (r.settlement ?? {}) as Json;
          // Her credential file's fields if she keeps one here, else her sign-in's own details.
          const who = mine
            ? [
                mine.name,
                mine.farmRegistrationNo && t("receipt.farm", { id: mine.farmRegistrationNo }),
                mine.region,
              ]
            : [session?.name, session?.organisation];
          const shownName = own ? who.filter(Boolean).join(" · ") : "";
          const clawback = r.clawbackAmount as string | null;
          return (
            <div className="card">
              <DL
                rows={[
                  [t("fields.ref"), <strong key="r">{recordRef(r)}</strong>],
                  [t("fields.state"), saleStateLabel(t, r.state)],
                  [
                    t("receipt.farmer"),
                    shownName ? (
                      <span key="n" data-testid="receipt-farmer">
                        {shownName}
                        <br />
                        <span className="muted">{t("receipt.fromDevice")}</span>
                      </span>
                    ) : (
                      <span key="n" className="muted" data-testid="receipt-farmer">
                        {t("receipt.nameOnDevice")}
                      </span>
                    ),
                  ],
                  [
                    t("fields.address"),
                    <code key="f" className="hex" style={{ wordBreak: "break-all" }}>
                      {String(r.farmer)}
                    </code>,
                  ],
                  [t("fields.region"), refName(REGIONS, r.region as number, i18n.language)],
                  [
                    t("fields.programme"),
                    programmeName(
                      r.programId as number,
                      programme?.cropYear as number | undefined,
                      i18n.language,
                    ),
                  ],
                  [
                    t("fields.units"),
                    `${num(r.units as number)} (${tonnes(r.units as number)}) · ${packagingLabel(t, r.packaging)}`,
                  ],
                  [t("fields.variety"), refName(VARIETIES, r.variety as number, i18n.language)],
                  [
                    t("fields.collectionPoint"),
                    refName(COLLECTION_POINTS, r.collectionPoint as number, i18n.language),
                  ],
                  [
                    t("fields.deliveryDate"),
                    typeof r.deliveryDate === "string" ? date(seoulMidnight(r.deliveryDate)) : "—",
                  ],
                ]}
              />
              <table className="data" data-testid="receipt-grades">
                <caption>{t("receipt.grades")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("receipt.grade")}</th>
                    <th scope="col">{t("fields.units")}</th>
                    <th scope="col">{t("receipt.price")}</th>
                    <th scope="col">{t("fields.amount")}</th>
                  </tr>
                </thead>
                <tbody>
                  {GRADE_KEYS.map((k, i) => {
                    const price = prices ? String(prices[k] ?? "") : "";
                    return (
                      <tr key={k}>
                        <th scope="row">{labels[i]}</th>
                        <td>{num(g[i] ?? 0)}</td>
                        <td>{price ? won(price) : t("receipt.priceNotYet")}</td>
                        <td>{price ? won(BigInt(price) * BigInt(g[i] ?? 0)) : "—"}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <DL
                rows={[
                  [t("fields.interim"), won(settlement.interim as string)],
                  [
                    t("receipt.final"),
                    settlement.finalAmount
                      ? won(settlement.finalAmount as string)
                      : t("receipt.priceNotYet"),
                  ],
                  ...(clawback && clawback !== "0"
                    ? [
                        [t("receipt.clawback"), won(clawback)] as [string, string],
                        [t("receipt.repaid"), won(r.repaidAmount as string)] as [string, string],
                      ]
                    : []),
                  [t("fields.paid"), won(r.paidAmount as string)],
                  [
                    t("record.txHash"),
                    <code key="t" className="hex" style={{ wordBreak: "break-all" }}>
                      {p.txHash}
                    </code>,
                  ],
                  [t("fields.time"), dateTime(p.blockTime)],
                ]}
              />
              <Suspense fallback={<div style={{ width: 160, height: 160 }} />}>
                <QrCode value={`${url}?tx=${p.txHash}`} label={`${t("record.qrHelp")} ${url}`} />
              </Suspense>
              <p>{t("record.qrHelp")}</p>
              <button type="button" className="btn no-print" onClick={() => window.print()}>
                {t("record.print")}
              </button>
            </div>
          );
        }}
      </Async>
    </div>
  );
}
