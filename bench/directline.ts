// The widget's channel under load: widget size, Direct Line turns over HTTP on loopback with
// 50 concurrent conversations, the real bot against a bare echo bot behind the same channel
// (same run, interleaved, so the ratio survives a noisy machine), turns per second. Two loads:
// saturated (every conversation answers at once: capacity) and paced (about one turn a second
// per conversation, as people do). A turn = POST the message (answered after the bot's turn)
// + GET the replies from the watermark, as the widget does.
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ActivityHandler, type TurnContext } from 'botbuilder';
import { createBotServer } from '../src/channels/server.js';
import { InProcessAdapter } from '../src/channels/inProcessAdapter.js';
import { mountWebChannel } from '../src/channels/directline/index.js';
import { buildWidget, toAsset } from '../src/channels/directline/assets.js';
import { loadPartners } from '../src/channels/partners.js';
import { ms, percentile, printTable, type Row } from './stats.js';

const CONCURRENCY = 50;
const ROUNDS = 2;
const SCRIPTS = [
  ['Bonjour, avec deux amies on veut créer une recyclerie à Vallet et on cherche un local', 'non, c’est à Clisson', 'Non merci'],
  ['je veux faire un projet', 'Gétigné', 'C’est une idée', 'Habitat', 'En groupe, en association', 'Financement', 'Non merci'],
];
const UNLIMITED = { capacity: 1e9, refillPerSecond: 1e9 };

type Logic = (context: TurnContext) => Promise<void>;

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMembersAdded(async (context, next) => {
      await context.sendActivity('Bonjour');
      await next();
    });
    this.onMessage(async (context, next) => {
      await context.sendActivity(`Écho : ${context.activity.text}`);
      await next();
    });
  }
}

async function realLogic(partnerName: (id: string) => string | undefined): Promise<Logic | undefined> {
  try {
    const { createBot } = await import('../src/bot/index.js');
    const qualification = (await import('../src/qualification/index.js')) as { warmUp?: () => void };
    qualification.warmUp?.();
    const bot = await createBot({ partnerName });
    return (context) => bot.run(context);
  } catch (error) {
    process.stderr.write(`bot réel indisponible : ${(error as Error).message.split('\n')[0]}\n`);
    return undefined;
  }
}

interface Load {
  samples: number[];
  seconds: number;
}

interface Running {
  base: string;
  stop(): Promise<void>;
}

async function serve(logic: Logic): Promise<Running> {
  const adapter = new InProcessAdapter(logic);
  let close = () => undefined as void;
  const server = createBotServer({
    config: { MicrosoftAppId: undefined, MicrosoftAppPassword: undefined, MicrosoftAppTenantId: undefined, MicrosoftAppType: 'MultiTenant' },
    logic,
    health: () => ({}),
    logError: () => undefined,
    mount: (s) => {
      const channel = mountWebChannel(s, {
        process: (activity) => adapter.process(activity),
        partners: loadPartners(),
        secret: 'secret-du-banc-d-essai-0123456789',
        logError: (message, error) => process.stderr.write(`${message} ${String(error)}\n`),
        limits: {
          perAddress: UNLIMITED,
          perAddressNewConversations: UNLIMITED,
          perConversationMessages: UNLIMITED,
          perConversationRequests: UNLIMITED,
        },
      });
      close = () => channel.close();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/directline`,
    stop: async () => {
      close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The clients, in a worker thread: on their own event loop (another core) they do not steal
 * the server's, as browsers elsewhere would not. Plain JavaScript: a worker does not get tsx.
 * Each of CONCURRENCY conversations plays its script ROUNDS times.
 */
const CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { base, measure, scripts, concurrency, rounds, thinkMs } = workerData;
async function conversation(script, samples) {
  const started = await fetch(base + '/conversations', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ partner: 'vignoble-nantais' }),
  });
  if (started.status !== 201) throw new Error('démarrage : HTTP ' + started.status);
  const { conversationId, token } = await started.json();
  const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json' };
  let watermark = '0';
  for (const text of script) {
    const t = performance.now();
    const posted = await fetch(base + '/conversations/' + conversationId + '/activities', {
      method: 'POST', headers, body: JSON.stringify({ type: 'message', text, from: { id: 'banc' } }),
    });
    if (posted.status !== 200) throw new Error('envoi : HTTP ' + posted.status);
    await posted.arrayBuffer();
    const page = await fetch(base + '/conversations/' + conversationId + '/activities?watermark=' + watermark, { headers });
    const body = await page.json();
    if (!body.activities.some((a) => a.from.role === 'bot')) throw new Error('pas de réponse du bot');
    watermark = body.watermark;
    if (measure) samples.push(performance.now() - t);
    // Paced runs: a person reads and answers; jitter so that turns do not all fall together.
    if (thinkMs > 0) await new Promise((r) => setTimeout(r, thinkMs * (0.5 + Math.random())));
  }
}
(async () => {
  const samples = [];
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
    for (let r = 0; r < rounds; r += 1) await conversation(scripts[(i + r) % scripts.length], samples);
  }));
  parentPort.postMessage({ samples, seconds: (performance.now() - t) / 1000 });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

function load(base: string, measure: boolean, thinkMs = 0): Promise<Load> {
  return new Promise((resolve, reject) => {
    const workerData = { base, measure, scripts: SCRIPTS, concurrency: CONCURRENCY, rounds: ROUNDS, thinkMs };
    const worker = new Worker(CLIENTS, { eval: true, workerData });
    worker.once('message', (result: Load | { error: string }) => ('error' in result ? reject(new Error(result.error)) : resolve(result)));
    worker.once('error', reject);
  });
}

export async function benchDirectLine(): Promise<Row[]> {
  const rows: Row[] = [];
  const widget = toAsset(await buildWidget());
  const kb = widget.gzip.length / 1024;
  rows.push({ name: 'widget.js compressé (gzip)', value: `${kb.toFixed(1)} Ko (${(widget.js.length / 1024).toFixed(1)} Ko brut)`, target: '≤ 15 Ko', ok: kb <= 15 });

  const partners = loadPartners();
  const echo = new EchoBot();
  const real = await realLogic((id) => partners.greetingName(id));
  if (!real) {
    rows.push({ name: 'Tour Direct Line, bot réel', value: 'bot indisponible', target: '≤ 1,3× écho', ok: false });
    return rows;
  }
  const echoServer = await serve((c) => echo.run(c));
  const botServer = await serve(real);
  try {
    await load(echoServer.base, false); // warm-up: JIT, sockets, the bot's first turns
    await load(botServer.base, false);
    // Saturated: every conversation answers at once (capacity). Interleaved runs, so that a
    // change in the machine's load falls on both sides.
    const saturated = { echo: [] as Load[], bot: [] as Load[] };
    for (let i = 0; i < 2; i += 1) {
      saturated.echo.push(await load(echoServer.base, true));
      saturated.bot.push(await load(botServer.base, true));
    }
    // Paced: each conversation answers about once a second, as people do.
    const pacedEcho = await load(echoServer.base, true, 1000);
    const pacedBot = await load(botServer.base, true, 1000);
    rows.push(...compare('saturé', merge(saturated.bot), merge(saturated.echo), true));
    rows.push(...compare('~1 tour/s par conversation', pacedBot, pacedEcho, false));
  } finally {
    await echoServer.stop();
    await botServer.stop();
  }
  return rows;
}

function merge(loads: Load[]): Load {
  return { samples: loads.flatMap((l) => l.samples), seconds: loads.reduce((s, l) => s + l.seconds, 0) };
}

function compare(label: string, bot: Load, echo: Load, throughput: boolean): Row[] {
  const b50 = percentile(bot.samples, 50);
  const b99 = percentile(bot.samples, 99);
  const e50 = percentile(echo.samples, 50);
  const e99 = percentile(echo.samples, 99);
  const ratio = b50 / e50;
  const rows: Row[] = [
    { name: `Tour Direct Line HTTP, ${CONCURRENCY} conv., ${label} : bot p50 / p99`, value: `${ms(b50)} / ${ms(b99)}`, target: 'mesure' },
    { name: `Idem, bot écho nu p50 / p99`, value: `${ms(e50)} / ${ms(e99)}`, target: 'référence' },
    { name: `Rapport bot / écho p50 (${label})`, value: `${ratio.toFixed(2)}× (p99 ${(b99 / e99).toFixed(2)}×)`, target: '≤ 1,3×', ok: ratio <= 1.3 },
  ];
  if (throughput) {
    rows.push({
      name: 'Tours par seconde (saturé), bot / écho',
      value: `${Math.round(bot.samples.length / bot.seconds)} / ${Math.round(echo.samples.length / echo.seconds)}`,
      target: 'information',
    });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await benchDirectLine());
}
