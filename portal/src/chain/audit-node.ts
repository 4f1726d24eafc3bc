/**
 * Which node "체인과 직접 대조" reads: the auditor's own (typed once, kept in this browser's
 * localStorage) or, by default, the one the portal's server names (/api/v1/config, or the
 * address bar's `?rpc=`), always said on the page. Calls here carry a timeout and turn every
 * failure into a {@link NodeProblem} the page says in Korean; no viem, so record pages stay light.
 */

const STORE_KEY = "jangbu.auditNode";

/** Why a node could not be used. */
export type NodeProblemKind = "badUrl" | "unreachable" | "http" | "garbage" | "wrongChain" | "rpc";

export class NodeProblem extends Error {
  override name = "NodeProblem";
  constructor(
    readonly kind: NodeProblemKind,
    readonly host: string,
    readonly detail: Record<string, string | number> = {},
  ) {
    super(`${kind} ${host} ${JSON.stringify(detail)}`);
  }
}

/** The node the auditor saved, or null (the portal's default). */
export function savedNode(): string | null {
  try {
    return localStorage.getItem(STORE_KEY);
  } catch {
    return null;
  }
}

export function saveNode(url: string | null): void {
  try {
    if (url === null) localStorage.removeItem(STORE_KEY);
    else localStorage.setItem(STORE_KEY, url);
  } catch {
    /* a browser without storage keeps the choice for this page only */
  }
}

/** A node URL as typed, checked: http(s) only; returns the normalised URL or a problem. */
export function parseNodeUrl(text: string): string {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new NodeProblem("badUrl", trimmed);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new NodeProblem("badUrl", trimmed);
  return url.toString();
}

export const hostOf = (url: string): string => {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
};

type Answer = { result?: unknown; error?: { message?: string; code?: number } };

/** One JSON-RPC call; an error the node answers is a "rpc" problem carrying its message. */
export async function nodeCall<T>(
  url: string,
  method: string,
  params: unknown[] = [],
  timeoutMs = 20_000,
): Promise<T> {
  const host = hostOf(url);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new NodeProblem("unreachable", host);
  }
  if (!res.ok) throw new NodeProblem("http", host, { status: res.status });
  let body: Answer;
  try {
    body = (await res.json()) as Answer;
  } catch {
    throw new NodeProblem("garbage", host);
  }
  if (body === null || typeof body !== "object") throw new NodeProblem("garbage", host);
  if (body.error !== undefined)
    throw new NodeProblem("rpc", host, { method, message: String(body.error.message ?? "") });
  if (!("result" in body)) throw new NodeProblem("garbage", host);
  return body.result as T;
}

const QUANTITY = /^0x[0-9a-fA-F]{1,64}$/;

/** A hex quantity from the node, or a "garbage" problem. */
export function quantity(host: string, v: unknown): bigint {
  if (typeof v !== "string" || !QUANTITY.test(v)) throw new NodeProblem("garbage", host);
  return BigInt(v);
}

export interface NodeInfo {
  readonly url: string;
  readonly host: string;
  readonly chainId: number;
  readonly head: bigint;
}

/** Asks the node its chain id and head; a node of another chain than `expectedChainId` is refused. */
export async function probeNode(url: string, expectedChainId: number): Promise<NodeInfo> {
  const host = hostOf(url);
  const [id, head] = await Promise.all([
    nodeCall<string>(url, "eth_chainId", [], 10_000),
    nodeCall<string>(url, "eth_blockNumber", [], 10_000),
  ]);
  const chainId = Number(quantity(host, id));
  if (chainId !== expectedChainId)
    throw new NodeProblem("wrongChain", host, { chainId, expected: expectedChainId });
  return { url, host, chainId, head: quantity(host, head) };
}
