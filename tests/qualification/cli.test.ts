// The `qualify` command line: one utterance per line in, one contract JSON line out, streamed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from '@jest/globals';

const ROOT = new URL('../../', import.meta.url).pathname;
// The contract's keys, then the receptionist's facts (additions of issue 10).
const KEYS = ['stage', 'sector', 'projectType', 'needs', 'commune', 'epci', 'departement', 'agriculturalInstallation', 'takeover', 'cooperativeForm', 'employerStructure', 'trade', 'youngHolder'];

test('qualify reads lines on stdin and answers each one at once, with exactly the contract keys', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'qualify'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value as string;

  // Streaming: the first answer comes back before the second line is even written.
  child.stdin.write('Bonjour, avec 3 amis on voudrait ouvrir une recyclerie à Vallet, on cherche un local\n');
  const first = await next();
  child.stdin.write('\n');
  child.stdin.end('bonjour\n');
  const second = await next();
  const third = await next();
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
  assert.equal((await lines.next()).done, true, 'exactement une ligne par entrée');

  for (const line of [first, second, third]) assert.deepEqual(Object.keys(JSON.parse(line)), KEYS, line);
  assert.deepEqual(JSON.parse(first), {
    stage: 'idee',
    sector: 'dechets_ressources',
    projectType: 'collectif',
    needs: ['local'],
    commune: { code: '44212', nom: 'Vallet' },
    epci: { code: '200067866', nom: 'CC Sèvre et Loire' },
    departement: '44',
    agriculturalInstallation: null,
    takeover: null,
    cooperativeForm: null,
    employerStructure: null,
    trade: 'autre',
    youngHolder: null,
  });
  const empty = {
    stage: null,
    sector: null,
    projectType: null,
    needs: [],
    commune: null,
    epci: null,
    departement: null,
    agriculturalInstallation: null,
    takeover: null,
    cooperativeForm: null,
    employerStructure: null,
    trade: null,
    youngHolder: null,
  };
  assert.deepEqual(JSON.parse(second), empty);
  assert.deepEqual(JSON.parse(third), empty);
});
