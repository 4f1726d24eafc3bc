/** The human-readable report of `npm run verify`. */
import type { Mismatch, VerifyReport } from "./index.ts";

const show = (v: string | null | undefined) =>
  v === undefined ? "(absent)" : v === null ? "null" : v;

export function formatMismatch(m: Mismatch): string {
  return `✗ ${m.kind} ${m.id}: ${m.field}: API ${show(m.api)} ≠ chain ${show(m.chain)}`;
}

export function formatReport(r: VerifyReport): string {
  const total = Object.values(r.records).reduce((a, b) => a + b, 0);
  const lines = [
    `chain ${r.chainId} up to block ${r.block} (the API's indexed block; node head ${r.head}): ${r.events} events, ${total} records rebuilt ` +
      `(${r.records.programmes} programmes, ${r.records.sales} sales, ${r.records.tenders} tenders, ${r.records.credentials} credentials); ` +
      `API lists ${r.apiRecords.programmes}/${r.apiRecords.sales}/${r.apiRecords.tenders}/${r.apiRecords.credentials}`,
    ...r.mismatches.map(formatMismatch),
    r.mismatches.length === 0
      ? `✓ ${total} records checked in ${r.seconds.toFixed(1)} s: the API matches the chain (0 mismatches)`
      : `✗ ${total} records checked in ${r.seconds.toFixed(1)} s: ${r.mismatches.length} mismatch(es)`,
  ];
  return lines.join("\n");
}
