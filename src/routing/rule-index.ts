// Pre-indexing: json-rules-engine evaluates every rule it holds (~12 µs each here), so each
// decision's engine gets only the rules that can apply to the holder. A rule's necessary
// conditions are read statically from its conditions tree: the places it requires (bucket key)
// and the stage / sector / projectType / servedArea values or needs it requires (guards). The analysis
// is conservative: when unsure, the rule stays a candidate and the engine decides.
import { Rule } from 'json-rules-engine';
import type { RoutingFacts } from './facts.js';
import type { LoadedRule } from './load.js';
import type { Condition, EventType } from './rule-schema.js';

const PLACE_PREFIX: Record<string, string> = { commune: 'commune', epci: 'epci', departement: 'dep', region: 'region', territory: 'territory' };
const GUARD_FACTS = ['stage', 'sector', 'projectType', 'servedArea', 'needs'] as const;
type GuardFact = (typeof GUARD_FACTS)[number];

/** Keys a holder must have (any of them) for the condition to possibly hold; null = no constraint. */
type Requirement = Set<string> | null;

function leafKeys(c: Condition, keyOf: (fact: string, value: unknown) => string | null): Requirement {
  const values = c.operator === 'equal' || c.operator === 'contains' ? [c.value] : c.operator === 'in' ? (c.value as unknown[]) : null;
  if (!values) return null; // negative operators constrain nothing
  const keys = new Set<string>();
  for (const v of values) {
    const key = keyOf(c.fact!, v);
    if (key === null) return null;
    keys.add(key);
  }
  return keys;
}

function requirement(c: Condition, keyOf: (fact: string, value: unknown) => string | null): Requirement {
  if (c.fact) return leafKeys(c, keyOf);
  if (c.all) {
    // Every child must hold: any constrained child is a necessary condition; keep the narrowest.
    let best: Requirement = null;
    for (const child of c.all) {
      const r = requirement(child, keyOf);
      if (r && (!best || r.size < best.size)) best = r;
    }
    return best;
  }
  if (c.any) {
    // One child must hold: necessary only if every child is constrained.
    const union = new Set<string>();
    for (const child of c.any) {
      const r = requirement(child, keyOf);
      if (!r) return null;
      for (const k of r) union.add(k);
    }
    return union;
  }
  return null; // `not`
}

const placeKey = (fact: string, value: unknown): string | null =>
  fact in PLACE_PREFIX && typeof value === 'string' ? `${PLACE_PREFIX[fact]}:${value}` : null;
const guardKey = (target: GuardFact) => (fact: string, value: unknown): string | null => (fact === target ? JSON.stringify(value) : null);

export interface PreparedRule extends LoadedRule {
  /** Built once per rule set; see createEngine() for why sharing it across engines is safe. */
  engineRule: Rule;
  guards: Array<[GuardFact, Set<string>]>;
}

export function holderPlaceKeys(facts: RoutingFacts): string[] {
  const keys: string[] = [];
  if (facts.commune) keys.push(`commune:${facts.commune}`);
  if (facts.epci) keys.push(`epci:${facts.epci}`);
  if (facts.departement) keys.push(`dep:${facts.departement}`);
  if (facts.region) keys.push(`region:${facts.region}`);
  for (const t of facts.territory) keys.push(`territory:${t}`);
  return keys;
}

export class RuleIndex {
  private readonly byPlace = new Map<string, PreparedRule[]>();
  private readonly anywhere: PreparedRule[] = [];
  private readonly prepared: PreparedRule[] = [];

  constructor(rules: LoadedRule[]) {
    for (const rule of rules) {
      const prepared: PreparedRule = {
        ...rule,
        // Engine priority 1 for all: the router orders results itself, and each extra priority
        // level costs the engine one more sequential promise round.
        engineRule: new Rule({ name: rule.id, priority: 1, conditions: rule.conditions as never, event: { type: rule.type, params: rule.params } }),
        guards: GUARD_FACTS.flatMap((fact) => {
          const r = requirement(rule.conditions, guardKey(fact));
          return r ? [[fact, r] as [GuardFact, Set<string>]] : [];
        }),
      };
      this.prepared.push(prepared);
      const places = requirement(rule.conditions, placeKey);
      if (!places) this.anywhere.push(prepared);
      for (const key of places ?? []) {
        const bucket = this.byPlace.get(key) ?? [];
        bucket.push(prepared);
        this.byPlace.set(key, bucket);
      }
    }
  }

  all(): readonly PreparedRule[] {
    return this.prepared;
  }

  /** Rules of this event type that may apply to these facts, in declaration order. */
  candidates(facts: RoutingFacts, type: EventType): PreparedRule[] {
    const found = new Set<PreparedRule>();
    const holderKeys = (fact: GuardFact): string[] => {
      const value = facts[fact];
      return Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : [JSON.stringify(value)];
    };
    const keys = new Map(GUARD_FACTS.map((f) => [f, holderKeys(f)]));
    const consider = (rule: PreparedRule) => {
      if (rule.type !== type) return;
      for (const [fact, allowed] of rule.guards) if (!keys.get(fact)!.some((k) => allowed.has(k))) return;
      found.add(rule);
    };
    for (const rule of this.anywhere) consider(rule);
    for (const key of holderPlaceKeys(facts)) for (const rule of this.byPlace.get(key) ?? []) consider(rule);
    return [...found].sort((a, b) => a.order - b.order);
  }
}
