// Lexicons as data: validated at load with a French message naming the file and the entry;
// the term syntax; tolerance to accents, plurals, feminines and typos; answers to one question.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, test } from '@jest/globals';
import { NEEDS, PROJECT_TYPES, SECTORS, STAGES } from '../../src/domain/profile.js';
import {
  LexiconError,
  loadLexiconsFrom,
  qualify,
  qualifyField,
  qualifyNeeds,
  qualifyProjectType,
  qualifySector,
  qualifyStage,
} from '../../src/qualification/index.js';
import { compileTerm, phraseSet } from '../../src/qualification/lexicon.js';
import { allMatches, prepare } from '../../src/qualification/matcher.js';
import { lexicons } from '../../src/qualification/lexicon.js';
import { clauses } from '../../src/qualification/text.js';

const SHIPPED = new URL('../../data/lexicons/', import.meta.url).pathname;
const q = (text: string) => qualify(text, { territory: null });

describe('loading', () => {
  const dirs: string[] = [];
  afterAll(async () => {
  await dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

  /** A copy of the shipped lexicons with one file changed. */
  function brokenCopy(file: string, change: (data: Record<string, unknown>) => unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'lexicons-'));
    dirs.push(dir);
    cpSync(SHIPPED, dir, { recursive: true });
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    const changed = change(data) ?? data;
    // A string replaces the file as is (broken JSON); anything else is written as JSON.
    writeFileSync(join(dir, file), typeof changed === 'string' ? changed : JSON.stringify(changed));
    return dir;
  }
  const entries = (data: Record<string, unknown>) => data.entries as Array<Record<string, unknown>>;

  test('the shipped lexicons load, and every code can be recognised', () => {
    const lex = loadLexiconsFrom(SHIPPED);
    const fields = { stage: STAGES, sector: SECTORS, projectType: PROJECT_TYPES, needs: NEEDS } as const;
    for (const [field, codes] of Object.entries(fields)) {
      const free = new Set(lex.fields[field as keyof typeof fields].phrases.terms.filter((t) => !t.answerOnly).map((t) => t.code));
      for (const code of codes) assert.ok(free.has(code), `${field} « ${code} » n'a aucun terme`);
    }
  });

  test('an unknown code names the file and the entry, in French', () => {
    const dir = brokenCopy('stage.json', (d) => {
      entries(d)[0]!.code = 'idea';
    });
    assert.throws(() => loadLexiconsFrom(dir), (e: unknown) => {
      assert.ok(e instanceof LexiconError);
      assert.match(e.message, /data\/lexicons\/stage\.json/);
      assert.match(e.message, /entrée « idea »/);
      assert.match(e.message, /code inconnu/);
      return true;
    });
  });

  test('a term of the wrong type names the entry and the position', () => {
    const dir = brokenCopy('sector.json', (d) => {
      (entries(d)[1]!.terms as unknown[]).splice(2, 0, 42);
    });
    assert.throws(() => loadLexiconsFrom(dir), /sector\.json, entrée « alimentation », terms\[2\] : .*attendu/);
  });

  test('a bad term syntax is explained', () => {
    const short = brokenCopy('needs.json', (d) => {
      (entries(d)[0]!.terms as string[]).push('fi*');
    });
    assert.throws(() => loadLexiconsFrom(short), /needs\.json, entrée « financement », terms\[\d+\] : « fi\* » : un préfixe/);
    const empty = brokenCopy('needs.json', (d) => {
      (entries(d)[0]!.terms as string[]).push('prêt|');
    });
    assert.throws(() => loadLexiconsFrom(empty), /alternative vide/);
  });

  test('unknown keys, invalid JSON and missing files are reported', () => {
    assert.throws(() => loadLexiconsFrom(brokenCopy('projectType.json', (d) => ({ ...d, extra: true }))), /projectType\.json : .*extra/);
    assert.throws(() => loadLexiconsFrom(brokenCopy('negations.json', () => '{')), /negations\.json : JSON invalide/);
    assert.throws(() => loadLexiconsFrom(join(tmpdir(), 'pas-de-lexiques-ici')), /shorthands\.json : fichier illisible/);
  });
});

describe('term syntax', () => {
  const lex = lexicons();
  function matches(term: string, text: string): boolean {
    const set = phraseSet(compileTerm(term, 'x', 2, false, { file: 'test', where: '', shorthands: lex.shorthands }));
    return clauses(text, lex.shorthands).some((c) => allMatches(set, prepare(c, lex, null), 0, false).length > 0);
  }
  test('alternatives, prefixes, optional words and numbers', () => {
    assert.ok(matches('on|nous veut|voulons créer', 'nous voulons créer'));
    assert.ok(!matches('on|nous veut|voulons créer', 'ils veulent créer'));
    assert.ok(matches('dévelop*', 'le développement'));
    assert.ok(matches('la? mairie partenaire', 'mairie partenaire'));
    assert.ok(matches('la? mairie partenaire', 'la mairie partenaire'));
    assert.ok(matches('depuis # ans', 'depuis dix ans'));
    assert.ok(matches('depuis # ans', 'depuis 10 ans'));
    assert.ok(!matches('depuis # ans', 'depuis un an'), '« un » est lu comme un article');
  });
  test('accents, case, apostrophes, plurals and feminines do not matter', () => {
    assert.ok(matches("j'aimerais", 'JAIMERAIS'));
    assert.ok(matches('café associatif', 'des cafes associatifs'));
    assert.ok(matches('café associatif', 'une épicerie-café associative'));
    assert.ok(matches('porteur', 'porteuse'));
  });
});

describe('tolerance in free text', () => {
  test('missing accents, plurals, SMS shorthands', () => {
    assert.equal(q('une epicerie a vallet').profile.sector, 'alimentation');
    assert.equal(q('des recycleries').profile.sector, 'dechets_ressources');
    assert.equal(q('jai envie de creer une asso').profile.stage, 'idee');
    assert.equal(q('ns sommes une asso').profile.projectType, 'collectif');
  });
  test('typos in long words, swapped letters in short ones', () => {
    assert.equal(q('une recylerie').profile.sector, 'dechets_ressources');
    assert.deepEqual(q('besoin de finacement').profile.needs, ['financement']);
    assert.deepEqual(q('on cherche des subvension').profile.needs, ['financement']);
    assert.deepEqual(q('on cherche un lcoal').profile.needs, ['local']);
  });
  test('a real word one letter away from a term is not corrected', () => {
    assert.deepEqual(q('un atelier vocal').profile.needs, []);
    assert.equal(q('on va fermer').profile.sector, null);
    assert.equal(q('bonjour, comment ça marche ?').profile.sector, null, '« marche » n’est pas « marché »');
  });
  test('explanations: every fired term is listed with its field and code', () => {
    const found = q('une recyclerie, pas besoin de financement');
    assert.deepEqual(found.matched, [
      { field: 'sector', code: 'dechets_ressources', term: 'recyclerie', text: 'recyclerie' },
      { field: 'trade', code: 'autre', term: 'recyclerie', text: 'recyclerie' },
    ]);
    const typed = q('on voudrait ouvrir une recylerie');
    assert.deepEqual(
      typed.matched.map((m) => [m.field, m.code, m.text]),
      [
        ['stage', 'idee', 'on voudrait ouvrir'],
        ['sector', 'dechets_ressources', 'recylerie'],
        ['trade', 'autre', 'recylerie'],
      ],
    );
  });
});

describe('answers to one question', () => {
  test('stage', () => {
    assert.equal(qualifyStage('juste une idée'), 'idee');
    assert.equal(qualifyStage('Création, lancement'), 'creation');
    assert.equal(qualifyStage('elle existe déjà depuis 2015'), 'developpement');
    assert.equal(qualifyStage('je ne sais pas'), null);
  });
  test('sector, "autre" included', () => {
    assert.equal(qualifySector('Réemploi, déchets, ressources'), 'dechets_ressources');
    assert.equal(qualifySector('autre chose'), 'autre');
    assert.equal(q('autre chose').profile.sector, null, '« autre » ne vaut que comme réponse');
    assert.equal(qualifySector('bof'), null);
  });
  test('project type', () => {
    assert.equal(qualifyProjectType('seul'), 'individuel');
    assert.equal(qualifyProjectType('à plusieurs'), 'collectif');
    assert.equal(qualifyProjectType('on est 3'), 'collectif');
    assert.equal(qualifyProjectType('Avec plusieurs structures'), 'multi_acteurs');
  });
  test('needs, several at once', () => {
    assert.deepEqual(qualifyNeeds('Local, lieu'), ['local']);
    assert.deepEqual(qualifyNeeds('du financement et un statut'), ['financement', 'juridique']);
    assert.deepEqual(qualifyField('needs', 'rien de spécial'), []);
  });
});
