// The router: Profile → RoutingDecision with json-rules-engine, over a validated rule set that
// can be hot-reloaded. Selection policy (rules/README.md): rules propose candidates in slots;
// per slot the highest-priority available actor is kept; local tier first, then expert tier;
// fallback rules only when nothing else came out; the last-resort actor when even they fail.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Engine } from 'json-rules-engine';
import { absenceOn, actorServes, parisDay, type Actor } from '../domain/actor.js';
import {
  LAST_RESORT_RULE_ID,
  type DecisionReferral,
  type RoutingDecision,
  type SkippedCandidate,
  type SkipReason,
  type Tier,
} from '../domain/decision.js';
import type { Profile } from '../domain/profile.js';
import type { TerritoryIndex } from '../territory/types.js';
import { holderContext, type HolderContext } from './facts.js';
import { loadRuleSet, RulesError, type RuleSet } from './load.js';
import { renderReason } from './reason.js';
import { RuleIndex, type PreparedRule } from './rule-index.js';
import type { EventType } from './rule-schema.js';

/** Referrals received by an actor this month (from the referrals store, later). */
export type LoadOf = (actorId: string) => number | Promise<number>;

export interface RouteOptions {
  now?: Date;
  loadOf?: LoadOf;
}

export type ReloadResult =
  | { ok: true; changed: boolean; rulesVersion: string; ruleCount: number; actorCount: number }
  | { ok: false; rulesVersion: string; message: string; error: Error };

export interface RouterOptions {
  rulesDir: string;
  actorsFile: string;
  territory: TerritoryIndex;
  now?: () => Date;
  loadOf?: LoadOf;
  /** Most referrals kept per tier (default: 2 local, 3 expert). */
  maxPerTier?: Partial<Record<Tier, number>>;
  /** Actor used when every candidate, fallbacks included, is unavailable (default: cress-pdl). */
  lastResortActorId?: string;
  /** Watch rulesDir and actorsFile and reload on change (default false). */
  watch?: boolean;
  debounceMs?: number;
  onReload?: (result: ReloadResult) => void;
  /** Hand the engine only the rules that can apply (default true; false for comparisons). */
  preindex?: boolean;
}

export interface Router {
  route(profile: Profile, options?: RouteOptions): Promise<RoutingDecision>;
  readonly rulesVersion: string;
  readonly ruleCount: number;
  actorById(id: string): Actor | undefined;
  actors(): readonly Actor[];
  /** Validates the files again and swaps them in when valid; the last good set stays otherwise. */
  reload(): Promise<ReloadResult>;
  onReload(listener: (result: ReloadResult) => void): () => void;
  /** Stops watching files. */
  close(): void;
}

interface State {
  set: RuleSet;
  index: RuleIndex;
  byId: Map<string, PreparedRule>;
}

const TIER_ORDER: Record<Tier, number> = { local: 0, expert: 1 };
const LAST_RESORT_REASON =
  'Aucun accompagnateur de notre annuaire n’est disponible pour votre projet {lieu} en ce moment : {acteur}, tête de réseau régionale de l’ESS, étudiera votre demande et vous orientera.';

function prepare(set: RuleSet): State {
  const index = new RuleIndex(set.rules);
  const byId = new Map<string, PreparedRule>();
  for (const rule of index.all()) byId.set(rule.id, rule);
  return { set, index, byId };
}

/**
 * One engine per decision: json-rules-engine keeps its run status on the engine, so a shared
 * engine loses events under concurrent runs (DESIGN.md §6). The prepared Rule objects are
 * shared: addRule() points a Rule at the newest engine, but a Rule only reads from it the
 * operators, named conditions, fact definitions and replaceFactsInEventParams, identical for
 * every engine built here (defaults only); the status that matters is the running engine's.
 */
function createEngine(rules: PreparedRule[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const rule of rules) engine.addRule(rule.engineRule);
  return engine;
}

function byPreference(a: PreparedRule, b: PreparedRule): number {
  return TIER_ORDER[a.params.tier] - TIER_ORDER[b.params.tier] || b.priority - a.priority || a.order - b.order;
}

export async function createRouter(options: RouterOptions): Promise<Router> {
  const { rulesDir, actorsFile, territory } = options;
  const maxPerTier: Record<Tier, number> = { local: 2, expert: 3, ...options.maxPerTier };
  const load = () => loadRuleSet({ rulesDir, actorsFile, territory, lastResortActorId: options.lastResortActorId });

  let state = prepare(await load());
  const listeners = new Set<(result: ReloadResult) => void>();
  if (options.onReload) listeners.add(options.onReload);

  async function decide(profile: Profile, routeOptions: RouteOptions = {}): Promise<RoutingDecision> {
    const current = state; // a reload swaps `state`; this decision keeps the set it started with
    const { set } = current;
    const holder = holderContext(profile, territory);
    const day = parisDay(routeOptions.now ?? options.now?.() ?? new Date());
    const loadOf = routeOptions.loadOf ?? options.loadOf ?? (() => 0);

    // Fallback rules run in a second engine, only when routing rules gave nothing.
    const matching = async (type: EventType): Promise<PreparedRule[]> => {
      const candidates = options.preindex === false ? current.index.all().filter((r) => r.type === type) : current.index.candidates(holder.facts, type);
      if (candidates.length === 0) return [];
      const result = await createEngine(candidates).run({ ...holder.facts });
      return result.results.map((r) => current.byId.get(r.name)!);
    };
    const matched = (await matching('refer')).sort(byPreference);

    const referrals: DecisionReferral[] = [];
    const skipped: SkippedCandidate[] = [];
    const verdicts = new Map<string, SkipReason | null>();
    const refer = (rule: PreparedRule, actor: Actor, holderCtx: HolderContext) =>
      referrals.push({
        actorId: actor.id,
        actorName: actor.name,
        role: actor.role,
        tier: rule.params.tier,
        ruleId: rule.id,
        reason: renderReason(rule.params.reason, holderCtx, actor.name),
        ...(rule.params.onlyIfNoExpert === true ? { welcome: true } : {}),
      });

    async function unavailable(actor: Actor, strict: boolean): Promise<SkipReason | null> {
      const key = `${actor.id}:${strict}`;
      if (verdicts.has(key)) return verdicts.get(key)!;
      let why: SkipReason | null = null;
      if (!actor.active) why = 'inactive';
      else if (strict && !actorServes(actor, holder.place)) why = 'out_of_territory';
      else if (absenceOn(actor, day)) why = 'absent';
      else if (strict && actor.monthlyCapacity !== undefined && (await loadOf(actor.id)) >= actor.monthlyCapacity) why = 'over_capacity';
      verdicts.set(key, why);
      return why;
    }

    // Routing rules: one actor per slot, the first available in preference order.
    const slots = new Map<string, PreparedRule[]>();
    for (const rule of matched) {
      const key = `${rule.params.tier}:${rule.params.slot ?? rule.id}`;
      slots.set(key, [...(slots.get(key) ?? []), rule]);
    }
    const taken = new Set<string>();
    const perTier: Record<Tier, number> = { local: 0, expert: 0 };
    // Welcome slots (onlyIfNoExpert) come last, and only for a holder who has no expert yet.
    const welcome = [...slots.values()].filter((rules) => rules[0]!.params.onlyIfNoExpert === true);
    const ordered = [...slots.values()].filter((rules) => rules[0]!.params.onlyIfNoExpert !== true);
    for (const rules of [...ordered, ...welcome]) {
      if (rules[0]!.params.onlyIfNoExpert === true && perTier.expert > 0) continue;
      const tier = rules[0]!.params.tier;
      if (perTier[tier] >= maxPerTier[tier]) continue;
      for (const rule of rules) {
        const actor = set.actorsById.get(rule.params.actorId)!;
        if (taken.has(actor.id)) break; // already referred for another need: this slot is served
        const why = await unavailable(actor, true);
        if (why) {
          skipped.push({ actorId: actor.id, ruleId: rule.id, why });
          continue;
        }
        refer(rule, actor, holder);
        taken.add(actor.id);
        perTier[tier] += 1;
        break;
      }
    }

    // Fallbacks: a network head's orientation duty, so only inactive or absent actors are skipped.
    let fallback = false;
    if (referrals.length === 0) {
      fallback = true;
      // Tiers order presentation, not recourse: fallbacks go by priority alone.
      const fallbacks = (await matching('fallback')).sort((a, b) => b.priority - a.priority || a.order - b.order);
      for (const rule of fallbacks) {
        const actor = set.actorsById.get(rule.params.actorId)!;
        const why = await unavailable(actor, false);
        if (why) {
          skipped.push({ actorId: actor.id, ruleId: rule.id, why });
          continue;
        }
        refer(rule, actor, holder);
        break;
      }
    }
    if (referrals.length === 0) {
      const actor = set.actorsById.get(set.lastResortActorId)!;
      referrals.push({
        actorId: actor.id,
        actorName: actor.name,
        role: actor.role,
        tier: 'expert',
        ruleId: LAST_RESORT_RULE_ID,
        reason: renderReason(LAST_RESORT_REASON, holder, actor.name),
      });
    }
    referrals.sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier]);
    return { referrals, fallback, rulesVersion: set.version, skipped };
  }

  // Reloads run one at a time; the last requested one sees the latest files.
  let reloading: Promise<ReloadResult> = Promise.resolve(null as never);
  function reload(): Promise<ReloadResult> {
    reloading = reloading.then(async () => {
      let result: ReloadResult;
      try {
        const next = await load();
        const changed = next.version !== state.set.version;
        if (changed) state = prepare(next);
        result = { ok: true, changed, rulesVersion: state.set.version, ruleCount: state.set.rules.length, actorCount: state.set.actors.length };
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        const message = err instanceof RulesError ? err.message : `Rechargement des règles impossible : ${err.message}`;
        result = { ok: false, rulesVersion: state.set.version, message, error: err };
      }
      for (const listener of listeners) listener(result);
      return result;
    });
    return reloading;
  }

  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  if (options.watch) {
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), options.debounceMs ?? 150);
    };
    // Editors save by rename, which ends a watch on the file itself: watch directories.
    watchers.push(watch(rulesDir, (_event, name) => (!name || String(name).endsWith('.json')) && schedule()));
    const actorsName = basename(actorsFile);
    watchers.push(watch(dirname(actorsFile), (_event, name) => (!name || String(name) === actorsName) && schedule()));
    for (const w of watchers) {
      w.unref();
      // A watched directory removed or renamed: say so instead of crashing the process.
      w.on('error', (error) => {
        const result: ReloadResult = { ok: false, rulesVersion: state.set.version, message: `Surveillance des règles interrompue : ${error.message}`, error };
        for (const listener of listeners) listener(result);
      });
    }
  }

  return {
    route: decide,
    get rulesVersion() {
      return state.set.version;
    },
    get ruleCount() {
      return state.set.rules.length;
    },
    actorById: (id) => state.set.actorsById.get(id),
    actors: () => state.set.actors,
    reload,
    onReload(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/** One French log line for a reload result (the server writes it to stderr). */
export function describeReload(result: ReloadResult): string {
  if (!result.ok) return `${result.message}\nLe jeu de règles ${result.rulesVersion} reste actif.`;
  if (!result.changed) return `Règles inchangées (version ${result.rulesVersion}).`;
  return `Règles rechargées : version ${result.rulesVersion}, ${result.ruleCount} règles, ${result.actorCount} acteurs.`;
}
