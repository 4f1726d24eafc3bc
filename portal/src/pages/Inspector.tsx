import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { useTranslation } from "react-i18next";
import { type Json, list } from "../api/client.ts";
import { PasskeyFlag } from "../components/PasskeyMark.tsx";
import { RequireSession } from "../components/RequireSession.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Badge, Field } from "../components/ui.tsx";
import { download, makeDocument } from "../lib/docs.ts";
import { date, num, shortHex } from "../lib/format.ts";
import { useAsync, useLive } from "../lib/hooks.ts";
import { type GradeRow, InspectionStore } from "../lib/inspection-store.ts";
import { gradeLabels, packagingLabel, saleStateLabel, saleStateName } from "../lib/labels.ts";
import { COLLECTION_POINTS, refName, VARIETIES } from "../lib/reference.ts";
import InspectorVariety from "./InspectorVariety.tsx";

/** RicePurchase.MAX_BATCH: one recordInspections call takes at most this many sales. */
export const MAX_BATCH = 100;
export const PAGE_SIZE = 20;
const ALL = "all";

/**
 * The delivery date of a sale, once the API carries it (issue 21 item 3 records it on chain).
 * Until then this returns undefined and the queue offers no date filter; when the sale JSON gets
 * a `deliveryDate` (ISO date or time, or unix seconds), the filter and the sort appear by themselves.
 */
export function deliveryDayOf(sale: Json): string | undefined {
  const v = sale.deliveryDate ?? sale.deliveryDay;
  if (v === undefined || v === null || v === "") return undefined;
  const s = String(v);
  if (/^\d{4}-\d\d-\d\d/.test(s)) return s.slice(0, 10);
  if (/^\d+$/.test(s)) return new Date(Number(s) * 1000).toISOString().slice(0, 10);
  return undefined;
}

/** Every queued sale (Submitted, or Disputed for reinspection), all pages of the API. */
export async function loadQueue(maxPerState = 5_000): Promise<Json[]> {
  const out: Json[] = [];
  for (const state of ["Submitted", "Disputed"]) {
    let cursor: string | null = null;
    let count = 0;
    do {
      const page: { items: Json[]; nextCursor: string | null } = await list<Json>("sales", {
        state,
        limit: 500,
        cursor,
      });
      out.push(...page.items);
      count += page.items.length;
      cursor = page.nextCursor;
    } while (cursor && count < maxPerState);
  }
  return out;
}

export interface QueueFilter {
  point: string;
  day: string;
}

/** The queue as the inspector sees it: one collection point (or all), one delivery day (or all). */
export function filterQueue(items: readonly Json[], f: QueueFilter): Json[] {
  const out = items.filter(
    (s) =>
      (f.point === ALL || String(s.collectionPoint) === f.point) &&
      (f.day === ALL || deliveryDayOf(s) === f.day),
  );
  // Trucks come by delivery date once it is known; the API's order (newest first) otherwise.
  if (out.some((s) => deliveryDayOf(s) !== undefined))
    out.sort((a, b) => (deliveryDayOf(a) ?? "9").localeCompare(deliveryDayOf(b) ?? "9"));
  return out;
}

function useRow(store: InspectionStore, id: string): GradeRow {
  return useSyncExternalStore(
    (fn) => store.subscribeRow(id, fn),
    () => store.get(id),
  );
}

/** One delivery as a card: who, how much, and the six numbers to type. Memoised: see the store. */
const InspectCard = memo(function InspectCard({
  sale,
  n,
  store,
  labels,
}: {
  sale: Json;
  n: number;
  store: InspectionStore;
  labels: readonly string[];
}) {
  const { t, i18n } = useTranslation();
  const id = String(sale.id);
  const row = useRow(store, id);
  const problem = row.touched ? store.problem(id) : null;
  const errId = `err-${id}`;
  const name = `#${n}`;
  const edit = (patch: Partial<GradeRow>) => store.set(id, { ...row, ...patch, touched: true });
  const cell = (label: string, value: string, onChange: (v: string) => void, decimal = false) => (
    <label className="cell" key={label}>
      <span aria-hidden="true">{label}</span>
      <input
        inputMode={decimal ? "decimal" : "numeric"}
        value={value}
        aria-label={`${name} ${label}`}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? errId : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
  const day = deliveryDayOf(sale);
  return (
    <li className={`inspect-card${problem ? " bad" : ""}`} data-testid="inspect-row">
      <div className="inspect-head">
        <strong>{name}</strong>
        <span className="hex" title={String(sale.farmer)}>
          {shortHex(String(sale.farmer))}
        </span>
        <PasskeyFlag marked={sale.passkeyAccount} />
        <strong>{t("ux.inspector.units", { units: num(sale.units as number) })}</strong>
        <span>
          {packagingLabel(t, sale.packaging)} ·{" "}
          {refName(VARIETIES, sale.variety as number, i18n.language)}
        </span>
        {day && <span>{t("ux.inspector.delivery", { day: date(`${day}T00:00:00+09:00`) })}</span>}
        {saleStateName(sale.state) === "Disputed" && (
          <Badge tone="warn">{saleStateLabel(t, sale.state)}</Badge>
        )}
      </div>
      <div className="inspect-inputs">
        {row.grades.map((g, j) =>
          cell(labels[j] ?? "", g, (v) => {
            const grades = [...row.grades] as GradeRow["grades"];
            grades[j] = v;
            edit({ grades });
          }),
        )}
        {cell(t("grade.rejected"), row.rejected, (v) => edit({ rejected: v }))}
        {cell(t("ux.inspector.moisture"), row.moisture, (v) => edit({ moisture: v }), true)}
      </div>
      {problem && (
        <p className="error-text" id={errId}>
          {t(problem.key, problem.params ?? {})}
        </p>
      )}
    </li>
  );
});

function SubmitBar({ store, onSubmit }: { store: InspectionStore; onSubmit: () => void }) {
  const { t } = useTranslation();
  const ready = useSyncExternalStore(
    (fn) => store.subscribeReady(fn),
    () => store.ready(),
  );
  const count = Math.min(ready.length, MAX_BATCH);
  return (
    <div className="actions submit-bar">
      <button type="button" className="btn" disabled={count === 0} onClick={onSubmit}>
        {t("inspector.submitBatch", { count })}
      </button>
      {ready.length > MAX_BATCH && (
        <span>{t("ux.inspector.batchCap", { max: MAX_BATCH, total: ready.length })}</span>
      )}
    </div>
  );
}

function Pager({
  page,
  pages,
  setPage,
}: {
  page: number;
  pages: number;
  setPage: (p: number) => void;
}) {
  const { t } = useTranslation();
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={t("ux.inspector.pages")}>
      <button
        type="button"
        className="btn secondary small"
        disabled={page === 0}
        onClick={() => setPage(page - 1)}
      >
        {t("ux.inspector.prev")}
      </button>
      <span aria-live="polite">{t("ux.inspector.pageOf", { page: page + 1, pages })}</span>
      <button
        type="button"
        className="btn secondary small"
        disabled={page >= pages - 1}
        onClick={() => setPage(page + 1)}
      >
        {t("ux.inspector.next")}
      </button>
    </nav>
  );
}

/** The queue: filtered, paged, typed into, submitted in batches of at most MAX_BATCH. */
export function QueueView({
  items,
  filter,
  inspector,
  pageSize = PAGE_SIZE,
  onSubmitted,
}: {
  items: readonly Json[];
  filter: QueueFilter;
  inspector: string;
  pageSize?: number;
  onSubmitted: () => void;
}) {
  const { t, i18n } = useTranslation();
  const store = useRef(new InspectionStore()).current;
  const labels = useMemo(() => gradeLabels(t), [t]);
  const shown = useMemo(() => filterQueue(items, filter), [items, filter]);
  const byId = useMemo(() => new Map(items.map((s) => [String(s.id), s])), [items]);
  useEffect(() => {
    store.setUnits(new Map(items.map((s) => [String(s.id), Number(s.units)])));
  }, [items, store]);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(shown.length / pageSize));
  const current = Math.min(page, pages - 1);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts at its first page
  useEffect(() => setPage(0), [filter.point, filter.day]);
  const pageItems = shown.slice(current * pageSize, (current + 1) * pageSize);

  const fillFirst = () =>
    store.setMany(
      pageItems.map((s) => [
        String(s.id),
        {
          grades: ["", String(s.units), "", ""],
          rejected: "",
          moisture: store.get(String(s.id)).moisture,
          touched: true,
        },
      ]),
    );

  const submit = async () => {
    const ready = store
      .ready()
      .map((id) => byId.get(id))
      .filter((s): s is Json => s !== undefined)
      .slice(0, MAX_BATCH);
    if (ready.length === 0) return;
    // The certificate is an official Korean document whatever the screen's language.
    const ko = i18n.getFixedT("ko");
    const koLabels = gradeLabels(ko);
    const docs = ready.map((s) => {
      const r = store.get(String(s.id));
      return makeDocument(ko("ux.inspector.certTitle"), {
        [ko("ux.inspector.certSale")]: String(s.id),
        [ko("ux.inspector.certInspector")]: inspector,
        [ko("fields.collectionPoint")]: refName(COLLECTION_POINTS, String(s.collectionPoint), "ko"),
        [ko("fields.units")]: Number(s.units),
        [koLabels[0] ?? ""]: r.grades[0] || 0,
        [koLabels[1] ?? ""]: r.grades[1] || 0,
        [koLabels[2] ?? ""]: r.grades[2] || 0,
        [koLabels[3] ?? ""]: r.grades[3] || 0,
        [ko("grade.rejected")]: r.rejected || 0,
        [ko("ux.inspector.moisture")]: r.moisture,
      });
    });
    const inspections = ready.map((s, i) => {
      const r = store.get(String(s.id));
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
      details: ready
        .slice(0, 5)
        .map((s, i) => [
          `${shortHex(String(s.farmer))} · ${t("ux.inspector.units", { units: num(s.units as number) })}`,
          inspections[i]?.gradeUnits.map((g, j) => `${labels[j]} ${g}`).join(", ") ?? "",
        ]),
    });
    if (res) {
      download(
        `${ko("ux.inspector.certFile")}-${res.txHash.slice(2, 10)}.txt`,
        docs.map((d) => d.text).join("\n---\n"),
      );
      store.clear(ready.map((s) => String(s.id)));
      onSubmitted();
    }
  };

  if (shown.length === 0) return <p className="status-msg">{t("inspector.empty")}</p>;
  const pointName =
    filter.point === ALL
      ? t("ux.inspector.allPoints")
      : refName(COLLECTION_POINTS, filter.point, i18n.language);
  return (
    <>
      <h2>{t("ux.inspector.queue", { n: num(shown.length) })}</h2>
      <p>
        {pointName} · {t("ux.inspector.help")}
      </p>
      <div className="actions">
        <button type="button" className="btn secondary small" onClick={fillFirst}>
          {t("ux.inspector.fillPage")}
        </button>
      </div>
      <ol
        className="inspect-list"
        start={current * pageSize + 1}
        aria-label={t("ux.inspector.queue", { n: num(shown.length) })}
      >
        {pageItems.map((s, i) => (
          <InspectCard
            key={String(s.id)}
            sale={s}
            n={current * pageSize + i + 1}
            store={store}
            labels={labels}
          />
        ))}
      </ol>
      <Pager page={current} pages={pages} setPage={setPage} />
      <SubmitBar store={store} onSubmit={() => void submit()} />
    </>
  );
}

function Queue({
  filter,
  inspector,
  setDays,
  onSettled,
}: {
  filter: QueueFilter;
  inspector: string;
  setDays: (d: string[]) => void;
  /** Once the first answer (or error) is drawn. */
  onSettled: () => void;
}) {
  const queue = useAsync(() => loadQueue(), []);
  useLive(() => queue.reload(), 800);
  const items = queue.data;
  const settled = queue.data !== undefined || queue.error !== undefined;
  useEffect(() => {
    if (settled) onSettled();
  }, [settled, onSettled]);
  useEffect(() => {
    if (!items) return;
    const days = new Set<string>();
    for (const s of items) {
      const d = deliveryDayOf(s);
      if (d) days.add(d);
    }
    setDays([...days].sort());
  }, [items, setDays]);
  return (
    <Async state={queue}>
      {(q) => (
        <QueueView items={q} filter={filter} inspector={inspector} onSubmitted={queue.reload} />
      )}
    </Async>
  );
}

export default function Inspector() {
  const { t, i18n } = useTranslation();
  const [point, setPoint] = useState(
    () => localStorage.getItem("jangbu.point") ?? Object.keys(COLLECTION_POINTS)[0] ?? ALL,
  );
  const [day, setDay] = useState(ALL);
  const [days, setDays] = useState<string[]>([]);
  const [queueDrawn, setQueueDrawn] = useState(false);
  const showVariety = useCallback(() => setQueueDrawn(true), []);
  const filter = useMemo(() => ({ point, day }), [point, day]);
  return (
    <>
      <h1>{t("inspector.title")}</h1>
      <RequireSession>
        {(s) => (
          <>
            <div className="filters">
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
                    <option value={ALL}>{t("ux.inspector.allPoints")}</option>
                    {Object.keys(COLLECTION_POINTS).map((c) => (
                      <option key={c} value={c}>
                        {refName(COLLECTION_POINTS, c, i18n.language)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {days.length > 0 && (
                <Field label={t("fields.deliveryDate")}>
                  {(p) => (
                    <select {...p} value={day} onChange={(e) => setDay(e.target.value)}>
                      <option value={ALL}>{t("ux.inspector.allDays")}</option>
                      {days.map((d) => (
                        <option key={d} value={d}>
                          {date(`${d}T00:00:00+09:00`)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              )}
            </div>
            <Queue
              filter={filter}
              inspector={s.address}
              setDays={setDays}
              onSettled={showVariety}
            />
            {/* Below the queue and only once it is drawn: shown earlier, the queue pushed it down
                as it loaded (layout shift 0.33 at 360 × 780). */}
            {queueDrawn && <InspectorVariety session={s} />}
          </>
        )}
      </RequireSession>
    </>
  );
}
