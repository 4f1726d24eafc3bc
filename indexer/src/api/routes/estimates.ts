/**
 * The farm-gate price series (산지쌀값, FarmGatePrices) of each programme and the settlement it
 * points to: per programme (the grade prices the average so far gives, and its range) and per sale
 * (interim, estimated final amount, range and clawback risk). Every figure comes from sdk/estimate.ts,
 * which runs the programme's own final-price formula (sdk `gradePricesOf` and `settlementOf`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import {
  DEFAULT_MILLING_TERMS,
  ESTIMATED_SALE_STATES,
  type EstimateTerms,
  estimatedGradePrices,
  estimateSale,
  type FarmGateOutlook,
  farmGateOutlook,
  INTERIM_PAID_STATES,
  RANGE_STEP_BPS,
  surveyDates,
} from "../../../../sdk/estimate.ts";
import { PackagingNames, type SaleState, SaleStateNames } from "../../domain.ts";
import { ApiError } from "../../internal/errors.ts";
import {
  AddressParam,
  errorResponses,
  isoRequired,
  notFoundResponse,
  ProgramIdParam,
  Uint256Param,
} from "../common.ts";
import type { App, AppDeps } from "../deps.ts";
import { settlementOf } from "./rice.ts";

type Row = Record<string, unknown>;

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { "application/json": { schema } } },
});

/** `yyyymmdd` → `yyyy-mm-dd`. */
const isoDate = (code: number) => {
  const s = String(code);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
};

const ObservationSchema = z.object({
  date: z.string().openapi({ description: "Survey date, yyyy-mm-dd" }),
  pricePer80kg: z.number().int().openapi({ description: "Won per 80 kg of milled rice" }),
  official: z.string().openapi({ description: "The national official who recorded it" }),
  txHash: z.string(),
  blockNumber: z.number().int(),
  recordedAt: z.string(),
});

const OutlookSchema = z
  .object({
    observed: z.number().int(),
    remaining: z
      .number()
      .int()
      .openapi({ description: "Survey dates after the newest observation" }),
    average: z
      .number()
      .int()
      .openapi({ description: "Average so far, rounded down (won per 80 kg)" }),
    low: z.number().int().openapi({
      description:
        "The final average if every remaining observation falls by `stepBps` from the one before",
    }),
    high: z.number().int().openapi({
      description:
        "The final average if every remaining observation rises by `stepBps` from the one before",
    }),
    complete: z
      .boolean()
      .openapi({ description: "The last survey date is in: the average is final" }),
    stepBps: z
      .number()
      .int()
      .openapi({ description: "The assumed largest ten-day move, 1/10,000" }),
  })
  .openapi("FarmGateOutlook");

export const FarmGateSeriesSchema = z
  .object({
    programId: z.number().int(),
    cropYear: z.number().int(),
    surveyDates: z.array(z.string()).openapi({
      description: "The nine survey dates of the price window (5th, 15th, 25th of Oct–Dec)",
    }),
    observations: z.array(ObservationSchema),
    outlook: OutlookSchema.nullable().openapi({ description: "Null before the first observation" }),
  })
  .openapi("FarmGateSeries");

const GradePricesSchema = z.object({
  special: z.number().int(),
  first: z.number().int(),
  second: z.number().int(),
  third: z.number().int(),
});

export const ProgrammeEstimateSchema = FarmGateSeriesSchema.extend({
  millingTerms: z.object({
    millingFee: z.number().int(),
    millingYieldBps: z.number().int(),
    source: z.enum(["final", "proposal", "default"]).openapi({
      description:
        "Where the milling terms come from: the confirmed final prices, a pending proposal, or the sdk's default terms (DEFAULT_MILLING_TERMS) before either",
    }),
  }),
  estimatedPrices: z
    .object({ atAverage: GradePricesSchema, atLow: GradePricesSchema, atHigh: GradePricesSchema })
    .nullable()
    .openapi({
      description: "Won per 40 kg by grade at the average so far and at the range's ends",
    }),
  finalPrices: GradePricesSchema.extend({ farmGatePer80kg: z.number().int() })
    .nullable()
    .openapi({ description: "The final prices in effect (null until confirmed)" }),
  finalMatchesObservations: z.boolean().nullable().openapi({
    description:
      "Whether the confirmed farm-gate input equals the completed series' average (null until both exist)",
  }),
}).openapi("ProgrammeEstimate");

export const SaleEstimateSchema = z
  .object({
    saleId: z.string(),
    programId: z.number().int(),
    farmer: z.string(),
    state: z.string(),
    units: z.number().int(),
    acceptedUnits: z.number().int(),
    interim: z
      .string()
      .openapi({ description: "Interim amount (accepted units × interim per unit)" }),
    interimPaid: z.boolean(),
    estimate: z
      .object({
        finalAmount: z.string(),
        low: z.string(),
        high: z.string(),
        clawback: z.string().openapi({ description: "interim − estimate when positive, else 0" }),
        clawbackAtLow: z.string().openapi({ description: "interim − low when positive, else 0" }),
        complete: z.boolean(),
      })
      .nullable()
      .openapi({ description: "Null before the first observation" }),
    actual: z
      .object({ finalAmount: z.string(), balance: z.string() })
      .nullable()
      .openapi({ description: "The settlement at the confirmed final prices (null until set)" }),
  })
  .openapi("SaleEstimate");

interface ProgrammeContext {
  program: Row;
  series: z.infer<typeof FarmGateSeriesSchema>;
  outlook: FarmGateOutlook | null;
  terms: EstimateTerms;
  source: "final" | "proposal" | "default";
}

async function programmeContext(db: AppDeps["db"], id: number): Promise<ProgrammeContext> {
  const [program] = await db.query("select * from programs where id = $1", [id]);
  if (program === undefined) throw new ApiError(404, "not_found", `no programme ${id}`);
  const rows = await db.query(
    "select * from farm_gate_prices where program_id = $1 order by date",
    [id],
  );
  const cropYear = Number(program.crop_year);
  const observations = rows.map((r) => ({
    date: Number(r.date),
    pricePer80kg: Number(r.price_per_80kg),
  }));
  const outlook = farmGateOutlook(observations, cropYear);
  const final = program.final_prices_set === true;
  const proposed = program.proposal_official !== null && program.proposal_official !== undefined;
  const source = final ? "final" : proposed ? "proposal" : "default";
  const milling =
    source === "final"
      ? {
          millingFee: Number(program.milling_fee),
          millingYieldBps: Number(program.milling_yield_bps),
        }
      : source === "proposal"
        ? {
            millingFee: Number(program.proposal_milling_fee),
            millingYieldBps: Number(program.proposal_milling_yield_bps),
          }
        : DEFAULT_MILLING_TERMS;
  return {
    program,
    outlook,
    source,
    terms: {
      interimPerUnit: BigInt(String(program.interim_per_unit)),
      bulkDeduction: BigInt(String(program.bulk_deduction)),
      ...milling,
    },
    series: {
      programId: id,
      cropYear,
      surveyDates: surveyDates(cropYear).map(isoDate),
      observations: rows.map((r) => ({
        date: isoDate(Number(r.date)),
        pricePer80kg: Number(r.price_per_80kg),
        official: String(r.official),
        txHash: String(r.tx_hash),
        blockNumber: Number(r.block_number),
        recordedAt: isoRequired(Number(r.block_time)),
      })),
      outlook: outlook === null ? null : { ...outlook, stepBps: RANGE_STEP_BPS },
    },
  };
}

function programmeEstimate(ctx: ProgrammeContext): z.infer<typeof ProgrammeEstimateSchema> {
  const { program, outlook, terms } = ctx;
  const final = program.final_prices_set === true;
  const at = (farmGate: number) => estimatedGradePrices(farmGate, terms);
  return {
    ...ctx.series,
    millingTerms: {
      millingFee: terms.millingFee,
      millingYieldBps: terms.millingYieldBps,
      source: ctx.source,
    },
    estimatedPrices:
      outlook === null
        ? null
        : { atAverage: at(outlook.average), atLow: at(outlook.low), atHigh: at(outlook.high) },
    finalPrices: final
      ? {
          farmGatePer80kg: Number(program.farm_gate_per_80kg),
          special: Number(program.price_special),
          first: Number(program.price_first),
          second: Number(program.price_second),
          third: Number(program.price_third),
        }
      : null,
    finalMatchesObservations:
      final && outlook?.complete === true
        ? Number(program.farm_gate_per_80kg) === outlook.average
        : null,
  };
}

function saleEstimate(sale: Row, ctx: ProgrammeContext): z.infer<typeof SaleEstimateSchema> {
  const grades = {
    special: Number(sale.grade_special ?? 0),
    first: Number(sale.grade_first ?? 0),
    second: Number(sale.grade_second ?? 0),
    third: Number(sale.grade_third ?? 0),
  };
  const bulk = PackagingNames[Number(sale.packaging)] === "Bulk";
  const settled = settlementOf(sale, ctx.program);
  const e = ctx.outlook === null ? null : estimateSale(grades, bulk, ctx.terms, ctx.outlook);
  return {
    saleId: String(sale.id),
    programId: Number(sale.program_id),
    farmer: String(sale.farmer),
    state: SaleStateNames[Number(sale.state)] ?? String(sale.state),
    units: Number(sale.units),
    acceptedUnits: grades.special + grades.first + grades.second + grades.third,
    interim: settled.interim,
    interimPaid: INTERIM_PAID_STATES.includes(Number(sale.state) as SaleState),
    estimate:
      e === null || ctx.outlook === null
        ? null
        : {
            finalAmount: e.finalAmount.toString(),
            low: e.low.toString(),
            high: e.high.toString(),
            clawback: e.clawback.toString(),
            clawbackAtLow: e.clawbackAtLow.toString(),
            complete: ctx.outlook.complete,
          },
    actual:
      settled.finalAmount === null || settled.balance === null
        ? null
        : { finalAmount: settled.finalAmount, balance: settled.balance },
  };
}

const IdParams = z.object({ id: ProgramIdParam });

const getSeries = createRoute({
  method: "get",
  path: "/api/v1/programs/{id}/farm-gate-prices",
  tags: ["rice"],
  summary: "The programme's farm-gate price series (산지쌀값) and where its average could end",
  request: { params: IdParams },
  responses: {
    ...json(FarmGateSeriesSchema, "The series"),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const getProgrammeEstimate = createRoute({
  method: "get",
  path: "/api/v1/programs/{id}/estimate",
  tags: ["rice"],
  summary: "Grade prices estimated from the farm-gate prices so far, with their range",
  request: { params: IdParams },
  responses: {
    ...json(ProgrammeEstimateSchema, "The programme's estimate"),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const getSaleEstimate = createRoute({
  method: "get",
  path: "/api/v1/sales/{id}/estimate",
  tags: ["rice"],
  summary: "A sale's interim, estimated final amount, range and clawback risk",
  request: { params: z.object({ id: Uint256Param }) },
  responses: {
    ...json(SaleEstimateSchema, "The sale's estimate"),
    ...errorResponses,
    ...notFoundResponse,
  },
});

const listEstimates = createRoute({
  method: "get",
  path: "/api/v1/estimates",
  tags: ["rice"],
  summary: "Settlement estimates of a farm's inspected sales (newest first, at most 200)",
  request: {
    query: z.object({ farmer: AddressParam, program: ProgramIdParam.optional() }),
  },
  responses: {
    ...json(z.object({ items: z.array(SaleEstimateSchema) }), "The farm's estimates"),
    ...errorResponses,
  },
});

export const estimateRoutes = {
  name: "estimates",
  register(app: App, deps: AppDeps) {
    const { db } = deps;

    app.openapi(getSeries, async (c) => {
      const { id } = c.req.valid("param");
      return c.json((await programmeContext(db, id)).series, 200);
    });

    app.openapi(getProgrammeEstimate, async (c) => {
      const { id } = c.req.valid("param");
      return c.json(programmeEstimate(await programmeContext(db, id)), 200);
    });

    app.openapi(getSaleEstimate, async (c) => {
      const { id } = c.req.valid("param");
      const [sale] = await db.query("select * from sales where id = $1", [id]);
      if (sale === undefined) throw new ApiError(404, "not_found", `no sale ${id}`);
      if (
        !ESTIMATED_SALE_STATES.includes(Number(sale.state) as SaleState) ||
        Number(sale.accepted_units ?? 0) === 0
      )
        throw new ApiError(
          404,
          "not_found",
          `sale ${id} has no accepted units to settle (state ${SaleStateNames[Number(sale.state)]})`,
        );
      const ctx = await programmeContext(db, Number(sale.program_id));
      return c.json(saleEstimate(sale, ctx), 200);
    });

    app.openapi(listEstimates, async (c) => {
      const q = c.req.valid("query");
      const params: unknown[] = [q.farmer, ESTIMATED_SALE_STATES];
      let sql =
        "select * from sales where farmer = $1 and state = any($2::int2[]) and accepted_units > 0";
      if (q.program !== undefined) {
        params.push(q.program);
        sql += " and program_id = $3";
      }
      const sales = await db.query(`${sql} order by submitted_pos desc limit 200`, params);
      const contexts = new Map<number, ProgrammeContext>();
      const items = [];
      for (const sale of sales) {
        const pid = Number(sale.program_id);
        let ctx = contexts.get(pid);
        if (ctx === undefined) {
          ctx = await programmeContext(db, pid);
          contexts.set(pid, ctx);
        }
        items.push(saleEstimate(sale, ctx));
      }
      return c.json({ items }, 200);
    });
  },
};
