// The server bundle's two transformations: ASCII-only output (the same program, one byte per
// character in V8) and lazy stand-ins for modules our dependencies load but we rarely use.
import assert from 'node:assert/strict';
import { test } from '@jest/globals';
import { asciiOnly, lazyStandIn } from '../../scripts/build.js';

test('asciiOnly escapes every character outside ASCII and keeps the program’s meaning', () => {
  const program = String.raw`
    const words = ['Clémenciat', 'cœur', '« guillemets »', '🌱 pousse'];
    const ligature = /œ/g;
    const accents = /^[a-zàâçéèêëîïôûùüÿ]+$/;
    const astral = /^🌱+$/u;
    return {
      words,
      replaced: 'sœur'.replace(ligature, 'oe'),
      accent: accents.test('élève'),
      notAccent: accents.test('eleve!'),
      astral: astral.test('🌱🌱'),
      astralLength: '🌱'.length,
    };`;
  const escaped = asciiOnly(program);
  assert.ok(/^[\x00-\x7f]*$/.test(escaped), 'only ASCII left');
  const run = (code: string) => new Function(code)() as unknown;
  assert.deepEqual(run(escaped), run(program));
  assert.deepEqual((run(escaped) as { replaced: string }).replaced, 'soeur');
});

test('asciiOnly refuses a character that a backslash escapes, rather than change its meaning', () => {
  assert.throws(() => asciiOnly(String.raw`const r = /\é/;`), /barre oblique/);
});

test('a lazy stand-in requires the real module on first use only, and serves its eager names', () => {
  const loads: string[] = [];
  const real = { recognizeDateTime: (text: string) => `date:${text}`, Culture: { French: 'real-fr' } };
  const fakeRequire = (name: string) => {
    loads.push(name);
    return name === 'light' ? { Culture: { French: 'fr-fr' } } : real;
  };
  const load = (eager: string) => {
    const module = { exports: {} as Record<string, unknown> };
    new Function('module', 'require', lazyStandIn('heavy', eager))(module, fakeRequire);
    return module.exports;
  };

  const lazy = load('');
  // What TypeScript's __importStar does at load time: look at __esModule, keep the object.
  assert.equal(lazy.__esModule, true);
  assert.deepEqual(loads, [], 'nothing required while nobody calls it');
  assert.equal((lazy.recognizeDateTime as (t: string) => string)('demain'), 'date:demain');
  assert.deepEqual(loads, ['heavy'], 'required on first use');
  assert.equal(typeof lazy.recognizeDateTime, 'function');
  assert.deepEqual(loads, ['heavy'], 'required once');
  assert.deepEqual(Object.keys(lazy).sort(), ['Culture', 'recognizeDateTime']);

  loads.length = 0;
  const withCulture = load("Culture: require('light').Culture");
  assert.deepEqual(withCulture.Culture, { French: 'fr-fr' });
  assert.deepEqual(loads, ['light'], 'the eager name comes from the light module, the heavy one stays unloaded');
});
