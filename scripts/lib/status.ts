/** Reading the indexer's GET /api/v1/status without depending on its exact shape. */

/** The indexed block in the indexer's status JSON (`indexedBlock`, or any *indexed* number). */
export function indexedBlockOf(status: unknown): number | undefined {
  if (status === null || typeof status !== "object") return undefined;
  const entries = Object.entries(status as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (/indexed/i.test(key)) {
      if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) {
        return Number(value);
      }
      const nested = indexedBlockOf(value);
      if (nested !== undefined) return nested;
      if (value !== null && typeof value === "object" && "number" in value) {
        return Number((value as { number: unknown }).number);
      }
    }
  }
  for (const [, value] of entries) {
    const nested = typeof value === "object" ? indexedBlockOf(value) : undefined;
    if (nested !== undefined) return nested;
  }
  return undefined;
}
