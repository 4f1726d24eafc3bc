import { useTranslation } from "react-i18next";
import { getJson, type Json, list } from "../api/client.ts";
import { Async, DL, Section } from "../components/ui.tsx";
import { num } from "../lib/format.ts";
import { href, useAsync, useLive } from "../lib/hooks.ts";
import { SaleTable, TenderTable } from "./Search.tsx";

/** The chain status; drawn with placeholders while loading so nothing moves when it arrives. */
function StatusList({ s }: { s: Json | undefined }) {
  const { t } = useTranslation();
  const chain = (s?.chain ?? {}) as Json;
  const v = (x: string) => (s === undefined ? "…" : x);
  return (
    <DL
      rows={[
        [t("home.chain"), v(String(s?.chainId ?? chain.id ?? chain.chainId ?? "—"))],
        [t("home.head"), v(num((s?.chainHead ?? s?.headBlock ?? chain.head) as number))],
        [t("home.indexed"), v(num(s?.indexedBlock as number))],
        [t("home.lag"), v(num((s?.lagBlocks ?? s?.lag) as number))],
      ]}
    />
  );
}

export function Home() {
  const { t } = useTranslation();
  const status = useAsync(() => getJson<Json>("/api/v1/status"), []);
  const sales = useAsync(() => list("sales", { limit: 5 }), []);
  const tenders = useAsync(() => list("tenders", { limit: 5 }), []);
  const live = useLive(() => {
    status.reload();
    sales.reload();
    tenders.reload();
  });
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p>{t("home.intro")}</p>
      <div className="actions">
        <a className="btn" href={href("/search")}>
          {t("home.searchCta")}
        </a>
        <a className="btn secondary" href={href("/wallet")}>
          {t("home.signInCta")}
        </a>
      </div>
      <Section
        title={t("home.status")}
        actions={<span className="live">{live ? t("app.live") : t("app.offline")}</span>}
      >
        {status.error && !status.data ? (
          <Async state={status}>{() => null}</Async>
        ) : (
          <StatusList s={status.data} />
        )}
      </Section>
      <Section title={`${t("home.recent")} — ${t("search.sales")}`}>
        <Async state={sales} empty={(p) => p.items.length === 0}>
          {(p) => <SaleTable items={p.items as Json[]} />}
        </Async>
      </Section>
      <Section title={`${t("home.recent")} — ${t("search.tenders")}`}>
        <Async state={tenders} empty={(p) => p.items.length === 0}>
          {(p) => <TenderTable items={p.items as Json[]} />}
        </Async>
      </Section>
    </>
  );
}
