// Bar charts stay readable from 1 to 1,000 rows: drawn at their own size (never scaled up, so
// labels keep 12 px), at most 40 bars with the rest said in words, long labels shortened with
// the full text kept in the bar's title.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { barChart } from '../../src/backoffice/views/charts.js';
import type { StatTable } from '../../src/stats/table.js';

const table = (n: number, label = (i: number) => `Commune n° ${i}`): StatTable => ({
  id: 'essai',
  title: 'Demandes par commune',
  description: '',
  columns: [
    { key: 'libelle', label: 'Commune', kind: 'text' },
    { key: 'demandes', label: 'Demandes', kind: 'count' },
  ],
  rows: Array.from({ length: n }, (_, i) => ({ libelle: label(i + 1), demandes: n - i })),
  chart: { label: 'libelle', value: 'demandes' },
});

describe('graphiques', () => {
  it('une seule ligne : dessinée à sa taille, libellé de 12 px', () => {
    const svg = barChart(table(1), 't')!.value;
    assert.match(svg, /<svg width="640" height="34" viewBox="0 0 640 34"/);
    assert.equal((svg.match(/font-size="12"/g) ?? []).length, 2);
  });

  it('mille lignes : 40 barres, le reste annoncé ; un libellé long est raccourci, entier dans le titre', () => {
    const long = 'Communauté de communes du Pays de Châteaubriant et de la Mée réunis';
    const svg = barChart(table(1000, (i) => (i === 1 ? long : `Commune n° ${i}`)), 't')!.value;
    assert.equal((svg.match(/<rect /g) ?? []).length, 40);
    assert.match(svg, /40 premières lignes sur 1000/);
    assert.ok(svg.includes(`<title>${long} : 1\u202f000</title>`) || svg.includes(`<title>${long} : 1 000</title>`));
    assert.match(svg, />Communauté de communes du Pays de Châte…</);
  });
});
