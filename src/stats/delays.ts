// Time to taking care, per actor: the median delay between the referral and "prise en charge",
// and the share of referrals taken care of within the delay the actor promised. A referral still
// waiting (or expired) past its promised delay counts as late; a declined one is an answer and is
// left out; one still waiting within its delay is not counted yet.
import { STATUS_CODE, type ReferralIndex } from './referralIndex.js';
import type { Scope } from './scope.js';
import { share, type Labels, type StatTable } from './table.js';

const DAY = 86_400_000;
const DECLINED = STATUS_CODE.get('declined')!;

export interface ActorDelay {
  actorId: string;
  takenCare: number;
  withinPromise: number;
  late: number;
  medianDays: number | null;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function actorDelays(index: ReferralIndex, scope: Scope): ActorDelay[] {
  const per = new Map<number, { delays: number[]; within: number; late: number }>();
  const all = { delays: [] as number[], within: 0, late: 0 };
  for (let i = 0; i < index.size; i += 1) {
    if (!scope.referral(i) || (index.status.data[i] === DECLINED && Number.isNaN(index.takenCareAt.data[i]!))) continue;
    const a = index.actor.data[i]!;
    let entry = per.get(a);
    if (!entry) per.set(a, (entry = { delays: [], within: 0, late: 0 }));
    const promised = index.promisedDays.data[i]! * DAY;
    const created = index.createdAt.data[i]!;
    const taken = index.takenCareAt.data[i]!;
    if (!Number.isNaN(taken)) {
      const delay = taken - created;
      entry.delays.push(delay);
      all.delays.push(delay);
      if (delay <= promised) {
        entry.within += 1;
        all.within += 1;
      }
    } else if (scope.now - created > promised) {
      entry.late += 1;
      all.late += 1;
    }
  }
  const rows = [...per].map(([code, e]) => toDelay(index.actors.value(code) ?? '', e));
  rows.sort((a, b) => b.takenCare + b.late - (a.takenCare + a.late));
  if (rows.length > 1) rows.push(toDelay('', all));
  return rows;
}

function toDelay(actorId: string, e: { delays: number[]; within: number; late: number }): ActorDelay {
  const m = median(e.delays);
  return { actorId, takenCare: e.delays.length, withinPromise: e.within, late: e.late, medianDays: m === null ? null : m / DAY };
}

export function delayTable(rows: ActorDelay[], labels: Labels): StatTable {
  return {
    id: 'delais-de-prise-en-charge',
    title: 'Délai de prise en charge par structure',
    description:
      'Délai médian entre l’orientation et la prise en charge, et part des orientations prises en charge dans le délai promis au porteur. Une orientation sans réponse après ce délai compte en retard ; un refus n’est pas compté.',
    columns: [
      { key: 'structure', label: 'Structure', kind: 'text' },
      { key: 'prises_en_charge', label: 'Prises en charge', kind: 'count' },
      { key: 'delai_median_jours', label: 'Délai médian (jours)', kind: 'days' },
      { key: 'dans_le_delai', label: 'Dans le délai promis', kind: 'percent' },
      { key: 'sans_reponse_en_retard', label: 'Sans réponse, délai dépassé', kind: 'count' },
    ],
    rows: rows.map((r) => ({
      structure: r.actorId ? labels.actor(r.actorId) : 'Toutes les structures',
      prises_en_charge: r.takenCare,
      delai_median_jours: r.medianDays,
      dans_le_delai: share(r.withinPromise, r.takenCare + r.late),
      sans_reponse_en_retard: r.late,
    })),
    chart: { label: 'structure', value: 'dans_le_delai' },
  };
}
