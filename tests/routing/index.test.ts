// Pre-indexing must never change a decision: it only spares the engine rules that cannot apply.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createRouter } from '../../src/routing/index.js';
import { RuleIndex } from '../../src/routing/rule-index.js';
import type { LoadedRule } from '../../src/routing/load.js';
import type { RoutingFacts } from '../../src/routing/facts.js';
import type { Condition } from '../../src/routing/rule-schema.js';
import { ruleSchema, rulesJsonSchema } from '../../src/routing/rule-schema.js';
import { FACTS } from '../../src/routing/facts.js';
import { PLACEHOLDERS } from '../../src/routing/reason.js';
import { ACTORS_FILE, RULES_DIR, sampleProfiles, testTerritory } from './helpers.js';

test('decisions are identical with and without pre-indexing (300 varied profiles)', async () => {
  const territory = await testTerritory();
  const indexed = await createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory });
  const plain = await createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory, preindex: false });
  for (const profile of await sampleProfiles(300, 42)) {
    assert.deepEqual(await indexed.route(profile), await plain.route(profile), JSON.stringify(profile));
  }
});

let order = 0;
function rule(id: string, conditions: Condition): LoadedRule {
  return { id, file: 't.json', order: order++, priority: 1, type: 'refer', params: { actorId: 'x', tier: 'local', reason: 'raison de test' }, conditions };
}
const facts = (patch: Partial<RoutingFacts>): RoutingFacts => ({
  stage: null, sector: null, projectType: null, needs: [], commune: null, epci: null, departement: null, region: null, territory: [], servedArea: null, ...patch,
});

test('static analysis is conservative: any / not / negative operators keep a rule as a candidate', () => {
  const index = new RuleIndex([
    rule('any-places', { any: [{ fact: 'epci', operator: 'equal', value: '200067866' }, { fact: 'departement', operator: 'equal', value: '85' }] }),
    rule('not-place', { not: { fact: 'departement', operator: 'equal', value: '44' } }),
    rule('any-mixed', { any: [{ fact: 'epci', operator: 'equal', value: '200067866' }, { fact: 'stage', operator: 'equal', value: 'idee' }] }),
    rule('stage-in', { all: [{ fact: 'stage', operator: 'in', value: ['idee', 'creation'] }, { fact: 'departement', operator: 'notIn', value: ['44'] }] }),
    rule('needs', { all: [{ fact: 'needs', operator: 'contains', value: 'financement' }] }),
    rule('territory', { all: [{ fact: 'territory', operator: 'contains', value: 'vignoble-nantais' }] }),
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
