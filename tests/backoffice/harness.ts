// Test harness: the back office in-process on port 0, over temporary copies of the rules, the
// actors and the partners, with a real referral store, event log and live router (no file
// watching: publication reloads the router itself, as in production).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackoffice, LivePartnerDirectory, type Backoffice, type BackofficeOptions } from '../../src/backoffice/index.js';
import { followPublications, type Publications } from '../../src/backoffice/publication.js';
import type { Database } from '../../src/store/postgres/database.js';
import { loadPartners } from '../../src/channels/partners.js';
import { emptyProfile, type Profile } from '../../src/domain/profile.js';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { createRouter, type Router } from '../../src/routing/index.js';
import { EventLog } from '../../src/store/eventLog.js';
import type { Account } from '../../src/store/accountStore.js';
import { loadTerritory } from '../../src/territory/index.js';
import type { TerritoryIndex } from '../../src/territory/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ADMIN = { email: 'coordination@exemple.fr', password: 'une longue phrase de passe' };
export const SECRET = 'secret-de-test-du-back-office-0123456789';

export interface Harness {
  base: string;
  dir: string;
  rulesDir: string;
  actorsFile: string;
  partnersFile: string;
  /** Temporary copy of data/territory (the « Territoires » page writes there). */
  territoryDir: string;
  territory: TerritoryIndex;
  router: Router;
  referrals: Referrals;
  events: EventLog;
  partners: LivePartnerDirectory;
  backoffice: Backoffice;
  /** With a database: the instance's follower of the shared published configuration. */
  publications: Publications | null;
  coordinator(): Promise<Account>;
  /** A coordinator of `territories` (empty: regional), with its password. */
  territorialCoordinator(email: string, territories: string[]): Promise<{ account: Account; password: string }>;
  /** A member account of `actorId` (created through an invitation), with its password. */
  member(actorId: string, email: string): Promise<{ account: Account; password: string }>;
  /** A referral as the bot would create it, routed by the live router. */
  refer(profile: Profile, name?: string): Promise<string[]>;
  profileAt(code: string, patch?: Partial<Profile>): Profile;
  close(): Promise<void>;
}

/**
 * With `smtpUrl`, e-mails (invitations included) go to that server, as `npm start` wires them.
 * With `database`, the back office is one instance of several on that database: its stores are
 * there and its files follow the shared publication (polled every `pollMs`).
 */
export async function startBackoffice(options: Partial<BackofficeOptions> = {}, mail: { smtpUrl?: string; database?: Database; pollMs?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'aig-backoffice-'));
  const rulesDir = join(dir, 'rules');
  const actorsFile = join(dir, 'actors.json');
  const partnersFile = join(dir, 'partners.json');
  cpSync(join(ROOT, 'rules'), rulesDir, { recursive: true });
  cpSync(join(ROOT, 'data', 'actors.json'), actorsFile);
  cpSync(join(ROOT, 'data', 'partners.json'), partnersFile);
  const territoryDir = join(dir, 'territory');
  cpSync(join(ROOT, 'data', 'territory'), territoryDir, { recursive: true });
  const publications = mail.database ? await followPublications(mail.database, { rulesDir, actorsFile, partnersFile, territoryDir, intervalMs: mail.pollMs }) : null;
  const territory = loadTerritory();
  const router = await createRouter({ rulesDir, actorsFile, territory });
  const dataDir = join(dir, 'data');
  const referrals = await openReferrals({ dataDir, publicUrl: 'http://localhost:3978', actors: router, mailFrom: 'Aiguillage <test@example.org>', secret: SECRET, smtpUrl: mail.smtpUrl });
  const events = new EventLog(join(dataDir, 'events'));
  const partners = new LivePartnerDirectory(loadPartners(partnersFile));
  const backoffice = await createBackoffice({
    dataDir,
    router,
    territory,
    service: referrals.service,
    store: referrals.store,
    events,
    partners,
    rulesDir,
    actorsFile,
    partnersFile,
    territoryDir,
    secret: SECRET,
    publicUrl: 'https://aiguillage.example.org',
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    sendMail: mail.smtpUrl ? (m) => referrals.sendMail(m) : undefined,
    ...(mail.database ? { database: mail.database, publications: publications! } : {}),
    ...options,
  });
  const server = await backoffice.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = backoffice.deps.accounts;
  let conversation = 0;

  const profileAt = (code: string, patch: Partial<Profile> = {}): Profile => {
    const c = territory.commune(code)!;
    return { ...emptyProfile(), commune: { code: c.code, nom: c.nom }, epci: c.epci, departement: c.departement, ...patch };
  };

  return {
    base,
    dir,
    rulesDir,
    actorsFile,
    partnersFile,
    territoryDir,
    territory,
    router,
    referrals,
    events,
    partners,
    backoffice,
    publications,
    profileAt,
    coordinator: async () => (await accounts.store.accountByEmail(ADMIN.email))!,
    async territorialCoordinator(email, territories) {
      const password = 'mot de passe de la coordination 42';
      const account = await accounts.createCoordinator(email, password, undefined, '', territories);
      return { account, password };
    },
    async member(actorId, email) {
      const password = 'mot de passe du membre 42';
      const { token } = await accounts.invite((await accounts.store.accountByEmail(ADMIN.email))!, { email, name: `Membre ${actorId}`, role: 'member', actorId });
      const account = await accounts.acceptInvitation(token, { name: '', password, confirmation: password });
      return { account, password };
    },
    async refer(profile, name = 'Camille Porteuse') {
      conversation += 1;
      const decision = await router.route(profile);
      const result = await referrals.service.createReferral({
        conversationId: `conv-backoffice-${process.pid}-${conversation}`,
        partnerId: 'vignoble-nantais',
        profile,
        decision,
        consent: { textVersion: 'consentement-v1' },
        contact: { name, email: `porteur.${conversation}@exemple.fr`, phone: '06 12 34 56 78', channel: 'phone', preferredTime: 'le matin' },
      });
      return result.referrals.map((r) => r.id);
    },
    async close() {
      await publications?.close();
      await backoffice.close();
      await events.close();
      await referrals.close();
      router.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fetch-based client keeping its cookie, reading the CSRF token from pages. */
export class Client {
  cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  async get(path: string): Promise<Response> {
    const res = await fetch(this.base + path, { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.keep(res);
    if ((res.headers.get('content-type') ?? '').includes('text/html')) {
      const text = await res.clone().text();
      const token = /<meta name="csrf-token" content="([^"]*)"/.exec(text)?.[1];
      if (token) this.csrf = token;
    }
    return res;
  }

  async post(path: string, form: Record<string, string>, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
    const body = new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: this.csrf }), ...form });
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      body,
      redirect: 'manual',
    });
    this.keep(res);
    return res;
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = pair!.split('=');
      if (name!.includes('aiguillage')) this.cookie = value ? `${name}=${value}` : '';
    }
  }

  async login(email: string, password: string): Promise<Response> {
    await this.get('/connexion');
    const res = await this.post('/connexion', { email, password });
    if (res.status === 303) await this.get('/orientations');
    return res;
  }
}
