// Rules in French for coordinators: each condition with the fact's label and the values' labels
// (stages, sectors, communes by name…), the outcome with the actor's name, tier and slot.
import { TIER_LABELS, type Tier } from '../domain/decision.js';
import { NEED_LABELS, PROJECT_TYPE_LABELS, SECTOR_LABELS, STAGE_LABELS } from '../domain/profile.js';
import { FACTS } from '../routing/facts.js';
import type { Condition } from '../routing/rule-schema.js';
import type { TerritoryIndex } from '../territory/types.js';

const OPERATOR_TEXT: Record<string, string> = {
  equal: 'est',
  notEqual: 'n’est pas',
  in: 'est l’un de',
  notIn: 'n’est aucun de',
  contains: 'comprend',
  doesNotContain: 'ne comprend pas',
};

export function valueLabel(fact: string, value: unknown, territory: TerritoryIndex): string {
  if (value === null) return 'inconnu';
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  const v = String(value);
  switch (fact) {
    case 'stage':
      return STAGE_LABELS[v as keyof typeof STAGE_LABELS] ?? v;
    case 'sector':
      return SECTOR_LABELS[v as keyof typeof SECTOR_LABELS] ?? v;
    case 'projectType':
      return PROJECT_TYPE_LABELS[v as keyof typeof PROJECT_TYPE_LABELS] ?? v;
    case 'needs':
      return NEED_LABELS[v as keyof typeof NEED_LABELS] ?? v;
    case 'commune': {
      const c = territory.commune(v);
      return c ? `${c.nom} (${v})` : v;
    }
    case 'epci': {
      const e = territory.epci(v);
      return e ? e.nom : v;
    }
    case 'departement': {
      const d = territory.departement(v);
      return d ? `${d.nom} (${v})` : v;
    }
    case 'territory':
      return territory.namedTerritory(v)?.nom ?? v;
    case 'region':
      return `région ${v}`;
    default:
      return v;
  }
}

export function factLabel(fact: string): string {
  return ((FACTS as Record<string, { label: string }>)[fact]?.label ?? fact).replace(/\s*\(ex\. [^)]*\)$/, '');
}

/** One sentence for a comparison: « Stade du projet est l’un de : Idée, Création ». */
export function leafText(c: Pick<Condition, 'fact' | 'operator' | 'value'>, territory: TerritoryIndex): string {
  const values = Array.isArray(c.value) ? c.value : [c.value];
  const list = values.map((v) => `« ${valueLabel(c.fact!, v, territory)} »`).join(', ');
  return `${factLabel(c.fact!)} ${OPERATOR_TEXT[c.operator!] ?? c.operator}${Array.isArray(c.value) ? ' :' : ''} ${list}`;
}

/** Heading of a group. */
export function groupText(kind: 'all' | 'any' | 'not', size: number): string {
  if (kind === 'all') return size === 0 ? 'Toujours vraie (aucune condition)' : size === 1 ? 'La condition suivante :' : 'Toutes ces conditions :';
  if (kind === 'any') return 'Au moins une de ces conditions :';
  return 'Pas ceci :';
}

export function outcomeText(type: string, actorName: string, tier: string, slot: string, priority: number): string {
  const tierLabel = TIER_LABELS[tier as Tier] ?? tier;
  return type === 'fallback'
    ? `Recours, seulement si aucune orientation n’a abouti : ${actorName} (priorité ${priority}).`
    : `Oriente vers ${actorName} — ${tierLabel.charAt(0).toLowerCase()}${tierLabel.slice(1)}, créneau « ${slot} », priorité ${priority}.`;
}
