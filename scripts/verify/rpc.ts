/**
 * The few JSON-RPC calls the verifier needs, over plain HTTP with a timeout, batched where a node
 * accepts arrays. Every failure is a {@link VerifyInputError} naming the node, never a stack trace.
 */
import { VerifyInputError } from "./errors.ts";

export interface Rpc {
  readonly url: string;
  call<T>(method: string, params: unknown[]): Promise<T>;
  /** Several calls in one HTTP request; answers in order. */
  batch<T>(calls: readonly { method: string; params: unknown[] }[]): Promise<T[]>;
}

type Answer = { id?: unknown; result?: unknown; error?: { code?: number; message?: string } };

/** A JSON-RPC error the node answered (not a transport fault): the caller may react to it. */
export class RpcAnswerError extends Error {
  override name = "RpcAnswerError";
}

export function createRpc(url: string, timeoutMs = 30_000): Rpc {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    throw new VerifyInputError(`--rpc ${url}: not a URL`);
  }
  const post = async (body: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new VerifyInputError(
        `the node at ${host} is unreachable (${cause ?? (error as Error).name})`,
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new VerifyInputError(`the node at ${host} answered HTTP ${response.status}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new VerifyInputError(`the node at ${host} answered something that is not JSON-RPC`);
    }
  };
  const resultOf = <T>(method: string, answer: Answer | undefined): T => {
    if (answer === undefined || typeof answer !== "object")
      throw new VerifyInputError(`the node at ${host} gave no answer to ${method}`);
    if (answer.error !== undefined)
      throw new RpcAnswerError(`${method}: ${answer.error.message ?? "error"}`);
    if (!("result" in answer))
      throw new VerifyInputError(`the node at ${host} answered ${method} without a result`);
    return answer.result as T;
  };
  return {
    url,
    async call<T>(method: string, params: unknown[]) {
      return resultOf<T>(method, (await post({ jsonrpc: "2.0", id: 1, method, params })) as Answer);
    },
    async batch<T>(calls: readonly { method: string; params: unknown[] }[]) {
      if (calls.length === 0) return [];
      const answers = await post(calls.map((c, id) => ({ jsonrpc: "2.0", id, ...c })));
      if (!Array.isArray(answers))
        throw new VerifyInputError(`the node at ${host} does not answer batched requests`);
      const byId = new Map((answers as Answer[]).map((a) => [Number(a.id), a]));
      return calls.map((c, i) => resultOf<T>(c.method, byId.get(i)));
    },
  };
}
