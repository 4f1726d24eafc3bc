import { useState } from "react";
import { useTranslation } from "react-i18next";
import { allocationRemaining } from "../../../sdk/allocation.ts";
import { Packaging } from "../../../sdk/generated/enums.ts";
import { deliveryDayOf } from "../../../sdk/variety.ts";
import { API, getConfig, getJson, getRecord, type Json, list } from "../api/client.ts";
import { chainNow } from "../chain/clock.ts";
import type { Session } from "../chain/session.ts";
import { PasskeyFlag } from "../components/PasskeyMark.tsx";
import { RequireSession } from "../components/RequireSession.tsx";
import { SettlementEstimate } from "../components/SettlementEstimate.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, Badge, Field, Hex, Loading, Section } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { varietyKo } from "../i18n/ko-variety.ts";
import { textHash } from "../lib/docs.ts";
import {
  date,
  dateTime,
  isoDay,
  num,
  recordRef,
  secs,
  seoulMidnight,
  tonnes,
} from "../lib/format.ts";
import { href, useAsync, useLive } from "../lib/hooks.ts";
import {
  hasReceipt,
  packagingLabel,
  saleStateLabel,
  saleStateName,
  toneOfSale,
} from "../lib/labels.ts";
import { COLLECTION_POINTS, refName, VARIETIES } from "../lib/reference.ts";
import { type Msg, type SaleInput, validateSale } from "../lib/validate.ts";
import { SaleTimeline } from "./Record.tsx";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("variety", varietyKo);

interface Allocation {
  programId: number;
  units: number;
  committed?: number;
  region?: number;
}

/** The farmer's allocations: from the account record, else the quotas list. */
export async function myAllocations(address: string): Promise<Allocation[]> {
  try {
    const acc = await getRecord<Json>("accounts", address);
    if (Array.isArray(acc.allocations)) return acc.allocations as Allocation[];
  } catch {
    /* fall through */
  }
  for (const kind of ["allocations"]) {
    try {
      const p = await list<Allocation>(kind, { farmer: address });
      if (p.items.length > 0) return p.items;
    } catch {
      /* next */
    }
  }
  return [];
}

/** "남은 물량": the allocation minus what its sales hold on chain (sdk/allocation.ts). */
export function remainingOf(alloc: Allocation, sales: readonly Json[]): number {
  return allocationRemaining(
    Number(alloc.units),
    sales
      .filter((s) => Number(s.programId) === Number(alloc.programId))
      .map((s) => ({
        state: String(s.state),
        units: Number(s.units),
        acceptedUnits: s.acceptedUnits as number | null | undefined,
      })),
  );
}

export type WindowState = "open" | "before" | "after" | "unknown";

/** Whether the programme takes sales at chain time `now` (RicePurchase: start ≤ now ≤ end). */
export function windowState(programme: Json | undefined, now: number): WindowState {
  if (!programme?.deliveryStart || !programme.deliveryEnd) return "unknown";
  if (now < secs(programme.deliveryStart)) return "before";
  if (now > secs(programme.deliveryEnd)) return "after";
  return "open";
}

/** Allocations whose window is open come first (what the farmer can do now), then by programme. */
export function openFirst(
  allocs: readonly Allocation[],
  programmes: readonly Json[],
  now: number | undefined,
): Allocation[] {
  const rank = (a: Allocation) =>
    now !== undefined &&
    windowState(
      programmes.find((p) => Number(p.id) === Number(a.programId)),
      now,
    ) === "open"
      ? 0
      : 1;
  return [...allocs].sort((x, y) => rank(x) - rank(y) || x.programId - y.programId);
}

const clampDay = (d: string, start?: string, end?: string) =>
  start && d < start ? start : end && d > end ? end : d;

/** The county's own designation for the farm's programme (VarietyTesting), when it named any. */
export function countyVarieties(
  counties: readonly Json[] | undefined,
  alloc: Pick<Allocation, "programId" | "region">,
): number[] {
  const c = counties?.find(
    (x) =>
      Number(x.programId) === Number(alloc.programId) && Number(x.region) === Number(alloc.region),
  );
  return Array.isArray(c?.varieties) ? (c.varieties as number[]).map(Number) : [];
}

function SaleForm({
  alloc,
  programme,
  sales,
  county,
  onDone,
}: {
  alloc: Allocation;
  programme: Json | undefined;
  sales: Json[];
  /** The county's designated varieties (empty: it named none, the programme's apply). */
  county: number[];
  onDone: () => void;
}) {
  const { t, i18n } = useTranslation();
  const varieties = (
    county.length > 0
      ? county
      : Array.isArray(programme?.varieties)
        ? (programme.varieties as number[])
        : [programme?.varietyA, programme?.varietyB]
  )
    .map(Number)
    .filter((x) => x > 0);
  const remaining = remainingOf(alloc, sales);
  const start = programme?.deliveryStart ? isoDay(secs(programme.deliveryStart)) : undefined;
  const end = programme?.deliveryEnd ? isoDay(secs(programme.deliveryEnd)) : undefined;
  const [v, setV] = useState<SaleInput>({
    units: "",
    packaging: Packaging.Bag40,
    variety: String(varieties[0] ?? ""),
    collectionPoint: "",
    day: clampDay(isoDay(Date.now()), start, end),
  });
  const [errors, setErrors] = useState<Partial<Record<keyof SaleInput, Msg>>>({});
  const msg = (m?: Msg) => (m ? t(m.key, m.params ?? {}) : null);
  const allVarieties = Object.keys(VARIETIES).map(Number);
  const submit = async () => {
    const e = validateSale(v, {
      remaining,
      windowStart: start,
      windowEnd: end,
      tonBag: Packaging.TonBag,
    });
    // A county that named its varieties refuses the others (VarietyNotDesignated).
    if (!e.variety && county.length > 0 && !county.includes(Number(v.variety))) {
      e.variety = { key: "farmer.errCountyVariety" };
    }
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    const units = Number(v.units);
    const r = await requestSignature({
      contract: "RicePurchase",
      functionName: "submitSale",
      args: [
        Number(alloc.programId),
        units,
        v.packaging,
        Number(v.variety),
        Number(v.collectionPoint),
        deliveryDayOf(v.day),
      ],
      title: t("actions.submitSale", {
        units: num(units),
        packaging: packagingLabel(t, v.packaging),
        variety: refName(VARIETIES, v.variety, i18n.language),
        point: refName(COLLECTION_POINTS, v.collectionPoint, i18n.language),
      }),
      details: [
        [t("fields.programme"), String(alloc.programId)],
        [t("fields.units"), `${num(units)} (${tonnes(units)})`],
        [t("fields.deliveryDate"), date(seoulMidnight(v.day))],
      ],
    });
    if (r) {
      setV({ ...v, units: "" });
      onDone();
    }
  };
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      aria-label={`${t("farmer.newSale")} · ${t("ux.farmer.programme", { id: alloc.programId })}`}
      data-testid="sale-form"
      data-program={alloc.programId}
    >
      <Field
        label={t("fields.units")}
        hint={t("fields.unitsHint")}
        error={msg(errors.units)}
        required
      >
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            value={v.units}
            onChange={(e) => setV({ ...v, units: e.target.value })}
            name="units"
          />
        )}
      </Field>
      <Field label={t("fields.packaging")} required>
        {(p) => (
          <select
            {...p}
            value={v.packaging}
            onChange={(e) => setV({ ...v, packaging: Number(e.target.value) })}
            name="packaging"
          >
            <option value={Packaging.Bag40}>{t("packaging.Bag40")}</option>
            <option value={Packaging.TonBag}>{t("packaging.TonBag")}</option>
            <option value={Packaging.Bulk}>{t("packaging.Bulk")}</option>
          </select>
        )}
      </Field>
      <Field label={t("fields.variety")} error={msg(errors.variety)} required>
        {(p) => (
          <select
            {...p}
            value={v.variety}
            onChange={(e) => setV({ ...v, variety: e.target.value })}
            name="variety"
          >
            <option value="">—</option>
            {allVarieties.map((code) => (
              <option key={code} value={code}>
                {refName(VARIETIES, code, i18n.language)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {v.variety && varieties.length > 0 && !varieties.includes(Number(v.variety)) && (
        <p className="alert warn">
          {t(county.length > 0 ? "farmer.errCountyVariety" : "farmer.nonDesignated")}
        </p>
      )}
      <Field label={t("fields.collectionPoint")} error={msg(errors.collectionPoint)} required>
        {(p) => (
          <select
            {...p}
            value={v.collectionPoint}
            onChange={(e) => setV({ ...v, collectionPoint: e.target.value })}
            name="collectionPoint"
          >
            <option value="">—</option>
            {Object.keys(COLLECTION_POINTS).map((code) => (
              <option key={code} value={code}>
                {refName(COLLECTION_POINTS, code, i18n.language)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("fields.deliveryDate")} error={msg(errors.day)} required>
        {(p) => (
          <input
            {...p}
            type="date"
            value={v.day}
            min={start}
            max={end}
            onChange={(e) => setV({ ...v, day: e.target.value })}
            name="day"
          />
        )}
      </Field>
      <button type="submit" className="btn">
        {t("farmer.submit")}
      </button>
    </form>
  );
}

/** One allocation: its programme, what is left, and a sale form while its window is open. */
function AllocationCard({
  alloc,
  programme,
  sales,
  now,
  county,
  onDone,
}: {
  alloc: Allocation;
  programme: Json | undefined;
  sales: Json[] | undefined;
  now: number | undefined;
  county: number[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const remaining = sales ? remainingOf(alloc, sales) : undefined;
  const w = now === undefined ? "unknown" : windowState(programme, now);
  const range = programme
    ? { start: date(programme.deliveryStart as string), end: date(programme.deliveryEnd as string) }
    : { start: "—", end: "—" };
  return (
    <li className="card alloc" data-testid="allocation" data-program={alloc.programId}>
      <h3 style={{ margin: 0 }}>
        {t("ux.farmer.programme", { id: alloc.programId })}
        {programme?.cropYear ? ` · ${t("ux.farmer.cropYear", { year: programme.cropYear })}` : ""}
      </h3>
      <p>
        {t("ux.farmer.allocated")}: <strong>{num(alloc.units)}</strong> ({tonnes(alloc.units)}) ·{" "}
        {t("fields.remaining")}:{" "}
        <strong data-testid="remaining">{remaining === undefined ? "…" : num(remaining)}</strong>
        {remaining !== undefined && ` (${tonnes(remaining)})`}
      </p>
      <p className="muted">{t("ux.farmer.window", range)}</p>
      {w === "open" && sales ? (
        remaining === 0 ? (
          <p className="alert info" data-testid="window-closed">
            {t("ux.farmer.full")}
          </p>
        ) : (
          <SaleForm
            alloc={alloc}
            programme={programme}
            sales={sales}
            county={county}
            onDone={onDone}
          />
        )
      ) : w === "before" || w === "after" ? (
        <p className="alert info" data-testid="window-closed">
          {t(w === "before" ? "ux.farmer.notYet" : "ux.farmer.closed", range)}
        </p>
      ) : (
        <p className="status-msg">{t("app.loading")}</p>
      )}
    </li>
  );
}

/**
 * Whether an inspected sale may still be disputed at chain time `now`: RicePurchase refuses a
 * dispute after `disputeDeadline` (the first inspection plus the programme's period). Unknown
 * (an indexer that does not give the deadline): the contract decides.
 */
export function disputeOpen(sale: Json, now: number): boolean {
  if (typeof sale.disputeDeadline !== "string") return true;
  return now <= secs(sale.disputeDeadline);
}

/** The farm's settlement estimates by sale id, with each programme's farm-gate series by id. */
export async function myEstimates(
  address: string,
): Promise<{ bySale: Map<string, Json>; series: Map<number, Json> }> {
  const { items } = await getJson<{ items: Json[] }>(`${API}/estimates?farmer=${address}`);
  const ids = [...new Set(items.map((e) => Number(e.programId)))];
  const series = await Promise.all(
    ids.map((id) => getJson<Json>(`${API}/programs/${id}/farm-gate-prices`)),
  );
  return {
    bySale: new Map(items.map((e) => [String(e.saleId), e])),
    series: new Map(ids.map((id, i) => [id, series[i] as Json])),
  };
}

function SaleCard({
  s,
  now,
  onDone,
  estimate,
  series,
}: {
  s: Json;
  now: number;
  onDone: () => void;
  estimate?: Json | undefined;
  series?: Json | undefined;
}) {
  const { t, i18n } = useTranslation();
  const [reason, setReason] = useState("");
  const st = saleStateName(s.state);
  const id = String(s.id);
  const disputable = st === "Inspected" || st === "Rejected";
  const deadline = typeof s.disputeDeadline === "string" ? s.disputeDeadline : null;
  const cancel = async () => {
    if (
      await requestSignature({
        contract: "RicePurchase",
        functionName: "cancelSale",
        args: [BigInt(id)],
        title: t("actions.cancelSale", { id: recordRef(s) }),
        details: [],
      })
    )
      onDone();
  };
  const dispute = async () => {
    if (
      await requestSignature({
        contract: "RicePurchase",
        functionName: "disputeInspection",
        args: [BigInt(id), textHash(reason || "재검사 요청")],
        title: t("actions.disputeInspection", { id: recordRef(s) }),
        details: [[t("farmer.disputeReason"), reason || "—"]],
      })
    )
      onDone();
  };
  return (
    <li className="card" data-testid="my-sale">
      <div className="card-head">
        <h3 style={{ margin: 0 }}>
          {num(s.units as number)} · {packagingLabel(t, s.packaging)} ·{" "}
          {refName(VARIETIES, s.variety as number, i18n.language)}
        </h3>
        <Badge tone={toneOfSale(s.state)}>{saleStateLabel(t, s.state)}</Badge>
        <PasskeyFlag marked={s.passkeyAccount} />
      </div>
      <SaleTimeline state={s.state} />
      <p>
        {refName(COLLECTION_POINTS, s.collectionPoint as number, i18n.language)} ·{" "}
        {typeof s.deliveryDate === "string" && (
          <span data-testid="delivery-date">
            {t("fields.deliveryDate")} {date(seoulMidnight(s.deliveryDate))} ·{" "}
          </span>
        )}
        <a href={href(`/sale/${id}`)}>
          {t("record.sale")} {recordRef(s)}
        </a>
        {hasReceipt(s) && (
          <>
            {" · "}
            <a href={href(`/receipt/${id}`)}>{t("farmer.receipt")}</a>
          </>
        )}
      </p>
      {disputable && deadline !== null && (
        <p className={disputeOpen(s, now) ? "muted" : "alert info"} data-testid="dispute-deadline">
          {t(disputeOpen(s, now) ? "farmer.disputeUntil" : "farmer.disputeClosed", {
            date: dateTime(deadline),
          })}
        </p>
      )}
      {estimate !== undefined && <SettlementEstimate estimate={estimate} series={series} />}
      <div className="actions">
        {st === "Submitted" && (
          <button type="button" className="btn danger" onClick={() => void cancel()}>
            {t("farmer.cancel")}
          </button>
        )}
        {disputable && disputeOpen(s, now) && (
          <>
            <label className="sr-only" htmlFor={`reason-${id}`}>
              {t("farmer.disputeReason")}
            </label>
            <input
              id={`reason-${id}`}
              placeholder={t("farmer.disputeReason")}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            <button type="button" className="btn secondary" onClick={() => void dispute()}>
              {t("farmer.dispute")}
            </button>
          </>
        )}
      </div>
    </li>
  );
}

/**
 * A farm excluded by a variety test (VarietyTesting.FarmExclusionRecorded): what was found, why,
 * and which crop years the county may not allocate to it nor it sell.
 */
export function ExclusionNotice({ exclusion }: { exclusion: Json }) {
  const { t } = useTranslation();
  return (
    <div className="alert warn" role="alert" data-testid="exclusion">
      <strong>{t("farmer.excludedTitle")}</strong>
      <p>
        {t("farmer.excludedReason", {
          programme: exclusion.programId,
          share: Number(exclusion.offTypePermille) / 10,
        })}
      </p>
      <p>{t("farmer.excludedYears", { from: exclusion.fromYear, to: exclusion.toYear })}</p>
    </div>
  );
}

export function FarmerHome({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allocs = useAsync(() => myAllocations(session.address), [session.address]);
  const sales = useAsync(
    () => list<Json>("sales", { farmer: session.address, limit: 100 }),
    [session.address],
  );
  const programmes = useAsync(() => list<Json>("programs", { limit: 50 }), []);
  // An estimate that cannot load leaves the sales as they are: it is extra, not the record.
  const estimates = useAsync(
    () => myEstimates(session.address).catch(() => undefined),
    [session.address],
  );
  // Optional pieces: an indexer without variety testing answers 404, and the page goes on.
  const counties = useAsync(
    () => list<Json>("variety/counties", {}).catch(() => ({ items: [], nextCursor: null })),
    [],
  );
  const exclusions = useAsync(
    () =>
      list<Json>("exclusions", { farmer: session.address }).catch(() => ({
        items: [],
        nextCursor: null,
      })),
    [session.address],
  );
  // Windows follow the chain's clock (what submitSale checks), not the phone's.
  const now = useAsync(
    () =>
      getConfig()
        .then((c) => chainNow(c.rpcUrl))
        .catch(() => Math.floor(Date.now() / 1000)),
    [],
  );
  const reload = () => {
    allocs.reload();
    sales.reload();
    estimates.reload();
  };
  useLive(reload, 600);
  // The page appears once, when what it is built from has arrived: late pieces would push the
  // forms and the list down under the farmer's thumb (CLS).
  const settled = (x: { data: unknown; error: Error | undefined }) =>
    x.data !== undefined || x.error;
  if (![allocs, sales, programmes, now, counties, exclusions].every(settled)) return <Loading />;
  const estimateOf = (id: string) => estimates.data?.bySale.get(id);
  return (
    <>
      <p>
        {t("wallet.address")}: <Hex value={session.address} copy />
      </p>
      {(exclusions.data?.items ?? []).map((x) => (
        <ExclusionNotice key={`${x.programId}`} exclusion={x} />
      ))}
      <Section title={t("farmer.allocation")}>
        <Async state={allocs}>
          {(a) =>
            a.length === 0 ? (
              <p>{t("farmer.noAllocation")}</p>
            ) : (
              <ul className="alloc-list">
                {openFirst(a, programmes.data?.items ?? [], now.data).map((x) => (
                  <AllocationCard
                    key={x.programId}
                    alloc={x}
                    programme={programmes.data?.items.find(
                      (p) => Number(p.id) === Number(x.programId),
                    )}
                    sales={sales.data?.items}
                    now={now.data}
                    county={countyVarieties(counties.data?.items, x)}
                    onDone={reload}
                  />
                ))}
              </ul>
            )
          }
        </Async>
      </Section>
      <Section title={t("farmer.mySales")}>
        <Async state={sales} empty={(p) => p.items.length === 0}>
          {(p) => (
            <ul style={{ listStyle: "none", padding: 0 }}>
              {p.items.map((s) => (
                <SaleCard
                  key={String(s.id)}
                  s={s}
                  now={now.data ?? Math.floor(Date.now() / 1000)}
                  onDone={reload}
                  estimate={estimateOf(String(s.id))}
                  series={estimates.data?.series.get(Number(s.programId))}
                />
              ))}
            </ul>
          )}
        </Async>
      </Section>
    </>
  );
}

export default function Farmer() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("farmer.title")}</h1>
      <RequireSession>{(s) => <FarmerHome session={s} />}</RequireSession>
    </>
  );
}
