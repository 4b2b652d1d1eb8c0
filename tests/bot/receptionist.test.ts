// The receptionist table (tests/routing/receptionist/cases.json) through the real bot: each
// sentence opens a conversation, every further question is answered « je ne sais pas » (or « aucun
// besoin particulier »), and the structures proposed at the consent step must be those a
// receptionist would name. The same table runs through `cli qualify` → `cli route` in
// tests/routing/receptionist.test.ts.
import assert from 'node:assert/strict';
import { test } from '@jest/globals';
import { MemoryStorage } from 'botbuilder';
import type { RoutingDecision } from '../../src/domain/decision.js';
import { CASES, receptionistFaults } from '../routing/receptionist.test.js';
import { Holder, untilConsent, type Reply } from './holder.js';

function neutralAnswer(q: Reply): string {
  if (q.multiSelect?.exclusive[0]) return q.multiSelect.exclusive[0];
  return q.buttons.find((b) => /je ne sais pas/i.test(b)) ?? 'je ne sais pas';
}

test('the receptionist table through the real bot: the proposal names the right structures', async () => {
  const failures: string[] = [];
  for (const c of CASES) {
    const storage = new MemoryStorage();
    const holder = new Holder({ storage });
    await untilConsent(holder, await holder.say(c.say), neutralAnswer);
    const key = `${holder.adapter.conversation.channelId}/conversations/${holder.adapter.conversation.conversation.id}/`;
    const state = (await storage.read([key]))[key] as { aiguillage?: { decision?: RoutingDecision } } | undefined;
    const ids = state?.aiguillage?.decision?.referrals.map((r) => r.actorId) ?? [];
    const faults = receptionistFaults(c, ids);
    if (faults.length) failures.push(`« ${c.say} » → ${ids.join(', ')} : ${faults.join(' ; ')}\n${holder.transcript.join('\n')}`);
  }
  assert.deepEqual(failures, []);
});
