/**
 * The relay's settings, from the environment (validated with zod at start: a wrong value stops
 * the service with the variable's name). Secrets (the relayer key) are read in ./account.ts.
 */
import { availableParallelism } from "node:os";
import { z } from "zod";

export type RelayConfig = {
  /** Highest `gas` a request may ask for (RELAY_GAS_CAP). */
  gasCap: bigint;
  /** Furthest deadline accepted, in seconds from the chain's time (RELAY_MAX_DEADLINE_SECONDS). */
  maxDeadlineSeconds: number;
  /** A deadline closer than this is refused as expired: it could pass before mining (RELAY_DEADLINE_MARGIN_SECONDS). */
  deadlineMarginSeconds: number;
  /** Requests per minute per signer, 0 = unlimited (RELAY_RATE_PER_SIGNER). */
  ratePerSigner: number;
  /** Requests per minute per client address, 0 = unlimited (RELAY_RATE_PER_IP). */
  ratePerIp: number;
  /** Take the client address from the last X-Forwarded-For entry: the one our proxy added (RELAY_TRUST_PROXY). */
  trustProxy: boolean;
  /** A relayer balance below this is a warning in the log and on /status (RELAY_MIN_BALANCE_WEI). */
  minBalanceWei: bigint;
  /** Largest request body (RELAY_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Largest calldata of a request (RELAY_MAX_DATA_BYTES). */
  maxDataBytes: number;
  /** Most requests in one `executeBatch` transaction (RELAY_BATCH_MAX). */
  batchMax: number;
  /** Most relay transactions pending at once; more requests wait in the queue (RELAY_MAX_PENDING_TXS). */
  maxPendingTxs: number;
  /** A transaction not mined after this long is re-sent with a higher fee (RELAY_RESEND_AFTER_SECONDS). */
  resendAfterMs: number;
  /** How often pending transactions are checked (RELAY_POLL_MS). */
  pollIntervalMs: number;
  /** How long a request whose nonce is ahead is held for the missing ones, then refused with
   * RELAY_NONCE_GAP (RELAY_NONCE_WAIT_MS). */
  nonceWaitMs: number;
  /** How far ahead of the signer's next nonce a request may be and still be held; further is
   * refused at once with RELAY_NONCE_TOO_FAR. It also bounds the requests held per signer
   * (RELAY_NONCE_AHEAD_MAX). */
  nonceAheadMax: number;
  /** How long POST waits for the transaction to be sent before answering without its hash (RELAY_SEND_WAIT_MS). */
  sendWaitMs: number;
  /** How long a signer's "holds a credential" answer is cached (RELAY_CREDENTIAL_CACHE_SECONDS). */
  credentialCacheMs: number;
  /** Worker threads that recover signers from signatures; 0 keeps it on the event loop
   * (RELAY_SIGNATURE_THREADS, default: the cores but one, at most 4). */
  signatureThreads: number;
};

export const DEFAULT_RELAY_CONFIG: RelayConfig = {
  gasCap: 1_000_000n,
  maxDeadlineSeconds: 86_400,
  deadlineMarginSeconds: 5,
  ratePerSigner: 60,
  ratePerIp: 600,
  trustProxy: false,
  minBalanceWei: 10n ** 17n, // 0.1 ether
  maxBodyBytes: 128 * 1024,
  maxDataBytes: 48 * 1024,
  batchMax: 32,
  maxPendingTxs: 8,
  resendAfterMs: 30_000,
  pollIntervalMs: 500,
  nonceWaitMs: 30_000,
  nonceAheadMax: 32,
  sendWaitMs: 20_000,
  credentialCacheMs: 30_000,
  signatureThreads: Math.max(0, Math.min(4, availableParallelism() - 1)),
};

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const wei = z
  .string()
  .regex(/^\d+$/, "must be a whole number of wei")
  .transform((s) => BigInt(s));
const bool = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((s) => s === "1" || s === "true" || s === "yes");

const envSchema = z.object({
  RELAY_GAS_CAP: wei.optional(),
  RELAY_MAX_DEADLINE_SECONDS: int(60).optional(),
  RELAY_DEADLINE_MARGIN_SECONDS: int(0, 3_600).optional(),
  RELAY_RATE_PER_SIGNER: int(0).optional(),
  RELAY_RATE_PER_IP: int(0).optional(),
  RELAY_TRUST_PROXY: bool.optional(),
  RELAY_MIN_BALANCE_WEI: wei.optional(),
  RELAY_MAX_BODY_BYTES: int(1_024, 16 * 1024 * 1024).optional(),
  RELAY_MAX_DATA_BYTES: int(4, 8 * 1024 * 1024).optional(),
  RELAY_BATCH_MAX: int(1, 500).optional(),
  RELAY_MAX_PENDING_TXS: int(1, 1_000).optional(),
  RELAY_RESEND_AFTER_SECONDS: int(1).optional(),
  RELAY_POLL_MS: int(10, 600_000).optional(),
  RELAY_NONCE_WAIT_MS: int(0, 600_000).optional(),
  RELAY_NONCE_AHEAD_MAX: int(0, 1_000).optional(),
  RELAY_SEND_WAIT_MS: int(0, 600_000).optional(),
  RELAY_CREDENTIAL_CACHE_SECONDS: int(0).optional(),
  RELAY_SIGNATURE_THREADS: int(0, 64).optional(),
});

/** A relay variable with a wrong value; the message names it. */
export class RelayConfigError extends Error {
  override readonly name = "RelayConfigError";
  readonly retryable = false as const;
}

/** The relay's settings from `env` (unset and empty variables take the defaults). */
export function relayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== "")
      .map((key) => [key, env[key]?.trim()]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "relay settings");
    throw new RelayConfigError(`${name}: ${issue?.message ?? "invalid"} (got "${present[name]}")`);
  }
  const e = parsed.data;
  const d = DEFAULT_RELAY_CONFIG;
  return {
    gasCap: e.RELAY_GAS_CAP ?? d.gasCap,
    maxDeadlineSeconds: e.RELAY_MAX_DEADLINE_SECONDS ?? d.maxDeadlineSeconds,
    deadlineMarginSeconds: e.RELAY_DEADLINE_MARGIN_SECONDS ?? d.deadlineMarginSeconds,
    ratePerSigner: e.RELAY_RATE_PER_SIGNER ?? d.ratePerSigner,
    ratePerIp: e.RELAY_RATE_PER_IP ?? d.ratePerIp,
    trustProxy: e.RELAY_TRUST_PROXY ?? d.trustProxy,
    minBalanceWei: e.RELAY_MIN_BALANCE_WEI ?? d.minBalanceWei,
    maxBodyBytes: e.RELAY_MAX_BODY_BYTES ?? d.maxBodyBytes,
    maxDataBytes: e.RELAY_MAX_DATA_BYTES ?? d.maxDataBytes,
    batchMax: e.RELAY_BATCH_MAX ?? d.batchMax,
    maxPendingTxs: e.RELAY_MAX_PENDING_TXS ?? d.maxPendingTxs,
    resendAfterMs: (e.RELAY_RESEND_AFTER_SECONDS ?? d.resendAfterMs / 1_000) * 1_000,
    pollIntervalMs: e.RELAY_POLL_MS ?? d.pollIntervalMs,
    nonceWaitMs: e.RELAY_NONCE_WAIT_MS ?? d.nonceWaitMs,
    nonceAheadMax: e.RELAY_NONCE_AHEAD_MAX ?? d.nonceAheadMax,
    sendWaitMs: e.RELAY_SEND_WAIT_MS ?? d.sendWaitMs,
    credentialCacheMs: (e.RELAY_CREDENTIAL_CACHE_SECONDS ?? d.credentialCacheMs / 1_000) * 1_000,
    signatureThreads: e.RELAY_SIGNATURE_THREADS ?? d.signatureThreads,
  };
}
