/**
 * Token buckets per key plus one for the whole app, matching Lark's limits (about 5 QPS to one
 * chat or user, 50 per second per app). take() either spends a token from both buckets or says
 * how long to wait; it never sleeps itself. Pure: time is passed in.
 */
export function createRateLimiter(perKeyQps: number, globalQps: number) {
  type Bucket = { tokens: number; at: number };
  const buckets = new Map<string, Bucket>();
  const global: Bucket = { tokens: globalQps, at: 0 };

  const refill = (b: Bucket, qps: number, now: number) => {
    b.tokens = Math.min(qps, b.tokens + ((now - b.at) / 1000) * qps);
    b.at = now;
  };
  const waitFor = (b: Bucket, qps: number) => Math.ceil(((1 - b.tokens) / qps) * 1000);

  return {
    /** 0 when granted; otherwise milliseconds until a token is expected. */
    take(key: string, now: number): number {
      let b = buckets.get(key);
      if (!b) {
        b = { tokens: perKeyQps, at: now };
        buckets.set(key, b);
      }
      refill(b, perKeyQps, now);
      refill(global, globalQps, now);
      if (b.tokens < 1) return waitFor(b, perKeyQps);
      if (global.tokens < 1) return waitFor(global, globalQps);
      b.tokens -= 1;
      global.tokens -= 1;
      // Full buckets carry no information; dropping them keeps memory flat with many recipients.
      if (buckets.size > 10_000) for (const [k, v] of buckets) if (v.tokens >= perKeyQps - 1e-9) buckets.delete(k);
      return 0;
    },
    /** After Lark said "too fast": empty the bucket so the next sends back off too. */
    drain(key: string, now: number) {
      buckets.set(key, { tokens: 0, at: now });
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
