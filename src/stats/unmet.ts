// Unmet demand: requests only a fallback could answer, projects outside the served area, and
// conversations abandoned before the end — with the last question asked, where people give up.
import { ENDED, PLACE_OUT, PLACE_UNKNOWN, STEP_BIT, type ConversationIndex } from './conversationIndex.js';
import type { ReferralIndex } from './referralIndex.js';
import type { Scope } from './scope.js';
import { share, type Labels, type StatTable } from './table.js';

/** A conversation idle for this long without an ending counts as abandoned. */
export const ABANDON_AFTER_MS = 60 * 60 * 1000;

export const QUESTION_LABELS: Record<string, string> = {
  description: 'Description du projet',
  place: 'Lieu du projet',
  placeChoice: 'Choix entre plusieurs communes',
  stage: 'Stade du projet',
  sector: 'Secteur',
  projectType: 'Forme du projet',
  needs: 'Besoins',
  confirm: 'Confirmation du résumé',
  correct: 'Correction du résumé',
  orientation: 'Mise en relation proposée',
  consent: 'Consentement',
  contact_name: 'Nom',
  contact_channel: 'Moyen de contact préféré',
  contact_email: 'Adresse e-mail',
  contact_phone: 'Téléphone',
  contact_any: 'Coordonnées',
  contact_time: 'Moment préféré pour être rappelé',
  // Since issue 11: the proposal and its consent are one step, the contact one message.
  checklist: 'Points particuliers du projet (liste à cocher)',
  agriculturalInstallation: 'Installation agricole',
  takeover: 'Reprise d’entreprise',
  cooperativeForm: 'Forme coopérative',
  employerStructure: 'Structure employeuse',
  youngHolder: 'Moins de 26 ans',
  trade: 'Artisanat ou commerce',
  contact_contact: 'Nom et moyen de contact',
  contact_reach: 'E-mail ou téléphone',
  contact_submit: 'Envoi de la demande',
};

export function unmetTables(referrals: ReferralIndex, conversations: ConversationIndex | null, scope: Scope, labels: Labels): StatTable[] {
  // Requests answered by a fallback only, per EPCI.
  const seen = new Uint8Array(referrals.references.size);
  let requests = 0;
  let fallbackRequests = 0;
  const fallbackByEpci = new Map<number, number>();
  const tests = referrals.notSeriousReferences(); // set apart, as in the funnel
  for (let i = 0; i < referrals.size; i += 1) {
    if (referrals.followOn.data[i] !== 0 || !scope.referral(i)) continue;
    const ref = referrals.reference.data[i]!;
    if (seen[ref] || tests[ref]) continue;
    seen[ref] = 1;
    requests += 1;
    if (referrals.fallback.data[i]) {
      fallbackRequests += 1;
      const e = referrals.epci.data[i]!;
      fallbackByEpci.set(e, (fallbackByEpci.get(e) ?? 0) + 1);
    }
  }

  let started = 0;
  let orientedFallback = 0;
  let oriented = 0;
  let qualified = 0;
  let outOfArea = 0;
  let unknownPlace = 0;
  let abandoned = 0;
  const atQuestion = new Map<number, number>();
  if (conversations) {
    for (let i = 0; i < conversations.size; i += 1) {
      if (!scope.conversation(i)) continue;
      started += 1;
      const steps = conversations.steps.data[i]!;
      if (steps & STEP_BIT.qualified) {
        qualified += 1;
        const place = conversations.place.data[i]!;
        if (place === PLACE_OUT) outOfArea += 1;
        else if (place === PLACE_UNKNOWN) unknownPlace += 1;
      }
      if (steps & STEP_BIT.oriented) {
        oriented += 1;
        if (conversations.orientation.data[i] === 2) orientedFallback += 1;
      }
      if ((steps & ENDED) === 0 && scope.now - conversations.lastAt.data[i]! > ABANDON_AFTER_MS) {
        abandoned += 1;
        const q = conversations.lastQuestion.data[i]!;
        atQuestion.set(q, (atQuestion.get(q) ?? 0) + 1);
      }
    }
  }

  const summary: StatTable = {
    id: 'demande-non-satisfaite',
    title: 'Demande non satisfaite',
    description: 'Ce que l’annuaire et les règles ne couvrent pas encore, et les conversations qui n’aboutissent pas.',
    columns: [
      { key: 'indicateur', label: 'Indicateur', kind: 'text' },
      { key: 'nombre', label: 'Nombre', kind: 'count' },
      { key: 'sur', label: 'Sur', kind: 'count' },
      { key: 'part', label: 'Part', kind: 'percent' },
    ],
    rows: [
      { indicateur: 'Demandes transmises à un recours seulement (aucune règle d’orientation)', nombre: fallbackRequests, sur: requests, part: share(fallbackRequests, requests) },
      { indicateur: 'Conversations orientées par un recours seulement', nombre: orientedFallback, sur: oriented, part: share(orientedFallback, oriented) },
      { indicateur: 'Projets hors de la zone desservie', nombre: outOfArea, sur: qualified, part: share(outOfArea, qualified) },
      { indicateur: 'Projets dont le lieu reste inconnu', nombre: unknownPlace, sur: qualified, part: share(unknownPlace, qualified) },
      { indicateur: 'Conversations abandonnées en cours de route', nombre: abandoned, sur: started, part: share(abandoned, started) },
    ],
    chart: { label: 'indicateur', value: 'nombre' },
    note: `Une conversation est comptée abandonnée après ${ABANDON_AFTER_MS / 60_000} minutes sans message, si elle n’a ni transmis de demande ni reçu de refus du porteur.`,
  };
  const byEpci: StatTable = {
    id: 'recours-par-epci',
    title: 'Demandes parvenues à un recours seulement, par intercommunalité',
    description: 'Où les règles d’orientation laissent des trous : chaque demande ici n’a trouvé qu’un recours.',
    columns: [
      { key: 'intercommunalite', label: 'Intercommunalité', kind: 'text' },
      { key: 'demandes', label: 'Demandes', kind: 'count' },
    ],
    rows: [...fallbackByEpci]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => {
        const epci = referrals.epcis.value(code);
        return { intercommunalite: epci ? labels.place(epci) : 'Lieu inconnu', demandes: n };
      }),
    chart: { label: 'intercommunalite', value: 'demandes' },
  };
  const abandonment: StatTable = {
    id: 'abandons-par-question',
    title: 'Conversations abandonnées, par dernière question posée',
    description: 'La dernière question que le bot a posée avant que le porteur ne réponde plus.',
    columns: [
      { key: 'question', label: 'Dernière question', kind: 'text' },
      { key: 'abandons', label: 'Abandons', kind: 'count' },
      { key: 'part', label: 'Part', kind: 'percent' },
    ],
    rows: [...atQuestion]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => {
        const q = conversations?.questions.value(code) ?? null;
        return { question: q ? (QUESTION_LABELS[q] ?? q) : 'Avant toute question', abandons: n, part: share(n, abandoned) };
      }),
    chart: { label: 'question', value: 'abandons' },
  };
  return [summary, byEpci, abandonment];
}
