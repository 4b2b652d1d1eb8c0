// Back-office security over HTTP and at the unit level: scrypt, login rate limits, sessions
// and cookies, CSRF, headers, role and actor isolation, the audit log, and the rules workspace
// refusing an invalid set.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/backoffice/passwords.js';
import { LoginLimiter } from '../../src/backoffice/rateLimit.js';
import { InvitationSigner } from '../../src/backoffice/invitations.js';
import { AuditLog } from '../../src/store/auditLog.js';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';

let h: Harness;
let sevreLoireReferral: string;

beforeAll(async () => {
  h = await startBackoffice({ loginLimits: { perAddress: { max: 8, windowMs: 60_000 }, perAccount: { max: 3, windowMs: 60_000 } } });
  const ids = await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' })); // Vallet: Sèvre et Loire
  sevreLoireReferral = ids.find((id) => id.endsWith('-1'))!;
});
afterAll(async () => {
  await h.close();
});

describe('mots de passe', () => {
  it('scrypt N=2^15, r=8, p=1, sel aléatoire ; vérification exacte', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(stored, await hashPassword('correct horse battery staple'), 'sel différent à chaque fois');
    assert.equal(await verifyPassword('correct horse battery staple', stored), true);
    assert.equal(await verifyPassword('correct horse battery stapler', stored), false);
    assert.equal(await verifyPassword('x', 'md5$abc'), false);
    assert.match(passwordProblem('court', undefined, 'a@b.fr')!, /au moins 12 caractères/);
    assert.match(passwordProblem('aaaaaaaaaaaaaa', undefined, 'a@b.fr')!, /répétitif/);
    assert.equal(passwordProblem('une bonne phrase', 'une bonne phrase', 'a@b.fr'), null);
  });

  it('les invitations signées refusent une falsification et expirent', () => {
    const signer = new InvitationSigner('un secret de test assez long');
    const id = InvitationSigner.newId();
    const token = signer.sign(id, new Date('2030-01-08T00:00:00Z'));
    assert.deepEqual(signer.verify(token, new Date('2030-01-01T00:00:00Z')), { ok: true, id, expiresAt: new Date('2030-01-08T00:00:00Z') });
    assert.equal(signer.verify(token, new Date('2030-01-09T00:00:00Z')).ok, false);
    const forged = token.replace(/\.[0-9a-z]+\./, '.zzzzzz.');
    assert.deepEqual(signer.verify(forged, new Date('2030-01-01T00:00:00Z')), { ok: false, reason: 'forged' });
  });
});

describe('limitation des tentatives de connexion', () => {
  it('par compte et par adresse, fenêtre, remise à zéro au succès (rate-limiter-flexible, en mémoire)', async () => {
    const limiter = new LoginLimiter({ perAddress: { max: 4, windowMs: 1000 }, perAccount: { max: 2, windowMs: 1000 } });
    await limiter.failure('10.0.0.1', 'a@x.fr');
    assert.equal(await limiter.check('10.0.0.1', 'a@x.fr'), 0);
    await limiter.failure('10.0.0.2', 'A@x.fr');
    const wait = await limiter.check('10.0.0.3', 'a@x.fr');
    assert.ok(wait > 0 && wait <= 1000, 'le compte est bloqué quelle que soit l’adresse');
    await new Promise((resolve) => setTimeout(resolve, wait + 50));
    assert.equal(await limiter.check('10.0.0.3', 'a@x.fr'), 0, 'les échecs sont sortis de la fenêtre');
    await limiter.failure('10.0.0.3', 'a@x.fr');
    await limiter.failure('10.0.0.3', 'a@x.fr');
    assert.ok((await limiter.check('10.0.0.3', 'a@x.fr')) > 0);
    await limiter.success('a@x.fr');
    assert.equal(await limiter.check('10.0.0.3', 'a@x.fr'), 0);
    for (const email of ['b@x.fr', 'c@x.fr', 'd@x.fr', 'e@x.fr']) await limiter.failure('10.0.0.9', email);
    assert.ok((await limiter.check('10.0.0.9', 'f@x.fr')) > 0, 'l’adresse est bloquée quel que soit le compte');
  });

  it('par HTTP : après trois échecs, même le bon mot de passe est refusé (429, en français)', async () => {
    const member = await h.member('cress-pdl', 'limite@exemple.fr');
    const client = new Client(h.base);
    for (let i = 0; i < 3; i += 1) assert.equal((await client.login('limite@exemple.fr', 'mauvais mot de passe')).status, 401);
    const blocked = await client.login('limite@exemple.fr', member.password);
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.match(await blocked.text(), /Trop de tentatives de connexion\. Réessayez dans 1 minute\./);
  });
});

describe('sessions, cookies, CSRF, en-têtes', () => {
  it('cookie HttpOnly SameSite=Lax, nouvelle session à la connexion, en-têtes de sécurité', async () => {
    const client = new Client(h.base);
    const page = await client.get('/connexion');
    const anonymous = client.cookie;
    assert.match(page.headers.getSetCookie()[0]!, /^aiguillage=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.equal(page.headers.get('x-powered-by'), null);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'same-origin');
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self';.*frame-ancestors 'none'/);
    assert.doesNotMatch(page.headers.get('content-security-policy')!, /unsafe-inline/);
    const res = await client.login(ADMIN.email, ADMIN.password);
    assert.equal(res.status, 303);
    assert.notEqual(client.cookie, anonymous, 'l’identifiant de session change à la connexion');
    assert.equal((await client.get('/orientations')).status, 200);
    assert.equal((await client.get('/orientations')).headers.get('cache-control'), 'no-store');
    // Logout ends the session server-side: replaying the old cookie does not work.
    const old = client.cookie;
    await client.post('/deconnexion', {});
    const replay = await fetch(`${h.base}/orientations`, { headers: { cookie: old }, redirect: 'manual' });
    assert.equal(replay.status, 303);
    assert.match(replay.headers.get('location')!, /^\/connexion\?suite=/);
  });

  it('tout POST sans jeton CSRF valide est refusé (403), comme une origine étrangère', async () => {
    const client = new Client(h.base);
    await client.login(ADMIN.email, ADMIN.password);
    const before = h.router.rulesVersion;
    assert.equal((await client.post('/regles/publier', { message: 'sans jeton' }, { csrf: false })).status, 403);
    assert.equal((await client.post('/regles/publier', { message: 'mauvais jeton', _csrf: 'x'.repeat(32) }, { csrf: false })).status, 403);
    assert.equal((await client.post('/regles/publier', { message: 'autre site' }, { headers: { origin: 'https://malveillant.example' } })).status, 403);
    assert.equal((await client.post('/regles/publier', { message: 'autre site' }, { headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);
    assert.equal((await client.post(`/orientations/${sevreLoireReferral}/action`, { action: 'take_care' }, { csrf: false })).status, 403);
    const anonymousLogin = await fetch(`${h.base}/connexion`, { method: 'POST', body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password }), redirect: 'manual' });
    assert.equal(anonymousLogin.status, 403, 'même la connexion demande le jeton de son formulaire');
    const json = await fetch(`${h.base}/regles/valider`, { method: 'POST', headers: { cookie: client.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ file: 'vignoble.json', mode: 'file', text: '{}' }) });
    assert.equal(json.status, 403);
    assert.equal(h.router.rulesVersion, before);
    assert.equal((await h.referrals.service.get(sevreLoireReferral))!.status, 'pending');
  });

  it('cookie Secure (préfixe __Host-) derrière HTTPS quand le proxy est de confiance', async () => {
    const proxied = await startBackoffice({ trustProxy: true });
    try {
      const res = await fetch(`${proxied.base}/connexion`, { headers: { 'x-forwarded-proto': 'https' } });
      assert.match(res.headers.getSetCookie()[0]!, /^__Host-aiguillage=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
      const plain = await fetch(`${h.base}/connexion`, { headers: { 'x-forwarded-proto': 'https' } });
      assert.match(plain.headers.getSetCookie()[0]!, /^aiguillage=/, 'sans proxy de confiance, l’en-tête est ignoré');
    } finally {
      await proxied.close();
    }
  });
});

describe('droits', () => {
  it('un membre ne voit que les orientations de sa structure (404 sinon) et pas les pages de coordination (403)', async () => {
    const own = await h.member('sevre-loire-eco', 'membre.sevre@exemple.fr');
    const other = await h.member('clisson-sevre-maine-eco', 'membre.clisson@exemple.fr');
    const mine = new Client(h.base);
    await mine.login(own.account.email, own.password);
    const page = await mine.get(`/orientations/${sevreLoireReferral}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /06 12 34 56 78/, 'le membre de la structure concernée voit le contact');
    const stranger = new Client(h.base);
    await stranger.login(other.account.email, other.password);
    const hidden = await stranger.get(`/orientations/${sevreLoireReferral}`);
    assert.equal(hidden.status, 404);
    assert.doesNotMatch(await hidden.text(), /06 12 34 56 78|Camille/);
    assert.equal((await stranger.post(`/orientations/${sevreLoireReferral}/action`, { action: 'take_care' })).status, 404);
    const list = await (await stranger.get('/orientations?onglet=a-traiter&structure=sevre-loire-eco')).text();
    assert.doesNotMatch(list, new RegExp(sevreLoireReferral));
    assert.equal((await stranger.get('/regles')).status, 403);
    assert.equal((await stranger.get('/statistiques/export/orientations.csv')).status, 403);
    assert.equal((await stranger.post('/regles/publier', { message: 'membre' })).status, 403);
  });
});

describe('journal des modifications', () => {
  it('chaque changement est inscrit (qui, quand, quoi) et relu après réouverture', async () => {
    const member = await h.member('sevre-loire-eco', 'journal.sevre@exemple.fr');
    const client = new Client(h.base);
    await client.login(member.account.email, member.password);
    const res = await client.post(`/orientations/${sevreLoireReferral}/action`, { action: 'take_care' });
    assert.equal(res.status, 303);
    assert.equal((await h.referrals.service.get(sevreLoireReferral))!.status, 'taking_care');
    const entry = (await h.backoffice.deps.audit.list({ action: 'referral.take_care' })).entries[0]!;
    assert.equal(entry.by.email, 'journal.sevre@exemple.fr');
    assert.equal(entry.target, sevreLoireReferral);
    assert.ok(Date.now() - Date.parse(entry.at) < 60_000);
    const history = (await h.referrals.service.get(sevreLoireReferral))!.history.at(-1)!;
    assert.equal(history.by, 'actor:sevre-loire-eco', 'même signature que les liens des e-mails');
    const reopened = AuditLog.open(join(h.dir, 'data', 'backoffice'));
    const actions = (await reopened.list({ limit: 1000 })).entries.map((e) => e.action);
    for (const a of ['account.create', 'account.invite', 'auth.login', 'auth.failure', 'referral.take_care']) assert.ok(actions.includes(a), a);
    await reopened.close();
    const coordinator = new Client(h.base);
    await coordinator.login(ADMIN.email, ADMIN.password);
    assert.match(await (await coordinator.get('/journal')).text(), /Orientation AIG-[A-Z0-9-]+ : prendre en charge\./);
  });
});

describe('publication des règles', () => {
  it('POST /rules/validate (JSON, jeton en en-tête) dit si le jeu modifié serait valide', async () => {
    const client = new Client(h.base);
    await client.login(ADMIN.email, ADMIN.password);
    const call = (text: string) =>
      fetch(`${h.base}/rules/validate`, {
        method: 'POST',
        headers: { cookie: client.cookie, 'content-type': 'application/json', 'x-csrf-token': client.csrf },
        body: JSON.stringify({ file: 'filieres.json', mode: 'rule', originalName: 'filiere-installation-agricole', text }),
      }).then((r) => r.json() as Promise<{ ok: boolean; message?: string; issues?: string[] }>);
    const rule = JSON.parse(readFileSync(join(h.rulesDir, 'filieres.json'), 'utf8')).rules[0];
    assert.match((await call(JSON.stringify(rule))).message!, new RegExp(`^Jeu de règles valide : ${h.router.ruleCount} règles`));
    const broken = await call(JSON.stringify({ ...rule, priority: 5000 }));
    assert.equal(broken.ok, false);
    // The rule named in words (its structure, tier and places), the field too.
    assert.match(broken.issues!.join(' '), /^Règle « Chambre d’agriculture Pays de la Loire — Point Accueil Installation Transmission — proximité, [^»]+ », champ « Priorité » : /);
    assert.match((await call('{ "name": ')).issues![0]!, /^Le JSON n’est pas lisible, ligne 1, colonne \d+ : /);
  });

  it('un jeu invalide n’est jamais publié : les fichiers et le routeur restent intacts', async () => {
    const me = await h.coordinator();
    const ws = h.backoffice.deps.rules;
    const file = join(h.rulesDir, 'vignoble.json');
    const before = readFileSync(file, 'utf8');
    const version = h.router.rulesVersion;
    const rule = JSON.parse(before).rules[0];
    rule.event.params.actorId = 'structure-inexistante';
    const saved = await ws.saveEdit(me, { file: 'vignoble.json', mode: 'rule', originalName: rule.name, text: JSON.stringify(rule) });
    assert.ok(saved.ok && !saved.value.ok, 'enregistré dans le brouillon, signalé invalide');
    const client = new Client(h.base);
    await client.login(ADMIN.email, ADMIN.password);
    const draft = await (await client.get('/regles/brouillon')).text();
    assert.match(draft, /champ « Structure » : structure inconnue de l’annuaire \(« structure-inexistante »\)/);
    assert.doesNotMatch(draft, /Publier maintenant/);
    await client.post('/regles/publier', { message: 'tentative invalide' });
    assert.match(await (await client.get('/regles/brouillon')).text(), /Le jeu de règles n’est pas valide : rien n’a été publié/);
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.equal(h.router.rulesVersion, version);
    await ws.discard(me);
  });
});
