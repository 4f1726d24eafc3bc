/**
 * Per-key token buckets: `perMinute` requests a minute on average, bursts up to `perMinute`.
 * In process memory: behind a load balancer each replica limits on its own.
 */
export type RateLimiter = {
  /** Takes one token for `key`; when there is none, the seconds until there is one. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
};

export const createRateLimiter = ({
  perMinute,
  now = Date.now,
  maxKeys = 100_000,
}: {
  /** 0 = unlimited. */
  perMinute: number;
  now?: () => number;
  maxKeys?: number;
}): RateLimiter => {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = perMinute / 60_000;
  const prune = (t: number) => {
    for (const [key, b] of buckets) {
      if (b.tokens + (t - b.at) * perMs >= perMinute) buckets.delete(key);
    }
  };
  return {
    take(key) {
      if (perMinute <= 0) return { ok: true };
      const t = now();
      const b = buckets.get(key) ?? { tokens: perMinute, at: t };
      const tokens = Math.min(perMinute, b.tokens + (t - b.at) * perMs);
      if (tokens < 1) {
        buckets.set(key, { tokens, at: t });
        return {
          ok: false,
          retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1_000)),
        };
      }
      buckets.set(key, { tokens: tokens - 1, at: t });
      if (buckets.size > maxKeys) prune(t);
      return { ok: true };
    },
  };
};
