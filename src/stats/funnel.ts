// The funnel the elected officials ask about (seed 004: requests received, offer understood,
// holders accompanied): conversations started → qualified → oriented → consented (a request
// was written) → taken care (an actor took it) → accompanied (an actor started accompanying).
// Conversation steps come from the bot's events; the last three from the referral records.
import { STATUS_CODE, type ReferralIndex } from './referralIndex.js';
import { STEP_BIT, type ConversationIndex } from './conversationIndex.js';
import type { Scope } from './scope.js';
import { share, type StatTable } from './table.js';

export interface FunnelCounts {
  started: number;
  qualified: number;
  oriented: number;
  consented: number;
  takenCare: number;
  accompanied: number;
  /** Requests declined as tests or not serious: counted apart, out of the steps above. */
  notSerious: number;
}

const DONE = STATUS_CODE.get('done')!;

/** Requests (references) first made in scope, and how far each went across its records (bit 8: a test, set apart). */
export function requestOutcomes(
  index: ReferralIndex,
  scope: Scope,
): { consented: number; takenCare: number; accompanied: number; notSerious: number; marks: Uint8Array } {
  const marks = new Uint8Array(index.references.size);
  const ref = index.reference.data;
  const followOn = index.followOn.data;
  // A test request would inflate « demandes transmises » and lower every share after it.
  const tests = index.notSeriousReferences();
  let notSerious = 0;
  for (let i = 0; i < index.size; i += 1) {
    if (followOn[i] !== 0 || !scope.referral(i) || marks[ref[i]!]) continue;
    if (tests[ref[i]!]) {
      notSerious += 1;
      marks[ref[i]!] = 8;
    } else marks[ref[i]!] = 1;
  }
  const taken = index.takenCareAt.data;
  const status = index.status.data;
  for (let i = 0; i < index.size; i += 1) {
    const r = ref[i]!;
    if (!(marks[r]! & 1)) continue;
    if (!Number.isNaN(taken[i]!)) marks[r]! |= 2;
    if (status[i] === DONE) marks[r]! |= 4;
  }
  let consented = 0;
  let takenCare = 0;
  let accompanied = 0;
  for (const m of marks) {
    if (m & 1) consented += 1;
    if (m & 2) takenCare += 1;
    if (m & 4) accompanied += 1;
  }
  return { consented, takenCare, accompanied, notSerious, marks };
}

export function funnelCounts(referrals: ReferralIndex, conversations: ConversationIndex | null, scope: Scope): FunnelCounts {
  let started = 0;
  let qualified = 0;
  let oriented = 0;
  if (conversations) {
    const steps = conversations.steps.data;
    for (let i = 0; i < conversations.size; i += 1) {
      if (!scope.conversation(i)) continue;
      const s = steps[i]!;
      // A territory filter keeps only conversations whose place is known, i.e. qualified ones.
      if (s & STEP_BIT.started || s & STEP_BIT.asked) started += 1;
      if (s & STEP_BIT.qualified) qualified += 1;
      if (s & STEP_BIT.oriented) oriented += 1;
    }
  }
  const outcome = requestOutcomes(referrals, scope);
  return { started, qualified, oriented, consented: outcome.consented, takenCare: outcome.takenCare, accompanied: outcome.accompanied, notSerious: outcome.notSerious };
}

export function funnelTable(counts: FunnelCounts, scope: Scope): StatTable {
  const steps: Array<[string, number]> = [
    ['Conversations commencées', counts.started],
    ['Projets qualifiés (résumé confirmé)', counts.qualified],
    ['Orientations proposées', counts.oriented],
    ['Demandes transmises (consentement donné)', counts.consented],
    ['Demandes prises en charge', counts.takenCare],
    ['Porteurs accompagnés', counts.accompanied],
  ];
  return {
    id: 'parcours',
    title: 'Du premier message à l’accompagnement',
    description:
      'Chaque étape compte les conversations commencées dans la période (étapes 1 à 3) ou les demandes transmises dans la période (étapes 4 à 6) ; une demande compte comme prise en charge ou accompagnée dès qu’une structure l’a fait.',
    columns: [
      { key: 'etape', label: 'Étape', kind: 'text' },
      { key: 'nombre', label: 'Nombre', kind: 'count' },
      { key: 'part_precedente', label: 'Part de l’étape précédente', kind: 'percent' },
      { key: 'part_debut', label: 'Part des conversations', kind: 'percent' },
    ],
    rows: steps.map(([label, n], i) => ({
      etape: label,
      nombre: n,
      part_precedente: i === 0 ? null : share(n, steps[i - 1]![1]),
      part_debut: i === 0 ? null : share(n, steps[0]![1]),
    })),
    chart: { label: 'etape', value: 'nombre' },
    note:
      [
        scope.filter.territory ? 'Avec un territoire choisi, seules les conversations dont le lieu est connu (projet qualifié) sont comptées aux premières étapes.' : '',
        counts.notSerious
          ? `Non comptées aux étapes 4 à 6 : ${counts.notSerious} demande${counts.notSerious > 1 ? 's' : ''} déclinée${counts.notSerious > 1 ? 's' : ''} comme test ou non sérieuse${counts.notSerious > 1 ? 's' : ''}.`
          : '',
      ]
        .filter(Boolean)
        .join(' ') || undefined,
  };
}
