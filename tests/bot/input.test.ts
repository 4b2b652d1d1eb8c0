import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { cleanInput, MAX_INPUT_CHARS } from '../../src/bot/input.js';
import { recognizeCommand } from '../../src/bot/commands.js';
import { normalizeText } from '../../src/territory/index.js';

describe('cleanInput', () => {
  it('removes markup and control characters but keeps the words', () => {
    const r = cleanInput('<script>alert(1)</script> Bonjour\u0000 <b>Clisson</b>\u202e');
    assert.equal(r.text, 'alert(1) Bonjour Clisson');
    assert.equal(r.hasWords, true);
  });
  it('bounds the length and says so', () => {
    const r = cleanInput('a'.repeat(10_000));
    assert.equal(r.text.length, MAX_INPUT_CHARS);
    assert.equal(r.truncated, true);
  });
  it('treats non-strings and emoji-only text safely', () => {
    assert.equal(cleanInput(undefined).text, '');
    assert.equal(cleanInput({ evil: true }).text, '');
    assert.equal(cleanInput('🙂🎉').hasWords, false);
  });
});

describe('recognizeCommand', () => {
  const cmd = (s: string) => recognizeCommand(normalizeText(s), s);
  it('recognises the conversation-wide commands as people write them', () => {
    assert.equal(cmd('Recommencer'), 'restart');
    assert.equal(cmd('on recommence !'), 'restart');
    assert.equal(cmd('aide'), 'help');
    assert.equal(cmd('?'), 'help');
    assert.equal(cmd('Je voudrais parler à quelqu’un'), 'human');
    assert.equal(cmd('parler a un conseiller'), 'human');
    assert.equal(cmd('/start'), 'unknownCommand');
  });
  it('does not take project descriptions for commands', () => {
    assert.equal(cmd('j’ai besoin d’aide pour financer ma recyclerie'), null);
    assert.equal(cmd('recommencer une activité de maraîchage'), null);
  });
});
