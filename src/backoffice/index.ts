// The back office: an express app for staff, on its own port. Composition of its stores,
// services and routes, and the security middleware every request goes through (headers,
// session, CSRF, authentication, role). src/index.ts creates it once.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { projectPath } from '../paths.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import { useDirectoryNames } from '../notifications/compose.js';
import type { ReferralService } from '../referrals/service.js';
import type { Router as RoutingRouter } from '../routing/index.js';
import { Statistics } from '../stats/index.js';
import { PartnersFileError, loadPartners } from '../channels/partners.js';
import { AccountStore, type AccountStorePort } from '../store/accountStore.js';
import { AuditLog, type AuditLogPort } from '../store/auditLog.js';
import type { EventLogPort } from '../store/eventLog.js';
import type { QueuedMail, ReferralStore } from '../store/ports.js';
import { PostgresAccountStore } from '../store/postgres/accounts.js';
import { PostgresAuditLog } from '../store/postgres/audit.js';
import { isDatabaseUnavailable, type Database } from '../store/postgres/database.js';
import { PostgresRulesHistory } from '../store/postgres/rulesHistory.js';
import { RulesHistory, type RulesHistoryPort } from '../store/rulesHistory.js';
import type { TerritoryIndex } from '../territory/types.js';
import { AccountError, AccountService } from './accounts.js';
import { render, type Deps } from './context.js';
import { DirectoryEditor, type LivePartnerDirectory } from './directory.js';
import { FlashMessages, HttpError, notFound, safeNext, state } from './http.js';
import type { LoginLimits } from './rateLimit.js';
import { mountAdmin } from './routes/admin.js';
import { HOLDER_DATA_PATH, mountHolderData } from './routes/holderData.js';
import { mountAuth } from './routes/auth.js';
import { mountDirectory } from './routes/directory.js';
import { mountInbox } from './routes/inbox.js';
import { mountRules } from './routes/rules.js';
import { mountStats } from './routes/stats.js';
import { RulesWorkspace } from './rulesWorkspace.js';
import { csrfProblem, securityHeaders } from './security.js';
import { SessionManager } from './sessions.js';
import { TerritoryCatalog } from './territories.js';
import { mountTerritories, mountTerritoryGuard, REGIONAL_PATHS } from './routes/territories.js';
import { html } from './views/html.js';
import { checkPublication, type Publications } from './publication.js';

const ASSETS = projectPath('src', 'backoffice', 'assets') + '/';
const COORDINATOR_PATHS = ['/regles', '/rules', '/acteurs', '/partenaires', '/statistiques', '/comptes', '/journal', '/territoires', HOLDER_DATA_PATH];

export interface BackofficeOptions {
  /** Runtime data directory: the back office keeps its files in <dataDir>/backoffice. */
  dataDir: string;
  router: RoutingRouter;
  territory: TerritoryIndex;
  service: ReferralService;
  store: Pick<ReferralStore, 'referrals' | 'stats'>;
  events: EventLogPort | null;
  partners: LivePartnerDirectory;
  rulesDir: string;
  actorsFile: string;
  partnersFile: string;
  /** Directory of named-territories.json (default data/territory). */
  territoryDir?: string;
  secret: string;
  /** The bot server's public address, for the widget snippet. */
  publicUrl: string;
  adminEmail?: string;
  adminPassword?: string;
  /** Trust X-Forwarded-Proto / X-Forwarded-For from a reverse proxy (default false). */
  trustProxy?: boolean;
  /** Secure cookie: `auto` (when the request is HTTPS), `always`, `never`. */
  cookieSecure?: 'auto' | 'always' | 'never';
  now?: () => Date;
  log?: (message: string) => void;
  loginLimits?: LoginLimits;
  /** Queues an e-mail durably (invitations); without it, the coordinator sends the link. */
  sendMail?: (mail: QueuedMail) => Promise<void>;
  /**
   * Production mode: accounts, sessions (anonymous ones too), audit log and rules history in
   * PostgreSQL, shared by every instance. Absent: the embedded files in <dataDir>/backoffice.
   */
  database?: Database;
  /**
   * Several instances: the shared published configuration (followPublications). Saves publish
   * there; publications from other instances reload the router, partner sites and territories.
   */
  publications?: Publications;
}

export interface Backoffice {
  app: express.Express;
  deps: Deps;
  /** Addresses of the active coordinators (monthly report), as read at most a minute ago. */
  coordinatorEmails(): string[];
  /** Resolves once listening; port 0 picks a free port (see `server.address()`). */
  listen(port: number, host?: string): Promise<Server>;
  close(): Promise<void>;
}

export async function createBackoffice(options: BackofficeOptions): Promise<Backoffice> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  const dir = join(options.dataDir, 'backoffice');
  const { database, publications } = options;
  const accountStore: AccountStorePort = database ? new PostgresAccountStore(database) : await AccountStore.open(dir);
  const audit: AuditLogPort = database ? new PostgresAuditLog(database, now) : AuditLog.open(dir, now);
  const history: RulesHistoryPort = database ? new PostgresRulesHistory(database) : await RulesHistory.open(join(dir, 'rules-history'));
  const territories = new TerritoryCatalog(options.territory, options.territoryDir);
  territories.publish = publications?.publish;
  const accounts = new AccountService({ store: accountStore, audit, secret: options.secret, now, limits: options.loginLimits, actorExists: (id) => options.router.actorById(id) !== undefined, territoryExists: (id) => territories.get(id) !== undefined });
  const secure = options.cookieSecure === 'always' ? () => true : options.cookieSecure === 'never' ? () => false : (req: Request) => req.secure;
  const sessions = new SessionManager(accountStore, now, secure, database !== undefined);
  const stats = new Statistics({ store: options.store, events: options.events, territory: options.territory });

  const deps: Deps = {
    router: options.router,
    territory: options.territory,
    service: options.service,
    store: options.store,
    events: options.events,
    accounts,
    sessions,
    audit,
    flash: new FlashMessages(),
    rules: new RulesWorkspace({ router: options.router, territory: options.territory, rulesDir: options.rulesDir, actorsFile: options.actorsFile, history, audit, now, publish: publications?.publish }),
    directory: new DirectoryEditor({ router: options.router, territory: options.territory, rulesDir: options.rulesDir, actorsFile: options.actorsFile, partnersFile: options.partnersFile, partners: options.partners, audit, publish: publications?.publish }),
    partners: options.partners,
    territories,
    stats,
    publicUrl: options.publicUrl,
    sendMail: options.sendMail ?? null,
    now,
    log,
  };

  // Another instance's publication is checked as a save here would be, before its files are written.
  publications?.validateWith((files) => checkPublication(files, options.territory));
  // Another instance's publication: reload what reads the files (an invalid set is refused, the last good one stays).
  publications?.onChange(async (scopes) => {
    if (scopes.has('rules') || scopes.has('actors')) {
      const result = await options.router.reload();
      if (!result.ok) log(`publication reçue mais refusée : ${result.message}`);
    }
    if (scopes.has('partners')) {
      try {
        options.partners.replace(loadPartners(options.partnersFile));
      } catch (error) {
        if (!(error instanceof PartnersFileError)) throw error;
        log(`publication reçue mais refusée : ${error.message}`);
      }
    }
    if (scopes.has('territories')) territories.reload();
  });

  await bootstrapCoordinator(accounts, options, log);
  // E-mails name partner sites and structures, never their ids (issue 13).
  useDirectoryNames({ partner: (id) => options.partners.get(id)?.name, actor: (id) => options.router.actorById(id)?.name });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ? 1 : false);
  app.set('etag', false);
  app.use(securityHeaders);
  app.use('/static', express.static(ASSETS, { index: false, maxAge: '1h', fallthrough: false }));
  app.use(express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 2000 }));
  app.use(express.json({ limit: '512kb' }));

  // Session, then CSRF on every state-changing request, before any route sees it.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const session = await sessions.load(req);
    res.locals.state = { session, account: session?.account ?? null };
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const problem = csrfProblem(req, session?.csrf ?? null);
    if (!problem) return next();
    log(`back-office : requête ${req.method} ${req.path} refusée (${problem})`);
    render(deps, res, { title: 'Requête refusée', body: html`<h1>Requête refusée</h1><p>Ce formulaire a expiré ou ne vient pas du back-office (${problem}). Rechargez la page et recommencez.</p><p><a href="/">Retour à l’accueil</a></p>` }, 403);
  });

  mountAuth(app, deps);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (state(res).account) return next();
    if (req.method === 'GET') return res.redirect(303, `/connexion?suite=${encodeURIComponent(safeNext(req.originalUrl))}`);
    render(deps, res, { title: 'Connexion nécessaire', body: html`<h1>Connexion nécessaire</h1><p>Votre session a expiré. <a href="/connexion">Reconnectez-vous</a>.</p>` }, 401);
  });
  mountInbox(app, deps);
  app.use(COORDINATOR_PATHS, (_req: Request, res: Response, next: NextFunction) => {
    if (state(res).account?.role === 'coordinator') return next();
    render(deps, res, { title: 'Accès réservé', body: html`<h1>Accès réservé à la coordination</h1><p>Cette page est réservée aux coordinateurs d’Aiguillage.</p><p><a href="/orientations">Vos orientations</a></p>` }, 403);
  });
  // A territorial coordinator: regional pages refused, other territories' records hidden.
  app.use(REGIONAL_PATHS, (_req: Request, res: Response, next: NextFunction) => {
    const me = state(res).account;
    if (!me || me.role !== 'coordinator' || !(me.territories ?? []).length) return next();
    render(deps, res, { title: 'Accès réservé', body: html`<h1>Accès réservé à la coordination régionale</h1><p>Cette page concerne tous les territoires : elle est réservée à la coordination régionale.</p><p><a href="/orientations">Vos orientations</a></p>` }, 403);
  });
  mountTerritoryGuard(app, deps);
  mountTerritories(app, deps);
  mountRules(app, deps);
  mountDirectory(app, deps);
  mountStats(app, deps);
  mountAdmin(app, deps, (req) => `${req.protocol}://${req.get('host')}`);
  mountHolderData(app, deps);

  app.use(() => {
    throw notFound();
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = error instanceof HttpError ? error : httpErrorOf(error);
    if (!known) log(`back-office : erreur sur ${req.method} ${req.path} — ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    const status = known?.status ?? 500;
    if (res.headersSent) return res.end();
    if (req.path === '/regles/valider' || req.path === '/rules/validate') return res.status(status).json({ ok: false, issues: [known?.message ?? 'Erreur du serveur.'] });
    render(deps, res, { title: known?.title ?? 'Erreur', body: html`<h1>${known?.title ?? 'Erreur'}</h1><p>${known?.message ?? 'Une erreur nous empêche de répondre. Réessayez dans quelques minutes ; si elle persiste, prévenez la coordination.'}</p><p><a href="/">Retour à l’accueil</a></p>` }, status);
  });

  // Build the statistics indexes now rather than on the first visit.
  const warm = performance.now();
  void stats.refresh().then(
    () => log(`back-office : index des statistiques prêt en ${Math.round(performance.now() - warm)} ms (${stats.referrals.size} orientations, ${stats.conversations.size} conversations)`),
    (e: unknown) => log(`back-office : index des statistiques indisponible — ${e instanceof Error ? e.message : String(e)}`),
  );
  const pruning = setInterval(() => void sessions.prune().catch(() => undefined), 60 * 60_000);
  pruning.unref();
  // The monthly report asks synchronously: the list is read now, then every minute (any instance may add one).
  let coordinators: string[] = [];
  const readCoordinators = () => accounts.coordinatorEmails().then((list) => void (coordinators = list), () => undefined);
  await readCoordinators();
  const coordinatorRefresh = setInterval(() => void readCoordinators(), 60_000);
  coordinatorRefresh.unref();

  let server: Server | undefined;
  return {
    app,
    deps,
    coordinatorEmails: () => coordinators,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server = createServer(app);
        server.once('error', reject);
        server.listen(port, host, () => resolve(server!));
      });
    },
    async close() {
      clearInterval(pruning);
      clearInterval(coordinatorRefresh);
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await audit.close();
    },
  };
}

async function bootstrapCoordinator(accounts: AccountService, options: BackofficeOptions, log: (m: string) => void): Promise<void> {
  if (await accounts.hasCoordinator()) return;
  if (options.adminEmail && options.adminPassword) {
    try {
      await accounts.createCoordinator(options.adminEmail, options.adminPassword);
      log(`back-office : compte de coordination créé pour ${options.adminEmail} (ADMIN_EMAIL)`);
      return;
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      // Another instance starting at the same moment created it.
      if (await accounts.hasCoordinator()) return;
      log(`back-office : ADMIN_EMAIL/ADMIN_PASSWORD refusés — ${error.message}`);
    }
  }
  log(
    'back-office : aucun compte de coordination. Définissez ADMIN_EMAIL et ADMIN_PASSWORD (12 caractères au moins) avant le démarrage, ' +
      'ou, service arrêté : npm run --silent cli -- create-coordinator adresse@exemple.fr (mot de passe lu sur l’entrée standard).',
  );
}

/** Errors raised by express itself (body parser, static files) as French pages. */
function httpErrorOf(error: unknown): HttpError | null {
  const status = (error as { status?: unknown } | null)?.status;
  if (isDatabaseUnavailable(error)) return new HttpError(503, 'Service momentanément indisponible', 'La base de données ne répond pas. Réessayez dans quelques instants.');
  if (status === 404) return notFound();
  if (status === 413) return new HttpError(413, 'Envoi trop volumineux', 'Le contenu envoyé dépasse la taille permise.');
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, 'Requête illisible', 'Cette requête n’a pas pu être lue.');
  return null;
}

export { LivePartnerDirectory } from './directory.js';
