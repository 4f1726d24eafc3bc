import { useTranslation } from "react-i18next";
import { type Json, list } from "../api/client.ts";
import { BarChart, LineChart } from "../components/Charts.tsx";
import { Async, Section } from "../components/ui.tsx";
import { date, isoDay, num, won } from "../lib/format.ts";
import { useAsync } from "../lib/hooks.ts";
import { gradeLabels, gradeUnitsOf } from "../lib/labels.ts";
import { REGIONS, refName } from "../lib/reference.ts";

async function all(kind: string, params: Record<string, string> = {}): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const p: { items: Json[]; nextCursor: string | null } = await list<Json>(kind, {
      ...params,
      limit: 500,
      cursor,
    });
    out.push(...p.items);
    cursor = p.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export default function Stats() {
  const { t, i18n } = useTranslation();
  const sales = useAsync(() => all("sales"), []);
  const payments = useAsync(() => all("payments"), []);
  const tenders = useAsync(() => all("tenders"), []);
  const labels = gradeLabels(t);
  return (
    <>
      <h1>{t("stats.title")}</h1>
      <div className="grid stats-grid">
        <Section title={t("stats.byGrade")}>
          <Async state={sales}>
            {(s) => {
              const sum = [0, 0, 0, 0];
              for (const x of s) {
                for (const [i, g] of gradeUnitsOf(x).entries()) sum[i] = (sum[i] ?? 0) + g;
              }
              return (
                <BarChart
                  title={t("stats.byGrade")}
                  data={sum.map((v, i) => ({ label: labels[i] ?? "", value: v, display: num(v) }))}
                />
              );
            }}
          </Async>
        </Section>
        <Section title={t("stats.byRegion")}>
          <Async state={sales}>
            {(s) => {
              const by = new Map<number, number>();
              for (const x of s)
                by.set(
                  Number(x.region),
                  (by.get(Number(x.region)) ?? 0) + Number(x.acceptedUnits ?? 0),
                );
              const data = [...by].map(([r, v]) => ({
                label: refName(REGIONS, r, i18n.language),
                value: v,
                display: num(v),
              }));
              return data.length ? (
                <BarChart title={t("stats.byRegion")} data={data} />
              ) : (
                <p>{t("stats.noData")}</p>
              );
            }}
          </Async>
        </Section>
        <Section title={t("stats.paymentsOverTime")}>
          <Async state={payments}>
            {(p) => {
              const by = new Map<string, number>();
              for (const x of p) {
                const d = isoDay(new Date(String(x.blockTime)));
                by.set(d, (by.get(d) ?? 0) + Number(x.amount ?? 0));
              }
              const data = [...by]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([d, v]) => ({
                  label: date(`${d}T00:00:00+09:00`),
                  value: v,
                  display: won(v),
                }));
              return data.length ? (
                <LineChart title={t("stats.paymentsOverTime")} data={data} />
              ) : (
                <p>{t("stats.noData")}</p>
              );
            }}
          </Async>
        </Section>
        <Section title={t("stats.savings")}>
          <Async state={tenders}>
            {(ts) => {
              const data = ts
                .filter((x) => x.contractAmount)
                .map((x) => {
                  const base = Number(x.basePrice ?? 0);
                  const price = Number(x.contractAmount ?? 0);
                  const saved = base - price;
                  return {
                    label: `#${x.id}`,
                    value: Math.max(0, saved),
                    display: `${won(saved)} (${base ? ((saved / base) * 100).toFixed(2) : 0}%)`,
                  };
                });
              return data.length ? (
                <BarChart title={t("stats.savings")} data={data} color="#1f7a3a" />
              ) : (
                <p>{t("stats.noData")}</p>
              );
            }}
          </Async>
        </Section>
      </div>
    </>
  );
}
