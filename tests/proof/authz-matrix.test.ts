// The back office's authorisation matrix: anonymous (with and without a session cookie), a
// member of actor A, a member of actor B, a coordinator of territory A (the Vignoble), of
// territory B (the Pays de Redon) and the regional coordination × every route and action. Each cell is
// what the subject gets: `login` (303 to /connexion, or 401), `refused` (403), `hidden` (404:
// another actor's referral does not exist for you), `allowed` (anything else below 500; forms
// are sent invalid or as no-ops, so that an allowed cell changes nothing that later cells see).
// Then the actions that matter are performed for real: B cannot act on A's referral, A can.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ADMIN, Client, startBackoffice, type Harness } from '../backoffice/harness.js';

type Outcome = 'login' | 'refused' | 'hidden' | 'allowed';
type Subject = 'anon' | 'a' | 'b' | 'coordA' | 'coordB' | 'coord';
const SUBJECTS: Subject[] = ['anon', 'a', 'b', 'coordA', 'coordB', 'coord'];

async function classify(res: Response): Promise<Outcome> {
  const text = await res.text();
  assert.ok(res.status < 500, `HTTP ${res.status}: ${text.slice(0, 300)}`);
  const location = res.headers.get('location') ?? '';
  if (res.status === 401 || (res.status === 303 && location.startsWith('/connexion'))) return 'login';
  if (res.status === 403) return 'refused';
  if (res.status === 404) return 'hidden';
  return 'allowed';
}

const everyone = (o: Outcome): Record<Subject, Outcome> => ({ anon: o, a: o, b: o, coordA: o, coordB: o, coord: o });
const staff: Record<Subject, Outcome> = { anon: 'login', a: 'allowed', b: 'allowed', coordA: 'allowed', coordB: 'allowed', coord: 'allowed' };
/** Every coordinator, whatever their territory (pages filtered to it). */
const coordinatorOnly: Record<Subject, Outcome> = { anon: 'login', a: 'refused', b: 'refused', coordA: 'allowed', coordB: 'allowed', coord: 'allowed' };
/** Pages about every territory: the regional coordination only. */
const regionalOnly: Record<Subject, Outcome> = { ...coordinatorOnly, coordA: 'refused', coordB: 'refused' };
/** A record of territory A (Vignoble) or B (Redon): hidden from the other territory's coordinator. */
const territoryOf = (t: 'A' | 'B', outsider: Outcome = 'hidden'): Record<Subject, Outcome> => ({ ...coordinatorOnly, coordA: t === 'A' ? 'allowed' : outsider, coordB: t === 'B' ? 'allowed' : outsider });
/** A referral of the Vignoble handled by member A or B. */
const ownerOf = (owner: 'a' | 'b'): Record<Subject, Outcome> => ({ anon: 'login', a: owner === 'a' ? 'allowed' : 'hidden', b: owner === 'b' ? 'allowed' : 'hidden', coordA: 'allowed', coordB: 'hidden', coord: 'allowed' });

describe('back office: authorisation matrix', () => {
  let h: Harness;
  let clients: Record<Subject, Client>;
  let refA: string;
  let refB: string;
  let refRedon: string;
  let memberA: string;
  let rule: string;

  beforeAll(async () => {
    h = await startBackoffice({ loginLimits: { perAddress: { max: 100, windowMs: 60_000 }, perAccount: { max: 100, windowMs: 60_000 } } });
    refA = (await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' }))).find((id) => id.endsWith('-1'))!; // Vallet: Sèvre et Loire
    refB = (await h.refer(h.profileAt('44043', { stage: 'creation', sector: 'habitat' }))).find((id) => id.endsWith('-1'))!; // Clisson
    refRedon = (await h.refer(h.profileAt('35236', { stage: 'creation', sector: 'habitat' })))[0]!; // Redon
    const recordA = (await h.referrals.service.get(refA))!;
    const recordB = (await h.referrals.service.get(refB))!;
    assert.notEqual(recordA.actorId, recordB.actorId, 'two referrals to two different actors');
    const a = await h.member(recordA.actorId, 'membre.a@exemple.fr');
    const b = await h.member(recordB.actorId, 'membre.b@exemple.fr');
    memberA = a.account.id;
    rule = (JSON.parse(readFileSync(join(h.rulesDir, 'vignoble.json'), 'utf8')) as { rules: { name: string }[] }).rules[0]!.name;
    const coordA = await h.territorialCoordinator('coordination.vignoble@exemple.fr', ['vignoble-nantais']);
    const coordB = await h.territorialCoordinator('coordination.redon@exemple.fr', ['pays-de-redon']);
    clients = { anon: new Client(h.base), a: new Client(h.base), b: new Client(h.base), coordA: new Client(h.base), coordB: new Client(h.base), coord: new Client(h.base) };
    await clients.anon.get('/connexion'); // an anonymous session with its own CSRF token
    assert.equal((await clients.a.login(a.account.email, a.password)).status, 303);
    assert.equal((await clients.b.login(b.account.email, b.password)).status, 303);
    assert.equal((await clients.coordA.login(coordA.account.email, coordA.password)).status, 303);
    assert.equal((await clients.coordB.login(coordB.account.email, coordB.password)).status, 303);
    assert.equal((await clients.coord.login(ADMIN.email, ADMIN.password)).status, 303);
  });
  afterAll(async () => {
  await h?.close();
});

  it('every page (GET), for every subject', async () => {
    const pages: Array<[string, Record<Subject, Outcome>]> = [
      ['/connexion', everyone('allowed')],
      ['/static/backoffice.css', everyone('allowed')],
      ['/invitation/lien-inventé', everyone('allowed')],
      ['/', staff],
      ['/orientations', staff],
      ['/orientations?onglet=en-cours', staff],
      [`/orientations/${refA}`, ownerOf('a')],
      [`/orientations/${refB}`, ownerOf('b')],
      [`/orientations/${refRedon}`, { ...territoryOf('B'), a: 'hidden', b: 'hidden' }],
      ['/orientations/AIG-2222-22-1', { anon: 'login', a: 'hidden', b: 'hidden', coordA: 'hidden', coordB: 'hidden', coord: 'hidden' }],
      ['/territoires', coordinatorOnly],
      ['/territoires/vignoble-nantais', territoryOf('A')],
      ['/territoires/pays-de-redon', territoryOf('B')],
      ['/territoires/atlantide', { ...coordinatorOnly, coordA: 'hidden', coordB: 'hidden', coord: 'hidden' }],
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
      ['/acteurs/clisson-sevre-maine-eco', territoryOf('A')],
      ['/acteurs/cades-redon', territoryOf('B')],
      ['/partenaires', coordinatorOnly],
      ['/partenaires/nouveau', coordinatorOnly],
      ['/partenaires/demo', territoryOf('A')],
      ['/partenaires/demo-redon', territoryOf('B')],
      ['/statistiques', coordinatorOnly],
      ['/statistiques/export/orientations.csv', coordinatorOnly],
      ['/statistiques/export/orientations-par-statut.csv', coordinatorOnly],
      ['/comptes', regionalOnly],
      ['/journal', regionalOnly],
      ['/donnees-personnelles', regionalOnly],
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
      [`/orientations/${refA}/reorienter`, { actorId: '' }, { anon: 'login', a: 'hidden', b: 'hidden', coordA: 'allowed', coordB: 'hidden', coord: 'allowed' }],
      [`/orientations/${refRedon}/reorienter`, { actorId: '' }, { anon: 'login', a: 'hidden', b: 'hidden', coordA: 'hidden', coordB: 'allowed', coord: 'allowed' }],
      [`/orientations/${refRedon}/action`, { action: 'inexistante' }, { anon: 'login', a: 'hidden', b: 'hidden', coordA: 'hidden', coordB: 'allowed', coord: 'allowed' }],
      ['/mon-compte/mot-de-passe', { current: 'pas le bon', password: 'x', confirmation: 'y' }, staff],
      ['/regles/valider', { file: 'vignoble.json', mode: 'file', text: '{' }, coordinatorOnly],
      [`/regles/regle/vignoble.json/${encodeURIComponent(rule)}`, { text: '{' }, territoryOf('A', 'refused')],
      [`/regles/regle/vignoble.json/${encodeURIComponent(rule)}/json`, { text: '{' }, regionalOnly],
      [`/regles/regle/other-territories.json/redon-proximite`, { text: '{' }, territoryOf('B', 'refused')],
      ['/regles/nouvelle/vignoble.json', { text: '{' }, coordinatorOnly],
      ['/regles/nouvelle/vignoble.json/json', { text: '{' }, regionalOnly],
      ['/regles/fichier/vignoble.json', { text: '{' }, regionalOnly],
      ['/regles/brouillon/abandonner', {}, coordinatorOnly],
      ['/regles/publier', { message: 'rien à publier' }, coordinatorOnly],
      ['/regles/historique/1/restaurer', {}, regionalOnly],
      ['/acteurs/nouvelle', {}, coordinatorOnly],
      // Shared structures (the CRESS serves the whole region): read-only to a territory's coordinator.
      ['/acteurs/cress-pdl/activation', { active: '1' }, regionalOnly],
      ['/acteurs/cress-pdl/adresse', { email: 'x@exemple.fr' }, regionalOnly],
      ['/acteurs/cress-pdl', {}, regionalOnly],
      ['/acteurs/cades-redon/adresse', { email: 'x@exemple.fr' }, territoryOf('B')],
      ['/acteurs/clisson-sevre-maine-eco/adresse', { email: 'x@exemple.fr' }, territoryOf('A')],
      ['/partenaires/nouveau', {}, coordinatorOnly],
      ['/partenaires/demo-redon', { name: '' }, territoryOf('B')],
      ['/partenaires/demo', { name: '' }, territoryOf('A')],
      ['/territoires/nouveau', { id: '', nom: '', epcis: '' }, regionalOnly],
      ['/territoires/pays-de-redon', { nom: '', epcis: '' }, regionalOnly],
      ['/statistiques/export/orientations-nominatives.csv', {}, coordinatorOnly],
      ['/comptes/inviter', { email: 'pas-une-adresse', role: 'coordinator' }, regionalOnly],
      [`/comptes/${memberA}/activation`, { active: '1' }, regionalOnly],
      ['/comptes/invitations/inconnue/annuler', {}, regionalOnly],
      ['/donnees-personnelles', { reference: 'pas une référence', proof: 'x', action: 'export' }, regionalOnly],
      // Last: they change drafts (each account's own, not what is published).
      [`/regles/regle/other-territories.json/redon-proximite/supprimer`, {}, territoryOf('B', 'refused')],
      [`/regles/regle/vignoble.json/${encodeURIComponent(rule)}/supprimer`, {}, territoryOf('A', 'refused')],
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
    assert.equal((await h.backoffice.deps.accounts.store.accountByEmail('membre.a@exemple.fr'))!.active, true);
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
