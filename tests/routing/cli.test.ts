// The command line contracts (DESIGN.md §5), each spawned once: route and validate-rules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from '@jest/globals';
import { ROOT } from './helpers.js';

function cli(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('route: one decision per line, an error object for a bad line, exit 1 at the end', () => {
  const vallet = { stage: 'creation', sector: null, projectType: null, needs: [], commune: { code: '44212', nom: 'Vallet' }, epci: null, departement: null };
  const paris = { ...vallet, commune: { code: '75056', nom: 'Paris' } };
  const input = [JSON.stringify(vallet), '{pas du json', JSON.stringify({ ...vallet, stage: 'lancement' }), JSON.stringify(paris)].join('\n') + '\n';
  const { status, stdout, stderr } = cli(['route'], input);
  const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4, stderr);
  assert.deepEqual(
    lines[0].referrals.map((r: Record<string, string>) => [r.actorId, r.role, r.ruleId]),
    [
      ['sevre-loire-eco', 'local', 'vignoble-proximite-sevre-loire'],
      ['cress-pdl', 'reseau', 'ess-accueil-cress'],
    ],
  );
  assert.equal(lines[0].fallback, false);
  assert.match(lines[0].rulesVersion, /^[0-9a-f]{12}$/);
  assert.match(lines[0].referrals[0].reason, /^Parce que votre projet est à Vallet et en création/);
  assert.match(lines[1].error, /^Ligne 2 : JSON illisible/);
  assert.match(lines[2].error, /^Ligne 3 : profil invalide : stage/);
  assert.equal(lines[3].fallback, true);
  assert.equal(lines[3].referrals[0].actorId, 'cress-pdl');
  assert.equal(status, 1);
  assert.match(stderr, /Règles [0-9a-f]{12} : \d+ règles/);
});

test('validate-rules: the shipped set is valid', () => {
  const { status, stdout } = cli(['validate-rules']);
  assert.equal(status, 0, stdout);
  assert.match(stdout, /^Règles valides : \d+ règles, \d+ acteurs, version [0-9a-f]{12}\n$/);
});
