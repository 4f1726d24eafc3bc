import { type FormEvent, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { parseReference } from "../../../sdk/references.ts";
import { type Json, list, type Page } from "../api/client.ts";
import { listExports, SEARCH_KINDS } from "../api/exports.ts";
import { Async, Badge, Field, Hex, Section } from "../components/ui.tsx";
import { date, num, recordRef, tonnes, won } from "../lib/format.ts";
import { href, navigate, useAsync, useLive, useRoute } from "../lib/hooks.ts";
import {
  packagingLabel,
  paymentKindLabel,
  roleLabel,
  saleStateLabel,
  tenderStateLabel,
  toneOfSale,
} from "../lib/labels.ts";
import { REGIONS, refName, regionCodeOf } from "../lib/reference.ts";

const KINDS = SEARCH_KINDS;
type Kind = (typeof KINDS)[number];

export function SaleTable({ items }: { items: Json[] }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">{t("fields.ref")}</th>
            <th scope="col">{t("fields.farmer")}</th>
            <th scope="col">{t("fields.region")}</th>
            <th scope="col">{t("fields.units")}</th>
            <th scope="col">{t("fields.packaging")}</th>
            <th scope="col">{t("fields.state")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={String(s.id)}>
              <td>
                <a href={href(`/sale/${s.id}`)} data-testid="sale-ref">
                  {recordRef(s)}
                </a>
              </td>
              <td>
                <Hex value={s.farmer as string} to={`/account/${s.farmer}`} />
              </td>
              <td>{refName(REGIONS, s.region as number, i18n.language)}</td>
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
            <th scope="col">{t("fields.ref")}</th>
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
                <a href={href(`/tender/${x.id}`)}>{recordRef(x)}</a>
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

/** A row's identity across reloads (payments have no id: their transaction and log). */
const rowKey = (x: Json) => String(x.id ?? x.address ?? JSON.stringify(x.provenance ?? x));

/** `first` then the rows of `rest` that `first` does not hold (by {@link rowKey}). */
export function mergeRows(first: Json[], rest: Json[]): Json[] {
  const seen = new Set(first.map(rowKey));
  return [...first, ...rest.filter((x) => !seen.has(rowKey(x)))];
}

/**
 * The list filter for a search text: tenders by title or reference; sales by reference, address
 * (whole or as displayed) or region (code or name, e.g. "강진군"). Other lists are not searched.
 */
export function searchFilter(kind: string, q: string): Record<string, string | undefined> {
  const v = q.trim();
  if (!v) return {};
  if (kind === "tenders") return { q: v };
  if (kind !== "sales") return {};
  const region = regionCodeOf(v);
  return { q: region === null ? v : String(region) };
}

export function Search() {
  const { t } = useTranslation();
  const { params } = useRoute();
  const kind = (KINDS as readonly string[]).includes(params.get("kind") ?? "")
    ? (params.get("kind") as Kind)
    : "sales";
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const key = `${kind}?${q}`;
  const filter = useMemo(() => searchFilter(kind, q), [kind, q]);
  // The rows shown (first page and any "더 보기" pages) and the cursor after them, for `key`.
  const [view, setView] = useState<{ key: string; items: Json[]; cursor: string | null }>();
  const state = useAsync(async () => {
    const p: Page<Json> = await list<Json>(kind, { ...filter, limit: 50 });
    setView({ key, items: p.items, cursor: p.nextCursor });
    return p;
  }, [kind, q]);
  // A live event refreshes the first page in place: rows already shown stay (pages loaded with
  // "더 보기" too), changed ones are replaced, new ones come on top; the cursor stays.
  useLive(() => {
    void list<Json>(kind, { ...filter, limit: 50 })
      .then((p) =>
        setView((old) =>
          old?.key === key
            ? { key, items: mergeRows(p.items, old.items), cursor: old.cursor }
            : old,
        ),
      )
      .catch(() => {});
  }, 1000);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const v = text.trim();
    if (/^0x[0-9a-fA-F]{64}$/.test(v)) return navigate(`/tx/${v}`);
    if (/^0x[0-9a-fA-F]{40}$/.test(v) && kind !== "sales") return navigate(`/account/${v}`);
    if (/^(0x[0-9a-fA-F]{41,63}|\d{20,78})$/.test(v))
      return navigate(`/sale/${BigInt(v).toString()}`);
    const ref = parseReference(v);
    if (ref?.kind === "tender" && kind !== "tenders")
      return navigate(`/search?kind=tenders&q=${encodeURIComponent(v)}`);
    if (ref?.kind === "sale" && kind !== "sales")
      return navigate(`/search?kind=sales&q=${encodeURIComponent(v)}`);
    if (/^\d{1,6}$/.test(v) && kind === "tenders") return navigate(`/tender/${v}`);
    if (/^\d{1,6}$/.test(v) && kind === "programs") return navigate(`/programme/${v}`);
    navigate(`/search?kind=${kind}&q=${encodeURIComponent(v)}`);
  };
  const more = async () => {
    if (!view?.cursor) return;
    const p = await list<Json>(kind, { ...filter, limit: 50, cursor: view.cursor });
    setView((old) =>
      old?.key === key ? { key, items: mergeRows(old.items, p.items), cursor: p.nextCursor } : old,
    );
  };
  // Only this query's rows: right after the query changes, the last answer on hand is the previous
  // query's, and showing it (with its count) until the new one arrives misled readers and tests.
  const current = view?.key === key ? view : undefined;
  const rows = current?.items ?? [];
  const cursor = current?.cursor ?? null;

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
        <Async
          state={current ? state : { ...state, data: undefined }}
          empty={() => rows.length === 0}
        >
          {() => (
            <>
              <p className="sr-only" role="status">
                {t("search.results", { count: rows.length })}
              </p>
              <GenericTable kind={kind} items={rows} />
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
