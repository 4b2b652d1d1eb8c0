#!/usr/bin/env node
// The README's test command: type-check, then jest over tests/**/*.test.ts.
//   npm test                      every test
//   npm test -- territory         only the test files whose path matches (jest's path pattern)
//   npm test -- --coverage        with the coverage report (v8), under coverage/
// Other arguments go to jest as they are (--watch, -t 'name', --verbose...).
// SKIP_TYPECHECK=1 skips tsc.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

if (!process.env.SKIP_TYPECHECK) {
  console.error('> tsc --noEmit');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
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
process.exit(run.status ?? 1);
