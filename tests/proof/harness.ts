// Proof harness: the real server as a child process (what `npm start` runs), an HTTP client
// bound to a chosen loopback source address, and a holder walking the widget's Direct Line
// conversation to a consented referral. Shared by bench/load.ts, scripts/fault.ts and the
// tests under tests/proof/. Loopback only; every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureServerBuilt, startArguments } from '../../scripts/build.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SECRET = 'secret-des-preuves-aiguillage-0123456789';
/** An origin of the `demo` partner (data/partners.json: http://localhost:*). */
export const DEMO_ORIGIN = 'http://localhost:3978';
export const REFERENCE = /Votre numéro de dossier : (AIG-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2})/;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `aig-${prefix}-`));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a value other than undefined, at most `timeoutMs`. */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`délai dépassé (${timeoutMs} ms) : ${what}`);
    await sleep(everyMs);
  }
}

// ── the server process ───────────────────────────────────────────────────────

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly base: string;
  /** The back office (express, BACKOFFICE_PORT), on its own free port. */
  readonly backoffice: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote on stderr (its log) so far. */
  log(): string;
  alive(): boolean;
  /** Resident memory of the process, in bytes (Linux /proc). */
  rss(): number;
  /** Resolves with the signal or exit code once the process has ended. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** SIGTERM (clean stop), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<NodeJS.Signals | number | null>;
  kill(): Promise<NodeJS.Signals | number | null>;
}

export interface ServerOptions {
  dataDir: string;
  port?: number;
  /** Extra environment (SMTP_URL, FOLLOWUP_INTERVAL_SECONDS…). */
  env?: Record<string, string>;
  /** Wait until /healthz says the recognizers are warm (default true). */
  warm?: boolean;
  startTimeoutMs?: number;
  /** Project root to run from (default: this checkout); tests/proof/support/instances.ts gives each instance its own copy. */
  root?: string;
}

export async function startServerProcess(options: ServerOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const backofficePort = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    BACKOFFICE_PORT: String(backofficePort),
    AIGUILLAGE_DATA_DIR: options.dataDir,
    AIGUILLAGE_SECRET: SECRET,
    PUBLIC_URL: base,
    ...options.env,
  };
  await ensureServerBuilt();
  const child = spawn(process.execPath, startArguments(), {
    cwd: options.root ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let ended = false;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = true;
      resolve(signal ?? code);
    }),
  );
  const pid = child.pid!;
  const stopWith = async (signal: NodeJS.Signals, graceMs: number) => {
    if (ended) return exited;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const how = await exited;
    clearTimeout(timer);
    return how;
  };
  const server: ServerProcess = {
    pid,
    port,
    base,
    backoffice: `http://127.0.0.1:${backofficePort}`,
    dataDir: options.dataDir,
    child,
    log: () => log,
    alive: () => !ended,
    rss: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
    },
    exited,
    stop: (graceMs = 5000) => stopWith('SIGTERM', graceMs),
    kill: () => stopWith('SIGKILL', 0),
  };
  const client = new Http(base);
  try {
    await until(
      'démarrage du serveur',
      async () => {
        if (ended) throw new Error(`le serveur s’est arrêté au démarrage :\n${log}`);
        const health = await client.request('GET', '/healthz', { timeoutMs: 1000 }).catch(() => undefined);
        if (health?.status !== 200) return undefined;
        return options.warm === false || (JSON.parse(health.text) as { warm?: boolean }).warm ? true : undefined;
      },
      options.startTimeoutMs ?? 60_000,
      150,
    );
  } catch (error) {
    await server.kill();
    throw error;
  } finally {
    client.close();
  }
  return server;
}

// ── HTTP client with a chosen source address ─────────────────────────────────

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** Send the body with chunked transfer encoding (no Content-Length). */
  chunked?: boolean;
}

/**
 * Keep-alive client; `localAddress` (127.0.0.x: all of 127/8 is loopback on Linux) gives each
 * simulated site visitor group its own address, as real visitors have, so that the channel's
 * per-address limits apply as they would in production.
 */
export class Http {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    base: string,
    readonly localAddress?: string,
    maxSockets = 16,
  ) {
    this.url = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, ...(localAddress ? { localAddress } : {}) });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined && !options.chunked) headers['content-length'] ??= String(Buffer.byteLength(options.body));
      const req = http.request(
        { host: this.url.hostname, port: this.url.port, method, path, headers, agent: this.agent, timeout: options.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`délai dépassé : ${method} ${path.slice(0, 80)}`)));
      req.on('error', reject);
      if (options.chunked && options.body !== undefined) {
        const body = Buffer.from(options.body);
        req.write(body.subarray(0, Math.floor(body.length / 2)));
        req.end(body.subarray(Math.floor(body.length / 2)));
      } else req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ── a holder in the widget ───────────────────────────────────────────────────

/** A full description (no question left), the consent, the contact details in one message, the moment (DESIGN §1). */
export function holderScript(i: number): string[] {
  return [
    'Avec deux amies on veut créer une association de recyclerie à Vallet, pas en coopérative, on cherche un local',
    'Oui, à toutes',
    `Camille Essai ${letters(i)}, porteur.${i}@exemple.fr, 06 12 34 56 78`,
    // A phone without a moment: the moment is asked, and this answer sends the request.
    'En semaine, le matin',
  ];
}

/** A name-safe suffix: letters only (names refuse digits). */
function letters(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface Activity {
  id: string;
  type: string;
  text?: string;
  replyToId?: string;
  from: { role?: string };
}

export class DirectLineError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** One widget conversation over the real HTTP channel, turn by turn. */
export class WidgetConversation {
  conversationId = '';
  token = '';
  private watermark = '0';
  readonly transcript: Activity[] = [];

  constructor(
    private readonly http: Http,
    private readonly origin = DEMO_ORIGIN,
  ) {}

  private headers(): Record<string, string> {
    return { origin: this.origin, 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
  }

  async start(partner = 'demo'): Promise<Activity[]> {
    const res = await this.http.request('POST', '/v3/directline/conversations', { headers: this.headers(), body: JSON.stringify({ partner }) });
    if (res.status !== 201) throw new DirectLineError(`ouverture : HTTP ${res.status} ${res.text.slice(0, 200)}`, res.status);
    const body = JSON.parse(res.text) as { conversationId: string; token: string };
    this.conversationId = body.conversationId;
    this.token = body.token;
    return this.poll((a) => a.some((x) => x.from.role === 'bot'));
  }

  /** Posts one message and returns the bot's replies to it (a turn: the post, then the reads). */
  async say(text: string, timeoutMs = 60_000): Promise<Activity[]> {
    return this.repliesTo(await this.post(text, timeoutMs), timeoutMs);
  }

  /** Posts one message, returns its id. `clientActivityId`: give the same one to resend, as Web Chat does. */
  async post(text: string, timeoutMs = 60_000, clientActivityId = `${this.conversationId}-${this.transcript.length}`): Promise<string> {
    const path = `/v3/directline/conversations/${this.conversationId}/activities`;
    const res = await this.http.request('POST', path, {
      headers: this.headers(),
      body: JSON.stringify({ type: 'message', text, channelData: { clientActivityID: clientActivityId } }),
      timeoutMs,
    });
    if (res.status !== 200) throw new DirectLineError(`envoi : HTTP ${res.status} ${res.text.slice(0, 200)}`, res.status);
    return (JSON.parse(res.text) as { id: string }).id;
  }

  /** Reads until the bot's replies to the message `id` arrived (from the watermark on). */
  async repliesTo(id: string, timeoutMs = 60_000): Promise<Activity[]> {
    const own = (a: Activity) => a.replyToId === id && a.from.role === 'bot';
    const earlier = this.transcript.filter(own);
    if (earlier.length) return earlier;
    return this.poll((all) => all.some(own), timeoutMs).then((all) => all.filter(own));
  }

  /** Reads from the watermark until `done` holds for what arrived (bounded; paced under the per-conversation limit). */
  private async poll(done: (arrived: Activity[]) => boolean, timeoutMs = 60_000): Promise<Activity[]> {
    const arrived: Activity[] = [];
    const deadline = performance.now() + timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      const res = await this.http.request('GET', `/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`, {
        headers: this.headers(),
      });
      if (res.status !== 200) throw new DirectLineError(`lecture : HTTP ${res.status} ${res.text.slice(0, 200)}`, res.status);
      const page = JSON.parse(res.text) as { activities: Activity[]; watermark: string };
      this.watermark = page.watermark;
      arrived.push(...page.activities);
      this.transcript.push(...page.activities);
      if (done(arrived)) return arrived;
      if (performance.now() > deadline) throw new DirectLineError('pas de réponse du bot dans le délai');
      await sleep(Math.min(1000, 200 + attempt * 100));
    }
  }
}

export interface HolderRun {
  reference: string;
  /** Milliseconds per message turn (post + reads until the bot's reply). */
  turns: number[];
}

/**
 * Opens a conversation and walks it to a consented referral. `onConfirmed` is called as soon as
 * the confirmation with the reference was read (the fault script counts those).
 */
export async function walkToReferral(http: Http, i: number, options: WalkOptions = {}): Promise<HolderRun> {
  const conversation = new WidgetConversation(http);
  await conversation.start();
  const turns: number[] = [];
  let last: Activity[] = [];
  for (const text of holderScript(i)) {
    // A person reads and types: jittered so that turns do not all fall together.
    if (options.thinkMs) await sleep(options.thinkMs * (0.5 + Math.random()));
    if (options.stop?.()) throw new Error('arrêté');
    const t = performance.now();
    last = await conversation.say(text);
    turns.push(performance.now() - t);
  }
  const all = last.map((a) => a.text ?? '').join('\n');
  const reference = REFERENCE.exec(all)?.[1];
  if (!reference) throw new Error(`pas de numéro de dossier à la fin de la conversation ${i} : ${all.slice(0, 300)}`);
  options.onConfirmed?.(reference);
  return { reference, turns };
}

export interface WalkOptions {
  /** Mean pause before each message, in ms (0: answer at once). */
  thinkMs?: number;
  onConfirmed?: (reference: string) => void;
  /** Checked before each message: true ends the walk early (a fault was injected). */
  stop?: () => boolean;
}

export interface LoadResult {
  runs: HolderRun[];
  errors: { index: number; error: Error }[];
  seconds: number;
}

/**
 * `count` holders at once, `perAddress` per loopback source address (the channel allows 20 new
 * conversations per address in a burst: production limits stay as they are). Starts are spread
 * over `rampMs`, as visitors arrive.
 */
export async function runHolders(
  base: string,
  count: number,
  options: WalkOptions & { perAddress?: number; rampMs?: number; client?: (address: string, maxSockets: number) => Http } = {},
): Promise<LoadResult> {
  const perAddress = options.perAddress ?? 10;
  const clients = new Map<string, Http>();
  const clientFor = (i: number) => {
    const address = sourceAddress(i, perAddress);
    let client = clients.get(address);
    // `client`: several instances behind one balancer (tests/proof/support/instances.ts).
    if (!client) clients.set(address, (client = options.client?.(address, perAddress * 2) ?? new Http(base, address, perAddress * 2)));
    return client;
  };
  const started = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: count }, async (_, i) => {
      if (options.rampMs) await sleep((options.rampMs * i) / count);
      return walkToReferral(clientFor(i), i, options);
    }),
  );
  for (const client of clients.values()) client.close();
  const runs: HolderRun[] = [];
  const errors: LoadResult['errors'] = [];
  settled.forEach((s, index) => {
    if (s.status === 'fulfilled') runs.push(s.value);
    else errors.push({ index, error: s.reason instanceof Error ? s.reason : new Error(String(s.reason)) });
  });
  return { runs, errors, seconds: (performance.now() - started) / 1000 };
}

// ── what the store holds ─────────────────────────────────────────────────────

export interface StoreFacts {
  /** Distinct request references (one per consented hand-off). */
  references: Set<string>;
  /** Referral records (a request may have several). */
  records: number;
  /** Mail ids each request owes: one per record to its actor, one confirmation to the holder. */
  owedMails: Map<string, string[]>;
  queuedMails: number;
  droppedBytes: number;
}

/** Opens the store read-only (works while the server runs, or after it stopped). */
export async function storeFacts(dataDir: string): Promise<StoreFacts> {
  const { openStore } = await import('../../src/store/index.js');
  const store = await openStore({ dataDir, readOnly: true });
  try {
    const references = new Set<string>();
    const owedMails = new Map<string, string[]>();
    let records = 0;
    for await (const summary of store.referrals.summaries()) {
      records += 1;
      references.add(summary.reference);
      const owed = owedMails.get(summary.reference) ?? [`${summary.reference}.holder-confirm`];
      owed.push(`${summary.id}.actor-new`);
      owedMails.set(summary.reference, owed);
    }
    return { references, records, owedMails, queuedMails: (await store.mails.queued()).length, droppedBytes: (await store.stats()).droppedBytes };
  } finally {
    await store.close();
  }
}

/** Loopback source addresses 127.0.0.<first>…, `perAddress` conversations each. */
export function sourceAddress(i: number, perAddress: number, first = 10): string {
  return `127.0.0.${first + Math.floor(i / perAddress)}`;
}
