/**
 * One line of plain language per difference the browser's rebuild found: the field by its name on
 * the page ("지급액", "입찰 0x12…ab (1차) · 상태"), each side's value as the page writes it (₩, dates,
 * state names), and events or records the server left out or made up said as such.
 */
import type { TFunction } from "i18next";
import { addKoSection } from "../i18n/index.ts";
import { auditKo } from "../i18n/ko-audit.ts";
import { dateTime, num, won } from "../lib/format.ts";
import {
  eventLabel,
  fieldLabel,
  packagingLabel,
  paymentKindLabel,
  roleLabel,
  saleStateLabel,
  tenderStateLabel,
} from "../lib/labels.ts";

// This module's own Korean strings (kept out of the portal's first script).
addKoSection("audit", auditKo);

/** A difference as sdk/reducers/view.ts's compareFields gives it. */
export interface Difference {
  readonly field: string;
  /** null: the field is empty; undefined: the server has no such field, record or event. */
  readonly api: string | null | undefined;
  readonly chain: string | null | undefined;
}

export type AuditPage = "sale" | "programme" | "tender" | "credential" | "account" | "tx";

const MONEY =
  /^(interimAmount|clawbackAmount|paidAmount|repaidAmount|interim|finalAmount|balance|amount|farmGatePer80kg|millingFee|interimPerUnit|bulkDeduction|basePrice|bond|bondAmount|reserve|floor|contractAmount|price)$/;
const TIME = /(At|blockTime|Deadline|deliveryStart|deliveryEnd)$/;

const short = (hex: string) => (hex.length > 14 ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex);
const last = (field: string) => field.split(".").at(-1) ?? field;

/** The label of a field path as the page would name it. */
export function auditFieldLabel(t: TFunction, field: string): string {
  const entry =
    /^(payments|quotas|amendments|bids|sales|credentials|logs)\[([^\]]+)\]\.?(.*)$/.exec(field);
  if (entry) {
    const [, list, key = "", rest = ""] = entry;
    let head: string;
    if (list === "payments") head = t("audit.entry.payment", { block: key.split("/")[0] });
    else if (list === "quotas") head = t("audit.entry.quota", { region: key });
    else if (list === "amendments") head = t("audit.entry.amendment", { version: key });
    else if (list === "bids") {
      const [bidder = "", version = ""] = key.split("|");
      head = t("audit.entry.bid", { bidder: short(bidder), version });
    } else if (list === "sales") head = t("audit.entry.sale", { id: short(key) });
    else if (list === "credentials") head = t("audit.entry.credential", { id: short(key) });
    else head = t("audit.entry.log", { index: key });
    return rest === "" ? head : `${head} · ${auditFieldLabel(t, rest)}`;
  }
  const history = /^history\[(\d+)\/(\d+) (\w*)\]$/.exec(field);
  if (history)
    return t("audit.entry.event", {
      event: eventLabel(t, history[3]),
      block: history[1],
    });
  const key = `audit.f.${field.replace(/\./g, "_")}`;
  const label = t(key);
  if (label !== key) return label;
  return fieldLabel(t, last(field));
}

/** A value as the page writes it. */
export function auditValue(
  t: TFunction,
  page: AuditPage,
  field: string,
  value: string | null | undefined,
): string {
  if (value === undefined) return t("audit.absent");
  if (value === null) return t("audit.empty");
  const name = last(field.replace(/\[[^\]]*\]/g, ""));
  if (value === "true" || value === "false") return t(`audit.${value}`);
  if (name === "state")
    return page === "tender" ? tenderStateLabel(t, value) : saleStateLabel(t, value);
  if (name === "status" && page === "credential") {
    const key = `audit.status.${value}`;
    const label = t(key);
    return label === key ? value : label;
  }
  if (name === "kind") return paymentKindLabel(t, value);
  if (name === "role") return roleLabel(t, value);
  if (name === "packaging") return packagingLabel(t, value);
  if (/^-?\d+$/.test(value)) {
    const gradePrice = /^finalPrices\.(special|first|second|third)$/.test(field);
    if (MONEY.test(name) || gradePrice) return won(value);
    if (TIME.test(name) && Number(value) > 1_000_000_000) return dateTime(Number(value));
    if (name === "millingYieldBps") return `${(Number(value) / 100).toFixed(2)}%`;
    return num(value);
  }
  if (/^0x[0-9a-f]+$/i.test(value)) return short(value);
  return value;
}

/** One difference as one line: "지급액: 서버 ₩4,000,000 ≠ 체인 ₩800,000". */
export function describeDifference(t: TFunction, page: AuditPage, d: Difference): string {
  const { field, api, chain } = d;
  if (field === "(record)")
    return api !== undefined && chain === undefined
      ? t("audit.recordInvented")
      : t("audit.recordOmitted");
  if (field === "(events)") return t("audit.unfoldable");
  const label = auditFieldLabel(t, field);
  const isEntry = /\]$/.test(field);
  if (isEntry && chain === undefined) return t("audit.invented", { what: label });
  if (isEntry && api === undefined) return t("audit.omitted", { what: label });
  return t("audit.row", {
    field: label,
    api: auditValue(t, page, field, api),
    chain: auditValue(t, page, field, chain),
  });
}
