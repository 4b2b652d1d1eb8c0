// The back office's authorisation matrix: anonymous (with and without a session cookie), a
// member of actor A, a member of actor B, a coordinator × every route and action. Each cell is
// what the subject gets: `login` (303 to /connexion, or 401), `refused` (403), `hidden` (404:
// another actor's referral does not exist for you), `allowed` (anything else below 500; forms
// are sent invalid or as no-ops, so that an allowed cell changes nothing that later cells see).
// Then the actions that matter are performed for real: B cannot act on A's referral, A can.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN, Client, startBackoffice, type Harness } from '../backoffice/harness.js';

type Outcome = 'login' | 'refused' | 'hidden' | 'allowed';
type Subject = 'anon' | 'a' | 'b' | 'coord';
const SUBJECTS: Subject[] = ['anon', 'a', 'b', 'coord'];

async function classify(res: Response): Promise<Outcome> {
  const text = await res.text();
  assert.ok(res.status < 500, `HTTP ${res.status}: ${text.slice(0, 300)}`);
  const location = res.headers.get('location') ?? '';
  if (res.status === 401 || (res.status === 303 && location.startsWith('/connexion'))) return 'login';
  if (res.status === 403) return 'refused';
  if (res.status === 404) return 'hidden';
  return 'allowed';
}

const everyone = (o: Outcome): Record<Subject, Outcome> => ({ anon: o, a: o, b: o, coord: o });
const staff: Record<Subject, Outcome> = { anon: 'login', a: 'allowed', b: 'allowed', coord: 'allowed' };
const coordinatorOnly: Record<Subject, Outcome> = { anon: 'login', a: 'refused', b: 'refused', coord: 'allowed' };
const ownerOf = (owner: 'a' | 'b'): Record<Subject, Outcome> => ({ anon: 'login', a: owner === 'a' ? 'allowed' : 'hidden', b: owner === 'b' ? 'allowed' : 'hidden', coord: 'allowed' });

describe('back office: authorisation matrix', () => {
  let h: Harness;
  let clients: Record<Subject, Client>;
  let refA: string;
  let refB: string;
  let memberA: string;
  let rule: string;

  before(async () => {
    h = await startBackoffice({ loginLimits: { perAddress: { max: 100, windowMs: 60_000 }, perAccount: { max: 100, windowMs: 60_000 } } });
    refA = (await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' }))).find((id) => id.endsWith('-1'))!; // Vallet: Sèvre et Loire
    refB = (await h.refer(h.profileAt('44043', { stage: 'creation', sector: 'habitat' }))).find((id) => id.endsWith('-1'))!; // Clisson
    const recordA = (await h.referrals.service.get(refA))!;
    const recordB = (await h.referrals.service.get(refB))!;
    assert.notEqual(recordA.actorId, recordB.actorId, 'two referrals to two different actors');
    const a = await h.member(recordA.actorId, 'membre.a@exemple.fr');
    const b = await h.member(recordB.actorId, 'membre.b@exemple.fr');
    memberA = a.account.id;
    rule = (JSON.parse(readFileSync(join(h.rulesDir, 'vignoble.json'), 'utf8')) as { rules: { name: string }[] }).rules[0]!.name;
    clients = { anon: new Client(h.base), a: new Client(h.base), b: new Client(h.base), coord: new Client(h.base) };
    await clients.anon.get('/connexion'); // an anonymous session with its own CSRF token
    assert.equal((await clients.a.login(a.account.email, a.password)).status, 303);
    assert.equal((await clients.b.login(b.account.email, b.password)).status, 303);
    assert.equal((await clients.coord.login(ADMIN.email, ADMIN.password)).status, 303);
  });
  after(() => h?.close());

  it('every page (GET), for every subject', async () => {
    const pages: Array<[string, Record<Subject, Outcome>]> = [
      ['/connexion', everyone('allowed')],
      ['/static/backoffice.css', everyone('allowed')],
      ['/invitation/lien-inventé', { anon: 'allowed', a: 'allowed', b: 'allowed', coord: 'allowed' }],
      ['/', staff],
      ['/orientations', staff],
      ['/orientations?onglet=en-cours', staff],
      [`/orientations/${refA}`, ownerOf('a')],
      [`/orientations/${refB}`, ownerOf('b')],
      ['/orientations/AIG-2222-22-1', { anon: 'login', a: 'hidden', b: 'hidden', coord: 'hidden' }],
      ['/mon-compte', staff],
      ['/regles', coordinatorOnly],
      [`/regles/regle/vignoble.json/${encodeURIComponent(rule)}`, coordinatorOnly],
      ['/regles/nouvelle/vignoble.json', coordinatorOnly],
      ['/regles/fichier/vignoble.json', coordinatorOnly],
      ['/regles/brouillon', coordinatorOnly],
      ['/regles/simuler', coordinatorOnly],
      ['/regles/couverture', coordinatorOnly],
      ['/regles/historique', coordinatorOnly],
      ['/acteurs', coordinatorOnly],
      ['/acteurs/nouvelle', coordinatorOnly],
      ['/acteurs/cress-pdl', coordinatorOnly],
      ['/partenaires', coordinatorOnly],
      ['/partenaires/nouveau', coordinatorOnly],
      ['/partenaires/demo', coordinatorOnly],
      ['/statistiques', coordinatorOnly],
      ['/statistiques/export/orientations.csv', coordinatorOnly],
      ['/statistiques/export/orientations-par-statut.csv', coordinatorOnly],
      ['/comptes', coordinatorOnly],
      ['/journal', coordinatorOnly],
      ['/donnees-personnelles', coordinatorOnly],
    ];
    const seen: string[] = [];
    for (const [path, expected] of pages) {
      for (const who of SUBJECTS) {
        const got = await classify(await clients[who].get(path));
        seen.push(`${path} ${who}=${got}`);
        assert.equal(got, expected[who], `GET ${path} as ${who}`);
      }
    }
    // Without any cookie at all, the same as anonymous.
    for (const [path, expected] of pages) {
      const res = await fetch(h.base + path, { redirect: 'manual' });
      assert.equal(await classify(res), expected.anon, `GET ${path} without cookie`);
    }
  });

  it('every action (POST with the subject’s own CSRF token), for every subject', async () => {
    const actions: Array<[string, Record<string, string>, Record<Subject, Outcome>]> = [
      [`/orientations/${refA}/action`, { action: 'inexistante' }, ownerOf('a')],
      [`/orientations/${refB}/action`, { action: 'inexistante' }, ownerOf('b')],
      [`/orientations/${refA}/reorienter`, { actorId: '' }, { anon: 'login', a: 'hidden', b: 'hidden', coord: 'allowed' }],
      ['/mon-compte/mot-de-passe', { current: 'pas le bon', password: 'x', confirmation: 'y' }, staff],
      ['/regles/valider', { file: 'vignoble.json', mode: 'file', text: '{' }, coordinatorOnly],
      [`/regles/regle/vignoble.json/${encodeURIComponent(rule)}`, { text: '{' }, coordinatorOnly],
      ['/regles/nouvelle/vignoble.json', { text: '{' }, coordinatorOnly],
      ['/regles/fichier/vignoble.json', { text: '{' }, coordinatorOnly],
      ['/regles/brouillon/abandonner', {}, coordinatorOnly],
      ['/regles/publier', { message: 'rien à publier' }, coordinatorOnly],
      ['/regles/historique/1/restaurer', {}, coordinatorOnly],
      ['/acteurs/nouvelle', {}, coordinatorOnly],
      ['/acteurs/cress-pdl/activation', { active: '1' }, coordinatorOnly],
      ['/acteurs/cress-pdl/adresse', { email: 'x@exemple.fr' }, coordinatorOnly],
      ['/partenaires/nouveau', {}, coordinatorOnly],
      ['/statistiques/export/orientations-nominatives.csv', {}, coordinatorOnly],
      ['/comptes/inviter', { email: 'pas-une-adresse', role: 'coordinator' }, coordinatorOnly],
      [`/comptes/${memberA}/activation`, { active: '1' }, coordinatorOnly],
      ['/comptes/invitations/inconnue/annuler', {}, coordinatorOnly],
      ['/donnees-personnelles', { reference: 'pas une référence', proof: 'x', action: 'export' }, coordinatorOnly],
      // Last: it changes the draft (not what is published).
      [`/regles/regle/vignoble.json/${encodeURIComponent(rule)}/supprimer`, {}, coordinatorOnly],
    ];
    for (const [path, form, expected] of actions) {
      for (const who of SUBJECTS) {
        await clients[who].get(who === 'anon' ? '/connexion' : '/mon-compte'); // a fresh CSRF token
        const got = await classify(await clients[who].post(path, form));
        assert.equal(got, expected[who], `POST ${path} as ${who}`);
      }
      // No cookie: no session, no CSRF token: refused before anything.
      const bare = await fetch(h.base + path, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
      assert.equal(await classify(bare), 'refused', `POST ${path} without cookie`);
      // A coordinator's session without its token, or from another site: refused (CSRF).
      assert.equal(await classify(await clients.coord.post(path, form, { csrf: false })), 'refused', `POST ${path} without CSRF token`);
      assert.equal(await classify(await clients.coord.post(path, form, { headers: { origin: 'https://malveillant.example' } })), 'refused', `POST ${path} from another site`);
    }
    assert.equal((await h.referrals.service.get(refA))!.status, 'pending', 'nothing changed so far');
    assert.equal(h.backoffice.deps.accounts.store.accountByEmail('membre.a@exemple.fr')!.active, true);
  });

  it('the real actions: B cannot take A’s referral in charge, A can; a member cannot publish rules', async () => {
    const version = h.router.rulesVersion;
    await clients.b.get('/mon-compte');
    assert.equal(await classify(await clients.b.post(`/orientations/${refA}/action`, { action: 'take_care' })), 'hidden');
    assert.equal((await h.referrals.service.get(refA))!.status, 'pending');
    await clients.a.get(`/orientations/${refA}`);
    assert.equal(await classify(await clients.a.post('/regles/publier', { message: 'membre' })), 'refused');
    assert.equal(h.router.rulesVersion, version);
    const res = await clients.a.post(`/orientations/${refA}/action`, { action: 'take_care' });
    assert.equal(res.status, 303);
    assert.equal((await h.referrals.service.get(refA))!.status, 'taking_care');
    // B's member still sees nothing of it, even the inbox filtered on A's actor.
    const list = await (await clients.b.get(`/orientations?onglet=en-cours&structure=${(await h.referrals.service.get(refA))!.actorId}`)).text();
    assert.doesNotMatch(list, new RegExp(refA));
  });
});
