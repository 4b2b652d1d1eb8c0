// Direct Line tokens: compact JWTs signed with HMAC-SHA256 (AIGUILLAGE_SECRET), bound to one
// conversation and one user, short-lived and refreshable. A JWT because Microsoft's clients
// decode the token to read the user id (claim `user`), as with the real Direct Line.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  /** Conversation id. */
  conv: string;
  /** User id inside that conversation. */
  user: string;
  /** Partner id, when the conversation was opened from a partner's website. */
  partner?: string;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims; expiresAt: number }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

const ISSUER = 'aiguillage';
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export class TokenSigner {
  constructor(
    private readonly secret: string,
    /** Lifetime of a token in seconds (Direct Line: 30 min, clients refresh every 15). */
    readonly ttlSeconds = 1800,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 16) throw new Error('AIGUILLAGE_SECRET trop court (16 caractères au moins)');
  }

  sign(claims: TokenClaims): { token: string; expiresIn: number } {
    const iat = Math.floor(this.now() / 1000);
    const payload = { iss: ISSUER, conv: claims.conv, user: claims.user, partner: claims.partner, iat, exp: iat + this.ttlSeconds };
    const body = `${HEADER}.${base64url(JSON.stringify(payload))}`;
    return { token: `${body}.${this.mac(body)}`, expiresIn: this.ttlSeconds };
  }

  verify(token: string | undefined): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    const { conv, user, partner, exp, iss } = payload;
    if (iss !== ISSUER || typeof conv !== 'string' || typeof user !== 'string' || typeof exp !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    if (exp * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      claims: { conv, user, ...(typeof partner === 'string' ? { partner } : {}) },
      expiresAt: exp * 1000,
    };
  }

  private mac(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}

/** `Authorization: Bearer x` → x. Clients without a token send "Bearer undefined". */
export function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  const token = match?.[1];
  return token === undefined || token === 'undefined' || token === 'null' ? undefined : token;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
