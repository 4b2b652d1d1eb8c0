// The territory data that coordinators maintain in data/territory/*.json, validated with zod.
// Codes are checked against the official geography later (see geography.ts): a typo in a SIREN
// must stop the start-up with a French message, not silently drop an alias.
import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';
import { z } from 'zod';
import { normalizeText } from './normalize.js';

const SIREN = z.string().regex(/^\d{9}$/, 'SIREN attendu (9 chiffres)');
const INSEE = z.string().regex(/^[0-9][0-9AB]\d{3}$/, 'code INSEE attendu (5 caractères)');
const TEXT = z.string().trim().min(2, 'texte de 2 caractères au moins');
const names = z.array(TEXT).min(1, 'au moins un nom');

export const aliasesSchema = z.object({
  $comment: z.string().optional(),
  epci: z.record(SIREN, names).default({}),
  communes: z.record(INSEE, names).default({}),
});

export const namedTerritoriesSchema = z.object({
  $comment: z.string().optional(),
  territories: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9-]+$/, 'identifiant en minuscules et tirets'),
        nom: TEXT,
        epcis: z.array(SIREN).min(1, 'au moins un EPCI'),
        aliases: z.array(TEXT).default([]),
      }),
    )
    .refine((list) => new Set(list.map((t) => t.id)).size === list.length, 'identifiants en double'),
});

const wordList = z.object({ $comment: z.string().optional(), words: z.array(z.string().min(1, 'mot vide')) });

export const wordsSchema = z.object({
  $comment: z.string().optional(),
  functionWords: wordList,
  context: wordList,
  departementCue: wordList,
  postalCue: wordList,
  notAfterNumber: wordList,
  neverAlone: wordList,
  common: wordList,
});

export type AliasesFile = z.infer<typeof aliasesSchema>;
export type NamedTerritoriesFile = z.infer<typeof namedTerritoriesSchema>;

/** Word lists, normalised. */
export interface Words {
  functionWords: ReadonlySet<string>;
  context: ReadonlySet<string>;
  departementCue: ReadonlySet<string>;
  postalCue: ReadonlySet<string>;
  notAfterNumber: ReadonlySet<string>;
  neverAlone: ReadonlySet<string>;
  common: ReadonlySet<string>;
}

export interface TerritoryLexicon {
  aliases: AliasesFile;
  territories: NamedTerritoriesFile['territories'];
  words: Words;
}

export class TerritoryDataError extends Error {
  override name = 'TerritoryDataError';
}

export const DEFAULT_TERRITORY_DIR = projectPath('data', 'territory') + '/';

function readJson<T>(dir: string, name: string, schema: z.ZodType<T>): T {
  const file = `data/territory/${name}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(`${dir.replace(/\/?$/, '/')}${name}`, 'utf8'));
  } catch (error) {
    throw new TerritoryDataError(`${file} : fichier illisible (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TerritoryDataError(`${file} : ${issue.path.join('.') || 'racine'} : ${issue.message}`);
  }
  return parsed.data;
}

const normalizedSet = (words: string[]): Set<string> => new Set(words.map(normalizeText).filter(Boolean));

export function loadTerritoryLexicon(dir: string = DEFAULT_TERRITORY_DIR): TerritoryLexicon {
  const words = readJson(dir, 'words.json', wordsSchema);
  return {
    aliases: readJson(dir, 'aliases.json', aliasesSchema),
    territories: readJson(dir, 'named-territories.json', namedTerritoriesSchema).territories,
    words: {
      functionWords: normalizedSet(words.functionWords.words),
      context: normalizedSet(words.context.words),
      departementCue: normalizedSet(words.departementCue.words),
      postalCue: normalizedSet(words.postalCue.words),
      notAfterNumber: normalizedSet(words.notAfterNumber.words),
      neverAlone: normalizedSet(words.neverAlone.words),
      common: normalizedSet(words.common.words),
    },
  };
}
