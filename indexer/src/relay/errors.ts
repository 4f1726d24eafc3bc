/**
 * The relay's errors, split by what the caller can do (as in indexer/src/internal/errors.ts):
 * - {@link RelayRefusal}: the request itself is wrong or not allowed; sending it again unchanged
 *   gets the same answer. Nothing was sent to the chain.
 * - {@link RelayUnavailable}: a transient fault (RPC down, submission failed, shutting down); the
 *   same request may succeed later (`Retry-After`).
 * Both answer as `{ error: { code, message, details? } }`.
 */

/** Every refusal code with its HTTP status. One code per reason a request is refused. */
export const RELAY_ERROR_STATUS = {
  /** Not JSON, wrong content type, or a field missing / of the wrong form. */
  RELAY_MALFORMED: 400,
  /** Body or calldata over the configured size. */
  RELAY_TOO_LARGE: 413,
  /** `domain.chainId` is not this chain. */
  RELAY_WRONG_CHAIN: 422,
  /** `domain` names another forwarder (address, name or version). */
  RELAY_WRONG_FORWARDER: 422,
  /** The signature does not recover to `request.from` (or is malformed / malleable). */
  RELAY_BAD_SIGNATURE: 422,
  /** The deadline has passed (or is too close to be mined in time). */
  RELAY_EXPIRED: 422,
  /** The deadline is further away than the relay accepts. */
  RELAY_DEADLINE_TOO_FAR: 422,
  /** The request carries ether; jangbu actions take none. */
  RELAY_VALUE_NOT_ALLOWED: 422,
  /** `gas` above the relay's cap. */
  RELAY_GAS_OVER_CAP: 422,
  /** `to` is not a jangbu action contract of this deployment. */
  RELAY_TARGET_NOT_ALLOWED: 403,
  /** The function is not on the allow-list (or the calldata does not decode). */
  RELAY_SELECTOR_NOT_ALLOWED: 403,
  /** The signer holds no valid credential (or not the one the action needs). */
  RELAY_NO_CREDENTIAL: 403,
  /** This exact request was already executed on chain. */
  RELAY_REPLAYED: 409,
  /** The nonce is behind the signer's current one, or taken by another pending request. */
  RELAY_STALE_NONCE: 409,
  /** The nonce was ahead of the signer's next one and the gap did not fill while it was held
   * (RELAY_NONCE_WAIT_MS): the outcome of a held request, on `GET /relay/{id}`. */
  RELAY_NONCE_GAP: 409,
  /** The nonce is further ahead of the signer's next one than the relay holds (RELAY_NONCE_AHEAD_MAX). */
  RELAY_NONCE_TOO_FAR: 409,
  /** The call reverts in simulation; `details` has the decoded custom error. */
  RELAY_SIMULATION_REVERTED: 422,
  /** A passkey assertion that does not hold for this call: another site (relying party), user
   * verification off, another challenge (action, target, chain, nonce, deadline), or a bad
   * signature; `details.errorName` is the account's custom error when the chain refused it. */
  RELAY_PASSKEY_REFUSED: 422,
  /** Too many requests from this signer or client address. */
  RELAY_RATE_LIMITED: 429,
  /** No request or relayed transaction with that id. */
  RELAY_NOT_FOUND: 404,
} as const;
export type RelayRefusalCode = keyof typeof RELAY_ERROR_STATUS;

/** Codes of transient faults. */
export const RELAY_UNAVAILABLE_CODES = [
  /** The chain's RPC failed or timed out. */
  "RELAY_UNAVAILABLE",
  /** The transaction could not be sent (funds, node refusal). */
  "RELAY_SUBMIT_FAILED",
  /** No relayer account is configured, or the relay is shutting down. */
  "RELAY_DISABLED",
] as const;
export type RelayUnavailableCode = (typeof RELAY_UNAVAILABLE_CODES)[number];

export type RelayErrorBody = {
  error: { code: string; message: string; details?: Record<string, unknown> };
};

/** A request refused before anything was sent. Not retryable. */
export class RelayRefusal extends Error {
  override readonly name = "RelayRefusal";
  readonly retryable = false as const;
  readonly status: number;
  readonly code: RelayRefusalCode;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds, for 429 answers. */
  readonly retryAfter: number | undefined;
  constructor(
    code: RelayRefusalCode,
    message: string,
    details?: Record<string, unknown>,
    retryAfter?: number,
  ) {
    super(message);
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    this.status = RELAY_ERROR_STATUS[code];
  }
}

/** A transient fault: the same request may succeed later. */
export class RelayUnavailable extends Error {
  override readonly name = "RelayUnavailable";
  readonly retryable = true as const;
  readonly status = 503;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds. */
  readonly retryAfter: number;
  readonly code: RelayUnavailableCode;
  constructor(
    code: RelayUnavailableCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown>; retryAfter?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.retryAfter = options.retryAfter ?? 2;
  }
}

export type RelayError = RelayRefusal | RelayUnavailable;

export const isRelayError = (error: unknown): error is RelayError =>
  error instanceof RelayRefusal || error instanceof RelayUnavailable;

/** The JSON answer for an error. */
export function errorBody(error: RelayError): RelayErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    },
  };
}

/** JSON-safe copy of decoded values: bigints become decimal strings. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}
