// The inbox's lists and the statistics' first screen are kept between requests while the index
// does not change: a referral that changes (taken care of, created) shows at once, on both pages.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Client, Harness } from './harness.js';
import { withSignedInBackoffice } from './signedIn.js';

let h: Harness;
let client: Client;

withSignedInBackoffice((started) => ({ h, client } = started));

const tabCount = (page: string, label: string) => Number(new RegExp(`>${label} \\((\\d+)\\)<`).exec(page)?.[1] ?? Number.NaN);
const requestsShown = (page: string) => Number(/<span class="kpi-value">([\d\s\u202f]+)<\/span><span class="kpi-label">demandes reçues/.exec(page)?.[1]?.replace(/\D/g, '') ?? Number.NaN);

describe('listes gardées entre deux requêtes', () => {
  it('la boîte de la coordination suit une orientation prise en charge, et dit son temps serveur', async () => {
    const [id] = await h.refer(h.profileAt('44043', { stage: 'idee', sector: 'alimentation' }), 'Camille Mémoire');
    const first = await client.get('/orientations');
    assert.match(first.headers.get('server-timing') ?? '', /^app;dur=[\d.]+$/);
    const before = await first.text();
    const pending = tabCount(before, 'À traiter');
    const taken = tabCount(before, 'Prises en charge');
    assert.ok(pending >= 1, before);
    assert.match(before, new RegExp(`href="/orientations/${id}"`));
    // The same page again: from the kept lists, the same figures.
    assert.equal(tabCount(await (await client.get('/orientations')).text(), 'À traiter'), pending);

    await h.referrals.service.transition(id!, 'take_care', `actor:${(await h.referrals.service.get(id!))!.actorId}`);
    const after = await (await client.get('/orientations')).text();
    assert.equal(tabCount(after, 'À traiter'), pending - 1);
    assert.equal(tabCount(after, 'Prises en charge'), taken + 1);
    assert.doesNotMatch(after, new RegExp(`href="/orientations/${id}"`));
    assert.match(await (await client.get('/orientations?onglet=en-cours')).text(), new RegExp(`href="/orientations/${id}"`));
  });

  it('le premier écran des statistiques compte une demande arrivée entre deux lectures', async () => {
    const before = requestsShown(await (await client.get('/statistiques')).text());
    assert.ok(Number.isFinite(before));
    assert.equal(requestsShown(await (await client.get('/statistiques')).text()), before);
    await h.refer(h.profileAt('44043', { stage: 'idee', sector: 'alimentation' }), 'Dominique Mémoire');
    assert.equal(requestsShown(await (await client.get('/statistiques')).text()), before + 1);
  });
});
