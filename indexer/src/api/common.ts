/**
 * Shared pieces of the API: the error and pagination schemas, parameter schemas (addresses,
 * uint256 ids, block and date ranges), cursors and the provenance of a record.
 */
import { z } from "@hono/zod-openapi";
import { getAddress, isAddress } from "viem";
import { isReference } from "../../../sdk/references.ts";
import { ApiError } from "../internal/errors.ts";
import { LOG_INDEX_BITS } from "../sync/decode.ts";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_parameter" }),
      message: z.string().openapi({ example: "region: must be a 5-digit region code" }),
    }),
  })
  .openapi("Error");

export const errorResponses = {
  400: {
    description: "Invalid parameter",
    content: { "application/json": { schema: ErrorSchema } },
  },
  422: {
    description: "Parameters that contradict each other",
    content: { "application/json": { schema: ErrorSchema } },
  },
} as const;
export const notFoundResponse = {
  404: { description: "No such record", content: { "application/json": { schema: ErrorSchema } } },
} as const;

export const AddressParam = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be a 0x-prefixed 20-byte hex address")
  .transform((v) => getAddress(v))
  .openapi({
    example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    pattern: "^0x[0-9a-fA-F]{40}$",
    maxLength: 42,
  });

const UINT256_MAX = (1n << 256n) - 1n;
/** A uint256 id, decimal or 0x-hex, answered as its decimal string. */
export const Uint256Param = z
  .string()
  .refine(
    (v) => /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(v) && BigInt(v) <= UINT256_MAX,
    "must be a decimal or 0x-hex uint256",
  )
  .transform((v) => BigInt(v).toString())
  .openapi({
    example: "1",
    description: "A uint256, decimal or 0x-hex (at most 2^256 − 1)",
    pattern: "^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$",
    maxLength: 78,
  });

/**
 * A sale's or tender's id as {@link Uint256Param} accepts it, or its short reference
 * (sdk/references.ts: `2026-46810-000123`, `2026-46810-T000042`), answered as written (trimmed).
 */
export const IdOrReferenceParam = z
  .string()
  .max(78)
  .refine(
    (v) =>
      isReference(v) || (/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(v) && BigInt(v) <= UINT256_MAX),
    "must be a decimal or 0x-hex uint256, or a reference such as 2026-46810-000123",
  )
  .transform((v) => (isReference(v) ? v.trim() : BigInt(v).toString()))
  .openapi({
    example: "2026-46810-000123",
    description:
      "A uint256 id (decimal or 0x-hex) or the record's short reference (year-region-sequence; tenders: year-region-T id)",
    maxLength: 78,
  });

export const RegionParam = z.coerce.number().int().min(0).max(99_999).openapi({
  description: "5-digit 시군구 code (46810 = 강진군), a 시도 code (46000) or 0 for national",
  example: 46810,
});

export const BlockParam = z.coerce
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ example: 1 });

/** A programme id (`uint32` on chain; the store keeps it as `int8`). */
export const ProgramIdParam = z.coerce.number().int().min(1).max(4_294_967_295).openapi({
  description: "Programme id (1 … 4,294,967,295)",
  example: 1,
});

/** C0 controls and DEL: never part of a search text, and PostgreSQL refuses NUL in text. */
const hasControlCharacter = (text: string) => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};
/** A query text of 1 … `max` characters without control characters. */
export const TextParam = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !hasControlCharacter(v), "must not contain control characters")
    .openapi({ pattern: "^[^\\u0000-\\u001f\\u007f]*$" });

/** Whether a raw query string carries a control character (percent-encoded). */
export const hasEncodedControl = (search: string) => /%(?:[01][0-9a-f]|7f)/i.test(search);

/**
 * The bounds of a block range in event positions (`block * 2^20 + logIndex`, sync/decode.ts).
 * Computed in bigint: a block near 2^53 scaled by 2^20 is beyond JavaScript's exact integers and
 * beyond `int8`, so a bound past the largest `int8` is clamped to it (no stored position reaches
 * it). Given to SQL as decimal text, compared with an `int8` column.
 */
const INT8_MAX = (1n << 63n) - 1n;
export const firstPosOfBlock = (block: number): string => {
  const pos = BigInt(block) * BigInt(LOG_INDEX_BITS);
  return (pos > INT8_MAX ? INT8_MAX : pos).toString();
};
/** The first position after `block` (`pos < afterBlock(block)` keeps blocks ≤ block). */
export const firstPosAfterBlock = (block: number): string => firstPosOfBlock(block + 1);

/** An ISO-8601 date or date-time; a bare date means midnight UTC. */
export const DateParam = z
  .string()
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
    {
      message: "must be an ISO-8601 date or date-time",
    },
  )
  .transform((v) => Math.floor(Date.parse(v) / 1000))
  .openapi({ type: "string", example: "2026-10-05" });

export const LimitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(500)
  .default(50)
  .openapi({ example: 50 });

export const CursorParam = z
  .string()
  .max(64)
  .openapi({ description: "`nextCursor` of the previous page" });

export const PageQuery = {
  limit: LimitParam.optional(),
  cursor: CursorParam.optional(),
};

export const RangeQuery = {
  fromBlock: BlockParam.optional().openapi({ description: "Only records at or after this block" }),
  toBlock: BlockParam.optional().openapi({ description: "Only records at or before this block" }),
  from: DateParam.optional().openapi({ description: "Only records at or after this time" }),
  to: DateParam.optional().openapi({ description: "Only records before this time" }),
};

export const encodeCursor = (pos: number) => Buffer.from(`p${pos}`).toString("base64url");

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString() : "";
  const m = /^p(\d{1,16})$/.exec(text);
  if (m === null) throw new ApiError(400, "invalid_cursor", "cursor: not a cursor this API issued");
  return Number(m[1]);
}

export function checkRanges(q: {
  fromBlock?: number;
  toBlock?: number;
  from?: number;
  to?: number;
}) {
  if (q.fromBlock !== undefined && q.toBlock !== undefined && q.fromBlock > q.toBlock) {
    throw new ApiError(422, "invalid_range", "fromBlock is after toBlock");
  }
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw new ApiError(422, "invalid_range", "from is after to");
  }
}

/**
 * SQL: whether the address in `column` is a passkey account, i.e. PasskeyAccountFactory deployed
 * it (the indexed PasskeyAccountCreated). Such an account acts only through a passkey assertion
 * (`PasskeyAccount.execute`): it has no private key to sign anything else with.
 */
export const passkeyAccountSql = (column: string) =>
  `exists (select 1 from passkey_accounts pk where pk.address = ${column})`;

/** The `passkeyAccount` field of a record whose `who` signs it. */
export const passkeyAccountField = (who: string) =>
  z.boolean().openapi({
    description: `True when ${who} is a passkey account (deployed by PasskeyAccountFactory, indexed from its PasskeyAccountCreated): whatever it signs, it signs with a passkey alone. An account's address is known before its first act deploys it, so a credential issued to it reads false until then. The portal's record page checks the account code on the chain itself.`,
  });

export const ProvenanceSchema = z
  .object({
    txHash: z.string(),
    blockNumber: z.number().int(),
    blockTime: z.string().openapi({ description: "ISO-8601, UTC" }),
    logIndex: z.number().int(),
    signer: z.string().nullable(),
  })
  .openapi("Provenance");

export const EventSchema = z
  .object({
    id: z.string().openapi({ description: "Position in the log (SSE event id)" }),
    contract: z.string(),
    address: z.string(),
    event: z.string(),
    args: z.record(z.string(), z.unknown()),
    txHash: z.string(),
    txIndex: z.number().int(),
    blockNumber: z.number().int(),
    blockHash: z.string(),
    blockTime: z.string(),
    logIndex: z.number().int(),
    signer: z.string().nullable(),
  })
  .openapi("Event");
export type EventJson = z.infer<typeof EventSchema>;

export const iso = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? null : new Date(seconds * 1000).toISOString();

export const isoRequired = (seconds: number) => new Date(seconds * 1000).toISOString();

/** SQL `where` builder with numbered parameters. */
export function where() {
  const clauses: string[] = [];
  const params: unknown[] = [];
  return {
    params,
    add(clause: string, ...values: unknown[]) {
      let text = clause;
      for (const value of values) {
        params.push(value);
        text = text.replace("?", `$${params.length}`);
      }
      clauses.push(text);
    },
    param(value: unknown) {
      params.push(value);
      return `$${params.length}`;
    },
    sql: () => (clauses.length > 0 ? `where ${clauses.join(" and ")}` : ""),
  };
}

/** `{ items, nextCursor }` from a `limit + 1` query ordered by `pos` descending. */
export function page<R, T>(
  rows: R[],
  limit: number,
  pos: (row: R) => number,
  map: (row: R) => T,
  /** Rows to leave out of the items (the cursor still follows every row the query returned). */
  keep: (row: R) => boolean = () => true,
) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.filter(keep).map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(pos(last)) : null,
  };
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Select list and joins giving a row its creation and last-update provenance. */
export const provenanceSql = (alias: string, createdPos: string, updatedPos: string) => ({
  columns:
    "pc.tx_hash as pc_tx, pc.block_number as pc_block, pc.block_time as pc_time, pc.log_index as pc_log, pc.signer as pc_signer, " +
    "pu.tx_hash as pu_tx, pu.block_number as pu_block, pu.block_time as pu_time, pu.log_index as pu_log, pu.signer as pu_signer",
  joins: `left join events pc on pc.pos = ${alias}.${createdPos} left join events pu on pu.pos = ${alias}.${updatedPos}`,
});

type ProvRow = Record<string, unknown>;
const prov = (r: ProvRow, p: "pc" | "pu") =>
  r[`${p}_tx`] === null || r[`${p}_tx`] === undefined
    ? null
    : {
        txHash: String(r[`${p}_tx`]),
        blockNumber: Number(r[`${p}_block`]),
        blockTime: isoRequired(Number(r[`${p}_time`])),
        logIndex: Number(r[`${p}_log`]),
        signer: (r[`${p}_signer`] as string | null) ?? null,
      };

export const RecordProvenanceSchema = z
  .object({ created: ProvenanceSchema.nullable(), updated: ProvenanceSchema.nullable() })
  .openapi("RecordProvenance");

export const provenanceOf = (r: ProvRow) => ({ created: prov(r, "pc"), updated: prov(r, "pu") });
