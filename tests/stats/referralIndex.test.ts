// The statistics index's count of requests made with the same contact (the « demandes
// répétées » sign in the inbox): a request with several records counts once, an erased one
// leaves the count, the sign appears from the third request.
import assert from 'node:assert/strict';
import { test } from '@jest/globals';
import { scrub } from '../../src/referrals/service.js';
import { ReferralIndex } from '../../src/stats/referralIndex.js';
import { referral } from '../store/fixtures.js';

test('requests from the same contact are counted once each, erased ones leave the count', () => {
  const index = new ReferralIndex();
  const a = referral(1);
  const a2 = { ...referral(1), id: `${a.reference}-2`, actorId: 'ecossolies' };
  const b = referral(2);
  const other = { ...referral(3), contact: { ...referral(3).contact!, email: 'autre@exemple.fr' } };
  for (const r of [a, a2, b, other]) index.put(r);
  const slot = (id: string) => index.slotOf(id)!;
  assert.equal(index.sameContactRequests(slot(a.id)), 2, 'two requests, three records');
  assert.equal(index.sameContactRequests(slot(other.id)), 1);
  assert.ok(!index.spamSignals(slot(a.id)).includes('repeated'));

  const c = referral(4);
  index.put(c);
  assert.equal(index.sameContactRequests(slot(b.id)), 3);
  assert.ok(index.spamSignals(slot(c.id)).includes('repeated'), 'from the third request');

  const now = new Date('2026-11-16T09:00:00Z');
  index.put(scrub(c, now, 'erase', 'holder'));
  assert.equal(index.sameContactRequests(slot(c.id)), 0, 'no contact left');
  assert.equal(index.sameContactRequests(slot(a.id)), 2);
  index.put(scrub(other, now, 'erase', 'holder'));
  assert.equal(index.sameContactRequests(slot(other.id)), 0);
  index.put({ ...referral(5), contact: { ...referral(5).contact!, email: 'autre@exemple.fr' } });
  assert.equal(index.sameContactRequests(slot(referral(5).id)), 1, 'a lone contact again after an erasure');
});
