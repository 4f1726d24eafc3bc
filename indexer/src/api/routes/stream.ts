/**
 * `GET /api/v1/stream`: server-sent events of new records (raw events with provenance), each with
 * its position as the SSE id, so a client reconnecting with `Last-Event-ID` resumes exactly after
 * what it saw. Reads the store (so replicas serve it too), woken by the sync's notices; a reorg is
 * announced as `event: reorg` before the replacement records.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { ApiError } from "../../internal/errors.ts";
import { LOG_INDEX_BITS } from "../../sync/decode.ts";
import { errorResponses } from "../common.ts";
import type { App, AppDeps } from "../deps.ts";
import { EVENT_COLUMNS, type EventRow, eventJson } from "../events.ts";

const stream = createRoute({
  method: "get",
  path: "/api/v1/stream",
  tags: ["events"],
  summary: "Server-sent events of new records; resume with the Last-Event-ID header",
  request: {
    query: z.object({
      contract: z
        .enum(["CredentialRegistry", "RicePurchase", "TenderBoard", "JangbuForwarder"])
        .optional(),
      event: z
        .string()
        .regex(/^[A-Z][A-Za-z0-9]{0,63}$/)
        .optional(),
      lastEventId: z
        .string()
        .regex(/^\d{1,16}$/)
        .optional()
        .openapi({
          description: "Same as the Last-Event-ID header (for clients that cannot set it)",
        }),
    }),
    headers: z.object({ "last-event-id": z.string().optional() }),
  },
  responses: {
    200: {
      description: "`event: record` with an Event as data; `event: reorg` with `{ ancestorBlock }`",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses,
  },
});

export const streamRoutes = {
  name: "stream",
  register(app: App, deps: AppDeps) {
    const { db } = deps;
    app.openapi(stream, async (c) => {
      const q = c.req.valid("query");
      const header = c.req.header("last-event-id") ?? q.lastEventId;
      if (header !== undefined && !/^\d{1,16}$/.test(header)) {
        throw new ApiError(400, "invalid_parameter", "Last-Event-ID: not an id this stream sent");
      }
      let last: number;
      if (header !== undefined) last = Number(header);
      else {
        const [row] = await db.query<{ pos: number | null }>("select max(pos) as pos from events");
        last = Number(row?.pos ?? -1);
      }
      return streamSSE(c, async (sse) => {
        let wake: (() => void) | undefined;
        let reorgTo: number | undefined;
        const unsubscribe = deps.notifier?.subscribe((notice) => {
          if (notice.type === "reorg")
            reorgTo = Math.min(reorgTo ?? Number.POSITIVE_INFINITY, notice.ancestor);
          wake?.();
        });
        let open = true;
        let idle = 0;
        sse.onAbort(() => {
          open = false;
          wake?.();
        });
        try {
          while (open) {
            if (reorgTo !== undefined) {
              const ancestorEnd = (reorgTo + 1) * LOG_INDEX_BITS - 1;
              await sse.writeSSE({
                event: "reorg",
                data: JSON.stringify({ ancestorBlock: reorgTo }),
              });
              last = Math.min(last, ancestorEnd);
              reorgTo = undefined;
            }
            const params: unknown[] = [last];
            let filter = "";
            if (q.contract !== undefined) {
              params.push(q.contract);
              filter += ` and contract = $${params.length}`;
            }
            if (q.event !== undefined) {
              params.push(q.event);
              filter += ` and event = $${params.length}`;
            }
            const rows = await db.query<EventRow>(
              `select ${EVENT_COLUMNS} from events where pos > $1${filter} order by pos limit 500`,
              params,
            );
            idle = rows.length > 0 ? 0 : idle + 1;
            for (const row of rows) {
              await sse.writeSSE({
                id: String(row.pos),
                event: "record",
                data: JSON.stringify(eventJson(row)),
              });
              last = row.pos;
            }
            if (rows.length === 500) continue;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(done, 1_000);
              function done() {
                clearTimeout(timer);
                wake = undefined;
                resolve();
              }
              wake = done;
            });
            if (open && idle > 0 && idle % 15 === 0) await sse.write(": keep-alive\n\n");
          }
        } finally {
          unsubscribe?.();
        }
      });
    });
  },
};
