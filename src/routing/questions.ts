// Which question is worth asking: the router itself says whether any answer to a missing slot
// would change who is proposed. Generic over the fact catalogue (FACTS): a fact the rules start
// testing becomes worth asking without a line here; a fact no rule tests is never asked.
import { emptyProfile, type Profile } from '../domain/profile.js';
import { FACTS, FACT_NAMES, type FactSpec } from './facts.js';
import type { RouteOptions, Router } from './router.js';

/** A Profile field the holder can be asked about (the place is asked apart, always first). */
export type QuestionSlot = Exclude<keyof Profile, 'commune' | 'epci' | 'departement'>;

/**
 * The order a receptionist asks in: what stage, what activity (and the facts that refine it),
 * with whom (and the facts about the structure and the holder), then the needs. Catalogue facts
 * not listed here come just before the needs.
 */
const RECEPTIONIST_ORDER: readonly string[] = [
  'stage',
  'sector',
  'agriculturalInstallation',
  'trade',
  'takeover',
  'projectType',
  'cooperativeForm',
  'employerStructure',
  'youngHolder',
  'needs',
];

/**
 * Yes/no questions a receptionist asks only where a « oui » is likely: nobody asks a recyclerie
 * whether it installs a farm. Each entry names the known answers that make the question
 * sensible (all must hold). A fact not listed is asked whenever its answer changes the decision;
 * a holder who volunteers the fact is never asked it.
 */
export const ASKED_IN_CONTEXT: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>> = {
  agriculturalInstallation: { sector: ['alimentation'] },
  employerStructure: { stage: ['developpement'] },
  takeover: { stage: ['creation', 'developpement'], cooperativeForm: [true] },
  youngHolder: { projectType: ['individuel'], stage: ['idee'] },
  // A farm is neither a craft nor a shop for the chambers: the Chambre d'agriculture's public.
  trade: { agriculturalInstallation: [null, false] },
};

/** False when the receptionist's context says the question would not be asked (see ASKED_IN_CONTEXT). */
export function sensibleToAsk(profile: Profile, slot: QuestionSlot): boolean {
  const context = ASKED_IN_CONTEXT[slot];
  if (!context) return true;
  return Object.entries(context).every(([field, values]) => values.includes((profile as Record<string, unknown>)[field]));
}

const PROFILE_FIELDS = new Set(Object.keys(emptyProfile()));
const PLACE_FIELDS = new Set(['commune', 'epci', 'departement']);

function spec(slot: string): FactSpec | undefined {
  return (FACTS as Record<string, FactSpec>)[slot];
}

/** Catalogue facts that are Profile fields with a known set of answers, in receptionist order. */
export function questionSlots(): QuestionSlot[] {
  const slots = FACT_NAMES.filter((name) => {
    const s = spec(name);
    if (!s || !PROFILE_FIELDS.has(name) || PLACE_FIELDS.has(name)) return false;
    return s.kind === 'boolean' || ((s.kind === 'enum' || s.kind === 'enumList') && s.values !== null);
  }) as string[] as QuestionSlot[];
  const rank = (slot: string) => {
    const i = RECEPTIONIST_ORDER.indexOf(slot);
    return i >= 0 ? i : RECEPTIONIST_ORDER.indexOf('needs') - 0.5;
  };
  return slots.sort((a, b) => rank(a) - rank(b));
}

/** True for a yes/no fact of the catalogue (asked with Oui / Non / Je ne sais pas). */
export function isYesNoSlot(slot: string): boolean {
  return spec(slot)?.kind === 'boolean';
}

/** The catalogue's French label of a fact (« Installation agricole ou viticole »). */
export function factLabel(slot: string): string {
  return spec(slot)?.label ?? slot;
}

/** Every answer a scalar slot can get, « je ne sais pas » (null) included. */
function answers(slot: QuestionSlot): unknown[] {
  const s = spec(slot);
  if (!s) return [];
  if (s.kind === 'boolean') return [true, false, null];
  return [...(s.values ?? []), null];
}

async function actorSet(router: Pick<Router, 'route'>, profile: Profile, options?: RouteOptions): Promise<string> {
  const decision = await router.route(profile, options);
  return [...new Set(decision.referrals.map((r) => r.actorId))].sort().join(',');
}

/**
 * True when some answer to `slot` changes the set of actors proposed for this profile (place
 * known). A list slot (needs) is worth asking when adding any single value changes the set.
 */
export async function wouldChangeDecision(
  router: Pick<Router, 'route'>,
  profile: Profile,
  slot: QuestionSlot,
  options?: RouteOptions,
): Promise<boolean> {
  const s = spec(slot);
  if (!s) return false;
  if (s.kind === 'enumList') {
    const current = (profile[slot] as unknown as string[] | undefined) ?? [];
    const base = await actorSet(router, profile, options);
    const added = (s.values ?? []).filter((v) => !current.includes(v));
    const sets = await Promise.all(added.map((v) => actorSet(router, { ...profile, [slot]: [...current, v] }, options)));
    return sets.some((set) => set !== base);
  }
  const sets = await Promise.all(answers(slot).map((v) => actorSet(router, { ...profile, [slot]: v }, options)));
  return new Set(sets).size > 1;
}

/** A question worth a message: sensible in the holder's context, and its answer changes who is proposed. */
export async function worthAsking(router: Pick<Router, 'route'>, profile: Profile, slot: QuestionSlot, options?: RouteOptions): Promise<boolean> {
  if (!sensibleToAsk(profile, slot)) return false;
  if (await wouldChangeDecision(router, profile, slot, options)) return true;
  // A question can matter through the one its answer opens: « Alimentation » opens « installation
  // agricole ? », which decides the Chambre d'agriculture. One level, facts of ASKED_IN_CONTEXT.
  const opened = Object.keys(ASKED_IN_CONTEXT).filter(
    (fact) => spec(fact) && PROFILE_FIELDS.has(fact) && (profile as Record<string, unknown>)[fact] === null && slot in ASKED_IN_CONTEXT[fact]! && !sensibleToAsk(profile, fact as QuestionSlot),
  ) as QuestionSlot[];
  for (const fact of opened) {
    for (const value of answers(slot).filter((v) => v !== null)) {
      const next = { ...profile, [slot]: value } as Profile;
      if (sensibleToAsk(next, fact) && (await wouldChangeDecision(router, next, fact, options))) return true;
    }
  }
  return false;
}

/** The first slot, in receptionist order, among `pending` worth asking. */
export async function nextUsefulQuestion(
  router: Pick<Router, 'route'>,
  profile: Profile,
  pending: readonly QuestionSlot[],
  options?: RouteOptions,
): Promise<QuestionSlot | null> {
  for (const slot of questionSlots()) {
    if (!pending.includes(slot)) continue;
    if (await worthAsking(router, profile, slot, options)) return slot;
  }
  return null;
}

/** True when these profiles (e.g. each commune a postal code may mean) get the same actors. */
export async function sameDecision(router: Pick<Router, 'route'>, profiles: readonly Profile[], options?: RouteOptions): Promise<boolean> {
  const sets = await Promise.all(profiles.map((p) => actorSet(router, p, options)));
  return new Set(sets).size <= 1;
}

/**
 * The router as the question choice uses it: decisions remembered for a minute per rule set and
 * profile, because choosing one question routes the same few profiles many times (each answer of
 * each missing fact) and most holders share them. The proposal itself always routes afresh.
 */
export function rememberingRouter(router: Pick<Router, 'route' | 'rulesVersion'>, options: { max?: number; ttlMs?: number; now?: () => number } = {}): Pick<Router, 'route'> {
  const max = options.max ?? 5000;
  const ttl = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const memo = new Map<string, { at: number; decision: ReturnType<Router['route']> }>();
  return {
    route(profile, routeOptions) {
      if (routeOptions) return router.route(profile, routeOptions);
      const key = `${router.rulesVersion}:${JSON.stringify(profile)}`;
      const hit = memo.get(key);
      if (hit && now() - hit.at < ttl) return hit.decision;
      const decision = router.route(profile);
      decision.catch(() => memo.delete(key));
      memo.delete(key);
      memo.set(key, { at: now(), decision });
      // Oldest first in a Map: drop them beyond the bound.
      while (memo.size > max) memo.delete(memo.keys().next().value!);
      return decision;
    },
  };
}
