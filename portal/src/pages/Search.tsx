import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Json, list, type Page } from "../api/client.ts";
import { listExports, SEARCH_KINDS } from "../api/exports.ts";
import { Async, Badge, Field, Hex, Section } from "../components/ui.tsx";
import { date, num, tonnes, won } from "../lib/format.ts";
import { href, navigate, useAsync, useLive, useRoute } from "../lib/hooks.ts";
import {
  packagingLabel,
  paymentKindLabel,
  roleLabel,
  saleStateLabel,
  tenderStateLabel,
  toneOfSale,
} from "../lib/labels.ts";
import { REGIONS, refName } from "../lib/reference.ts";

const KINDS = SEARCH_KINDS;
type Kind = (typeof KINDS)[number];

export function SaleTable({ items }: { items: Json[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">{t("fields.id")}</th>
            <th scope="col">{t("fields.farmer")}</th>
            <th scope="col">{t("fields.units")}</th>
            <th scope="col">{t("fields.packaging")}</th>
            <th scope="col">{t("fields.state")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={String(s.id)}>
              <td>
                <Hex value={`0x${BigInt(String(s.id)).toString(16)}`} to={`/sale/${s.id}`} />
              </td>
              <td>
                <Hex value={s.farmer as string} to={`/account/${s.farmer}`} />
              </td>
              <td>
                {num(s.units as number)} ({tonnes(s.units as number)})
              </td>
              <td>{packagingLabel(t, s.packaging)}</td>
              <td>
                <Badge tone={toneOfSale(s.state)}>{saleStateLabel(t, s.state)}</Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TenderTable({ items }: { items: Json[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">{t("fields.id")}</th>
            <th scope="col">{t("fields.title")}</th>
            <th scope="col">{t("fields.basePrice")}</th>
            <th scope="col">{t("fields.bidDeadline")}</th>
            <th scope="col">{t("fields.state")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((x) => (
            <tr key={String(x.id)}>
              <td>
                <a href={href(`/tender/${x.id}`)}>{String(x.id)}</a>
              </td>
              <td>{String(x.title ?? "")}</td>
              <td>{won(x.basePrice as string)}</td>
              <td>{date(x.bidDeadline as string)}</td>
              <td>
                <Badge>{tenderStateLabel(t, x.state)}</Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function GenericTable({ kind, items }: { kind: Kind; items: Json[] }) {
  const { t, i18n } = useTranslation();
  if (kind === "sales") return <SaleTable items={items} />;
  if (kind === "tenders") return <TenderTable items={items} />;
  const rows = items.map((x) => {
    switch (kind) {
      case "programs":
        return [
          <a key="a" href={href(`/programme/${x.id}`)}>
            {String(x.id)}
          </a>,
          `${x.cropYear ?? ""}`,
          `${num(x.nationalQuota as string)} (${tonnes(x.nationalQuota as string)})`,
          won(x.interimPerUnit as string),
        ];
      case "credentials":
        return [
          <a key="a" href={href(`/credential/${x.id}`)}>
            {roleLabel(t, x.role)}
          </a>,
          <Hex key="s" value={x.subject as string} to={`/account/${x.subject}`} />,
          refName(REGIONS, x.region as number, i18n.language),
          x.revoked ? t("fields.revoked") : t("fields.valid"),
        ];
      case "payments":
        return [
          <a key="a" href={href(`/sale/${x.saleId}`)}>
            {paymentKindLabel(t, x.kind)}
          </a>,
          won(x.amount as string),
          <Hex key="f" value={x.farmer as string} to={`/account/${x.farmer}`} />,
          date(x.blockTime as string),
        ];
      default:
        return [
          <Hex
            key="a"
            value={(x.address ?? x.id) as string}
            to={`/account/${x.address ?? x.id}`}
          />,
          Array.isArray(x.roles)
            ? (x.roles as unknown[]).map((r) => roleLabel(t, r)).join(", ")
            : roleLabel(t, x.role),
          refName(REGIONS, x.region as number, i18n.language),
          "",
        ];
    }
  });
  const heads: Record<string, string[]> = {
    programs: [
      t("fields.id"),
      t("fields.cropYear"),
      t("fields.nationalQuota"),
      t("fields.interimPerUnit"),
    ],
    credentials: [t("fields.role"), t("fields.subject"), t("fields.region"), t("fields.state")],
    payments: [t("fields.kind"), t("fields.amount"), t("fields.farmer"), t("fields.time")],
    accounts: [t("fields.address"), t("fields.role"), t("fields.region"), ""],
  };
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            {(heads[kind] ?? []).map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: list order
            <tr key={i}>
              {r.map((c, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cell order
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Search() {
  const { t } = useTranslation();
  const { params } = useRoute();
  const kind = (KINDS as readonly string[]).includes(params.get("kind") ?? "")
    ? (params.get("kind") as Kind)
    : "sales";
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  const [pages, setPages] = useState<Json[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const state = useAsync(async () => {
    const p: Page<Json> = await list<Json>(kind, {
      q: kind === "tenders" && q ? q : undefined,
      limit: 50,
    });
    setPages([]);
    setCursor(p.nextCursor);
    return p;
  }, [kind, q]);
  useLive(() => state.reload(), 1000);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const v = text.trim();
    if (/^0x[0-9a-fA-F]{64}$/.test(v)) return navigate(`/tx/${v}`);
    if (/^0x[0-9a-fA-F]{40}$/.test(v)) return navigate(`/account/${v}`);
    if (/^(0x[0-9a-fA-F]{41,64}|\d{20,78})$/.test(v))
      return navigate(`/sale/${BigInt(v).toString()}`);
    if (/^\d{1,6}$/.test(v) && kind === "tenders") return navigate(`/tender/${v}`);
    if (/^\d{1,6}$/.test(v) && kind === "programs") return navigate(`/programme/${v}`);
    navigate(`/search?kind=${kind}&q=${encodeURIComponent(v)}`);
  };
  const more = async () => {
    if (!cursor) return;
    const p = await list<Json>(kind, {
      q: kind === "tenders" && q ? q : undefined,
      limit: 50,
      cursor,
    });
    setPages((old) => [...old, ...p.items]);
    setCursor(p.nextCursor);
  };

  return (
    <>
      <h1>{t("search.title")}</h1>
      <search>
        <form onSubmit={onSubmit} className="row">
          <Field label={t("search.kind")}>
            {(p) => (
              <select
                {...p}
                value={kind}
                onChange={(e) =>
                  navigate(`/search?kind=${e.target.value}&q=${encodeURIComponent(q)}`)
                }
              >
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`search.${k === "programs" ? "programmes" : k}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("search.query")} hint={t("search.queryHint")}>
            {(p) => (
              <input {...p} type="search" value={text} onChange={(e) => setText(e.target.value)} />
            )}
          </Field>
          <button type="submit" className="btn">
            {t("search.submit")}
          </button>
        </form>
      </search>
      <Section
        title={t(`search.${kind === "programs" ? "programmes" : kind}`)}
        actions={
          <span className="actions" style={{ marginTop: 0 }}>
            {listExports(kind).map((x) => (
              <a
                key={x.href}
                className="btn small secondary"
                href={x.href}
                download
                data-export={x.format}
              >
                {t(x.label)}
              </a>
            ))}
          </span>
        }
      >
        <Async state={state} empty={(p) => p.items.length === 0}>
          {(p) => (
            <>
              <p className="sr-only" role="status">
                {t("search.results", { count: p.items.length + pages.length })}
              </p>
              <GenericTable kind={kind} items={[...p.items, ...pages]} />
              {cursor && (
                <button type="button" className="btn secondary" onClick={() => void more()}>
                  {t("app.more")}
                </button>
              )}
            </>
          )}
        </Async>
      </Section>
    </>
  );
}
