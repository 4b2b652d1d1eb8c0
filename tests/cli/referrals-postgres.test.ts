// The holder's rights from the command line in production mode: export-holder and erase-holder
// work on the shared database (DATABASE_URL), while an instance is running.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { t } from '../support/context.js';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { holderInput, ROOT, tempDir, testActors } from '../referrals/helpers.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const run = promisify(execFile);
const SECRET = 'secret-de-test-0123456789';

describe('holder rights from the command line on PostgreSQL', () => {
  let test: TestDatabase;
  let db: Database;
  let referrals: Referrals;
  let dataDir: string;
  beforeAll(async () => {
    test = await createTestDatabase('cli_referrals');
    db = await openDatabase({ url: test.url });
    dataDir = tempDir(t, 'aig-cli-pg');
    referrals = await openReferrals({ dataDir, database: db, publicUrl: 'https://aiguillage.example.org', actors: await testActors(), mailFrom: 'Aiguillage <aiguillage@example.org>', secret: SECRET });
  });
  afterAll(async () => {
    await referrals?.close();
    await db?.close();
    await test?.drop();
  });

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      // Another data directory than the service's: everything comes from the database.
      const env = { ...process.env, DATABASE_URL: test.url, AIGUILLAGE_DATA_DIR: tempDir(t, 'aig-cli-other'), SMTP_URL: '', AIGUILLAGE_SECRET: SECRET };
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('exports then erases a holder’s data while the service holds the database', async () => {
    const input = holderInput({ contact: { name: 'Sacha Production', email: 'sacha.prod@exemple.fr', phone: null, channel: 'email', preferredTime: null } });
    const { reference } = await referrals.service.createReferral(input);

    const exported = await cli('export-holder', reference, 'SACHA.PROD@exemple.fr');
    assert.equal(exported.code, 0, exported.stderr);
    const data = JSON.parse(exported.stdout) as { reference: string; referrals: { contact: { name: string } }[] };
    assert.equal(data.reference, reference);
    assert.equal(data.referrals[0]!.contact.name, 'Sacha Production');

    const erased = await cli('erase-holder', reference, 'sacha.prod@exemple.fr');
    assert.equal(erased.code, 0, erased.stderr);
    assert.match(erased.stderr, /Données personnelles effacées pour AIG-/);
    // The running service sees the erasure at once: same database.
    const [record] = await referrals.store.referrals.byReference(reference);
    assert.ok(record);
    assert.notEqual(record.contact?.name, 'Sacha Production');
    const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM referrals WHERE record::text ILIKE '%sacha%'");
    assert.equal(rows[0]!.n, 0);
  });
});
