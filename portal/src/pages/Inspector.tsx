import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Json, list } from "../api/client.ts";
import { RequireSession } from "../components/RequireSession.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Field, Hex } from "../components/ui.tsx";
import { download, makeDocument } from "../lib/docs.ts";
import { num } from "../lib/format.ts";
import { useAsync, useLive } from "../lib/hooks.ts";
import { gradeLabels, packagingLabel, saleStateLabel } from "../lib/labels.ts";
import { COLLECTION_POINTS, refName, VARIETIES } from "../lib/reference.ts";
import { validateInspection } from "../lib/validate.ts";

interface Row {
  grades: string[];
  rejected: string;
  moisture: string;
  include: boolean;
}

function Queue({ point, inspector }: { point: string; inspector: string }) {
  const { t, i18n } = useTranslation();
  const queue = useAsync(async () => {
    const [a, b] = await Promise.all([
      list<Json>("sales", { state: "Submitted", limit: 500 }),
      list<Json>("sales", { state: "Disputed", limit: 500 }),
    ]);
    return [...a.items, ...b.items].filter(
      (s) =>
        String(s.collectionPoint) === point &&
        ["1", "5", "Submitted", "Disputed"].includes(String(s.state)),
    );
  }, [point]);
  useLive(() => queue.reload(), 800);
  const [rows, setRows] = useState<Record<string, Row>>({});
  const labels = gradeLabels(t);
  const rowOf = (s: Json): Row =>
    rows[String(s.id)] ?? {
      grades: ["", "", "", ""],
      rejected: "",
      moisture: "14.0",
      include: true,
    };
  const set = (id: string, r: Row) => setRows((old) => ({ ...old, [id]: r }));
  const items = queue.data ?? [];
  const chosen = items.filter((s) => rowOf(s).include);
  const problems = new Map(
    chosen.map((s) => [String(s.id), validateInspection({ units: Number(s.units), ...rowOf(s) })]),
  );
  const okCount = [...problems.values()].filter((p) => p === null).length;

  const submit = async () => {
    const ready = chosen.filter((s) => problems.get(String(s.id)) === null);
    if (ready.length === 0) return;
    const docs = ready.map((s) => {
      const r = rowOf(s);
      return makeDocument("검사증명서 (jangbu)", {
        saleId: String(s.id),
        inspector,
        collectionPoint: point,
        특: r.grades[0] || 0,
        "1등": r.grades[1] || 0,
        "2등": r.grades[2] || 0,
        "3등": r.grades[3] || 0,
        등외: r.rejected || 0,
        수분: r.moisture,
      });
    });
    const inspections = ready.map((s, i) => {
      const r = rowOf(s);
      return {
        saleId: BigInt(String(s.id)),
        gradeUnits: r.grades.map((g) => Number(g || 0)) as [number, number, number, number],
        rejectedUnits: Number(r.rejected || 0),
        moisturePermille: Math.round(Number(r.moisture) * 10),
        certificateHash: docs[i]?.hash ?? "0x",
      };
    });
    const res = await requestSignature({
      contract: "RicePurchase",
      functionName: "recordInspections",
      args: [inspections],
      title: t("actions.recordInspections", { count: ready.length }),
      details: ready.map((s, i) => [
        `#${i + 1} ${num(s.units as number)}`,
        inspections[i]?.gradeUnits.map((g, j) => `${labels[j]} ${g}`).join(", ") ?? "",
      ]),
    });
    if (res) {
      download(
        `검사증명서-${res.txHash.slice(0, 10)}.txt`,
        docs.map((d) => d.text).join("\n---\n"),
      );
      setRows({});
      queue.reload();
    }
  };

  return (
    <Async state={queue}>
      {(q) =>
        q.length === 0 ? (
          <p className="status-msg">{t("inspector.empty")}</p>
        ) : (
          <>
            <h2>{t("inspector.queue", { count: q.length })}</h2>
            <p>{t("inspector.help")}</p>
            <button
              type="button"
              className="btn secondary small"
              onClick={() => {
                const next: Record<string, Row> = {};
                for (const s of q)
                  next[String(s.id)] = {
                    ...rowOf(s),
                    grades: ["", String(s.units), "", ""],
                    rejected: "",
                  };
                setRows(next);
              }}
            >
              {t("inspector.fill1")}
            </button>
            <div className="table-wrap">
              <table className="data grade-grid">
                <caption className="sr-only">{t("inspector.queue", { count: q.length })}</caption>
                <thead>
                  <tr>
                    <th scope="col">✓</th>
                    <th scope="col">{t("fields.farmer")}</th>
                    <th scope="col">{t("fields.units")}</th>
                    {labels.map((l) => (
                      <th scope="col" key={l}>
                        {l}
                      </th>
                    ))}
                    <th scope="col">{t("grade.rejected")}</th>
                    <th scope="col">{t("fields.moisture")}</th>
                    <th scope="col">{t("fields.state")}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.map((s, idx) => {
                    const id = String(s.id);
                    const r = rowOf(s);
                    const p = r.include ? problems.get(id) : null;
                    const name = `#${idx + 1}`;
                    return (
                      <tr key={id} data-testid="inspect-row">
                        <td>
                          <input
                            type="checkbox"
                            checked={r.include}
                            aria-label={`${name} ${t("app.confirm")}`}
                            onChange={(e) => set(id, { ...r, include: e.target.checked })}
                          />
                        </td>
                        <th scope="row">
                          {name} <Hex value={s.farmer as string} />
                          <br />
                          <small>
                            {packagingLabel(t, s.packaging)} ·{" "}
                            {refName(VARIETIES, s.variety as number, i18n.language)}
                          </small>
                        </th>
                        <td>{num(s.units as number)}</td>
                        {r.grades.map((g, j) => (
                          <td key={labels[j]}>
                            <input
                              inputMode="numeric"
                              value={g}
                              aria-label={`${name} ${labels[j]}`}
                              onChange={(e) => {
                                const grades = [...r.grades];
                                grades[j] = e.target.value;
                                set(id, { ...r, grades });
                              }}
                            />
                          </td>
                        ))}
                        <td>
                          <input
                            inputMode="numeric"
                            value={r.rejected}
                            aria-label={`${name} ${t("grade.rejected")}`}
                            onChange={(e) => set(id, { ...r, rejected: e.target.value })}
                          />
                        </td>
                        <td>
                          <input
                            inputMode="decimal"
                            value={r.moisture}
                            aria-label={`${name} ${t("fields.moisture")}`}
                            onChange={(e) => set(id, { ...r, moisture: e.target.value })}
                          />
                        </td>
                        <td className={p ? "bad" : ""}>
                          {saleStateLabel(t, s.state)}
                          {p && <p className="error-text">{t(p.key, p.params ?? {})}</p>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <div className="actions">
              <button
                type="button"
                className="btn"
                disabled={okCount === 0}
                onClick={() => void submit()}
              >
                {t("inspector.submitBatch", { count: okCount })}
              </button>
            </div>
          </>
        )
      }
    </Async>
  );
}

export default function Inspector() {
  const { t, i18n } = useTranslation();
  const [point, setPoint] = useState(
    () => localStorage.getItem("jangbu.point") ?? Object.keys(COLLECTION_POINTS)[0] ?? "",
  );
  return (
    <>
      <h1>{t("inspector.title")}</h1>
      <RequireSession>
        {(s) => (
          <>
            <Field label={t("inspector.point")}>
              {(p) => (
                <select
                  {...p}
                  value={point}
                  onChange={(e) => {
                    setPoint(e.target.value);
                    localStorage.setItem("jangbu.point", e.target.value);
                  }}
                >
                  {Object.keys(COLLECTION_POINTS).map((c) => (
                    <option key={c} value={c}>
                      {refName(COLLECTION_POINTS, c, i18n.language)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Queue point={point} inspector={s.address} />
          </>
        )}
      </RequireSession>
    </>
  );
}
