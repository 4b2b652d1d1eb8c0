// `npm run cli -- chat`: a conversation with the real bot in the terminal. Buttons are numbered:
// type the number to click one.
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { createBot } from '../bot/index.js';
import { InProcessAdapter } from '../channels/inProcessAdapter.js';

export async function run(): Promise<number> {
  process.stderr.write('Chargement…\n');
  const bot = await createBot({ logError: (e) => process.stderr.write(`${String(e)}\n`) });
  const adapter = new InProcessAdapter((context) => bot.run(context));
  const conversation = { id: randomUUID() };
  const user = { id: 'terminal-user', name: 'Vous' };
  let buttons: string[] = [];

  const show = (replies: Partial<Activity>[]) => {
    for (const reply of replies) {
      if (reply.type !== 'message' || !reply.text) continue;
      process.stdout.write(`\nAiguillage > ${reply.text.replace(/\n/g, '\n              ')}\n`);
      const actions = reply.suggestedActions?.actions ?? [];
      if (actions.length > 0) {
        buttons = actions.map((a) => String(a.value ?? a.title));
        process.stdout.write(buttons.map((b, i) => `   [${i + 1}] ${b}`).join('\n') + '\n');
      }
    }
  };

  show(
    await adapter.process({
      type: 'conversationUpdate',
      conversation,
      from: user,
      membersAdded: [user],
    }),
  );
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  process.stdout.write('\n(Ctrl+D ou « quitter » pour sortir ; tapez le numéro d’un bouton pour le choisir)\n');
  rl.setPrompt('\nVous > ');
  rl.prompt();
  for await (const line of rl) {
    if (/^(quitter|exit|quit)$/i.test(line.trim())) break;
    if (!process.stdin.isTTY) process.stdout.write(`${line}\n`);
    const index = /^\d+$/.test(line.trim()) ? Number(line.trim()) - 1 : -1;
    const text = index >= 0 && index < buttons.length ? buttons[index]! : line;
    buttons = [];
    show(await adapter.process({ type: 'message', text, conversation, from: user }));
    rl.prompt();
  }
  rl.close();
  return 0;
}
