/**
 * Variety testing (issue 24): each 시군's designated varieties and draw, the drawn farms (from the
 * seed with the SDK's draw, over the frame the sale events give), the results, and exclusions.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Hex } from "viem";
import { drawSample, EXCLUSION_THRESHOLD_PERMILLE } from "../../../../sdk/variety.ts";
import {
  AddressParam,
  errorResponses,
  iso,
  ProgramIdParam,
  RegionParam,
  where,
} from "../common.ts";
import type { App, AppDeps } from "../deps.ts";

type Row = Record<string, unknown>;
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { "application/json": { schema } } },
});
const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export const VarietyCountySchema = z
  .object({
    programId: z.number().int(),
    region: z.number().int(),
    varieties: z.array(z.number().int()).openapi({
      description: "The county's designated varieties (at most two); other varieties are refused.",
    }),
    commitment: z.string().nullable(),
    secret: z.string().nullable(),
    sellers: z.number().int().nullable().openapi({ description: "Farms in the sample frame" }),
    sampleSize: z.number().int().nullable(),
    anchorBlock: z.number().int().nullable(),
    anchorHash: z.string().nullable(),
    seed: z.string().nullable(),
    drawnAt: z.string().nullable(),
    sampled: z.array(z.object({ sellerIndex: z.number().int(), farmer: z.string() })).openapi({
      description:
        "The drawn farms, recomputed from `seed` with sdk/variety.ts over the frame (the county's farms in the order of their first SaleSubmitted). Empty before the draw.",
    }),
  })
  .openapi("VarietyCounty");

export const VarietyResultSchema = z
  .object({
    programId: z.number().int(),
    farmer: z.string(),
    region: z.number().int(),
    sellerIndex: z.number().int(),
    offTypePermille: z.number().int(),
    certificateHash: z.string(),
    inspector: z.string(),
    excluded: z.boolean(),
    recordedAt: z.string().nullable(),
  })
  .openapi("VarietyResult");

export const ExclusionSchema = z
  .object({
    farmer: z.string(),
    fromYear: z.number().int(),
    toYear: z.number().int(),
    programId: z.number().int(),
    offTypePermille: z.number().int(),
    reason: z.string().openapi({
      description: "Why, in plain words (the share found against the 200 ‰ limit)",
    }),
    recordedAt: z.string().nullable(),
  })
  .openapi("Exclusion");

const listCounties = createRoute({
  method: "get",
  path: "/api/v1/variety/counties",
  tags: ["rice"],
  summary: "Each 시군's designated varieties and variety-test draw, with the drawn farms",
  request: {
    query: z.object({ program: ProgramIdParam.optional(), region: RegionParam.optional() }),
  },
  responses: {
    ...json(z.object({ items: z.array(VarietyCountySchema) }), "County draws"),
    ...errorResponses,
  },
});

const listResults = createRoute({
  method: "get",
  path: "/api/v1/variety/results",
  tags: ["rice"],
  summary: "Variety-test results of drawn farms",
  request: {
    query: z.object({
      program: ProgramIdParam.optional(),
      region: RegionParam.optional(),
      farmer: AddressParam.optional(),
    }),
  },
  responses: {
    ...json(z.object({ items: z.array(VarietyResultSchema) }), "Results"),
    ...errorResponses,
  },
});

const listExclusions = createRoute({
  method: "get",
  path: "/api/v1/exclusions",
  tags: ["rice"],
  summary: "Farms excluded by a variety test (no allocation, no sale in fromYear…toYear)",
  request: { query: z.object({ farmer: AddressParam.optional() }) },
  responses: {
    ...json(z.object({ items: z.array(ExclusionSchema) }), "Exclusions"),
    ...errorResponses,
  },
});

export const resultJson = (r: Row): z.infer<typeof VarietyResultSchema> => ({
  programId: Number(r.program_id),
  farmer: String(r.farmer),
  region: Number(r.region),
  sellerIndex: Number(r.seller_index),
  offTypePermille: Number(r.off_type_permille),
  certificateHash: String(r.certificate_hash),
  inspector: String(r.inspector),
  excluded: r.excluded === true,
  recordedAt: iso(r.block_time as number | null),
});

export const exclusionJson = (r: Row): z.infer<typeof ExclusionSchema> => ({
  farmer: String(r.farmer),
  fromYear: Number(r.from_year),
  toYear: Number(r.to_year),
  programId: Number(r.program_id),
  offTypePermille: Number(r.off_type_permille),
  reason: `variety test of programme ${Number(r.program_id)}: ${Number(r.off_type_permille) / 10}% of a non-designated variety, above the ${EXCLUSION_THRESHOLD_PERMILLE / 10}% limit`,
  recordedAt: iso(r.block_time as number | null),
});

/** The drawn farms of a county: the SDK's draw over the frame of its sale rows. */
async function sampledOf(db: AppDeps["db"], r: Row) {
  if (r.seed === null || r.seed === undefined || r.sellers === null) return [];
  const frame = await db.query<{ farmer: string }>(
    `select farmer from sales where program_id = $1 and region = $2
     group by farmer order by min(submitted_pos)`,
    [r.program_id, r.region],
  );
  return drawSample(r.seed as Hex, Number(r.sellers)).map((sellerIndex) => ({
    sellerIndex,
    farmer: frame[sellerIndex - 1]?.farmer ?? "",
  }));
}

export const varietyRoutes = {
  name: "variety",
  register(app: App, deps: AppDeps) {
    const { db } = deps;

    app.openapi(listCounties, async (c) => {
      const q = c.req.valid("query");
      const w = where();
      if (q.program !== undefined) w.add("program_id = ?", q.program);
      if (q.region !== undefined) w.add("region = ?", q.region);
      const rows = await db.query(
        `select * from variety_counties ${w.sql()} order by program_id desc, region limit 500`,
        w.params,
      );
      const items = [];
      for (const r of rows) {
        items.push({
          programId: Number(r.program_id),
          region: Number(r.region),
          varieties: [Number(r.variety_a), Number(r.variety_b)].filter((v) => v !== 0),
          commitment: s(r.commitment),
          secret: s(r.secret),
          sellers: n(r.sellers),
          sampleSize: n(r.sample_size),
          anchorBlock: n(r.anchor_block),
          anchorHash: s(r.anchor_hash),
          seed: s(r.seed),
          drawnAt: iso(r.drawn_time as number | null),
          sampled: await sampledOf(db, r),
        });
      }
      return c.json({ items }, 200);
    });

    app.openapi(listResults, async (c) => {
      const q = c.req.valid("query");
      const w = where();
      if (q.program !== undefined) w.add("program_id = ?", q.program);
      if (q.region !== undefined) w.add("region = ?", q.region);
      if (q.farmer !== undefined) w.add("farmer = ?", q.farmer);
      const rows = await db.query(
        `select * from variety_results ${w.sql()} order by pos desc limit 1000`,
        w.params,
      );
      return c.json({ items: rows.map(resultJson) }, 200);
    });

    app.openapi(listExclusions, async (c) => {
      const q = c.req.valid("query");
      const w = where();
      if (q.farmer !== undefined) w.add("farmer = ?", q.farmer);
      const rows = await db.query(
        `select * from exclusions ${w.sql()} order by pos desc limit 1000`,
        w.params,
      );
      return c.json({ items: rows.map(exclusionJson) }, 200);
    });
  },
};
