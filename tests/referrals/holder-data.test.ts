// A holder's rights from the command line: export (JSON, while the service runs) and erasure
// (service stopped) by reference + e-mail; erased data leaves every file of the data directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { promisify } from 'node:util';
import { openReferrals } from '../../src/referrals/index.js';
import { holderInput, ROOT, tempDir, testActors } from './helpers.js';

const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, AIGUILLAGE_DATA_DIR: dataDir, SMTP_URL: '', AIGUILLAGE_SECRET: 'secret-de-test-0123456789' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

test('export-holder prints the JSON while the service runs; erase-holder removes the data everywhere', async () => {
  const dataDir = tempDir(t, 'aig-rgpd');
  let referrals = await openReferrals({
    dataDir,
    publicUrl: 'https://aiguillage.example.org',
    actors: await testActors(),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-0123456789',
  });
  const input = holderInput({ contact: { name: 'Alix Effacement', email: 'Alix.Effacement@Exemple.fr', phone: null, channel: 'email', preferredTime: null } });
  const other = holderInput();
  const { reference } = await referrals.service.createReferral(input);
  await referrals.service.createReferral(other);
  await referrals.store.conversations.write({ [`directline/conversations/${input.conversationId}/`]: { contact: { name: 'Alix Effacement' } } });
  await referrals.mailer.flush(); // .eml copies in the outbox
  // The holder's "taken care" and "closed" e-mails are still queued when the holder asks for erasure.
  await referrals.service.transition(`${reference}-1`, 'take_care', 'actor:clisson-sevre-maine-eco');
  await referrals.service.transition(`${reference}-1`, 'done', 'actor:clisson-sevre-maine-eco', 'Premier rendez-vous fixé');

  const exported = await cli(dataDir, 'export-holder', reference, 'alix.effacement@exemple.fr');
  assert.equal(exported.code, 0, exported.stderr);
  const data = JSON.parse(exported.stdout);
  assert.equal(data.reference, reference);
  assert.equal(data.referrals.length, 1);
  assert.equal(data.referrals[0].contact.name, 'Alix Effacement');
  assert.deepEqual(Object.keys(data.conversations), [`directline/conversations/${input.conversationId}/`], 'the key as botbuilder’s ConversationState writes it, trailing slash included');
  assert.doesNotMatch(exported.stderr, /Alix|exemple\.fr/i, 'logs carry references only');

  await assert.rejects(referrals.service.exportHolder(reference, 'quelqu.un@exemple.fr'), /Aucune donnée personnelle ne correspond à la référence/);
  await assert.rejects(referrals.service.exportHolder(reference, other.contact.email!), /Aucune donnée personnelle/, 'another holder’s address does not open this request');

  const busy = await cli(dataDir, 'erase-holder', reference, 'alix.effacement@exemple.fr');
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /utilisé par un autre processus .* arrêtez le service avant cette commande/);

  await referrals.close();
  const erased = await cli(dataDir, 'erase-holder', reference, 'ALIX.EFFACEMENT@EXEMPLE.FR');
  assert.equal(erased.code, 0, erased.stderr);
  assert.deepEqual(JSON.parse(erased.stdout), { reference, referrals: 1, conversations: 1, discardedEmails: 2, outboxFiles: 2 });
  assert.match(erased.stderr, /Données personnelles effacées pour AIG-/);

  for (const file of allFiles(dataDir)) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!/alix/i.test(text), `${file} still names the holder`);
    assert.ok(!text.includes('Premier rendez-vous'), `${file} still holds free text`);
  }
  referrals = await openReferrals({ dataDir, publicUrl: 'https://aiguillage.example.org', actors: await testActors(), mailFrom: 'Aiguillage <aiguillage@example.org>', secret: 'secret-de-test-0123456789' });
  t.after(() => referrals.close());
  const record = (await referrals.service.get(`${reference}-1`))!;
  assert.equal(record.contact, null);
  assert.equal(record.status, 'done', 'statistics keep the outcome');
  assert.ok(record.erasedAt);
  assert.equal(record.history.at(-1)!.action, 'erase');
  const others = await referrals.store.referrals.byConversation(other.conversationId);
  assert.equal(others[0]!.contact?.email, other.contact.email, 'other holders untouched');
  await assert.rejects(referrals.service.exportHolder(reference, 'alix.effacement@exemple.fr'), /Aucune donnée personnelle/);
});
