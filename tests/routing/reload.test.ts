// Hot reload: a valid change is swapped in; an invalid one is refused with its message and the
// last good set keeps routing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createRouter, type ReloadResult, type Router } from '../../src/routing/index.js';
import { profileAt, tempRuleSet, testTerritory } from './helpers.js';

const copies: Array<() => void> = [];
const routers: Router[] = [];
after(() => {
  routers.forEach((r) => r.close());
  copies.forEach((c) => c());
});

function nextReload(router: Router, timeoutMs = 4000): Promise<ReloadResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('aucun rechargement'));
    }, timeoutMs);
    const off = router.onReload((result) => {
      clearTimeout(timer);
      off();
      resolve(result);
    });
  });
}

function edit(path: string, change: (doc: any) => void): void {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  change(doc);
  writeFileSync(path, JSON.stringify(doc, null, 2));
}

const SL = 'vignoble-proximite-sevre-loire';

test('watched files: a valid change is swapped in, an invalid one refused, the last good set stays', async () => {
  const copy = tempRuleSet();
  copies.push(copy.cleanup);
  const router = await createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory: await testTerritory(), watch: true, debounceMs: 30 });
  routers.push(router);
  const vallet = await profileAt('44212', { stage: 'creation' });
  const v1 = router.rulesVersion;

  // 1. A new reason in vignoble.json.
  let reloaded = nextReload(router);
  edit(join(copy.rulesDir, 'vignoble.json'), (d) => (d.rules.find((r: any) => r.name === SL).event.params.reason = 'Parce que votre projet est {lieu}, Sèvre et Loire vous reçoit.'));
  let result = await reloaded;
  assert.equal(result.ok, true);
  assert.ok(result.ok && result.changed);
  const v2 = router.rulesVersion;
  assert.notEqual(v2, v1);
  let decision = await router.route(vallet);
  assert.equal(decision.referrals[0]!.reason, 'Parce que votre projet est à Vallet, Sèvre et Loire vous reçoit.');
  assert.equal(decision.rulesVersion, v2);

  // 2. Broken JSON: refused, named, and the previous set keeps routing.
  reloaded = nextReload(router);
  writeFileSync(join(copy.rulesDir, 'vignoble.json'), readFileSync(join(copy.rulesDir, 'vignoble.json'), 'utf8').replace(/\}\s*$/, ''));
  result = await reloaded;
  assert.equal(result.ok, false);
  assert.ok(!result.ok && /vignoble\.json.*JSON illisible/.test(result.message), !result.ok ? result.message : '');
  assert.equal(router.rulesVersion, v2);
  decision = await router.route(vallet);
  assert.equal(decision.referrals[0]!.actorId, 'sevre-loire-eco');
  assert.equal(decision.rulesVersion, v2);

  // 3. An unknown actor in a valid JSON: refused too.
  reloaded = nextReload(router);
  writeFileSync(join(copy.rulesDir, 'vignoble.json'), readFileSync(join(copy.rulesDir, 'vignoble.json'), 'utf8') + '}');
  edit(join(copy.rulesDir, 'vignoble.json'), (d) => (d.rules.find((r: any) => r.name === SL).event.params.actorId = 'personne'));
  result = await reloaded;
  assert.ok(!result.ok && result.message.includes('règle « vignoble-proximite-sevre-loire » : acteur inconnu « personne »'));
  assert.equal(router.rulesVersion, v2);

  // 4. Fixed, and the actors file changes: the new set is active.
  reloaded = nextReload(router);
  edit(join(copy.rulesDir, 'vignoble.json'), (d) => (d.rules.find((r: any) => r.name === SL).event.params.actorId = 'sevre-loire-eco'));
  edit(copy.actorsFile, (d) => (d.actors.find((a: any) => a.id === 'sevre-loire-eco').active = false));
  for (;;) {
    result = await reloaded; // the two saves may land in one or two reloads
    if (result.ok && router.actorById('sevre-loire-eco')?.active === false) break;
    reloaded = nextReload(router);
  }
  decision = await router.route(vallet);
  assert.equal(decision.fallback, true);
  assert.deepEqual(decision.skipped, [{ actorId: 'sevre-loire-eco', ruleId: SL, why: 'inactive' }]);
});

test('reload() without watching; unchanged files keep the version', async () => {
  const copy = tempRuleSet();
  copies.push(copy.cleanup);
  const router = await createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory: await testTerritory() });
  const before = router.rulesVersion;
  const same = await router.reload();
  assert.deepEqual(same, { ok: true, changed: false, rulesVersion: before, ruleCount: router.ruleCount, actorCount: router.actors().length });
  edit(join(copy.rulesDir, 'filieres.json'), (d) => (d.rules[0].conditions.all[0].value = 'numerique'));
  const changed = await router.reload();
  assert.ok(changed.ok && changed.changed && changed.rulesVersion !== before);
  // A route started before a reload finishes on the set it started with.
  const pending = router.route(await profileAt('44212', { stage: 'creation' }));
  edit(join(copy.rulesDir, 'filieres.json'), (d) => (d.rules[0].conditions.all[0].value = 'habitat'));
  await router.reload();
  assert.equal((await pending).rulesVersion, changed.rulesVersion);
});
