/**
 * The API as the verifier reads it: JSON over HTTP with a timeout; an answer that is not JSON, a
 * 5xx or an unreachable server is a {@link VerifyInputError} naming the route, never a stack trace.
 */
import { VerifyInputError } from "./errors.ts";

export type Json = Record<string, unknown>;

export interface Api {
  readonly base: string;
  /** GET `path`; undefined on 404 (no such record). */
  get(path: string): Promise<Json | undefined>;
  /** Every item of a paginated list route, following `nextCursor`. */
  list(path: string, onPage?: (items: number) => void): Promise<Json[]>;
}

export function createApi(base: string, timeoutMs = 30_000): Api {
  let root: URL;
  try {
    root = new URL(base);
  } catch {
    throw new VerifyInputError(`--api ${base}: not a URL`);
  }
  const get = async (path: string): Promise<Json | undefined> => {
    const url = new URL(path, root);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new VerifyInputError(
        `the API at ${root.host} is unreachable (${cause ?? (error as Error).name}) on ${url.pathname}`,
      );
    }
    const text = await response.text();
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new VerifyInputError(
        `the API at ${root.host} answered HTTP ${response.status} on ${url.pathname}`,
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new VerifyInputError(
        `the API at ${root.host} answered something that is not JSON on ${url.pathname}`,
      );
    }
    if (body === null || typeof body !== "object" || Array.isArray(body))
      throw new VerifyInputError(
        `the API at ${root.host} answered an unexpected shape on ${url.pathname}`,
      );
    return body as Json;
  };
  return {
    base,
    get,
    async list(path, onPage) {
      const items: Json[] = [];
      let cursor: string | null = null;
      const seen = new Set<string>();
      do {
        const sep = path.includes("?") ? "&" : "?";
        const page = await get(
          `${path}${sep}limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
        );
        if (page === undefined || !Array.isArray(page.items))
          throw new VerifyInputError(`the API at ${root.host} answered no list on ${path}`);
        for (const item of page.items as unknown[]) {
          if (item === null || typeof item !== "object")
            throw new VerifyInputError(`the API at ${root.host} listed a non-record on ${path}`);
          items.push(item as Json);
        }
        onPage?.(items.length);
        const next: unknown = page.nextCursor;
        cursor = typeof next === "string" ? next : null;
        // A server that keeps answering the same cursor would loop forever.
        if (cursor !== null) {
          if (seen.has(cursor))
            throw new VerifyInputError(`the API at ${root.host} repeats a cursor on ${path}`);
          seen.add(cursor);
        }
      } while (cursor !== null);
      return items;
    },
  };
}
