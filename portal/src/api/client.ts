/**
 * The indexer API client (/api/v1/...). Lists answer `{ items, nextCursor }`; amounts are decimal
 * strings; every record carries its provenance (txHash, blockNumber, logIndex, signer). Keys are
 * normalised to camelCase so the portal works whichever case the API settles on.
 */
import { findDeployment } from "../../../sdk/index.ts";

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

export interface Provenance {
  txHash: string;
  blockNumber: number;
  logIndex?: number;
  signer?: string;
  signerRole?: string;
  blockTime?: number;
  contract?: string;
  event?: string;
}

export interface HistoryEvent extends Provenance {
  event: string;
  args: Json;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function normalise<T = unknown>(value: unknown): T {
  if (Array.isArray(value)) return value.map((v) => normalise(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
      // Event args keep their Solidity names.
      out[camel(k)] = k === "args" ? v : normalise(v);
    }
    return out as T;
  }
  return value as T;
}

const early = new Map<string, Promise<Response>>();

/** Starts a GET before the app has rendered (the record page's data, from main.tsx). */
export function prefetch(path: string): void {
  early.set(path, fetch(path, { headers: { accept: "application/json" } }));
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  const started = init === undefined ? early.get(path) : undefined;
  if (started) {
    early.delete(path);
    res = await started.catch(() => fetch(path));
    return parse<T>(res);
  }
  try {
    res = await fetch(path.startsWith("/") ? path : `${API}/${path}`, {
      ...init,
      headers: { accept: "application/json", ...(init?.headers ?? {}) },
    });
  } catch (e) {
    throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
  }
  return parse<T>(res);
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = (body ?? {}) as {
      code?: string;
      message?: string;
      error?: { code?: string; message?: string };
    };
    throw new ApiError(
      res.status,
      err.code ?? err.error?.code ?? String(res.status),
      err.message ?? err.error?.message ?? res.statusText,
    );
  }
  return normalise<T>(body);
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function list<T = Json>(
  kind: string,
  params: Record<string, string | number | undefined | null> = {},
) {
  return getJson<Page<T>>(`${API}/${kind}${query(params)}`).then((p) => ({
    items: Array.isArray(p?.items) ? p.items : [],
    nextCursor: p?.nextCursor ?? null,
  }));
}

export function getRecord<T = Json>(kind: string, id: string) {
  return getJson<T>(`${API}/${kind}/${encodeURIComponent(id)}`);
}

export async function getHistory(kind: string, id: string): Promise<HistoryEvent[]> {
  try {
    const page = await getJson<Page<HistoryEvent> | HistoryEvent[]>(
      `${API}/${kind}/${encodeURIComponent(id)}/history`,
    );
    const items = Array.isArray(page) ? page : page.items;
    return (items ?? []).map(asEvent);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return [];
    throw e;
  }
}

/** A history item in either shape: `{ event, args, txHash… }` or `{ name, data, provenance }`. */
export function asEvent(raw: unknown): HistoryEvent {
  const r = (raw ?? {}) as Json;
  const p = provenanceOf(r);
  return {
    ...p,
    event: String(r.event ?? r.name ?? r.eventName ?? p.event ?? ""),
    args: ((r.args ?? r.data ?? {}) as Json) || {},
  };
}

/** The provenance of a record: a `provenance` object, or the same fields at top level. */
export function provenanceOf(r: Json | null | undefined): Provenance {
  const pr = r?.provenance as Json | undefined;
  const p = ((pr && typeof pr === "object" && ("created" in pr || "updated" in pr)
    ? (pr.created ?? pr.updated)
    : pr) ??
    r ??
    {}) as Json;
  return {
    txHash: String(p.txHash ?? p.transactionHash ?? ""),
    blockNumber: Number(p.blockNumber ?? p.block ?? 0),
    logIndex: p.logIndex === undefined ? undefined : Number(p.logIndex),
    signer: (p.signer as string | undefined) ?? undefined,
    signerRole: (p.signerRole as string | undefined) ?? undefined,
    blockTime:
      p.blockTime !== undefined
        ? timeOf(p.blockTime)
        : p.timestamp !== undefined
          ? timeOf(p.timestamp)
          : undefined,
    contract: (p.contract as string | undefined) ?? undefined,
    event: (p.event as string | undefined) ?? undefined,
  };
}

const timeOf = (v: unknown): number =>
  typeof v === "string" && !/^\d+$/.test(v) ? Math.floor(Date.parse(v) / 1000) : Number(v);

/** The last update's provenance (`provenance.updated`), when the API gives one. */
export function updatedOf(r: Json | null | undefined): Provenance | null {
  const pr = r?.provenance as Json | undefined;
  return pr && typeof pr === "object" && pr.updated
    ? provenanceOf({ provenance: pr.updated } as Json)
    : null;
}

export interface Status {
  chainId: number;
  headBlock?: number;
  indexedBlock?: number;
  lag?: number;
  rpcUrl?: string;
}

export interface PortalConfig {
  chainId: number;
  rpcUrl: string;
  /** Where rpcUrl comes from: the server (/api/v1/config or /status) or the address bar's ?rpc=. */
  rpcSource: "server" | "address";
  contracts: Record<string, `0x${string}`>;
  demo: boolean;
  /** Passkey accounts (issue 23): absent where they are not deployed. */
  passkey?: { factory: `0x${string}`; implementation: `0x${string}`; rpId: string };
}

let configPromise: Promise<PortalConfig> | null = null;

/**
 * Chain id, RPC URL and contract addresses: from `/api/v1/config` when the indexer serves it,
 * else from `/api/v1/status`, completed by the SDK's recorded deployments.
 */
export function getConfig(): Promise<PortalConfig> {
  configPromise ??= (async () => {
    let c: Json = {};
    try {
      c = await getJson<Json>(`${API}/config`);
    } catch {
      c = {};
    }
    let s: Json = {};
    try {
      s = await getJson<Json>(`${API}/status`);
    } catch {
      s = {};
    }
    const chain = (s.chain ?? {}) as Json;
    const chainId = Number(c.chainId ?? s.chainId ?? chain.id ?? chain.chainId ?? 31337);
    // ?rpc=URL (docs/operations.md): the node this tab reads and sends through, kept for the tab;
    // the auditor's own node for "체인과 직접 대조" is chosen on the record page instead.
    const override =
      new URLSearchParams(location.search).get("rpc") ?? sessionStorage.getItem("jangbu.rpc");
    if (override) {
      sessionStorage.setItem("jangbu.rpc", override);
      c.rpcUrl = override;
    }
    const rpcUrl = String(
      c.rpcUrl ?? s.rpcUrl ?? chain.rpcUrl ?? `${location.protocol}//${location.hostname}:8545`,
    );
    const known = findDeployment(chainId)?.addresses ?? {};
    const contracts = {
      ...known,
      ...((c.contracts ?? c.addresses ?? s.contracts ?? s.addresses ?? {}) as Json),
    } as Record<string, `0x${string}`>;
    const passkey = (c.passkey ?? findDeployment(chainId)?.passkey) as PortalConfig["passkey"];
    return {
      chainId,
      rpcUrl,
      rpcSource: override ? "address" : "server",
      contracts,
      demo: Boolean(c.demo ?? s.demo ?? false),
      ...(passkey ? { passkey } : {}),
    };
  })();
  return configPromise;
}

export function resetConfig(): void {
  configPromise = null;
}
