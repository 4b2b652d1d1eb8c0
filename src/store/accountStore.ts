// Back-office accounts, invitations and sessions. The port is async (the PostgreSQL adapter,
// postgres/accounts.ts, reads the shared database); the embedded adapter keeps two small lowdb
// documents written atomically and durably (temp + fsync + rename) and answers from memory.
// Sessions are stored by the SHA-256 of their id, so a copy of the file does not let anyone in;
// password hashes come from the caller (scrypt).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableJSONFile } from './durableFile.js';

export const ACCOUNT_ROLES = ['coordinator', 'member'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export interface Account {
  id: string;
  /** Lower-case. */
  email: string;
  name: string;
  role: AccountRole;
  /** The actor a member belongs to; null for coordinators. */
  actorId: string | null;
  /** A coordinator's territories (named territory ids); absent or empty: regional coordination. */
  territories?: string[];
  passwordHash: string;
  active: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  name: string;
  role: AccountRole;
  actorId: string | null;
  /** For a coordinator: the territories of the account to be (empty: regional). */
  territories?: string[];
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

export interface StoredSession {
  /** SHA-256 (hex) of the cookie's session id. */
  idHash: string;
  /** Empty for an anonymous session (login form) when sessions are shared between instances. */
  accountId: string;
  /** Synchronizer token for forms and JSON calls. */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

interface AccountsDoc {
  format: 1;
  accounts: Account[];
  invitations: Invitation[];
}

interface SessionsDoc {
  format: 1;
  sessions: StoredSession[];
}

export interface AccountStorePort {
  accounts(): Promise<Account[]>;
  accountById(id: string): Promise<Account | undefined>;
  accountByEmail(email: string): Promise<Account | undefined>;
  saveAccount(account: Account): Promise<void>;
  invitations(): Promise<Invitation[]>;
  invitation(id: string): Promise<Invitation | undefined>;
  saveInvitation(invitation: Invitation): Promise<void>;
  session(idHash: string): Promise<StoredSession | undefined>;
  saveSession(session: StoredSession): Promise<void>;
  deleteSession(idHash: string): Promise<number>;
  /** Every session of the account except `keep` (an id hash); returns how many. */
  deleteSessionsOf(accountId: string, keep?: string): Promise<number>;
  /** Sessions past their absolute expiry, or idle longer than `idleMs` (epoch ms `now`). */
  pruneSessions(now: number, idleMs: number): Promise<number>;
}

/** Another account already has this address (two instances creating it at the same moment). */
export class DuplicateAccountError extends Error {}

/** Runs writes one after the other (lowdb writes the whole document each time). */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run(task: () => Promise<void>): Promise<void> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class AccountStore implements AccountStorePort {
  private readonly serial = new Serial();

  private constructor(
    private readonly accountsDb: Low<AccountsDoc>,
    private readonly sessionsDb: Low<SessionsDoc>,
  ) {}

  static async open(dir: string): Promise<AccountStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const accountsDb = new Low<AccountsDoc>(new DurableJSONFile<AccountsDoc>(join(dir, 'accounts.json')), { format: 1, accounts: [], invitations: [] });
    const sessionsDb = new Low<SessionsDoc>(new DurableJSONFile<SessionsDoc>(join(dir, 'sessions.json')), { format: 1, sessions: [] });
    await accountsDb.read();
    await sessionsDb.read();
    return new AccountStore(accountsDb, sessionsDb);
  }

  async accounts(): Promise<Account[]> {
    return [...this.accountsDb.data.accounts];
  }

  async accountById(id: string): Promise<Account | undefined> {
    return this.accountsDb.data.accounts.find((a) => a.id === id);
  }

  async accountByEmail(email: string): Promise<Account | undefined> {
    const wanted = email.trim().toLowerCase();
    return this.accountsDb.data.accounts.find((a) => a.email === wanted);
  }

  saveAccount(account: Account): Promise<void> {
    return this.serial.run(async () => {
      const list = this.accountsDb.data.accounts;
      const i = list.findIndex((a) => a.id === account.id);
      if (i >= 0) list[i] = account;
      else list.push(account);
      await this.accountsDb.write();
    });
  }

  async invitations(): Promise<Invitation[]> {
    return [...this.accountsDb.data.invitations];
  }

  async invitation(id: string): Promise<Invitation | undefined> {
    return this.accountsDb.data.invitations.find((i) => i.id === id);
  }

  saveInvitation(invitation: Invitation): Promise<void> {
    return this.serial.run(async () => {
      const list = this.accountsDb.data.invitations;
      const i = list.findIndex((x) => x.id === invitation.id);
      if (i >= 0) list[i] = invitation;
      else list.push(invitation);
      await this.accountsDb.write();
    });
  }

  // The object itself: the session manager keeps lastSeenAt exact on it in memory.
  async session(idHash: string): Promise<StoredSession | undefined> {
    return this.sessionsDb.data.sessions.find((s) => s.idHash === idHash);
  }

  saveSession(session: StoredSession): Promise<void> {
    return this.serial.run(async () => {
      const list = this.sessionsDb.data.sessions;
      const i = list.findIndex((s) => s.idHash === session.idHash);
      if (i >= 0) list[i] = session;
      else list.push(session);
      await this.sessionsDb.write();
    });
  }

  deleteSession(idHash: string): Promise<number> {
    return this.deleteSessions((s) => s.idHash === idHash);
  }

  deleteSessionsOf(accountId: string, keep?: string): Promise<number> {
    return this.deleteSessions((s) => s.accountId === accountId && s.idHash !== keep);
  }

  pruneSessions(now: number, idleMs: number): Promise<number> {
    return this.deleteSessions((s) => now > s.expiresAt || now - s.lastSeenAt > idleMs);
  }

  private deleteSessions(match: (s: StoredSession) => boolean): Promise<number> {
    let removed = 0;
    return this.serial
      .run(async () => {
        const before = this.sessionsDb.data.sessions.length;
        this.sessionsDb.data.sessions = this.sessionsDb.data.sessions.filter((s) => !match(s));
        removed = before - this.sessionsDb.data.sessions.length;
        if (removed) await this.sessionsDb.write();
      })
      .then(() => removed);
  }
}
