/**
 * Short human references for sales and tenders (issue 21, item 7), e.g. `2026-46810-000123`
 * for a sale and `2026-46810-T000042` for a tender: year, region code, sequence. One definition
 * for the indexer (which stores and serves them), the API (which accepts them where an id is
 * accepted), the portal and any verifier: every part is recomputable from chain data alone.
 *
 * - Sale: `{crop year of its programme}-{sale region}-{n}`, where n is the 1-based position of
 *   its `SaleSubmitted` event among all `SaleSubmitted` events of the same region, in chain order
 *   (block number, then log index). The count never restarts, so region and n alone are unique;
 *   the year is there for people.
 * - Tender: `{year of its TenderCreated block, Asia/Seoul}-{tender region}-T{tender id}`; the
 *   tender id is the contract's own counter, already unique.
 * Numbers are zero-padded to six digits (longer when they outgrow them).
 */

const pad6 = (n: number | bigint | string) => String(n).padStart(6, "0");

/** `2026-46810-000123`: a sale's reference from its programme's crop year, region and ordinal. */
export function saleReference(cropYear: number, region: number, ordinal: number): string {
  if (!Number.isInteger(ordinal) || ordinal < 1)
    throw new RangeError(`bad sale ordinal ${ordinal}`);
  return `${cropYear}-${region}-${pad6(ordinal)}`;
}

/** The calendar year in Asia/Seoul (UTC+9, no daylight saving) of a unix time in seconds. */
export function seoulYear(unixSeconds: number): number {
  return new Date((unixSeconds + 9 * 3600) * 1000).getUTCFullYear();
}

/** `2026-46810-T000042`: a tender's reference from its creation block time, region and id. */
export function tenderReference(
  createdTime: number,
  region: number,
  tenderId: number | bigint | string,
): string {
  return `${seoulYear(createdTime)}-${region}-T${pad6(tenderId)}`;
}

export type ParsedReference =
  | { kind: "sale"; year: number; region: number; ordinal: number }
  | { kind: "tender"; year: number; region: number; tenderId: string };

const REF = /^(\d{4})-(\d{1,8})-(T?)(\d{1,15})$/i;

/** Whether `text` has the shape of a reference (surrounding spaces allowed). */
export const isReference = (text: string): boolean => REF.test(text.trim());

/** A reference's parts, or null when `text` is not one. */
export function parseReference(text: string): ParsedReference | null {
  const m = REF.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const region = Number(m[2]);
  const n = m[4] ?? "";
  if (m[3]) return { kind: "tender", year, region, tenderId: BigInt(n).toString() };
  const ordinal = Number(n);
  return ordinal >= 1 ? { kind: "sale", year, region, ordinal } : null;
}

/**
 * The references of sales from their `SaleSubmitted` events in chain order, as a verifier
 * recomputes them: `events` must be every such event (of every region) from the deployment
 * block, sorted by block number then log index; `cropYearOf` gives a programme's crop year.
 */
export function saleReferences(
  events: readonly { saleId: string; programId: number; region: number }[],
  cropYearOf: (programId: number) => number,
): Map<string, string> {
  const counts = new Map<number, number>();
  const out = new Map<string, string>();
  for (const e of events) {
    const n = (counts.get(e.region) ?? 0) + 1;
    counts.set(e.region, n);
    out.set(e.saleId, saleReference(cropYearOf(e.programId), e.region, n));
  }
  return out;
}
