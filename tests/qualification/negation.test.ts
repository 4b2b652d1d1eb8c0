// Negation windows: what a holder denies must not be added; lacking something is a need.
import assert from 'node:assert/strict';
import { describe, test } from '@jest/globals';
import type { Need } from '../../src/domain/profile.js';
import { qualify } from '../../src/qualification/index.js';

const q = (text: string) => qualify(text, { territory: null });
const needs = (text: string) => [...q(text).profile.needs].sort();

describe('needs', () => {
  const cases: [string, Need[]][] = [
    ['pas besoin de financement', []],
    ["on n'a pas besoin de local ni de financement", []],
    ['aucun besoin de formation', []],
    ["pas de financement, on n'en veut pas", ['financement']],
    ['pas besoin de local mais il nous faut un financement', ['financement']],
    ['pas besoin de financement, on cherche un local', ['local']],
    ["on n'a pas de local", ['local']],
    ['sans local pour le moment', ['local']],
    ["on n'a pas d'argent", ['financement']],
    ["j'ai 0 euros", ['financement']],
    ['on a déjà un local', []],
    ['nous avons des financements', []],
    ["nous avons besoin d'un local", ['local']],
    ['on a obtenu une subvention de la région', []],
    ['on a déjà trouvé le terrain, il manque le financement', ['financement']],
    ['on ne cherche pas de financement', []],
    ['le statut on verra plus tard, là on cherche des partenaires', ['reseau']],
  ];
  for (const [text, expected] of cases) test(JSON.stringify(text), () => assert.deepEqual(needs(text), [...expected].sort()));
});

describe('stage, sector and project type', () => {
  test('"pas encore créé" is an idea, not a creation', () => {
    assert.equal(q("l'asso n'est pas encore créée").profile.stage, 'idee');
    assert.equal(q('pas encore lancé').profile.stage, 'idee');
  });
  test('"plus de 10 ans" is not a negation', () => {
    assert.equal(q("l'association existe depuis plus de 10 ans").profile.stage, 'developpement');
  });
  test('"ce n\'est plus une idée" is no longer an idea', () => {
    assert.equal(q("ce n'est plus une idée, on se lance").profile.stage, 'creation');
  });
  test('a denied sector does not count', () => {
    assert.equal(q("ce n'est pas un projet de recyclerie, plutôt un café associatif").profile.sector, 'culture_loisirs');
    assert.equal(q('pas un restaurant').profile.sector, null);
  });
  test('"je ne suis pas seul" is not individuel', () => {
    assert.equal(q('je ne suis pas seule').profile.projectType, null);
    assert.equal(q('je ne suis pas seul, on est 3').profile.projectType, 'collectif');
    assert.equal(q('je suis seul').profile.projectType, 'individuel');
  });
  test('"pas mal de bénévoles" is not a negation', () => {
    assert.equal(q('on a pas mal de bénévoles').profile.projectType, 'collectif');
  });
  test('a negation does not reach across a comma or a "mais"', () => {
    assert.equal(q("je ne sais pas, on voudrait ouvrir une recyclerie").profile.sector, 'dechets_ressources');
    assert.equal(q("pas d'idée de lieu mais on voudrait une épicerie").profile.sector, 'alimentation');
  });
});
