/** Status, health, the raw event log and accounts. */
import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../internal/errors.ts";
import { eventNameKey, keyHash, txKey } from "../../store/keys.ts";
import {
  AddressParam,
  BlockParam,
  checkRanges,
  decodeCursor,
  EventSchema,
  errorResponses,
  firstPosAfterBlock,
  firstPosOfBlock,
  notFoundResponse,
  PageQuery,
  page,
  pageSchema,
  passkeyAccountField,
  passkeyAccountSql,
  where,
} from "../common.ts";
import type { App, AppDeps } from "../deps.ts";
import {
  accountKeyHash,
  EVENT_COLUMNS,
  type EventRow,
  eventJson,
  namesAccount,
} from "../events.ts";
import { CREDENTIAL_SELECT, CredentialSchema, credentialJson } from "./credentials.ts";

export const StatusSchema = z
  .object({
    chainId: z.number().int(),
    chainHead: z.number().int().nullable(),
    indexedBlock: z.number().int(),
    lagBlocks: z.number().int().nullable(),
    caughtUp: z.boolean(),
    phase: z.string(),
    store: z.enum(["pglite", "postgres"]),
    events: z.number().int(),
    reorgs: z.number().int(),
    lastError: z.string().nullable(),
    contracts: z.record(z.string(), z.string()),
    // Added for the relay (indexer/src/relay): relayer, balance, low-balance flag, queue.
    relay: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("Status");

/** The relay module's status section, when the relay runs in this service. */
const relayStatus = (deps: AppDeps) => {
  const relay = deps.modules?.find((m) => m.name === "relay")?.status?.();
  return relay === undefined ? {} : { relay: relay as Record<string, unknown> };
};

const status = createRoute({
  method: "get",
  path: "/api/v1/status",
  tags: ["system"],
  summary: "Chain head, indexed block, lag and store kind",
  responses: {
    200: { description: "Status", content: { "application/json": { schema: StatusSchema } } },
  },
});

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["system"],
  summary: "Liveness: the store answers and the sync has not stopped",
  responses: {
    200: {
      description: "Healthy",
      content: { "application/json": { schema: z.object({ ok: z.literal(true) }) } },
    },
    503: {
      description: "Unhealthy",
      content: {
        "application/json": { schema: z.object({ ok: z.literal(false), reason: z.string() }) },
      },
    },
  },
});

const listEvents = createRoute({
  method: "get",
  path: "/api/v1/events",
  tags: ["events"],
  summary: "The raw event log, newest first",
  request: {
    query: z.object({
      contract: z
        .enum(["CredentialRegistry", "RicePurchase", "TenderBoard", "JangbuForwarder"])
        .optional(),
      event: z
        .string()
        .regex(/^[A-Z][A-Za-z0-9]{0,63}$/, "must be an event name such as SaleSubmitted")
        .optional(),
      account: AddressParam.optional().openapi({
        description: "Events naming or signed by this account",
      }),
      signer: AddressParam.optional(),
      tx: z
        .string()
        .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte 0x-hex transaction hash")
        .transform((v) => v.toLowerCase())
        .optional(),
      fromBlock: BlockParam.optional(),
      toBlock: BlockParam.optional(),
      ...PageQuery,
    }),
  },
  responses: {
    200: {
      description: "A page",
      content: { "application/json": { schema: pageSchema(EventSchema) } },
    },
    ...errorResponses,
  },
});

const getEvent = createRoute({
  method: "get",
  path: "/api/v1/events/{id}",
  tags: ["events"],
  summary: "One event by its position id",
  request: {
    params: z.object({ id: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
  },
  responses: {
    200: { description: "The event", content: { "application/json": { schema: EventSchema } } },
    ...errorResponses,
    ...notFoundResponse,
  },
});

const getAccount = createRoute({
  method: "get",
  path: "/api/v1/accounts/{address}",
  tags: ["accounts"],
  summary: "An account's credentials and its activity (events naming or signed by it)",
  request: {
    params: z.object({ address: AddressParam }),
    query: z.object({ ...PageQuery }),
  },
  responses: {
    200: {
      description: "The account",
      content: {
        "application/json": {
          schema: z.object({
            address: z.string(),
            passkeyAccount: passkeyAccountField("the account"),
            credentials: z.array(CredentialSchema),
            counts: z.object({
              sales: z.number().int(),
              payments: z.number().int(),
              bids: z.number().int(),
              tendersWon: z.number().int(),
            }),
            activity: pageSchema(EventSchema),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

export const systemRoutes = {
  name: "system",
  register(app: App, deps: AppDeps) {
    const { db } = deps;
    let eventCount = { at: 0, value: 0 };

    app.openapi(status, async (c) => {
      const sync = deps.syncStatus?.();
      const [state] = await db.query<{ block_number: number }>(
        "select block_number from sync_state where id = 1",
      );
      if (Date.now() - eventCount.at > 1_000) {
        const [row] = await db.query<{ n: number }>("select count(*)::int8 as n from events");
        eventCount = { at: Date.now(), value: Number(row?.n ?? 0) };
      }
      const indexed = state?.block_number ?? -1;
      const head = sync?.head ?? null;
      return c.json(
        {
          chainId: deps.chainId,
          chainHead: head,
          indexedBlock: indexed,
          lagBlocks: head === null ? null : Math.max(0, head - indexed),
          caughtUp: sync?.caughtUp ?? false,
          phase: sync?.phase ?? "read-only",
          store: deps.storeKind,
          events: eventCount.value,
          reorgs: sync?.reorgs ?? 0,
          lastError: sync?.lastError ?? null,
          contracts: Object.fromEntries(
            Object.entries(deps.addresses).map(([k, v]) => [k, String(v)]),
          ),
          ...relayStatus(deps),
        },
        200,
      );
    });

    app.openapi(health, async (c) => {
      try {
        await db.query("select 1");
      } catch {
        return c.json({ ok: false as const, reason: "store unavailable" }, 503);
      }
      if (deps.syncStatus?.().phase === "failed")
        return c.json({ ok: false as const, reason: "sync stopped" }, 503);
      return c.json({ ok: true as const }, 200);
    });

    app.openapi(listEvents, async (c) => {
      const q = c.req.valid("query");
      checkRanges(q);
      const limit = q.limit ?? 50;
      const w = where();
      if (q.contract !== undefined) w.add("contract = ?", q.contract);
      // Event name, account, signer and transaction are found through the keys' GIN index (one
      // containment of all the keys asked for); the columns are compared too, since keys are
      // hashes.
      const keys: number[] = [];
      if (q.event !== undefined) {
        w.add("event = ?", q.event);
        keys.push(keyHash(eventNameKey(q.event)));
      }
      if (q.account !== undefined) keys.push(...accountKeyHash(q.account));
      if (q.signer !== undefined) {
        w.add("signer = ?", q.signer);
        keys.push(...accountKeyHash(q.signer));
      }
      if (q.tx !== undefined) {
        w.add("tx_hash = ?", q.tx);
        keys.push(keyHash(txKey(q.tx)));
      }
      if (keys.length > 0) w.add("keys @> ?::int8[]", keys);
      // Block ranges as position ranges: the primary key serves them.
      if (q.fromBlock !== undefined) w.add("pos >= ?::int8", firstPosOfBlock(q.fromBlock));
      if (q.toBlock !== undefined) w.add("pos < ?::int8", firstPosAfterBlock(q.toBlock));
      const before = decodeCursor(q.cursor);
      if (before !== undefined) w.add("pos < ?", before);
      const rows = await db.query<EventRow>(
        `select ${EVENT_COLUMNS} from events ${w.sql()} order by pos desc limit ${w.param(limit + 1)}`,
        w.params,
      );
      const keep = q.account !== undefined ? namesAccount(q.account) : undefined;
      return c.json(
        page(rows, limit, (r) => r.pos, eventJson, keep),
        200,
      );
    });

    app.openapi(getEvent, async (c) => {
      const { id } = c.req.valid("param");
      const [row] = await db.query<EventRow>(`select ${EVENT_COLUMNS} from events where pos = $1`, [
        id,
      ]);
      if (row === undefined) throw new ApiError(404, "not_found", `no event ${id}`);
      return c.json(eventJson(row), 200);
    });

    app.openapi(getAccount, async (c) => {
      const { address } = c.req.valid("param");
      const q = c.req.valid("query");
      const limit = q.limit ?? 50;
      const before = decodeCursor(q.cursor);
      const [credentials, counts, activity] = await Promise.all([
        db.query(`${CREDENTIAL_SELECT} where c.subject = $1 order by c.issued_pos desc`, [address]),
        db.query<{ sales: number; payments: number; bids: number; won: number; passkey: boolean }>(
          `select (select count(*) from sales where farmer = $1)::int8 as sales,
             (select count(*) from payments where farmer = $1)::int8 as payments,
             (select count(*) from bids where bidder = $1)::int8 as bids,
             (select count(*) from tenders where winner = $1)::int8 as won,
             ${passkeyAccountSql("$1")} as passkey`,
          [address],
        ),
        db.query<EventRow>(
          `select ${EVENT_COLUMNS} from events where keys @> $1::int8[] ${before !== undefined ? "and pos < $3" : ""}
           order by pos desc limit $2`,
          before !== undefined
            ? [accountKeyHash(address), limit + 1, before]
            : [accountKeyHash(address), limit + 1],
        ),
      ]);
      const n = counts[0];
      return c.json(
        {
          address,
          passkeyAccount: n?.passkey === true,
          credentials: credentials.map((r) => credentialJson(r)),
          counts: {
            sales: Number(n?.sales ?? 0),
            payments: Number(n?.payments ?? 0),
            bids: Number(n?.bids ?? 0),
            tendersWon: Number(n?.won ?? 0),
          },
          activity: page(activity, limit, (r) => r.pos, eventJson, namesAccount(address)),
        },
        200,
      );
    });
  },
};
