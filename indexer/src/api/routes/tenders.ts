/** Goods tenders of the TenderBoard: terms, amendments, bids, the reserve draw and the award. */
import { createRoute, z } from "@hono/zod-openapi";
import { parseReference, seoulYear, tenderReference } from "../../../../sdk/references.ts";
import { BidStatusNames, ReleaseReasonNames, RoleNames, TenderStateNames } from "../../domain.ts";
import { ApiError } from "../../internal/errors.ts";
import {
  AddressParam,
  checkRanges,
  decodeCursor,
  EventSchema,
  errorResponses,
  firstPosAfterBlock,
  firstPosOfBlock,
  IdOrReferenceParam,
  iso,
  isoRequired,
  notFoundResponse,
  PageQuery,
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
  where,
} from "../common.ts";
import type { App, AppDeps } from "../deps.ts";
import { historyOf } from "../events.ts";

type Row = Record<string, unknown>;
const s = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const TenderSchema = z
  .object({
    id: z.string(),
    ref: z.string().openapi({
      description:
        "Short reference: year of creation (Asia/Seoul)-region-T tender id (sdk/references.ts)",
      example: "2026-46810-T000042",
    }),
    region: z.number().int(),
    official: z.string(),
    title: z.string(),
    specHash: z.string(),
    quantity: z.string(),
    unit: z.string(),
    basePrice: z.string(),
    floorRate: z
      .number()
      .int()
      .openapi({ description: "낙찰하한율 in 1/100,000 (87.745 % = 87745)" }),
    bidDeadline: z.string(),
    revealDeadline: z.string(),
    bond: z.string(),
    seedCommitment: z.string(),
    version: z.number().int(),
    state: z.string(),
    commitCount: z.number().int(),
    revealedCount: z.number().int(),
    reserve: z.string().nullable(),
    floor: z.string().nullable(),
    winner: z.string().nullable(),
    contractAmount: z.string().nullable(),
    cancelReason: z.string().nullable(),
    bondsReleased: z.boolean().nullable(),
    deliveryDocHash: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    acceptor: z.string().nullable(),
    acceptorRole: z.string().nullable(),
    inspectionDocHash: z.string().nullable(),
    acceptedAt: z.string().nullable(),
    paidAmount: z.string().nullable(),
    transferRefHash: z.string().nullable(),
    paidAt: z.string().nullable(),
    drawBlock: z.number().int().nullable().openapi({
      description: "The block whose hash is mixed into the draw (fixed by revealSeed)",
    }),
    deliveryDeadline: z.string().nullable().openapi({
      description:
        "Set by the award: the winner delivers before it (a refused delivery may be redone before the same deadline); after it an Official may terminate",
    }),
    refusals: z.number().int().openapi({ description: "Deliveries refused so far" }),
    refusalReason: z.string().nullable().openapi({
      description: "The public reason of the last refusal (state Refused: awaiting a new delivery)",
    }),
    refusedAt: z.string().nullable().openapi({ description: "When the last delivery was refused" }),
    terminationReason: z.string().nullable().openapi({
      description:
        "Why the contract was ended early for non-delivery (state Terminated; the winner's bond forfeited)",
    }),
    terminatedAt: z.string().nullable(),
    lapsedAt: z.string().nullable().openapi({
      description: "When the tender failed for want of an award within the award period",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    provenance: RecordProvenanceSchema,
  })
  .openapi("Tender");

export const tenderJson = (r: Row): z.infer<typeof TenderSchema> => ({
  id: String(r.id),
  ref: tenderReference(Number(r.created_time), Number(r.region), String(r.id)),
  region: Number(r.region),
  official: String(r.official),
  title: String(r.title),
  specHash: String(r.spec_hash),
  quantity: String(r.quantity),
  unit: String(r.unit),
  basePrice: String(r.base_price),
  floorRate: Number(r.floor_rate),
  bidDeadline: isoRequired(Number(r.bid_deadline)),
  revealDeadline: isoRequired(Number(r.reveal_deadline)),
  bond: String(r.bond),
  seedCommitment: String(r.seed_commitment),
  version: Number(r.version),
  state: TenderStateNames[Number(r.state)] ?? String(r.state),
  commitCount: Number(r.commit_count),
  revealedCount: Number(r.revealed_count),
  reserve: s(r.reserve),
  floor: s(r.floor),
  winner: s(r.winner),
  contractAmount: s(r.contract_amount),
  cancelReason: s(r.cancel_reason),
  bondsReleased:
    r.bonds_released === null || r.bonds_released === undefined ? null : r.bonds_released === true,
  deliveryDocHash: s(r.delivery_doc_hash),
  deliveredAt: iso(r.delivered_time as number | null),
  acceptor: s(r.acceptor),
  acceptorRole:
    r.acceptor_role === null || r.acceptor_role === undefined
      ? null
      : (RoleNames[Number(r.acceptor_role)] ?? null),
  inspectionDocHash: s(r.inspection_doc_hash),
  acceptedAt: iso(r.accepted_time as number | null),
  paidAmount: s(r.paid_amount),
  transferRefHash: s(r.transfer_ref_hash),
  paidAt: iso(r.paid_time as number | null),
  drawBlock: r.draw_block === null || r.draw_block === undefined ? null : Number(r.draw_block),
  deliveryDeadline: iso(r.delivery_deadline as number | null),
  refusals: Number(r.refusals ?? 0),
  refusalReason: s(r.refusal_reason),
  refusedAt: iso(r.refused_time as number | null),
  terminationReason: s(r.termination_reason),
  terminatedAt: iso(r.terminated_time as number | null),
  lapsedAt: iso(r.lapsed_time as number | null),
  createdAt: isoRequired(Number(r.created_time)),
  updatedAt: isoRequired(Number(r.updated_time)),
  provenance: provenanceOf(r),
});

export const AmendmentSchema = z
  .object({
    version: z.number().int(),
    official: z.string(),
    title: z.string(),
    specHash: z.string(),
    quantity: z.string(),
    unit: z.string(),
    basePrice: z.string(),
    floorRate: z.number().int(),
    bidDeadline: z.string(),
    revealDeadline: z.string(),
    reason: z.string(),
    txHash: z.string(),
    blockNumber: z.number().int(),
    blockTime: z.string(),
  })
  .openapi("Amendment");

export const BidSchema = z
  .object({
    bidder: z.string(),
    passkeyAccount: passkeyAccountField("the bidder, who signed the bid and its reveal,"),
    version: z.number().int(),
    seq: z.number().int(),
    commitment: z.string(),
    bondAmount: z.string(),
    bondDocHash: z.string(),
    status: z.string(),
    releaseReason: z.string().nullable(),
    price: z.string().nullable(),
    picks: z.array(z.number().int()).nullable(),
    docHash: z.string().nullable(),
    salt: z.string().nullable(),
    committedAt: z.string(),
    revealedAt: z.string().nullable(),
    passedOver: z.boolean().openapi({
      description: "Left out of the award: the bidder's credential was no longer valid",
    }),
  })
  .openapi("Bid");

export const AwardSchema = z
  .object({
    outcome: z.enum(["drawn", "awarded", "failed"]),
    official: z.string(),
    winner: z.string().nullable(),
    price: z.string().nullable(),
    seq: z.number().int().nullable(),
    reserve: z.string(),
    floor: z.string(),
    revealedCount: z.number().int(),
    seed: z.string().nullable(),
    saltMix: z.string().nullable(),
    finalSeed: z.string().nullable(),
    drawBlock: z.number().int().nullable(),
    drawBlockHash: z.string().nullable(),
    candidates: z.array(z.string()).nullable(),
    pickCounts: z.array(z.number().int()).nullable(),
    chosen: z.array(z.number().int()).nullable(),
    txHash: z.string(),
    blockTime: z.string(),
  })
  .openapi("Award");

export const amendmentJson = (r: Row): z.infer<typeof AmendmentSchema> => ({
  version: Number(r.version),
  official: String(r.official),
  title: String(r.title),
  specHash: String(r.spec_hash),
  quantity: String(r.quantity),
  unit: String(r.unit),
  basePrice: String(r.base_price),
  floorRate: Number(r.floor_rate),
  bidDeadline: isoRequired(Number(r.bid_deadline)),
  revealDeadline: isoRequired(Number(r.reveal_deadline)),
  reason: String(r.reason),
  txHash: String(r.tx_hash),
  blockNumber: Number(r.block_number),
  blockTime: isoRequired(Number(r.block_time)),
});

export const bidJson = (r: Row): z.infer<typeof BidSchema> => ({
  bidder: String(r.bidder),
  passkeyAccount: r.bidder_passkey === true,
  version: Number(r.version),
  seq: Number(r.seq),
  commitment: String(r.commitment),
  bondAmount: String(r.bond_amount),
  bondDocHash: String(r.bond_doc_hash),
  status: BidStatusNames[Number(r.status)] ?? String(r.status),
  releaseReason:
    r.release_reason === null || r.release_reason === undefined
      ? null
      : (ReleaseReasonNames[Number(r.release_reason)] ?? String(r.release_reason)),
  price: s(r.price),
  picks: Array.isArray(r.picks) ? r.picks.map(Number) : null,
  docHash: s(r.doc_hash),
  salt: s(r.salt),
  committedAt: isoRequired(Number(r.committed_time)),
  revealedAt: iso(r.revealed_time as number | null),
  passedOver: r.passed_over === true,
});

export const awardJson = (r: Row): z.infer<typeof AwardSchema> => ({
  outcome: r.outcome as "drawn" | "awarded" | "failed",
  official: String(r.official),
  winner: s(r.winner),
  price: s(r.price),
  seq: r.seq === null || r.seq === undefined ? null : Number(r.seq),
  reserve: String(r.reserve),
  floor: String(r.floor),
  revealedCount: Number(r.revealed_count),
  seed: s(r.seed),
  saltMix: s(r.salt_mix),
  finalSeed: s(r.final_seed),
  drawBlock: r.draw_block === null || r.draw_block === undefined ? null : Number(r.draw_block),
  drawBlockHash: s(r.draw_block_hash),
  candidates: Array.isArray(r.candidates) ? r.candidates.map(String) : null,
  pickCounts: Array.isArray(r.pick_counts) ? r.pick_counts.map(Number) : null,
  chosen: Array.isArray(r.chosen) ? r.chosen.map(Number) : null,
  txHash: String(r.tx_hash),
  blockTime: isoRequired(Number(r.block_time)),
});

const TendersQuery = z.object({
  region: RegionParam.optional(),
  state: z.enum(TenderStateNames.filter((n) => n !== "None") as [string, ...string[]]).optional(),
  official: AddressParam.optional(),
  winner: AddressParam.optional(),
  bidder: AddressParam.optional(),
  q: TextParam(100).optional().openapi({ description: "Text search in tender titles" }),
  ...RangeQuery,
  ...PageQuery,
});

const listTenders = createRoute({
  method: "get",
  path: "/api/v1/tenders",
  tags: ["tenders"],
  summary: "Tenders, newest first",
  request: { query: TendersQuery },
  responses: {
    200: {
      description: "A page",
      content: { "application/json": { schema: pageSchema(TenderSchema) } },
    },
    ...errorResponses,
  },
});

const getTender = createRoute({
  method: "get",
  path: "/api/v1/tenders/{id}",
  tags: ["tenders"],
  summary: "A tender with amendments, bids, the draw and award, and its full history",
  request: { params: z.object({ id: IdOrReferenceParam }) },
  responses: {
    200: {
      description: "The tender",
      content: {
        "application/json": {
          schema: TenderSchema.extend({
            amendments: z.array(AmendmentSchema),
            bids: z.array(BidSchema),
            award: AwardSchema.nullable(),
            history: z.array(EventSchema),
          }),
        },
      },
    },
    ...errorResponses,
    ...notFoundResponse,
  },
});

const TENDER_PROV = provenanceSql("t", "created_pos", "updated_pos");

export function tendersQuery(
  q: Omit<z.infer<typeof TendersQuery>, "limit" | "cursor">,
  before: number | undefined,
  limit: number,
) {
  checkRanges(q);
  const w = where();
  if (q.region !== undefined) w.add("t.region = ?", q.region);
  if (q.state !== undefined) w.add("t.state = ?", TenderStateNames.indexOf(q.state as never));
  if (q.official !== undefined) w.add("t.official = ?", q.official);
  if (q.winner !== undefined) w.add("t.winner = ?", q.winner);
  if (q.bidder !== undefined)
    w.add("exists (select 1 from bids b where b.tender_id = t.id and b.bidder = ?)", q.bidder);
  const ref = q.q === undefined ? null : parseReference(q.q);
  if (ref?.kind === "tender") w.add("t.id = ?", ref.tenderId);
  else if (q.q !== undefined)
    w.add("t.title ilike ? escape '\\'", `%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  if (q.fromBlock !== undefined) w.add("t.created_pos >= ?::int8", firstPosOfBlock(q.fromBlock));
  if (q.toBlock !== undefined) w.add("t.created_pos < ?::int8", firstPosAfterBlock(q.toBlock));
  if (q.from !== undefined) w.add("t.created_time >= ?", q.from);
  if (q.to !== undefined) w.add("t.created_time < ?", q.to);
  if (before !== undefined) w.add("t.created_pos < ?", before);
  return {
    text: `select t.*, ${TENDER_PROV.columns} from tenders t ${TENDER_PROV.joins} ${w.sql()} order by t.created_pos desc limit ${w.param(limit)}`,
    params: w.params,
  };
}

export async function tenderDetail(db: AppDeps["db"], id: string) {
  const [row] = await db.query(
    `select t.*, ${TENDER_PROV.columns} from tenders t ${TENDER_PROV.joins} where t.id = $1`,
    [id],
  );
  if (row === undefined) return undefined;
  const amendments = await db.query("select * from amendments where tender_id = $1 order by pos", [
    id,
  ]);
  const bids = await db.query(
    `select b.*, ${passkeyAccountSql("b.bidder")} as bidder_passkey from bids b where b.tender_id = $1 order by b.seq`,
    [id],
  );
  const awards = await db.query("select * from awards where tender_id = $1", [id]);
  return { row, amendments, bids, award: awards[0] };
}

export const tenderRoutes = {
  name: "tenders",
  register(app: App, { db }: AppDeps) {
    app.openapi(listTenders, async (c) => {
      const q = c.req.valid("query");
      const limit = q.limit ?? 50;
      const { text, params } = tendersQuery(q, decodeCursor(q.cursor), limit + 1);
      const rows = await db.query(text, params);
      return c.json(
        page(rows, limit, (r) => Number(r.created_pos), tenderJson),
        200,
      );
    });

    app.openapi(getTender, async (c) => {
      const { id: given } = c.req.valid("param");
      const ref = parseReference(given);
      if (ref !== null && ref.kind !== "tender")
        throw new ApiError(404, "not_found", `${given} is a sale's reference, not a tender's`);
      const id = ref === null ? given : ref.tenderId;
      const detail = await tenderDetail(db, id);
      // A reference names its year and region too: all three must match the tender.
      const named =
        ref === null ||
        (detail !== undefined &&
          Number(detail.row.region) === ref.region &&
          seoulYear(Number(detail.row.created_time)) === ref.year);
      if (detail === undefined || !named)
        throw new ApiError(404, "not_found", `no tender ${given}`);
      // Bond events touch only their bid: the tender's history is its rows' keys together.
      const history = await historyOf(db, [
        `tenders:${id}`,
        `awards:${id}`,
        ...detail.bids.map((b) => `bids:${id}|${String(b.bidder)}|${Number(b.version)}`),
      ]);
      return c.json(
        {
          ...tenderJson(detail.row),
          amendments: detail.amendments.map(amendmentJson),
          bids: detail.bids.map(bidJson),
          award: detail.award === undefined ? null : awardJson(detail.award),
          history,
        },
        200,
      );
    });
  },
};
