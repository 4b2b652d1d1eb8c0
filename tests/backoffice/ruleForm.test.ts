// The sentence form never changes what a rule means: every shipped rule read by the form and
// written back routes exactly like the original (coverage of the served intercommunalities and
// sample projects: no change found); the files stay valid for the loader. Without JavaScript the
// form works as a plain POST: a place typed by name becomes a chip, then the rule is saved.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeChanges } from '../../src/backoffice/changeSummary.js';
import { buildRule, formFromBody, parseRule, projectFacts } from '../../src/backoffice/ruleForm.js';
import { coverage, createRouter, FACT_NAMES, loadRuleSet, servedEpcis } from '../../src/routing/index.js';
import type { Client, Harness } from './harness.js';
import { withSignedInBackoffice } from './signedIn.js';

let h: Harness;
let client: Client;

withSignedInBackoffice((started) => ({ h, client } = started));

describe('règle en phrase', () => {
  // First: the long coverage below leaves the client's keep-alive socket idle past the server's timeout.
  it('sans JavaScript : un lieu tapé par son nom s’ajoute, puis la règle s’enregistre ; une erreur nomme la règle et le champ', async () => {
    await client.get('/regles/nouvelle/vignoble.json');
    const base = { actorId: 'cci-nantes-st-nazaire', tier: 'local', reason: 'Parce que votre projet est {lieu}, {acteur} vous reçoit.', priority: '50', fact_stage: 'idee', mode_stage: 'in' };
    const step = await client.post('/regles/nouvelle/vignoble.json', { ...base, add_places: 'Clisson', intent: 'add-places' });
    assert.equal(step.status, 200);
    const page = await step.text();
    assert.match(page, /<input type="checkbox" name="places" value="commune:44043" checked> Clisson/);

    const missing = await client.post('/regles/nouvelle/vignoble.json', { ...base, actorId: '', places: 'commune:44043', intent: 'save' });
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /Règle « nouvelle règle », champ « Structure » : choisissez une structure dans la liste/);

    const duplicate = await client.post('/regles/nouvelle/vignoble.json', { ...base, name: 'vignoble-pret-honneur', places: 'commune:44043', intent: 'save' });
    assert.equal(duplicate.status, 400);
    assert.match(await duplicate.text(), /champ « Identifiant de la règle » : « vignoble-pret-honneur » est déjà celui d’une autre règle/);

    const saved = await client.post('/regles/nouvelle/vignoble.json', { ...base, places: 'commune:44043', intent: 'save' });
    assert.equal(saved.status, 303);
    const text = (await h.backoffice.deps.rules.fileText(await h.coordinator(), 'vignoble.json'))!;
    const rule = (JSON.parse(text) as { rules: Array<{ name: string; conditions: unknown; event: { params: { actorId: string } } }> }).rules.find((r) => r.event.params.actorId === 'cci-nantes-st-nazaire')!;
    assert.deepEqual(rule.conditions, { all: [{ fact: 'commune', operator: 'equal', value: '44043' }, { fact: 'stage', operator: 'equal', value: 'idee' }] });
    assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    await h.backoffice.deps.rules.discard(await h.coordinator());
  });

  it('relire et réécrire chaque règle livrée par le formulaire ne change aucune orientation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aig-form-'));
    try {
      cpSync(h.rulesDir, dir, { recursive: true });
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && n !== 'rules.schema.json')) {
        const data = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { rules: Array<Record<string, unknown>> };
        data.rules = data.rules.map((r) => buildRule(parseRule(r)));
        writeFileSync(join(dir, name), `${JSON.stringify(data, null, 2)}\n`);
      }
      await loadRuleSet({ rulesDir: dir, actorsFile: h.actorsFile, territory: h.territory }); // throws when invalid
      const rebuilt = await createRouter({ rulesDir: dir, actorsFile: h.actorsFile, territory: h.territory });
      const epcis = servedEpcis(h.router.actors());
      const summary = await summarizeChanges({ live: h.router, draft: rebuilt, territory: h.territory, coverage: (r) => coverage(r, h.territory, epcis), actorName: (id) => id });
      assert.deepEqual(summary.sentences, []);
      assert.equal(summary.coverageChanges.length, 0);
      assert.ok(summary.combos > 1000);
      rebuilt.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('le formulaire vient du catalogue des faits : chaque fait de projet a son contrôle', () => {
    const names = projectFacts().map((f) => f.name);
    for (const fact of ['stage', 'sector', 'projectType', 'needs', 'agriculturalInstallation', 'takeover', 'cooperativeForm', 'employerStructure', 'trade', 'youngHolder']) assert.ok(names.includes(fact as never), fact);
    assert.ok(names.every((n) => FACT_NAMES.includes(n)));
    const stage = projectFacts().find((f) => f.name === 'stage')!;
    assert.deepEqual(stage.options.map((o) => o.label), ['Idée, émergence', 'Création, lancement', 'Développement d’une structure existante']);
  });

  it('les champs postés donnent la règle au format json-rules-engine', () => {
    const { form, problems } = formFromBody({
      name: '', description: '', priority: '60', actorId: 'ecossolies', tier: 'accueil', fallbackTier: 'expert', slot: 'accueil-ess', reason: 'Parce que votre projet est {lieu}, {acteur} vous accueille.',
      places: ['epci:200067866', 'commune:44043', 'territory:vignoble-nantais'], addPlace: '', advanced: '[]',
      fact_stage: ['creation', 'developpement'], mode_stage: 'notIn', fact_needs: ['financement', 'local'], fact_takeover: 'notTrue', fact_sector: 'inventé',
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(buildRule({ ...form, name: 'essai' }), {
      name: 'essai',
      priority: 60,
      conditions: {
        all: [
          { any: [{ fact: 'epci', operator: 'equal', value: '200067866' }, { fact: 'commune', operator: 'equal', value: '44043' }, { fact: 'territory', operator: 'contains', value: 'vignoble-nantais' }] },
          { fact: 'stage', operator: 'notIn', value: ['creation', 'developpement'] },
          { any: [{ fact: 'needs', operator: 'contains', value: 'financement' }, { fact: 'needs', operator: 'contains', value: 'local' }] },
          { fact: 'takeover', operator: 'notEqual', value: true },
        ],
      },
      event: { type: 'refer', params: { actorId: 'ecossolies', tier: 'expert', slot: 'accueil-ess', reason: 'Parce que votre projet est {lieu}, {acteur} vous accueille.', onlyIfNoExpert: true } },
    });
  });

});
