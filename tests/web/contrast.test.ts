// Partner colours always get AA text: the widget computes it rather than trusting the partner.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { contrast, readableOn, textOn } from '../../web-widget/src/contrast.js';
import { loadPartners } from '../../src/channels/partners.js';

describe('widget colours', () => {
  it('text on every shipped partner colour reaches 4.5:1, and the colour as text on white too', () => {
    for (const partner of loadPartners().all()) {
      const primary = partner.colors.primary;
      assert.ok(contrast(textOn(primary), primary) >= 4.5, `${partner.id} : texte sur ${primary}`);
      assert.ok(contrast(readableOn(primary, '#ffffff'), '#ffffff') >= 4.5, `${partner.id} : ${primary} sur blanc`);
    }
  });

  it('any colour, even a pale one, gets readable text and a darkened text colour', () => {
    for (const colour of ['#ffff00', '#00ff00', '#777777', '#ff0000', '#0000ff', '#f0f0f0', '#000000']) {
      assert.ok(contrast(textOn(colour), colour) >= 4.5, colour);
      assert.ok(contrast(readableOn(colour, '#ffffff'), '#ffffff') >= 4.5, colour);
    }
    assert.equal(textOn('#ffff00'), '#141414');
    assert.equal(textOn('#7b2342'), '#ffffff');
    assert.equal(contrast('#000000', '#ffffff').toFixed(0), '21');
  });
});
