// Messages a holder sends before getting a dossier number (issue 11: median ≤ 6), over the corpus
// of openings written as holders write (tests/bot/openings.json), each answered by its persona,
// through the real bot and a real referral store (temporary directory, e-mails to the outbox).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handOffService } from '../src/bot/index.js';
import { warmUp } from '../src/qualification/index.js';
import { openReferrals } from '../src/referrals/index.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR } from '../src/routing/index.js';
import { loadTerritory } from '../src/territory/index.js';
import { Holder } from '../tests/bot/holder.js';
import { distribution, loadOpenings, walkToReference } from '../tests/bot/persona.js';
import type { Row } from './stats.js';

export async function benchConversationLength(): Promise<Row[]> {
  warmUp();
  const dir = mkdtempSync(join(tmpdir(), 'aig-bench-length-'));
  const router = await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory: loadTerritory() });
  const referrals = await openReferrals({
    dataDir: dir,
    publicUrl: 'http://127.0.0.1:9',
    actors: router,
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-banc-longueur-0123456789',
  });
  try {
    const counts = new Map<string, number>();
    for (const opening of loadOpenings()) {
      const walk = await walkToReference(new Holder({ router, handOff: handOffService(referrals.service) }), opening);
      counts.set(opening.id, walk.messages);
    }
    const { median, histogram } = distribution([...counts.values()]);
    const one = counts.get('recyclerie-vallet');
    const vague = counts.get('vague');
    return [
      { name: `Messages jusqu’au numéro de dossier, médiane (${counts.size} ouvertures)`, value: String(median), target: '≤ 6', ok: median <= 6 },
      { name: 'Distribution (messages → conversations)', value: [...histogram].map(([n, c]) => `${n}→${c}`).join(' '), target: 'information' },
      { name: 'Lieu, stade, secteur et forme en une phrase', value: String(one), target: '≤ 5', ok: one !== undefined && one <= 5 },
      { name: '« j’ai un projet »', value: String(vague), target: '≤ 9', ok: vague !== undefined && vague <= 9 },
    ];
  } finally {
    await referrals.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
