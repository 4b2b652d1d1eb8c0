// Issue 13 in headless Chromium, as a coordinator who never saw JSON: idea-stage projects of one
// intercommunality go to another structure (a rule edited and a rule added through the sentence
// form, places picked by name), the change summary in plain French with the coverage
// difference, simulation, publication, rollback; a commune added to a structure's zone by
// typing its name; a JSON syntax error in the expert view comes back in French. Screenshots of
// the editor, the change summary and the statistics go to docs/screenshots/ with
// AIGUILLAGE_SCREENSHOTS=1 (elsewhere to a temporary folder, so that a test run leaves the tree as it was).
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchBrowser, axeViolations } from '../web/browser.js';
import { generate } from '../stats/generate.js';
import { ADMIN, startBackoffice, type Harness } from './harness.js';

const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = process.env.AIGUILLAGE_SCREENSHOTS === '1' ? `${ROOT}docs/screenshots` : join(tmpdir(), 'aiguillage-coordinator-screens');
const SEVRE_LOIRE_ECO = 'Communauté de communes Sèvre et Loire — développement économique';
const CCI = 'CCI Nantes St-Nazaire';

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (noBrowser) return;
  h = await startBackoffice();
  const data = generate({ requests: 400, now: new Date(), territory: h.territory, seed: 13 });
  await h.referrals.store.commit({ referrals: data.referrals.map((r) => ({ ...r, version: 1 })) });
  for (const e of data.events) h.events.append(e);
  await h.events.flush();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => process.stderr.write(`[page] ${error.message}\n`));
  await page.goto(`${h.base}/connexion`);
  await page.getByLabel('Adresse e-mail').fill(ADMIN.email);
  await page.getByLabel('Mot de passe').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/orientations/);
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await h?.close();
});

(noBrowser ? describe.skip : describe)('la coordination pilote l’orientation sans JSON', () => {
  it('les idées de Sèvre et Loire vont à une autre structure : phrase, résumé en français, simulation, publication, retour arrière', async () => {
    const original = h.router.rulesVersion;
    const idea = h.profileAt('44212', { stage: 'idee', sector: 'habitat' });
    const live = (await h.router.route(idea)).referrals.map((r) => r.actorId);
    assert.ok(live.includes('sevre-loire-eco') && !live.includes('cci-nantes-st-nazaire'));

    // The decision table of one intercommunality.
    await page.goto(`${h.base}/regles`);
    await page.getByLabel('Territoire', { exact: true }).selectOption({ label: 'CC Sèvre et Loire' });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    const table = page.locator('table.decision');
    await table.locator('th[scope=row]', { hasText: SEVRE_LOIRE_ECO }).first().waitFor();
    assert.equal(await table.locator('th[scope=row]', { hasText: 'Redon Agglomération' }).count(), 0, 'les règles d’ailleurs sont filtrées');
    assert.doesNotMatch((await table.textContent()) ?? '', /200067866|vignoble-proximite/, 'ni code ni identifiant');
    await page.screenshot({ path: `${SHOTS}/backoffice-regles-tableau.png`, fullPage: false });

    // 1. The generalist of Sèvre et Loire no longer receives ideas.
    await page.getByRole('link', { name: `Modifier la règle « ${SEVRE_LOIRE_ECO} — proximité, CC Sèvre et Loire »` }).click();
    await page.getByRole('heading', { name: /^Règle : / }).waitFor();
    const stage = page.getByRole('group', { name: 'Stade du projet' });
    await stage.getByLabel('Ces cases disent').selectOption('notIn');
    await stage.getByLabel('Idée, émergence').check();
    await page.screenshot({ path: `${SHOTS}/backoffice-regle-phrase.png`, fullPage: true });
    await page.getByRole('button', { name: 'Enregistrer dans le brouillon' }).click();
    await page.waitForURL(/\/regles\/brouillon$/);

    // 2. A new rule: the CCI receives the ideas of Sèvre et Loire, the place typed by name.
    await page.goto(`${h.base}/regles`);
    await page.getByRole('link', { name: 'Ajouter une règle : Pays du Vignoble Nantais' }).click();
    await page.getByLabel('Orienter vers la structure').selectOption({ label: CCI });
    const where = page.getByLabel(/^Ajouter un lieu/);
    await where.pressSequentially('sèvre et lo', { delay: 30 });
    await page.locator('#lieux-regle option[value^="CC Sèvre et Loire"]').waitFor({ state: 'attached' });
    await where.press('Enter');
    await page.getByRole('checkbox', { name: /CC Sèvre et Loire/ }).waitFor();
    assert.equal(await where.inputValue(), '');
    await page.getByRole('group', { name: 'Stade du projet' }).getByLabel('Idée, émergence').check();
    await page.getByLabel('Proximité').check();
    const reason = page.getByLabel('Phrase lue par le porteur');
    await reason.fill('Parce que votre projet est ');
    await page.getByRole('button', { name: '+ le lieu (« à Vallet »)' }).click();
    await reason.press('End');
    await reason.pressSequentially(' et encore une idée, ');
    await page.getByRole('button', { name: '+ le nom de la structure' }).click();
    await reason.press('End');
    await reason.pressSequentially(' vous aide à la mûrir.');
    assert.equal(await reason.inputValue(), 'Parce que votre projet est {lieu} et encore une idée, {acteur} vous aide à la mûrir.');
    await page.screenshot({ path: `${SHOTS}/backoffice-regle-nouvelle.png`, fullPage: true });
    await page.getByRole('button', { name: 'Enregistrer dans le brouillon' }).click();
    await page.waitForURL(/\/regles\/brouillon$/);

    // The change summary in words, then the coverage difference with examples.
    const summary = page.locator('section', { has: page.getByRole('heading', { name: 'Ce qui change pour les porteurs' }) });
    await summary.waitFor();
    if (process.env.DEBUG_SUMMARY) process.stderr.write(`${await summary.textContent()}\n`);
    const sentence = summary.locator('li', { hasText: 'Les projets au stade de l’idée dans la CC Sèvre et Loire iront désormais vers' });
    await sentence.waitFor();
    assert.match((await sentence.textContent()) ?? '', new RegExp(`iront désormais vers ${CCI.replace(/[()]/g, '\\$&')} au lieu de ${SEVRE_LOIRE_ECO}`));
    assert.match((await summary.textContent()) ?? '', /110 combinaisons commune × stade × secteur sur [\d\s\u202f]+ changent de réponse/);
    assert.ok((await summary.locator('table tbody tr').count()) > 0, 'des exemples');
    assert.doesNotMatch((await summary.textContent()) ?? '', /sevre-loire-eco|cci-nantes|200067866/);
    await page.screenshot({ path: `${SHOTS}/backoffice-changements.png`, fullPage: true });
    const written = JSON.parse((await h.backoffice.deps.rules.fileText(await h.coordinator(), 'vignoble.json'))!) as { rules: Array<{ name: string; conditions: unknown; event: { params: { actorId: string } } }> };
    const added = written.rules.find((r) => r.event.params.actorId === 'cci-nantes-st-nazaire')!;
    assert.deepEqual(added.conditions, { all: [{ fact: 'epci', operator: 'equal', value: '200067866' }, { fact: 'stage', operator: 'equal', value: 'idee' }] });

    // Simulation: same labels as the editor.
    await page.goto(`${h.base}/regles/simuler`);
    await page.getByLabel('Stade').selectOption('idee');
    await page.getByLabel('Secteur').selectOption('habitat');
    await page.getByLabel('Commune (nom ou code INSEE)').fill('Vallet');
    await page.getByRole('button', { name: 'Simuler' }).click();
    const draft = page.locator('section', { has: page.getByRole('heading', { name: 'Avec votre brouillon' }) });
    await draft.locator('ol', { hasText: CCI }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    assert.doesNotMatch(text, /du projet du projet/);
    const retained = draft.locator('li', { hasText: `${CCI} — proximité, CC Sèvre et Loire` }).first();
    assert.doesNotMatch((await retained.textContent()) ?? '', /non évaluée/, 'des conditions toutes vraies ne sont pas « non évaluées »');
    // The receptionist's facts are simulated too, with the editor's labels.
    await page.getByLabel('Installation agricole ou viticole').selectOption({ label: 'Oui' });
    await page.getByRole('button', { name: 'Simuler' }).click();
    await page.locator('section', { has: page.getByRole('heading', { name: 'Règles en ligne' }) }).locator('ol', { hasText: 'Chambre d’agriculture' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/backoffice-simulation.png`, fullPage: false });

    // Publication, then rollback.
    await page.goto(`${h.base}/regles/brouillon`);
    await page.getByLabel('Message de publication').fill('Les idées de Sèvre et Loire vont à la CCI');
    await page.getByRole('button', { name: 'Publier maintenant' }).click();
    await page.waitForURL(/\/regles\/historique$/);
    const after = (await h.router.route(idea)).referrals.map((r) => r.actorId);
    assert.ok(after.includes('cci-nantes-st-nazaire') && !after.includes('sevre-loire-eco'), after.join(','));
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'validate-rules', h.rulesDir], { cwd: ROOT, stdio: 'pipe' });

    await page.goto(`${h.base}/regles/historique/1`);
    // Going back is explained in words too.
    await page.getByRole('heading', { name: 'Ce qui changerait pour les porteurs en revenant à cette version' }).waitFor();
    await page.getByText(`Les projets au stade de l’idée dans la CC Sèvre et Loire iront désormais vers ${SEVRE_LOIRE_ECO} au lieu de ${CCI}.`).waitFor();
    await page.getByLabel('Pourquoi revenir à cette version ?').fill('Essai terminé');
    await page.getByLabel(/Je confirme/).check();
    await page.getByRole('button', { name: 'Revenir à la version n° 1' }).click();
    await page.waitForURL(/\/regles\/historique$/);
    assert.equal(h.router.rulesVersion, original);
    assert.ok((await h.router.route(idea)).referrals.some((r) => r.actorId === 'sevre-loire-eco'));
  });

  it('une erreur de syntaxe dans la vue experte est dite en français, avec ligne et colonne', async () => {
    await page.goto(`${h.base}/regles/regle/vignoble.json/vignoble-pret-honneur`);
    await page.getByRole('link', { name: 'Vue experte : cette règle en JSON' }).click();
    const area = page.getByLabel('Règle (JSON)');
    await area.fill('{\n  "name": "vignoble-pret-honneur"\n  "priority": 60\n}');
    const out = page.locator('#validation[data-state=error]');
    await out.waitFor();
    const message = (await out.textContent()) ?? '';
    assert.match(message, /Le JSON n’est pas lisible, ligne 3, colonne 3 : il manque une virgule « , » ou une accolade fermante « } » après une valeur/);
    assert.doesNotMatch(message, /Expected|position/);
    await page.getByRole('button', { name: 'Enregistrer dans le brouillon' }).click();
    await page.getByRole('alert').filter({ hasText: 'Le JSON n’est pas lisible, ligne 3, colonne 3' }).waitFor();
  });

  it('ajoute une commune à la zone d’une structure en tapant son nom', async () => {
    await page.goto(`${h.base}/acteurs/mission-locale-vignoble`);
    const zones = page.getByRole('group', { name: 'Zones desservies' });
    const input = zones.getByLabel(/^Ajouter une commune/);
    await input.pressSequentially('Oudo', { delay: 30 });
    await page.locator('#lieux-zones option[value^="Oudon"]').waitFor({ state: 'attached' });
    await input.press('Enter');
    await zones.getByRole('checkbox', { name: /Oudon/ }).waitFor();
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText(/Enregistré \(zones desservies\)/).waitFor();
    const oudon = h.territory.resolve('Oudon');
    assert.ok(oudon?.kind === 'commune');
    assert.ok(h.router.actorById('mission-locale-vignoble')!.zones.includes(oudon.commune.code));
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', new RegExp(oudon.commune.code));
  });

  it('statistiques : la première page répond aux questions d’un élu', async () => {
    await page.goto(`${h.base}/statistiques`);
    const figures = page.locator('ul.kpis');
    for (const label of ['demandes reçues', 'prises en charge dans le délai promis', 'délai médian avant le premier contact', 'demandes sans structure proposée']) await figures.getByText(label).waitFor();
    assert.match((await figures.textContent()) ?? '', /la période précédente/);
    await page.getByRole('table', { name: 'Par intercommunalité' }).getByText('CC Sèvre et Loire').waitFor();
    const main = (await page.locator('main').textContent()) ?? '';
    assert.doesNotMatch(main, /Offre comprise/);
    assert.ok((await page.evaluate(() => document.documentElement.scrollHeight)) < 2500, 'un premier écran, pas toutes les vues');
    await page.screenshot({ path: `${SHOTS}/backoffice-statistiques.png`, fullPage: true });

    // One view at a time; labels readable whatever the number of rows (1 or hundreds).
    for (const view of ['Demandes par stade du projet', 'Demandes par commune']) {
      await page.getByRole('navigation', { name: 'Vues statistiques' }).getByRole('link', { name: view, exact: true }).click();
      await page.getByRole('heading', { level: 2, name: view }).waitFor();
      assert.equal(await page.locator('section.view').count(), 1);
      const sizes = await page.locator('figure.chart svg text').evaluateAll((nodes) => nodes.map((n) => (n as SVGTextElement).getBoundingClientRect()));
      for (const r of sizes) {
        assert.ok(r.height <= 20, `libellé de ${r.height}px de haut`);
        assert.ok(r.left >= 0, 'libellé coupé à gauche');
      }
    }
    // Printing keeps the view and drops the navigation.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('nav.stat-tabs').isVisible(), false);
    assert.equal(await page.locator('header.top').isVisible(), false);
    assert.equal(await page.locator('figure.chart').isVisible(), true);
    await page.emulateMedia({ media: 'screen' });
  });
});
