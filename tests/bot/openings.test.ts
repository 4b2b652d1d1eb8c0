// Issue 11's measures on a corpus of openings written as holders write (openings.json): each
// goes through the real bot, with a persona answering its questions, to a dossier number in the
// referral store. Prints the distribution of holder messages to the reference.
import { afterAll, beforeAll, test } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handOffService } from '../../src/bot/index.js';
import { warmUp } from '../../src/qualification/index.js';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, type Router } from '../../src/routing/index.js';
import { loadTerritory } from '../../src/territory/index.js';
import { Holder } from './holder.js';
import { distribution, loadOpenings, walkToReference, type Walk } from './persona.js';

let router: Router;
let referrals: Referrals;
const dir = mkdtempSync(join(tmpdir(), 'aig-openings-'));
const walks = new Map<string, Walk>();

beforeAll(async () => {
  warmUp();
  router = await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory: loadTerritory() });
  referrals = await openReferrals({
    dataDir: dir,
    publicUrl: 'http://127.0.0.1:9',
    actors: router,
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-openings-0123456789',
  });
});

afterAll(async () => {
  await referrals.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('every opening of the corpus reaches a dossier number written in the store', async () => {
  const openings = loadOpenings();
  assert.ok(openings.length >= 20, `${openings.length} ouvertures`);
  for (const opening of openings) {
    const holder = new Holder({ router, handOff: handOffService(referrals.service) });
    const walk = await walkToReference(holder, opening);
    const records = await referrals.service.byReference(walk.reference);
    assert.ok(records.length > 0, `${opening.id} : dossier absent du registre`);
    assert.ok(records.every((r) => r.contact !== null && r.consent !== null), opening.id);
    walks.set(opening.id, walk);
  }
  const { median, histogram } = distribution([...walks.values()].map((w) => w.messages));
  const lines = [...walks].map(([id, w]) => `${String(w.messages).padStart(2)}  ${id}`);
  console.log(`Messages du porteur jusqu’au numéro de dossier (${walks.size} conversations) :\n${lines.join('\n')}`);
  console.log(`Médiane : ${median} ; distribution : ${[...histogram].map(([n, c]) => `${n} → ${c}`).join(', ')}`);
  assert.ok(median <= 6, `médiane ${median} > 6`);
});

test('place, stage, sector and form in one sentence: a reference in at most 5 messages', () => {
  const walk = walks.get('recyclerie-vallet');
  assert.ok(walk, 'the corpus test runs first');
  assert.ok(walk.messages <= 5, walk.transcript.join('\n'));
});

test('a vague « j’ai un projet »: a reference in at most 9 messages', () => {
  const walk = walks.get('vague');
  assert.ok(walk, 'the corpus test runs first');
  assert.ok(walk.messages <= 9, walk.transcript.join('\n'));
});
