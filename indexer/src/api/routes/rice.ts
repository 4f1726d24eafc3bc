/** Programmes, regional quotas, farm allocations, sales and payments of RicePurchase. */
import { createRoute, z } from "@hono/zod-openapi";
import { parseReference, saleReference } from "../../../../sdk/references.ts";
import { settlementOf as settlementRule } from "../../../../sdk/settlement.ts";
import { dateOfDeliveryDay } from "../../../../sdk/variety.ts";
import { PackagingNames, PaymentKindNames, SaleStateNames } from "../../domain.ts";
import { ApiError } from "../../internal/errors.ts";
import {
  AddressParam,
  checkRanges,
  decodeCursor,
  EventSchema,
  encodeCursor,
  errorResponses,
  firstPosAfterBlock,
  firstPosOfBlock,
  IdOrReferenceParam,
  iso,
  isoRequired,
  notFoundResponse,
  PageQuery,
  ProgramIdParam,
  page,
  pageSchema,
  passkeyAccountField,
  passkeyAccountSql,
  provenanceOf,
  provenanceSql,
  RangeQuery,
  RecordProvenanceSchema,
  RegionParam,
  TextParam,
  Uint256Param,
  where,
} from "../common.ts";
import type { App, AppDeps } from "../deps.ts";
import { historyOf } from "../events.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { "application/json": { schema } } },
});

// ------------------------------------------------------------------ programmes

/** Won per 40 kg unit of each grade (특, 1, 2, 3등). */
const GradePricesSchema = z.object({
  special: z.string(),
  first: z.string(),
  second: z.string(),
  third: z.string(),
});

/** When and in which transaction a step happened (the event's block and transaction). */
const StepSchema = z.object({
  at: z.string().openapi({ description: "Block time, ISO-8601 UTC" }),
  txHash: z.string(),
  blockNumber: z.number().int(),
});

export const ProgramSchema = z
  .object({
    id: z.number().int(),
    official: z.string(),
    cropYear: z.number().int(),
    nationalQuota: z.string(),
    interimPerUnit: z.string(),
    bulkDeduction: z.string(),
    deliveryStart: z.string(),
    deliveryEnd: z.string(),
    varieties: z.array(z.number().int()),
    disputePeriod: z.number().int().openapi({
      description:
        "Seconds after a sale's inspection during which its farmer may dispute it (the sale's `disputeDeadline`)",
    }),
    finalPricesSet: z.boolean(),
    priceRevision: z.number().int().openapi({
      description:
        "How many times final prices took effect: 0 none yet, 1 first set, 2 and up corrections (each confirmed by a second national official)",
    }),
    finalPrices: z
      .object({
        farmGatePer80kg: z.string(),
        millingFee: z.string(),
        millingYieldBps: z.number().int(),
        special: z.string(),
        first: z.string(),
        second: z.string(),
        third: z.string(),
        proposedBy: z.string().openapi({ description: "The national official who proposed them" }),
        confirmedBy: z.string().openapi({
          description: "The national official, of another household, who confirmed them",
        }),
        setAt: StepSchema.nullable(),
      })
      .nullable()
      .openapi({ description: "The prices in effect (revision `priceRevision`); null until set" }),
    pendingProposal: z
      .object({
        official: z.string().openapi({ description: "Who proposed" }),
        farmGatePer80kg: z.string(),
        millingFee: z.string(),
        millingYieldBps: z.number().int(),
        gradePrices: GradePricesSchema.nullable().openapi({
          description:
            "The prices these inputs give, won per 40 kg of each grade (특, 1, 2, 3등), as the contract computed them at the proposal",
        }),
        proposedAt: StepSchema.nullable(),
      })
      .nullable()
      .openapi({
        description:
          "Final-price inputs proposed by one national official and not yet confirmed by another (a first setting or a correction); null when none is pending. Nothing is paid on them until confirmed.",
      }),
    createdAt: z.string(),
    provenance: RecordProvenanceSchema,
  })
  .openapi("Program");

type Row = Record<string, unknown>;
const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
const sr = (v: unknown) => String(v);

/** A step's time and transaction from the joined event columns `${p}_time`, `${p}_tx`, `${p}_block`. */
const stepOf = (r: Row, p: string) =>
  r[`${p}_tx`] === null || r[`${p}_tx`] === undefined
    ? null
    : {
        at: isoRequired(Number(r[`${p}_time`])),
        txHash: sr(r[`${p}_tx`]),
        blockNumber: Number(r[`${p}_block`]),
      };

const gradePricesFromEventArgs = (v: unknown) =>
  Array.isArray(v) && v.length === 4
    ? { special: sr(v[0]), first: sr(v[1]), second: sr(v[2]), third: sr(v[3]) }
    : null;

/** The programme's own row plus the events of its price steps (the proposal's grade prices). */
const PROGRAM_STEPS = {
  columns:
    "pp.block_time as pp_time, pp.tx_hash as pp_tx, pp.block_number as pp_block, pp.args->'gradePrices' as pp_prices, " +
    "ps.block_time as ps_time, ps.tx_hash as ps_tx, ps.block_number as ps_block",
  joins:
    "left join events pp on pp.pos = p.proposal_pos left join events ps on ps.pos = p.prices_pos",
};

const programJson = (r: Row): z.infer<typeof ProgramSchema> => ({
  id: Number(r.id),
  official: sr(r.official),
  cropYear: Number(r.crop_year),
  nationalQuota: sr(r.national_quota),
  interimPerUnit: sr(r.interim_per_unit),
  bulkDeduction: sr(r.bulk_deduction),
  deliveryStart: isoRequired(Number(r.delivery_start)),
  deliveryEnd: isoRequired(Number(r.delivery_end)),
  varieties: [Number(r.variety_a), Number(r.variety_b)].filter((v) => v !== 0),
  disputePeriod: Number(r.dispute_period ?? 0),
  finalPricesSet: r.final_prices_set === true,
  priceRevision: Number(r.price_revision ?? 0),
  finalPrices:
    r.final_prices_set === true
      ? {
          farmGatePer80kg: sr(r.farm_gate_per_80kg),
          millingFee: sr(r.milling_fee),
          millingYieldBps: Number(r.milling_yield_bps),
          special: sr(r.price_special),
          first: sr(r.price_first),
          second: sr(r.price_second),
          third: sr(r.price_third),
          proposedBy: sr(r.prices_proposed_by),
          confirmedBy: sr(r.prices_confirmed_by),
          setAt: stepOf(r, "ps"),
        }
      : null,
  pendingProposal:
    r.proposal_official === null || r.proposal_official === undefined
      ? null
      : {
          official: sr(r.proposal_official),
          farmGatePer80kg: sr(r.proposal_farm_gate_per_80kg),
          millingFee: sr(r.proposal_milling_fee),
          millingYieldBps: Number(r.proposal_milling_yield_bps),
          gradePrices: gradePricesFromEventArgs(r.pp_prices),
          proposedAt: stepOf(r, "pp"),
        },
  createdAt: isoRequired(Number(r.created_time)),
  provenance: provenanceOf(r),
});

export const QuotaSchema = z
  .object({
    programId: z.number().int(),
    region: z.number().int(),
    parentRegion: z.number().int(),
    units: z.string(),
    distributed: z.string().openapi({ description: "Units passed down to sub-regions or farms" }),
    official: z.string(),
    provenance: RecordProvenanceSchema,
  })
  .openapi("Quota");

export const AllocationSchema = z
  .object({
    programId: z.number().int(),
    farmer: z.string(),
    region: z.number().int(),
    units: z.number().int(),
    official: z.string(),
    provenance: RecordProvenanceSchema,
  })
  .openapi("Allocation");

const ALLOC_PROV = provenanceSql("a", "created_pos", "updated_pos");
const QUOTA_PROV = provenanceSql("q", "created_pos", "updated_pos");

export const allocationJson = (r: Row): z.infer<typeof AllocationSchema> => ({
  programId: Number(r.program_id),
  farmer: sr(r.farmer),
  region: Number(r.region),
  units: Number(r.units),
  official: sr(r.official),
  provenance: provenanceOf(r),
});

// ------------------------------------------------------------------ sales

const SaleStateParam = z.enum(SaleStateNames.filter((n) => n !== "None") as [string, ...string[]]);

export const SaleSchema = z
  .object({
    id: z.string(),
    ref: z.string().nullable().openapi({
      description:
        "Short reference, crop year-region-ordinal (sdk/references.ts): the sale's position among its region's SaleSubmitted events in chain order",
      example: "2026-46810-000123",
    }),
    programId: z.number().int(),
    region: z.number().int(),
    seq: z.number().int(),
    farmer: z.string(),
    passkeyAccount: passkeyAccountField(
      "the farmer, who signed the sale and its cancel or dispute,",
    ),
    units: z.number().int(),
    packaging: z.string(),
    variety: z.number().int(),
    designatedVariety: z.boolean(),
    collectionPoint: z.number().int(),
    deliveryDate: z.string().nullable().openapi({
      description:
        "The day the farm will deliver (YYYY-MM-DD, Korean calendar), as signed in submitSale (its deliveryDay: days since 1970-01-01). Null for sales recorded before the delivery day existed.",
    }),
    state: z.string(),
    grades: z
      .object({
        special: z.number().int(),
        first: z.number().int(),
        second: z.number().int(),
        third: z.number().int(),
      })
      .nullable(),
    rejectedUnits: z.number().int().nullable(),
    acceptedUnits: z.number().int().nullable(),
    moisturePermille: z.number().int().nullable(),
    certificateHash: z.string().nullable(),
    inspector: z.string().nullable(),
    inspections: z.number().int(),
    disputeReasonHash: z.string().nullable(),
    disputeDeadline: z.string().nullable().openapi({
      description:
        "Until when (ISO-8601 UTC) the farmer may dispute the first inspection: its time plus the programme's dispute period. Null before inspection. A later dispute is refused (DisputePeriodOver).",
    }),
    approver: z.string().nullable(),
    interimAmount: z.string().nullable(),
    clawbackAmount: z.string().nullable(),
    paidAmount: z.string(),
    repaidAmount: z.string(),
    submittedAt: z.string(),
    updatedAt: z.string(),
    provenance: RecordProvenanceSchema,
  })
  .openapi("Sale");

const saleJson = (r: Row): z.infer<typeof SaleSchema> => ({
  id: sr(r.id),
  ref: s(r.ref),
  programId: Number(r.program_id),
  region: Number(r.region),
  seq: Number(r.seq),
  farmer: sr(r.farmer),
  passkeyAccount: r.farmer_passkey === true,
  units: Number(r.units),
  packaging: PackagingNames[Number(r.packaging)] ?? String(r.packaging),
  variety: Number(r.variety),
  designatedVariety: r.designated === true,
  collectionPoint: Number(r.collection_point),
  deliveryDate:
    r.delivery_day === null || r.delivery_day === undefined
      ? null
      : dateOfDeliveryDay(Number(r.delivery_day)),
  state: SaleStateNames[Number(r.state)] ?? String(r.state),
  grades:
    r.grade_first === null || r.grade_first === undefined
      ? null
      : {
          special: Number(r.grade_special),
          first: Number(r.grade_first),
          second: Number(r.grade_second),
          third: Number(r.grade_third),
        },
  rejectedUnits: r.rejected_units === null ? null : Number(r.rejected_units),
  acceptedUnits: r.accepted_units === null ? null : Number(r.accepted_units),
  moisturePermille: r.moisture_permille === null ? null : Number(r.moisture_permille),
  certificateHash: s(r.certificate_hash),
  inspector: s(r.inspector),
  inspections: Number(r.inspections),
  disputeReasonHash: s(r.dispute_reason_hash),
  disputeDeadline: iso(r.dispute_deadline as number | null),
  approver: s(r.approver),
  interimAmount: s(r.interim_amount),
  clawbackAmount: s(r.clawback_amount),
  paidAmount: sr(r.paid_amount),
  repaidAmount: sr(r.repaid_amount),
  submittedAt: isoRequired(Number(r.submitted_time)),
  updatedAt: isoRequired(Number(r.updated_time)),
  provenance: provenanceOf(r),
});

export const SettlementSchema = z
  .object({
    interim: z.string(),
    finalAmount: z.string().nullable(),
    balance: z
      .string()
      .nullable()
      .openapi({ description: "final − interim; negative: a clawback the farmer owes" }),
  })
  .openapi("Settlement");

/** interim / final / balance of a sale row and its programme row (sdk/settlement.ts's rule). */
export function settlementOf(
  sale: Row,
  program: Row | undefined,
): z.infer<typeof SettlementSchema> {
  if (program === undefined) return { interim: "0", finalAmount: null, balance: null };
  const p = (k: string) => BigInt(String(program[k]));
  const s = settlementRule(
    sale.grade_first === null || sale.grade_first === undefined
      ? null
      : {
          special: Number(sale.grade_special ?? 0),
          first: Number(sale.grade_first ?? 0),
          second: Number(sale.grade_second ?? 0),
          third: Number(sale.grade_third ?? 0),
        },
    PackagingNames[Number(sale.packaging)] === "Bulk",
    {
      interimPerUnit: p("interim_per_unit"),
      bulkDeduction: p("bulk_deduction"),
      prices:
        program.final_prices_set === true
          ? {
              special: p("price_special"),
              first: p("price_first"),
              second: p("price_second"),
              third: p("price_third"),
            }
          : null,
    },
  );
  return {
    interim: s.interim.toString(),
    finalAmount: s.finalAmount === null ? null : s.finalAmount.toString(),
    balance: s.balance === null ? null : s.balance.toString(),
  };
}

export const PaymentSchema = z
  .object({
    id: z.string(),
    saleId: z.string(),
    programId: z.number().int(),
    region: z.number().int(),
    farmer: z.string(),
    kind: z.string(),
    amount: z.string(),
    transferRefHash: z.string(),
    official: z.string(),
    txHash: z.string(),
    blockNumber: z.number().int(),
    blockTime: z.string(),
  })
  .openapi("Payment");

const paymentJson = (r: Row): z.infer<typeof PaymentSchema> => ({
  id: sr(r.pos),
  saleId: sr(r.sale_id),
  programId: Number(r.program_id),
  region: Number(r.region),
  farmer: sr(r.farmer),
  kind: PaymentKindNames[Number(r.kind)] ?? String(r.kind),
  amount: sr(r.amount),
  transferRefHash: sr(r.transfer_ref_hash),
  official: sr(r.official),
  txHash: sr(r.tx_hash),
  blockNumber: Number(r.block_number),
  blockTime: isoRequired(Number(r.block_time)),
});

// ------------------------------------------------------------------ routes

const listPrograms = createRoute({
  method: "get",
  path: "/api/v1/programs",
  tags: ["rice"],
  summary: "Purchase programmes, newest first",
  request: {
    query: z.object({
      cropYear: z.coerce.number().int().min(1900).max(9999).optional(),
      ...PageQuery,
    }),
  },
  responses: { ...json(pageSchema(ProgramSchema), "A page of programmes"), ...errorResponses },
});

const getProgram = createRoute({
  method: "get",
  path: "/api/v1/programs/{id}",
  tags: ["rice"],
  summary: "A programme with its quotas and full history",
  request: { params: z.object({ id: ProgramIdParam }) },
  responses: {
    ...json(
      ProgramSchema.extend({ quotas: z.array(QuotaSchema), history: z.array(EventSchema) }),
      "The programme",
    ),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const listQuotas = createRoute({
  method: "get",
  path: "/api/v1/quotas",
  tags: ["rice"],
  summary: "Regional quotas (national → 시도 → 시군)",
  request: {
    query: z.object({
      program: ProgramIdParam.optional(),
      region: RegionParam.optional(),
      parentRegion: RegionParam.optional(),
    }),
  },
  responses: { ...json(z.object({ items: z.array(QuotaSchema) }), "Quotas"), ...errorResponses },
});

const listAllocations = createRoute({
  method: "get",
  path: "/api/v1/allocations",
  tags: ["rice"],
  summary: "Farm allocations",
  request: {
    query: z.object({
      program: ProgramIdParam.optional(),
      region: RegionParam.optional(),
      farmer: AddressParam.optional(),
      ...PageQuery,
    }),
  },
  responses: { ...json(pageSchema(AllocationSchema), "A page of allocations"), ...errorResponses },
});

const SalesQuery = z.object({
  program: ProgramIdParam.optional(),
  region: RegionParam.optional(),
  farmer: AddressParam.optional(),
  state: SaleStateParam.optional(),
  q: TextParam(100).optional().openapi({
    description:
      "Free text: a sale reference (2026-46810-000123, or its start), a region code, an address, or an address as the portal shows it (0x1234ab…cdef12: its start and end)",
  }),
  ...RangeQuery,
  ...PageQuery,
});

const listSales = createRoute({
  method: "get",
  path: "/api/v1/sales",
  tags: ["rice"],
  summary: "Sales with their current state and grades, newest first",
  request: { query: SalesQuery },
  responses: { ...json(pageSchema(SaleSchema), "A page of sales"), ...errorResponses },
});

const getSale = createRoute({
  method: "get",
  path: "/api/v1/sales/{id}",
  tags: ["rice"],
  summary: "A sale (by id or short reference) with its settlement, payments and full history",
  request: { params: z.object({ id: IdOrReferenceParam }) },
  responses: {
    ...json(
      SaleSchema.extend({
        settlement: SettlementSchema,
        payments: z.array(PaymentSchema),
        history: z.array(EventSchema),
      }),
      "The sale",
    ),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const listPayments = createRoute({
  method: "get",
  path: "/api/v1/payments",
  tags: ["rice"],
  summary: "Payments and clawback repayments, newest first",
  request: {
    query: z.object({
      sale: Uint256Param.optional(),
      program: ProgramIdParam.optional(),
      region: RegionParam.optional(),
      farmer: AddressParam.optional(),
      kind: z.enum(PaymentKindNames as unknown as [string, ...string[]]).optional(),
      ...RangeQuery,
      ...PageQuery,
    }),
  },
  responses: { ...json(pageSchema(PaymentSchema), "A page of payments"), ...errorResponses },
});

const SALE_PROV = provenanceSql("s", "submitted_pos", "updated_pos");

export type SalesFilter = z.infer<typeof SalesQuery>;
export const SalesFilterQuery = SalesQuery.omit({ limit: true, cursor: true });

/** A sale row's `farmer_passkey` column ({@link saleJson}'s `passkeyAccount`). */
const FARMER_PASSKEY = `${passkeyAccountSql("s.farmer")} as farmer_passkey`;

/** The filtered, keyset-paginated sales query (also used by the CSV export). */
export function salesQuery(
  q: Omit<SalesFilter, "limit" | "cursor">,
  before: number | undefined,
  limit: number,
  /** Select each sale as its JSON text (column `json`) built by PostgreSQL instead of its columns. */
  asJson = false,
) {
  checkRanges(q);
  const w = where();
  if (q.program !== undefined) w.add("s.program_id = ?", q.program);
  if (q.region !== undefined) w.add("s.region = ?", q.region);
  if (q.farmer !== undefined) w.add("s.farmer = ?", q.farmer);
  if (q.state !== undefined) w.add("s.state = ?", SaleStateNames.indexOf(q.state as never));
  if (q.q !== undefined) addSaleText(w, q.q);
  if (q.fromBlock !== undefined) w.add("s.submitted_pos >= ?::int8", firstPosOfBlock(q.fromBlock));
  if (q.toBlock !== undefined) w.add("s.submitted_pos < ?::int8", firstPosAfterBlock(q.toBlock));
  if (q.from !== undefined) w.add("s.submitted_time >= ?", q.from);
  if (q.to !== undefined) w.add("s.submitted_time < ?", q.to);
  if (before !== undefined) w.add("s.submitted_pos < ?", before);
  const limitParam = w.param(limit);
  const select = asJson
    ? `s.submitted_pos, ${saleJsonSql(w.param([...PackagingNames]), w.param([...SaleStateNames]))} as json`
    : `s.*, ${SALE_PROV.columns}, ${FARMER_PASSKEY}`;
  return {
    text: `select ${select} from sales s ${SALE_PROV.joins} ${w.sql()} order by s.submitted_pos desc limit ${limitParam}`,
    params: w.params,
  };
}

/** `like` pattern text with its wildcards escaped (the statement says `escape '\\'`). */
const likeText = (v: string) => v.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * The free-text condition of the sales list: a reference (whole, or a prefix such as
 * `2026-46810-`), a region code, a whole address, or an address as displayed (`0x1234ab…cdef12`:
 * its visible start and end; `...` is accepted for the ellipsis). Anything else matches nothing.
 */
function addSaleText(w: ReturnType<typeof where>, raw: string) {
  const v = raw.trim();
  const ref = parseReference(v);
  if (ref?.kind === "sale")
    return w.add("s.ref = ?", saleReference(ref.year, ref.region, ref.ordinal));
  if (/^\d{4}-\d{1,8}-?\d*$/.test(v)) return w.add("s.ref like ? escape '\\'", `${likeText(v)}%`);
  if (/^\d{1,5}$/.test(v)) {
    // A 시도 code (46000) stands for its 시군구 too.
    const code = Number(v);
    if (code > 0 && code % 1000 === 0) return w.add("s.region between ? and ?", code, code + 999);
    return w.add("s.region = ?", code);
  }
  if (/^0x[0-9a-fA-F]{40}$/.test(v)) return w.add("lower(s.farmer) = ?", v.toLowerCase());
  const shown = /^(0x[0-9a-fA-F]{1,39})\s*(?:…|\.\.\.)\s*([0-9a-fA-F]{0,39})$/.exec(v);
  if (shown || /^0x[0-9a-fA-F]{1,39}$/.test(v)) {
    const start = (shown?.[1] ?? v).toLowerCase();
    const end = (shown?.[2] ?? "").toLowerCase();
    return w.add("lower(s.farmer) like ? escape '\\'", `${likeText(start)}%${likeText(end)}`);
  }
  w.add("false");
}

const isoSql = (column: string) =>
  `to_char(to_timestamp(${column}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const provSql = (p: string) =>
  `case when ${p}.tx_hash is null then null else json_build_object('txHash', ${p}.tx_hash, 'blockNumber', ${p}.block_number, 'blockTime', ${isoSql(`${p}.block_time`)}, 'logIndex', ${p}.log_index, 'signer', ${p}.signer) end`;

/**
 * The same object as {@link saleJson}, built by the database: the list route's hot path then
 * passes text through instead of parsing 40 columns per row (test/indexer/api.test.ts checks
 * both give the same JSON). Enum names come in as parameters, from the SDK.
 */
function saleJsonSql(packagingNames: string, stateNames: string) {
  return `json_build_object(
    'id', s.id, 'ref', s.ref, 'programId', s.program_id, 'region', s.region, 'seq', s.seq, 'farmer', s.farmer,
    'passkeyAccount', ${passkeyAccountSql("s.farmer")}, 'units', s.units,
    'packaging', coalesce((${packagingNames}::text[])[s.packaging + 1], s.packaging::text), 'variety', s.variety,
    'designatedVariety', s.designated, 'collectionPoint', s.collection_point,
    'deliveryDate', case when s.delivery_day is null then null else to_char(date '1970-01-01' + s.delivery_day, 'YYYY-MM-DD') end,
    'state', coalesce((${stateNames}::text[])[s.state + 1], s.state::text),
    'grades', case when s.grade_first is null then null else json_build_object('special', s.grade_special,
      'first', s.grade_first, 'second', s.grade_second, 'third', s.grade_third) end,
    'rejectedUnits', s.rejected_units, 'acceptedUnits', s.accepted_units, 'moisturePermille', s.moisture_permille,
    'certificateHash', s.certificate_hash, 'inspector', s.inspector, 'inspections', s.inspections,
    'disputeReasonHash', s.dispute_reason_hash,
    'disputeDeadline', case when s.dispute_deadline is null then null else ${isoSql("s.dispute_deadline")} end,
    'approver', s.approver, 'interimAmount', s.interim_amount::text,
    'clawbackAmount', s.clawback_amount::text, 'paidAmount', s.paid_amount::text, 'repaidAmount', s.repaid_amount::text,
    'submittedAt', ${isoSql("s.submitted_time")}, 'updatedAt', ${isoSql("s.updated_time")},
    'provenance', json_build_object('created', ${provSql("pc")}, 'updated', ${provSql("pu")}))::text`;
}

export { paymentJson, programJson, saleJson };

export const riceRoutes = {
  name: "rice",
  register(app: App, deps: AppDeps) {
    const { db } = deps;
    const PROG_PROV = provenanceSql("p", "created_pos", "updated_pos");

    app.openapi(listPrograms, async (c) => {
      const q = c.req.valid("query");
      const limit = q.limit ?? 50;
      const w = where();
      if (q.cropYear !== undefined) w.add("p.crop_year = ?", q.cropYear);
      const before = decodeCursor(q.cursor);
      if (before !== undefined) w.add("p.created_pos < ?", before);
      const rows = await db.query(
        `select p.*, ${PROG_PROV.columns}, ${PROGRAM_STEPS.columns} from programs p ${PROG_PROV.joins} ${PROGRAM_STEPS.joins} ${w.sql()} order by p.created_pos desc limit ${w.param(limit + 1)}`,
        w.params,
      );
      return c.json(
        page(rows, limit, (r) => Number(r.created_pos), programJson),
        200,
      );
    });

    app.openapi(getProgram, async (c) => {
      const { id } = c.req.valid("param");
      const [row] = await db.query(
        `select p.*, ${PROG_PROV.columns}, ${PROGRAM_STEPS.columns} from programs p ${PROG_PROV.joins} ${PROGRAM_STEPS.joins} where p.id = $1`,
        [id],
      );
      if (row === undefined) throw new ApiError(404, "not_found", `no programme ${id}`);
      const quotas = await quotasWhere(db, "q.program_id = $1", [id]);
      const history = await historyOf(db, [`programs:${id}`]);
      return c.json({ ...programJson(row), quotas, history }, 200);
    });

    app.openapi(listQuotas, async (c) => {
      const q = c.req.valid("query");
      const w = where();
      if (q.program !== undefined) w.add("q.program_id = ?", q.program);
      if (q.region !== undefined) w.add("q.region = ?", q.region);
      if (q.parentRegion !== undefined) w.add("q.parent_region = ?", q.parentRegion);
      const items = await quotasWhere(db, w.sql().replace(/^where /, "") || "true", w.params);
      return c.json({ items }, 200);
    });

    app.openapi(listAllocations, async (c) => {
      const q = c.req.valid("query");
      const limit = q.limit ?? 50;
      const w = where();
      if (q.program !== undefined) w.add("a.program_id = ?", q.program);
      if (q.region !== undefined) w.add("a.region = ?", q.region);
      if (q.farmer !== undefined) w.add("a.farmer = ?", q.farmer);
      const before = decodeCursor(q.cursor);
      if (before !== undefined) w.add("a.updated_pos < ?", before);
      const rows = await db.query(
        `select a.*, ${ALLOC_PROV.columns} from allocations a ${ALLOC_PROV.joins} ${w.sql()} order by a.updated_pos desc limit ${w.param(limit + 1)}`,
        w.params,
      );
      return c.json(
        page(rows, limit, (r) => Number(r.updated_pos), allocationJson),
        200,
      );
    });

    app.openapi(listSales, async (c) => {
      const q = c.req.valid("query");
      const limit = q.limit ?? 50;
      const { text, params } = salesQuery(q, decodeCursor(q.cursor), limit + 1, true);
      const rows = await db.query<{ submitted_pos: number; json: string }>(text, params);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const next =
        rows.length > limit && last !== undefined
          ? JSON.stringify(encodeCursor(last.submitted_pos))
          : "null";
      // Already JSON (built by the database, same shape as SaleSchema): passed through as text.
      return c.body(`{"items":[${items.map((r) => r.json).join(",")}],"nextCursor":${next}}`, 200, {
        "content-type": "application/json",
      }) as never;
    });

    app.openapi(getSale, async (c) => {
      const { id: given } = c.req.valid("param");
      const ref = parseReference(given);
      if (ref !== null && ref.kind !== "sale")
        throw new ApiError(404, "not_found", `${given} is a tender's reference, not a sale's`);
      const [row] = await db.query(
        `select s.*, ${SALE_PROV.columns}, ${FARMER_PASSKEY} from sales s ${SALE_PROV.joins} where ${ref === null ? "s.id" : "s.ref"} = $1`,
        [ref === null ? given : saleReference(ref.year, ref.region, ref.ordinal)],
      );
      if (row === undefined) throw new ApiError(404, "not_found", `no sale ${given}`);
      const id = String(row.id);
      const [program] = await db.query("select * from programs where id = $1", [row.program_id]);
      const payments = await db.query("select * from payments where sale_id = $1 order by pos", [
        id,
      ]);
      const history = await historyOf(db, [`sales:${id}`]);
      return c.json(
        {
          ...saleJson(row),
          settlement: settlementOf(row, program),
          payments: payments.map(paymentJson),
          history,
        },
        200,
      );
    });

    app.openapi(listPayments, async (c) => {
      const q = c.req.valid("query");
      checkRanges(q);
      const limit = q.limit ?? 50;
      const w = where();
      if (q.sale !== undefined) w.add("sale_id = ?", q.sale);
      if (q.program !== undefined) w.add("program_id = ?", q.program);
      if (q.region !== undefined) w.add("region = ?", q.region);
      if (q.farmer !== undefined) w.add("farmer = ?", q.farmer);
      if (q.kind !== undefined) w.add("kind = ?", PaymentKindNames.indexOf(q.kind as never));
      if (q.fromBlock !== undefined) w.add("block_number >= ?::int8", q.fromBlock);
      if (q.toBlock !== undefined) w.add("block_number <= ?::int8", q.toBlock);
      if (q.from !== undefined) w.add("block_time >= ?", q.from);
      if (q.to !== undefined) w.add("block_time < ?", q.to);
      const before = decodeCursor(q.cursor);
      if (before !== undefined) w.add("pos < ?", before);
      const rows = await db.query(
        `select * from payments ${w.sql()} order by pos desc limit ${w.param(limit + 1)}`,
        w.params,
      );
      return c.json(
        page(rows, limit, (r) => Number(r.pos), paymentJson),
        200,
      );
    });
  },
};

async function quotasWhere(db: AppDeps["db"], clause: string, params: unknown[]) {
  // distributed = what the region passed down: its sub-regions' quotas, or (a 시군) its farms'.
  const rows = await db.query(
    `select q.*, ${QUOTA_PROV.columns},
       coalesce((select sum(c.units) from quotas c where c.program_id = q.program_id and c.parent_region = q.region and c.region <> q.region), 0)
       + coalesce((select sum(a.units) from allocations a where a.program_id = q.program_id and a.region = q.region and q.region % 1000 <> 0), 0)
       as distributed
     from quotas q ${QUOTA_PROV.joins} where ${clause} order by q.program_id, q.region`,
    params,
  );
  return rows.map((r) => ({
    programId: Number(r.program_id),
    region: Number(r.region),
    parentRegion: Number(r.parent_region),
    units: sr(r.units),
    distributed: sr(r.distributed),
    official: sr(r.official),
    provenance: provenanceOf(r),
  }));
}

export { iso };
