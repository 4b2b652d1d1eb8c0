// The receptionist table (tests/routing/receptionist/cases.json): sentences as holders write
// them, with the structures a receptionist of the Pays would name (must), would never name
// (mustNot), or one of which must answer (oneOf). Run through the two command lines of the
// contract, `cli qualify` then `cli route`, each spawned once for the whole table.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from '@jest/globals';
import { ROOT } from './helpers.js';

export interface ReceptionistCase {
  say: string;
  must?: string[];
  mustNot?: string[];
  oneOf?: string[];
}
export const CASES = (JSON.parse(readFileSync(new URL('./receptionist/cases.json', import.meta.url), 'utf8')) as { cases: ReceptionistCase[] }).cases;

/** What is wrong with the actors proposed for a case, in French; empty when right. */
export function receptionistFaults(c: ReceptionistCase, actorIds: readonly string[]): string[] {
  const faults = [
    ...(c.must ?? []).filter((id) => !actorIds.includes(id)).map((id) => `manque ${id}`),
    ...(c.mustNot ?? []).filter((id) => actorIds.includes(id)).map((id) => `ne devrait pas recevoir : ${id}`),
  ];
  if (c.oneOf && !c.oneOf.some((id) => actorIds.includes(id))) faults.push(`aucune de : ${c.oneOf.join(', ')}`);
  return faults;
}

function cli(args: string[], input: string): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test('the receptionist table: at least 40 realistic sentences, each with an expectation', () => {
  assert.ok(CASES.length >= 40, `${CASES.length} cas`);
  for (const c of CASES) assert.ok((c.must?.length ?? 0) + (c.mustNot?.length ?? 0) + (c.oneOf?.length ?? 0) > 0, c.say);
  // Every active actor of the directory is named by at least one case.
  const named = new Set(CASES.flatMap((c) => [...(c.must ?? []), ...(c.oneOf ?? [])]));
  const actors = (JSON.parse(readFileSync(new URL('../../data/actors.json', import.meta.url), 'utf8')) as { actors: Array<{ id: string; active: boolean }> }).actors;
  assert.deepEqual(actors.filter((a) => a.active && !named.has(a.id)).map((a) => a.id), []);
});

test('cli qualify → cli route gives every case the structures a receptionist would name', () => {
  const profiles = cli(['qualify'], CASES.map((c) => c.say).join('\n') + '\n');
  const decisions = cli(['route'], profiles).trimEnd().split('\n').map((l) => JSON.parse(l) as { referrals: Array<{ actorId: string; reason: string }> });
  assert.equal(decisions.length, CASES.length);
  const failures: string[] = [];
  CASES.forEach((c, i) => {
    const ids = decisions[i]!.referrals.map((r) => r.actorId);
    const faults = receptionistFaults(c, ids);
    if (faults.length) failures.push(`« ${c.say} » → ${ids.join(', ')} : ${faults.join(' ; ')}`);
    // No hedged referral: a structure is proposed on established facts only.
    for (const r of decisions[i]!.referrals) assert.doesNotMatch(r.reason, /\bsi (votre|vous|le|la|il|ils)\b/i, `raison au conditionnel : ${r.reason}`);
  });
  assert.deepEqual(failures, []);
});
