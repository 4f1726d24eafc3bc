import type { TFunction } from "i18next";
import { lazy, type ReactNode, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { getAddress, isAddress } from "viem";
import { type ClaimField, claimsRoot, saltFields } from "../../../sdk/claims.ts";
import { Role, RoleNames } from "../../../sdk/generated/enums.ts";
import { householdTagOf, NO_HOUSEHOLD, newHouseholdSecret } from "../../../sdk/households.ts";
import { gradePricesOf } from "../../../sdk/reducers/programme.ts";
import { API, getConfig, getJson, type Json, list } from "../api/client.ts";
import type { Session } from "../chain/session.ts";
import type { Sent } from "../chain/tx.ts";
import { ClaimFieldsInput, claimFieldsOf } from "../components/CredentialIssue.tsx";
import { PasskeyFlag } from "../components/PasskeyMark.tsx";
import { RequireSession } from "../components/RequireSession.tsx";
import { requestSignature } from "../components/sign-store.ts";
import { Async, ErrorBox, Field, Hex, Loading, Section } from "../components/ui.tsx";
import { addKoSection } from "../i18n/index.ts";
import { officialKo } from "../i18n/ko-official.ts";
import { varietyKo } from "../i18n/ko-variety.ts";
import { textHash } from "../lib/docs.ts";
import { date, dateTime, num, recordRef, seoulMidnight, shortHex, won } from "../lib/format.ts";
import { href, useAsync, useLive, useRoute } from "../lib/hooks.ts";
import { gradeLabels, gradeUnitsOf, roleLabel, saleStateName } from "../lib/labels.ts";
import { settlementOfSale } from "../lib/payments.ts";
import { REGIONS, refName, VARIETIES } from "../lib/reference.ts";
import { type CsvError, type CsvRow, parseAllocationCsv, positiveInt } from "../lib/validate.ts";
import Payments from "./OfficialPayments.tsx";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("official", officialKo);
addKoSection("variety", varietyKo);

const CredentialHandover = lazy(() => import("../components/CredentialHandover.tsx"));
// The last section of the credentials page, loaded with it but apart (the account ABI it reads
// with would otherwise weigh on every official page).
const OfficialRecovery = lazy(() =>
  import("../components/PasskeyRecovery.tsx").then((m) => ({ default: m.OfficialRecovery })),
);

/** RicePurchase's national region: only its officials propose and confirm final prices. */
const NATIONAL = 0;

function Form({
  label,
  onSubmit,
  children,
  submit,
}: {
  label: string;
  onSubmit: () => void;
  children: ReactNode;
  submit: string;
}) {
  return (
    <form
      aria-label={label}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      <button type="submit" className="btn">
        {submit}
      </button>
    </form>
  );
}

function CreateProgramme() {
  const { t, i18n } = useTranslation();
  const [v, setV] = useState({
    year: "2026",
    quota: "11250000",
    interim: "40000",
    bulk: "1200",
    start: "",
    end: "",
    disputeDays: "14",
    varieties: ["101", "102"],
  });
  const [err, setErr] = useState<Record<string, string>>({});
  const submit = async () => {
    const e: Record<string, string> = {};
    for (const k of ["year", "quota", "interim", "disputeDays"] as const)
      if (positiveInt(v[k]) === null) e[k] = t("official.errPositive");
    if (!v.start || !v.end || v.end <= v.start) e.end = t("official.errWindow");
    if (v.varieties.length > 2) e.varieties = t("official.errVarieties");
    setErr(e);
    if (Object.keys(e).length) return;
    const vs = [Number(v.varieties[0] ?? 0), Number(v.varieties[1] ?? 0)] as const;
    await requestSignature({
      contract: "RicePurchase",
      functionName: "createProgram",
      args: [
        {
          cropYear: Number(v.year),
          nationalQuota: BigInt(v.quota),
          interimPerUnit: Number(v.interim),
          bulkDeduction: Number(v.bulk || 0),
          deliveryStart: seoulMidnight(v.start),
          deliveryEnd: seoulMidnight(v.end) + 86_399,
          varieties: vs,
          disputePeriod: Number(v.disputeDays) * 86_400,
        },
      ],
      title: t("actions.createProgram", { year: v.year }),
      details: [
        [t("fields.nationalQuota"), num(v.quota)],
        [t("fields.interimPerUnit"), won(v.interim)],
        [
          t("fields.deliveryWindow"),
          `${date(seoulMidnight(v.start))} ~ ${date(seoulMidnight(v.end))}`,
        ],
        [t("fields.disputeDays"), v.disputeDays],
        [
          t("fields.varieties"),
          v.varieties.map((x) => refName(VARIETIES, x, i18n.language)).join(", "),
        ],
      ],
    });
  };
  const f = (k: keyof typeof v, label: string, type = "text") => (
    <Field label={label} error={err[k]} required>
      {(p) => (
        <input
          {...p}
          type={type}
          inputMode={type === "text" ? "numeric" : undefined}
          value={v[k] as string}
          onChange={(e) => setV({ ...v, [k]: e.target.value })}
        />
      )}
    </Field>
  );
  return (
    <Form
      label={t("official.createProgramme")}
      onSubmit={() => void submit()}
      submit={t("official.createProgramme")}
    >
      <div className="row">
        {f("year", t("fields.cropYear"))}
        {f("quota", t("fields.nationalQuota"))}
        {f("interim", t("fields.interimPerUnit"))}
        {f("bulk", t("fields.bulkDeduction"))}
        {f("start", t("fields.deliveryStart"), "date")}
        {f("end", t("fields.deliveryEnd"), "date")}
        {f("disputeDays", t("fields.disputeDays"))}
      </div>
      <fieldset>
        <legend>{t("fields.varieties")}</legend>
        {Object.keys(VARIETIES).map((code) => (
          <label
            key={code}
            style={{
              marginRight: 16,
              display: "inline-flex",
              gap: 6,
              alignItems: "center",
              minHeight: 44,
            }}
          >
            <input
              type="checkbox"
              checked={v.varieties.includes(code)}
              onChange={(e) =>
                setV({
                  ...v,
                  varieties: e.target.checked
                    ? [...v.varieties, code]
                    : v.varieties.filter((x) => x !== code),
                })
              }
            />
            {refName(VARIETIES, code, i18n.language)}
          </label>
        ))}
        {err.varieties && <p className="error-text">{err.varieties}</p>}
      </fieldset>
    </Form>
  );
}

function AllocateRegion({ programmes }: { programmes: Json[] }) {
  const { t, i18n } = useTranslation();
  const [v, setV] = useState({
    programId: String(programmes[0]?.id ?? "1"),
    region: "46810",
    units: "",
  });
  const [err, setErr] = useState<string | null>(null);
  const submit = async () => {
    const u = positiveInt(v.units);
    if (u === null || !/^\d{5}$/.test(v.region)) return setErr(t("official.errPositive"));
    setErr(null);
    await requestSignature({
      contract: "RicePurchase",
      functionName: "allocateRegion",
      args: [Number(v.programId), Number(v.region), BigInt(u)],
      title: t("actions.allocateRegion", {
        region: refName(REGIONS, v.region, i18n.language),
        units: num(u),
      }),
      details: [[t("fields.programme"), v.programId]],
    });
  };
  return (
    <Form
      label={t("official.allocateRegion")}
      onSubmit={() => void submit()}
      submit={t("official.record")}
    >
      <div className="row">
        <ProgrammeSelect
          programmes={programmes}
          value={v.programId}
          onChange={(programId) => setV({ ...v, programId })}
        />
        <Field label={t("official.regionCode")} required>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={v.region}
              onChange={(e) => setV({ ...v, region: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("fields.units")} error={err} required>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={v.units}
              onChange={(e) => setV({ ...v, units: e.target.value })}
            />
          )}
        </Field>
      </div>
    </Form>
  );
}

function ProgrammeSelect({
  programmes,
  value,
  onChange,
}: {
  programmes: Json[];
  value: string;
  onChange: (v: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field label={t("fields.programme")}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {programmes.map((x) => (
            <option key={String(x.id)} value={String(x.id)}>
              {String(x.id)} · {String(x.cropYear ?? "")}
            </option>
          ))}
          {programmes.length === 0 && <option value="1">1</option>}
        </select>
      )}
    </Field>
  );
}

/** CSV of a whole village: checked row by row; all or nothing (one allocateBatch). */
export function CsvAllocation({
  programmes,
  region,
  onApply,
}: {
  programmes: Json[];
  region: number;
  onApply?: (rows: CsvRow[]) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [programId, setProgramId] = useState(String(programmes[0]?.id ?? "1"));
  const [result, setResult] = useState<{
    rows: CsvRow[];
    errors: CsvError[];
    total: number;
  } | null>(null);
  const check = (s = text) => {
    const r = parseAllocationCsv(s);
    setResult(r);
    return r;
  };
  const apply = async () => {
    const r = check();
    if (r.errors.length > 0) return;
    onApply?.(r.rows);
    await requestSignature({
      contract: "RicePurchase",
      functionName: "allocateBatch",
      args: [Number(programId), region, r.rows.map((x) => x.farmer), r.rows.map((x) => x.units)],
      title: t("actions.allocateBatch", { count: r.rows.length, total: num(r.total) }),
      details: r.rows
        .slice(0, 8)
        .map((x) => [
          t("official.row", { line: x.line }),
          `${x.farmer.slice(0, 10)}… ${num(x.units)}`,
        ]),
    });
  };
  return (
    <div>
      <p>{t("official.csvHelp")}</p>
      <ProgrammeSelect programmes={programmes} value={programId} onChange={setProgramId} />
      <Field label={t("official.csvFile")}>
        {(p) => (
          <input
            {...p}
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              const s = await f.text();
              setText(s);
              check(s);
            }}
          />
        )}
      </Field>
      <Field label={t("official.csvText")}>
        {(p) => (
          <textarea
            {...p}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="address,units"
          />
        )}
      </Field>
      <div className="actions">
        <button type="button" className="btn secondary" onClick={() => check()}>
          {t("official.csvCheck")}
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => void apply()}
          disabled={!result || result.errors.length > 0}
        >
          {t("official.csvApply")}
        </button>
      </div>
      <div aria-live="polite" role="status">
        {result && result.errors.length === 0 && (
          <p className="alert ok">
            {t("official.csvOk", { count: result.rows.length, total: num(result.total) })}
          </p>
        )}
        {result && result.errors.length > 0 && (
          <div className="alert danger" data-testid="csv-errors">
            <p>
              {t("official.csvErrors", { count: new Set(result.errors.map((e) => e.line)).size })}
            </p>
            <ul>
              {result.errors.map((e, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: error order
                <li key={i}>
                  {e.line > 0 ? `${t("official.row", { line: e.line })}: ` : ""}
                  {t(e.msg.key, e.msg.params ?? {})}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}

/** What approving a sale commits: its farmer, grades and the interim payment it makes due. */
function approvalLine(t: TFunction, s: Json, programme: Json | undefined): [string, string] {
  const labels = gradeLabels(t);
  const grades = gradeUnitsOf(s)
    .map((g, i) => (g > 0 ? `${labels[i]} ${num(g)}` : ""))
    .filter(Boolean)
    .join(", ");
  const interim = programme === undefined ? null : settlementOfSale(s, programme).interim;
  return [
    `${recordRef(s)} · ${shortHex(String(s.farmer), 4)}`,
    `${grades || "—"} · ${t("official.interimDue", { amount: interim === null ? "—" : won(interim) })}`,
  ];
}

function Approvals() {
  const { t } = useTranslation();
  const q = useAsync(async () => {
    const [a, b, p] = await Promise.all([
      list<Json>("sales", { state: "Inspected", limit: 200 }),
      list<Json>("sales", { state: "Reinspected", limit: 200 }),
      list<Json>("programs", { limit: 100 }),
    ]);
    const items = [...a.items, ...b.items].filter((s) =>
      ["Inspected", "Reinspected"].includes(saleStateName(s.state)),
    );
    return { items, programmes: new Map(p.items.map((x) => [String(x.id), x])) };
  }, []);
  useLive(() => q.reload(), 800);
  const [sel, setSel] = useState<Set<string>>(new Set());
  const approve = async (items: Json[], programmes: Map<string, Json>) => {
    const chosen = items.filter((s) => sel.has(String(s.id)));
    const ids = chosen.map((s) => String(s.id));
    const total = chosen.reduce(
      (sum, s) => {
        const p = programmes.get(String(s.programId));
        return p === undefined || sum === null ? null : sum + settlementOfSale(s, p).interim;
      },
      0n as bigint | null,
    );
    const r = await requestSignature({
      contract: "RicePurchase",
      functionName: "approvePurchases",
      args: [ids.map((x) => BigInt(x))],
      title: t("actions.approvePurchases", { count: ids.length }),
      details: [
        [t("official.approveTotal"), total === null ? "—" : won(total)],
        ...chosen.slice(0, 20).map((s) => approvalLine(t, s, programmes.get(String(s.programId)))),
        ...(chosen.length > 20
          ? [[t("official.approveMore", { count: chosen.length - 20 }), ""] as [string, string]]
          : []),
      ],
    });
    if (r) {
      setSel(new Set());
      q.reload();
    }
  };
  return (
    <Async state={q} empty={(x) => x.items.length === 0}>
      {({ items, programmes }) => (
        <>
          <label style={{ display: "inline-flex", gap: 8, alignItems: "center", minHeight: 44 }}>
            <input
              type="checkbox"
              checked={sel.size === items.length}
              onChange={(e) =>
                setSel(e.target.checked ? new Set(items.map((s) => String(s.id))) : new Set())
              }
            />
            {t("official.selectAll")}
          </label>
          <ul style={{ listStyle: "none", padding: 0 }}>
            {items.map((s) => {
              const [who, what] = approvalLine(t, s, programmes.get(String(s.programId)));
              return (
                <li key={String(s.id)} data-testid="approval-row">
                  <label
                    style={{ display: "inline-flex", gap: 8, alignItems: "center", minHeight: 44 }}
                  >
                    <input
                      type="checkbox"
                      checked={sel.has(String(s.id))}
                      onChange={(e) => {
                        const n = new Set(sel);
                        if (e.target.checked) n.add(String(s.id));
                        else n.delete(String(s.id));
                        setSel(n);
                      }}
                    />
                    <span>
                      <strong>{who}</strong> <PasskeyFlag marked={s.passkeyAccount} /> ·{" "}
                      {t("official.bagsOf", { units: num(s.units as number) })} · {what}
                    </span>
                  </label>
                </li>
              );
            })}
          </ul>
          <button
            type="button"
            className="btn"
            disabled={sel.size === 0}
            onClick={() => void approve(items, programmes)}
          >
            {t("official.approveSelected", { count: sel.size })}
          </button>
        </>
      )}
    </Async>
  );
}

export function FinalPrices({ programmes }: { programmes: Json[] }) {
  const { t } = useTranslation();
  const [v, setV] = useState({
    programId: String(programmes[0]?.id ?? "1"),
    farmGate: "",
    fee: "",
    yieldPct: "72",
    step: "setFinalPrices" as "setFinalPrices" | "confirmFinalPrices",
  });
  const [err, setErr] = useState<string | null>(null);
  // The recorded farm-gate series (FarmGatePrices): RicePurchase takes the farm-gate input as
  // typed, so the form shows the series' average and says when the input is not it.
  const series = useAsync(
    () => getJson<Json>(`${API}/programs/${v.programId}/farm-gate-prices`).catch(() => null),
    [v.programId],
  );
  const outlook = (series.data?.outlook ?? null) as {
    average: number;
    observed: number;
    complete: boolean;
  } | null;
  const typed = positiveInt(v.farmGate);
  const differs = outlook !== null && typed !== null && typed !== outlook.average;
  const submit = async () => {
    const fg = positiveInt(v.farmGate);
    const fee = positiveInt(v.fee);
    const y = Number(v.yieldPct);
    if (fg === null || fee === null || !(y > 0 && y <= 100))
      return setErr(t("official.errPositive"));
    setErr(null);
    const bps = Math.round(y * 100);
    const first =
      fg > fee
        ? gradePricesOf({ farmGatePer80kg: fg, millingFee: fee, millingYieldBps: bps }).first
        : 0;
    await requestSignature({
      contract: "RicePurchase",
      functionName: v.step,
      args: [Number(v.programId), fg, fee, bps],
      title: t(`actions.${v.step}`, { id: v.programId }),
      details: [
        [t("official.farmGate"), won(fg)],
        [t("official.millingFee"), won(fee)],
        [t("official.millingYield"), `${y}%`],
        [t("grade.First"), won(first)],
        ...(outlook
          ? [
              [
                t("official.farmGateRecorded"),
                `${won(outlook.average)} (${t("official.farmGateObserved", { n: outlook.observed })})${fg === outlook.average ? "" : ` · ${t("official.farmGateDiffers")}`}`,
              ] as [string, string],
            ]
          : []),
      ],
    });
  };
  return (
    <Form
      label={t("official.finalPrices")}
      onSubmit={() => void submit()}
      submit={t("official.record")}
    >
      <p>{t("official.priceHelp")}</p>
      <div className="row">
        <Field label={t("official.priceStep")}>
          {(p) => (
            <select
              {...p}
              value={v.step}
              onChange={(e) => setV({ ...v, step: e.target.value as typeof v.step })}
            >
              <option value="setFinalPrices">{t("official.propose")}</option>
              <option value="confirmFinalPrices">{t("official.confirm")}</option>
            </select>
          )}
        </Field>
        <ProgrammeSelect
          programmes={programmes}
          value={v.programId}
          onChange={(programId) => setV({ ...v, programId })}
        />
        <Field
          label={t("official.farmGate")}
          hint={
            outlook
              ? t("official.farmGateHint", {
                  average: won(outlook.average),
                  n: outlook.observed,
                })
              : t("official.farmGateNone")
          }
          required
        >
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={v.farmGate}
              onChange={(e) => setV({ ...v, farmGate: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("official.millingFee")} required>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              value={v.fee}
              onChange={(e) => setV({ ...v, fee: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("official.millingYield")} error={err} required>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              value={v.yieldPct}
              onChange={(e) => setV({ ...v, yieldPct: e.target.value })}
            />
          )}
        </Field>
      </div>
      {outlook && (
        <button
          type="button"
          className="btn small secondary"
          onClick={() => setV({ ...v, farmGate: String(outlook.average) })}
        >
          {t("official.farmGateUseAverage")}
        </button>
      )}
      {differs && (
        <p className="alert warn" data-testid="farm-gate-differs">
          {t("official.farmGateDiffers")}
        </p>
      )}
    </Form>
  );
}

type PriceProposal = {
  official: string;
  farmGatePer80kg: string;
  millingFee: string;
  millingYieldBps: number;
  gradePrices: { special: string; first: string; second: string; third: string } | null;
  proposedAt: { at: string } | null;
};

const GRADE_KEYS = [
  ["special", "Special"],
  ["first", "First"],
  ["second", "Second"],
  ["third", "Third"],
] as const;

/**
 * The final-price proposals waiting for a second national official (RicePurchase
 * `confirmFinalPrices`): who proposed, the inputs, the grade prices they give, and the confirm
 * action with exactly those inputs. The proposer cannot confirm its own proposal (nor a member of
 * its household: the contract checks that), so its button is disabled with the reason.
 */
export function PendingPrices({
  programmes,
  address,
  onDone,
}: {
  programmes: Json[];
  address: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const pending = programmes.filter(
    (p) => p.pendingProposal !== null && typeof p.pendingProposal === "object",
  );
  if (pending.length === 0)
    return (
      <p className="muted" data-testid="no-pending-prices">
        {t("official.noPendingPrices")}
      </p>
    );
  return (
    <ul style={{ listStyle: "none", padding: 0 }}>
      {pending.map((p) => (
        <PendingProposal key={String(p.id)} programme={p} address={address} onDone={onDone} />
      ))}
    </ul>
  );
}

function PendingProposal({
  programme,
  address,
  onDone,
}: {
  programme: Json;
  address: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const proposal = programme.pendingProposal as PriceProposal;
  const id = Number(programme.id);
  const own = proposal.official.toLowerCase() === address.toLowerCase();
  const correction = programme.finalPricesSet === true;
  const yieldPct = `${proposal.millingYieldBps / 100}%`;
  const confirm = async () => {
    const r = await requestSignature({
      contract: "RicePurchase",
      functionName: "confirmFinalPrices",
      args: [
        id,
        Number(proposal.farmGatePer80kg),
        Number(proposal.millingFee),
        proposal.millingYieldBps,
      ],
      title: t("actions.confirmFinalPrices", { id }),
      details: [
        [t("official.proposedBy"), proposal.official],
        [t("official.farmGate"), won(proposal.farmGatePer80kg)],
        [t("official.millingFee"), won(proposal.millingFee)],
        [t("official.millingYield"), yieldPct],
        ...GRADE_KEYS.map(
          ([key, label]) =>
            [t(`grade.${label}`), won(proposal.gradePrices?.[key] ?? null)] as [string, string],
        ),
      ],
    });
    if (r) onDone();
  };
  return (
    <li className="card" data-testid="pending-prices" data-program={id}>
      <h3 style={{ margin: 0 }}>
        {t(correction ? "official.pendingCorrection" : "official.pendingFirst", {
          id,
          year: String(programme.cropYear ?? ""),
        })}
      </h3>
      <dl className="dl">
        <dt>{t("official.proposedBy")}</dt>
        <dd>
          <Hex value={proposal.official} />
        </dd>
        <dt>{t("official.proposedAt")}</dt>
        <dd>{dateTime(proposal.proposedAt?.at ?? null)}</dd>
        <dt>{t("official.farmGate")}</dt>
        <dd>{won(proposal.farmGatePer80kg)}</dd>
        <dt>{t("official.millingFee")}</dt>
        <dd>{won(proposal.millingFee)}</dd>
        <dt>{t("official.millingYield")}</dt>
        <dd>{yieldPct}</dd>
      </dl>
      <table className="data">
        <caption>{t("official.proposedPrices")}</caption>
        <thead>
          <tr>
            {GRADE_KEYS.map(([key, label]) => (
              <th key={key} scope="col">
                {t(`grade.${label}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {GRADE_KEYS.map(([key]) => (
              <td key={key} data-grade={key}>
                {won(proposal.gradePrices?.[key] ?? null)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      {own && (
        <p className="alert info" data-testid="own-proposal">
          {t("official.ownProposal")}
        </p>
      )}
      <button type="button" className="btn" disabled={own} onClick={() => void confirm()}>
        {t("official.confirmProposal")}
      </button>
    </li>
  );
}

/** Onboarding: paste or scan the address QR shown on the new user's phone, then issue. */
function Credentials({ region }: { region: number }) {
  const { t } = useTranslation();
  const [v, setV] = useState({
    subject: "",
    role: String(Role.Farmer),
    region: String(region),
    years: "1",
    householdSecret: "",
  });
  const [err, setErr] = useState<string | null>(null);
  const [householdErr, setHouseholdErr] = useState<string | null>(null);
  // The record's fields: salted one by one here, handed to the holder, never sent anywhere else.
  const [claims, setClaims] = useState<Record<string, string>>({});
  const [claimsErr, setClaimsErr] = useState<string | null>(null);
  const [handover, setHandover] = useState<{
    receipt: Sent["receipt"];
    fields: ClaimField[];
    chainId: number;
  } | null>(null);
  const [successor, setSuccessor] = useState({ previousId: "", successorId: "" });
  const [scanMsg, setScanMsg] = useState<string | null>(null);
  const scan = async () => {
    const BD = (
      globalThis as unknown as {
        BarcodeDetector?: new (
          o: unknown,
        ) => { detect(s: unknown): Promise<{ rawValue: string }[]> };
      }
    ).BarcodeDetector;
    if (!BD || !navigator.mediaDevices) return setScanMsg(t("official.scanUnsupported"));
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
      });
      const video = document.createElement("video");
      video.srcObject = stream;
      await video.play();
      const det = new BD({ formats: ["qr_code"] });
      for (let i = 0; i < 100; i++) {
        const codes = await det.detect(video);
        const hit = codes
          .map((c) => c.rawValue.replace(/^ethereum:/, ""))
          .find((c) => isAddress(c));
        if (hit) {
          setV((old) => ({ ...old, subject: hit }));
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const tr of stream.getTracks()) tr.stop();
    } catch {
      setScanMsg(t("official.scanUnsupported"));
    }
  };
  const issue = async () => {
    if (!isAddress(v.subject.trim())) return setErr(t("official.errAddress"));
    setErr(null);
    const role = Number(v.role);
    // Farmer, Inspector and Official credentials need a household: the rice steps refuse them
    // without one. The secret stays with the county; only its tag goes on chain.
    const secret = v.householdSecret.trim();
    const needsHousehold =
      role === Role.Farmer || role === Role.Inspector || role === Role.Official;
    const validSecret = /^0x[0-9a-fA-F]{64}$/.test(secret);
    if ((needsHousehold || secret !== "") && !validSecret)
      return setHouseholdErr(t("official.errHousehold"));
    setHouseholdErr(null);
    const householdTag = validSecret ? householdTagOf(secret as `0x${string}`) : NO_HOUSEHOLD;
    const subject = getAddress(v.subject.trim());
    const record = Object.fromEntries(
      claimFieldsOf(role)
        .map((name) => [name, (claims[name] ?? "").trim()] as const)
        .filter(([, value]) => value !== ""),
    );
    if (Object.keys(record).length === 0) return setClaimsErr(t("credential.issue.errEmpty"));
    setClaimsErr(null);
    const fields = saltFields(record);
    const claimsHash = claimsRoot(fields);
    const expires = Math.floor(Date.now() / 1000) + Number(v.years || 1) * 365 * 86_400;
    const sent = await requestSignature({
      contract: "CredentialRegistry",
      functionName: "issue",
      args: [subject, role, Number(v.region), claimsHash, BigInt(expires), householdTag],
      title: t("actions.issue", { role: roleLabel(t, role), subject: `${subject.slice(0, 10)}…` }),
      details: [
        [t("fields.region"), v.region],
        [t("fields.expiresAt"), date(expires)],
        [t("ux.fields.claimsHash"), `${claimsHash.slice(0, 18)}…`],
        [t("official.householdTag"), householdTag],
      ],
    });
    if (!sent) return;
    const { chainId } = await getConfig();
    setHandover({ receipt: sent.receipt, fields, chainId });
    setClaims({});
  };
  const nameSuccessor = async () => {
    const previous = successor.previousId.trim();
    const next = successor.successorId.trim();
    if (!/^\d+$/.test(previous) || !/^\d+$/.test(next)) return;
    await requestSignature({
      contract: "CredentialRegistry",
      functionName: "nameSuccessor",
      args: [BigInt(previous), BigInt(next)],
      title: t("actions.nameSuccessor", { id: `${previous.slice(0, 12)}…` }),
      details: [
        [t("official.previousId"), previous],
        [t("official.successorId"), next],
      ],
    });
  };
  return (
    <>
      <p>{t("official.onboardHelp")}</p>
      <Form label={t("official.issue")} onSubmit={() => void issue()} submit={t("official.issue")}>
        <Field label={t("fields.subject")} error={err} required>
          {(p) => (
            <input
              {...p}
              value={v.subject}
              onChange={(e) => setV({ ...v, subject: e.target.value })}
              placeholder="0x…"
              autoComplete="off"
            />
          )}
        </Field>
        <button type="button" className="btn secondary small" onClick={() => void scan()}>
          {t("official.scan")}
        </button>
        {scanMsg && <p role="status">{scanMsg}</p>}
        <div className="row">
          <Field label={t("fields.role")}>
            {(p) => (
              <select {...p} value={v.role} onChange={(e) => setV({ ...v, role: e.target.value })}>
                {RoleNames.map((r, i) => (
                  <option key={r} value={i}>
                    {roleLabel(t, r)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("official.regionCode")}>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                value={v.region}
                onChange={(e) => setV({ ...v, region: e.target.value })}
              />
            )}
          </Field>
        </div>
        <ClaimFieldsInput
          role={Number(v.role)}
          value={claims}
          onChange={setClaims}
          error={claimsErr}
        />
        <Field label={t("official.householdSecret")} error={householdErr}>
          {(p) => (
            <input
              {...p}
              value={v.householdSecret}
              onChange={(e) => setV({ ...v, householdSecret: e.target.value })}
              placeholder="0x…"
              autoComplete="off"
            />
          )}
        </Field>
        <p>{t("official.householdHelp")}</p>
        <button
          type="button"
          className="btn secondary small"
          onClick={() => setV({ ...v, householdSecret: newHouseholdSecret() })}
        >
          {t("official.householdNew")}
        </button>
      </Form>
      {handover && (
        <Suspense fallback={<Loading />}>
          <CredentialHandover {...handover} onClose={() => setHandover(null)} />
        </Suspense>
      )}
      <h3>{t("official.successor")}</h3>
      <p>{t("official.successorHelp")}</p>
      <Form
        label={t("official.successor")}
        onSubmit={() => void nameSuccessor()}
        submit={t("official.successor")}
      >
        <div className="row">
          <Field label={t("official.previousId")}>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                value={successor.previousId}
                onChange={(e) => setSuccessor({ ...successor, previousId: e.target.value })}
              />
            )}
          </Field>
          <Field label={t("official.successorId")}>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                value={successor.successorId}
                onChange={(e) => setSuccessor({ ...successor, successorId: e.target.value })}
              />
            )}
          </Field>
        </div>
      </Form>
      <RevokeCredential region={region} />
      <Suspense fallback={<Loading />}>
        <OfficialRecovery />
      </Suspense>
    </>
  );
}

/** A credential's one-line description: role, region, holder as displayed, issue date. */
const credentialLine = (t: TFunction, c: Json, lang: string) =>
  `${roleLabel(t, c.role)} · ${refName(REGIONS, c.region as number, lang)} · ${shortHex(String(c.subject))} · ${date(c.issuedAt as string)}`;

/**
 * Revocation by search and pick: the valid credentials of the official's region (or of one
 * address), narrowed by what is typed (an address whole or as displayed, a role or region name),
 * then one picked from the list; nobody types a 77-digit id.
 */
function RevokeCredential({ region }: { region: number }) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState("");
  const [picked, setPicked] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const query = text.trim();
  const whole = isAddress(query) ? getAddress(query) : undefined;
  const found = useAsync(
    () =>
      list<Json>("credentials", {
        status: "valid",
        ...(whole ? { subject: whole } : region ? { region } : {}),
        limit: 200,
      }),
    [whole, region],
  );
  const shown = (found.data?.items ?? []).filter((c) =>
    whole ? true : credentialMatches(t, c, query, i18n.language),
  );
  const chosen = shown.find((c) => String(c.id) === picked);
  const revoke = async () => {
    if (!chosen) return setErr(t("official.revokePick"));
    if (!reason.trim()) return setErr(t("official.errReason"));
    setErr(null);
    const r = await requestSignature({
      contract: "CredentialRegistry",
      functionName: "revoke",
      args: [BigInt(String(chosen.id)), textHash(reason.trim())],
      title: t("actions.revoke", { id: credentialLine(t, chosen, i18n.language) }),
      details: [
        [t("fields.subject"), String(chosen.subject)],
        [t("fields.role"), roleLabel(t, chosen.role)],
        [t("fields.region"), refName(REGIONS, chosen.region as number, i18n.language)],
        [t("official.revokeReason"), reason.trim()],
      ],
    });
    if (r) {
      setPicked(null);
      setReason("");
      found.reload();
    }
  };
  return (
    <>
      <h3>{t("official.revoke")}</h3>
      <Form
        label={t("official.revoke")}
        onSubmit={() => void revoke()}
        submit={t("official.revoke")}
      >
        <Field label={t("official.revokeSearch")} hint={t("official.revokeSearchHint")}>
          {(p) => (
            <input
              {...p}
              type="search"
              value={text}
              autoComplete="off"
              onChange={(e) => setText(e.target.value)}
            />
          )}
        </Field>
        <fieldset data-testid="revoke-candidates">
          <legend>{t("official.revokeCandidates", { count: shown.length })}</legend>
          {found.data === undefined ? (
            <p className="status-msg">{t("app.loading")}</p>
          ) : shown.length === 0 ? (
            <p className="status-msg">{t("official.revokeNone")}</p>
          ) : (
            <ul style={{ listStyle: "none", padding: 0, maxHeight: 320, overflowY: "auto" }}>
              {shown.slice(0, 50).map((c) => (
                <li key={String(c.id)}>
                  <label
                    style={{ display: "inline-flex", gap: 8, alignItems: "center", minHeight: 44 }}
                  >
                    <input
                      type="radio"
                      name="revoke-pick"
                      checked={picked === String(c.id)}
                      onChange={() => setPicked(String(c.id))}
                    />
                    {credentialLine(t, c, i18n.language)} <PasskeyFlag marked={c.passkeyAccount} />
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <Field label={t("official.revokeReason")} error={err ?? undefined} required>
          {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      </Form>
    </>
  );
}

/** Whether a credential matches a search text: its address (whole or as displayed), role or region. */
export function credentialMatches(t: TFunction, c: Json, text: string, lang: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  const subject = String(c.subject).toLowerCase();
  const shown = /^(0x[0-9a-f]+)\s*(?:…|\.\.\.)\s*([0-9a-f]*)$/.exec(q);
  if (shown) return subject.startsWith(shown[1] ?? "") && subject.endsWith(shown[2] ?? "");
  if (q.startsWith("0x")) return subject.startsWith(q);
  return [roleLabel(t, c.role), refName(REGIONS, c.region as number, lang), String(c.region)].some(
    (x) => x.toLowerCase().includes(q),
  );
}

/** The official's pages, each at `/official/<page>`; the header links them. */
const PAGES = ["approvals", "payments", "programmes", "credentials", "tenders", "variety"] as const;
type OfficialPage = (typeof PAGES)[number];

const OfficialTenders = lazy(() => import("./OfficialTenders.tsx"));
const OfficialVariety = lazy(() => import("./OfficialVariety.tsx"));

function OfficialHome({
  region,
  address,
  page,
}: {
  region: number;
  address: string;
  page: OfficialPage;
}) {
  const { t } = useTranslation();
  const programmes = useAsync(
    () =>
      page === "programmes"
        ? list<Json>("programs", { limit: 50 })
        : Promise.resolve({ items: [], nextCursor: null }),
    [page],
  );
  const progs = programmes.data?.items ?? [];
  return (
    <>
      <nav className="subnav" aria-label={t("official.pages")}>
        {PAGES.map((p) => (
          <a
            key={p}
            className={`btn small${p === page ? "" : " secondary"}`}
            href={href(`/official/${p}`)}
            aria-current={p === page ? "page" : undefined}
          >
            {t(`official.page.${p}`)}
          </a>
        ))}
      </nav>
      {page === "approvals" && (
        <Section title={t("official.approvals")}>
          <Approvals />
        </Section>
      )}
      {page === "payments" && (
        <Section title={t("official.payments")}>
          <Payments />
        </Section>
      )}
      {page === "programmes" && (
        <>
          <Section title={t("official.allocateFarms")}>
            <CsvAllocation programmes={progs} region={region} />
          </Section>
          <Section title={t("official.allocateRegion")}>
            <AllocateRegion programmes={progs} />
          </Section>
          <Section title={t("official.finalPrices")}>
            {region === NATIONAL && (
              <>
                <h3>{t("official.pendingPrices")}</h3>
                <PendingPrices programmes={progs} address={address} onDone={programmes.reload} />
              </>
            )}
            <FinalPrices programmes={progs} />
          </Section>
          <Section title={t("official.createProgramme")}>
            <CreateProgramme />
          </Section>
        </>
      )}
      {page === "credentials" && (
        <Section title={t("official.credentials")}>
          <Credentials region={region} />
        </Section>
      )}
      {page === "tenders" && (
        <Section title={t("official.tenders")}>
          <Suspense fallback={<Loading />}>
            <OfficialTenders region={region} />
          </Suspense>
        </Section>
      )}
      {page === "variety" && (
        <Section title={t("official.page.variety")}>
          <Suspense fallback={<Loading />}>
            <OfficialVariety region={region} />
          </Suspense>
        </Section>
      )}
    </>
  );
}

/**
 * The official's pages open only to an account holding a valid Official credential (the demo
 * persona's role, or the credentials the API lists for the address): the contracts refuse every
 * action here to anyone else, so nobody else is shown forms that cannot succeed.
 */
function OfficialGate({ session, page }: { session: Session; page: OfficialPage }) {
  const { t } = useTranslation();
  const access = useAsync(async () => {
    if (session.role === "Official") return { ok: true, region: session.region ?? 46810 };
    const valid = await list<Json>("credentials", {
      subject: session.address,
      role: "Official",
      status: "valid",
      limit: 10,
    });
    const first = valid.items[0];
    return { ok: first !== undefined, region: Number(first?.region ?? session.region ?? 0) };
  }, [session.address, session.role]);
  if (access.data === undefined)
    return access.error ? <ErrorBox error={access.error} /> : <Loading />;
  if (!access.data.ok)
    return (
      <div className="alert warn" role="alert">
        <p>{t("official.notOfficial")}</p>
        <a className="btn" href={href("/wallet")}>
          {t("nav.wallet")}
        </a>
      </div>
    );
  return <OfficialHome region={access.data.region} address={session.address} page={page} />;
}

export default function Official() {
  const { t } = useTranslation();
  const { parts } = useRoute();
  const page = (PAGES as readonly string[]).includes(parts[1] ?? "")
    ? (parts[1] as OfficialPage)
    : "approvals";
  return (
    <>
      <h1>
        {t("official.title")} · {t(`official.page.${page}`)}
      </h1>
      <RequireSession>{(s) => <OfficialGate session={s} page={page} />}</RequireSession>
    </>
  );
}
