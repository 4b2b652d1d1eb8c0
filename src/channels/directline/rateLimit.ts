// In-memory token buckets keyed by address or conversation. Bounded: full buckets are dropped
// (a full bucket is the same as no bucket), and past `maxKeys` the oldest key goes.
export interface BucketSpec {
  /** Burst size. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly spec: BucketSpec,
    private readonly maxKeys = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait before a retry. */
  take(key: string, cost = 1): number {
    const t = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.spec.capacity, updated: t };
    bucket.tokens = Math.min(this.spec.capacity, bucket.tokens + ((t - bucket.updated) / 1000) * this.spec.refillPerSecond);
    bucket.updated = t;
    this.buckets.delete(key); // re-insert: the map's order stays oldest-used first
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - bucket.tokens) / this.spec.refillPerSecond));
  }

  /** Drops buckets that have refilled completely. */
  sweep(): void {
    const t = this.now();
    for (const [key, bucket] of this.buckets) {
      const tokens = bucket.tokens + ((t - bucket.updated) / 1000) * this.spec.refillPerSecond;
      if (tokens >= this.spec.capacity) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}
