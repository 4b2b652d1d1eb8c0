// The Direct Line channel over HTTP: protocol, tokens, CORS, limits, turn order, errors.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ActivityHandler } from 'botbuilder';
import { TokenSigner } from '../../src/channels/directline/tokens.js';
import { ConversationStore } from '../../src/channels/directline/conversations.js';
import { RateLimiter } from '../../src/channels/directline/rateLimit.js';
import { originMatches } from '../../src/domain/partner.js';
import { loadPartners } from '../../src/channels/partners.js';
import { startServer, TEST_SECRET, type Harness } from '../web/server.js';

interface Started {
  conversationId: string;
  token: string;
  expires_in: number;
}
interface Page {
  activities: { id: string; type: string; text?: string; from: { id: string; role?: string }; channelData?: Record<string, unknown>; replyToId?: string }[];
  watermark: string;
}

const DEMO_ORIGIN = 'http://localhost:8080';

function client(h: Harness) {
  const dl = `${h.base}/v3/directline`;
  const call = async (method: string, path: string, options: { token?: string; body?: unknown; origin?: string; raw?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.origin) headers.origin = options.origin;
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(dl + path, { method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return {
    call,
    async start(body: unknown = { partner: 'demo' }, origin?: string): Promise<Started> {
      const r = await call('POST', '/conversations', { body, origin });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json as unknown as Started;
    },
    async say(c: Started, text: string, extra: Record<string, unknown> = {}) {
      return call('POST', `/conversations/${c.conversationId}/activities`, { token: c.token, body: { type: 'message', text, ...extra } });
    },
    async page(c: Started, watermark = 0): Promise<Page> {
      const r = await call('GET', `/conversations/${c.conversationId}/activities?watermark=${watermark}`, { token: c.token });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json as unknown as Page;
    },
  };
}

describe('Direct Line channel (echo bot)', () => {
  let h: Harness;
  let dl: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await startServer({ bot: 'echo' });
    dl = client(h);
  });
  afterAll(async () => {
  await h.close();
});

  it('starts a conversation: 201, signed token, the bot greets with the partner', async () => {
    const c = await dl.start({ partner: 'vignoble-nantais' });
    assert.match(c.conversationId, /^[A-Za-z0-9_-]{16,}$/);
    assert.equal(c.token.split('.').length, 3);
    assert.equal(c.expires_in, 1800);
    const page = await dl.page(c);
    assert.equal(page.activities.length, 1);
    assert.equal(page.activities[0]!.from.role, 'bot');
    assert.match(page.activities[0]!.text!, /vignoble-nantais/);
    assert.equal(page.watermark, '1');
    assert.deepEqual((await dl.page(c, 1)).activities, []);
  });

  it('starts a conversation from a bare POST, as Azure does: no body, no Content-Type (plain or chunked)', async () => {
    const bare = (headers: Record<string, string>, body?: Buffer | string, chunked = false) =>
      new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: h.port, method: 'POST', path: '/v3/directline/conversations', headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
        });
        req.on('error', reject);
        if (chunked) req.write(body ?? '');
        req.end(chunked ? undefined : body);
      });
    const cases = {
      'curl -X POST (no header at all)': await bare({}),
      'Content-Length: 0': await bare({ 'content-length': '0' }),
      'empty chunked body': await bare({ 'transfer-encoding': 'chunked' }, '', true),
      'fetch without body': await (async () => {
        const r = await fetch(`${h.base}/v3/directline/conversations`, { method: 'POST' });
        return { status: r.status, json: (await r.json()) as Record<string, unknown> };
      })(),
    };
    for (const [name, r] of Object.entries(cases)) {
      assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.json)}`);
      assert.deepEqual(Object.keys(r.json).sort(), ['conversationId', 'expires_in', 'token'], name);
      assert.equal(r.json.expires_in, 1800, name);
      // A real conversation, as with JSON: the token opens it and the bot has greeted.
      const page = await dl.page(r.json as unknown as Started);
      assert.equal(page.activities.length, 1, name);
      assert.equal(page.activities[0]!.from.role, 'bot', name);
    }
    // Without Content-Type the body is read as JSON: something else is refused, not guessed.
    const junk = await bare({ 'transfer-encoding': 'chunked' }, 'partner=demo', true);
    assert.equal(junk.status, 400, JSON.stringify(junk.json));
    // The compressed-body guard still runs first (it answers before any body is read).
    const gzipped = await bare({ 'content-encoding': 'gzip' }, gzipSync('{}'));
    assert.equal(gzipped.status, 415);
  });

  it('echoes the user activity (with its clientActivityID), then the replies, in order', async () => {
    const c = await dl.start();
    const r = await dl.say(c, 'Bonjour', { channelData: { clientActivityID: 'abc-1' }, from: { id: 'someone-else' } });
    assert.equal(r.status, 200);
    const id = r.json.id as string;
    const page = await dl.page(c, 1);
    assert.deepEqual(page.activities.map((a) => a.type), ['message', 'message']);
    const [echo, reply] = page.activities;
    assert.equal(echo!.id, id);
    assert.equal(echo!.text, 'Bonjour');
    assert.equal(echo!.channelData?.clientActivityID, 'abc-1');
    assert.equal(echo!.from.role, 'user');
    assert.notEqual(echo!.from.id, 'someone-else', 'the user id comes from the token');
    assert.equal(reply!.text, 'Écho : Bonjour');
    assert.equal(reply!.replyToId, id);
    assert.equal(page.watermark, '3');
  });

  it('a retried post (same clientActivityID) is not a second message', async () => {
    const c = await dl.start();
    const first = await dl.say(c, 'Une fois', { channelData: { clientActivityID: 'retry-1' } });
    const second = await dl.say(c, 'Une fois', { channelData: { clientActivityID: 'retry-1' } });
    assert.equal(second.json.id, first.json.id);
    assert.equal((await dl.page(c)).activities.filter((a) => a.text === 'Une fois').length, 1);
  });

  it('refuses a token of another conversation (403), no token (401), a forged one (401)', async () => {
    const a = await dl.start();
    const b = await dl.start();
    const cross = await dl.call('GET', `/conversations/${a.conversationId}/activities`, { token: b.token });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.message, 'Ce jeton ne donne pas accès à cette conversation.');
    const crossPost = await dl.call('POST', `/conversations/${a.conversationId}/activities`, { token: b.token, body: { type: 'message', text: 'x' } });
    assert.equal(crossPost.status, 403);
    assert.equal((await dl.call('GET', `/conversations/${a.conversationId}/activities`)).status, 401);
    const forged = new TokenSigner('un-autre-secret-de-meme-longueur-0000').sign({ conv: a.conversationId, user: 'x' }).token;
    const r = await dl.call('GET', `/conversations/${a.conversationId}/activities`, { token: forged });
    assert.equal(r.status, 401);
    assert.equal(r.json.message, 'Jeton d’accès absent ou invalide.');
    const [head, body, sig] = a.token.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...payload, conv: b.conversationId })).toString('base64url')}.${sig}`;
    assert.equal((await dl.call('GET', `/conversations/${b.conversationId}/activities`, { token: tampered })).status, 401);
  });

  it('refreshes a token; resumes with GET /conversations/:id', async () => {
    const c = await dl.start();
    const r = await dl.call('POST', '/tokens/refresh', { token: c.token });
    assert.equal(r.status, 200);
    assert.equal(r.json.conversationId, c.conversationId);
    const fresh = { ...c, token: r.json.token as string };
    assert.equal((await dl.page(fresh)).activities.length, 1);
    const resumed = await dl.call('GET', `/conversations/${c.conversationId}?watermark=0`, { token: fresh.token });
    assert.equal(resumed.status, 200);
    assert.equal(resumed.json.conversationId, c.conversationId);
  });

  it('CORS: preflight for a partner origin allows Direct Line headers; other origins get nothing', async () => {
    const ok = await fetch(`${h.base}/v3/directline/conversations`, {
      method: 'OPTIONS',
      headers: { origin: DEMO_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-ms-bot-agent' },
    });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), DEMO_ORIGIN);
    for (const name of ['Authorization', 'Content-Type', 'x-ms-bot-agent', 'X-Requested-With']) {
      assert.match(ok.headers.get('access-control-allow-headers') ?? '', new RegExp(name, 'i'));
    }
    const evil = await fetch(`${h.base}/v3/directline/conversations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://pirate.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const post = await dl.call('POST', '/conversations', { body: { partner: 'demo' }, origin: 'https://pirate.example' });
    assert.equal(post.status, 403);
    assert.equal(post.headers.get('access-control-allow-origin'), null);
    assert.equal(post.json.message, 'Ce site n’est pas autorisé à utiliser Aiguillage.');
  });

  it('CORS: a partner origin may use only its own partner’s conversations', async () => {
    const vignoble = 'https://www.vignoble-nantais.eu';
    const c = await dl.start({ partner: 'vignoble-nantais' }, vignoble);
    const own = await dl.call('GET', `/conversations/${c.conversationId}/activities`, { token: c.token, origin: vignoble });
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('access-control-allow-origin'), vignoble);
    // The demo origin is some partner's, but not this conversation's.
    const other = await dl.call('GET', `/conversations/${c.conversationId}/activities`, { token: c.token, origin: DEMO_ORIGIN });
    assert.equal(other.status, 403);
    const wrongPartner = await dl.call('POST', '/conversations', { body: { partner: 'vignoble-nantais' }, origin: DEMO_ORIGIN });
    assert.equal(wrongPartner.status, 403);
  });

  it('partner public config says whether the page origin is allowed', async () => {
    const yes = await fetch(`${h.base}/v3/directline/partners/demo`, { headers: { origin: DEMO_ORIGIN } });
    assert.equal(yes.status, 200);
    assert.equal(((await yes.json()) as { originAllowed: boolean }).originAllowed, true);
    const no = await fetch(`${h.base}/v3/directline/partners/vignoble-nantais`, { headers: { origin: DEMO_ORIGIN } });
    const body = (await no.json()) as { originAllowed: boolean; name: string; colors: { primary: string } };
    assert.equal(body.originAllowed, false);
    assert.equal(body.name, 'Pays du Vignoble Nantais');
    assert.equal((await fetch(`${h.base}/v3/directline/partners/inconnu`)).status, 404);
  });

  it('refuses an oversize message (413) with a French message', async () => {
    const c = await dl.start();
    const long = await dl.say(c, 'a'.repeat(4001));
    assert.equal(long.status, 413);
    assert.match(long.json.message as string, /trop long : 4\s000 caractères au maximum/);
    const huge = await dl.call('POST', `/conversations/${c.conversationId}/activities`, {
      token: c.token,
      raw: JSON.stringify({ type: 'message', text: 'x', value: 'y'.repeat(20_000) }),
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.message, 'Requête trop volumineuse : 16 Ko au maximum.');
    assert.equal((await dl.page(c)).activities.length, 1, 'nothing was logged');
  });

  it('errors are French JSON without internals', async () => {
    const c = await dl.start();
    const bad = await dl.call('POST', `/conversations/${c.conversationId}/activities`, { token: c.token, raw: '{"type":' });
    assert.equal(bad.status, 400);
    assert.equal(typeof bad.json.message, 'string');
    assert.doesNotMatch(JSON.stringify(bad.json), /at |\.ts|stack/);
    const invalid = await dl.call('POST', `/conversations/${c.conversationId}/activities`, { token: c.token, body: { type: 'hack' } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.message, 'Message invalide.');
    const missing = await dl.call('GET', '/nowhere');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'Ressource introuvable.');
  });
});

describe('Direct Line channel: expiry, limits, turn order', () => {
  it('an expired token is refused (403) and cannot be refreshed', async () => {
    let clock = Date.now();
    const h = await startServer({ bot: 'echo', now: () => clock });
    try {
      const dl = client(h);
      const c = await dl.start();
      clock += 31 * 60 * 1000;
      const r = await dl.call('GET', `/conversations/${c.conversationId}/activities`, { token: c.token });
      assert.equal(r.status, 403);
      assert.equal(r.json.message, 'Jeton d’accès expiré : rouvrez la discussion.');
      assert.equal((await dl.call('POST', '/tokens/refresh', { token: c.token })).status, 403);
    } finally {
      await h.close();
    }
  });

  it('rate limits per conversation and per address (429, French, Retry-After)', async () => {
    const h = await startServer({
      bot: 'echo',
      limits: { perConversationMessages: { capacity: 3, refillPerSecond: 0.01 }, perAddressNewConversations: { capacity: 2, refillPerSecond: 0.01 } },
    });
    try {
      const dl = client(h);
      const c = await dl.start();
      await dl.start();
      const third = await dl.call('POST', '/conversations', { body: {} });
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) >= 1);
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await dl.say(c, `m${i}`)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const r = await dl.say(c, 'encore');
      assert.equal(r.json.message, 'Vous envoyez des messages très vite : merci de patienter quelques secondes.');
    } finally {
      await h.close();
    }
  });

  it('behind a trusted reverse proxy, limits each holder by the address the proxy saw; never by a forged header otherwise', async () => {
    const limits = { perAddressNewConversations: { capacity: 1, refillPerSecond: 0.01 } };
    const start = (base: string, forwardedFor: string) =>
      fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: '{}' }).then((r) => r.status);
    const proxied = await startServer({ bot: 'echo', limits, trustProxy: true });
    try {
      // One proxy, two holders: each has their own allowance. A holder who forges the header
      // still gets the proxy's last entry, their real address.
      assert.equal(await start(proxied.base, '203.0.113.1'), 201);
      assert.equal(await start(proxied.base, '203.0.113.2'), 201);
      assert.equal(await start(proxied.base, '198.51.100.9, 203.0.113.1'), 429, 'the forged first entry changes nothing');
    } finally {
      await proxied.close();
    }
    const direct = await startServer({ bot: 'echo', limits });
    try {
      assert.equal(await start(direct.base, '203.0.113.1'), 201);
      assert.equal(await start(direct.base, '203.0.113.2'), 429, 'without PUBLIC_TRUST_PROXY the header is ignored');
    } finally {
      await direct.close();
    }
  });

  it('runs the turns of one conversation one at a time, in order', async () => {
    let running = 0;
    let maxRunning = 0;
    class SlowBot extends ActivityHandler {
      constructor() {
        super();
        this.onMessage(async (context, next) => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await sleep(15);
          await context.sendActivity(`vu : ${context.activity.text}`);
          running -= 1;
          await next();
        });
      }
    }
    const bot = new SlowBot();
    const h = await startServer({ logic: (context) => bot.run(context) });
    try {
      const dl = client(h);
      const c = await dl.start();
      const texts = ['un', 'deux', 'trois', 'quatre', 'cinq'];
      const results = await Promise.all(texts.map((t) => dl.say(c, t)));
      assert.ok(results.every((r) => r.status === 200));
      assert.equal(maxRunning, 1);
      const replies = (await dl.page(c)).activities.filter((a) => a.from.role === 'bot').map((a) => a.text!.slice(5));
      const echoes = (await dl.page(c)).activities.filter((a) => a.from.role === 'user').map((a) => a.text);
      assert.deepEqual(replies, echoes);
    } finally {
      await h.close();
    }
  });
});

describe('Direct Line building blocks', () => {
  it('tokens: sign, verify, expiry, tampering', () => {
    let now = 1_000_000;
    const signer = new TokenSigner(TEST_SECRET, 60, () => now);
    const { token } = signer.sign({ conv: 'c1', user: 'u1', partner: 'demo' });
    assert.deepEqual(signer.verify(token), { ok: true, claims: { conv: 'c1', user: 'u1', partner: 'demo' }, expiresAt: 1_060_000 });
    assert.deepEqual(signer.verify(`${token}x`), { ok: false, reason: 'invalid' });
    assert.deepEqual(signer.verify(undefined), { ok: false, reason: 'missing' });
    now += 60_000;
    assert.deepEqual(signer.verify(token), { ok: false, reason: 'expired' });
  });

  it('conversation log is bounded and idle conversations expire', () => {
    let now = 0;
    const store = new ConversationStore({ maxConversations: 2, maxActivities: 3, maxLogBytes: 10_000, idleMs: 1000, maxQueuedTurns: 5 }, () => now);
    const a = store.create('u', undefined);
    for (let i = 0; i < 5; i += 1) a.append({ type: 'message', text: String(i) });
    const page = a.since(0);
    assert.deepEqual(page.activities.map((x) => x.text), ['2', '3', '4']);
    assert.equal(page.watermark, '5');
    assert.deepEqual(a.since(4).activities.map((x) => x.text), ['4']);
    const big = store.create('u', undefined);
    for (let i = 0; i < 3; i += 1) big.append({ type: 'message', text: 'x'.repeat(4000) });
    assert.equal(big.since(0).activities.length, 2, 'the byte budget trims the log too');
    store.create('u', undefined);
    assert.equal(store.size, 2, 'the least recently used conversation is dropped when full');
    assert.equal(store.get(a.id), undefined);
    now += 2000;
    store.sweep();
    assert.equal(store.size, 0);
  });

  it('rate limit (rate-limiter-flexible, memory): a burst of `capacity`, then the wait, per key, then allowed again', async () => {
    const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 2 }, 'unit');
    assert.equal(await limiter.take('k'), 0);
    assert.equal(await limiter.take('k'), 0);
    assert.equal(await limiter.take('k'), 1, 'seconds to wait, rounded up');
    assert.equal(await limiter.take('autre'), 0, 'each key has its own budget');
    await sleep(1100);
    assert.equal(await limiter.take('k'), 0);
  });

  it('origins: exact or any port of a host, nothing else', () => {
    assert.ok(originMatches('http://localhost:*', 'http://localhost:3978'));
    assert.ok(originMatches('http://localhost:*', 'http://localhost'));
    assert.ok(!originMatches('http://localhost:*', 'http://localhost.evil.example:80'));
    assert.ok(!originMatches('http://localhost:*', 'http://localhostx:80'));
    assert.ok(originMatches('https://www.vignoble-nantais.eu', 'https://www.vignoble-nantais.eu'));
    assert.ok(!originMatches('https://www.vignoble-nantais.eu', 'http://www.vignoble-nantais.eu'));
  });

  it('ships the partners of both territories, valid', () => {
    const partners = loadPartners();
    assert.deepEqual(partners.all().map((p) => p.id).sort(), ['clisson-sevre-maine', 'demo', 'demo-redon', 'pays-de-redon', 'sevre-loire', 'vignoble-nantais']);
    assert.equal(partners.greetingName('vignoble-nantais'), 'le Pays du Vignoble Nantais');
    assert.equal(partners.greetingName('pays-de-redon'), 'le Pays de Redon');
    assert.deepEqual(partners.get('vignoble-nantais')?.defaultTerritory?.epci, ['200067635', '200067866']);
  });
});
