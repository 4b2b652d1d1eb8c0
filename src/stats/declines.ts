// "Not for us": declines by reason, and the actor the decliner said the request should go to,
// per rule — the signal that a rule needs fixing. Declines made by the coordination (moving a
// request away from a deactivated actor) are counted apart: they say nothing about the rule.
import { DECLINE_REASON_LABELS, DECLINE_REASONS } from '../domain/referral.js';
import type { ReferralIndex } from './referralIndex.js';
import type { Scope } from './scope.js';
import { share, type Labels, type StatTable } from './table.js';

export function declineTables(index: ReferralIndex, scope: Scope, labels: Labels): StatTable[] {
  const byReason = new Array<number>(DECLINE_REASONS.length + 1).fill(0);
  const byRule = new Map<string, { rule: number; target: number; count: number }>();
  const perRule = new Map<number, number>();
  let total = 0;
  let coordination = 0;
  for (let i = 0; i < index.size; i += 1) {
    const reason = index.declineReason.data[i]!;
    if (reason === 0 || !scope.referral(i)) continue;
    if (index.declinedByCoordination.data[i]) {
      coordination += 1;
      continue;
    }
    total += 1;
    byReason[reason]! += 1;
    const rule = index.rule.data[i]!;
    perRule.set(rule, (perRule.get(rule) ?? 0) + 1);
    const target = index.shouldGoTo.data[i]!;
    const key = `${rule}:${target}`;
    const entry = byRule.get(key) ?? { rule, target, count: 0 };
    entry.count += 1;
    byRule.set(key, entry);
  }
  const reasons: StatTable = {
    id: 'refus-par-motif',
    title: 'Refus par motif',
    description: 'Orientations déclinées par les structures dans la période, par motif donné.',
    columns: [
      { key: 'motif', label: 'Motif', kind: 'text' },
      { key: 'refus', label: 'Refus', kind: 'count' },
      { key: 'part', label: 'Part', kind: 'percent' },
    ],
    rows: DECLINE_REASONS.map((r, i) => ({ motif: DECLINE_REASON_LABELS[r], refus: byReason[i + 1]!, part: share(byReason[i + 1]!, total) })).sort(
      (a, b) => b.refus - a.refus,
    ),
    chart: { label: 'motif', value: 'refus' },
    note: coordination ? `Non comptées : ${coordination} orientation(s) retirée(s) par la coordination à une structure désactivée.` : undefined,
  };
  const suggestions: StatTable = {
    id: 'refus-par-regle',
    title: 'Refus et structure suggérée, par règle',
    description: 'Pour chaque règle qui a produit des refus : vers qui la structure sollicitée aurait orienté la demande. À lire pour corriger les règles.',
    columns: [
      { key: 'regle', label: 'Règle', kind: 'text' },
      { key: 'structure_suggeree', label: 'Aurait dû aller à', kind: 'text' },
      { key: 'refus', label: 'Refus', kind: 'count' },
      { key: 'refus_de_la_regle', label: 'Refus de la règle', kind: 'count' },
    ],
    rows: [...byRule.values()]
      .sort((a, b) => (perRule.get(b.rule)! - perRule.get(a.rule)!) || b.count - a.count)
      .map((e) => {
        const target = index.actors.value(e.target);
        return {
          regle: index.rules.value(e.rule) ?? '—',
          structure_suggeree: target ? labels.actor(target) : 'Pas de suggestion',
          refus: e.count,
          refus_de_la_regle: perRule.get(e.rule)!,
        };
      }),
  };
  return [reasons, suggestions];
}
