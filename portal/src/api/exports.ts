/**
 * Every download link the portal shows (CSV of each list, OCDS of each process), built from the
 * SDK's export routes. test/indexer/portal-exports.test.ts fetches each of them from the API, so a
 * link here cannot point at a route that does not exist.
 */
import {
  type CsvExport,
  csvExportUrl,
  type OcdsExport,
  ocdsExportUrl,
} from "../../../sdk/exports.ts";

export interface ExportLink {
  /** i18n key of the button's label. */
  label: string;
  href: string;
  format: "csv" | "ocds";
}

/** The search page's lists (its `kind` selector). */
export const SEARCH_KINDS = ["sales", "programs", "tenders", "credentials", "payments"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number] & CsvExport;

/** The search page's list `kind`: its CSV, and the OCDS package page for processes. */
export function listExports(kind: SearchKind): ExportLink[] {
  const links: ExportLink[] = [{ label: "search.csv", href: csvExportUrl(kind), format: "csv" }];
  if (kind === "tenders" || kind === "sales")
    links.push({ label: "search.ocds", href: ocdsExportUrl(kind), format: "ocds" });
  return links;
}

/**
 * A record page's downloads: a process (sale, tender) has its OCDS package; a programme its sales
 * and payments; a credential every credential of its holder. `record` is the API's record.
 */
export function recordExports(
  kind: string,
  id: string,
  record: Record<string, unknown>,
): ExportLink[] {
  const ocds = (k: OcdsExport): ExportLink => ({
    label: "search.ocds",
    href: ocdsExportUrl(k, id),
    format: "ocds",
  });
  switch (kind) {
    case "sale":
      return [ocds("sales")];
    case "tender":
      return [ocds("tenders")];
    case "programme":
      return [
        {
          label: "exports.programmeSales",
          href: csvExportUrl("sales", { program: id }),
          format: "csv",
        },
        {
          label: "exports.programmePayments",
          href: csvExportUrl("payments", { program: id }),
          format: "csv",
        },
      ];
    case "credential":
      return typeof record.subject === "string"
        ? [
            {
              label: "exports.holderCredentials",
              href: csvExportUrl("credentials", { subject: record.subject }),
              format: "csv",
            },
          ]
        : [];
    default:
      return [];
  }
}
