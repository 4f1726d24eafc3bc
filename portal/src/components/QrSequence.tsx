import { lazy, Suspense, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { toQrParts } from "../../../sdk/presentation.ts";
import { download } from "../lib/docs.ts";
import { CopyButton } from "./ui.tsx";

const QrCode = lazy(() => import("./QrCode.tsx"));

/**
 * A JSON document handed from one device to another: a download, its text to copy, and a sequence
 * of QR codes (`JB1 i/n <part>`, sdk/presentation.ts) shown one at a time.
 */
export function QrSequence({
  text,
  fileName,
  testId,
}: {
  text: string;
  fileName: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const parts = useMemo(() => toQrParts(text), [text]);
  const [i, setI] = useState(0);
  const at = Math.min(i, parts.length - 1);
  return (
    <div className="qr-sequence">
      <div className="row">
        <button
          type="button"
          className="btn"
          onClick={() => download(fileName, text, "application/json;charset=utf-8")}
        >
          {t("credential.file.download")}
        </button>
        <CopyButton value={text} />
      </div>
      <p aria-live="polite">{t("credential.file.qrPart", { i: at + 1, n: parts.length })}</p>
      <Suspense fallback={null}>
        <QrCode
          value={parts[at] ?? ""}
          label={t("credential.file.qrPart", { i: at + 1, n: parts.length })}
        />
      </Suspense>
      {parts.length > 1 && (
        <div className="row">
          <button
            type="button"
            className="btn small secondary"
            disabled={at === 0}
            onClick={() => setI(at - 1)}
          >
            {t("credential.file.prev")}
          </button>
          <button
            type="button"
            className="btn small secondary"
            disabled={at === parts.length - 1}
            onClick={() => setI(at + 1)}
          >
            {t("credential.file.next")}
          </button>
        </div>
      )}
      <textarea
        readOnly
        value={text}
        data-testid={testId}
        aria-label={fileName}
        rows={4}
        style={{ width: "100%" }}
      />
    </div>
  );
}
