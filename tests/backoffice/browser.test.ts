// The back office in headless Chromium (one browser for the file): a coordinator edits a rule,
// simulates, sees the coverage change, publishes, the live router follows without restart, then
// rolls back; an invited member takes care of a referral, another actor's member gets 404;
// posts without the CSRF token are refused; CSV exports parse; axe finds no violation anywhere.
// Screenshots of the main pages go to <tmp>/aiguillage-backoffice-screens.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchBrowser, axeViolations } from '../web/browser.js';
import { generate } from '../stats/generate.js';
import { ADMIN, startBackoffice, type Harness } from './harness.js';
import { all } from '../support/collect.js';

const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';
const SCREENS = join(tmpdir(), 'aiguillage-backoffice-screens');
const SEVRE_LOIRE = 'Communauté de communes Sèvre et Loire — développement économique';

let h: Harness;
let browser: Browser;
let coordinator: Page;
let referralId: string;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => process.stderr.write(`[page] ${error.message}\n`));
  return page;
}

async function login(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${h.base}/connexion`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/orientations/);
}

beforeAll(async () => {
  if (noBrowser) return;
  h = await startBackoffice();
  // A year of generated activity for the statistics and the inbox, then one real referral.
  const data = generate({ requests: 400, now: new Date(), territory: h.territory, seed: 11 });
  await h.referrals.store.commit({ referrals: data.referrals.map((r) => ({ ...r, version: 1 })) });
  for (const e of data.events) h.events.append(e);
  await h.events.flush();
  const ids = await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'dechets_ressources', projectType: 'collectif', needs: ['local'] }));
  referralId = ids.find((id) => id.endsWith('-1'))!;
  browser = await launchBrowser();
  mkdirSync(SCREENS, { recursive: true });
  coordinator = await newPage();
  await login(coordinator, ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await h?.close();
});

(noBrowser ? describe.skip : describe)('back-office dans Chromium', () => {
  it('modifier une règle, simuler, voir la couverture changer, publier (en service sans redémarrage), revenir en arrière', async () => {
    const page = coordinator;
    const original = h.router.rulesVersion;
    const idea = h.profileAt('44212', { stage: 'idee', sector: 'habitat' });
    assert.ok((await h.router.route(idea)).referrals.some((r) => r.actorId === 'sevre-loire-eco'));

    await page.goto(`${h.base}/regles`);
    // The expert view: the same rule in JSON, reached from its sentence form.
    await page.getByRole('link', { name: `Modifier la règle « ${SEVRE_LOIRE} — proximité, CC Sèvre et Loire »` }).click();
    await page.getByRole('link', { name: 'Vue experte : cette règle en JSON' }).click();
    const area = page.getByLabel('Règle (JSON)');
    const rule = JSON.parse(await area.inputValue());
    // Validation as you type: an unknown fact is reported before saving.
    await area.fill(JSON.stringify({ ...rule, conditions: { all: [{ fact: 'epcii', operator: 'equal', value: '200067866' }] } }, null, 2));
    await page.locator('#validation[data-state=error]', { hasText: 'fait inconnu « epcii »' }).waitFor();
    assert.match((await page.locator('#validation').textContent()) ?? '', /Règle « Communauté de communes Sèvre et Loire — développement économique — proximité, partout », champ « Pour quels projets \(le critère\) »/);
    // The edit: Sèvre et Loire's generalist no longer receives ideas.
    rule.conditions.all.push({ fact: 'stage', operator: 'notEqual', value: 'idee' });
    await area.fill(JSON.stringify(rule, null, 2));
    await page.locator('#validation[data-state=ok]', { hasText: 'Jeu de règles valide' }).waitFor();
    await page.screenshot({ path: join(SCREENS, 'regle-edition.png'), fullPage: true });
    await page.getByRole('button', { name: 'Enregistrer dans le brouillon' }).click();
    await page.waitForURL(/\/regles\/brouillon$/);
    await page.getByText('Le brouillon est valide : il peut être publié.').waitFor();
    await page.getByText(`Règle « ${SEVRE_LOIRE} — proximité, CC Sèvre et Loire » modifiée`).waitFor();
    assert.equal(h.router.rulesVersion, original, 'un brouillon ne change rien en ligne');

    // Simulation: live and draft side by side, with the condition that now fails.
    await page.goto(`${h.base}/regles/simuler`);
    await page.getByLabel('Stade').selectOption('idee');
    await page.getByLabel('Secteur').selectOption('habitat');
    await page.getByLabel('Commune (nom ou code INSEE)').fill('Vallet');
    await page.getByRole('button', { name: 'Simuler' }).click();
    const live = page.locator('section', { has: page.getByRole('heading', { name: 'Règles en ligne' }) });
    const draft = page.locator('section', { has: page.getByRole('heading', { name: 'Avec votre brouillon' }) });
    await live.locator('ol', { hasText: SEVRE_LOIRE }).waitFor();
    assert.equal(await draft.locator('ol', { hasText: SEVRE_LOIRE }).count(), 0);
    await draft.getByText(/Règles qui ne s’appliquent pas/).click();
    await draft.locator('li', { hasText: `${SEVRE_LOIRE} — proximité, CC Sèvre et Loire` }).getByText('✗ fausse — Stade du projet n’est pas « Idée, émergence »').waitFor();
    await page.screenshot({ path: join(SCREENS, 'simulation.png'), fullPage: true });

    // Coverage of the Vignoble: 11 communes × 10 sectors change at the idea stage.
    await page.goto(`${h.base}/regles/couverture`);
    await page.getByText('Combinaisons dont la réponse change :').waitFor();
    assert.equal(await page.locator('td.changed').count(), 110);
    assert.match((await page.locator('li', { hasText: 'Combinaisons dont la réponse change' }).textContent()) ?? '', /110/);
    await page.screenshot({ path: join(SCREENS, 'couverture.png'), fullPage: false });

    // Publication: live at once, without restart.
    await page.goto(`${h.base}/regles/brouillon`);
    await page.getByLabel('Message de publication').fill('Les idées de Sèvre et Loire vont directement aux experts');
    await page.getByRole('button', { name: 'Publier maintenant' }).click();
    await page.waitForURL(/\/regles\/historique$/);
    await page.getByText(/Règles publiées \(publication n° 2\)/).waitFor();
    assert.notEqual(h.router.rulesVersion, original);
    const after = await h.router.route(idea);
    assert.ok(!after.referrals.some((r) => r.actorId === 'sevre-loire-eco'));
    assert.equal(after.rulesVersion, h.router.rulesVersion);
    assert.ok((await h.router.route({ ...idea, stage: 'creation' })).referrals.some((r) => r.actorId === 'sevre-loire-eco'));
    assert.match(readFileSync(join(h.rulesDir, 'vignoble.json'), 'utf8'), /"notEqual"/);
    // The referral made before keeps the version it was made with.
    assert.equal((await h.referrals.service.get(referralId))!.decision.rulesVersion, original);

    // Rollback to the state before the first publication.
    await page.goto(`${h.base}/regles/historique/1`);
    await page.getByLabel('Pourquoi revenir à cette version ?').fill('Essai terminé');
    await page.getByLabel(/Je confirme/).check();
    await page.getByRole('button', { name: 'Revenir à la version n° 1' }).click();
    await page.waitForURL(/\/regles\/historique$/);
    await page.getByText('Retour à la version n° 1').first().waitFor();
    assert.equal(h.router.rulesVersion, original);
    assert.ok((await h.router.route(idea)).referrals.some((r) => r.actorId === 'sevre-loire-eco'));
  });

  it('un membre invité prend en charge une orientation ; le membre d’une autre structure reçoit 404', async () => {
    await coordinator.goto(`${h.base}/comptes`);
    await coordinator.getByLabel('Adresse e-mail').fill('accueil@sevreloire.exemple.fr');
    await coordinator.getByLabel('Nom', { exact: true }).fill('Dominique Accueil');
    await coordinator.getByLabel('Structure (pour un membre)').selectOption('sevre-loire-eco');
    await coordinator.getByRole('button', { name: 'Créer l’invitation' }).click();
    const link = (await coordinator.locator('#lien-invitation').textContent())!.trim();
    assert.match(link, /\/invitation\/[A-Za-z0-9_-]{16}\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);

    const member = await newPage();
    await member.goto(link);
    await member.getByLabel('Mot de passe', { exact: true }).fill('le vignoble au printemps');
    await member.getByLabel('Mot de passe, une seconde fois').fill('le vignoble au printemps');
    await member.getByRole('button', { name: 'Créer mon compte' }).click();
    await member.waitForURL(/\/orientations$/);
    await member.getByText('Bienvenue : votre compte est créé.').waitFor();
    assert.ok((await member.locator('.badge.late').count()) > 0, 'les orientations en retard ressortent');
    assert.match((await member.locator('tbody tr').first().textContent()) ?? '', /en retard/, 'et viennent en tête');
    await member.screenshot({ path: join(SCREENS, 'boite-de-reception.png'), fullPage: false });
    await member.goto(`${h.base}/orientations/${referralId}`);
    await member.getByText('06 12 34 56 78').waitFor();
    await member.getByText(/Parce que votre projet est à Vallet/).waitFor();
    await member.screenshot({ path: join(SCREENS, 'orientation.png'), fullPage: true });
    await member.getByRole('button', { name: 'Je prends en charge cette demande' }).click();
    await member.getByText('C’est enregistré : prendre en charge.').waitFor();
    assert.equal((await h.referrals.service.get(referralId))!.status, 'taking_care');

    // Posts without the CSRF token are refused, even with the session cookie.
    const forged = await member.request.post(`${h.base}/orientations/${referralId}/action`, { form: { action: 'done' } });
    assert.equal(forged.status(), 403);
    assert.equal((await h.referrals.service.get(referralId))!.status, 'taking_care');

    const other = await h.member('clisson-sevre-maine-eco', 'accueil@clisson.exemple.fr');
    const stranger = await newPage();
    await login(stranger, other.account.email, other.password);
    const response = await stranger.goto(`${h.base}/orientations/${referralId}`);
    assert.equal(response?.status(), 404);
    await stranger.getByRole('heading', { name: 'Page introuvable' }).waitFor();
  });

  it('les exports CSV se téléchargent et se relisent (BOM, point-virgule)', async () => {
    const page = coordinator;
    await page.goto(`${h.base}/statistiques`);
    await page.screenshot({ path: join(SCREENS, 'statistiques.png'), fullPage: false });
    // One view at a time: the export has its own tab.
    await page.getByRole('link', { name: 'Exporter les orientations' }).click();
    await page.screenshot({ path: join(SCREENS, 'statistiques-export.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger les orientations de la période en CSV' }).click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    assert.equal(text.charCodeAt(0), 0xfeff, 'BOM');
    const lines = text.slice(1).split('\r\n').filter(Boolean);
    const header = lines[0]!.split(';');
    assert.deepEqual(header.slice(0, 4), ['Orientation', 'Demande', 'Créée le', 'Statut']);
    assert.ok(!header.includes('E-mail'), 'sans données personnelles');
    const from = Date.parse(`${(await page.getByLabel('Du', { exact: true }).inputValue())}T00:00:00+01:00`);
    const expected = (await all(h.referrals.store.referrals.summaries())).filter((s) => s.createdAt >= from - 2 * 3_600_000).length;
    assert.ok(Math.abs(lines.length - 1 - expected) <= 2, `${lines.length - 1} lignes pour ${expected} orientations`);
    const row = lines.map((l) => l.split(';')).find((cells) => cells[0] === referralId)!;
    assert.equal(row[header.indexOf('Commune')], 'Vallet');
    assert.equal(row[header.indexOf('Statut')], 'prise en charge');

    const exportUrl = page.url();
    await page.getByRole('link', { name: 'Demandes par secteur' }).click();
    const [view] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger « Demandes par secteur » en CSV' }).click()]);
    const sectors = readFileSync((await view.path())!, 'utf8').slice(1).split('\r\n').filter(Boolean).map((l) => l.split(';'));
    assert.deepEqual(sectors[0], ['Secteur', 'Demandes', 'Part (%)']);
    assert.equal(sectors.length - 1, 10);

    // With personal data: only by explicit choice, and written to the audit log.
    await page.goto(exportUrl);
    await page.getByLabel(/J’ai besoin des coordonnées/).check();
    await page.getByLabel('Motif de l’export').fill('Relance téléphonique des porteurs sans réponse');
    const [personal] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger avec les données personnelles' }).click()]);
    const personalText = readFileSync((await personal.path())!, 'utf8');
    assert.match(personalText.split('\r\n')[0]!, /;Nom;E-mail;Téléphone;/);
    assert.match(personalText, /Camille Porteuse/);
    const logged = (await h.backoffice.deps.audit.list({ action: 'export.personal' })).entries[0]!;
    assert.equal(logged.by.email, ADMIN.email);
    assert.match(logged.summary, /Relance téléphonique/);
  });

  it('axe-core ne trouve aucune violation, page par page, à 1366 px et à 375 px', async () => {
    const anonymous = await newPage();
    const pages: Array<[Page, string]> = [
      [anonymous, '/connexion'],
      [coordinator, '/orientations'],
      [coordinator, '/orientations?onglet=en-cours'],
      [coordinator, `/orientations/${referralId}`],
      [coordinator, '/regles'],
      [coordinator, '/regles/regle/vignoble.json/vignoble-pret-honneur'],
      [coordinator, '/regles/regle/experts-ess.json/ess-reprise-cooperative-urscop'],
      [coordinator, '/regles/nouvelle/filieres.json'],
      [coordinator, '/regles/regle/vignoble.json/vignoble-pret-honneur/json'],
      [coordinator, '/regles?territoire=epci%3A200067866&structure=sevre-loire-eco'],
      [coordinator, '/regles/fichier/filieres.json'],
      [coordinator, '/regles/brouillon'],
      [coordinator, '/regles/simuler?stage=idee&sector=habitat&commune=44212&needs=financement'],
      [coordinator, '/regles/couverture'],
      [coordinator, '/regles/historique'],
      [coordinator, '/regles/historique/2'],
      [coordinator, '/acteurs'],
      [coordinator, '/acteurs/sevre-loire-eco'],
      [coordinator, '/acteurs/nouvelle'],
      [coordinator, '/partenaires'],
      [coordinator, '/partenaires/vignoble-nantais'],
      [coordinator, '/statistiques'],
      [coordinator, '/statistiques?vue=demandes-par-commune'],
      [coordinator, '/statistiques?vue=orientations-par-structure'],
      [coordinator, '/statistiques?vue=export'],
      [coordinator, '/statistiques?vue=refus-par-regle'],
      [coordinator, '/statistiques?vue=parcours'],
      [coordinator, '/statistiques?vue=delais-de-prise-en-charge'],
      [coordinator, '/regles/simuler'],
      [coordinator, '/partenaires/nouveau'],
      [coordinator, '/donnees-personnelles'],
      [coordinator, '/comptes'],
      [coordinator, '/journal'],
      [coordinator, '/mon-compte'],
      [coordinator, '/page-inexistante'],
    ];
    // A draft, so that the draft page, the simulation and the coverage show both sides.
    await h.backoffice.deps.rules.deleteRule(await h.coordinator(), 'filieres.json', 'filiere-installation-agricole');
    const problems: string[] = [];
    // Every page at a laptop's width and at a phone's.
    for (const width of [1366, 375]) {
      for (const [page, path] of pages) {
        await page.setViewportSize({ width, height: width === 375 ? 740 : 900 });
        await page.goto(h.base + path);
        for (const v of await axeViolations(page)) problems.push(`${path} (${width} px) : ${v}`);
      }
    }
    for (const [page] of pages) await page.setViewportSize({ width: 1366, height: 900 });
    await coordinator.goto(`${h.base}/regles`);
    await coordinator.screenshot({ path: join(SCREENS, 'regles.png'), fullPage: false });
    assert.deepEqual(problems, []);
  });
});
