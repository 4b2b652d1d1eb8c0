// Why a decision came out as it did: every rule of a set evaluated against one holder, with each
// condition's verdict and the fact value it saw (json-rules-engine's RuleResult), then matched
// with the router's decision (referred, skipped and why, beaten in its slot, not needed). Read
// only: the router's own decisions never go through here.
import { Engine, Rule } from 'json-rules-engine';
import { LAST_RESORT_RULE_ID, type RoutingDecision, type SkipReason } from '../domain/decision.js';
import type { Profile } from '../domain/profile.js';
import type { TerritoryIndex } from '../territory/types.js';
import { holderContext, type RoutingFacts } from './facts.js';
import type { LoadedRule, RuleSet } from './load.js';
import type { Condition, EventType } from './rule-schema.js';

export interface ConditionTrace {
  kind: 'fact' | 'all' | 'any' | 'not';
  fact?: string;
  operator?: string;
  value?: unknown;
  /** The holder's value of the fact. */
  factValue?: unknown;
  /** null: not evaluated (json-rules-engine stops early only across condition priorities). */
  passed: boolean | null;
  children?: ConditionTrace[];
}

export type RuleOutcome =
  /** Its actor is in the decision. */
  | 'referred'
  /** Matched, but its actor was unavailable (see `skip`). */
  | 'skipped'
  /** Matched, but its slot went to a preferred rule, or its tier was full. */
  | 'outranked'
  /** A fallback that matched, not tried because a routing rule answered (or another fallback did). */
  | 'not_needed'
  /** Its conditions failed. */
  | 'not_matched';

export interface RuleTrace {
  ruleId: string;
  file: string;
  type: EventType;
  priority: number;
  actorId: string;
  tier: string;
  slot: string;
  passed: boolean;
  outcome: RuleOutcome;
  skip?: SkipReason;
  conditions: ConditionTrace;
}

export interface DecisionTrace {
  facts: RoutingFacts;
  rules: RuleTrace[];
  /** The router's built-in last resort answered (no rule did). */
  lastResort: boolean;
}

interface EngineCondition {
  fact?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  result?: boolean;
  all?: EngineCondition[];
  any?: EngineCondition[];
  not?: EngineCondition;
}

function toTrace(c: EngineCondition | undefined, source: Condition): ConditionTrace {
  const passed = typeof c?.result === 'boolean' ? c.result : null;
  if (source.fact !== undefined) {
    return { kind: 'fact', fact: source.fact, operator: source.operator, value: source.value, factValue: c?.factResult, passed };
  }
  if (source.all) return { kind: 'all', passed, children: source.all.map((s, i) => toTrace(c?.all?.[i], s)) };
  if (source.any) return { kind: 'any', passed, children: source.any.map((s, i) => toTrace(c?.any?.[i], s)) };
  return { kind: 'not', passed, children: [toTrace(c?.not, source.not!)] };
}

/** Each rule's verdict for this holder, in declaration order. */
export async function traceRules(set: Pick<RuleSet, 'rules'>, territory: TerritoryIndex, profile: Profile): Promise<{ facts: RoutingFacts; results: Map<string, { passed: boolean; conditions: ConditionTrace }> }> {
  const { facts } = holderContext(profile, territory);
  const engine = new Engine([], { allowUndefinedFacts: false });
  const byName = new Map<string, LoadedRule>();
  for (const rule of set.rules) {
    byName.set(rule.id, rule);
    engine.addRule(new Rule({ name: rule.id, priority: 1, conditions: rule.conditions as never, event: { type: rule.type, params: rule.params } }));
  }
  const run = await engine.run({ ...facts });
  const results = new Map<string, { passed: boolean; conditions: ConditionTrace }>();
  for (const r of [...run.results, ...run.failureResults]) {
    const json = r.toJSON(false) as unknown as { name: string; result: boolean; conditions: EngineCondition };
    const rule = byName.get(json.name);
    if (rule) results.set(rule.id, { passed: json.result === true, conditions: toTrace(json.conditions, rule.conditions) });
  }
  return { facts, results };
}

/** Every rule's verdict and what became of it in `decision` (the router's answer for the same holder). */
export async function traceDecision(set: Pick<RuleSet, 'rules'>, territory: TerritoryIndex, profile: Profile, decision: RoutingDecision): Promise<DecisionTrace> {
  const { facts, results } = await traceRules(set, territory, profile);
  const referred = new Set(decision.referrals.map((r) => r.ruleId));
  const skipped = new Map(decision.skipped.map((s) => [s.ruleId, s.why]));
  const rules = set.rules.map((rule): RuleTrace => {
    const result = results.get(rule.id) ?? { passed: false, conditions: { kind: 'all', passed: null } };
    let outcome: RuleOutcome;
    if (!result.passed) outcome = 'not_matched';
    else if (referred.has(rule.id)) outcome = 'referred';
    else if (skipped.has(rule.id)) outcome = 'skipped';
    else outcome = rule.type === 'fallback' ? 'not_needed' : 'outranked';
    return {
      ruleId: rule.id,
      file: rule.file,
      type: rule.type,
      priority: rule.priority,
      actorId: rule.params.actorId,
      tier: rule.params.tier,
      slot: rule.params.slot ?? rule.id,
      passed: result.passed,
      outcome,
      skip: skipped.get(rule.id),
      conditions: result.conditions,
    };
  });
  return { facts, rules, lastResort: decision.referrals.some((r) => r.ruleId === LAST_RESORT_RULE_ID) };
}
