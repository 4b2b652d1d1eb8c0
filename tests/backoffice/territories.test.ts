// Territories as tenants: what a coordinator of one territory sees (referrals, statistics and
// CSV of their territory only), how the regional coordination creates a territory from the
// « Territoires » page, the rule form kept inside a territory, create-coordinator --territoire,
// and a holder on each territory's demo page getting that territory's structures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { loadPartners } from '../../src/channels/partners.js';
import { allText, proposal, untilConsent, type Reply } from '../bot/holder.js';
import { Holder } from '../bot/holder.js';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('territories: a coordinator sees only their territory', () => {
  let h: Harness;
  let vignoble: Client;
  let redon: Client;
  let regional: Client;
  let refVallet: string;
  let refRedon: string;

  beforeAll(async () => {
    h = await startBackoffice();
    refVallet = (await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' })))[0]!;
    refRedon = (await h.refer(h.profileAt('35236', { stage: 'creation', sector: 'habitat' })))[0]!;
    const a = await h.territorialCoordinator('coordination.vignoble@exemple.fr', ['vignoble-nantais']);
    const b = await h.territorialCoordinator('coordination.redon@exemple.fr', ['pays-de-redon']);
    vignoble = new Client(h.base);
    redon = new Client(h.base);
    regional = new Client(h.base);
    assert.equal((await vignoble.login(a.account.email, a.password)).status, 303);
    assert.equal((await redon.login(b.account.email, b.password)).status, 303);
    assert.equal((await regional.login(ADMIN.email, ADMIN.password)).status, 303);
  });
  afterAll(async () => {
  await h?.close();
});

  const csvIds = async (c: Client, query = '') => {
    const res = await c.get(`/statistiques/export/orientations.csv${query}`);
    assert.equal(res.status, 200);
    return (await res.text()).split('\r\n').slice(1).filter(Boolean).map((l) => l.split(';')[0]!.replace(/"/g, ''));
  };

  it('the CSV of a territorial coordinator holds their territory’s referrals only, whatever territory is asked', async () => {
    const redonIds = await csvIds(redon);
    assert.ok(redonIds.includes(refRedon), redonIds.join());
    assert.ok(!redonIds.includes(refVallet), redonIds.join());
    assert.deepEqual(await csvIds(redon, '?territoire=vignoble-nantais'), redonIds, 'asking for another territory gives their own');
    const vignobleIds = await csvIds(vignoble);
    assert.ok(vignobleIds.includes(refVallet) && !vignobleIds.includes(refRedon), vignobleIds.join());
    const all = await csvIds(regional);
    assert.ok(all.includes(refVallet) && all.includes(refRedon), all.join());
  });

  it('statistics: only their territory is offered and counted; the inbox lists only their referrals', async () => {
    const page = await (await redon.get('/statistiques')).text();
    assert.match(page, /Pays de Redon/);
    assert.doesNotMatch(page, /Clisson Sèvre et Maine|Sèvre et Loire/);
    const csv = await (await redon.get('/statistiques/export/par-territoire.csv')).text();
    assert.doesNotMatch(csv, /Clisson|Sèvre et Loire/);
    const inbox = await (await redon.get('/orientations')).text();
    assert.match(inbox, new RegExp(refRedon));
    assert.doesNotMatch(inbox, new RegExp(refVallet));
    const regionalInbox = await (await regional.get('/orientations')).text();
    assert.match(regionalInbox, new RegExp(refVallet));
  });

  it('structures and partner sites: their own listed, shared ones read-only, the others’ absent', async () => {
    const actors = await (await redon.get('/acteurs')).text();
    assert.match(actors, /CADES/);
    assert.match(actors, /CRESS/);
    assert.doesNotMatch(actors, /Sèvre et Loire/);
    const partners = await (await redon.get('/partenaires')).text();
    assert.match(partners, /Démonstration — Pays de Redon/);
    assert.doesNotMatch(partners, /Vignoble/);
    const territory = await (await redon.get('/territoires/pays-de-redon')).text();
    assert.match(territory, /CA Redon Agglomération/);
    assert.match(territory, /CADES, pôle ESS du Pays de Redon/);
    assert.match(territory, /coordination\.redon@exemple\.fr/);
    assert.match(territory, /Structures partagées[\s\S]*CRESS/);
  });

  it('a new structure or partner site of a territorial coordinator stays inside their territory', async () => {
    await redon.get('/partenaires/nouveau');
    const partner = { id: 'site-ailleurs', name: 'Site ailleurs', greetingName: 'le site', origins: 'https://ailleurs.example.org', primary: '#005a7d', territoryLabel: 'Sèvre et Loire', territoryEpci: 'epci:200067866' };
    const refused = await redon.post('/partenaires/nouveau', partner);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /doit être dans vos territoires \(Pays de Redon\)/);
    assert.equal(h.partners.get('site-ailleurs'), undefined);
    const accepted = await redon.post('/partenaires/nouveau', { ...partner, id: 'site-redon', territoryLabel: 'Pays de Redon', territoryEpci: 'epci:243500741' });
    assert.equal(accepted.status, 303, await accepted.text());
    await redon.get('/acteurs/nouvelle');
    const actor = await redon.post('/acteurs/nouvelle', { id: 'structure-departementale', name: 'Structure départementale', role: 'local', zones: 'departement:44', stages: 'idee', sectorsAll: 'all', recontactDays: '7', notificationEmail: 'x@example.org' });
    assert.equal(actor.status, 400);
    assert.match(await actor.text(), /relève de la coordination régionale/);
    assert.equal(h.router.actorById('structure-departementale'), undefined);
  });

  it('the rules table opens on their territory; the regional rules are marked read-only', async () => {
    const table = await (await redon.get('/regles')).text();
    assert.match(table, /<th scope="row">CADES/);
    assert.match(table, /régionale : lecture seule/);
    assert.doesNotMatch(table, /<th scope="row">Communauté de communes Sèvre et Loire/);
    const everything = await (await redon.get('/regles?territoire=')).text();
    assert.match(everything, /<th scope="row">Communauté de communes Sèvre et Loire/);
    const coverage = await (await redon.get('/regles/couverture')).text();
    assert.match(coverage, /CA Redon Agglomération \(31 communes\)/);
    assert.match(coverage, /Trous \(seul un recours répond\)\s*:\s*<strong>0<\/strong>/);
    const own = await (await regional.get('/regles')).text();
    assert.doesNotMatch(own, /lecture seule/);
  });

  it('the rule form keeps a territorial coordinator’s rules inside their territory', async () => {
    await redon.get('/regles/nouvelle/other-territories.json');
    const base = { actorId: 'cades-redon', tier: 'expert', priority: '50', reason: 'Parce que votre projet est {lieu}, le CADES vous accompagne.', intent: 'save' };
    const outside = await redon.post('/regles/nouvelle/other-territories.json', { ...base, places: 'epci:200067866' });
    assert.equal(outside.status, 400);
    assert.match(await outside.text(), /vos règles s’appliquent dans vos territoires \(Pays de Redon\)/);
    const inside = await redon.post('/regles/nouvelle/other-territories.json', { ...base, places: 'commune:35236' });
    assert.equal(inside.status, 303, await inside.text());
  });

  it('the regional coordination creates a territory by naming its intercommunality; a territorial coordinator cannot', async () => {
    await redon.get('/territoires');
    assert.equal((await redon.post('/territoires/nouveau', { id: 'pays-de-retz', nom: 'Pays de Retz', epcis: 'Pornic Agglo Pays de Retz' })).status, 403);
    const page = await (await regional.get('/territoires')).text();
    assert.match(page, /Créer un territoire/);
    const bad = await regional.post('/territoires/nouveau', { id: 'Pays Retz', nom: 'Pays de Retz', epcis: 'Atlantide' });
    assert.equal(bad.status, 400);
    const text = await bad.text();
    assert.match(text, /« Atlantide » n’est le nom d’aucune intercommunalité/);
    const res = await regional.post('/territoires/nouveau', { id: 'pays-de-retz', nom: 'Pays de Retz', epcis: 'Pornic Agglo Pays de Retz' });
    assert.equal(res.status, 303, await res.text());
    assert.equal(res.headers.get('location'), '/territoires/pays-de-retz');
    const saved = JSON.parse(readFileSync(join(h.territoryDir, 'named-territories.json'), 'utf8')) as { territories: Array<{ id: string; epcis: string[] }> };
    assert.deepEqual(saved.territories.find((t) => t.id === 'pays-de-retz')?.epcis, ['200067346']);
    assert.match(await (await regional.get('/territoires/pays-de-retz')).text(), /prochain redémarrage/);
  });

  it('the regional coordination edits a territory’s name and intercommunalities; its id stays', async () => {
    const page = await (await regional.get('/territoires/pays-de-redon')).text();
    const typed = /<textarea id="epcis" name="epcis"[^>]*>([^<]*)<\/textarea>/.exec(page)?.[1];
    assert.ok(typed, 'the form shows the intercommunalities by name');
    const same = await regional.post('/territoires/pays-de-redon', { nom: 'Pays de Redon', epcis: typed });
    assert.equal(same.status, 303, await same.text());
    assert.doesNotMatch(await (await regional.get('/territoires/pays-de-redon')).text(), /prochain redémarrage/, 'unchanged: the bot already knows it');
    await redon.get('/territoires/pays-de-redon');
    assert.equal((await redon.post('/territoires/pays-de-redon', { nom: 'Autre nom', epcis: typed })).status, 403);
    const res = await regional.post('/territoires/pays-de-retz', { nom: 'Pays de Retz Atlantique', epcis: 'Pornic Agglo Pays de Retz\nSud Retz Atlantique' });
    assert.equal(res.status, 303, await res.text());
    const saved = JSON.parse(readFileSync(join(h.territoryDir, 'named-territories.json'), 'utf8')) as { territories: Array<{ id: string; nom: string; epcis: string[] }> };
    const retz = saved.territories.find((t) => t.id === 'pays-de-retz');
    assert.equal(retz?.nom, 'Pays de Retz Atlantique');
    assert.equal(retz?.epcis.length, 2);
  });
});

describe('create-coordinator --territoire', () => {
  const run = (dir: string, args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'create-coordinator', ...args], { cwd: ROOT, input: 'une longue phrase de passe\n', encoding: 'utf8', env: { ...process.env, AIGUILLAGE_DATA_DIR: dir } });

  it('creates a territorial account with --territoire, a regional one without; an unknown territory is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aig-cli-coord-'));
    try {
      const territorial = run(dir, ['coordination.redon@exemple.fr', '--territoire', 'pays-de-redon']);
      assert.equal(territorial.status, 0, territorial.stderr);
      assert.match(territorial.stdout, /territoriale \(pays-de-redon\)/);
      const regional = run(dir, ['region@exemple.fr']);
      assert.equal(regional.status, 0, regional.stderr);
      assert.match(regional.stdout, /régionale/);
      const unknown = run(dir, ['autre@exemple.fr', '--territoire', 'atlantide']);
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /Territoire inconnu : « atlantide »/);
      const doc = JSON.parse(readFileSync(join(dir, 'backoffice', 'accounts.json'), 'utf8')) as { accounts: Array<{ email: string; territories?: string[] }> };
      assert.deepEqual(doc.accounts.find((a) => a.email === 'coordination.redon@exemple.fr')?.territories, ['pays-de-redon']);
      assert.equal(doc.accounts.find((a) => a.email === 'region@exemple.fr')?.territories, undefined);
      assert.equal(doc.accounts.some((a) => a.email === 'autre@exemple.fr'), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a holder on each territory’s demo page', () => {
  const partners = loadPartners(join(ROOT, 'data', 'partners.json'));
  const greet = (id: string) => partners.get(id)?.greetingName;

  const converse = async (partner: string, text: string): Promise<Reply[]> => {
    const holder = new Holder({ partnerName: greet });
    const hello = await holder.say({ type: 'conversationUpdate', membersAdded: [{ id: 'user1', name: 'Holder' }], channelData: { partner } });
    assert.match(allText(hello), new RegExp(`avec ${greet(partner)!.replace(/[()]/g, '\\$&')}`));
    const first = await holder.say({ type: 'message', text, channelData: { partner } });
    return untilConsent(holder, first);
  };

  it('on the Redon page gets the Pays de Redon’s structures; on the Vignoble page, the Vignoble’s', async () => {
    const atRedon = proposal(await converse('demo-redon', 'Bonjour, nous voulons créer un tiers-lieu associatif à Redon avec plusieurs associations'));
    assert.match(atRedon, /CADES|Redon Agglomération/, atRedon);
    assert.doesNotMatch(atRedon, /Sèvre et Loire|Clisson Sèvre et Maine/);
    const atVignoble = proposal(await converse('demo', 'Bonjour, nous voulons créer un tiers-lieu associatif à Vallet avec plusieurs associations'));
    assert.match(atVignoble, /Sèvre et Loire|Vignoble/, atVignoble);
    assert.doesNotMatch(atVignoble, /CADES|Redon/);
  });
});
