// Direct Line rate limits on rate-limiter-flexible: in this process's memory (embedded mode) or
// in PostgreSQL (migration 0202), so that the instances behind a load balancer share one budget.
// A limit is `capacity` requests per window of capacity ÷ refillPerSecond seconds: the burst and
// the long-run rate of the former token buckets. Should PostgreSQL fail, a memory limiter of the
// same size stands in (insuranceLimiter): limits still hold, per instance, and nothing throws.
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../../store/postgres/database.js';

export interface BucketSpec {
  /** Burst size. */
  capacity: number;
  /** Tokens added per second (long-run rate). */
  refillPerSecond: number;
}

/** The table of migration 0202, shared by every limiter (keys are prefixed). */
export const RATE_LIMIT_TABLE = 'aiguillage_rate_limit';

/** A rate-limiter-flexible limiter: `points` per `durationSeconds`, in memory or in PostgreSQL. */
export function createLimiter(name: string, points: number, durationSeconds: number, database?: Database): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });
  if (!database) return memory;
  return new RateLimiterPostgres({
    storeClient: database.pool,
    storeType: 'pool',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    keyPrefix: name,
    points,
    duration: durationSeconds,
    insuranceLimiter: memory,
  });
}

export class RateLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    readonly spec: BucketSpec,
    name: string,
    database?: Database,
  ) {
    this.limiter = createLimiter(`dl-${name}`, spec.capacity, Math.max(1, Math.round(spec.capacity / spec.refillPerSecond)), database);
  }

  /** Takes `cost` points; resolves 0 when allowed, else the seconds to wait before a retry. */
  async take(key: string, cost = 1): Promise<number> {
    try {
      // The table's key is VARCHAR(255): anything long is counted under its hash.
      await this.limiter.consume(key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`, cost);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection; // the store failed and so did the insurance: the caller answers 503
    }
  }
}
