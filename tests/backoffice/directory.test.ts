// Directory and partner editing over HTTP: load-time validation with French messages, address
// confirmation, deactivation flagging open referrals, re-routing them, partner changes live in
// the widget's directory; and the conversation event log keeping no personal data.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventLog } from '../../src/store/eventLog.js';
import type { Client, Harness } from './harness.js';
import { withSignedInBackoffice } from './signedIn.js';

let h: Harness;
let client: Client;

withSignedInBackoffice((started) => ({ h, client } = started));

const formOf = (actor: Record<string, unknown>): Record<string, string> => ({
  name: String(actor.name),
  role: String(actor.role),
  // The zone picker posts the places chosen by name as « kind:code » tokens.
  zones: `epci:${(actor.zones as string[])[0]}`,
  stages: (actor.stages as string[])[0]!,
  sectorsAll: 'all',
  website: String(actor.website ?? ''),
  offer: String(actor.offer),
  recontactDays: String(actor.recontactDays),
  active: actor.active ? '1' : '0',
});

describe('annuaire', () => {
  it('refuse une fiche invalide avec des messages en français, sans rien écrire', async () => {
    const before = readFileSync(h.actorsFile, 'utf8');
    const actor = JSON.parse(before).actors.find((a: { id: string }) => a.id === 'sevre-loire-eco');
    const res = await client.post('/acteurs/sevre-loire-eco', { ...formOf(actor), zones: 'commune:123', recontactDays: '0' });
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /Zones desservies \(n° 1\) : zone « 123 » illisible/);
    assert.match(page, /Délai de recontact promis : /);
    const unknown = await client.post('/acteurs/sevre-loire-eco', { ...formOf(actor), zones: 'epci:999999999' });
    assert.match(await unknown.text(), /zone : EPCI inconnu « 999999999 »/);
    assert.equal(readFileSync(h.actorsFile, 'utf8'), before);
  });

  it('ajoute une commune à la zone d’une structure en tapant son nom, sans JavaScript', async () => {
    const actor = JSON.parse(readFileSync(h.actorsFile, 'utf8')).actors.find((a: { id: string }) => a.id === 'mission-locale-vignoble');
    const form = { ...formOf(actor), stages: 'idee' };
    // « Ajouter ce lieu » : the page again with the place as a checked chip, nothing written yet.
    const step = await client.post('/acteurs/mission-locale-vignoble', { ...form, add_zones: 'Ancenis-Saint-Géréon', intent: 'add-zones' });
    assert.equal(step.status, 200);
    const page = await step.text();
    assert.match(page, /<input type="checkbox" name="zones" value="commune:44003" checked> Ancenis-Saint-Géréon/);
    assert.doesNotMatch(page.replace(/value="[^"]*"/g, ''), /44003/, 'aucun code affiché');
    assert.deepEqual(h.router.actorById('mission-locale-vignoble')!.zones, actor.zones);
    // An ambiguous name asks which one.
    const ambiguous = await client.post('/acteurs/mission-locale-vignoble', { ...form, add_zones: 'Saint', intent: 'add-zones' });
    assert.match(await ambiguous.text(), /« Saint » désigne plusieurs lieux : choisissez-en un dans la liste/);
    // Save: the checked chips plus the typed name.
    const body = new URLSearchParams({ _csrf: client.csrf, ...form, add_zones: 'Oudon', intent: 'save' });
    body.append('zones', 'epci:200067866');
    body.append('zones', 'commune:44003');
    const saved = await fetch(`${h.base}/acteurs/mission-locale-vignoble`, { method: 'POST', headers: { cookie: client.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    assert.equal(saved.status, 303);
    const oudon = h.territory.resolve('Oudon');
    assert.equal(oudon?.kind, 'commune');
    assert.deepEqual(h.router.actorById('mission-locale-vignoble')!.zones, ['200067635', '200067866', '44003', oudon.kind === 'commune' ? oudon.commune.code : '']);
    const flash = await (await client.get('/acteurs/mission-locale-vignoble')).text();
    assert.match(flash, /Enregistré \([^)]*zones desservies[^)]*\)/);
  });

  it('confirme une adresse de notification réelle (confirmed: true)', async () => {
    const res = await client.post('/acteurs/sevre-loire-eco/adresse', { email: 'eco@cc-sevreloire.fr', confirmed: '1' });
    assert.equal(res.status, 303);
    assert.deepEqual(h.router.actorById('sevre-loire-eco')!.notification, { email: 'eco@cc-sevreloire.fr', confirmed: true });
    const stored = JSON.parse(readFileSync(h.actorsFile, 'utf8')).actors.find((a: { id: string }) => a.id === 'sevre-loire-eco');
    assert.equal(stored.notification.confirmed, true);
    assert.equal(stored.offer, h.router.actorById('sevre-loire-eco')!.offer, 'les autres champs restent');
  });

  it('désactiver une structure signale ses orientations ouvertes ; la coordination les réoriente', async () => {
    const [id] = await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' }));
    assert.equal((await h.referrals.service.get(id!))!.actorId, 'sevre-loire-eco');
    const res = await client.post('/acteurs/sevre-loire-eco/activation', { active: '0' });
    assert.equal(res.status, 303);
    assert.equal(h.router.actorById('sevre-loire-eco')!.active, false, 'le routeur l’a rechargée');
    assert.match(await (await client.get('/acteurs/sevre-loire-eco')).text(), /Structure désactivée avec 1 orientation ouverte/);
    const flagged = await (await client.get('/orientations?onglet=a-reorienter')).text();
    assert.match(flagged, new RegExp(id!));
    assert.ok(!(await h.router.route(h.profileAt('44212', { stage: 'creation' }))).referrals.some((r) => r.actorId === 'sevre-loire-eco'));

    const rerouted = await client.post(`/orientations/${id}/reorienter`, { actorId: 'ecossolies' });
    assert.equal(rerouted.status, 303);
    const dossier = await h.referrals.service.byReference((await h.referrals.service.get(id!))!.reference);
    const source = dossier.find((r) => r.id === id)!;
    assert.equal(source.status, 'declined');
    assert.match(source.history.find((x) => x.action === 'decline')!.by, /^coordinator:/);
    const target = dossier.find((r) => r.actorId === 'ecossolies' && r.status === 'pending');
    assert.ok(target, 'une orientation en attente chez la structure choisie');
    assert.equal(target.escalatedFrom, id);
    assert.doesNotMatch(await (await client.get('/orientations?onglet=a-reorienter')).text(), new RegExp(`${id}<`));
    const audit = (await h.backoffice.deps.audit.list()).entries.map((e) => e.action);
    assert.ok(audit.includes('actor.update') && audit.includes('referral.reroute'));
    await client.post('/acteurs/sevre-loire-eco/activation', { active: '1' });
    assert.equal(h.router.actorById('sevre-loire-eco')!.active, true);
  });
});

describe('sites partenaires', () => {
  it('une modification valide vaut tout de suite pour le widget ; une origine invalide est refusée', async () => {
    const page = await (await client.get('/partenaires/vignoble-nantais')).text();
    assert.match(page, /&lt;script src=&quot;https:\/\/aiguillage\.example\.org\/widget\.js&quot; data-partner=&quot;vignoble-nantais&quot; async&gt;&lt;\/script&gt;/);
    const form = { name: 'Pays du Vignoble Nantais', greetingName: 'le Pays du Vignoble', origins: 'https://www.vignoble-nantais.eu\nhttps://vignoble-nantais.eu', primary: '#7b2342', accent: '#c9a227', territoryLabel: 'Pays du Vignoble Nantais', territoryEpci: '200067635 200067866', territoryDepartement: '44' };
    const bad = await client.post('/partenaires/vignoble-nantais', { ...form, origins: 'https://www.vignoble-nantais.eu/page' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Origines autorisées \(n° 1\) : origine attendue : https:\/\/hote\[:port\], sans chemin/);
    assert.equal(h.partners.greetingName('vignoble-nantais'), 'le Pays du Vignoble Nantais');
    const ok = await client.post('/partenaires/vignoble-nantais', form);
    assert.equal(ok.status, 303);
    assert.equal(h.partners.greetingName('vignoble-nantais'), 'le Pays du Vignoble');
    assert.equal(JSON.parse(readFileSync(h.partnersFile, 'utf8')).partners[0].greetingName, 'le Pays du Vignoble');
  });
});

describe('journal des conversations', () => {
  it('garde les étapes sans donnée personnelle et ignore un évènement invalide', async () => {
    const errors: unknown[] = [];
    const log = new EventLog(join(h.dir, 'data', 'events-test'), (e) => errors.push(e));
    log.append({ step: 'started', conversationId: 'c1', partnerId: null, at: '2025-03-01T10:00:00.000Z', contact: 'camille@exemple.fr' } as never);
    log.append({ step: 'envolé', conversationId: 'c1', partnerId: null, at: '2025-03-01T10:00:00.000Z' } as never);
    log.append({ step: 'asked', conversationId: 'c1', partnerId: null, at: '2025-04-01T10:00:00.000Z', question: 'stage' });
    await log.flush();
    const { events, cursor } = await log.readSince(null);
    assert.equal(events.length, 2);
    assert.ok(!JSON.stringify(events).includes('camille'), 'champ inconnu retiré');
    assert.equal(errors.length, 1);
    assert.deepEqual(Object.keys(cursor).sort(), ['events-2025-03.jsonl', 'events-2025-04.jsonl']);
    log.append({ step: 'qualified', conversationId: 'c1', partnerId: null, at: '2025-03-31T21:59:00.000Z' });
    await log.flush();
    assert.equal((await log.readSince(cursor)).events.length, 1, 'un évènement tardif dans le mois précédent est lu');
    await log.close();
  });
});
