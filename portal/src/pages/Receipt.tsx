import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { getRecord, type Json, provenanceOf } from "../api/client.ts";
import { Async, DL, Loading } from "../components/ui.tsx";
import { date, dateTime, num, seoulMidnight, tonnes, won } from "../lib/format.ts";
import { useAsync } from "../lib/hooks.ts";
import { gradeLabels, gradeUnitsOf, packagingLabel, saleStateLabel } from "../lib/labels.ts";
import { COLLECTION_POINTS, refName, VARIETIES } from "../lib/reference.ts";

const QrCode = lazy(() => import("../components/QrCode.tsx"));

/** 전자 매입확인서: the sale, printable, with a QR code (made locally) to its record and tx. */
export default function Receipt({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const rec = useAsync(() => getRecord<Json>("sales", id), [id]);
  return (
    <div className="receipt">
      <h1>{t("record.receiptTitle")}</h1>
      <Async state={rec}>
        {(r) => {
          const p = provenanceOf(r);
          const url = `${location.origin}${location.pathname}#/sale/${id}`;
          const g = gradeUnitsOf(r);
          const labels = gradeLabels(t);
          return (
            <div className="card">
              <DL
                rows={[
                  [
                    t("fields.id"),
                    <code
                      key="i"
                      className="hex"
                      style={{ wordBreak: "break-all" }}
                    >{`0x${BigInt(id).toString(16)}`}</code>,
                  ],
                  [t("fields.state"), saleStateLabel(t, r.state)],
                  [
                    t("fields.farmer"),
                    <code key="f" className="hex" style={{ wordBreak: "break-all" }}>
                      {String(r.farmer)}
                    </code>,
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
                  [t("fields.grades"), g.map((x, i) => `${labels[i]} ${num(x)}`).join(" · ")],
                  [t("fields.interim"), won(r.interimAmount as string)],
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
              <Suspense fallback={<Loading />}>
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
