/**
 * Form validation as pure functions (the components show the messages; vitest checks them).
 * Messages are i18n keys with parameters.
 */
import { type Address, getAddress, isAddress } from "viem";

export interface Msg {
  key: string;
  params?: Record<string, string | number>;
}

export interface CsvRow {
  line: number;
  farmer: Address;
  units: number;
}
export interface CsvError {
  line: number;
  msg: Msg;
}

export const MAX_BATCH = 200;
const U32 = 4_294_967_295;

/** One CSV line's cells: comma, tab or semicolon separated; "quoted, cells" kept whole. */
function splitCells(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "," || ch === "\t" || ch === ";")) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Parses "address,units" lines. Either every row is valid (rows) or nothing is applied (errors). */
export function parseAllocationCsv(
  text: string,
  max = MAX_BATCH,
): { rows: CsvRow[]; errors: CsvError[]; total: number } {
  const rows: CsvRow[] = [];
  const errors: CsvError[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === "" || s.startsWith("#")) return;
    const cells = splitCells(s);
    if (i === 0 && /address|주소/i.test(cells[0] ?? "")) return;
    if (cells.length !== 2) {
      errors.push({ line, msg: { key: "official.errColumns" } });
      return;
    }
    const [addr = "", unitsText = ""] = cells;
    let bad = false;
    if (!isAddress(addr, { strict: false })) {
      errors.push({ line, msg: { key: "official.errAddress" } });
      bad = true;
    }
    const clean = unitsText.replace(/[_\s]/g, "").replace(/,/g, "");
    const units = /^\d+$/.test(clean) ? Number(clean) : Number.NaN;
    if (!Number.isSafeInteger(units) || units < 1 || units > U32) {
      errors.push({ line, msg: { key: "official.errUnitsRow" } });
      bad = true;
    }
    if (bad) return;
    const farmer = getAddress(addr);
    const first = seen.get(farmer.toLowerCase());
    if (first !== undefined) {
      errors.push({ line, msg: { key: "official.errDuplicate", params: { first } } });
      return;
    }
    seen.set(farmer.toLowerCase(), line);
    rows.push({ line, farmer, units });
  });
  if (errors.length === 0 && rows.length === 0)
    errors.push({ line: 0, msg: { key: "official.errEmpty" } });
  if (rows.length > max)
    errors.push({ line: 0, msg: { key: "official.errTooMany", params: { max } } });
  const total = rows.reduce((s, r) => s + r.units, 0);
  return errors.length > 0 ? { rows: [], errors, total: 0 } : { rows, errors, total };
}

export interface SaleInput {
  units: string;
  packaging: number; // Packaging enum value
  variety: string;
  collectionPoint: string;
  day: string; // YYYY-MM-DD
}

export function validateSale(
  v: SaleInput,
  ctx: { remaining: number; windowStart?: string; windowEnd?: string; tonBag: number },
): Partial<Record<keyof SaleInput, Msg>> {
  const e: Partial<Record<keyof SaleInput, Msg>> = {};
  const n = /^\d+$/.test(v.units.trim()) ? Number(v.units.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 65_535) e.units = { key: "farmer.errUnits" };
  else if (v.packaging === ctx.tonBag && n % 20 !== 0) e.units = { key: "farmer.errTonBag" };
  else if (n > ctx.remaining)
    e.units = { key: "farmer.errExceeds", params: { remaining: ctx.remaining } };
  if (!v.variety) e.variety = { key: "farmer.errVariety" };
  if (!v.collectionPoint) e.collectionPoint = { key: "farmer.errPoint" };
  if (
    ctx.windowStart &&
    ctx.windowEnd &&
    (!v.day || v.day < ctx.windowStart || v.day > ctx.windowEnd)
  ) {
    e.day = { key: "farmer.errDate", params: { start: ctx.windowStart, end: ctx.windowEnd } };
  }
  return e;
}

export interface InspectionInput {
  units: number;
  grades: string[]; // 4 cells
  rejected: string;
  moisture: string; // percent, e.g. "14.2"
}

export function validateInspection(v: InspectionInput): Msg | null {
  const nums = [...v.grades, v.rejected].map((x) => (x.trim() === "" ? 0 : Number(x)));
  if (nums.some((x) => !Number.isInteger(x) || x < 0)) return { key: "farmer.errUnits" };
  const sum = nums.reduce((a, b) => a + b, 0);
  if (sum !== v.units) return { key: "inspector.errSum", params: { sum, units: v.units } };
  const m = Number(v.moisture);
  if (!Number.isFinite(m) || m < 13 || m > 15) return { key: "inspector.errMoisture" };
  return null;
}

export function validatePicks(a: number, b: number): Msg | null {
  if (
    !Number.isInteger(a) ||
    !Number.isInteger(b) ||
    a < 1 ||
    b < 1 ||
    a > 15 ||
    b > 15 ||
    a === b
  ) {
    return { key: "supplier.errPicks" };
  }
  return null;
}

export function positiveInt(s: string): number | null {
  const c = s.replace(/[,_\s]/g, "");
  if (!/^\d+$/.test(c)) return null;
  const n = Number(c);
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}
