/**
 * Errors split by what the caller can do about them (Ponder's `internal/errors`):
 * - {@link RetryableError}: a transient fault (RPC timeout, 429, 5xx, malformed answer, lost
 *   connection). The sync loop backs off and tries again.
 * - {@link NonRetryableError}: trying again cannot help (bad configuration, a log from a jangbu
 *   address that does not decode, a store written by another chain). The service stops with the
 *   message.
 * - {@link RangeLimitError}: the node refused an `eth_getLogs` range (too many blocks or results):
 *   the range shrinks, nothing waits.
 * - {@link ApiError}: a client's bad request, answered as JSON `{ error: { code, message } }`.
 */

export interface ErrorDetails {
  /** Extra facts for the log line (method, url, status, block range, ...). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class RetryableError extends Error {
  override readonly name: string = "RetryableError";
  readonly retryable = true as const;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(message: string, options: ErrorDetails = {}) {
    super(message, { cause: options.cause });
    this.details = options.details ?? {};
  }
}

export class NonRetryableError extends Error {
  override readonly name: string = "NonRetryableError";
  readonly retryable = false as const;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(message: string, options: ErrorDetails = {}) {
    super(message, { cause: options.cause });
    this.details = options.details ?? {};
  }
}

/** The node refused a log query for its size; `suggestedTo` is the end block it hinted at, if any. */
/** In a log answer: `logs` logs had begun by the time one of block `block` did. */
export type LogsReached = { readonly logs: number; readonly block: number };

export class RangeLimitError extends RetryableError {
  override readonly name = "RangeLimitError";
  readonly suggestedTo: number | undefined;
  /**
   * True when the limit is this client's own (the answer took too long or grew too large), not a
   * refusal by the node: the range is halved for this query but may grow again afterwards.
   */
  readonly ownLimit: boolean;
  /** How many times the client's answer size limit the refused answer was, when the node said. */
  readonly oversize: number | undefined;
  /**
   * What a cut-off answer's logs reached before the client's size limit: every few hundred logs,
   * the block the last of them was in (the blocks before it fitted, with fewer logs than that).
   */
  readonly reached: readonly LogsReached[];
  /**
   * The whole log objects a cut-off answer held before the client's size limit, as the node sent
   * them (unchecked JSON values), when they could be read; the last block's may be incomplete.
   */
  readonly partial: readonly unknown[] | undefined;
  constructor(
    message: string,
    suggestedTo: number | undefined,
    options: ErrorDetails & {
      ownLimit?: boolean;
      oversize?: number;
      reached?: readonly LogsReached[];
      partial?: readonly unknown[];
    } = {},
  ) {
    super(message, options);
    this.suggestedTo = suggestedTo;
    this.ownLimit = options.ownLimit ?? false;
    this.oversize = options.oversize;
    this.reached = options.reached ?? [];
    this.partial = options.partial;
  }
}

export type ApiErrorStatus = 400 | 404 | 413 | 422 | 429 | 500 | 503;

/** A client-facing error: HTTP status, a stable machine code and a human message. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: ApiErrorStatus;
  readonly code: string;
  constructor(status: ApiErrorStatus, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const isRetryable = (error: unknown): boolean =>
  error instanceof RetryableError ||
  (typeof error === "object" &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === true);

/** One line for a log: message plus details, with the cause chain. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details =
    "details" in error && error.details && typeof error.details === "object"
      ? Object.entries(error.details as Record<string, unknown>)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ")
      : "";
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : "";
  return `${error.message}${details ? ` [${details}]` : ""}${cause}`;
}
