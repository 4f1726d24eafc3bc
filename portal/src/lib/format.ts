/** Korean formatting of amounts, dates and quantities: Intl with ko-KR (or en) and Asia/Seoul. */
export const TIME_ZONE = "Asia/Seoul";

let locale = "ko-KR";
export function setFormatLocale(lang: string): void {
  locale = lang.startsWith("en") ? "en-US" : "ko-KR";
}

const toBig = (v: bigint | number | string | null | undefined): bigint | null => {
  if (v === null || v === undefined || v === "") return null;
  try {
    return typeof v === "bigint" ? v : BigInt(typeof v === "number" ? Math.trunc(v) : v);
  } catch {
    return null;
  }
};

/** ₩1,234,000 (whole won; negative amounts keep their sign: −₩860). */
export function won(v: bigint | number | string | null | undefined): string {
  const n = toBig(v);
  if (n === null) return "—";
  const abs = n < 0n ? -n : n;
  const body = `₩${abs.toLocaleString("en-US")}`;
  return n < 0n ? `−${body}` : body;
}

export function num(v: bigint | number | string | null | undefined): string {
  const n = toBig(v);
  return n === null ? "—" : n.toLocaleString(locale);
}

const toDate = (t: number | string | Date): Date => {
  if (t instanceof Date) return t;
  if (typeof t === "string" && !/^\d+$/.test(t)) return new Date(t);
  return new Date(Number(t) < 1e12 ? Number(t) * 1000 : Number(t));
};

/** Unix seconds of an API time (ISO string, seconds or milliseconds). */
export function secs(t: unknown): number {
  if (t === null || t === undefined || t === "") return 0;
  if (typeof t === "string" && !/^\d+$/.test(t)) return Math.floor(Date.parse(t) / 1000);
  const n = Number(t);
  return n > 1e12 ? Math.floor(n / 1000) : n;
}

/** 2026년 10월 5일 (unix seconds, milliseconds or a Date), in Asia/Seoul. */
export function date(t: number | string | Date | null | undefined): string {
  if (t === null || t === undefined || t === "") return "—";
  return new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "long",
    day: "numeric",
  }).format(toDate(t));
}

/** 2026년 10월 5일 14:03:09 KST. */
export function dateTime(t: number | string | Date | null | undefined): string {
  if (t === null || t === undefined || t === "") return "—";
  const s = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(toDate(t));
  return `${s} KST`;
}

/** YYYY-MM-DD of a unix time in Seoul, for <input type="date">. */
export function isoDay(t: number | Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(toDate(t));
  return parts;
}

/** Unix seconds of 00:00 KST on a YYYY-MM-DD day. */
export function seoulMidnight(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00+09:00`) / 1000);
}

/** 40 kg units → tonnes (1 unit = 40 kg): "1,234 포대 (49.36 t)". */
export function tonnes(units: bigint | number | string | null | undefined): string {
  const n = toBig(units);
  if (n === null) return "—";
  const kg = n * 40n;
  const t = Number(kg) / 1000;
  return `${t.toLocaleString(locale, { maximumFractionDigits: 2 })} t`;
}

export function shortHex(h: string | null | undefined, keep = 6): string {
  if (!h) return "—";
  return h.length <= 2 + keep * 2 ? h : `${h.slice(0, 2 + keep)}…${h.slice(-keep)}`;
}

/** Percent from basis points or parts per 100,000. */
export function percent(value: number, scale: number): string {
  return `${((value / scale) * 100).toLocaleString(locale, { maximumFractionDigits: 3 })}%`;
}

/**
 * A sale's or tender's short reference as the API serves it (sdk/references.ts:
 * `2026-46810-000123`); a record from an older indexer without one shows a shortened id.
 */
export function recordRef(x: { id?: unknown; ref?: unknown } | null | undefined): string {
  if (typeof x?.ref === "string" && x.ref !== "") return x.ref;
  const id = String(x?.id ?? "");
  if (!/^\d+$/.test(id)) return id || "—";
  return id.length > 12 ? shortHex(`0x${BigInt(id).toString(16)}`, 4) : `#${id}`;
}
