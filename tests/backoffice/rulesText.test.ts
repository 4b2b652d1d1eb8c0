// Messages a coordinator reads: JSON syntax errors in French with line and column (never V8's
// English), loader problems naming the rule in words and the field by its label.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { issueText, jsonErrorText } from '../../src/backoffice/rulesText.js';

const errorOf = (text: string) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonErrorText(text, error);
  }
  throw new Error('JSON valide');
};

describe('messages en français', () => {
  it('erreurs de syntaxe JSON : en français, avec ligne et colonne', () => {
    const cases: Array<[string, RegExp]> = [
      ['{\n  "a": 1\n  "b": 2\n}', /^Le JSON n’est pas lisible, ligne 3, colonne 3 : il manque une virgule « , » ou une accolade fermante « } » après une valeur\.$/],
      ['{ "a": [1, 2 }', /ligne 1, colonne 14 : il manque une virgule « , » ou un crochet fermant « \] »/],
      ['{ "a": 1, }', /un nom entre guillemets doubles « " » est attendu ici \(guillemets simples, ou virgule en trop/],
      ['{ "a": ', /le texte s’arrête trop tôt/],
      ["{ 'a': 1 }", /ligne 1, colonne 3 : un nom entre guillemets doubles « " » est attendu ici \(guillemets simples/],
      ['{ "a": tru }', /caractère inattendu/],
      ['{ "a": "x\ny" }', /contient un retour à la ligne/],
      ['{ "a": 1 } x', /il reste du texte après la fin du JSON/],
    ];
    for (const [text, expected] of cases) {
      const message = errorOf(text);
      assert.match(message, expected, text);
      assert.doesNotMatch(message, /Expected|Unexpected|position|JSON at/, text);
    }
  });

  it('un problème du chargeur nomme la règle en mots et le champ par son libellé', () => {
    const title = () => 'Les Ecossolies — expertise ESS, Loire-Atlantique';
    assert.equal(
      issueText({ file: '/tmp/x/experts-ess.json', rule: 'ess-emergence-ecossolies', actor: null, message: 'fait inconnu « epcii » (faits connus : stage, sector) (conditions.all[0].fact)' }, title),
      'Règle « Les Ecossolies — expertise ESS, Loire-Atlantique », champ « Pour quels projets (le critère) » : fait inconnu « epcii » (faits connus : stage, sector).',
    );
    assert.match(
      issueText({ file: 'rules/experts-ess.json', rule: 'x', actor: null, message: 'valeur inconnue « reve » pour le fait « stage » (valeurs permises : idee) (conditions.all[1].value)' }, title),
      /champ « Pour quels projets \(les valeurs choisies\) » : valeur inconnue « reve » pour le critère « Stade du projet »/,
    );
    assert.match(issueText({ file: 'rules/x.json', rule: 'x', actor: null, message: 'raison : variable inconnue {ville} (variables : {lieu})' }, title), /champ « Pourquoi \(phrase lue par le porteur\) » : variable inconnue \{ville\}/);
    assert.match(
      issueText({ file: 'rules/x.json', rule: 'x', actor: null, message: "JSON illisible ligne 3, colonne 5 (dans ou après cette règle) : Expected ',' or '}' after property value in JSON at position 59" }, title),
      /: le JSON n’est pas lisible, ligne 3, colonne 5 : il manque une virgule/,
    );
  });
});
