/**
 * "Verify against the chain": the browser re-reads the transaction receipt from the RPC itself,
 * decodes the log with the SDK ABIs and compares it field by field with what the API said.
 */
import { decodeEventLog } from "viem";
import {
  BidStatusNames,
  GradeNames,
  PackagingNames,
  PaymentKindNames,
  RoleNames,
  SaleStateNames,
  TenderStateNames,
} from "../../../sdk/generated/enums.ts";
import type { HistoryEvent, Json } from "../api/client.ts";
import { ALL_ABI, JangbuForwarderAbi } from "./abis.ts";
import { getBlock, getBlockNumber, getReceipt, type LiteLog } from "./rpc-lite.ts";

// Pages that only need the clock import it from here; it lives apart so they load no viem.
export { chainNow } from "./clock.ts";

const ENUM_NAMES: readonly (readonly string[])[] = [
  SaleStateNames,
  TenderStateNames,
  PackagingNames,
  PaymentKindNames,
  RoleNames,
  GradeNames,
  BidStatusNames,
];

/** A canonical string for comparing API JSON with decoded chain values. */
export function canon(v: unknown): string {
  if (v === null || v === undefined) return "∅";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (typeof v === "string") {
    if (/^-?\d+$/.test(v)) return BigInt(v).toString();
    if (/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(v)) return String(Math.floor(Date.parse(v) / 1000));
    if (/^0x[0-9a-fA-F]*$/.test(v)) return v.toLowerCase();
    for (const names of ENUM_NAMES) {
      const i = names.indexOf(v);
      if (i >= 0) return String(i);
    }
    return v;
  }
  return JSON.stringify(v);
}

export interface Check {
  field: string;
  api: string;
  chain: string;
  ok: boolean;
}

export interface Verification {
  event: string;
  txHash: string;
  blockNumber: bigint;
  confirmations: bigint;
  blockTime: number;
  signer: string | null;
  checks: Check[];
  decoded: Record<string, unknown>;
  missing?: boolean;
}

function argsObject(decoded: { args?: unknown }, eventName: string): Record<string, unknown> {
  const a = decoded.args;
  if (a && typeof a === "object" && !Array.isArray(a)) return a as Record<string, unknown>;
  const item = ALL_ABI.find((i) => i.type === "event" && i.name === eventName);
  const out: Record<string, unknown> = {};
  if (Array.isArray(a) && item && item.type === "event")
    for (const [i, inp] of item.inputs.entries()) out[inp.name ?? i] = a[i];
  return out;
}

export async function readEvent(
  rpcUrl: string,
  ev: Pick<HistoryEvent, "txHash" | "logIndex" | "event">,
): Promise<Omit<Verification, "checks">> {
  const hash = ev.txHash as `0x${string}`;
  const [found, head] = await Promise.all([getReceipt(rpcUrl, hash), getBlockNumber(rpcUrl)]);
  if (!found) throw new Error(`transaction ${hash} not found on the chain`);
  const receipt = found;
  const block = await getBlock(rpcUrl, receipt.blockNumber);
  let chosen: { log: LiteLog; eventName: string; args: Record<string, unknown> } | null = null;
  let signer: string | null = receipt.from;
  let forwarded = false;
  for (const log of receipt.logs) {
    let d: { eventName?: string; args?: unknown } | null = null;
    try {
      d = decodeEventLog({ abi: ALL_ABI, data: log.data, topics: log.topics, strict: false }) as {
        eventName?: string;
        args?: unknown;
      };
    } catch {
      d = null;
    }
    if (!d) continue;
    const args = argsObject(d, d.eventName ?? "");
    if (d.eventName === "ExecutedForwardRequest") {
      // A relayed batch: the signer of our log is the request executed right after it.
      if (chosen && !forwarded) {
        try {
          const f = decodeEventLog({ abi: JangbuForwarderAbi, data: log.data, topics: log.topics });
          signer = String((f.args as { signer?: string }).signer ?? signer);
          forwarded = true;
        } catch {
          /* keep tx.from */
        }
      }
      continue;
    }
    const matches =
      ev.logIndex !== undefined && !Number.isNaN(ev.logIndex)
        ? log.logIndex === ev.logIndex
        : d.eventName === ev.event;
    if (matches && !chosen) chosen = { log, eventName: d.eventName ?? "", args };
  }
  return {
    event: chosen?.eventName ?? "",
    txHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    confirmations: head - receipt.blockNumber + 1n,
    blockTime: Number(block.timestamp),
    signer,
    decoded: chosen?.args ?? {},
    missing: chosen === null,
  };
}

/** Compares one API event (name, args, block, signer) with the chain. */
export function compareEvent(api: HistoryEvent, chain: Omit<Verification, "checks">): Check[] {
  const checks: Check[] = [];
  const push = (field: string, a: unknown, c: unknown) => {
    const ca = canon(a);
    const cc = canon(c);
    checks.push({ field, api: ca, chain: cc, ok: ca === cc });
  };
  if (api.event) push(`${api.event}·event`, api.event, chain.event);
  if (api.blockNumber) push(`${api.event}·blockNumber`, api.blockNumber, chain.blockNumber);
  if (api.signer && chain.signer) push(`${api.event}·signer`, api.signer, chain.signer);
  for (const [k, v] of Object.entries(chain.decoded)) {
    if (k in (api.args ?? {})) push(`${api.event}·${k}`, (api.args as Json)[k], v);
  }
  return checks;
}

import type { RecordSpec } from "./specs.ts";

export { RECORD_SPECS, type RecordSpec } from "./specs.ts";

/**
 * Compares a record's fields with the chain event that set each of them (the latest one of the
 * events named in `spec`). `extra` adds derived fields (e.g. gradeUnits from grades).
 */
export function compareRecord(
  record: Json,
  chainEvents: Omit<Verification, "checks">[],
  spec: RecordSpec,
  extra: Record<string, unknown> = {},
): Check[] {
  const fields: Record<string, unknown> = { ...record, ...extra };
  const checks: Check[] = [];
  for (const [name, [events, argName]] of Object.entries(spec)) {
    const value = fields[name];
    if (value === null || value === undefined) continue;
    const arg = argName ?? name;
    for (let i = chainEvents.length - 1; i >= 0; i--) {
      const ev = chainEvents[i];
      if (!ev || !events.includes(ev.event) || !(arg in ev.decoded)) continue;
      const ca = canon(value);
      const cc = canon(ev.decoded[arg]);
      checks.push({ field: name, api: ca, chain: cc, ok: ca === cc });
      break;
    }
  }
  return checks;
}
