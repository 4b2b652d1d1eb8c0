// Rule files (rules/*.json): json-rules-engine's rule format restricted to what routing needs,
// validated with zod. Context-free checks live here (fact names, operators per fact, enum
// values); checks needing the actors or the territory live in load.ts.
import { z } from 'zod';
import { TIERS } from '../domain/decision.js';
import { FACTS, FACT_NAMES, OPERATORS, OPERATORS_BY_KIND, type FactSpec } from './facts.js';

export const EVENT_TYPES = ['refer', 'fallback'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'identifiant attendu en minuscules avec tirets (ex. « vignoble-proximite »)' });

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const conditionValue = z.union([scalar, z.array(scalar)]);

export interface Condition {
  fact?: string;
  operator?: string;
  value?: unknown;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}

function list(values: readonly string[]): string {
  return values.join(', ');
}

/** Why a single value does not fit a fact, or null. */
function valueProblem(factName: string, spec: FactSpec, value: unknown): string | null {
  if (value === null && (spec.kind === 'enum' || spec.kind === 'code' || spec.kind === 'boolean')) return null; // "unknown"
  if (spec.kind === 'boolean') return typeof value === 'boolean' ? null : `valeur « ${String(value)} » pour le fait « ${factName} » : true ou false attendu`;
  if (typeof value !== 'string') return `valeur « ${JSON.stringify(value)} » pour le fait « ${factName} » : texte attendu`;
  if (spec.values && !spec.values.includes(value)) return `valeur inconnue « ${value} » pour le fait « ${factName} » (valeurs permises : ${list(spec.values)})`;
  if (spec.pattern && !spec.pattern.test(value)) return `valeur « ${value} » illisible pour le fait « ${factName} » (${spec.label})`;
  return null;
}

function checkLeaf(c: Condition, ctx: z.RefinementCtx): void {
  if (!c.fact || !c.operator || !(c.fact in FACTS) || !(OPERATORS as readonly string[]).includes(c.operator)) return; // reported by the enums
  const spec: FactSpec = FACTS[c.fact as keyof typeof FACTS];
  const allowed = OPERATORS_BY_KIND[spec.kind];
  if (!allowed.includes(c.operator)) {
    ctx.addIssue({ code: 'custom', path: ['operator'], message: `opérateur « ${c.operator} » non permis pour le fait « ${c.fact} » (permis : ${list(allowed)})` });
    return;
  }
  if (!('value' in c)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `condition sur « ${c.fact} » sans « value »` });
    return;
  }
  const many = c.operator === 'in' || c.operator === 'notIn';
  if (many && (!Array.isArray(c.value) || c.value.length === 0)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `l’opérateur « ${c.operator} » attend une liste non vide de valeurs` });
    return;
  }
  if (!many && Array.isArray(c.value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `l’opérateur « ${c.operator} » attend une seule valeur ; pour une liste, utilisez « in »` });
    return;
  }
  for (const v of many ? (c.value as unknown[]) : [c.value]) {
    const problem = valueProblem(c.fact, spec, v);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  }
}

const FORMS = ['fact', 'all', 'any', 'not'] as const;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      fact: z
        .enum(FACT_NAMES as [string, ...string[]], { error: (iss) => `fait inconnu « ${String(iss.input)} » (faits connus : ${list(FACT_NAMES)})` })
        .optional()
        .meta({ description: 'Fait testé (voir rules/README.md)' }),
      operator: z
        .enum(OPERATORS, { error: (iss) => `opérateur inconnu « ${String(iss.input)} » (opérateurs : ${list(OPERATORS)})` })
        .optional(),
      value: conditionValue.optional(),
      all: z.array(conditionSchema).optional().meta({ description: 'Toutes ces conditions ; une liste vide est toujours vraie' }),
      any: z.array(conditionSchema).min(1, { error: '« any » vide : json-rules-engine le tiendrait pour vrai ; utilisez « all »: [] pour « toujours »' }).optional(),
      not: conditionSchema.optional(),
    })
    .superRefine((c, ctx) => {
      const forms = FORMS.filter((f) => f in c);
      if (forms.length !== 1) {
        ctx.addIssue({ code: 'custom', message: `une condition a exactement une forme : { "fact", "operator", "value" }, { "all": [...] }, { "any": [...] } ou { "not": {...} } (trouvé : ${forms.join(', ') || 'aucune'})` });
        return;
      }
      if (forms[0] === 'fact') {
        if (!('operator' in c)) ctx.addIssue({ code: 'custom', message: `condition sur « ${c.fact} » sans « operator »` });
        else checkLeaf(c, ctx);
      } else if ('operator' in c || 'value' in c) {
        ctx.addIssue({ code: 'custom', message: '« operator » et « value » vont avec « fact », pas avec all/any/not' });
      }
    })
    .meta({ id: 'condition', description: 'Condition json-rules-engine : une comparaison ou un groupe all / any / not' }),
);

export const eventParamsSchema = z.strictObject({
  actorId: slug.meta({ description: 'Identifiant d’un acteur de data/actors.json' }),
  tier: z.enum(TIERS).meta({ description: 'local : proximité, présenté d’abord ; expert : expertise ESS' }),
  slot: slug.optional().meta({ description: 'Besoin servi ; un seul acteur par créneau, le plus prioritaire disponible (par défaut : le nom de la règle)' }),
  reason: z.string().min(10).meta({ description: 'Raison en français, variables {lieu} {commune} {epci} {departement} {stade} {secteur} {besoins} {forme} {acteur}' }),
  onlyIfNoExpert: z
    .boolean()
    .optional()
    .meta({ description: 'Accueil : ce créneau n’est servi que si aucune autre orientation d’expertise n’a été retenue (ex. la CRESS pour l’accueil ESS)' }),
});
export type EventParams = z.infer<typeof eventParamsSchema>;

export const ruleSchema = z
  .strictObject({
    name: slug.meta({ description: 'Identifiant unique de la règle (ruleId des décisions)' }),
    description: z.string().optional(),
    priority: z.number().int().min(1).max(1000).optional().meta({ description: 'Plus grand = préféré dans son créneau et présenté plus tôt ; 1 par défaut' }),
    conditions: conditionSchema,
    event: z.strictObject({
      type: z.enum(EVENT_TYPES).meta({ description: 'refer : orientation ; fallback : seulement si aucune orientation n’a abouti' }),
      params: eventParamsSchema,
    }),
  })
  .superRefine((r, ctx) => {
    if (r.conditions && 'fact' in r.conditions) {
      ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'la racine de « conditions » doit être « all », « any » ou « not »' });
    }
  });
export type RuleDefinition = z.infer<typeof ruleSchema>;

export const ruleFileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  rules: z.array(ruleSchema),
});
export type RuleFile = z.infer<typeof ruleFileSchema>;

/** JSON Schema for editors (rules/rules.schema.json), generated from the zod schema. */
export function rulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ruleFileSchema, {
    io: 'input',
    override: (ctx) => {
      // zod cannot express "exactly one of these keys"; editors understand oneOf + required.
      const props = ctx.jsonSchema.properties as Record<string, unknown> | undefined;
      if (props && 'fact' in props && 'all' in props && 'not' in props) {
        ctx.jsonSchema.oneOf = [{ required: ['fact', 'operator', 'value'] }, { required: ['all'] }, { required: ['any'] }, { required: ['not'] }];
      }
    },
  }) as Record<string, unknown>;
  return { ...schema, title: 'Règles d’orientation Aiguillage', description: 'Fichier de règles rules/*.json (voir rules/README.md)' };
}
