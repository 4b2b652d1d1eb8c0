// Login attempts: failures are counted per client address and per account over a window; past
// the limit, the login is refused before the password is even checked (no scrypt spent, no
// oracle). On rate-limiter-flexible: in this process's memory (embedded mode) or in PostgreSQL
// (table of migration 0202), so that guessing a password on several instances gets no more tries.
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../store/postgres/database.js';

export interface LimitRule {
  max: number;
  windowMs: number;
}

export interface LoginLimits {
  perAddress: LimitRule;
  perAccount: LimitRule;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: { max: 20, windowMs: 15 * 60_000 },
  perAccount: { max: 5, windowMs: 15 * 60_000 },
};

/** Same table as the Direct Line limits (src/channels/directline/rateLimit.ts). */
const RATE_LIMIT_TABLE = 'aiguillage_rate_limit';

/** The window starts at the first failure; PostgreSQL failing, a memory window stands in. */
function failureWindow(name: string, rule: LimitRule, database: Database | undefined): RateLimiterAbstract {
  const duration = Math.max(1, Math.ceil(rule.windowMs / 1000));
  const memory = new RateLimiterMemory({ keyPrefix: name, points: rule.max, duration });
  if (!database) return memory;
  return new RateLimiterPostgres({ storeClient: database.pool, storeType: 'pool', tableName: RATE_LIMIT_TABLE, tableCreated: true, keyPrefix: name, points: rule.max, duration, insuranceLimiter: memory });
}

/** The table's key is VARCHAR(255): a long typed address is counted under its hash. */
function keyOf(value: string): string {
  const key = value.toLowerCase();
  return key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

async function waitMs(limiter: RateLimiterAbstract, key: string): Promise<number> {
  const res = await limiter.get(keyOf(key));
  return res && res.consumedPoints >= limiter.points ? Math.max(1, res.msBeforeNext) : 0;
}

export class LoginLimiter {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, database?: Database) {
    this.byAddress = failureWindow('login-address', limits.perAddress, database);
    this.byAccount = failureWindow('login-account', limits.perAccount, database);
  }

  /** 0 when the attempt may go on; else milliseconds to wait. */
  async check(address: string, account: string): Promise<number> {
    const [a, b] = await Promise.all([waitMs(this.byAddress, address), waitMs(this.byAccount, account)]);
    return Math.max(a, b);
  }

  async failure(address: string, account: string): Promise<void> {
    // penalty: counts without refusing (the refusal is check's job, before the password).
    await Promise.all([this.byAddress.penalty(keyOf(address)), this.byAccount.penalty(keyOf(account))]);
  }

  async success(account: string): Promise<void> {
    await this.byAccount.delete(keyOf(account));
  }
}
