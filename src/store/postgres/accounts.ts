// Back-office accounts, invitations and sessions on PostgreSQL, shared by every instance: a
// coordinator signed in on one instance is signed in on the next request to another. Records
// are kept whole (JSONB, checked with zod when read back); sessions by the SHA-256 of their id.
import { z } from 'zod';
import { ACCOUNT_ROLES, DuplicateAccountError, type Account, type AccountStorePort, type Invitation, type StoredSession } from '../accountStore.js';
import type { Database } from './database.js';

/** What an account and the invitation that creates it have in common. */
const personSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ACCOUNT_ROLES),
  actorId: z.string().nullable(),
  territories: z.array(z.string()).optional(),
  createdAt: z.string(),
  createdBy: z.string(),
});

const accountSchema = personSchema.extend({
  passwordHash: z.string(),
  active: z.boolean(),
  updatedAt: z.string(),
});

const invitationSchema = personSchema.extend({
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

interface SessionRow {
  id_hash: string;
  account_id: string;
  csrf: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

const account = (row: { account: unknown }): Account => accountSchema.parse(row.account);
const invitation = (row: { invitation: unknown }): Invitation => invitationSchema.parse(row.invitation);

export class PostgresAccountStore implements AccountStorePort {
  constructor(private readonly db: Database) {}

  async accounts(): Promise<Account[]> {
    const { rows } = await this.db.pool.query<{ account: unknown }>('SELECT account FROM backoffice_accounts ORDER BY email');
    return rows.map(account);
  }

  async accountById(id: string): Promise<Account | undefined> {
    const { rows } = await this.db.pool.query<{ account: unknown }>('SELECT account FROM backoffice_accounts WHERE id = $1', [id]);
    return rows[0] ? account(rows[0]) : undefined;
  }

  async accountByEmail(email: string): Promise<Account | undefined> {
    const { rows } = await this.db.pool.query<{ account: unknown }>('SELECT account FROM backoffice_accounts WHERE email = $1', [email.trim().toLowerCase()]);
    return rows[0] ? account(rows[0]) : undefined;
  }

  async saveAccount(value: Account): Promise<void> {
    const parsed = accountSchema.parse(value);
    try {
      await this.db.pool.query(
        'INSERT INTO backoffice_accounts (id, email, account) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, account = EXCLUDED.account',
        [parsed.id, parsed.email, JSON.stringify(parsed)],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new DuplicateAccountError(`un compte existe déjà pour ${parsed.email}`);
      throw error;
    }
  }

  async invitations(): Promise<Invitation[]> {
    const { rows } = await this.db.pool.query<{ invitation: unknown }>("SELECT invitation FROM backoffice_invitations ORDER BY invitation->>'createdAt', id");
    return rows.map(invitation);
  }

  async invitation(id: string): Promise<Invitation | undefined> {
    const { rows } = await this.db.pool.query<{ invitation: unknown }>('SELECT invitation FROM backoffice_invitations WHERE id = $1', [id]);
    return rows[0] ? invitation(rows[0]) : undefined;
  }

  async saveInvitation(value: Invitation): Promise<void> {
    const parsed = invitationSchema.parse(value);
    await this.db.pool.query('INSERT INTO backoffice_invitations (id, invitation) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET invitation = EXCLUDED.invitation', [parsed.id, JSON.stringify(parsed)]);
  }

  async session(idHash: string): Promise<StoredSession | undefined> {
    const { rows } = await this.db.pool.query<SessionRow>('SELECT * FROM backoffice_sessions WHERE id_hash = $1', [idHash]);
    const row = rows[0];
    return row ? { idHash: row.id_hash, accountId: row.account_id, csrf: row.csrf, createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at } : undefined;
  }

  async saveSession(s: StoredSession): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO backoffice_sessions (id_hash, account_id, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id_hash) DO UPDATE SET last_seen_at = GREATEST(backoffice_sessions.last_seen_at, EXCLUDED.last_seen_at), expires_at = EXCLUDED.expires_at`,
      [s.idHash, s.accountId, s.csrf, s.createdAt, s.lastSeenAt, s.expiresAt],
    );
  }

  async deleteSession(idHash: string): Promise<number> {
    return (await this.db.pool.query('DELETE FROM backoffice_sessions WHERE id_hash = $1', [idHash])).rowCount ?? 0;
  }

  async deleteSessionsOf(accountId: string, keep?: string): Promise<number> {
    return (await this.db.pool.query('DELETE FROM backoffice_sessions WHERE account_id = $1 AND id_hash IS DISTINCT FROM $2', [accountId, keep ?? null])).rowCount ?? 0;
  }

  async pruneSessions(now: number, idleMs: number): Promise<number> {
    return (await this.db.pool.query('DELETE FROM backoffice_sessions WHERE expires_at < $1 OR last_seen_at < $2', [now, now - idleMs])).rowCount ?? 0;
  }
}
