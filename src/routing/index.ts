// Routing: Profile → RoutingDecision. What other modules use.
export { createRouter, describeReload, type Router, type RouterOptions, type RouteOptions, type ReloadResult, type LoadOf } from './router.js';
export { loadRuleSet, RulesError, formatIssue, type RuleIssue, type RuleSet, type LoadedRule } from './load.js';
export { coverage, coverageOfCommunes, coverageOfDepartements, REGION_DEPARTEMENTS, servedEpcis, type CoverageReport, type CoverageCombo } from './coverage.js';
export { rulesJsonSchema } from './rule-schema.js';
export { FACTS, FACT_NAMES } from './facts.js';
export { DEFAULT_RULES_DIR, DEFAULT_ACTORS_FILE } from './paths.js';
export type { RoutingDecision, DecisionReferral, SkippedCandidate, SkipReason, Tier } from '../domain/decision.js';
export type { Actor } from '../domain/actor.js';
