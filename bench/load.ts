// Load: the real server as a child process (`dist/server.mjs`, exactly as `npm start`),
// a real SMTP server on loopback, and 200 holders at once in the widget's Direct Line channel,
// each walking to a consented referral (8 messages). Holders pause like people do (~1.5 s per
// message, jittered) and come from 20 loopback addresses, 10 each, so the channel's production
// rate limits apply unchanged. Figures: turn p50/p99 (post + reads until the bot's reply),
// errors, distinct references in the store, e-mails received, the server's RSS at the end.
// `LOAD_CONVERSATIONS` and `LOAD_THINK_MS` change the size (CI runs a smaller one).
import { pathToFileURL } from 'node:url';
import { rmSync } from 'node:fs';
import { startSmtp } from '../tests/notifications/smtp.js';
import { runHolders, startServerProcess, storeFacts, tempDir, until } from '../tests/proof/harness.js';
import { ms, percentile, printTable, type Row } from './stats.js';

const CONVERSATIONS = Number(process.env.LOAD_CONVERSATIONS ?? 200);
const THINK_MS = Number(process.env.LOAD_THINK_MS ?? 1500);
const MiB = 2 ** 20;

export async function benchLoad(): Promise<Row[]> {
  const dataDir = tempDir('load');
  const smtp = await startSmtp();
  const server = await startServerProcess({ dataDir, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
  try {
    const rssStart = server.rss();
    const load = await runHolders(server.base, CONVERSATIONS, { thinkMs: THINK_MS, rampMs: 3000, perAddress: 10 });
    const rssEnd = server.rss();
    const facts = await storeFacts(dataDir);
    const owed = [...facts.owedMails.values()].flat();
    // The server sends right after each write; give the last ones a moment (bounded).
    await until('courriels reçus', () => (smtp.received.length >= owed.length ? true : undefined), 30_000, 200).catch(() => undefined);
    const received = smtp.received.map((m) => m.queueId);
    const distinct = new Set(received);
    const missing = owed.filter((id) => !distinct.has(id)).length;
    const turns = load.runs.flatMap((r) => r.turns);
    const p50 = percentile(turns, 50);
    const p99 = percentile(turns, 99);
    const errors = load.errors.length;
    if (errors) process.stderr.write(`erreurs : ${load.errors.slice(0, 5).map((e) => `#${e.index} ${e.error.message}`).join(' ; ')}\n`);
    const label = `${CONVERSATIONS} conv. simultanées`;
    return [
      { name: `Charge ${label} (Direct Line, processus réel) : tour p50`, value: ms(p50), target: '≤ 500 ms', ok: p50 <= 500 },
      { name: `Charge : tour p99 (${turns.length} tours, pause ~${(THINK_MS / 1000).toFixed(1)} s)`, value: ms(p99), target: '≤ 2 s', ok: p99 <= 2000 },
      { name: 'Charge : conversations en erreur', value: String(errors), target: '0', ok: errors === 0 },
      {
        name: 'Charge : dossiers dans le magasin à la fin',
        value: `${facts.references.size} (${facts.records} orientations)`,
        target: String(CONVERSATIONS),
        ok: facts.references.size === CONVERSATIONS,
      },
      {
        name: 'Charge : courriels reçus par le SMTP (une fois chacun)',
        value: `${distinct.size}/${owed.length}${received.length > distinct.size ? `, ${received.length - distinct.size} en double` : ''}`,
        target: 'tous, une fois',
        ok: missing === 0 && received.length === distinct.size,
      },
      {
        name: 'Charge : RSS du serveur au début → à la fin',
        value: `${(rssStart / MiB).toFixed(0)} → ${(rssEnd / MiB).toFixed(0)} Mo`,
        target: '≤ 400 Mo',
        ok: rssEnd <= 400 * MiB,
      },
      { name: 'Charge : durée, tours par seconde', value: `${load.seconds.toFixed(1)} s, ${(turns.length / load.seconds).toFixed(0)} tours/s`, target: 'information' },
    ];
  } finally {
    await server.stop();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await benchLoad());
}
