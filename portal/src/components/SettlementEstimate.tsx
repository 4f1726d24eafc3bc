/**
 * A sale's settlement as the farm-gate prices (산지쌀값) published so far point to it: interim,
 * the estimated final amount with its range, and what she would owe back; then the actual
 * figures once the final prices are set. The figures come from the API (`/estimates`), which
 * runs the sdk's estimate (sdk/estimate.ts: the programme's own final-price formula).
 */
import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { Json } from "../api/client.ts";
import { num, won } from "../lib/format.ts";

const big = (v: unknown) => {
  try {
    return BigInt(String(v ?? "0"));
  } catch {
    return 0n;
  }
};

/** The observations as a small line chart, with the same figures as a table for screen readers. */
export function FarmGateChart({ series }: { series: Json }) {
  const { t } = useTranslation();
  const id = useId();
  const obs = (Array.isArray(series.observations) ? series.observations : []) as Json[];
  const dates = (Array.isArray(series.surveyDates) ? series.surveyDates : []) as string[];
  if (obs.length === 0) return null;
  const prices = obs.map((o) => Number(o.pricePer80kg));
  const lo = Math.min(...prices);
  const hi = Math.max(...prices);
  const pad = Math.max(1000, (hi - lo) * 0.15);
  const [min, max] = [lo - pad, hi + pad];
  const w = 320;
  const h = 140;
  const left = 8;
  const right = 8;
  const top = 22;
  const bottom = 24;
  const slots = Math.max(dates.length, obs.length);
  const x = (i: number) => left + ((w - left - right) * i) / Math.max(1, slots - 1);
  const y = (p: number) => top + ((h - top - bottom) * (max - p)) / (max - min);
  const indexOf = (o: Json) => {
    const i = dates.indexOf(String(o.date));
    return i >= 0 ? i : obs.indexOf(o);
  };
  const points = obs.map((o) => `${x(indexOf(o))},${y(Number(o.pricePer80kg))}`).join(" ");
  const title = t("estimate.chartTitle");
  const short = (d: string) => `${Number(d.slice(5, 7))}.${Number(d.slice(8, 10))}`;
  const last = obs[obs.length - 1] as Json;
  return (
    <figure className="chart estimate-chart">
      <figcaption id={id}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${w} ${h}`}
        role="img"
        aria-labelledby={id}
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{title}</title>
        <line
          x1={left}
          x2={w - right}
          y1={h - bottom}
          y2={h - bottom}
          stroke="currentColor"
          strokeOpacity="0.3"
        />
        {dates.map((d, i) => (
          <text
            key={d}
            x={x(i)}
            y={h - 6}
            fontSize="10"
            textAnchor="middle"
            fill="currentColor"
            opacity={i < obs.length ? 1 : 0.5}
          >
            {i % 3 === 0 ? short(d) : "·"}
          </text>
        ))}
        <polyline points={points} fill="none" stroke="#256ef4" strokeWidth="2.5" />
        {obs.map((o) => (
          <circle
            key={String(o.date)}
            cx={x(indexOf(o))}
            cy={y(Number(o.pricePer80kg))}
            r="3.5"
            fill="#256ef4"
          />
        ))}
        <text
          x={x(indexOf(last))}
          y={y(Number(last.pricePer80kg)) - 8}
          fontSize="11"
          textAnchor="end"
          fill="currentColor"
        >
          {num(Number(last.pricePer80kg))}
        </text>
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t("estimate.date")}</th>
            <th scope="col">{t("estimate.price80kg")}</th>
          </tr>
        </thead>
        <tbody>
          {obs.map((o) => (
            <tr key={String(o.date)}>
              <td>
                {t("estimate.day", {
                  month: Number(String(o.date).slice(5, 7)),
                  day: Number(String(o.date).slice(8, 10)),
                })}
              </td>
              <td>{won(Number(o.pricePer80kg))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** One sale's estimate panel (`estimate`: an item of `/estimates`; `series`: its programme's). */
export function SettlementEstimate({ estimate, series }: { estimate: Json; series?: Json }) {
  const { t } = useTranslation();
  const interim = big(estimate.interim);
  const e = (estimate.estimate ?? null) as Json | null;
  const actual = (estimate.actual ?? null) as Json | null;
  const outlook = (series?.outlook ?? null) as Json | null;
  const rows: [string, string, string?][] = [
    [
      t(estimate.interimPaid === true ? "estimate.interimPaid" : "estimate.interimDue"),
      won(interim),
    ],
  ];
  let note: { tone: "info" | "warn" | "ok"; text: string } | null = null;
  if (actual !== null) {
    const balance = big(actual.balance);
    rows.push([t("estimate.actualFinal"), won(big(actual.finalAmount)), "actual-final"]);
    rows.push(
      balance < 0n
        ? [t("estimate.actualClawback"), won(-balance), "actual-clawback"]
        : [t("estimate.actualTopUp"), won(balance), "actual-topup"],
    );
    note =
      balance < 0n
        ? { tone: "warn", text: t("estimate.actualOwe", { amount: won(-balance) }) }
        : { tone: "ok", text: t("estimate.actualGet", { amount: won(balance) }) };
  } else if (e !== null) {
    const clawback = big(e.clawback);
    const atLow = big(e.clawbackAtLow);
    rows.push([
      t(e.complete === true ? "estimate.finalFromAll" : "estimate.estimated"),
      won(big(e.finalAmount)),
      "estimate-final",
    ]);
    if (e.complete !== true)
      rows.push([
        t("estimate.range"),
        `${won(big(e.low))} ~ ${won(big(e.high))}`,
        "estimate-range",
      ]);
    rows.push([
      t("estimate.clawbackRisk"),
      clawback > 0n ? won(clawback) : t("estimate.none"),
      "estimate-clawback",
    ]);
    note =
      clawback > 0n
        ? { tone: "warn", text: t("estimate.oweAtEstimate", { amount: won(clawback) }) }
        : atLow > 0n
          ? { tone: "info", text: t("estimate.oweIfFalls", { amount: won(atLow) }) }
          : { tone: "ok", text: t("estimate.noOwe") };
  }
  return (
    <section
      className="estimate"
      aria-label={t("estimate.title")}
      data-testid="settlement-estimate"
    >
      <h4 style={{ margin: "0.5rem 0" }}>{t("estimate.title")}</h4>
      <dl className="estimate-figures">
        {rows.map(([label, value, testId]) => (
          <div key={label} data-testid={testId}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {actual === null && e === null && <p className="muted">{t("estimate.noObservations")}</p>}
      {note !== null && (
        <p
          className={
            note.tone === "warn" ? "alert warn" : note.tone === "info" ? "alert info" : "muted"
          }
          data-testid="estimate-note"
        >
          {note.text}
        </p>
      )}
      {actual === null && outlook !== null && (
        <p className="muted" data-testid="estimate-basis">
          {t("estimate.basis", {
            observed: Number(outlook.observed),
            remaining: Number(outlook.remaining),
            average: won(Number(outlook.average)),
          })}{" "}
          {Number(outlook.remaining) > 0 &&
            t("estimate.assumption", { pct: Number(outlook.stepBps) / 100 })}
        </p>
      )}
      {series !== undefined && <FarmGateChart series={series} />}
    </section>
  );
}
