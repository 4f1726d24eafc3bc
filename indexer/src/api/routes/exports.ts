/**
 * CSV exports (sales, payments, tenders, programmes, credentials: every list the portal shows)
 * and OCDS 1.1 release packages (tenders, purchases).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { CSV_EXPORT_PATHS } from "../../../../sdk/exports.ts";
import { ApiError, describeError } from "../../internal/errors.ts";
import {
  AddressParam,
  decodeCursor,
  encodeCursor,
  errorResponses,
  LimitParam,
  notFoundResponse,
  PageQuery,
  ProgramIdParam,
  provenanceSql,
  RangeQuery,
  RegionParam,
  TextParam,
  Uint256Param,
  where,
} from "../common.ts";
import type { App, AppDeps } from "../deps.ts";
import { historyOf } from "../events.ts";
import { recordPackage, releasePackage, saleReleases, tenderReleases } from "../ocds.ts";
import {
  CREDENTIAL_SELECT,
  CredentialsFilterQuery,
  credentialJson,
  credentialsWhere,
} from "./credentials.ts";
import { paymentJson, programJson, SalesFilterQuery, saleJson, salesQuery } from "./rice.ts";
import { tenderJson, tendersQuery } from "./tenders.ts";

const CSV_HEADERS = { "content-type": "text/csv; charset=utf-8" };

/** The file name a browser saves each list under: Korean for the portal's users (RFC 6266
 * `filename*`), with the ASCII route name for clients that only read `filename`. */
const CSV_FILE_NAMES = {
  sales: "판매",
  payments: "지급",
  tenders: "입찰",
  programs: "매입사업",
  credentials: "자격증명",
} as const;

const csvHeaders = (list: keyof typeof CSV_FILE_NAMES) => ({
  ...CSV_HEADERS,
  "content-disposition": `attachment; filename="${list}.csv"; filename*=UTF-8''${encodeURIComponent(`${CSV_FILE_NAMES[list]}.csv`)}`,
});

/** One CSV field (RFC 4180); cells that a spreadsheet would run as formulas are neutralised. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(",")}\r\n`;

type Row = Record<string, unknown>;

/** A keyset page of an export: its rows and how to read a row's position (the next cursor). */
type ExportPage<T> = { rows: T[]; pos: (row: T) => number };

/**
 * The first cells of the line that ends an export which failed after its first byte: the status
 * is already sent, so the body itself says it is incomplete (documented in the OpenAPI response).
 */
export const CSV_ERROR_MARKER = "#ERROR";

/**
 * A CSV built from keyset pages of `fetchPage`, 2,000 rows at a time. The first page is read
 * before anything is sent, so a request that cannot be answered gets a JSON error with its status
 * instead of a 200; a page that fails later ends the body with a `#ERROR` line (and a logged
 * error), never a silently truncated file.
 */
async function csvExport<T extends Row>(
  deps: AppDeps,
  name: string,
  columns: readonly string[],
  fetchPage: (before: number | undefined) => Promise<ExportPage<T>>,
  cells: (row: T) => unknown[],
): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  let next: ExportPage<T> | undefined = await fetchPage(undefined);
  let rows = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(columns)}`));
        return;
      }
      try {
        const current = next;
        if (current === undefined || current.rows.length === 0) {
          controller.close();
          return;
        }
        const last = current.rows.at(-1);
        controller.enqueue(encoder.encode(current.rows.map((r) => csvLine(cells(r))).join("")));
        rows += current.rows.length;
        next =
          last === undefined || current.rows.length < CHUNK
            ? undefined
            : await fetchPage(current.pos(last));
      } catch (error) {
        deps.logger?.error("CSV export failed after its first byte", {
          export: name,
          rows,
          error: describeError(error),
        });
        controller.enqueue(
          encoder.encode(
            csvLine([
              CSV_ERROR_MARKER,
              "export_incomplete",
              `the export stopped after ${rows} rows because of a server error: this file is incomplete`,
            ]),
          ),
        );
        controller.close();
      }
    },
  });
}

const CHUNK = 2_000;
const PROGRAM_PROV = provenanceSql("p", "created_pos", "updated_pos");

const csvRoute = <Q extends z.ZodObject>(path: string, summary: string, query: Q) =>
  createRoute({
    method: "get",
    path,
    tags: ["exports"],
    summary,
    request: { query },
    responses: {
      200: {
        description:
          "CSV (UTF-8 with BOM). An export that fails after its first byte ends with a line starting `#ERROR,export_incomplete,`: the file is incomplete.",
        content: { "text/csv": { schema: z.string() } },
      },
      ...errorResponses,
    },
  });

const salesCsv = csvRoute(
  CSV_EXPORT_PATHS.sales,
  "All sales matching the filters, as CSV",
  SalesFilterQuery,
);
const paymentsCsv = csvRoute(
  CSV_EXPORT_PATHS.payments,
  "All payments matching the filters, as CSV",
  z.object({
    program: ProgramIdParam.optional(),
    region: RegionParam.optional(),
    farmer: AddressParam.optional(),
  }),
);
const tendersCsv = csvRoute(
  CSV_EXPORT_PATHS.tenders,
  "All tenders matching the filters, as CSV",
  z.object({
    region: RegionParam.optional(),
    q: TextParam(100).optional(),
    ...RangeQuery,
  }),
);

const programsCsv = csvRoute(
  CSV_EXPORT_PATHS.programs,
  "All purchase programmes, as CSV",
  z.object({ cropYear: z.coerce.number().int().min(1900).max(9999).optional() }),
);
const credentialsCsv = csvRoute(
  CSV_EXPORT_PATHS.credentials,
  "All credentials matching the filters, as CSV",
  CredentialsFilterQuery,
);

const PackageSchema = z
  .object({
    uri: z.string(),
    version: z.string(),
    publishedDate: z.string(),
    publisher: z.object({ name: z.string() }),
    extensions: z.array(z.string()),
    releases: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi("OcdsReleasePackage");

/** GET /api/v1/ocds/{kind}/{id}: one process's release package (one release per state change). */
const ocdsProcess = (kind: "tenders" | "sales", what: string) =>
  createRoute({
    method: "get",
    path: `/api/v1/ocds/${kind}/{id}`,
    tags: ["exports"],
    summary: `OCDS 1.1 release package of ${what}: one release per state change`,
    request: { params: z.object({ id: Uint256Param }) },
    responses: {
      200: {
        description: "Release package",
        content: { "application/json": { schema: PackageSchema } },
      },
      ...errorResponses,
      ...notFoundResponse,
    },
  });

const RecordPackageSchema = z
  .object({
    uri: z.string(),
    version: z.string(),
    publishedDate: z.string(),
    publisher: z.object({ name: z.string() }),
    extensions: z.array(z.string()),
    packages: z.array(z.string()),
    records: z.array(
      z.object({
        ocid: z.string(),
        releases: z.array(z.record(z.string(), z.unknown())),
        compiledRelease: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi("OcdsRecordPackage");

/** `{prefix}-{region}-T-{tender id}` or `{prefix}-{region}-R-{sale id}` (see ocds.ts). */
const OCID_PATTERN = /^(ocds-[a-z0-9]{1,20})-(\d{1,5})-([TR])-(\d{1,78})$/;

const ocdsRecord = createRoute({
  method: "get",
  path: "/api/v1/ocds/records/{ocid}",
  tags: ["exports"],
  summary:
    "OCDS 1.1 record package of one process (ocid): all its releases and the compiled release",
  request: {
    params: z.object({
      ocid: z
        .string()
        .max(120)
        .regex(OCID_PATTERN, "must be an ocid this service issued, e.g. ocds-jangbu-46810-T-1")
        .openapi({ example: "ocds-jangbu-46810-T-1" }),
    }),
  },
  responses: {
    200: {
      description: "Record package",
      content: { "application/json": { schema: RecordPackageSchema } },
    },
    ...errorResponses,
    ...notFoundResponse,
  },
});

const ocdsTender = ocdsProcess("tenders", "one tender");
const ocdsSale = ocdsProcess("sales", "one purchase (sale)");

const ocdsList = createRoute({
  method: "get",
  path: "/api/v1/ocds/{kind}",
  tags: ["exports"],
  summary: "OCDS 1.1 release package of a page of processes (tenders or sales), newest first",
  request: {
    params: z.object({ kind: z.enum(["tenders", "sales"]) }),
    query: z.object({
      region: RegionParam.optional(),
      limit: LimitParam.optional(),
      cursor: PageQuery.cursor,
    }),
  },
  responses: {
    200: {
      description: "Release package; the `Link: <…>; rel=next` header names the next page",
      content: { "application/json": { schema: PackageSchema } },
    },
    ...errorResponses,
  },
});

export const exportRoutes = {
  name: "exports",
  register(app: App, deps: AppDeps) {
    const { db } = deps;
    const ctx = { ocidPrefix: deps.ocidPrefix ?? "ocds-jangbu" };

    app.openapi(salesCsv, async (c) => {
      const q = c.req.valid("query");
      salesQuery(q, undefined, 1); // validates ranges before streaming starts
      const columns = [
        "id",
        "programId",
        "region",
        "farmer",
        "units",
        "packaging",
        "variety",
        "state",
        "acceptedUnits",
        "gradeSpecial",
        "gradeFirst",
        "gradeSecond",
        "gradeThird",
        "interimAmount",
        "paidAmount",
        "repaidAmount",
        "submittedAt",
        "txHash",
        "blockNumber",
        "signer",
        "disputeDeadline",
      ];
      return c.body(
        await csvExport(
          deps,
          "sales",
          columns,
          async (before) => {
            const { text, params } = salesQuery(q, before, CHUNK);
            return { rows: await db.query(text, params), pos: (r: Row) => Number(r.submitted_pos) };
          },
          (r: Row) => {
            const s = saleJson(r);
            return [
              s.id,
              s.programId,
              s.region,
              s.farmer,
              s.units,
              s.packaging,
              s.variety,
              s.state,
              s.acceptedUnits,
              s.grades?.special,
              s.grades?.first,
              s.grades?.second,
              s.grades?.third,
              s.interimAmount,
              s.paidAmount,
              s.repaidAmount,
              s.submittedAt,
              s.provenance.created?.txHash,
              s.provenance.created?.blockNumber,
              s.provenance.created?.signer,
              s.disputeDeadline,
            ];
          },
        ),
        200,
        csvHeaders("sales"),
      );
    });

    app.openapi(paymentsCsv, async (c) => {
      const q = c.req.valid("query");
      const columns = [
        "id",
        "saleId",
        "programId",
        "region",
        "farmer",
        "kind",
        "amount",
        "transferRefHash",
        "official",
        "txHash",
        "blockNumber",
        "blockTime",
      ];
      return c.body(
        await csvExport(
          deps,
          "payments",
          columns,
          async (before) => {
            const w = where();
            if (q.program !== undefined) w.add("program_id = ?", q.program);
            if (q.region !== undefined) w.add("region = ?", q.region);
            if (q.farmer !== undefined) w.add("farmer = ?", q.farmer);
            if (before !== undefined) w.add("pos < ?", before);
            const rows = await db.query(
              `select * from payments ${w.sql()} order by pos desc limit ${w.param(CHUNK)}`,
              w.params,
            );
            return { rows, pos: (r: Row) => Number(r.pos) };
          },
          (r: Row) => Object.values(paymentJson(r)),
        ),
        200,
        csvHeaders("payments"),
      );
    });

    app.openapi(tendersCsv, async (c) => {
      const q = c.req.valid("query");
      tendersQuery(q, undefined, 1);
      const columns = [
        "id",
        "region",
        "title",
        "quantity",
        "unit",
        "basePrice",
        "floorRate",
        "bidDeadline",
        "revealDeadline",
        "state",
        "version",
        "commitCount",
        "revealedCount",
        "reserve",
        "floor",
        "winner",
        "contractAmount",
        "paidAmount",
        "createdAt",
        "txHash",
        "official",
        "drawBlock",
        "deliveryDeadline",
        "refusals",
        "refusalReason",
        "terminationReason",
        "terminatedAt",
        "lapsedAt",
      ];
      return c.body(
        await csvExport(
          deps,
          "tenders",
          columns,
          async (before) => {
            const { text, params } = tendersQuery(q, before, CHUNK);
            return { rows: await db.query(text, params), pos: (r: Row) => Number(r.created_pos) };
          },
          (r: Row) => {
            const t = tenderJson(r);
            return [
              t.id,
              t.region,
              t.title,
              t.quantity,
              t.unit,
              t.basePrice,
              t.floorRate,
              t.bidDeadline,
              t.revealDeadline,
              t.state,
              t.version,
              t.commitCount,
              t.revealedCount,
              t.reserve,
              t.floor,
              t.winner,
              t.contractAmount,
              t.paidAmount,
              t.createdAt,
              t.provenance.created?.txHash,
              t.official,
              t.drawBlock,
              t.deliveryDeadline,
              t.refusals,
              t.refusalReason,
              t.terminationReason,
              t.terminatedAt,
              t.lapsedAt,
            ];
          },
        ),
        200,
        csvHeaders("tenders"),
      );
    });

    app.openapi(programsCsv, async (c) => {
      const q = c.req.valid("query");
      const columns = [
        "id",
        "cropYear",
        "nationalQuota",
        "interimPerUnit",
        "bulkDeduction",
        "deliveryStart",
        "deliveryEnd",
        "varieties",
        "finalPricesSet",
        "priceSpecial",
        "priceFirst",
        "priceSecond",
        "priceThird",
        "createdAt",
        "txHash",
        "official",
      ];
      return c.body(
        await csvExport(
          deps,
          "programs",
          columns,
          async (before) => {
            const w = where();
            if (q.cropYear !== undefined) w.add("p.crop_year = ?", q.cropYear);
            if (before !== undefined) w.add("p.created_pos < ?", before);
            const rows = await db.query(
              `select p.*, ${PROGRAM_PROV.columns} from programs p ${PROGRAM_PROV.joins} ${w.sql()} order by p.created_pos desc limit ${w.param(CHUNK)}`,
              w.params,
            );
            return { rows, pos: (r: Row) => Number(r.created_pos) };
          },
          (r: Row) => {
            const p = programJson(r);
            return [
              p.id,
              p.cropYear,
              p.nationalQuota,
              p.interimPerUnit,
              p.bulkDeduction,
              p.deliveryStart,
              p.deliveryEnd,
              p.varieties.join(" "),
              p.finalPricesSet,
              p.finalPrices?.special,
              p.finalPrices?.first,
              p.finalPrices?.second,
              p.finalPrices?.third,
              p.createdAt,
              p.provenance.created?.txHash,
              p.official,
            ];
          },
        ),
        200,
        csvHeaders("programs"),
      );
    });

    app.openapi(credentialsCsv, async (c) => {
      const q = c.req.valid("query");
      const now = Math.floor(Date.now() / 1000);
      const columns = [
        "id",
        "subject",
        "role",
        "region",
        "serial",
        "issuer",
        "status",
        "issuedAt",
        "expiresAt",
        "revokedAt",
        "revokedBy",
        "txHash",
        "blockNumber",
      ];
      return c.body(
        await csvExport(
          deps,
          "credentials",
          columns,
          async (before) => {
            const w = credentialsWhere(q, now);
            if (before !== undefined) w.add("c.issued_pos < ?", before);
            const rows = await db.query(
              `${CREDENTIAL_SELECT} ${w.sql()} order by c.issued_pos desc limit ${w.param(CHUNK)}`,
              w.params,
            );
            return { rows, pos: (r: Row) => Number(r.issued_pos) };
          },
          (r: Row) => {
            const x = credentialJson(r, now);
            return [
              x.id,
              x.subject,
              x.role,
              x.region,
              x.serial,
              x.issuer,
              x.status,
              x.issuedAt,
              x.expiresAt,
              x.revokedAt,
              x.revokedBy,
              x.txHash,
              x.blockNumber,
            ];
          },
        ),
        200,
        csvHeaders("credentials"),
      );
    });

    const tenderProcess = async (id: string) => {
      const [row] = await db.query<{ id: string; region: number }>(
        "select id, region from tenders where id = $1",
        [id],
      );
      if (row === undefined) return undefined;
      const bids = await db.query<{ bidder: string; version: number }>(
        "select bidder, version from bids where tender_id = $1",
        [id],
      );
      const history = await historyOf(db, [
        `tenders:${id}`,
        `awards:${id}`,
        ...bids.map((b) => `bids:${id}|${b.bidder}|${b.version}`),
      ]);
      return tenderReleases(ctx, { id: row.id, region: row.region }, history);
    };
    const saleProcess = async (id: string) => {
      const [row] = await db.query<{
        id: string;
        region: number;
        program_id: number;
        farmer: string;
      }>("select id, region, program_id, farmer from sales where id = $1", [id]);
      if (row === undefined) return undefined;
      // The farm's variety test and exclusion in the sale's programme belong to its record too.
      const history = await historyOf(db, [
        `sales:${id}`,
        `variety_results:${row.program_id}|${row.farmer}`,
        `exclusions:${row.farmer}`,
      ]);
      return saleReleases(
        ctx,
        { id: row.id, region: row.region, programId: row.program_id, farmer: row.farmer },
        history,
      );
    };

    app.openapi(ocdsTender, async (c) => {
      const { id } = c.req.valid("param");
      const releases = await tenderProcess(id);
      if (releases === undefined) throw new ApiError(404, "not_found", `no tender ${id}`);
      return c.json(releasePackage(c.req.url, releases), 200);
    });

    app.openapi(ocdsSale, async (c) => {
      const { id } = c.req.valid("param");
      const releases = await saleProcess(id);
      if (releases === undefined) throw new ApiError(404, "not_found", `no sale ${id}`);
      return c.json(releasePackage(c.req.url, releases), 200);
    });

    app.openapi(ocdsRecord, async (c) => {
      const { ocid } = c.req.valid("param");
      const [, prefix, , kind, id = ""] = OCID_PATTERN.exec(ocid) ?? [];
      const releases =
        prefix !== ctx.ocidPrefix
          ? undefined
          : kind === "T"
            ? await tenderProcess(BigInt(id).toString())
            : await saleProcess(BigInt(id).toString());
      // The region is part of the ocid: another region's number names no process.
      if (releases === undefined || releases.length === 0 || releases[0]?.ocid !== ocid)
        throw new ApiError(404, "not_found", `no process ${ocid}`);
      const packageUri = new URL(
        `/api/v1/ocds/${kind === "T" ? "tenders" : "sales"}/${BigInt(id).toString()}`,
        c.req.url,
      ).toString();
      return c.json(recordPackage(c.req.url, packageUri, releases), 200);
    });

    app.openapi(ocdsList, async (c) => {
      const { kind } = c.req.valid("param");
      const q = c.req.valid("query");
      const limit = Math.min(q.limit ?? 50, 100);
      const table = kind === "tenders" ? "tenders" : "sales";
      const posColumn = kind === "tenders" ? "created_pos" : "submitted_pos";
      const w = where();
      if (q.region !== undefined) w.add("region = ?", q.region);
      const before = decodeCursor(q.cursor);
      if (before !== undefined) w.add(`${posColumn} < ?`, before);
      const rows = await db.query<{ id: string; pos: number }>(
        `select id, ${posColumn} as pos from ${table} ${w.sql()} order by ${posColumn} desc limit ${w.param(limit + 1)}`,
        w.params,
      );
      const releases = [];
      for (const row of rows.slice(0, limit)) {
        releases.push(
          ...((kind === "tenders" ? await tenderProcess(row.id) : await saleProcess(row.id)) ?? []),
        );
      }
      const last = rows.slice(0, limit).at(-1);
      if (rows.length > limit && last !== undefined) {
        const next = new URL(c.req.url);
        next.searchParams.set("cursor", encodeCursor(last.pos));
        c.header("link", `<${next.pathname}${next.search}>; rel="next"`);
      }
      return c.json(releasePackage(c.req.url, releases), 200);
    });
  },
};
