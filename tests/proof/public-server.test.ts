// Security checks against the real server process (`dist/server.mjs`, exactly as
// `npm start`): forged and expired widget tokens and e-mail links, cross-origin requests and
// CSRF, security headers on every HTML response, no cookie, compressed bodies (a crash found by
// the fuzzer), and the server still alive at the end.
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { TokenSigner } from '../../src/channels/directline/tokens.js';
import { LinkSigner } from '../../src/referrals/tokens.js';
import { DEMO_ORIGIN, Http, SECRET, startServerProcess, tempDir, walkToReferral, WidgetConversation, type HttpResult, type ServerProcess } from './harness.js';

const OTHER_SECRET = 'un-autre-secret-que-celui-du-serveur-0123';
const MiB = 2 ** 20;

/** What every HTML page must carry. */
function assertHtmlHeaders(res: HttpResult, what: string): void {
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/, `${what}: content type`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  const csp = String(res.headers['content-security-policy'] ?? '');
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.match(csp, /base-uri 'none'|default-src 'none'/, `${what}: CSP base-uri`);
  assert.equal(res.headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
  assert.ok(res.headers['referrer-policy'], `${what}: Referrer-Policy`);
  assert.equal(res.headers['set-cookie'], undefined, `${what}: no cookie`);
}

describe('the public server, as a process', () => {
  let server: ServerProcess;
  let http: Http;
  let reference: string;
  let conversation: WidgetConversation;
  const dataDir = tempDir('public');

  beforeAll(async () => {
    server = await startServerProcess({ dataDir });
    http = new Http(server.base, '127.0.0.2');
    reference = (await walkToReferral(http, 0)).reference;
    conversation = new WidgetConversation(new Http(server.base, '127.0.0.3'));
    await conversation.start();
  });

  afterAll(async () => {
    http?.close();
    const how = await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    assert.notEqual(how, 'SIGKILL', 'the server stops cleanly on SIGTERM');
  });

  const dl = (path: string) => `/v3/directline${path}`;
  const activities = () => dl(`/conversations/${conversation.conversationId}/activities`);
  const withToken = (token: string, origin = DEMO_ORIGIN) => ({ authorization: `Bearer ${token}`, origin, 'content-type': 'application/json' });
  const message = JSON.stringify({ type: 'message', text: 'Bonjour' });

  it('refuses forged widget tokens: other secret, altered claims, alg none, truncated', async () => {
    const [h, p, s] = conversation.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const other = new TokenSigner(OTHER_SECRET).sign({ conv: conversation.conversationId, user: String(claims.user), partner: 'demo' }).token;
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: 9_999_999_999 })).toString('base64url')}.${s}`;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    for (const [name, token] of Object.entries({ other, altered, none, truncated: `${h}.${p}`, empty: '' })) {
      const post = await http.request('POST', activities(), { headers: withToken(token), body: message });
      assert.equal(post.status, 401, `${name}: ${post.text}`);
      assert.match(JSON.parse(post.text).message, /Jeton d’accès absent ou invalide/);
      const read = await http.request('GET', `${activities()}?watermark=0`, { headers: withToken(token) });
      assert.equal(read.status, 401, name);
      const refresh = await http.request('POST', dl('/tokens/refresh'), { headers: withToken(token) });
      assert.equal(refresh.status, 401, name);
    }
  });

  it('refuses an expired token (signed with the right secret) with 403 and a French message; a token opens one conversation only', async () => {
    const past = () => Date.now() - 3 * 3600_000;
    const expired = new TokenSigner(SECRET, 1800, past).sign({ conv: conversation.conversationId, user: 'u', partner: 'demo' }).token;
    for (const [method, path] of [['POST', activities()], ['GET', `${activities()}?watermark=0`], ['POST', dl('/tokens/refresh')], ['GET', dl(`/conversations/${conversation.conversationId}`)]] as const) {
      const res = await http.request(method, path, { headers: withToken(expired), body: method === 'POST' ? message : undefined });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.equal(JSON.parse(res.text).code, 'TokenExpired');
      assert.match(JSON.parse(res.text).message, /expiré/);
    }
    const other = new WidgetConversation(new Http(server.base, '127.0.0.4'));
    await other.start();
    const res = await http.request('GET', `${activities()}?watermark=0`, { headers: withToken(other.token) });
    assert.equal(res.status, 403);
    assert.match(JSON.parse(res.text).message, /ne donne pas accès à cette conversation/);
  });

  it('cross-origin: a page that is not a partner gets neither a conversation nor CORS allowance, even with a valid token', async () => {
    const evil = 'https://evil.example';
    const start = await http.request('POST', dl('/conversations'), { headers: { origin: evil, 'content-type': 'application/json' }, body: '{"partner":"demo"}' });
    assert.equal(start.status, 403);
    assert.equal(start.headers['access-control-allow-origin'], undefined);
    const preflight = await http.request('OPTIONS', activities(), { headers: { origin: evil, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    // A stolen token used from another site: refused (CSRF needs ambient credentials; there
    // are none, and the origin is checked as well).
    const post = await http.request('POST', activities(), { headers: withToken(conversation.token, evil), body: message });
    assert.equal(post.status, 403);
    // Another partner's site cannot use the demo partner's conversation.
    const otherPartner = await http.request('POST', activities(), { headers: withToken(conversation.token, 'https://www.cc-sevreloire.fr'), body: message });
    assert.equal(otherPartner.status, 403);
  });

  it('e-mail links: forged, altered and expired links change nothing; a valid one asks before it acts, acts once', async () => {
    const id = `${reference}-1`;
    const future = new Date(Date.now() + 86_400_000);
    const good = new LinkSigner(SECRET).sign(id, 'take_care', future);
    const forged = new LinkSigner(OTHER_SECRET).sign(id, 'take_care', future);
    const altered = good.replace('.t.', '.d.');
    const expired = new LinkSigner(SECRET).sign(id, 'take_care', new Date(Date.now() - 60_000));
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const [name, token, status] of [['forged', forged, 403], ['altered', altered, 403], ['expired', expired, 410], ['garbage', 'x'.repeat(40), 403]] as const) {
      for (const method of ['GET', 'POST']) {
        const res = await http.request(method, `/r/${token}`, { headers: form, body: method === 'POST' ? 'confirm=1' : undefined });
        assert.equal(res.status, status, `${name} ${method}`);
        assert.match(res.text, status === 410 ? /Ce lien a expiré le .* et n’a rien modifié/ : /Ce lien n’est pas valide/);
        assertHtmlHeaders(res, `${name} ${method}`);
      }
    }
    const page = await http.request('GET', `/r/${good}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<form method="post">/);
    assertHtmlHeaders(page, 'link form');
    assert.match(String(page.headers['content-security-policy']), /form-action 'self'/);
    const again = await http.request('GET', `/r/${good}`);
    assert.equal(again.status, 200, 'GET changed nothing (mail scanners prefetch links)');
    const done = await http.request('POST', `/r/${good}`, { headers: form, body: 'confirm=1' });
    assert.equal(done.status, 200);
    assert.match(done.text, /C’est enregistré/);
    assertHtmlHeaders(done, 'link done');
    const twice = await http.request('POST', `/r/${good}`, { headers: form, body: 'confirm=1' });
    assert.equal(twice.status, 409);
    assert.match(twice.text, /Déjà enregistré|Action impossible/);
    assertHtmlHeaders(twice, 'link twice');
  });

  it('every HTML page carries the security headers; no response sets a cookie', async () => {
    for (const path of ['/demo', '/demo/page2', '/demo/pays-de-redon', '/offre/vignoble-nantais', '/offre?stade=idee&secteur=habitat']) {
      const res = await http.request('GET', path);
      assert.equal(res.status, 200, path);
      assertHtmlHeaders(res, path);
    }
    const unknownTerritory = await http.request('GET', '/offre/inconnu');
    assert.equal(unknownTerritory.status, 404);
    assertHtmlHeaders(unknownTerritory, '/offre/inconnu');
    for (const path of ['/healthz', '/widget.js', '/', '/inconnu', dl('/partners/demo')]) {
      const res = await http.request('GET', path);
      assert.equal(res.headers['set-cookie'], undefined, path);
      assert.doesNotMatch(String(res.headers['content-type'] ?? ''), /text\/html/, `${path} is not HTML`);
    }
  });

  it('a compressed body is refused with 415 and kills nothing: not gzip, and a gzip bomb', async () => {
    const before = server.rss();
    const notGzip = await http.request('POST', dl('/conversations'), {
      headers: { origin: DEMO_ORIGIN, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"partner":"demo"}',
    });
    assert.equal(notGzip.status, 415);
    assert.match(JSON.parse(notGzip.text).message, /Encodage de contenu non pris en charge/);
    const bomb = gzipSync(Buffer.alloc(64 * MiB, 0x20), { level: 9 }); // ~64 KB on the wire
    for (const path of [activities(), dl('/conversations'), '/r/abc', '/api/messages']) {
      const res = await http.request('POST', path, { headers: { ...withToken(conversation.token), 'content-encoding': 'gzip' }, body: bomb });
      assert.equal(res.status, 415, path);
    }
    const health = await http.request('GET', '/healthz');
    assert.equal(health.status, 200);
    assert.ok(server.alive());
    assert.ok(server.rss() - before < 32 * MiB, `memory grew by ${((server.rss() - before) / MiB).toFixed(0)} MiB`);
  });

  it('a multipart upload is refused with 415 and leaves no file in the temporary directory', async () => {
    const uploads = () => [...readdirSync(tmpdir())].filter((n) => n.startsWith('upload_'));
    const before = new Set(uploads());
    const boundary = 'frontiere';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="gros.txt"\r\nContent-Type: text/plain\r\n\r\n${'A'.repeat(2 * MiB)}\r\n--${boundary}--\r\n`;
    for (const path of ['/r/abc', dl('/conversations'), activities(), '/api/messages']) {
      for (const chunked of [false, true]) {
        const res = await http.request('POST', path, {
          headers: { origin: DEMO_ORIGIN, authorization: `Bearer ${conversation.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
          chunked,
        });
        assert.ok(res.status === 415 || res.status === 413, `${path} (${chunked ? 'chunked' : 'length'}): ${res.status}`);
      }
    }
    assert.deepEqual(uploads().filter((n) => !before.has(n)), [], 'no uploaded file written');
    assert.ok(server.alive());
  });

  it('/api/messages is closed without MicrosoftAppId (no server-side request forgery)', async () => {
    const res = await http.request('POST', '/api/messages', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'x', serviceUrl: 'http://169.254.169.254/', conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' } }),
    });
    assert.ok(res.status === 404 || res.status === 405, `status ${res.status}`);
    assert.ok(server.alive());
  });
});
