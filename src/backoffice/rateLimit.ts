// Login attempts: failures are counted per client address and per account over a sliding
// window; past the limit, the login is refused before the password is even checked (no scrypt
// spent, no oracle). Memory stays bounded: old failures are forgotten, keys are capped.
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

const MAX_KEYS = 50_000;

class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly rule: LimitRule) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.rule.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Milliseconds until a new attempt is allowed; 0 when allowed now. */
  wait(key: string, now: number): number {
    const list = this.recent(key, now);
    return list.length < this.rule.max ? 0 : list[list.length - this.rule.max]! + this.rule.windowMs - now;
  }

  fail(key: string, now: number): void {
    if (this.failures.size >= MAX_KEYS && !this.failures.has(key)) {
      // Forget the oldest key rather than grow without end.
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
    this.failures.set(key, [...this.recent(key, now), now]);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }
}

export class LoginLimiter {
  private readonly byAddress: FailureWindow;
  private readonly byAccount: FailureWindow;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.byAddress = new FailureWindow(limits.perAddress);
    this.byAccount = new FailureWindow(limits.perAccount);
  }

  /** 0 when the attempt may go on; else milliseconds to wait. */
  check(address: string, account: string, now = Date.now()): number {
    return Math.max(this.byAddress.wait(address, now), this.byAccount.wait(account.toLowerCase(), now));
  }

  failure(address: string, account: string, now = Date.now()): void {
    this.byAddress.fail(address, now);
    this.byAccount.fail(account.toLowerCase(), now);
  }

  success(account: string): void {
    this.byAccount.reset(account.toLowerCase());
  }
}
