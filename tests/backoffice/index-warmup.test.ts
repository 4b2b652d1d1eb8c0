// After an instance starts, the orientations index is read whole (≈ 1 min at 1,000,000
// referrals): the inbox and the statistics say « le service vient de démarrer » and reload
// themselves instead of hanging, then show the data once it is read.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import type { ReferralRepository, ReferralStore } from '../../src/store/ports.js';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';

describe('inbox and statistics while the index is first read', () => {
  let h: Harness;
  let real: ReferralStore | undefined;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));

  // The referral store as the back office sees it: its first reading of the changes waits for the gate.
  const referrals = new Proxy({} as ReferralRepository, {
    get(_target, key) {
      if (key === 'changes') return async (...args: Parameters<ReferralRepository['changes']>) => (await gate, real!.referrals.changes(...args));
      const value = Reflect.get(real!.referrals, key) as unknown;
      return typeof value === 'function' ? value.bind(real!.referrals) : value;
    },
  });

  beforeAll(async () => {
    h = await startBackoffice({ store: { referrals, stats: () => real!.stats() } });
    real = h.referrals.store;
    await h.refer(h.profileAt('44215'));
  });
  afterAll(async () => {
    open();
    await h?.close();
  });

  it('says the service is reading the orientations, reloads, then shows them', async () => {
    const client = new Client(h.base);
    await client.login(ADMIN.email, ADMIN.password);
    const waiting = await client.get('/orientations');
    assert.equal(waiting.status, 503);
    assert.equal(waiting.headers.get('retry-after'), '5');
    const text = await waiting.text();
    assert.match(text, /<meta http-equiv="refresh" content="5">/);
    assert.match(text, /Le service vient de démarrer : il relit les orientations enregistrées/);
    const stats = await client.get('/statistiques');
    assert.equal(stats.status, 503);

    open();
    const ready = await client.get('/orientations');
    assert.equal(ready.status, 200);
    const page = await ready.text();
    assert.doesNotMatch(page, /http-equiv="refresh"/);
    assert.match(page, /AIG-[A-Z0-9]{4}-[A-Z0-9]{2}-1/);
    assert.equal((await client.get('/statistiques')).status, 200);
  });
});
