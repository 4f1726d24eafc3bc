/**
 * The relay's HTTP routes (Hono, declared for the OpenAPI document):
 *   POST /relay        a signed forward request → 202 { requestId, txHash } (200 for a duplicate)
 *   GET  /relay/{id}   a request id (EIP-712 digest) or a relay transaction hash → its state
 * Every error is `{ error: { code, message, details? } }`; 429 and 503 carry `Retry-After`.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Hex } from "viem";
import type { RelayConfig } from "./config.ts";
import {
  errorBody,
  isRelayError,
  type RelayError,
  RelayRefusal,
  type RelayRefusalCode,
} from "./errors.ts";
import { PasskeyRelayBodySchema } from "./passkey.ts";
import { RelayBodySchema } from "./request.ts";

type Submit = (body: unknown) => Promise<{
  requestId: Hex;
  txHash: Hex | null;
  state: string;
  duplicate: boolean;
}>;
type Lookup = (id: Hex) => Promise<unknown>;

const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "RELAY_SIMULATION_REVERTED" }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi("RelayError");

const AcceptedSchema = z
  .object({
    requestId: z.string().openapi({ description: "the request's EIP-712 digest" }),
    txHash: z.string().nullable().openapi({
      description:
        "null when the request is held (its signer's earlier nonces have not arrived yet: answered at once) or still queued after RELAY_SEND_WAIT_MS; GET /relay/{requestId} follows it",
    }),
    state: z.enum(["held", "queued", "pending", "mined", "reverted", "failed"]),
    duplicate: z.boolean(),
  })
  .openapi("RelayAccepted");

const StatusSchema = z
  .object({
    kind: z.enum(["request", "transaction"]),
    state: z.string().openapi({
      description:
        "request: held | queued | pending | mined | reverted | failed; transaction: pending | mined | reverted | replaced | dropped",
    }),
    txHash: z.string().nullable(),
    blockNumber: z.string().nullable(),
  })
  .passthrough()
  .openapi("RelayState");

const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});

const postRoute = createRoute({
  method: "post",
  path: "/relay",
  tags: ["relay"],
  summary: "Relay a signed EIP-712 forward request",
  request: {
    body: { content: { "application/json": { schema: RelayBodySchema } }, required: true },
  },
  responses: {
    200: {
      content: { "application/json": { schema: AcceptedSchema } },
      description: "Already accepted: the same transaction",
    },
    202: {
      content: { "application/json": { schema: AcceptedSchema } },
      description:
        "Checked and sent; or held until the signer's earlier nonces arrive (state held, txHash null)",
    },
    400: errorResponse("RELAY_MALFORMED"),
    403: errorResponse("RELAY_TARGET_NOT_ALLOWED, RELAY_SELECTOR_NOT_ALLOWED, RELAY_NO_CREDENTIAL"),
    409: errorResponse("RELAY_REPLAYED, RELAY_STALE_NONCE, RELAY_NONCE_TOO_FAR"),
    413: errorResponse("RELAY_TOO_LARGE"),
    422: errorResponse(
      "RELAY_WRONG_CHAIN, RELAY_WRONG_FORWARDER, RELAY_BAD_SIGNATURE, RELAY_EXPIRED, RELAY_DEADLINE_TOO_FAR, RELAY_VALUE_NOT_ALLOWED, RELAY_GAS_OVER_CAP, RELAY_SIMULATION_REVERTED",
    ),
    429: errorResponse("RELAY_RATE_LIMITED (Retry-After)"),
    503: errorResponse("RELAY_UNAVAILABLE, RELAY_SUBMIT_FAILED, RELAY_DISABLED (Retry-After)"),
  },
});

const postPasskeyRoute = createRoute({
  method: "post",
  path: "/relay/passkey",
  tags: ["relay"],
  summary: "Relay a call signed by a passkey (WebAuthn) for a passkey account",
  request: {
    body: { content: { "application/json": { schema: PasskeyRelayBodySchema } }, required: true },
  },
  responses: {
    200: {
      content: { "application/json": { schema: AcceptedSchema } },
      description: "Already accepted: the same transaction",
    },
    202: {
      content: { "application/json": { schema: AcceptedSchema } },
      description:
        "Checked, sent and (normally) mined: state mined, or pending after RELAY_SEND_WAIT_MS",
    },
    400: errorResponse("RELAY_MALFORMED"),
    403: errorResponse("RELAY_TARGET_NOT_ALLOWED, RELAY_SELECTOR_NOT_ALLOWED, RELAY_NO_CREDENTIAL"),
    409: errorResponse("RELAY_STALE_NONCE (a replayed or stale passkey nonce)"),
    413: errorResponse("RELAY_TOO_LARGE"),
    422: errorResponse(
      "RELAY_PASSKEY_REFUSED (another site, user not verified, another challenge, bad signature), RELAY_EXPIRED, RELAY_DEADLINE_TOO_FAR, RELAY_GAS_OVER_CAP, RELAY_SIMULATION_REVERTED",
    ),
    429: errorResponse("RELAY_RATE_LIMITED (Retry-After)"),
    503: errorResponse("RELAY_UNAVAILABLE, RELAY_SUBMIT_FAILED, RELAY_DISABLED (Retry-After)"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/relay/{id}",
  tags: ["relay"],
  summary: "State of a relayed request (by request id) or relay transaction (by hash)",
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^0x[0-9a-fA-F]{64}$/)
        .openapi({
          param: { name: "id", in: "path" },
          description: "request id or transaction hash",
        }),
    }),
  },
  responses: {
    200: { content: { "application/json": { schema: StatusSchema } }, description: "Its state" },
    400: errorResponse("RELAY_MALFORMED"),
    404: errorResponse("RELAY_NOT_FOUND"),
    503: errorResponse("RELAY_UNAVAILABLE"),
  },
});

/**
 * The client's address: the socket's peer, or, behind one trusted proxy, the last X-Forwarded-For
 * entry (the address that proxy saw; earlier entries are the client's own claims).
 */
export function clientAddressOf(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as
    | {
        incoming?: { socket?: { remoteAddress?: string } };
        server?: { incoming?: { socket?: { remoteAddress?: string } } };
      }
    | undefined;
  return (
    env?.incoming?.socket?.remoteAddress ??
    env?.server?.incoming?.socket?.remoteAddress ??
    "unknown"
  );
}

const answerError = (c: Context, error: RelayError) => {
  if (error.status === 429 || error.status === 503) {
    const after = error.retryAfter;
    if (after !== undefined) c.header("Retry-After", String(after));
  }
  return c.json(errorBody(error), error.status as 400);
};

export function createRelayRoutes({
  config,
  submit,
  submitPasskey,
  lookup,
  takeClient,
  onRefused,
}: {
  config: RelayConfig;
  submit: Submit;
  /** `POST /relay/passkey`: a passkey-signed call for a PasskeyAccount (./passkey.ts). */
  submitPasskey: Submit;
  lookup: Lookup;
  takeClient: (client: string) => { ok: true } | { ok: false; retryAfterSeconds: number };
  onRefused: (code: RelayRefusalCode) => void;
}): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new RelayRefusal(
          "RELAY_MALFORMED",
          issue ? `${issue.path.join(".") || "request"}: ${issue.message}` : "malformed request",
        );
      }
    },
  });

  app.onError((error, c) => {
    if (isRelayError(error)) return answerError(c, error);
    return c.json(
      { error: { code: "RELAY_INTERNAL", message: "internal error in the relay" } },
      500,
    );
  });

  const refuse = (c: Context, error: RelayRefusal) => {
    onRefused(error.code);
    // An oversized body is left unread: the connection cannot carry another request until the
    // rest of it has arrived, so say it closes (a pooled client then opens a new one instead of
    // reusing a connection the server will drop once it stops discarding the body).
    if (error.code === "RELAY_TOO_LARGE") c.header("Connection", "close");
    return answerError(c, error);
  };

  // Sizes and the client's rate first: nothing is parsed for a client over its limit.
  const guard = [
    async (c: Context, next: () => Promise<void>) => {
      if (c.req.method !== "POST") return next();
      const declared = Number(c.req.header("content-length") ?? Number.NaN);
      if (Number.isFinite(declared) && declared > config.maxBodyBytes) {
        return refuse(c, tooLarge(declared, config.maxBodyBytes));
      }
      const limited = takeClient(clientAddressOf(c, config.trustProxy));
      if (!limited.ok) {
        return refuse(
          c,
          new RelayRefusal(
            "RELAY_RATE_LIMITED",
            `too many requests from this client; try again in ${limited.retryAfterSeconds} s`,
            { scope: "client", retryAfterSeconds: limited.retryAfterSeconds },
            limited.retryAfterSeconds,
          ),
        );
      }
      return next();
    },
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => refuse(c, tooLarge(undefined, config.maxBodyBytes)),
    }),
  ] as const;
  app.use("/relay", ...guard);
  app.use("/relay/passkey", ...guard);

  app.openAPIRegistry.registerPath(postRoute);
  // Both relay routes take one JSON body and answer 202 (200 for a request already seen).
  const relayPost = (send: Submit) => async (c: Context) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/json\b/i.test(type)) {
      return refuse(c, new RelayRefusal("RELAY_MALFORMED", "the body must be application/json"));
    }
    let json: unknown;
    try {
      json = JSON.parse(await c.req.text());
    } catch {
      return refuse(c, new RelayRefusal("RELAY_MALFORMED", "the body is not valid JSON"));
    }
    const result = await send(json);
    return c.json(result, result.duplicate ? 200 : 202);
  };
  app.post("/relay", relayPost(submit));

  app.openAPIRegistry.registerPath(postPasskeyRoute);
  app.post("/relay/passkey", relayPost(submitPasskey));

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const found = await lookup(id as Hex);
    if (found === undefined) {
      throw new RelayRefusal("RELAY_NOT_FOUND", `no relayed request or transaction ${id}`);
    }
    return c.json(found as z.infer<typeof StatusSchema>, 200);
  });

  return app;
}

const tooLarge = (size: number | undefined, max: number) =>
  new RelayRefusal(
    "RELAY_TOO_LARGE",
    `the body is ${size !== undefined ? `${size} bytes, ` : ""}over the ${max} bytes the relay accepts`,
    { ...(size !== undefined ? { size } : {}), max },
  );
