// Several real `npm start` processes on one PostgreSQL database, as a public host runs them
// behind a load balancer: each instance runs from its own copy of the project's editable files
// (rules/, data/: what the back office writes), so that whatever one instance learns from
// another went through the database, never through a shared file. A loopback "balancer" client
// spreads requests over the instances (no sticky session) and moves on when one is gone; a
// holder who retries as a person would (resends after a lost answer, « Réessayer » after a
// failed request) walks a conversation across them. Used by tests/proof/two-instances.test.ts,
// scripts/fault-postgres.ts and bench/postgres.ts.
import { copyFileSync, cpSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { ensureServerBuilt } from '../../../scripts/build.js';
import { fr } from '../../../src/bot/messages.fr.js';
import { startSmtp, type TestSmtp } from '../../notifications/smtp.js';
import {
  DirectLineError,
  Http,
  REFERENCE,
  ROOT,
  freePort,
  holderScript,
  sleep,
  sourceAddress,
  startServerProcess,
  tempDir,
  until,
  WidgetConversation,
  type Activity,
  type HttpResult,
  type RequestOptions,
  type ServerProcess,
} from '../harness.js';

export const COORDINATION = { email: 'coordination@aiguillage.example.org', password: 'une longue phrase de passe' };

// ── instances ────────────────────────────────────────────────────────────────

/** A project root for one instance: its own rules/ and data/, the code and dependencies shared. */
export async function instanceRoot(name: string): Promise<string> {
  await ensureServerBuilt();
  const root = tempDir(`root-${name}`);
  copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  // A copy, not a link: the bundle finds the project root by walking up from its own real path.
  // Whatever the build put beside it comes too (not the 18 MB source map, nor other builds' temporary files).
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true, filter: (path) => !/\.(map|tmp)$/.test(path) });
  // AIGUILLAGE_PROOF_BUNDLE: prove another build of the server than this checkout's.
  if (process.env.AIGUILLAGE_PROOF_BUNDLE) copyFileSync(process.env.AIGUILLAGE_PROOF_BUNDLE, join(root, 'dist', 'server.mjs'));
  cpSync(join(ROOT, 'rules'), join(root, 'rules'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(root, 'data'), { recursive: true, filter: (path) => !path.startsWith(join(ROOT, 'data', 'runtime')) });
  for (const shared of ['node_modules', 'src', 'web-widget']) symlinkSync(join(ROOT, shared), join(root, shared));
  return root;
}

export interface Instances {
  readonly list: ServerProcess[];
  readonly smtp: TestSmtp;
  readonly databaseUrl: string;
  /** Bot servers' bases, in instance order. */
  bases(): string[];
  /** Stops every instance still alive (SIGTERM), the SMTP server, and removes the roots and data dirs. */
  close(): Promise<void>;
}

export interface InstancesOptions {
  databaseUrl: string;
  count?: number;
  /** An SMTP server already running (else one is started and closed with the instances). */
  smtp?: TestSmtp;
  env?: Record<string, string>;
  /** Start one after the other (default: all at once, which also proves the migrations' lock). */
  sequential?: boolean;
}

/** `count` (2) instances on `databaseUrl`: same secret, same SMTP server, their own ports, data dirs and roots. */
export async function startInstances(options: InstancesOptions): Promise<Instances> {
  const smtp = options.smtp ?? (await startSmtp());
  const count = options.count ?? 2;
  const dirs: string[] = [];
  const list: ServerProcess[] = [];
  const startOne = async (i: number) => {
    const name = String.fromCharCode(97 + i);
    const root = await instanceRoot(name);
    const dataDir = tempDir(`data-${name}`);
    dirs.push(root, dataDir);
    const server = await startServerProcess({
      root,
      dataDir,
      env: {
        DATABASE_URL: options.databaseUrl,
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        FOLLOWUP_INTERVAL_SECONDS: '1',
        MAIL_RETRY_SECONDS: '1',
        ADMIN_EMAIL: COORDINATION.email,
        ADMIN_PASSWORD: COORDINATION.password,
        ...options.env,
      },
      startTimeoutMs: 120_000,
    });
    list[i] = server;
    // The back office listens after the bot server's health says ready: wait for it too.
    const backoffice = new Http(server.backoffice);
    try {
      await until('back-office à l’écoute', async () => ((await backoffice.request('GET', '/connexion', { timeoutMs: 2000 }).catch(() => undefined))?.status === 200 ? true : undefined), 120_000, 200);
    } finally {
      backoffice.close();
    }
    return server;
  };
  const close = async () => {
    await Promise.allSettled(list.filter(Boolean).map((s) => s.stop()));
    if (!options.smtp) await smtp.stop().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (options.sequential) for (let i = 0; i < count; i += 1) await startOne(i);
    else await Promise.all(Array.from({ length: count }, (_, i) => startOne(i)));
  } catch (error) {
    const logs = list.filter(Boolean).map((s, i) => `── instance ${i}\n${s.log().slice(-3000)}`).join('\n');
    await close();
    throw new Error(`${(error as Error).message}${logs ? `\n${logs}` : ''}`);
  }
  return { list, smtp, databaseUrl: options.databaseUrl, bases: () => list.map((s) => s.base), close };
}

// ── the balancer ─────────────────────────────────────────────────────────────

const CONNECTION_LOST = /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/;

/**
 * An Http client over several instances: each request goes to the next instance in turn (so a
 * conversation's requests alternate), and an instance that refuses or drops the connection is
 * skipped for `downMs`, as a load balancer's passive health check does. A request whose
 * connection dropped is sent again to the next instance, POSTs included: what Web Chat does when
 * a send got no answer (same clientActivityID). `served` keeps which instance answered each
 * request; `statuses` counts the answers.
 */
export class Balancer extends Http {
  readonly served: number[] = [];
  readonly statuses = new Map<number, number>();
  /** Every answer ≥ 500, with its body (to check what the holder was told). */
  readonly failures: { status: number; text: string; at: number }[] = [];
  /** Requests that an instance dropped or refused, retried on another. */
  rerouted = 0;
  private readonly upstreams: Http[];
  private readonly downUntil: number[];
  private turn: number;

  constructor(
    bases: string[],
    localAddress?: string,
    maxSockets = 16,
    first = 0,
    private readonly downMs = 5000,
  ) {
    super(bases[0]!, localAddress, 1);
    this.upstreams = bases.map((b) => new Http(b, localAddress, maxSockets));
    this.downUntil = bases.map(() => 0);
    this.turn = first;
  }

  override async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    let last: unknown;
    for (let tried = 0; tried < this.upstreams.length; tried += 1) {
      const now = performance.now();
      let index = this.turn++ % this.upstreams.length;
      // Skip an instance seen down recently, unless every one is.
      for (let k = 0; k < this.upstreams.length && this.downUntil[index]! > now; k += 1) index = this.turn++ % this.upstreams.length;
      try {
        const result = await this.upstreams[index]!.request(method, path, options);
        this.served.push(index);
        this.statuses.set(result.status, (this.statuses.get(result.status) ?? 0) + 1);
        if (result.status >= 500) this.failures.push({ status: result.status, text: result.text.slice(0, 300), at: Date.now() });
        return result;
      } catch (error) {
        last = error;
        if (!CONNECTION_LOST.test(String((error as Error).message) + String((error as NodeJS.ErrnoException).code))) throw error;
        this.downUntil[index] = performance.now() + this.downMs;
        this.rerouted += 1;
      }
    }
    throw last;
  }

  override close(): void {
    super.close();
    for (const u of this.upstreams) u.close();
  }
}

// ── a holder who retries ─────────────────────────────────────────────────────

export interface RetryingRun {
  reference: string;
  conversationId: string;
  /** Milliseconds per message turn, retries included. */
  turns: number[];
  /** Why each retry happened (HTTP status and message, « pas de réponse », connection lost…). */
  retries: string[];
  /** French messages that asked the holder to try again (errors' messages and bot replies). */
  retryMessages: string[];
  /** The number came as « déjà enregistrée sous le numéro … » (the confirmation itself was lost). */
  repeated: boolean;
}

export interface RetryingOptions {
  thinkMs?: number;
  /** How long to wait for the bot's reply before resending (ms). */
  replyTimeoutMs?: number;
  /** Give up after this long in total (ms). */
  giveUpMs?: number;
  onConfirmed?: (reference: string, conversationId: string) => void;
  /** Called with each retry's reason as it happens. */
  onRetry?: (reason: string) => void;
}

const textOf = (activities: Activity[]) => activities.map((a) => a.text ?? '').join('\n');
/** fr.contact.alreadySent: the number given again when the confirmation was lost with its instance. */
// « déjà enregistrée » (a second submit) or « enregistrée » (a message after the end, the confirmation lost).
const ALREADY_SENT = /Votre demande est (?:déjà )?enregistrée sous le numéro (AIG-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2})/;

/** The request was recorded but the holder was never shown its number (the bot says « terminée »). */
export class NumberNotShown extends Error {
  constructor(
    readonly index: number,
    readonly said: string,
  ) {
    super(`conversation ${index} : demande terminée sans que le porteur ait lu son numéro : ${said.slice(0, 160)}`);
  }
}
const ASKS_TO_RETRY = /réessay|le renvoyer dans un instant/i;

/**
 * Walks holderScript(i) to a referral, like a person with Web Chat: a message whose answer was
 * lost is resent with the same clientActivityID; one that failed or got no reply is typed
 * again; « Réessayer » after the bot says the request could not be recorded.
 */
export async function walkRetrying(http: Http, i: number, options: RetryingOptions = {}): Promise<RetryingRun> {
  const replyTimeoutMs = options.replyTimeoutMs ?? 15_000;
  const giveUpAt = performance.now() + (options.giveUpMs ?? 120_000);
  const retries: string[] = [];
  const retryMessages: string[] = [];
  const retried = (reason: string) => {
    retries.push(reason);
    options.onRetry?.(reason);
    if (performance.now() > giveUpAt) throw new Error(`abandon après ${retries.length} essais : ${retries.slice(-3).join(' ; ')}`);
  };
  const noteError = (error: unknown) => {
    const message = (error as Error).message;
    if (ASKS_TO_RETRY.test(message)) retryMessages.push(message);
    return message;
  };
  const retriable = (error: unknown) =>
    error instanceof DirectLineError ? error.status === undefined || error.status >= 500 || error.status === 429 : CONNECTION_LOST.test(String((error as Error).message)) || /délai dépassé/.test(String((error as Error).message));

  const conversation = new WidgetConversation(http);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await conversation.start();
      break;
    } catch (error) {
      if (!retriable(error)) throw error;
      retried(`ouverture : ${noteError(error)}`);
      await sleep(Math.min(3000, 500 * attempt));
    }
  }

  /** One message until the bot answers it (bounded by giveUpMs). */
  const turn = async (text: string): Promise<Activity[]> => {
    let clientId = `${conversation.conversationId}-${conversation.transcript.length}`;
    for (let attempt = 1; ; attempt += 1) {
      let id: string;
      try {
        id = await conversation.post(text, replyTimeoutMs, clientId);
      } catch (error) {
        if (!retriable(error)) throw error;
        const answered = error instanceof DirectLineError && error.status !== undefined;
        retried(`envoi : ${noteError(error)}`);
        // An answer (5xx) means the message was seen and failed: type it again. No answer: resend the same.
        if (answered) clientId = `${conversation.conversationId}-${conversation.transcript.length}-${attempt}`;
        await sleep(Math.min(3000, 500 * attempt));
        continue;
      }
      const until = performance.now() + replyTimeoutMs;
      let replies: Activity[] | undefined;
      while (!replies && performance.now() < until) {
        try {
          replies = await conversation.repliesTo(id, Math.max(1000, until - performance.now()));
        } catch (error) {
          if (!retriable(error)) throw error;
          retried(`lecture : ${noteError(error)}`);
          await sleep(1000);
        }
      }
      if (replies) {
        const said = textOf(replies);
        // The bot itself asks to send again (its turn failed, e.g. the database was down): the
        // holder does. « Not recorded, try again » is answered with « Réessayer » below.
        if (said.includes(fr.contact.failed) || !ASKS_TO_RETRY.test(said)) return replies;
        retryMessages.push(said);
        retried(`le bot demande de réessayer : ${said.slice(0, 80)}`);
        clientId = `${conversation.conversationId}-${conversation.transcript.length}-${attempt}`;
        await sleep(Math.min(3000, 1000 * attempt));
        continue;
      }
      // No reply: the turn was lost with its instance. Typed again, as a new message.
      retried('pas de réponse : message retapé');
      clientId = `${conversation.conversationId}-${conversation.transcript.length}-${attempt}`;
    }
  };

  const turns: number[] = [];
  let last: Activity[] = [];
  for (const text of holderScript(i)) {
    if (options.thinkMs) await sleep(options.thinkMs * (0.5 + Math.random()));
    const t = performance.now();
    last = await turn(text);
    turns.push(performance.now() - t);
  }
  // « Votre demande n’a pas pu être enregistrée… vous pouvez réessayer »: the holder does.
  const numberIn = (said: string) => REFERENCE.exec(said)?.[1] ?? ALREADY_SENT.exec(said)?.[1];
  for (let attempt = 1; !numberIn(textOf(last)); attempt += 1) {
    const said = textOf(last);
    if (said.includes(fr.finished)) throw new NumberNotShown(i, said);
    if (!said.includes(fr.contact.failed)) throw new Error(`pas de numéro de dossier à la fin de la conversation ${i} : ${said.slice(0, 300)}`);
    retryMessages.push(fr.contact.failed);
    retried('demande non enregistrée : « Réessayer »');
    await sleep(Math.min(3000, 1000 * attempt));
    last = await turn(fr.contact.retry);
  }
  const reference = numberIn(textOf(last))!;
  options.onConfirmed?.(reference, conversation.conversationId);
  return { reference, conversationId: conversation.conversationId, turns, retries, retryMessages, repeated: !REFERENCE.test(textOf(last)) };
}

export interface AcrossResult {
  runs: (RetryingRun & { index: number })[];
  errors: { index: number; error: Error }[];
  /** One balancer per source address: their statuses and failures together tell what holders got. */
  balancers: Balancer[];
  seconds: number;
}

/**
 * `count` retrying holders at once over the instances at `bases`, `perAddress` per loopback
 * source address (each address its own balancer, the first instance alternating), starts spread
 * over `rampMs`.
 */
export async function runAcross(bases: string[], count: number, options: RetryingOptions & { perAddress?: number; rampMs?: number; onStart?: (index: number) => void } = {}): Promise<AcrossResult> {
  const perAddress = options.perAddress ?? 10;
  const balancers = new Map<string, Balancer>();
  const clientFor = (i: number) => {
    const group = Math.floor(i / perAddress);
    const address = sourceAddress(i, perAddress);
    let client = balancers.get(address);
    if (!client) balancers.set(address, (client = new Balancer(bases, address, perAddress * 2, group % bases.length)));
    return client;
  };
  const started = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: count }, async (_, index) => {
      if (options.rampMs) await sleep((options.rampMs * index) / count);
      options.onStart?.(index);
      return { index, ...(await walkRetrying(clientFor(index), index, options)) };
    }),
  );
  for (const b of balancers.values()) b.close();
  const runs: AcrossResult['runs'] = [];
  const errors: AcrossResult['errors'] = [];
  settled.forEach((s, index) => {
    if (s.status === 'fulfilled') runs.push(s.value);
    else errors.push({ index, error: s.reason instanceof Error ? s.reason : new Error(String(s.reason)) });
  });
  return { runs, errors, balancers: [...balancers.values()], seconds: (performance.now() - started) / 1000 };
}

/** HTTP statuses of every balancer, added up. */
export function statusCounts(balancers: Balancer[]): Map<number, number> {
  const total = new Map<number, number>();
  for (const b of balancers) for (const [status, n] of b.statuses) total.set(status, (total.get(status) ?? 0) + n);
  return total;
}

// ── a cluster of one's own ───────────────────────────────────────────────────

interface ClusterScript {
  startCluster(dir: string, port: number, options?: { durable?: boolean }): string;
  stopCluster(dir: string, options?: { remove?: boolean }): void;
}
const clusterScript = () => import(pathToFileURL(join(ROOT, 'scripts', 'postgres.mjs')).href) as Promise<ClusterScript>;

export interface OwnCluster {
  /** Superuser URL of the cluster's `postgres` database. */
  readonly url: string;
  /** A new empty database on it. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once (pg_ctl -m immediate: as a crash or a kill would). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  remove(): Promise<void>;
}

/** A throwaway cluster (scripts/postgres.mjs) that a scenario may stop and restart; `durable`: fsync on. */
export async function startOwnCluster(options: { durable?: boolean } = {}): Promise<OwnCluster> {
  const script = await clusterScript();
  const dir = tempDir('pg');
  const port = await freePort();
  const url = script.startCluster(dir, port, options);
  const withDatabase = (name: string) => {
    const u = new URL(url);
    u.pathname = `/${name}`;
    return u.toString();
  };
  return {
    url,
    async createDatabase(name) {
      await withClient(url, (c) => c.query(`CREATE DATABASE ${name.replace(/[^a-z0-9_]/g, '_')}`));
      return withDatabase(name.replace(/[^a-z0-9_]/g, '_'));
    },
    stop: async () => script.stopCluster(dir),
    start: async () => void script.startCluster(dir, port, options),
    remove: async () => script.stopCluster(dir, { remove: true }),
  };
}

// ── what the database holds ──────────────────────────────────────────────────

/** A short-lived client on `url`. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface DatabaseFacts {
  /** Distinct request references (one per consented hand-off). */
  references: Set<string>;
  records: number;
  /** Mail ids each request owes: its holder's confirmation and one per record to its actor. */
  owed: string[];
  /** Mails still queued (not yet delivered). */
  queued: number;
}

/** Reads the referrals and the mail queue straight from the tables (migration 0100). */
export function databaseFacts(url: string): Promise<DatabaseFacts> {
  return withClient(url, async (client) => {
    const rows = (await client.query<{ id: string; reference: string }>('SELECT id, reference FROM referrals')).rows;
    const references = new Set(rows.map((r) => r.reference));
    const owed = [...[...references].map((r) => `${r}.holder-confirm`), ...rows.map((r) => `${r.id}.actor-new`)];
    const queued = Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM mail_queue WHERE state = 'queued'")).rows[0]!.n);
    return { references, records: rows.length, owed, queued };
  });
}
