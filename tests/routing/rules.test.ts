// Rule sets: validation and its French messages, the generated schema, the README, pre-indexing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { createRouter, loadRuleSet, RulesError } from '../../src/routing/index.js';
import { RuleIndex } from '../../src/routing/rule-index.js';
import type { LoadedRule } from '../../src/routing/load.js';
import { FACTS, type RoutingFacts } from '../../src/routing/facts.js';
import { ruleSchema, rulesJsonSchema, type Condition } from '../../src/routing/rule-schema.js';
import { PLACEHOLDERS } from '../../src/routing/reason.js';
import { ACTORS_FILE, RULES_DIR, sampleProfiles, tempRuleSet, testTerritory } from './helpers.js';

// ——— validation ———
// Invalid rule sets are refused with a French message naming the file, the rule and the problem.
type Json = Record<string, any>;

/** Loads a copy of the shipped set after `edit`, expecting a refusal; returns its message. */
async function refusal(edit: (files: { rules: (name: string, change: (doc: Json) => void) => void; raw: (name: string, change: (text: string) => string) => void; actors: (change: (doc: Json) => void) => void }) => void): Promise<string> {
  const copy = tempRuleSet();
  const rules = (name: string, change: (doc: Json) => void) => {
    const path = join(copy.rulesDir, name);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Json;
    change(doc);
    writeFileSync(path, JSON.stringify(doc, null, 2));
  };
  const raw = (name: string, change: (text: string) => string) => {
    const path = join(copy.rulesDir, name);
    writeFileSync(path, change(readFileSync(path, 'utf8')));
  };
  const actors = (change: (doc: Json) => void) => {
    const doc = JSON.parse(readFileSync(copy.actorsFile, 'utf8')) as Json;
    change(doc);
    writeFileSync(copy.actorsFile, JSON.stringify(doc, null, 2));
  };
  edit({ rules, raw, actors });
  const error = await loadRuleSet({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory: await testTerritory() }).then(
    () => assert.fail('jeu de règles accepté à tort'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RulesError, String(error));
  return error.message;
}

const rule = (doc: Json, name: string): Json => doc.rules.find((r: Json) => r.name === name);
const SL = 'vignoble-proximite-sevre-loire';

test('the shipped set is valid', async () => {
  const copy = tempRuleSet();
  const set = await loadRuleSet({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory: await testTerritory() });
  assert.ok(set.rules.length >= 30);
  assert.match(set.version, /^[0-9a-f]{12}$/);
});

test('broken JSON: file, position and the rule being written', async () => {
  const message = await refusal(({ raw }) => raw('vignoble.json', (t) => t.replace(`"name": "${SL}",`, `"name": "${SL}"`)));
  assert.match(message, /vignoble\.json, règle « vignoble-proximite-sevre-loire » : JSON illisible ligne \d+, colonne \d+/);
});

test('unknown fact', async () => {
  const message = await refusal(({ rules }) => rules('vignoble.json', (d) => (rule(d, SL).conditions.all[0].fact = 'epcii')));
  assert.match(message, /vignoble\.json, règle « vignoble-proximite-sevre-loire » : fait inconnu « epcii »/);
});

test('unknown actor', async () => {
  const message = await refusal(({ rules }) => rules('vignoble.json', (d) => (rule(d, SL).event.params.actorId = 'sevre-loire')));
  assert.match(message, /vignoble\.json, règle « vignoble-proximite-sevre-loire » : acteur inconnu « sevre-loire »/);
});

test('bad operator: unknown, or not allowed for the fact', async () => {
  const unknown = await refusal(({ rules }) => rules('vignoble.json', (d) => (rule(d, SL).conditions.all[0].operator = 'equals')));
  assert.match(unknown, /vignoble\.json, règle « vignoble-proximite-sevre-loire » : opérateur inconnu « equals »/);
  const misplaced = await refusal(({ rules }) =>
    rules('experts-ess.json', (d) => (rule(d, 'ess-emergence-ecossolies').conditions.all[1] = { fact: 'stage', operator: 'contains', value: 'idee' })),
  );
  assert.match(misplaced, /experts-ess\.json, règle « ess-emergence-ecossolies » : opérateur « contains » non permis pour le fait « stage »/);
});

test('unknown value of an enum fact, unknown code, unknown named territory', async () => {
  const value = await refusal(({ rules }) => rules('experts-ess.json', (d) => (rule(d, 'ess-emergence-ecossolies').conditions.all[1].value = 'creaton')));
  assert.match(value, /règle « ess-emergence-ecossolies » : valeur inconnue « creaton » pour le fait « stage »/);
  const epci = await refusal(({ rules }) => rules('vignoble.json', (d) => (rule(d, SL).conditions.all[0].value = '999999999')));
  assert.match(epci, /règle « vignoble-proximite-sevre-loire » : EPCI inconnu « 999999999 »/);
  const named = await refusal(({ rules }) => rules('vignoble.json', (d) => (rule(d, 'vignoble-pret-honneur').conditions.all[0].value = 'vignoble')));
  assert.match(named, /règle « vignoble-pret-honneur » : territoire nommé inconnu « vignoble »/);
});

test('reason template with an unknown variable; duplicate rule names', async () => {
  const template = await refusal(({ rules }) => rules('vignoble.json', (d) => (rule(d, SL).event.params.reason = 'Parce que votre projet est à {ville}.')));
  assert.match(template, /règle « vignoble-proximite-sevre-loire » : raison : variable inconnue \{ville\}/);
  const duplicate = await refusal(({ rules }) => rules('filieres.json', (d) => (d.rules[0].name = SL)));
  assert.match(duplicate, /vignoble\.json, règle « vignoble-proximite-sevre-loire » : nom de règle déjà utilisé dans .*filieres\.json/);
});

test('structure: missing value, empty any, leaf at the root, unknown key', async () => {
  const message = await refusal(({ rules }) =>
    rules('vignoble.json', (d) => {
      delete rule(d, SL).conditions.all[0].value;
      rule(d, 'vignoble-proximite-clisson-sevre-maine').conditions = { any: [] };
      rule(d, 'vignoble-pret-honneur').conditions = { fact: 'stage', operator: 'equal', value: 'idee' };
      rule(d, SL).event.params.acteur = 'x';
    }),
  );
  assert.match(message, /« vignoble-proximite-sevre-loire » : condition sur « epci » sans « value »/);
  assert.match(message, /« vignoble-proximite-clisson-sevre-maine » : « any » vide/);
  assert.match(message, /« vignoble-pret-honneur » : la racine de « conditions » doit être « all », « any » ou « not »/);
  assert.match(message, /« vignoble-proximite-sevre-loire » : Clé non reconnue : "acteur"/);
});

test('actors file: placeholder address, unknown zone, missing last resort', async () => {
  const message = await refusal(({ actors }) =>
    actors((d) => {
      d.actors.find((a: Json) => a.id === 'ecossolies').notification.email = 'contact@ecossolies.fr';
      d.actors.find((a: Json) => a.id === 'sevre-loire-eco').zones = ['999999999'];
      d.actors = d.actors.filter((a: Json) => a.id !== 'cress-pdl');
    }),
  );
  assert.match(message, /actors\.json, acteur « ecossolies » : adresse de notification non confirmée/);
  assert.match(message, /actors\.json, acteur « sevre-loire-eco » : zone : EPCI inconnu « 999999999 »/);
  assert.match(message, /acteur « cress-pdl » : acteur de dernier recours absent du fichier/);
  // Rules naming the removed actor are reported too.
  assert.match(message, /fallback\.json, règle « recours-vignoble » : acteur inconnu « cress-pdl »/);
});

// ——— index ———
// Pre-indexing must never change a decision: it only spares the engine rules that cannot apply.
test('decisions are identical with and without pre-indexing (300 varied profiles)', async () => {
  const territory = await testTerritory();
  const indexed = await createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory });
  const plain = await createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory, preindex: false });
  for (const profile of await sampleProfiles(300, 42)) {
    assert.deepEqual(await indexed.route(profile), await plain.route(profile), JSON.stringify(profile));
  }
});

let order = 0;
function loaded(id: string, conditions: Condition): LoadedRule {
  return { id, file: 't.json', order: order++, priority: 1, type: 'refer', params: { actorId: 'x', tier: 'local', reason: 'raison de test' }, conditions };
}
const facts = (patch: Partial<RoutingFacts>): RoutingFacts => ({
  stage: null, sector: null, projectType: null, needs: [], commune: null, epci: null, departement: null, region: null, territory: [], servedArea: null,
  agriculturalInstallation: null, takeover: null, cooperativeForm: null, employerStructure: null, trade: null, youngHolder: null, ...patch,
});

test('static analysis is conservative: any / not / negative operators keep a rule as a candidate', () => {
  const index = new RuleIndex([
    loaded('any-places', { any: [{ fact: 'epci', operator: 'equal', value: '200067866' }, { fact: 'departement', operator: 'equal', value: '85' }] }),
    loaded('not-place', { not: { fact: 'departement', operator: 'equal', value: '44' } }),
    loaded('any-mixed', { any: [{ fact: 'epci', operator: 'equal', value: '200067866' }, { fact: 'stage', operator: 'equal', value: 'idee' }] }),
    loaded('stage-in', { all: [{ fact: 'stage', operator: 'in', value: ['idee', 'creation'] }, { fact: 'departement', operator: 'notIn', value: ['44'] }] }),
    loaded('needs', { all: [{ fact: 'needs', operator: 'contains', value: 'financement' }] }),
    loaded('territory', { all: [{ fact: 'territory', operator: 'contains', value: 'vignoble-nantais' }] }),
  ]);
  const ids = (f: RoutingFacts) => index.candidates(f, 'refer').map((r) => r.id);
  assert.deepEqual(ids(facts({ departement: '49' })), ['not-place', 'any-mixed']);
  assert.deepEqual(ids(facts({ departement: '85', stage: 'creation' })), ['any-places', 'not-place', 'any-mixed', 'stage-in']);
  assert.deepEqual(ids(facts({ epci: '200067866', departement: '44', territory: ['vignoble-nantais'], needs: ['financement'] })), [
    'any-places',
    'not-place',
    'any-mixed',
    'needs',
    'territory',
  ]);
});

test('rules/rules.schema.json is in sync with the zod schema (npm run --silent cli -- validate-rules --write-schema)', () => {
  assert.deepEqual(JSON.parse(readFileSync(`${RULES_DIR}/rules.schema.json`, 'utf8')), rulesJsonSchema());
});

test('rules/README.md documents every fact, value and reason variable, and its example rule is valid', () => {
  const readme = readFileSync(`${RULES_DIR}/README.md`, 'utf8');
  for (const [name, spec] of Object.entries(FACTS)) {
    assert.ok(readme.includes(`| \`${name}\` |`), `fait non documenté : ${name}`);
    for (const v of spec.values ?? []) assert.ok(readme.includes(`\`${v}\``), `valeur non documentée : ${name}=${v}`);
  }
  for (const p of Object.keys(PLACEHOLDERS)) assert.ok(readme.includes(`\`{${p}}\``), `variable non documentée : {${p}}`);
  const example = /```json\n(\{\n  "name"[\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(example, 'exemple de règle introuvable');
  assert.equal(ruleSchema.safeParse(JSON.parse(example)).success, true);
});
