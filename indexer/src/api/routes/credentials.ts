/** Credentials and trusted issuers of the CredentialRegistry. */
import { createRoute, z } from "@hono/zod-openapi";
import { RoleNames } from "../../domain.ts";
import { ApiError } from "../../internal/errors.ts";
import {
  AddressParam,
  decodeCursor,
  EventSchema,
  errorResponses,
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
  RecordProvenanceSchema,
  RegionParam,
  Uint256Param,
  where,
} from "../common.ts";
import type { App, AppDeps } from "../deps.ts";
import { historyOf } from "../events.ts";

const RoleParam = z.enum(RoleNames as unknown as [string, ...string[]]);
const STATUSES = ["valid", "revoked", "expired", "superseded"] as const;

export const CredentialSchema = z
  .object({
    id: z.string(),
    subject: z.string(),
    passkeyAccount: passkeyAccountField("the subject (the credential's holder)"),
    role: z.string(),
    region: z.number().int(),
    serial: z.string(),
    issuer: z.string(),
    claimsHash: z.string(),
    issuedAt: z.string(),
    expiresAt: z.string(),
    status: z.enum(STATUSES),
    revoked: z.boolean(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
    revokeReasonHash: z.string().nullable(),
    householdTag: z.string().nullable().openapi({
      description:
        "The credential's household (세대) tag, set by its issuer at issuance (16 bytes, hex): the hash of a secret the county keeps, equal for the credentials of one household and revealing nothing else. Null: issued without one (a Farmer, Inspector or Official credential without a tag cannot act in the rice purchase).",
      example: "0x5f0c6a3e9b8d4c2177e1a0b2c3d4e5f6",
    }),
    successorId: z.string().nullable().openapi({
      description:
        "The credential the issuer named to continue this one's work after its key was lost (CredentialRegistry.nameSuccessor); null when none",
    }),
    successor: z.string().nullable().openapi({
      description: "The address holding `successorId`: it completes the old sales of this address",
    }),
    txHash: z.string(),
    blockNumber: z.number().int(),
    provenance: RecordProvenanceSchema,
  })
  .openapi("Credential");

type Row = Record<string, unknown>;

/** Status at `now`: a later serial for the same subject, role and region supersedes a credential. */
const CREDENTIAL_PROV = provenanceSql("c", "issued_pos", "updated_pos");
export const CREDENTIAL_SELECT = `select c.*, ${CREDENTIAL_PROV.columns}, exists (select 1 from credentials n where n.subject = c.subject and n.role = c.role
  and n.region = c.region and n.serial > c.serial) as superseded,
  (select s.subject from credentials s where s.id = c.successor_id) as successor,
  ${passkeyAccountSql("c.subject")} as subject_passkey
  from credentials c ${CREDENTIAL_PROV.joins}`;

/** A zero tag (issued without a household) reads as none. */
const NO_TAG = /^0x0*$/;
const householdTagOf = (v: unknown) =>
  typeof v === "string" && v !== "" && !NO_TAG.test(v) ? v : null;

/** A household tag as a query parameter: 16 bytes, hex. */
const HouseholdParam = z
  .string()
  .regex(/^0x[0-9a-fA-F]{32}$/, "a household tag is 0x and 32 hex digits")
  .transform((v) => v.toLowerCase())
  .openapi({
    description: "Household tag (16 bytes, hex)",
    example: "0x5f0c6a3e9b8d4c2177e1a0b2c3d4e5f6",
  });

export const credentialJson = (
  r: Row,
  now = Math.floor(Date.now() / 1000),
): z.infer<typeof CredentialSchema> => ({
  id: String(r.id),
  subject: String(r.subject),
  passkeyAccount: r.subject_passkey === true,
  role: RoleNames[Number(r.role)] ?? String(r.role),
  region: Number(r.region),
  serial: String(r.serial),
  issuer: String(r.issuer),
  claimsHash: String(r.claims_hash),
  issuedAt: isoRequired(Number(r.issued_at)),
  expiresAt: isoRequired(Number(r.expires_at)),
  status:
    r.revoked === true
      ? "revoked"
      : r.superseded === true
        ? "superseded"
        : Number(r.expires_at) <= now
          ? "expired"
          : "valid",
  revoked: r.revoked === true,
  revokedAt: iso(r.revoked_at as number | null),
  revokedBy: (r.revoked_by as string | null) ?? null,
  revokeReasonHash: (r.revoke_reason_hash as string | null) ?? null,
  householdTag: householdTagOf(r.household_tag),
  successorId: (r.successor_id as string | null) ?? null,
  successor: (r.successor as string | null) ?? null,
  txHash: String(r.issued_tx),
  blockNumber: Number(r.issued_block),
  provenance: provenanceOf(r),
});

/** The credential list's filters (the list and its CSV export). */
export const CredentialsFilterQuery = z.object({
  subject: AddressParam.optional(),
  issuer: AddressParam.optional(),
  role: RoleParam.optional(),
  region: RegionParam.optional(),
  status: z.enum(STATUSES).optional(),
  household: HouseholdParam.optional().openapi({
    description: "Only the credentials carrying this household tag",
  }),
});

/** The filters as SQL over `CREDENTIAL_SELECT`; the status depends on `now`. */
export function credentialsWhere(q: z.infer<typeof CredentialsFilterQuery>, now: number) {
  const w = where();
  if (q.subject !== undefined) w.add("c.subject = ?", q.subject);
  if (q.issuer !== undefined) w.add("c.issuer = ?", q.issuer);
  if (q.role !== undefined) w.add("c.role = ?", RoleNames.indexOf(q.role as never));
  if (q.region !== undefined) w.add("c.region = ?", q.region);
  if (q.household !== undefined) w.add("lower(c.household_tag) = ?", q.household);
  const newer =
    "exists (select 1 from credentials n where n.subject = c.subject and n.role = c.role and n.region = c.region and n.serial > c.serial)";
  if (q.status === "revoked") w.add("c.revoked");
  if (q.status === "superseded") w.add(`not c.revoked and ${newer}`);
  if (q.status === "expired") w.add(`not c.revoked and not ${newer} and c.expires_at <= ?`, now);
  if (q.status === "valid") w.add(`not c.revoked and not ${newer} and c.expires_at > ?`, now);
  return w;
}

const listCredentials = createRoute({
  method: "get",
  path: "/api/v1/credentials",
  tags: ["credentials"],
  summary: "Credentials, newest first",
  request: {
    query: CredentialsFilterQuery.extend({ ...PageQuery }),
  },
  responses: {
    200: {
      description: "A page",
      content: { "application/json": { schema: pageSchema(CredentialSchema) } },
    },
    ...errorResponses,
  },
});

const getCredential = createRoute({
  method: "get",
  path: "/api/v1/credentials/{id}",
  tags: ["credentials"],
  summary: "A credential with its history",
  request: { params: z.object({ id: Uint256Param }) },
  responses: {
    200: {
      description: "The credential",
      content: {
        "application/json": { schema: CredentialSchema.extend({ history: z.array(EventSchema) }) },
      },
    },
    ...errorResponses,
    ...notFoundResponse,
  },
});

export const IssuerSchema = z
  .object({
    issuer: z.string(),
    role: z.string(),
    region: z.number().int(),
    allowed: z.boolean(),
    admin: z.string().nullable(),
    provenance: RecordProvenanceSchema,
  })
  .openapi("Issuer");

const ISSUER_PROV = provenanceSql("i", "created_pos", "updated_pos");

const listIssuers = createRoute({
  method: "get",
  path: "/api/v1/issuers",
  tags: ["credentials"],
  summary: "Trusted issuers by role and region",
  request: {
    query: z.object({
      issuer: AddressParam.optional(),
      role: RoleParam.optional(),
      region: RegionParam.optional(),
      allowed: z.enum(["true", "false"]).optional(),
    }),
  },
  responses: {
    200: {
      description: "Issuers",
      content: { "application/json": { schema: z.object({ items: z.array(IssuerSchema) }) } },
    },
    ...errorResponses,
  },
});

export const credentialRoutes = {
  name: "credentials",
  register(app: App, { db }: AppDeps) {
    app.openapi(listCredentials, async (c) => {
      const q = c.req.valid("query");
      const limit = q.limit ?? 50;
      const now = Math.floor(Date.now() / 1000);
      const w = credentialsWhere(q, now);
      const before = decodeCursor(q.cursor);
      if (before !== undefined) w.add("c.issued_pos < ?", before);
      const rows = await db.query(
        `${CREDENTIAL_SELECT} ${w.sql()} order by c.issued_pos desc limit ${w.param(limit + 1)}`,
        w.params,
      );
      return c.json(
        page(
          rows,
          limit,
          (r) => Number(r.issued_pos),
          (r) => credentialJson(r, now),
        ),
        200,
      );
    });

    app.openapi(getCredential, async (c) => {
      const { id } = c.req.valid("param");
      const [row] = await db.query(`${CREDENTIAL_SELECT} where c.id = $1`, [id]);
      if (row === undefined) throw new ApiError(404, "not_found", `no credential ${id}`);
      return c.json(
        { ...credentialJson(row), history: await historyOf(db, [`credentials:${id}`]) },
        200,
      );
    });

    app.openapi(listIssuers, async (c) => {
      const q = c.req.valid("query");
      const w = where();
      if (q.issuer !== undefined) w.add("i.issuer = ?", q.issuer);
      if (q.role !== undefined) w.add("i.role = ?", RoleNames.indexOf(q.role as never));
      if (q.region !== undefined) w.add("i.region = ?", q.region);
      if (q.allowed !== undefined) w.add("i.allowed = ?", q.allowed === "true");
      const rows = await db.query(
        `select i.*, ${ISSUER_PROV.columns} from issuers i ${ISSUER_PROV.joins} ${w.sql()} order by i.issuer, i.role, i.region limit 1000`,
        w.params,
      );
      return c.json(
        {
          items: rows.map((r) => ({
            issuer: String(r.issuer),
            role: RoleNames[Number(r.role)] ?? String(r.role),
            region: Number(r.region),
            allowed: r.allowed === true,
            admin: (r.admin as string | null) ?? null,
            provenance: provenanceOf(r),
          })),
        },
        200,
      );
    });
  },
};
