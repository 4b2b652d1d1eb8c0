// Invitation links: `<invitation id>.<expiry, base 36 seconds>.<HMAC>`. The HMAC (SHA-256,
// 128 bits kept) covers id and expiry with a key derived from the secret for this use only;
// the invitation record itself says whether the link was used or revoked.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const INVITATION_DAYS = 7;

export type VerifiedInvitation = { ok: true; id: string; expiresAt: Date } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

export class InvitationSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('aiguillage/backoffice-invitations/v1').digest();
  }

  static newId(): string {
    return randomBytes(12).toString('base64url');
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
  }

  sign(id: string, expiresAt: Date): string {
    const payload = `${id}.${Math.floor(expiresAt.getTime() / 1000).toString(36)}`;
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  verify(token: string, now: Date): VerifiedInvitation {
    const match = /^([A-Za-z0-9_-]{16})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(match[3]!, 'base64url');
    const expected = this.mac(`${match[1]}.${match[2]}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    const expiresAt = new Date(Number.parseInt(match[2]!, 36) * 1000);
    if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, id: match[1]!, expiresAt };
  }
}
