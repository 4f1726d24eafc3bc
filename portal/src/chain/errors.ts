/**
 * Reverts as sentences: decode a custom error with the SDK ABIs and say it in the user's language
 * (scaffold-eth-2's getParsedError, in Korean first).
 */
import type { TFunction } from "i18next";
import { decodeErrorResult, type Hex } from "viem";
import { RoleNames, SaleStateNames } from "../../../sdk/generated/enums.ts";
import { won } from "../lib/format.ts";
import { ALL_ABI } from "./abis.ts";

export interface DecodedError {
  name: string;
  args: Record<string, unknown>;
}

export function decodeRevert(data: Hex | undefined | null): DecodedError | null {
  if (!data || data === "0x" || data.length < 10) return null;
  try {
    const r = decodeErrorResult({ abi: ALL_ABI, data });
    const item = ALL_ABI.find((i) => i.type === "error" && i.name === r.errorName);
    const args: Record<string, unknown> = {};
    const inputs = item && item.type === "error" ? item.inputs : [];
    (r.args ?? []).forEach((v, i) => {
      args[inputs[i]?.name || String(i)] = v;
    });
    return { name: r.errorName, args };
  } catch {
    return null;
  }
}

/** Finds revert data anywhere in a viem error chain, a relay answer or a plain object. */
export function findRevertData(e: unknown, depth = 0): Hex | null {
  if (!e || typeof e !== "object" || depth > 8) return null;
  const o = e as Record<string, unknown>;
  for (const k of ["data", "revertData", "raw"]) {
    const v = o[k];
    if (typeof v === "string" && /^0x[0-9a-fA-F]{8,}$/.test(v)) return v as Hex;
    if (v && typeof v === "object") {
      const inner = findRevertData(v, depth + 1);
      if (inner) return inner;
    }
  }
  for (const k of ["cause", "error", "details"]) {
    if (o[k] && typeof o[k] === "object") {
      const inner = findRevertData(o[k], depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}

const AMOUNT_ARGS = new Set(["due", "offered", "required"]);

/** A sentence for a decoded error (named error → the dictionary, with readable arguments). */
export function describeError(t: TFunction, err: DecodedError): string {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(err.args)) {
    if (k === "role" && typeof v === "number") params[k] = t(`roles.${RoleNames[v] ?? "Farmer"}`);
    else if (k === "state" && typeof v === "number")
      params[k] = t(`saleState.${SaleStateNames[v] ?? "None"}`);
    else if (AMOUNT_ARGS.has(k)) params[k] = won(v as bigint);
    else params[k] = typeof v === "bigint" ? v.toLocaleString("ko-KR") : String(v);
  }
  const key = `errors.${err.name}`;
  const text = t(key, params);
  return text === key ? t("errors.unknown", { name: err.name }) : text;
}

/** Any failure (viem error, relay refusal, network) as one sentence with a next step. */
export function errorMessage(t: TFunction, e: unknown): string {
  const o = (e ?? {}) as Record<string, unknown>;
  if (o.name === "UserRejectedRequestError" || o.code === 4001) return t("errors.rejectedByUser");
  const named = o.errorName ?? (o.error as Record<string, unknown> | undefined)?.name;
  if (typeof named === "string" && named) {
    return describeError(t, {
      name: named,
      args:
        ((o.args ?? (o.error as Record<string, unknown>)?.args) as Record<string, unknown>) ?? {},
    });
  }
  const decoded = decodeRevert(findRevertData(e));
  if (decoded) return describeError(t, decoded);
  if (o.code === "network" || isNetworkFailure(e)) return t("errors.network");
  const msg =
    e instanceof Error
      ? ((e as Error & { shortMessage?: string }).shortMessage ?? e.message)
      : String(o.message ?? e);
  const known = KNOWN_FAILURES[msg];
  if (known) return t(known);
  // chain/passkey.ts throws the i18n key of its message.
  if (msg.startsWith("wallet.passkey")) return t(msg);
  // An untranslated (English, technical) message is not shown on the Korean screen.
  return /[가-힣]/.test(msg) ? msg : t("ux.errors.generic");
}

/** The messages chain/tx.ts throws itself. */
const KNOWN_FAILURES: Record<string, string> = {
  "call failed": "ux.errors.callFailed",
  "transaction reverted": "ux.errors.callFailed",
  timeout: "ux.errors.timeout",
};

/**
 * A request that never got an answer: the browser's own English words ("Failed to fetch",
 * "NetworkError…", "Load failed") or viem's HttpRequestError; shown as errors.network instead.
 */
export function isNetworkFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === "HttpRequestError") return true;
  return (
    e instanceof TypeError &&
    /failed to fetch|networkerror|load failed|network request failed|fetch failed/i.test(e.message)
  );
}
