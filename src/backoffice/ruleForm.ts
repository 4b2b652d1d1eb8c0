// A rule as a coordinator thinks of it: who, where, for which projects, in which tier, why.
// The « for which projects » part is derived from the fact catalogue (FACTS): every enum, list
// or yes/no fact gets its control, so a fact added to the catalogue appears in the editor at
// once. Conditions that do not fit this shape (an « any » mixing facts, a « not ») are kept as
// they are and shown in words; only the expert (JSON) view edits them.
import { z } from 'zod';
import { NEED_LABELS, PROJECT_TYPE_LABELS, SECTOR_LABELS, STAGE_LABELS, TRADE_LABELS } from '../domain/profile.js';
import { FACTS, FACT_NAMES, type FactKind, type FactName } from '../routing/facts.js';
import type { Condition } from '../routing/rule-schema.js';
import { splitToken, type PlaceFact } from './places.js';

const PLACE_FACTS: readonly string[] = ['commune', 'epci', 'departement', 'region', 'territory', 'servedArea'];

/** Labels of the values of enum facts; a new enum fact without labels shows its codes. */
const VALUE_LABELS: Partial<Record<FactName, Record<string, string>>> = {
  stage: STAGE_LABELS,
  sector: SECTOR_LABELS,
  projectType: PROJECT_TYPE_LABELS,
  needs: NEED_LABELS,
  trade: TRADE_LABELS,
};

export interface ProjectFact {
  name: FactName;
  kind: FactKind;
  label: string;
  options: Array<{ value: string; label: string }>;
}

/** The « for which projects » facts: every catalogue fact that is not a place. */
export function projectFacts(): ProjectFact[] {
  return FACT_NAMES.filter((name) => !PLACE_FACTS.includes(name) && ['enum', 'enumList', 'boolean'].includes(FACTS[name].kind)).map((name) => {
    const spec = FACTS[name];
    const values = (spec.values ?? []) as readonly string[];
    return { name, kind: spec.kind, label: spec.label, options: values.map((v) => ({ value: v, label: VALUE_LABELS[name]?.[v] ?? v })) };
  });
}

/** Yes/no facts: what the holder must be for the rule to apply. */
export const BOOLEAN_CHOICES = [
  { value: '', label: 'Indifférent' },
  { value: 'true', label: 'Oui' },
  { value: 'false', label: 'Non' },
  { value: 'notTrue', label: 'Non ou pas encore su' },
] as const;
export type BooleanChoice = (typeof BOOLEAN_CHOICES)[number]['value'];

export type FactChoice = { mode: 'in' | 'notIn'; values: string[] } | { mode: 'any'; values: string[] } | { mode: 'bool'; value: BooleanChoice };

export const TIER_CHOICES = [
  { value: 'local', label: 'Proximité', hint: 'un accompagnateur généraliste près de chez le porteur, présenté en premier' },
  { value: 'expert', label: 'Expertise ESS', hint: 'une structure spécialisée de l’ESS' },
  { value: 'accueil', label: 'Accueil ESS', hint: 'seulement si aucune autre structure d’expertise n’est proposée' },
  { value: 'fallback', label: 'Recours', hint: 'seulement si aucune autre règle n’oriente le porteur' },
] as const;
export type TierChoice = (typeof TIER_CHOICES)[number]['value'];

export interface FormRule {
  name: string;
  description: string;
  priority: number;
  actorId: string;
  tier: TierChoice;
  /** For an expertise tier: « local » or « expert » under « recours ». */
  fallbackTier: 'local' | 'expert';
  slot: string;
  reason: string;
  /** Place tokens (« epci:200067866 »); empty: everywhere. */
  places: string[];
  facts: Partial<Record<FactName, FactChoice>>;
  /** Conditions kept as they are (shown in words, edited in the expert view). */
  advanced: Condition[];
}

interface RuleJson {
  name?: unknown;
  description?: unknown;
  priority?: unknown;
  conditions?: Condition;
  event?: { type?: unknown; params?: Record<string, unknown> };
}

const isLeaf = (c: Condition) => typeof c.fact === 'string';
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function placeTokens(c: Condition): string[] | null {
  if (!isLeaf(c) || !PLACE_FACTS.includes(c.fact!)) return null;
  const fact = c.fact as PlaceFact;
  if (fact === 'servedArea') return c.operator === 'equal' && typeof c.value === 'boolean' ? [`servedArea:${c.value}`] : null;
  if (fact === 'territory') return c.operator === 'contains' && typeof c.value === 'string' ? [`territory:${c.value}`] : null;
  if (c.operator !== 'equal' && c.operator !== 'in') return null;
  const values = asList(c.value);
  return values.every((v) => typeof v === 'string') ? values.map((v) => `${fact}:${v as string}`) : null;
}

/** The form's view of a rule (never fails: what does not fit goes to `advanced`). */
export function parseRule(rule: RuleJson): FormRule {
  const params = rule.event?.params ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const type = rule.event?.type === 'fallback' ? 'fallback' : 'refer';
  const tier: TierChoice = type === 'fallback' ? 'fallback' : params.onlyIfNoExpert === true ? 'accueil' : params.tier === 'local' ? 'local' : 'expert';
  const form: FormRule = {
    name: str(rule.name),
    description: str(rule.description),
    priority: typeof rule.priority === 'number' ? rule.priority : 1,
    actorId: str(params.actorId),
    tier,
    fallbackTier: params.tier === 'local' ? 'local' : 'expert',
    slot: str(params.slot),
    reason: str(params.reason),
    places: [],
    facts: {},
    advanced: [],
  };
  const root = rule.conditions ?? { all: [] };
  const children = root.all ?? [root];
  let placesTaken = false;
  for (const c of children) {
    if (!placesTaken) {
      const direct = placeTokens(c);
      const grouped = !direct && c.any && c.any.length > 0 ? c.any.map(placeTokens) : null;
      if (direct || (grouped && grouped.every((g) => g !== null))) {
        form.places = direct ?? grouped!.flat() as string[];
        placesTaken = true;
        continue;
      }
    }
    const choice = factChoice(c);
    if (choice && !form.facts[choice.fact]) {
      form.facts[choice.fact] = choice.choice;
      continue;
    }
    form.advanced.push(c);
  }
  return form;
}

function factChoice(c: Condition): { fact: FactName; choice: FactChoice } | null {
  // « au moins un de ces besoins » : any of contains on one list fact.
  if (c.any && c.any.length > 0 && c.any.every((x) => isLeaf(x) && x.fact === c.any![0]!.fact && x.operator === 'contains' && typeof x.value === 'string')) {
    const fact = c.any[0]!.fact as FactName;
    if (FACTS[fact]?.kind === 'enumList') return { fact, choice: { mode: 'any', values: c.any.map((x) => x.value as string) } };
    return null;
  }
  if (!isLeaf(c) || PLACE_FACTS.includes(c.fact!)) return null;
  const fact = c.fact as FactName;
  const spec = FACTS[fact];
  if (!spec) return null;
  if (spec.kind === 'boolean') {
    if (c.operator === 'equal' && typeof c.value === 'boolean') return { fact, choice: { mode: 'bool', value: c.value ? 'true' : 'false' } };
    if (c.operator === 'notEqual' && c.value === true) return { fact, choice: { mode: 'bool', value: 'notTrue' } };
    return null;
  }
  if (spec.kind === 'enumList') return c.operator === 'contains' && typeof c.value === 'string' ? { fact, choice: { mode: 'any', values: [c.value] } } : null;
  if (spec.kind === 'enum') {
    const values = asList(c.value);
    if (!values.every((v) => typeof v === 'string')) return null;
    if (c.operator === 'equal' || c.operator === 'in') return { fact, choice: { mode: 'in', values: values as string[] } };
    if (c.operator === 'notEqual' || c.operator === 'notIn') return { fact, choice: { mode: 'notIn', values: values as string[] } };
  }
  return null;
}

function placeCondition(tokens: string[]): Condition | null {
  const byFact = new Map<PlaceFact, string[]>();
  for (const token of tokens) {
    const [fact, code] = splitToken(token);
    if (!fact) continue;
    const list = byFact.get(fact) ?? [];
    if (!list.includes(code)) list.push(code);
    byFact.set(fact, list);
  }
  const leaves: Condition[] = [];
  for (const [fact, codes] of byFact) {
    if (fact === 'servedArea') for (const code of codes) leaves.push({ fact, operator: 'equal', value: code === 'true' });
    else if (fact === 'territory') for (const code of codes) leaves.push({ fact, operator: 'contains', value: code });
    else leaves.push(codes.length === 1 ? { fact, operator: 'equal', value: codes[0] } : { fact, operator: 'in', value: codes });
  }
  if (leaves.length === 0) return null;
  return leaves.length === 1 ? leaves[0]! : { any: leaves };
}

function factCondition(fact: FactName, choice: FactChoice): Condition | null {
  if (choice.mode === 'bool') {
    if (choice.value === '') return null;
    return choice.value === 'notTrue' ? { fact, operator: 'notEqual', value: true } : { fact, operator: 'equal', value: choice.value === 'true' };
  }
  if (choice.values.length === 0) return null;
  if (choice.mode === 'any') return choice.values.length === 1 ? { fact, operator: 'contains', value: choice.values[0] } : { any: choice.values.map((v) => ({ fact, operator: 'contains', value: v })) };
  const one = choice.values.length === 1;
  if (choice.mode === 'in') return one ? { fact, operator: 'equal', value: choice.values[0] } : { fact, operator: 'in', value: choice.values };
  return one ? { fact, operator: 'notEqual', value: choice.values[0] } : { fact, operator: 'notIn', value: choice.values };
}

/** The rule in the file format (json-rules-engine), keys in the order of the existing files. */
export function buildRule(form: FormRule): Record<string, unknown> {
  const all: Condition[] = [];
  const place = placeCondition(form.places);
  if (place) all.push(place);
  for (const fact of FACT_NAMES) {
    const choice = form.facts[fact];
    const c = choice ? factCondition(fact, choice) : null;
    if (c) all.push(c);
  }
  all.push(...form.advanced);
  const fallback = form.tier === 'fallback';
  const params: Record<string, unknown> = {
    actorId: form.actorId,
    tier: fallback ? form.fallbackTier : form.tier === 'local' ? 'local' : 'expert',
  };
  if (!fallback && form.slot) params.slot = form.slot;
  params.reason = form.reason;
  if (form.tier === 'accueil') params.onlyIfNoExpert = true;
  return {
    name: form.name,
    ...(form.description ? { description: form.description } : {}),
    priority: form.priority,
    conditions: { all },
    event: { type: fallback ? 'fallback' : 'refer', params },
  };
}

const text = (max: number) => z.preprocess((v) => (Array.isArray(v) ? v[0] : v ?? ''), z.string().max(max)).transform((s) => s.trim());
const list = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(200)).max(500));

/** The posted form (application/x-www-form-urlencoded), checked with zod. */
export const ruleBodySchema = z.object({
  name: text(80),
  description: text(500),
  priority: text(5),
  actorId: text(80),
  tier: text(20),
  fallbackTier: text(10),
  slot: text(80),
  reason: text(1000),
  places: list,
  addPlace: text(200),
  advanced: text(20_000),
});

/** Form fields → FormRule; `problems` in French name the field in words. */
export function formFromBody(body: unknown): { form: FormRule; addPlace: string; problems: string[] } {
  const parsed = ruleBodySchema.safeParse(body ?? {});
  const problems: string[] = [];
  const b = parsed.success ? parsed.data : ruleBodySchema.parse({});
  if (!parsed.success) problems.push('Le formulaire reçu est incomplet ou trop long ; rechargez la page.');
  const record = (body ?? {}) as Record<string, unknown>;
  const facts: FormRule['facts'] = {};
  for (const f of projectFacts()) {
    const raw = record[`fact_${f.name}`];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
    if (f.kind === 'boolean') {
      const v = values[0] ?? '';
      if (BOOLEAN_CHOICES.some((c) => c.value === v)) facts[f.name] = { mode: 'bool', value: v as BooleanChoice };
      continue;
    }
    const allowed = values.filter((v) => f.options.some((o) => o.value === v));
    if (f.kind === 'enumList') facts[f.name] = { mode: 'any', values: allowed };
    else facts[f.name] = { mode: record[`mode_${f.name}`] === 'notIn' ? 'notIn' : 'in', values: allowed };
  }
  let advanced: Condition[] = [];
  if (b.advanced) {
    try {
      const value = JSON.parse(b.advanced) as unknown;
      if (Array.isArray(value)) advanced = value as Condition[];
    } catch {
      problems.push('Les conditions avancées de la règle n’ont pas pu être relues ; rechargez la page.');
    }
  }
  const priority = Number.parseInt(b.priority, 10);
  const tier = (TIER_CHOICES.find((t) => t.value === b.tier)?.value ?? 'local') as TierChoice;
  return {
    form: {
      name: b.name,
      description: b.description,
      priority: Number.isFinite(priority) ? priority : 50,
      actorId: b.actorId,
      tier,
      fallbackTier: b.fallbackTier === 'local' ? 'local' : 'expert',
      slot: b.slot,
      reason: b.reason,
      places: [...new Set(b.places)],
      facts,
      advanced,
    },
    addPlace: b.addPlace,
    problems,
  };
}

/** A readable identifier from words (« ecossolies-idee »), for a new rule. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}
