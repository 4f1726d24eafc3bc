/**
 * The API's export routes: the CSV files of every list the portal shows and the OCDS packages.
 * One definition for the indexer (which serves them), the portal (which links to them) and the
 * test that fetches every link the portal makes.
 */

/** The lists that download as CSV, with the path that serves each. */
export const CSV_EXPORT_PATHS = {
  sales: "/api/v1/exports/sales.csv",
  payments: "/api/v1/exports/payments.csv",
  tenders: "/api/v1/exports/tenders.csv",
  programs: "/api/v1/exports/programs.csv",
  credentials: "/api/v1/exports/credentials.csv",
} as const;

export type CsvExport = keyof typeof CSV_EXPORT_PATHS;

export const CSV_EXPORTS = Object.keys(CSV_EXPORT_PATHS) as CsvExport[];

/** Processes with an OCDS release package (one per process; a page of them per list). */
export type OcdsExport = "tenders" | "sales";

const queryOf = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};

/** A CSV export's URL with its filters (each route's filters: see the API's /openapi.json). */
export const csvExportUrl = (
  kind: CsvExport,
  filters: Record<string, string | number | undefined> = {},
) => `${CSV_EXPORT_PATHS[kind]}${queryOf(filters)}`;

/** The OCDS release package of one process, or of the newest page of them. */
export const ocdsExportUrl = (kind: OcdsExport, id?: string) =>
  id === undefined ? `/api/v1/ocds/${kind}` : `/api/v1/ocds/${kind}/${id}`;
