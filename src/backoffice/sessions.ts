// Sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure, with the __Host- prefix,
// when the request came over HTTPS); the server keeps only the id's SHA-256. Each session holds
// its synchronizer CSRF token. Anonymous sessions (login and invitation forms) live in memory,
// capped, unless sessions are shared (several instances on one database: the form may be posted
// to another instance, so they are stored with no account); signed-in ones are stored so that a
// restart does not sign everybody out and any instance knows them. A session ends after 2 hours
// without activity or 12 hours in all; signing in always starts a new one.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Account, AccountStorePort, StoredSession } from '../store/accountStore.js';

export const IDLE_MS = 2 * 60 * 60_000;
export const ABSOLUTE_MS = 12 * 60 * 60_000;
const ANONYMOUS_MS = 60 * 60_000;
const MAX_ANONYMOUS = 10_000;
/** lastSeenAt is written to disk at most this often (it is kept exact in memory). */
const TOUCH_WRITE_MS = 5 * 60_000;

export interface Session {
  idHash: string;
  csrf: string;
  account: Account | null;
}

const hash = (id: string) => createHash('sha256').update(id).digest('hex');
const newId = () => randomBytes(32).toString('base64url');

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export class SessionManager {
  private readonly anonymous = new Map<string, { csrf: string; createdAt: number }>();
  private readonly persistedAt = new Map<string, number>();

  constructor(
    private readonly store: AccountStorePort,
    private readonly now: () => Date,
    /** Whether the browser reached us over HTTPS (directly, or through a trusted proxy). */
    private readonly secure: (req: Request) => boolean = (req) => req.secure,
    /** Anonymous sessions stored too (instances behind one load balancer, no sticky session). */
    private readonly shareAnonymous = false,
  ) {}

  cookieName(req: Request): string {
    return this.secure(req) ? '__Host-aiguillage' : 'aiguillage';
  }

  private setCookie(req: Request, res: Response, id: string, maxAgeMs?: number): void {
    const parts = [`${this.cookieName(req)}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
    if (this.secure(req)) parts.push('Secure');
    if (maxAgeMs !== undefined) parts.push(`Max-Age=${Math.floor(maxAgeMs / 1000)}`);
    res.append('Set-Cookie', parts.join('; '));
  }

  /** The request's session, if its cookie names a live one. */
  async load(req: Request): Promise<Session | null> {
    const id = parseCookies(req.headers.cookie).get(this.cookieName(req));
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const idHash = hash(id);
    const now = this.now().getTime();
    const anon = this.anonymous.get(idHash);
    if (anon) {
      if (now - anon.createdAt > ANONYMOUS_MS) {
        this.anonymous.delete(idHash);
        return null;
      }
      return { idHash, csrf: anon.csrf, account: null };
    }
    const stored = await this.store.session(idHash);
    if (!stored) return null;
    if (stored.accountId === '') {
      if (now > stored.expiresAt) {
        void this.store.deleteSession(idHash).catch(() => undefined);
        return null;
      }
      return { idHash, csrf: stored.csrf, account: null };
    }
    const account = await this.store.accountById(stored.accountId);
    if (!account?.active || now > stored.expiresAt || now - stored.lastSeenAt > IDLE_MS) {
      void this.store.deleteSession(idHash).catch(() => undefined);
      return null;
    }
    stored.lastSeenAt = now;
    if (now - (this.persistedAt.get(idHash) ?? stored.createdAt) > TOUCH_WRITE_MS) {
      this.persistedAt.set(idHash, now);
      void this.store.saveSession({ ...stored }).catch(() => undefined);
    }
    return { idHash, csrf: stored.csrf, account };
  }

  /** An anonymous session for a form shown before signing in (it carries the CSRF token). */
  async anonymousSession(req: Request, res: Response): Promise<Session> {
    const existing = await this.load(req);
    if (existing) return existing;
    if (this.shareAnonymous) {
      const id = newId();
      const now = this.now().getTime();
      const stored: StoredSession = { idHash: hash(id), accountId: '', csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now, expiresAt: now + ANONYMOUS_MS };
      await this.store.saveSession(stored);
      this.setCookie(req, res, id);
      return { idHash: stored.idHash, csrf: stored.csrf, account: null };
    }
    if (this.anonymous.size >= MAX_ANONYMOUS) {
      const oldest = this.anonymous.keys().next().value;
      if (oldest !== undefined) this.anonymous.delete(oldest);
    }
    const id = newId();
    const session = { idHash: hash(id), csrf: randomBytes(24).toString('base64url'), account: null };
    this.anonymous.set(session.idHash, { csrf: session.csrf, createdAt: this.now().getTime() });
    this.setCookie(req, res, id);
    return session;
  }

  /** Signs in: whatever session the browser had is dropped (no fixation), a new one is issued. */
  async signIn(req: Request, res: Response, account: Account, previous: Session | null): Promise<Session> {
    if (previous) await this.end(req, res, previous, false);
    const id = newId();
    const now = this.now().getTime();
    const stored: StoredSession = { idHash: hash(id), accountId: account.id, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now, expiresAt: now + ABSOLUTE_MS };
    await this.store.saveSession(stored);
    this.persistedAt.set(stored.idHash, now);
    this.setCookie(req, res, id);
    return { idHash: stored.idHash, csrf: stored.csrf, account };
  }

  async end(req: Request, res: Response, session: Session, clearCookie = true): Promise<void> {
    this.anonymous.delete(session.idHash);
    this.persistedAt.delete(session.idHash);
    await this.store.deleteSession(session.idHash);
    if (clearCookie) this.setCookie(req, res, '', 0);
  }

  /** Signs an account out everywhere (deactivation, password change), except `keep`. */
  endAll(accountId: string, keep?: string): Promise<number> {
    return this.store.deleteSessionsOf(accountId, keep);
  }

  /** Drops expired sessions from the store (called now and then). */
  prune(): Promise<number> {
    return this.store.pruneSessions(this.now().getTime(), IDLE_MS);
  }
}
