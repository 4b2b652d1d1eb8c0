// Valid referral records without going through the use cases (store tests, child processes).
import type { Referral } from '../../src/domain/referral.js';
import { decision, PROFILE } from '../referrals/helpers.js';

export function referral(n: number, reference = `AIG-${(1000 + n).toString(31).toUpperCase().padStart(4, '2').replace(/[01IOL]/g, '2')}-22`): Referral {
  const at = new Date(Date.UTC(2025, 2, 10, 9, 0, n % 60)).toISOString();
  return {
    id: `${reference}-1`,
    reference,
    version: 1,
    createdAt: at,
    updatedAt: at,
    partnerId: null,
    conversationId: `fixture-${n}`,
    profile: PROFILE,
    decision: { rulesVersion: 'test', fallback: false, referrals: decision().referrals },
    actorId: 'clisson-sevre-maine-eco',
    actorName: 'Clisson Sèvre et Maine Agglo — développement économique',
    tier: 'local',
    ruleId: 'local-test',
    reason: 'Pour les tests.',
    escalatedFrom: null,
    promisedDays: 7,
    consent: { textVersion: 'v1', at },
    contact: { name: 'Dominique Test', email: 'dominique@exemple.fr', phone: null, channel: 'email', preferredTime: null },
    description: null,
    status: 'pending',
    statusAt: at,
    closedAt: null,
    decline: null,
    review: null,
    followUp: { reminders: 0, checkIns: 0 },
    erasedAt: null,
    anonymisedAt: null,
    history: [{ at, action: 'create', by: 'holder', from: null, to: 'pending', reason: null, relatedId: null }],
  };
}

export const referrals = (count: number): Referral[] => Array.from({ length: count }, (_, i) => referral(i));
