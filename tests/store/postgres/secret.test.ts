import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { openDatabase, type Database } from '../../../src/store/postgres/database.js';
import { adoptSharedSecret, loadOrCreateSharedSecret } from '../../../src/store/postgres/secret.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

describe('shared link secret (production mode)', () => {
  let test: TestDatabase;
  let a: Database;
  let b: Database;
  beforeAll(async () => {
    test = await createTestDatabase('secret');
    [a, b] = await Promise.all([openDatabase({ url: test.url }), openDatabase({ url: test.url })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await test?.drop();
  });

  it('two instances starting together end up with one secret, kept across restarts', async () => {
    const [sa, sb] = await Promise.all([loadOrCreateSharedSecret(a), loadOrCreateSharedSecret(b)]);
    assert.equal(sa, sb);
    assert.ok(sa.length >= 40);
    assert.equal(await loadOrCreateSharedSecret(a), sa);
  });

  it('AIGUILLAGE_SECRET wins; a migrated data directory cannot replace a secret in force', async () => {
    assert.equal(await loadOrCreateSharedSecret(a, 'configured-secret'), 'configured-secret');
    const inForce = await loadOrCreateSharedSecret(a);
    assert.equal(await adoptSharedSecret(b, 'from-data-dir'), inForce);
  });
});
