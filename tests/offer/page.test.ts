// The offer pages over HTTP on the real bot server, with the real directory, rules and
// geography: the right structures per territory, the filters, the état des lieux as
// routing/coverage.ts computes it, the French 404, the partner's redirect, the headers.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, type Harness } from '../web/server.js';
import { coverage } from '../../src/routing/index.js';
import type { Offer } from '../../src/offer/index.js';
import { realOffer, realRouting } from './helpers.js';

let h: Harness;
let offer: Offer;

beforeAll(async () => {
  offer = await realOffer({ contact: 'coordination@aiguillage.example.fr' });
  h = await startServer({ bot: 'echo', offer });
});
afterAll(async () => {
  await h.close();
});

async function get(path: string): Promise<{ status: number; headers: Headers; html: string }> {
  const res = await fetch(`${h.base}${path}`, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** The names on the structure cards, in page order. */
function cards(html: string): string[] {
  return [...html.matchAll(/<li class="card" id="structure-([a-z0-9-]+)"><h4>([^<]+)<\/h4>/g)].map((m) => m[1]!);
}

/** Text of the état des lieux cells, row by row: « ✔Oui », « ◐Accueil seul »… */
function stateRows(html: string): string[][] {
  const tbody = /<table class="state">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td class="(ok|mid|bad)">([\s\S]*?)<\/td>/g)].map((c) => c[2]!.replace(/<[^>]+>/g, '')),
  );
}

describe('/offre/vignoble-nantais', () => {
  it('lists the structures that serve the Vignoble, never Redon’s, with website and no notification address', async () => {
    const { status, headers, html } = await get('/offre/vignoble-nantais');
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    const ids = cards(html);
    for (const id of ['clisson-sevre-maine-eco', 'sevre-loire-eco', 'mission-locale-vignoble', 'ecossolies', 'cress-pdl', 'dla-44', 'chambre-agriculture-pdl']) {
      assert.ok(ids.includes(id), `${id} absent : ${ids.join(', ')}`);
    }
    // Redon's structures, Vendée's and Mayenne's poles, Nantes Métropole's Initiative, inactive ones: not here.
    for (const id of ['redon-agglo-eco', 'cades-redon', 'pole-ess-vendee', 'apess-53', 'initiative-nantes', 'initiative-vignoble', 'bge-loire-atlantique']) {
      assert.ok(!ids.includes(id), `${id} ne sert pas le Vignoble`);
    }
    assert.match(html, /Clisson Sèvre et Maine Agglo/);
    assert.match(html, /Communauté de communes Sèvre et Loire/);
    assert.doesNotMatch(html, /Redon Agglomération/);
    // Local generalists first, the closest first: the intercommunalities open the list.
    assert.deepEqual(ids.slice(0, 2).sort(), ['clisson-sevre-maine-eco', 'sevre-loire-eco']);
    assert.equal(ids.at(-1), 'cress-pdl');
    assert.match(html, /<a href="https:\/\/www\.ecossolies\.fr">www\.ecossolies\.fr<\/a>/);
    const { router } = await realRouting();
    for (const actor of router.actors()) assert.ok(!html.includes(actor.notification.email), `adresse de notification de ${actor.id} publiée`);
    assert.match(html, /<html lang="fr">/);
    assert.match(html, /coordination@aiguillage\.example\.fr/);
  });

  it('filters by stage and sector with GET parameters; selects keep the choice; unknown values are ignored', async () => {
    const all = cards((await get('/offre/vignoble-nantais')).html);
    const dev = await get('/offre/vignoble-nantais?stade=developpement&secteur=alimentation');
    const ids = cards(dev.html);
    assert.ok(ids.length > 0 && ids.length < all.length);
    assert.ok(!ids.includes('chambre-agriculture-pdl') && !ids.includes('mission-locale-vignoble'), ids.join());
    assert.ok(ids.includes('dla-44') && ids.includes('france-active-pdl'), ids.join());
    assert.match(dev.html, /<option value="developpement" selected>/);
    assert.match(dev.html, /<option value="alimentation" selected>/);
    assert.match(dev.html, new RegExp(`${ids.length} structures sur ${all.length} pour un projet au stade`));
    // The Chambre d'agriculture declares only « alimentation ».
    assert.ok(cards((await get('/offre/vignoble-nantais?secteur=alimentation')).html).includes('chambre-agriculture-pdl'));
    assert.ok(!cards((await get('/offre/vignoble-nantais?secteur=habitat')).html).includes('chambre-agriculture-pdl'));
    const tampered = await get('/offre/vignoble-nantais?stade=%3Cscript%3E&secteur=lune');
    assert.equal(tampered.status, 200);
    assert.deepEqual(cards(tampered.html), all);
    assert.doesNotMatch(tampered.html, /<script/);
  });

  it('the état des lieux is routing/coverage.ts’s, cell by cell, with a mark and a word', async () => {
    const { router, territory } = await realRouting();
    const report = await coverage(router, territory, ['200067635', '200067866']);
    const rows = stateRows((await get('/offre/vignoble-nantais')).html);
    assert.equal(rows.length, 3);
    const stages = ['idee', 'creation', 'developpement'];
    const sectors = ['services_personnes', 'alimentation', 'habitat', 'dechets_ressources', 'numerique', 'mobilite', 'energie', 'culture_loisirs', 'insertion_emploi', 'autre'];
    for (const [i, stage] of stages.entries()) {
      assert.equal(rows[i]!.length, 10);
      for (const [j, sector] of sectors.entries()) {
        const combos = report.combos.filter((c) => c.stage === stage && c.sector === sector);
        const holes = report.essHoles.filter((c) => c.stage === stage && c.sector === sector).length;
        const expert = combos.filter((c) => c.actorIds.some((id) => router.actorById(id)?.role === 'expert')).length;
        const expected = holes === combos.length ? '✖Non' : expert === combos.length ? '✔Oui' : holes === 0 && expert === 0 ? '◐Accueil seul' : /Partiel/;
        if (typeof expected === 'string') assert.equal(rows[i]![j], expected, `${stage} × ${sector}`);
        else assert.match(rows[i]![j]!, expected);
      }
    }
  });

  it('is printable and self-contained: a print stylesheet, an inline style allowed by its hash alone', async () => {
    const { headers, html } = await get('/offre/vignoble-nantais');
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    assert.match(css, /@media print\{/);
    const csp = headers.get('content-security-policy') ?? '';
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(css).digest('base64')}'`), csp);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(headers.get('x-frame-options'), 'DENY');
    assert.equal(headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('a territory is a parameter', () => {
  it('a territory given by the provider (the Pays de Redon, before its onboarding) gets its own page and exports', async () => {
    const { territory } = await realRouting();
    const redon = { id: 'pays-de-redon', nom: 'Pays de Redon', epcis: ['243500741'] };
    const offer = await realOffer({ territories: () => [territory.namedTerritory('vignoble-nantais')!, redon] });
    const page = await offer.page('pays-de-redon', new URLSearchParams());
    assert.equal(page.status, 200);
    const ids = cards(page.body);
    assert.ok(ids.includes('redon-agglo-eco') && ids.includes('cades-redon'), ids.join());
    assert.ok(!ids.includes('clisson-sevre-maine-eco') && !ids.includes('sevre-loire-eco') && !ids.includes('mission-locale-vignoble'), ids.join());
    assert.match(page.body, /dans les 31 communes du territoire \(CA Redon Agglomération\)/);
    const exported = JSON.parse(offer.openData('structures.json', new URLSearchParams('territoire=pays-de-redon')).body) as Array<{ id: string }>;
    assert.deepEqual(exported.map((s) => s.id.replace('aiguillage--', '')).sort(), [...ids].sort());
  });
});

describe('/offre', () => {
  it('never waits long for the region’s état des lieux: « en cours de calcul », not cached', async () => {
    const offer = await realOffer({ stateWaitMs: 0 });
    const reply = await offer.page(null, new URLSearchParams());
    assert.equal(reply.status, 200);
    assert.match(reply.body, /L’état des lieux est en cours de calcul \(Aiguillage simule la demande d’un porteur de projet dans chacune des 1\u202f228 communes\)/);
    assert.equal(reply.headers['Cache-Control'], 'no-store');
    assert.ok(cards(reply.body).length > 10, 'the structures are there meanwhile');
  });

  it('lists every active structure, links each named territory, shows the region’s état des lieux', async () => {
    await offer.state(offer.scope(null)!); // the region's, computed on a first visit
    const { status, html } = await get('/offre');
    assert.equal(status, 200);
    const ids = cards(html);
    const { router } = await realRouting();
    assert.deepEqual(new Set(ids), new Set(router.actors().filter((a) => a.active).map((a) => a.id)));
    assert.match(html, /<a href="\/offre\/vignoble-nantais">Pays du Vignoble Nantais<\/a>/);
    assert.match(html, /1\u202f228 communes/);
    assert.equal(stateRows(html).flat().length, 30);
  });

  it('an unknown territory gets a French 404 page; a partner’s link goes to its territory', async () => {
    const missing = await get('/offre/atlantide');
    assert.equal(missing.status, 404);
    assert.match(missing.html, /<h1>Territoire introuvable<\/h1>/);
    assert.match(missing.html, /Aucun territoire publié ne porte l’identifiant « atlantide »/);
    assert.match(missing.html, /href="\/offre\/vignoble-nantais"/);
    const partner = await get('/offre?partenaire=demo');
    assert.equal(partner.status, 303);
    assert.equal(partner.headers.get('location'), '/offre/vignoble-nantais');
    // A partner of one intercommunality of the Vignoble: the Vignoble's page too.
    assert.equal((await get('/offre?partenaire=clisson-sevre-maine')).headers.get('location'), '/offre/vignoble-nantais');
    assert.equal((await get('/offre?partenaire=inconnu')).status, 200);
    const head = await fetch(`${h.base}/offre/vignoble-nantais`, { method: 'HEAD' });
    assert.equal(head.status, 200, 'HEAD answered as GET (link checkers)');
    assert.equal(await head.text(), '');
  });
});
