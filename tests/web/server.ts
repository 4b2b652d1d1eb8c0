// Test harness: the real bot server (restify, Direct Line channel, widget) in-process on port
// 0, with the real bot when it loads, else (or on request) a bare echo bot.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityHandler, MessageFactory, type TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { createBotServer } from '../../src/channels/server.js';
import { InProcessAdapter } from '../../src/channels/inProcessAdapter.js';
import { mountWebChannel, type DirectLineLimits } from '../../src/channels/directline/index.js';
import type { DirectLineChannel } from '../../src/channels/directline/api.js';
import { loadPartners } from '../../src/channels/partners.js';
import type { Offer } from '../../src/offer/index.js';
import type { HandOffService } from '../../src/bot/handOff.js';

export const TEST_SECRET = 'secret-de-test-pour-les-jetons-0123456789';

export interface Harness {
  base: string;
  port: number;
  channel: DirectLineChannel;
  /** Which bot answers: the real one, or the echo bot. */
  bot: 'real' | 'echo';
  server: Server;
  close(): Promise<void>;
}

export interface HarnessOptions {
  bot?: 'real' | 'echo' | 'auto';
  /** A bot of the test's own (takes precedence over `bot`). */
  logic?: Logic;
  limits?: Partial<DirectLineLimits>;
  host?: string;
  now?: () => number;
  trustProxy?: boolean;
  /** The real bot hands requests to a real referral service (temporary data directory, e-mails
   * written to its outbox): the conversation reaches a dossier number. */
  handOff?: boolean;
  /** Serves the published offer too (/offre, /open-data/…). */
  offer?: Offer;
}

/** A bare bot: greets, echoes, offers two buttons. The reference for overhead measures. */
export class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMembersAdded(async (context, next) => {
      if ((context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient?.id)) {
        const partner = (context.activity.channelData as { partner?: string } | undefined)?.partner;
        await context.sendActivity(`Bonjour (écho${partner ? `, ${partner}` : ''})`);
      }
      await next();
    });
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.suggestedActions(['Oui', 'Non'], `Écho : ${context.activity.text ?? ''}`));
      await next();
    });
  }
}

export type Logic = (context: TurnContext) => Promise<void>;

async function realBot(partnerName: (id: string) => string | undefined, handOff: HandOffService | undefined): Promise<Logic | undefined> {
  try {
    const { createBot } = await import('../../src/bot/index.js');
    const qualification = (await import('../../src/qualification/index.js')) as { warmUp?: () => void };
    qualification.warmUp?.();
    const bot = await createBot({ partnerName, handOff });
    return (context) => bot.run(context);
  } catch (error) {
    process.stderr.write(`(bot réel indisponible, bot écho utilisé : ${(error as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
}

/** A referral service of its own in a temporary directory, as src/index.ts wires it. */
async function referralService(): Promise<{ handOff: HandOffService; close(): Promise<void> }> {
  const { handOffService } = await import('../../src/bot/index.js');
  const { openReferrals } = await import('../../src/referrals/index.js');
  const { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR } = await import('../../src/routing/index.js');
  const { loadTerritory } = await import('../../src/territory/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'aig-web-'));
  const referrals = await openReferrals({
    dataDir: dir,
    publicUrl: 'http://127.0.0.1:9',
    actors: await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory: loadTerritory() }),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-widget-0123456789',
  });
  return {
    handOff: handOffService(referrals.service),
    close: async () => {
      await referrals.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startServer(options: HarnessOptions = {}): Promise<Harness> {
  const partners = loadPartners();
  const wanted = options.logic ? 'echo' : (options.bot ?? 'auto');
  const service = options.handOff && wanted !== 'echo' ? await referralService() : undefined;
  const real = wanted === 'echo' ? undefined : await realBot((id) => partners.greetingName(id), service?.handOff);
  if (wanted === 'real' && !real) throw new Error('bot réel indisponible');
  const echo = new EchoBot();
  const logic: Logic = options.logic ?? real ?? ((context) => echo.run(context));
  const adapter = new InProcessAdapter(logic);
  let channel: DirectLineChannel | undefined;
  const server = createBotServer({
    config: { MicrosoftAppId: undefined, MicrosoftAppPassword: undefined, MicrosoftAppTenantId: undefined, MicrosoftAppType: 'MultiTenant' },
    logic,
    health: () => ({}),
    offer: options.offer,
    logError: (message, error) => process.stderr.write(`[test] ${message} ${error instanceof Error ? error.stack : String(error ?? '')}\n`),
    mount: (s) => {
      channel = mountWebChannel(s, {
        process: (activity) => adapter.process(activity),
        partners,
        secret: TEST_SECRET,
        limits: options.limits,
        now: options.now,
        trustProxy: options.trustProxy,
        logError: (message, error) => process.stderr.write(`[test] ${message} ${String(error ?? '')}\n`),
      });
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://${host}:${port}`,
    port,
    channel: channel!,
    bot: real ? 'real' : 'echo',
    server,
    close: () =>
      new Promise<void>((resolve) => {
        channel?.close();
        server.close(() => resolve());
        // Pages a test left open keep keep-alive connections: close() would wait for them forever.
        server.server.closeAllConnections();
      }).then(() => service?.close()),
  };
}
