#!/usr/bin/env node
// The README's test command: type-check, then jest over tests/**/*.test.ts.
//   npm test                      every test
//   npm test -- territory         only the test files whose path matches (jest's path pattern)
//   npm test -- --coverage        with the coverage report (v8), under coverage/
// Other arguments go to jest as they are (--watch, -t 'name', --verbose...).
// SKIP_TYPECHECK=1 skips tsc.
// The PostgreSQL tests get a throwaway cluster on loopback (scripts/postgres.mjs: Debian's
// postgresql installed if missing), started here once and stopped at the end, unless
// AIGUILLAGE_TEST_DATABASE_URL already names one.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startCluster, stopCluster } from './postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

if (!process.env.SKIP_TYPECHECK) {
  console.error('> tsc --noEmit');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

let ownCluster = false;
if (!process.env.AIGUILLAGE_TEST_DATABASE_URL) {
  const dir = join(process.env.TMPDIR ?? '/tmp', `aiguillage-test-postgres-${process.pid}`);
  try {
    process.env.AIGUILLAGE_TEST_DATABASE_URL = startCluster(dir, 54000 + (process.pid % 1000));
    ownCluster = dir;
    console.error(`> PostgreSQL de test : ${process.env.AIGUILLAGE_TEST_DATABASE_URL}`);
  } catch (error) {
    // The PostgreSQL tests will fail and say why; the others still run.
    console.error(`> PostgreSQL indisponible pour les tests : ${error instanceof Error ? error.message : String(error)}`);
  }
}

// jest's ES module support needs --experimental-vm-modules on Node 20. Given as node flags (not
// NODE_OPTIONS) so that jest's workers inherit them but the processes the tests spawn do not.
const run = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=DEP0111',
    join(root, 'node_modules/jest/bin/jest.js'),
    ...args,
  ],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
if (ownCluster) stopCluster(ownCluster, { remove: true });
process.exit(run.status ?? 1);
