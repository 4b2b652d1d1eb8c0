// Answers to precise questions: yes/no in French, e-mail, French phone formats, numbers.
import assert from 'node:assert/strict';
import { beforeAll, describe, test } from '@jest/globals';
import { qualify, recognizeEmail, recognizeNumber, recognizePhone, recognizeYesNo, warmUp } from '../../src/qualification/index.js';

beforeAll(async () => {
  await warmUp();
});

describe('recognizeYesNo', () => {
  const cases: [string, boolean | null][] = [
    ['oui', true],
    ['Oui !', true],
    ['OUI', true],
    ['ouais', true],
    ['ouep', true],
    ["d'accord", true],
    ['dac', true],
    ['ok', true],
    ['carrément', true],
    ['bien sûr', true],
    ['pas de souci', true],
    ['pas de problème', true],
    ['pourquoi pas', true],
    ['volontiers', true],
    ['euh oui je crois', true],
    ['👍', true],
    ['non', false],
    ['Non.', false],
    ['nan', false],
    ['non merci', false],
    ['pas du tout', false],
    ['surtout pas', false],
    ['pas vraiment', false],
    ['pas pour l’instant', false],
    ["non, c'est à Vallet", false],
    ['je sais pas', null],
    ['je ne sais pas trop', null],
    ['peut-être', null],
    ['bof', null],
    ['🤷', null],
    ['', null],
    ['la recyclerie de Vallet', null],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text), () => assert.equal(recognizeYesNo(text), expected));
  }
});

describe('recognizeEmail', () => {
  test('an address inside a sentence', () => {
    assert.equal(recognizeEmail('mon mail : marie.dupont@example.org merci'), 'marie.dupont@example.org');
    assert.equal(recognizeEmail('jean-pierre.durand+aiguillage@asso-vignoble.fr.'), 'jean-pierre.durand+aiguillage@asso-vignoble.fr');
  });
  test('nothing when there is no complete address', () => {
    assert.equal(recognizeEmail("je n'ai pas d'e-mail"), null);
    assert.equal(recognizeEmail('contact@'), null);
    assert.equal(recognizeEmail('@vallet'), null);
  });
});

describe('recognizePhone', () => {
  const french: [string, string][] = [
    ['06 12 34 56 78', '06 12 34 56 78'],
    ['0612345678', '06 12 34 56 78'],
    ['06.12.34.56.78', '06 12 34 56 78'],
    ['06-12-34-56-78', '06 12 34 56 78'],
    ['+33 6 12 34 56 78', '06 12 34 56 78'],
    ['+33612345678', '06 12 34 56 78'],
    ['0033 6 12 34 56 78', '06 12 34 56 78'],
    ['+33 (0)6 12 34 56 78', '06 12 34 56 78'],
    ['02 40 12 34 56', '02 40 12 34 56'],
    ["mon tel c'est le 07 81 22 33 44, rappelez-moi après 18h", '07 81 22 33 44'],
  ];
  for (const [text, expected] of french) test(JSON.stringify(text), () => assert.equal(recognizePhone(text), expected));

  test('a foreign number is kept as typed', () => {
    assert.equal(recognizePhone('+32 470 12 34 56'), '+32 470 12 34 56');
  });
  test('postal codes, years and counts are not phone numbers', () => {
    assert.equal(recognizePhone('44190 Clisson'), null);
    assert.equal(recognizePhone('créée en 2009, 14 salariés, 3 sites'), null);
    assert.equal(recognizePhone('SIRET 123 456 789 00012'), null);
  });
});

describe('recognizeNumber', () => {
  const cases: [string, number | null][] = [
    ['4', 4],
    ['on est 4', 4],
    ['quatre', 4],
    ['vingt-cinq', 25],
    ['une dizaine', 10],
    ['une quinzaine de personnes', 15],
    ['douze personnes', 12],
    ['2,5', 2.5],
    ['une', 1],
    ['un seul', 1],
    ['une association', null],
    ['je suis seule', null],
    ['aucune idée', null],
  ];
  for (const [text, expected] of cases) test(JSON.stringify(text), () => assert.equal(recognizeNumber(text), expected));
});

describe('qualify: contacts and counts', () => {
  const q = (text: string) => qualify(text, { territory: null });

  test('e-mail and phone found in a free message, only when present', () => {
    const found = q('Vous pouvez me joindre au 06 12 34 56 78 ou par mail à marie.dupont@example.org');
    assert.equal(found.phone, '06 12 34 56 78');
    assert.equal(found.email, 'marie.dupont@example.org');
    const none = q('une recyclerie à Vallet, 44330');
    assert.equal(none.phone, null);
    assert.equal(none.email, null);
  });

  const teams: [string, number | null][] = [
    ['nous sommes 4', 4],
    ['on est quatre à porter le projet', 4],
    ['avec 3 amis', 4],
    ['avec une amie', 2],
    ['avec deux autres personnes', 3],
    ['3 copines et moi', 4],
    ['moi et 2 voisins', 3],
    ['un groupe de 6 habitants', 6],
    ["un collectif d'une dizaine de personnes", 10],
    ['on est à 10 minutes de Clisson', null],
    ['on est une association', null],
    ["j'ai 45 ans", null],
  ];
  for (const [text, expected] of teams) test(`teamSize ${JSON.stringify(text)}`, () => assert.equal(q(text).teamSize, expected));

  const staff: [string, number | null][] = [
    ['nous avons 3 salariés', 3],
    ['2 ETP et des bénévoles', 2],
    ['aucun salarié pour le moment', 0],
    ['pas encore de salarié', 0],
    ['on voudrait embaucher 2 salariés', null],
    ['recruter un salarié', null],
    ['notre premier salarié', null],
    ['3 ETP prévus', null],
  ];
  for (const [text, expected] of staff) test(`employees ${JSON.stringify(text)}`, () => assert.equal(q(text).employees, expected));

  test('two people or more make a collectif, one person alone does not', () => {
    assert.equal(q('on est 2 sur le projet').profile.projectType, 'collectif');
    assert.equal(q("j'ai 45 ans").profile.projectType, null);
  });
});

describe('recognizeUnsure', () => {
  test('hears the everyday ways of not knowing, and nothing else', async () => {
    const { recognizeUnsure } = await import('../../src/qualification/index.js');
    for (const s of ['je sais pas encore', 'Je ne sais pas', 'on sait pas', 'aucune idée', 'pas encore décidé', 'sais pas'])
      assert.equal(recognizeUnsure(s), true, s);
    for (const s of ['Clisson', 'je sais que c’est à Vallet', 'pas de local']) assert.equal(recognizeUnsure(s), false, s);
  });
});
