// Loads and validates a rule set (rules/*.json + data/actors.json) as one unit: either every
// file is valid and the set gets a version, or a RulesError lists every problem in French,
// naming the file, the rule (or actor) and the problem.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { z } from 'zod';
import { actorSchema, actorsFileSchema, zoneKind, type Actor } from '../domain/actor.js';
import type { TerritoryIndex } from '../territory/types.js';
import { unknownPlaceholders, PLACEHOLDERS } from './reason.js';
import { ruleFileSchema, ruleSchema, type Condition, type EventParams, type EventType, type RuleDefinition } from './rule-schema.js';

export const SCHEMA_FILE = 'rules.schema.json';
export const DEFAULT_LAST_RESORT_ACTOR = 'cress-pdl';

export interface RuleIssue {
  file: string;
  /** Rule name, when the problem is inside a rule. */
  rule: string | null;
  /** Actor id, when the problem is inside the actors file. */
  actor: string | null;
  message: string;
}

export function formatIssue(issue: RuleIssue): string {
  const subject = issue.rule ? `, règle « ${issue.rule} »` : issue.actor ? `, acteur « ${issue.actor} »` : '';
  return `${issue.file}${subject} : ${issue.message}`;
}

export class RulesError extends Error {
  constructor(readonly issues: RuleIssue[]) {
    super(`Règles refusées (${issues.length} problème${issues.length > 1 ? 's' : ''}) :\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'RulesError';
  }
}

export interface LoadedRule {
  id: string;
  file: string;
  /** Declaration order across files (files sorted by name): the tie-breaker after priority. */
  order: number;
  priority: number;
  type: EventType;
  params: EventParams;
  conditions: Condition;
}

export interface RuleSet {
  rules: LoadedRule[];
  actors: Actor[];
  actorsById: ReadonlyMap<string, Actor>;
  files: string[];
  actorsFile: string;
  lastResortActorId: string;
  /** Short content hash of every rule file and the actors file. */
  version: string;
}

export interface LoadOptions {
  rulesDir: string;
  actorsFile: string;
  /** When given, codes and named territories in rules and actors are checked against it. */
  territory?: TerritoryIndex;
  lastResortActorId?: string;
}

// The file's envelope; actors are then parsed one by one with actorSchema.
const actorsEnvelopeSchema = actorsFileSchema.extend({ actors: z.array(z.unknown()).min(1) });

const ruleFileEnvelopeSchema = ruleFileSchema.extend({ rules: z.array(z.unknown()) });

const frenchErrors = { error: z.locales.fr().localeError } as unknown as z.core.ParseContext<z.core.$ZodIssue>;

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function pathText(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** Broken JSON: where, and the rule being written there (the last "name" before the error). */
function jsonIssue(file: string, text: string, error: unknown): RuleIssue {
  const raw = error instanceof Error ? error.message : String(error);
  const position = Number(/position (\d+)/.exec(raw)?.[1] ?? NaN);
  let where = '';
  let rule: string | null = null;
  if (Number.isFinite(position)) {
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    where = ` ligne ${line}, colonne ${column}`;
    const names = [...before.matchAll(/"name"\s*:\s*"([^"]+)"/g)];
    rule = names.length ? names[names.length - 1]![1]! : null;
  }
  return { file, rule, actor: null, message: `JSON illisible${where}${rule ? ' (dans ou après cette règle)' : ''} : ${raw}` };
}

async function readJson(path: string, issues: RuleIssue[]): Promise<{ text: string; data: unknown } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    issues.push({ file: display(path), rule: null, actor: null, message: `fichier illisible : ${(error as Error).message}` });
    return null;
  }
  try {
    return { text, data: JSON.parse(text) };
  } catch (error) {
    issues.push(jsonIssue(display(path), text, error));
    return { text, data: undefined };
  }
}

function itemName(data: unknown, listKey: string, index: unknown, key: string): string | null {
  if (typeof index !== 'number') return null;
  const item = (data as Record<string, unknown[]> | undefined)?.[listKey]?.[index] as Record<string, unknown> | undefined;
  const name = item?.[key];
  return typeof name === 'string' && name ? name : `n°${index + 1}`;
}

function walk(condition: Condition, visit: (leaf: Condition) => void): void {
  if (condition.fact) visit(condition);
  for (const child of condition.all ?? []) walk(child, visit);
  for (const child of condition.any ?? []) walk(child, visit);
  if (condition.not) walk(condition.not, visit);
}

/** Codes that must exist in the official geography; null when the territory knows them. */
function unknownCode(territory: TerritoryIndex, fact: string, value: string): string | null {
  switch (fact) {
    case 'commune':
      return territory.commune(value) ? null : `commune inconnue « ${value} » (code INSEE)`;
    case 'epci':
      return territory.epci(value) ? null : `EPCI inconnu « ${value} » (SIREN)`;
    case 'departement':
      return territory.departement(value) ? null : `département inconnu « ${value} »`;
    case 'territory':
      return territory.namedTerritory(value) ? null : `territoire nommé inconnu « ${value} »`;
    default:
      return null;
  }
}

function checkActors(actors: Actor[], file: string, territory: TerritoryIndex | undefined, issues: RuleIssue[]): void {
  const seen = new Set<string>();
  for (const actor of actors) {
    if (seen.has(actor.id)) issues.push({ file, rule: null, actor: actor.id, message: 'identifiant en double' });
    seen.add(actor.id);
    if (!territory) continue;
    for (const zone of [...actor.zones, ...(actor.excludedZones ?? [])]) {
      const kind = zoneKind(zone);
      if (kind === 'region') continue;
      const problem = unknownCode(territory, kind, zone);
      if (problem) issues.push({ file, rule: null, actor: actor.id, message: `zone : ${problem}` });
    }
  }
}

export function versionOf(contents: Array<[name: string, text: string]>): string {
  const hash = createHash('sha256');
  for (const [name, text] of contents) hash.update(`${name}\0${text}\0`);
  return hash.digest('hex').slice(0, 12);
}

export async function loadRuleSet(options: LoadOptions): Promise<RuleSet> {
  const { rulesDir, actorsFile, territory } = options;
  const lastResortActorId = options.lastResortActorId ?? DEFAULT_LAST_RESORT_ACTOR;
  const issues: RuleIssue[] = [];
  const hashed: Array<[string, string]> = [];

  // Actors first: rules refer to them.
  const actorsName = display(actorsFile);
  let actors: Actor[] | null = null;
  const actorsJson = await readJson(actorsFile, issues);
  if (actorsJson) hashed.push([basename(actorsFile), actorsJson.text]);
  // Each actor is checked on its own, so that one bad entry does not hide the other problems.
  const actorIds = new Set<string>();
  if (actorsJson?.data !== undefined) {
    const envelope = actorsEnvelopeSchema.safeParse(actorsJson.data, frenchErrors);
    if (!envelope.success) {
      for (const i of envelope.error.issues) issues.push({ file: actorsName, rule: null, actor: null, message: `${i.message} (${pathText(i.path) || 'racine'})` });
    } else {
      actors = [];
      envelope.data.actors.forEach((raw, index) => {
        const id = itemName(envelope.data, 'actors', index, 'id')!;
        actorIds.add(id);
        const parsed = actorSchema.safeParse(raw, frenchErrors);
        if (parsed.success) actors!.push(parsed.data);
        else for (const i of parsed.error.issues) issues.push({ file: actorsName, rule: null, actor: id, message: `${i.message} (${pathText(i.path) || 'racine'})` });
      });
      checkActors(actors, actorsName, territory, issues);
    }
  }
  if (actors && !actorIds.has(lastResortActorId)) {
    issues.push({ file: actorsName, rule: null, actor: lastResortActorId, message: 'acteur de dernier recours absent du fichier' });
  }

  let names: string[] = [];
  try {
    names = (await readdir(rulesDir)).filter((n) => n.endsWith('.json') && n !== SCHEMA_FILE).sort();
  } catch (error) {
    issues.push({ file: display(rulesDir), rule: null, actor: null, message: `dossier de règles illisible : ${(error as Error).message}` });
  }
  if (names.length === 0 && issues.length === 0) {
    issues.push({ file: display(rulesDir), rule: null, actor: null, message: 'aucun fichier de règles (*.json)' });
  }

  const rules: LoadedRule[] = [];
  const ruleFiles = new Map<string, string>();
  for (const name of names) {
    const path = join(rulesDir, name);
    const file = display(path);
    const json = await readJson(path, issues);
    if (!json) continue;
    hashed.push([name, json.text]);
    if (json.data === undefined) continue;
    // Envelope first, then rule by rule: a broken rule does not hide the problems of the others.
    const envelope = ruleFileEnvelopeSchema.safeParse(json.data, frenchErrors);
    if (!envelope.success) {
      for (const i of envelope.error.issues) issues.push({ file, rule: null, actor: null, message: `${i.message} (${pathText(i.path) || 'racine'})` });
      continue;
    }
    const defs: RuleDefinition[] = [];
    envelope.data.rules.forEach((raw, index) => {
      const parsed = ruleSchema.safeParse(raw, frenchErrors);
      if (parsed.success) defs.push(parsed.data);
      else {
        const rule = itemName(envelope.data, 'rules', index, 'name');
        for (const i of parsed.error.issues) issues.push({ file, rule, actor: null, message: `${i.message} (${pathText(i.path) || 'racine'})` });
      }
    });
    for (const def of defs) {
      const fail = (message: string) => issues.push({ file, rule: def.name, actor: null, message });
      const previous = ruleFiles.get(def.name);
      if (previous) fail(`nom de règle déjà utilisé dans ${previous}`);
      ruleFiles.set(def.name, file);
      if (actors && !actorIds.has(def.event.params.actorId)) {
        fail(`acteur inconnu « ${def.event.params.actorId} » (absent de ${actorsName})`);
      }
      const unknown = unknownPlaceholders(def.event.params.reason);
      if (unknown.length) {
        fail(`raison : variable inconnue ${unknown.map((u) => `{${u}}`).join(', ')} (variables : ${Object.keys(PLACEHOLDERS).map((p) => `{${p}}`).join(' ')})`);
      }
      if (territory) {
        walk(def.conditions, (leaf) => {
          const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
          for (const v of values) {
            const problem = typeof v === 'string' ? unknownCode(territory, leaf.fact!, v) : null;
            if (problem) fail(problem);
          }
        });
      }
      rules.push({
        id: def.name,
        file,
        order: rules.length,
        priority: def.priority ?? 1,
        type: def.event.type,
        params: def.event.params,
        conditions: def.conditions,
      });
    }
  }

  if (issues.length || !actors) throw new RulesError(issues);
  return {
    rules,
    actors,
    actorsById: new Map(actors.map((a) => [a.id, a])),
    files: names,
    actorsFile,
    lastResortActorId,
    version: versionOf(hashed),
  };
}
