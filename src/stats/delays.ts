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

/** The k-th smallest of values[from, to) (0-based from `from`); reorders that part (quickselect). */
function select(values: Float64Array, from: number, to: number, k: number): number {
  let lo = from;
  let hi = to - 1;
  const target = from + k;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i += 1;
      while (values[j]! > pivot) j -= 1;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}

/** median() of values[from, to) without sorting them all (the same value); reorders that part. */
function medianOf(values: Float64Array, from: number, to: number): number | null {
  const n = to - from;
  if (n === 0) return null;
  const mid = n >> 1;
  const upper = select(values, from, to, mid);
  if (n % 2) return upper;
  // After the selection, everything before `mid` is ≤ it: the largest of them is the lower middle.
  let lower = -Infinity;
  for (let i = from; i < from + mid; i += 1) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

export function actorDelays(index: ReferralIndex, scope: Scope): ActorDelay[] {
  // Two passes over typed arrays (counts, then the delays in place, actor by actor): at
  // 1,000,000 referrals, arrays grown by push and sorted whole took ≈ 180 ms.
  const actors = index.actors.size;
  const seen = new Uint8Array(actors);
  const order: number[] = []; // actors in the order first met, as before
  const taken = new Int32Array(actors);
  const within = new Int32Array(actors);
  const late = new Int32Array(actors);
  const kept = new Uint8Array(index.size);
  const status = index.status.data;
  const takenAt = index.takenCareAt.data;
  const createdAt = index.createdAt.data;
  const promisedDays = index.promisedDays.data;
  const actor = index.actor.data;
  let total = 0;
  for (let i = 0; i < index.size; i += 1) {
    if (!scope.referral(i) || (status[i] === DECLINED && Number.isNaN(takenAt[i]!))) continue;
    const a = actor[i]!;
    if (!seen[a]) {
      seen[a] = 1;
      order.push(a);
    }
    const promised = promisedDays[i]! * DAY;
    const created = createdAt[i]!;
    const t = takenAt[i]!;
    if (!Number.isNaN(t)) {
      kept[i] = 1;
      taken[a]! += 1;
      total += 1;
      if (t - created <= promised) within[a]! += 1;
    } else if (scope.now - created > promised) late[a]! += 1;
  }
  const start = new Int32Array(actors + 1);
  for (let a = 0; a < actors; a += 1) start[a + 1] = start[a]! + taken[a]!;
  const next = start.slice(0, actors);
  const delays = new Float64Array(total);
  for (let i = 0; i < index.size; i += 1) if (kept[i]) delays[next[actor[i]!]!++] = takenAt[i]! - createdAt[i]!;
  const toDelay = (actorId: string, n: number, w: number, l: number, m: number | null): ActorDelay => ({ actorId, takenCare: n, withinPromise: w, late: l, medianDays: m === null ? null : m / DAY });
  const rows = order.map((a) => toDelay(index.actors.value(a) ?? '', taken[a]!, within[a]!, late[a]!, medianOf(delays, start[a]!, start[a + 1]!)));
  rows.sort((a, b) => b.takenCare + b.late - (a.takenCare + a.late));
  if (rows.length > 1) {
    let w = 0;
    let l = 0;
    for (const a of order) {
      w += within[a]!;
      l += late[a]!;
    }
    rows.push(toDelay('', total, w, l, medianOf(delays, 0, total)));
  }
  return rows;
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
