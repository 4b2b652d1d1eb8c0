// What the route modules share: the services, and one way to render a page.
import type { Response } from 'express';
import type { ReferralService } from '../referrals/service.js';
import type { Router } from '../routing/index.js';
import type { Statistics } from '../stats/index.js';
import type { AuditLogPort } from '../store/auditLog.js';
import type { EventLogPort } from '../store/eventLog.js';
import type { QueuedMail, ReferralStore } from '../store/ports.js';
import type { TerritoryIndex } from '../territory/types.js';
import type { AccountService } from './accounts.js';
import type { DirectoryEditor, LivePartnerDirectory } from './directory.js';
import { state, type FlashMessages } from './http.js';
import type { RulesWorkspace } from './rulesWorkspace.js';
import type { SessionManager } from './sessions.js';
import { scopeOfAccount, type AccountScope, type TerritoryCatalog } from './territories.js';
import { html } from './views/html.js';
import { page, type PageOptions } from './views/layout.js';

export interface Deps {
  router: Router;
  territory: TerritoryIndex;
  service: ReferralService;
  store: Pick<ReferralStore, 'referrals' | 'stats'>;
  events: EventLogPort | null;
  accounts: AccountService;
  sessions: SessionManager;
  audit: AuditLogPort;
  flash: FlashMessages;
  rules: RulesWorkspace;
  directory: DirectoryEditor;
  partners: LivePartnerDirectory;
  /** Named territories: the coordinators' scopes and the « Territoires » page. */
  territories: TerritoryCatalog;
  stats: Statistics;
  /** The bot server's public address (widget snippet). */
  publicUrl: string;
  /** Queues an e-mail durably (invitations), when e-mail is set up. */
  sendMail: ((mail: QueuedMail) => Promise<void>) | null;
  now: () => Date;
  log: (message: string) => void;
}

export type ViewOptions = Omit<PageOptions, 'account' | 'csrf' | 'flash'>;

/** Sends the page; with `startedAt` (performance.now()), a Server-Timing header says how long it took. */
export function render(deps: Deps, res: Response, options: ViewOptions, status = 200, startedAt?: number): void {
  const { account, session } = state(res);
  const actorName = account?.actorId ? deps.router.actorById(account.actorId)?.name : undefined;
  const text = page({ ...options, actorName, account, csrf: session?.csrf ?? null, flash: deps.flash.take(res) });
  if (startedAt !== undefined) res.set('Server-Timing', `app;dur=${(performance.now() - startedAt).toFixed(1)}`);
  res.status(status).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).send(text);
}

/** What the signed-in account may see: regional (everything) or its territories. */
export function scopeOf(deps: Deps, res: Response): AccountScope {
  return scopeOfAccount(state(res).account, deps.territories);
}

/** How long a page waits for the index's first build before saying it is being prepared. */
const FIRST_BUILD_WAIT_MS = 2_000;

/**
 * The orientations index (inbox, statistics) is read whole once after an instance starts:
 * about a minute at 1,000,000 referrals. Until then the page says so and reloads itself, rather
 * than hang; afterwards `work` (reading the latest changes) takes milliseconds and is awaited.
 * Resolves false when the « en préparation » page was sent.
 */
export async function indexReady(deps: Deps, res: Response, work: Promise<unknown>, title: string): Promise<boolean> {
  if (deps.stats.referrals.built) {
    await work;
    return true;
  }
  const ready = await Promise.race([work.then(() => true), new Promise<false>((resolve) => setTimeout(resolve, FIRST_BUILD_WAIT_MS, false))]);
  if (ready) return true;
  work.catch(() => undefined); // still running; a failure is reported by the next page
  const read = deps.stats.referrals.size.toLocaleString('fr-FR');
  res.set('Retry-After', '5');
  render(deps, res, {
    title,
    refreshSeconds: 5,
    body: html`<h1>${title}</h1>
      <p role="status">Le service vient de démarrer : il relit les orientations enregistrées (${read} lues pour l’instant). Cette page se recharge d’elle-même dans quelques secondes.</p>`,
  }, 503);
  return false;
}
