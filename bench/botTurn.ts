// One bot turn in-process (qualification included) against a bare botbuilder echo bot,
// measured in the same run so that the ratio survives a noisy machine.
import { ActivityHandler } from 'botbuilder';
import { createBot } from '../src/bot/index.js';
import { InProcessAdapter } from '../src/channels/inProcessAdapter.js';
import { ms, percentile, type Row } from './stats.js';
import { performance } from 'node:perf_hooks';

const SCRIPT = [
  'Bonjour, avec deux amies on veut créer une recyclerie à Vallet et on cherche un local',
  'non, c’est à Clisson',
  'Non merci',
];
const VAGUE = ['je veux faire un projet', 'Gétigné', 'C’est une idée', 'Habitat', 'En groupe, en association', 'Financement', 'Non merci'];

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`Écho : ${context.activity.text}`);
      await next();
    });
  }
}

async function measure(adapter: InProcessAdapter, conversations: number, scripts: string[][]): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < conversations; i += 1) {
    const script = scripts[i % scripts.length]!;
    const conversation = { id: `bench-${i}` };
    for (const text of script) {
      const t = performance.now();
      await adapter.process({ type: 'message', text, conversation, from: { id: `u${i}`, name: 'bench' } });
      samples.push(performance.now() - t);
    }
  }
  return samples;
}

export async function benchBotTurn(): Promise<Row[]> {
  const bot = await createBot();
  const botAdapter = new InProcessAdapter((c) => bot.run(c));
  const echo = new EchoBot();
  const echoAdapter = new InProcessAdapter((c) => echo.run(c));
  const scripts = [SCRIPT, VAGUE];
  await measure(botAdapter, 30, scripts); // warm-up
  await measure(echoAdapter, 30, scripts);
  const botSamples = await measure(botAdapter, 300, scripts);
  const echoSamples = await measure(echoAdapter, 300, scripts);
  const p50 = percentile(botSamples, 50);
  const p99 = percentile(botSamples, 99);
  const echo50 = percentile(echoSamples, 50);
  const echo99 = percentile(echoSamples, 99);
  return [
    { name: `Tour du bot en mémoire p50 (${botSamples.length} tours)`, value: ms(p50), target: '≤ 1 ms', ok: p50 <= 1 },
    { name: 'Tour du bot en mémoire p99', value: ms(p99), target: '≤ 5 ms', ok: p99 <= 5 },
    { name: 'Tour d’un bot écho nu p50 / p99', value: `${ms(echo50)} / ${ms(echo99)}`, target: 'référence' },
    { name: 'Rapport bot / écho (p50)', value: `${(p50 / echo50).toFixed(1)}×`, target: '≤ 20× (prototype ~15–20×)', ok: p50 / echo50 <= 20 },
  ];
}
