import type { TFunction } from "i18next";
import {
  BidStatusNames,
  GradeNames,
  PackagingNames,
  PaymentKindNames,
  RoleNames,
  SaleStateNames,
  TenderStateNames,
} from "../../../sdk/generated/enums.ts";

/** An enum value from the API (number, numeric string or member name) → its member name. */
export function enumName(names: readonly string[], v: unknown): string {
  if (typeof v === "number") return names[v] ?? String(v);
  if (typeof v === "string" && /^\d+$/.test(v)) return names[Number(v)] ?? v;
  if (typeof v === "string") {
    const found = names.find((n) => n.toLowerCase() === v.toLowerCase());
    if (found) return found;
  }
  return String(v ?? "None");
}

export const saleStateName = (v: unknown) => enumName(SaleStateNames, v);
export const tenderStateName = (v: unknown) => enumName(TenderStateNames, v);
export const roleName = (v: unknown) => enumName(RoleNames, v);
export const packagingName = (v: unknown) => enumName(PackagingNames, v);
export const paymentKindName = (v: unknown) => enumName(PaymentKindNames, v);
export const bidStatusName = (v: unknown) => enumName(BidStatusNames, v);

export const saleStateLabel = (t: TFunction, v: unknown) => t(`saleState.${saleStateName(v)}`);
export const tenderStateLabel = (t: TFunction, v: unknown) =>
  t(`tenderState.${tenderStateName(v)}`);
export const roleLabel = (t: TFunction, v: unknown) => t(`roles.${roleName(v)}`);
export const packagingLabel = (t: TFunction, v: unknown) => t(`packaging.${packagingName(v)}`);
export const paymentKindLabel = (t: TFunction, v: unknown) =>
  t(`paymentKind.${paymentKindName(v)}`);
/** An event's name in the reader's language (the Korean screen never shows "SaleSubmitted"). */
export const eventLabel = (t: TFunction, name: unknown) => {
  const key = `ux.events.${String(name)}`;
  const label = t(key);
  return label === key ? t("ux.events.other") : label;
};
/** A record field or event argument by name ("certificateHash" → "검사증명서 지문"). */
export const fieldLabel = (t: TFunction, name: string) => {
  const key = `ux.fields.${name}`;
  const label = t(key);
  return label === key ? t("ux.fields.other", { name }) : label;
};

/** A verification check's field: "units", "SaleInspected·certificateHash" or "Event.arg". */
export const checkLabel = (t: TFunction, field: string) => {
  const [event, arg] = field.split(/[·.]/);
  return arg === undefined
    ? fieldLabel(t, field)
    : `${eventLabel(t, event)} · ${fieldLabel(t, arg)}`;
};

export const gradeLabels = (t: TFunction) => GradeNames.map((g) => t(`grade.${g}`));

/** The rice sale's path for the farmer, in order. */
export const SALE_PATH = ["Submitted", "Inspected", "Approved", "InterimPaid", "Settled"] as const;

/** The grade keys of a record's `grades` and a programme's `finalPrices`, in GradeNames order. */
export const GRADE_KEYS = ["special", "first", "second", "third"] as const;

/** Units by grade from a sale record (gradeUnits array or gradeSpecial… columns). */
export function gradeUnitsOf(r: Record<string, unknown>): number[] {
  const g = r.gradeUnits;
  if (Array.isArray(g)) return g.map(Number);
  const o = r.grades as Record<string, unknown> | null | undefined;
  if (o && typeof o === "object")
    return [o.special, o.first, o.second, o.third].map((x) => Number(x ?? 0));
  return [r.gradeSpecial, r.gradeFirst, r.gradeSecond, r.gradeThird].map((x) => Number(x ?? 0));
}

export const toneOfSale = (v: unknown): "ok" | "warn" | "danger" | "info" => {
  const s = saleStateName(v);
  if (s === "Settled" || s === "InterimPaid" || s === "Approved") return "ok";
  if (
    s === "Rejected" ||
    s === "RejectedOnReinspection" ||
    s === "Cancelled" ||
    s === "ClawbackDue"
  )
    return "danger";
  if (s === "Disputed") return "warn";
  return "info";
};

/** States in which the county has bought the sale: only these have a purchase receipt (매입확인서). */
export const PURCHASED_STATES = ["Approved", "InterimPaid", "ClawbackDue", "Settled"] as const;

/** Whether a sale has a receipt: bought, not cancelled, rejected or still waiting. */
export const hasReceipt = (sale: Record<string, unknown>): boolean =>
  (PURCHASED_STATES as readonly string[]).includes(saleStateName(sale.state));
