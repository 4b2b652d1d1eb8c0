// Accounts use cases: the first coordinator, sign-in with rate limiting, invitations (signed
// link, 7 days, single use), deactivation, password change. Every change goes to the audit log.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DuplicateAccountError, type Account, type AccountRole, type AccountStorePort, type Invitation } from '../store/accountStore.js';
import type { AuditEntry, AuditLogPort } from '../store/auditLog.js';
import { INVITATION_DAYS, InvitationSigner } from './invitations.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { LoginLimiter, type LoginLimits } from './rateLimit.js';
import type { Database } from '../store/postgres/database.js';

const DAY = 86_400_000;
const emailSchema = z.email();

export type Who = AuditEntry['by'];
export const SYSTEM: Who = { id: 'system', email: 'système', role: 'system' };
export const who = (a: Account): Who => ({ id: a.id, email: a.email, role: a.role });

export class AccountError extends Error {}

export type SignInResult = { ok: true; account: Account } | { ok: false; message: string; retryAfterSec?: number };

export interface AccountServiceOptions {
  store: AccountStorePort;
  audit: AuditLogPort;
  secret: string;
  now?: () => Date;
  limits?: LoginLimits;
  /** Production mode: login limits shared by the instances (rate-limiter-flexible on PostgreSQL). */
  database?: Database;
  /** Known actor ids (members belong to one). */
  actorExists: (id: string) => boolean;
  /** Known territory ids (a territorial coordinator belongs to some); default: none known. */
  territoryExists?: (id: string) => boolean;
}

export class AccountService {
  readonly signer: InvitationSigner;
  private readonly limiter: LoginLimiter;
  private readonly now: () => Date;

  constructor(private readonly options: AccountServiceOptions) {
    this.signer = new InvitationSigner(options.secret);
    this.limiter = new LoginLimiter(options.limits, options.database);
    this.now = options.now ?? (() => new Date());
  }

  get store(): AccountStorePort {
    return this.options.store;
  }

  async hasCoordinator(): Promise<boolean> {
    return (await this.options.store.accounts()).some((a) => a.role === 'coordinator' && a.active);
  }

  /** Addresses of the active coordinators (the monthly report goes to them). */
  async coordinatorEmails(): Promise<string[]> {
    return (await this.options.store.accounts()).filter((a) => a.role === 'coordinator' && a.active).map((a) => a.email);
  }

  /** A new account; the address taken meanwhile (another instance) is a French refusal. */
  private async insert(account: Account): Promise<void> {
    try {
      await this.options.store.saveAccount(account);
    } catch (error) {
      if (error instanceof DuplicateAccountError) throw new AccountError(`Un compte existe déjà pour ${account.email}.`);
      throw error;
    }
  }

  private checkEmail(email: string): string {
    const normalised = email.trim().toLowerCase();
    if (!emailSchema.safeParse(normalised).success) throw new AccountError(`Adresse e-mail invalide : « ${email} ».`);
    return normalised;
  }

  /** Territory ids checked against the known ones; empty: regional coordination. */
  private checkTerritories(ids: string[]): string[] {
    const list = [...new Set(ids.map((t) => t.trim()).filter(Boolean))];
    for (const id of list) if (!this.options.territoryExists?.(id)) throw new AccountError(`Territoire inconnu : « ${id} ».`);
    return list;
  }

  /** A coordinator created from ADMIN_EMAIL/ADMIN_PASSWORD or the command line; without territories, regional. */
  async createCoordinator(email: string, password: string, by: Who = SYSTEM, name = '', territories: string[] = []): Promise<Account> {
    const address = this.checkEmail(email);
    const scope = this.checkTerritories(territories);
    if (await this.options.store.accountByEmail(address)) throw new AccountError(`Un compte existe déjà pour ${address}.`);
    const problem = passwordProblem(password, undefined, address);
    if (problem) throw new AccountError(problem);
    const at = this.now().toISOString();
    const account: Account = { id: randomUUID(), email: address, name, role: 'coordinator', actorId: null, ...(scope.length ? { territories: scope } : {}), passwordHash: await hashPassword(password), active: true, createdAt: at, createdBy: by.email, updatedAt: at };
    await this.insert(account);
    await this.options.audit.record({ by, action: 'account.create', target: account.id, summary: `Compte de coordination ${scope.length ? `(territoire : ${scope.join(', ')})` : 'régionale'} créé pour ${address}.` });
    return account;
  }

  async signIn(email: string, password: string, address: string): Promise<SignInResult> {
    const key = email.trim().toLowerCase();
    const wait = await this.limiter.check(address, key);
    if (wait > 0) {
      const minutes = Math.ceil(wait / 60_000);
      return { ok: false, retryAfterSec: Math.ceil(wait / 1000), message: `Trop de tentatives de connexion. Réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.` };
    }
    const account = await this.options.store.accountByEmail(key);
    // Same cost whether the account exists or not: no way to probe addresses by timing.
    const valid = await verifyPassword(password, account?.passwordHash ?? (await decoyHash()));
    if (!account || !valid || !account.active) {
      await this.limiter.failure(address, key);
      if (account) await this.options.audit.record({ by: who(account), action: 'auth.failure', target: account.id, summary: `Échec de connexion pour ${account.email}.`, details: { address } });
      return { ok: false, message: 'Adresse e-mail ou mot de passe incorrect, ou compte désactivé.' };
    }
    await this.limiter.success(key);
    await this.options.audit.record({ by: who(account), action: 'auth.login', target: account.id, summary: `Connexion de ${account.email}.`, details: { address } });
    return { ok: true, account };
  }

  async invite(by: Account, input: { email: string; name: string; role: AccountRole; actorId: string | null; territories?: string[] }): Promise<{ invitation: Invitation; token: string }> {
    const email = this.checkEmail(input.email);
    const scope = input.role === 'coordinator' ? this.checkTerritories(input.territories ?? []) : [];
    // A territorial coordinator invites only into their own territories, never a regional one.
    const own = by.role === 'coordinator' ? (by.territories ?? []) : [];
    if (own.length && input.role === 'coordinator' && (scope.length === 0 || scope.some((t) => !own.includes(t)))) throw new AccountError('Vous ne pouvez inviter une coordination que pour vos territoires.');
    if (await this.options.store.accountByEmail(email)) throw new AccountError(`Un compte existe déjà pour ${email}.`);
    if (input.role === 'member' && (!input.actorId || !this.options.actorExists(input.actorId))) throw new AccountError('Choisissez la structure dont la personne invitée fait partie.');
    const now = this.now();
    const invitation: Invitation = {
      id: InvitationSigner.newId(),
      email,
      name: input.name.trim().slice(0, 120),
      role: input.role,
      actorId: input.role === 'member' ? input.actorId : null,
      ...(scope.length ? { territories: scope } : {}),
      createdAt: now.toISOString(),
      createdBy: by.email,
      expiresAt: new Date(now.getTime() + INVITATION_DAYS * DAY).toISOString(),
      usedAt: null,
      revokedAt: null,
    };
    await this.options.store.saveInvitation(invitation);
    await this.options.audit.record({
      by: who(by),
      action: 'account.invite',
      target: invitation.id,
      summary: `Invitation créée pour ${email} (${input.role === 'coordinator' ? 'coordination' : `membre de ${invitation.actorId}`}).`,
    });
    return { invitation, token: this.signer.sign(invitation.id, new Date(invitation.expiresAt)) };
  }

  /** The invitation a link names, if it can still be used; else a French reason. */
  async openInvitation(token: string): Promise<{ ok: true; invitation: Invitation } | { ok: false; message: string }> {
    const verified = this.signer.verify(token, this.now());
    if (!verified.ok) {
      return { ok: false, message: verified.reason === 'expired' ? `Ce lien d’invitation a expiré (il était valable ${INVITATION_DAYS} jours). Demandez-en un nouveau à la coordination.` : 'Ce lien d’invitation n’est pas valide. Vérifiez qu’il a été copié en entier.' };
    }
    const invitation = await this.options.store.invitation(verified.id);
    if (!invitation || invitation.revokedAt) return { ok: false, message: 'Cette invitation a été annulée. Demandez-en une nouvelle à la coordination.' };
    if (invitation.usedAt) return { ok: false, message: 'Cette invitation a déjà servi : connectez-vous avec votre adresse et votre mot de passe.' };
    return { ok: true, invitation };
  }

  async acceptInvitation(token: string, input: { name: string; password: string; confirmation: string }): Promise<Account> {
    const opened = await this.openInvitation(token);
    if (!opened.ok) throw new AccountError(opened.message);
    const { invitation } = opened;
    if (await this.options.store.accountByEmail(invitation.email)) throw new AccountError(`Un compte existe déjà pour ${invitation.email}.`);
    const problem = passwordProblem(input.password, input.confirmation, invitation.email);
    if (problem) throw new AccountError(problem);
    const at = this.now().toISOString();
    const account: Account = {
      id: randomUUID(),
      email: invitation.email,
      name: input.name.trim().slice(0, 120) || invitation.name,
      role: invitation.role,
      actorId: invitation.actorId,
      ...(invitation.territories?.length ? { territories: invitation.territories } : {}),
      passwordHash: await hashPassword(input.password),
      active: true,
      createdAt: at,
      createdBy: invitation.createdBy,
      updatedAt: at,
    };
    await this.options.store.saveInvitation({ ...invitation, usedAt: at });
    await this.insert(account);
    await this.options.audit.record({ by: who(account), action: 'account.create', target: account.id, summary: `Compte créé par invitation pour ${account.email}.` });
    return account;
  }

  async revokeInvitation(by: Account, id: string): Promise<void> {
    const invitation = await this.options.store.invitation(id);
    if (!invitation || invitation.usedAt || invitation.revokedAt) throw new AccountError('Invitation introuvable ou déjà utilisée.');
    await this.options.store.saveInvitation({ ...invitation, revokedAt: this.now().toISOString() });
    await this.options.audit.record({ by: who(by), action: 'account.revoke_invitation', target: id, summary: `Invitation de ${invitation.email} annulée.` });
  }

  async setActive(by: Account, id: string, active: boolean): Promise<Account> {
    const account = await this.options.store.accountById(id);
    if (!account) throw new AccountError('Compte introuvable.');
    if (account.id === by.id && !active) throw new AccountError('Vous ne pouvez pas désactiver votre propre compte.');
    if (!active && account.role === 'coordinator' && (await this.options.store.accounts()).filter((a) => a.role === 'coordinator' && a.active).length <= 1) {
      throw new AccountError('Il faut garder au moins un compte de coordination actif.');
    }
    const updated = { ...account, active, updatedAt: this.now().toISOString() };
    await this.options.store.saveAccount(updated);
    await this.options.audit.record({ by: who(by), action: active ? 'account.activate' : 'account.deactivate', target: id, summary: `Compte de ${account.email} ${active ? 'réactivé' : 'désactivé'}.` });
    return updated;
  }

  async changePassword(account: Account, current: string, next: string, confirmation: string): Promise<void> {
    if (!(await verifyPassword(current, account.passwordHash))) throw new AccountError('Le mot de passe actuel est incorrect.');
    const problem = passwordProblem(next, confirmation, account.email);
    if (problem) throw new AccountError(problem);
    await this.options.store.saveAccount({ ...account, passwordHash: await hashPassword(next), updatedAt: this.now().toISOString() });
    await this.options.audit.record({ by: who(account), action: 'account.password', target: account.id, summary: `Mot de passe changé par ${account.email}.` });
  }
}
