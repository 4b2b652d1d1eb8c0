// Rules in French for coordinators: each condition with the fact's label and the values' labels
// (stages, sectors, communes by name…), the outcome with the actor's name and tier, validation
// problems naming the rule and the field in words, JSON syntax errors with line and column.
import { TIER_LABELS, type Tier } from '../domain/decision.js';
import { NEED_LABELS, PROJECT_TYPE_LABELS, SECTOR_LABELS, STAGE_LABELS, TRADE_LABELS } from '../domain/profile.js';
import { FACTS } from '../routing/facts.js';
import type { RuleIssue } from '../routing/index.js';
import type { Condition } from '../routing/rule-schema.js';
import type { TerritoryIndex } from '../territory/types.js';
import { regionName } from './places.js';

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
    case 'trade':
      return TRADE_LABELS[v as keyof typeof TRADE_LABELS] ?? v;
    case 'commune':
      return territory.commune(v)?.nom ?? v;
    case 'epci':
      return territory.epci(v)?.nom ?? v;
    case 'departement':
      return territory.departement(v)?.nom ?? v;
    case 'territory':
      return territory.namedTerritory(v)?.nom ?? v;
    case 'region':
      return regionName(v);
    default:
      return v;
  }
}

/** The fact's label without its technical precision: « Commune », « Intercommunalité ». */
export function factLabel(fact: string): string {
  return ((FACTS as Record<string, { label: string }>)[fact]?.label ?? fact).replace(/\s*\([^)]*\)$/, '');
}

/** One sentence for a comparison: « Stade du projet est l’un de : Idée, Création ». */
export function leafText(c: Pick<Condition, 'fact' | 'operator' | 'value'>, territory: TerritoryIndex): string {
  if (c.fact === 'servedArea' && typeof c.value === 'boolean') {
    const inside = (c.operator === 'equal') === c.value;
    return inside ? 'Le projet est dans la zone desservie' : 'Le projet est hors de la zone desservie';
  }
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

export function tierText(type: string, tier: string, onlyIfNoExpert?: boolean): string {
  if (type === 'fallback') return 'recours';
  if (onlyIfNoExpert) return 'accueil ESS';
  const label = TIER_LABELS[tier as Tier] ?? tier;
  return label.charAt(0).toLowerCase() + label.slice(1);
}

export function outcomeText(type: string, actorName: string, tier: string, slot: string, priority: number, onlyIfNoExpert?: boolean): string {
  void slot;
  return type === 'fallback'
    ? `Recours, seulement si aucune orientation n’a abouti : ${actorName} (priorité ${priority}).`
    : `Oriente vers ${actorName} — ${tierText(type, tier, onlyIfNoExpert)}${onlyIfNoExpert ? ', seulement si aucune autre structure d’expertise n’est proposée' : ''}, priorité ${priority}.`;
}

// ── JSON syntax errors in French ─────────────────────────────────────────────

const JSON_PROBLEMS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/Expected ',' or '}' after property value/, () => 'il manque une virgule « , » ou une accolade fermante « } » après une valeur'],
  [/Expected ',' or '\]' after array element/, () => 'il manque une virgule « , » ou un crochet fermant « ] » après un élément de liste'],
  [/Expected (double-quoted )?property name/, () => 'un nom entre guillemets doubles « " » est attendu ici (guillemets simples, ou virgule en trop avant « } » ?)'],
  [/Expected ':' after property name/, () => 'il manque les deux-points « : » après un nom'],
  [/Unterminated string/, () => 'un texte entre guillemets n’est pas refermé'],
  [/Bad control character in string literal/, () => 'un texte entre guillemets contient un retour à la ligne ou une tabulation'],
  [/Bad escaped character/, () => 'une barre oblique inverse « \\ » est mal utilisée dans un texte'],
  [/Unexpected end of JSON input/, () => 'le texte s’arrête trop tôt : une accolade ou un crochet n’est pas refermé'],
  [/Unexpected non-whitespace character after JSON/, () => 'il reste du texte après la fin du JSON'],
  [/Unexpected token '(.)'/, (m) => `caractère inattendu « ${m[1]} » (les textes vont entre guillemets doubles « " »)`],
  [/Unexpected token/, () => 'caractère inattendu'],
];

/** What a JSON.parse message (V8, in English) means, in French. */
function jsonProblem(raw: string): string {
  for (const [re, say] of JSON_PROBLEMS) {
    const m = re.exec(raw);
    if (m) return say(m);
  }
  return 'syntaxe JSON incorrecte';
}

/** « Le JSON n’est pas lisible, ligne 3, colonne 7 : il manque une virgule… » for a JSON.parse error. */
export function jsonErrorText(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const what = jsonProblem(raw);
  const position = /end of JSON input/.test(raw) ? text.length : Number(/position (\d+)/.exec(raw)?.[1] ?? NaN);
  if (!Number.isFinite(position)) return `Le JSON n’est pas lisible : ${what}.`;
  const before = text.slice(0, position);
  return `Le JSON n’est pas lisible, ligne ${before.split('\n').length}, colonne ${position - before.lastIndexOf('\n')} : ${what}.`;
}

// ── validation problems in words ─────────────────────────────────────────────

const FIELD_WORDS: Array<[RegExp, string]> = [
  [/^conditions.*\.fact$/, 'Pour quels projets (le critère)'],
  [/^conditions.*\.operator$/, 'Pour quels projets (la comparaison)'],
  [/^conditions.*\.value$/, 'Pour quels projets (les valeurs choisies)'],
  [/^conditions/, 'Pour quels projets'],
  [/^event\.params\.reason$/, 'Pourquoi (phrase lue par le porteur)'],
  [/^event\.params\.actorId$/, 'Structure'],
  [/^event\.params\.tier$/, 'Niveau'],
  [/^event\.params\.slot$/, 'Besoin servi'],
  [/^event\.params\.onlyIfNoExpert$/, 'Niveau (accueil)'],
  [/^event\.type$/, 'Niveau (recours)'],
  [/^event/, 'Résultat'],
  [/^priority$/, 'Priorité'],
  [/^name$/, 'Identifiant de la règle'],
  [/^description$/, 'Note interne'],
];

/** A loader problem as a coordinator reads it: which rule (in words), which field, what is wrong. */
export function issueText(issue: RuleIssue, ruleTitle: (file: string, rule: string) => string): string {
  let message = issue.message;
  let fieldName: string | null = null;
  // The loader's own JSON errors (a file changed outside the back office) carry V8's English.
  const json = /^JSON illisible( ligne \d+, colonne \d+)?( \(dans ou après cette règle\))? : (.*)$/s.exec(message);
  if (json) message = `le JSON n’est pas lisible${json[1] ? `,${json[1]}` : ''} : ${jsonProblem(json[3]!)}`;
  const path = /\s\(([^()]*)\)$/.exec(message);
  if (path && /^[\w.[\]]+$|^racine$/.test(path[1]!)) {
    const p = path[1]!.replace(/\[(\d+)\]/g, '.$1');
    fieldName = FIELD_WORDS.find(([re]) => re.test(p))?.[1] ?? null;
    message = message.slice(0, path.index);
  }
  if (/^raison : /.test(message)) {
    fieldName = 'Pourquoi (phrase lue par le porteur)';
    message = message.slice('raison : '.length);
  } else if (/^acteur inconnu/.test(message)) {
    fieldName = 'Structure';
    message = message.replace(/^acteur inconnu « ([^»]*) ».*$/, 'structure inconnue de l’annuaire (« $1 »)');
  } else if (/^nom de règle déjà utilisé/.test(message)) fieldName = 'Identifiant de la règle';
  // Facts named by their label rather than their code.
  message = message.replace(/fait « (\w+) »/g, (whole, name: string) => (name in FACTS ? `critère « ${factLabel(name)} »` : whole));
  const file = issue.file.replace(/^.*[\\/]/, '');
  const where = issue.rule ? `Règle « ${ruleTitle(file, issue.rule)} »` : issue.actor ? `Structure « ${issue.actor} »` : `Fichier rules/${file}`;
  return `${where}${fieldName ? `, champ « ${fieldName} »` : ''} : ${message}.`.replace(/\.\.$/, '.');
}
