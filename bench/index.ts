// `npm run bench`: every figure the project promises, each with its target, as one table.
// Progress goes to stderr; the table to stdout. `npm run bench -- qualify bot` runs some sections.
import { benchBotTurn } from './botTurn.js';
import { benchConversationLength } from './conversationLength.js';
import { benchQualify } from './qualify.js';
import { benchStartup } from './startup.js';
import { benchRouting } from './routing.js';
import { benchReferrals } from './referrals.js';
import { benchDirectLine } from './directline.js';
import { benchBackoffice } from './backoffice.js';
import { benchLoad } from './load.js';
import { benchPostgres } from './postgres.js';
import { printTable, type Row } from './stats.js';
import { cpus, totalmem } from 'node:os';

const sections: Record<string, () => Promise<Row[]>> = {
  qualify: benchQualify,
  bot: benchBotTurn,
  length: benchConversationLength,
  route: () => benchRouting(),
  referrals: benchReferrals,
  directline: benchDirectLine,
  backoffice: benchBackoffice,
  load: benchLoad,
  startup: benchStartup,
  // Only when named (`npm run bench -- postgres`): it loads 1,000,000 referrals.
  postgres: benchPostgres,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const rows: Row[] = [];
  for (const [name, run] of Object.entries(sections)) {
    if (wanted.length > 0 ? !wanted.includes(name) : name === 'postgres') continue;
    process.stderr.write(`… ${name}\n`);
    rows.push(...(await run()));
  }
  const cpu = cpus()[0]?.model ?? 'CPU inconnu';
  console.log(`Machine : ${cpus().length} cœurs (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} Gio, Node ${process.version}\n`);
  printTable(rows);
  const missed = rows.filter((r) => r.ok === false);
  if (missed.length) console.log(`\nCibles manquées : ${missed.map((r) => r.name).join(' ; ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
