// Instances of the public bot server on one PostgreSQL database, in this process: each has its
// own pool, its own restify server and its own Direct Line channel, as two `npm start` would.
import type { AddressInfo } from 'node:net';
import { ActivityHandler, ConversationState, type TurnContext } from 'botbuilder';
import { createBotServer } from '../../src/channels/server.js';
import { InProcessAdapter } from '../../src/channels/inProcessAdapter.js';
import { mountWebChannel, type DirectLineLimits } from '../../src/channels/directline/index.js';
import type { DirectLineChannel } from '../../src/channels/directline/api.js';
import { loadPartners } from '../../src/channels/partners.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { openPostgresConversationStore } from '../../src/store/postgres/conversationStore.js';
import { TEST_SECRET } from '../web/server.js';

export interface Instance {
  name: string;
  base: string;
  db: Database;
  channel: DirectLineChannel;
  errors: string[];
  close(): Promise<void>;
}

export interface InstanceOptions {
  limits?: Partial<DirectLineLimits>;
  now?: () => number;
  /** Builds the bot from this instance's conversation state (default: the counting bot). */
  bot?: (state: ConversationState) => (context: TurnContext) => Promise<void>;
  /** Pool size (default 4). */
  max?: number;
  /** False: Direct Line in this process's memory, only the conversation state in PostgreSQL. */
  sharedChannel?: boolean;
}

/**
 * Counts the holder's messages in conversation state (PostgreSQL): « tour N : texte ». A count
 * that skips or repeats means two instances raced the state. `during` runs inside the turn.
 */
export function countingBot(during?: () => Promise<void>) {
  return (state: ConversationState) => {
    const turns = state.createProperty<number>('turns');
    const bot = new ActivityHandler();
    bot.onMessage(async (context, next) => {
      const n = (await turns.get(context, 0)) + 1;
      await during?.();
      await turns.set(context, n);
      await context.sendActivity(`tour ${n} : ${context.activity.text}`);
      await next();
    });
    bot.onMembersAdded(async (context, next) => {
      await context.sendActivity('Bonjour !');
      await next();
    });
    return async (context: TurnContext) => {
      await bot.run(context);
      await state.saveChanges(context);
    };
  };
}

export async function startInstance(name: string, url: string, options: InstanceOptions = {}): Promise<Instance> {
  const db = await openDatabase({ url, max: options.max ?? 4 });
  const state = new ConversationState(openPostgresConversationStore(db));
  const logic = (options.bot ?? countingBot())(state);
  const adapter = new InProcessAdapter(logic);
  const errors: string[] = [];
  const logError = (message: string, error?: unknown) => {
    errors.push(`${message} ${error instanceof Error ? error.message : String(error ?? '')}`);
  };
  let channel: DirectLineChannel | undefined;
  const server = createBotServer({
    config: { MicrosoftAppId: undefined, MicrosoftAppPassword: undefined, MicrosoftAppTenantId: undefined, MicrosoftAppType: 'MultiTenant' },
    logic,
    health: () => ({}),
    logError,
    mount: (s) => {
      channel = mountWebChannel(s, { process: (a) => adapter.process(a), partners: loadPartners(), secret: TEST_SECRET, limits: options.limits, now: options.now, logError, database: options.sharedChannel === false ? undefined : db });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    base: `http://127.0.0.1:${port}`,
    db,
    channel: channel!,
    errors,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.server.closeAllConnections();
      });
      await channel!.close();
      await db.close();
    },
  };
}

export interface Started {
  conversationId: string;
  token: string;
}

export interface Activity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
  channelData?: Record<string, unknown>;
  replyToId?: string;
}

/** A Direct Line client whose every request names the instance it goes to (no sticky session). */
export async function call(instance: Instance, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${instance.base}/v3/directline${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

export async function start(instance: Instance, body: unknown = { partner: 'demo' }): Promise<Started> {
  const r = await call(instance, 'POST', '/conversations', { body });
  if (r.status !== 201) throw new Error(`start on ${instance.name}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as unknown as Started;
}

export function say(instance: Instance, c: Started, text: string, clientActivityID?: string) {
  return call(instance, 'POST', `/conversations/${c.conversationId}/activities`, {
    token: c.token,
    body: { type: 'message', text, ...(clientActivityID ? { channelData: { clientActivityID } } : {}) },
  });
}

export async function page(instance: Instance, c: Started, watermark = 0): Promise<{ activities: Activity[]; watermark: string }> {
  const r = await call(instance, 'GET', `/conversations/${c.conversationId}/activities?watermark=${watermark}`, { token: c.token });
  if (r.status !== 200) throw new Error(`poll on ${instance.name}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as unknown as { activities: Activity[]; watermark: string };
}
