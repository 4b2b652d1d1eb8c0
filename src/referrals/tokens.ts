// Signed links for actors, without an account: `<referral id>.<action>.<expiry>.<signature>`;
// and the holder's status link, `<reference>.s.<expiry>.<signature>` (reads only, never acts).
// The HMAC (SHA-256, truncated to 128 bits) covers the id, the action and the expiry, so a
// changed character anywhere is refused; the key is derived from the secret for this use only.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReferralAction } from '../domain/referral.js';

export type LinkAction = Exclude<ReferralAction, 'expire'>;

const CODES: Record<LinkAction, string> = { take_care: 't', decline: 'x', done: 'd', done_no_help: 'n', unreachable: 'u' };
const ACTIONS = new Map(Object.entries(CODES).map(([action, code]) => [code, action as LinkAction]));

const STATUS_CODE = 's';

export type VerifiedStatusLink =
  | { ok: true; reference: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'forged' }
  | { ok: false; reason: 'expired'; reference: string; expiresAt: Date };

export type VerifiedLink =
  | { ok: true; id: string; action: LinkAction; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'forged' }
  | { ok: false; reason: 'expired'; id: string; action: LinkAction; expiresAt: Date };

export class LinkSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('AIGUILLAGE_SECRET trop court : 16 caractères au moins');
    this.key = createHmac('sha256', secret).update('aiguillage/referral-links/v1').digest();
  }

  private signature(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
  }

  sign(id: string, action: LinkAction, expiresAt: Date): string {
    const payload = `${id}.${CODES[action]}.${Math.floor(expiresAt.getTime() / 1000).toString(36)}`;
    return `${payload}.${this.signature(payload).toString('base64url')}`;
  }

  /** The holder's link to the status page of their request (all its records). */
  signStatus(reference: string, expiresAt: Date): string {
    const payload = `${reference}.${STATUS_CODE}.${Math.floor(expiresAt.getTime() / 1000).toString(36)}`;
    return `${payload}.${this.signature(payload).toString('base64url')}`;
  }

  verifyStatus(token: string, now: Date): VerifiedStatusLink {
    const parsed = this.check(token);
    if (!parsed.ok) return parsed;
    if (parsed.code !== STATUS_CODE) return { ok: false, reason: 'forged' };
    if (parsed.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', reference: parsed.id, expiresAt: parsed.expiresAt };
    return { ok: true, reference: parsed.id, expiresAt: parsed.expiresAt };
  }

  private check(token: string): { ok: true; id: string; code: string; expiresAt: Date } | { ok: false; reason: 'malformed' | 'forged' } {
    const match = /^([A-Z0-9-]{6,40})\.([a-z])\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    const [, id, code, expiry, signature] = match as unknown as [string, string, string, string, string];
    const expected = this.signature(`${id}.${code}.${expiry}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    // One spelling only (DESIGN.md §6: the last base64url character carries padding bits).
    if (given.toString('base64url') !== signature) return { ok: false, reason: 'forged' };
    return { ok: true, id, code, expiresAt: new Date(Number.parseInt(expiry, 36) * 1000) };
  }

  verify(token: string, now: Date): VerifiedLink {
    const parsed = this.check(token);
    if (!parsed.ok) return parsed;
    const action = ACTIONS.get(parsed.code);
    if (!action) return { ok: false, reason: 'forged' };
    const { id, expiresAt } = parsed;
    if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', id, action, expiresAt };
    return { ok: true, id, action, expiresAt };
  }
}
