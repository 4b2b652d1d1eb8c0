// `qualify` per utterance, after warm-up.
import { qualify, warmUp } from '../src/qualification/index.js';
import { ms, percentile, timeEach, type Row } from './stats.js';

export const UTTERANCES = [
  'Bonjour, avec deux amies on veut créer une recyclerie à Vallet et on cherche un local',
  'jai une idee de cafe associatif a clisson',
  'Notre asso existe depuis 10 ans au Loroux-Bottereau, on veut embaucher notre premier salarié',
  'projet d’habitat partagé pour personnes âgées, 44190, avec la mairie et le CCAS',
  'on est une épicerie solidaire à Gétigné, on cherche des financements et un statut SCIC',
  'je veux faire un projet',
  'bonjour',
  'Nous sommes 5 habitants de Saint-Julien-de-Concelles et voulons monter une centrale solaire citoyenne',
  'garage solidaire pour les personnes en insertion, Divatte sur Loire',
  'médiation numérique pour les seniors à Haute-Goulaine, on démarre',
  'je suis seule, je voudrais lancer une activité de couture en réemploi à Aigrefeuille',
  'un tiers-lieu culturel en projet au Pallet avec plusieurs associations et la commune',
  'mon numéro : 06 12 34 56 78, email marie.dupont@example.org',
  'Lyon, coopérative d’habitants',
  '44115',
];

export async function benchQualify(): Promise<Row[]> {
  warmUp();
  for (let i = 0; i < 20; i += 1) for (const u of UTTERANCES) qualify(u);
  const runs = Array.from({ length: 200 }, () => UTTERANCES).flat();
  const samples = await timeEach(runs, (u) => qualify(u));
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  return [
    { name: `qualify p50 (${samples.length} phrases)`, value: ms(p50), target: '≤ 2 ms', ok: p50 <= 2 },
    { name: 'qualify p99', value: ms(p99), target: 'informatif' },
  ];
}
