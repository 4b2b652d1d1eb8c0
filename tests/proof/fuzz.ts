// A seeded fuzzer for every public endpoint of the bot server (and the back office, when given):
// malformed JSON, wrong types, huge bodies, unknown or forged conversations and tokens, control
// characters, HTML and script, unicode edge cases (lone surrogates, RTL overrides, NUL, invalid
// UTF-8), odd methods and headers, and raw bytes that are not HTTP at all. What must hold:
// no response ≥ 500, no stack or internal path in a body, no unescaped payload markup in an
// HTML response, the process alive. The same seed replays the same requests.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DEMO_ORIGIN, Http, SECRET, sleep, type HttpResult } from './harness.js';

/** mulberry32: small, fast, good enough to pick cases; reproducible from a 32-bit seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Markup that must never come back unescaped in an HTML page. */
export const MARKERS = ['<script>alert(7)</script>', '<img src=x onerror=alert(7)>', '"><svg/onload=alert(7)>', "'><iframe src=javascript:alert(7)>"];

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202eRTL override\u202c',
  '\u200f\u200e\u061c',
  '\ufeffBOM',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '😀'.repeat(50),
  'e\u0301'.repeat(300),
  'Z̸̡̛̖̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌̕̚ͅ͏͓͔͕͖͙͚͐͑͒͗͛',
  '\u0007\u0008\u001b[31m\u007f',
  '\r\n\r\nHTTP/1.1 200 OK',
  '%00%0d%0a',
  '../../../../etc/passwd',
  '{{7*7}}${7*7}<%= 7*7 %>',
  "' OR 1=1 --",
  '__proto__',
  'constructor',
  'Bonjour, je veux créer une épicerie solidaire à Clisson',
  'x'.repeat(4001),
  'é'.repeat(5000),
  ...MARKERS,
];

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=latin1',
  '',
];

export interface FuzzContext {
  base: string;
  /** Conversations opened for the fuzz (valid tokens). */
  conversations: { id: string; token: string }[];
  /** Back office base URL, when it runs. */
  backoffice?: string;
  backofficePaths?: string[];
}

export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Raw bytes on a socket instead of an HTTP request. */
  raw?: Buffer;
  backoffice?: boolean;
}

export interface FuzzFinding {
  seed: number;
  index: number;
  kind: string;
  request: string;
  problem: string;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  byStatus: Map<number, number>;
  byKind: Map<string, number>;
  findings: FuzzFinding[];
  seconds: number;
}

/** A fuzz case generator, deterministic given the PRNG. */
export function makeGenerator(random: () => number, context: FuzzContext): () => FuzzRequest {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const nasty = () => pick(NASTY_STRINGS);
  const conversation = () => (context.conversations.length ? pick(context.conversations) : { id: 'AAAAAAAAAAAAAAAAAAAAAA', token: 'x' });
  const encode = (s: string) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80'; // a lone surrogate cannot be encoded: send its bytes as escapes
    }
  };
  const weirdId = () =>
    pick([
      'inconnue-0000000000',
      'AAAAAAAAAAAAAAAAAAAAAA',
      'a',
      'x'.repeat(300),
      encode(nasty()),
      '%00',
      '..%2F..%2Fetc%2Fpasswd',
      '%ZZ',
      '%E2%80%AE',
      '%C0%AE%C0%AE',
      '%FF%FE',
      conversation().id,
    ]);
  const forgedToken = () => {
    const real = conversation().token;
    const [h = '', p = '', s = ''] = real.split('.');
    const payload = (claims: Record<string, unknown>) => Buffer.from(JSON.stringify(claims)).toString('base64url');
    return pick([
      '',
      'undefined',
      'null',
      real,
      `${h}.${p}.${s.slice(0, -2)}AA`,
      `${h}.${payload({ iss: 'aiguillage', conv: conversation().id, user: 'u', exp: 9e9 })}.${s}`,
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`,
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      'a.b.c',
      `${h}.!!!!.${s}`,
      'x'.repeat(5000),
      encode(nasty()),
      SECRET, // the secret itself is not a token
    ]);
  };
  const authHeader = () =>
    pick([
      () => ({}),
      () => ({ authorization: `Bearer ${conversation().token}` }),
      () => ({ authorization: `Bearer ${forgedToken()}` }),
      () => ({ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }),
      () => ({ authorization: 'Bearer' }),
      () => ({ authorization: `Bearer ${conversation().token} ${conversation().token}` }),
    ])();
  const origin = () =>
    pick([
      () => ({}),
      () => ({ origin: DEMO_ORIGIN }),
      () => ({ origin: 'https://evil.example' }),
      () => ({ origin: 'null' }),
      () => ({ origin: 'http://localhost:99999999' }),
      () => ({ origin: 'HTTP://LOCALHOST:3978' }),
      () => ({ origin: 'http://localhost:3978/../' }),
      () => ({ origin: encode(nasty()) }),
    ])();
  const jsonValue = (depth = 0): unknown => {
    const r = random();
    if (depth > 3 || r < 0.3) return pick([null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, nasty(), '']);
    if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => jsonValue(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = 0; i < 1 + Math.floor(random() * 4); i += 1) {
      o[pick(['type', 'text', 'value', 'from', 'channelData', 'attachments', 'name', '__proto__', 'constructor', 'partner', 'user', nasty()])] = jsonValue(depth + 1);
    }
    return o;
  };
  const activityBody = () =>
    pick([
      () => '{"type":"message","text":"Bonjour"',
      () => '{"type":"message",,"text":"x"}',
      () => 'null',
      () => '[]',
      () => '"message"',
      () => '1e999',
      () => JSON.stringify(jsonValue()),
      () => JSON.stringify({ type: 'message', text: nasty() }),
      () => JSON.stringify({ type: 'message', text: nasty(), channelData: { clientActivityID: nasty() } }),
      () => JSON.stringify({ type: pick(['message', 'event', 'typing', 'conversationUpdate', 'invoke', nasty()]), text: nasty(), value: jsonValue(), name: nasty() }),
      () => JSON.stringify({ type: 'message', text: 42 }),
      () => JSON.stringify({ type: 'message', attachments: Array.from({ length: 20 }, () => ({ contentType: nasty() })) }),
      () => JSON.stringify({ type: 'message', text: 'x'.repeat(70_000) }),
      () => `{"type":"message","text":"${'\\ud800'.repeat(10)}"}`,
      () => '{"type":"message","text":"\\u0000\\u202e<script>alert(7)</script>"}',
      () => `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      () => `{${'"k":1,'.repeat(3000)}"type":"message"}`,
      () => Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
      () => `type=message&text=${encode(nasty())}`,
    ])();
  const query = () => pick(['', '?watermark=0', '?watermark=-1', '?watermark=1e309', '?watermark=NaN', '?watermark=99999999999999999999', '?watermark[]=1&watermark=2', `?watermark=${encode(nasty())}`, '?partner=demo', `?partner=${encode(nasty())}`, '?%', '?a=%ZZ']);
  const body = (content: () => string | Buffer) => (chance(0.85) ? content() : undefined);

  const cases: Array<[string, number, () => FuzzRequest]> = [
    ['dl-start', 10, () => ({
      kind: 'dl-start',
      method: chance(0.9) ? 'POST' : pick(METHODS),
      path: `/v3/directline/conversations${query()}`,
      headers: { ...origin(), ...(chance(0.2) ? authHeader() : {}), 'content-type': pick(CONTENT_TYPES) },
      body: body(() => pick([() => JSON.stringify({ partner: pick(['demo', 'vignoble-nantais', 'inconnu', nasty(), 123, null]) }), () => JSON.stringify(jsonValue()), activityBody])()),
    })],
    ['dl-post', 24, () => {
      const c = conversation();
      return {
        kind: 'dl-post',
        method: 'POST',
        path: `/v3/directline/conversations/${chance(0.6) ? c.id : weirdId()}/activities`,
        headers: { ...(chance(0.8) ? { origin: DEMO_ORIGIN } : origin()), ...(chance(0.7) ? { authorization: `Bearer ${c.token}` } : authHeader()), 'content-type': chance(0.8) ? 'application/json' : pick(CONTENT_TYPES) },
        body: body(activityBody),
      };
    }],
    ['dl-get', 12, () => {
      const c = conversation();
      return {
        kind: 'dl-get',
        method: chance(0.85) ? 'GET' : pick(METHODS),
        path: `/v3/directline/conversations/${chance(0.6) ? c.id : weirdId()}${chance(0.7) ? '/activities' : ''}${query()}`,
        headers: { ...origin(), ...(chance(0.6) ? { authorization: `Bearer ${c.token}` } : authHeader()) },
      };
    }],
    ['dl-refresh', 5, () => ({
      kind: 'dl-refresh',
      method: chance(0.8) ? 'POST' : pick(METHODS),
      path: '/v3/directline/tokens/refresh',
      headers: { ...origin(), ...authHeader() },
      body: body(activityBody),
    })],
    ['dl-partner', 4, () => ({
      kind: 'dl-partner',
      method: chance(0.8) ? 'GET' : pick(METHODS),
      path: `/v3/directline/partners/${pick(['demo', 'vignoble-nantais', weirdId(), encode(nasty())])}`,
      headers: origin(),
    })],
    ['dl-preflight', 4, () => ({
      kind: 'dl-preflight',
      method: 'OPTIONS',
      path: pick(['/v3/directline/conversations', `/v3/directline/conversations/${weirdId()}/activities`, '/v3/directline/tokens/refresh', `/v3/directline/${encode(nasty())}`]),
      headers: { ...origin(), 'access-control-request-method': pick(['POST', 'GET', 'DELETE', nasty().replace(/[^\x21-\x7e]/g, '') || 'X']), 'access-control-request-headers': pick(['authorization, content-type', 'x-evil', '*']) },
    })],
    ['widget', 6, () => ({
      kind: 'widget',
      method: pick(['GET', 'GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']),
      path: `/widget.js${pick(['', '?v=1', `?${encode(nasty())}`, '/..', '%00'])}`,
      headers: { 'if-none-match': pick(['', '*', '"x"', nasty().replace(/[^\x20-\x7e]/g, '')]), 'accept-encoding': pick(['gzip', 'br, gzip;q=0', 'identity', 'x'.repeat(2000)]) },
    })],
    ['demo', 5, () => ({
      kind: 'demo',
      method: pick(['GET', 'GET', 'HEAD', 'POST', 'DELETE']),
      path: pick(['/', '/demo', '/demo/', '/demo/page2', `/demo/${encode(nasty())}`, `/demo?x=${encode(pick(MARKERS))}`, '/demo/page2?%3Cscript%3E']),
      headers: { ...origin(), 'content-type': pick(CONTENT_TYPES) },
      body: body(() => JSON.stringify(jsonValue())),
    })],
    ['offer', 5, () => ({
      kind: 'offer',
      method: pick(['GET', 'GET', 'HEAD', 'POST']),
      path: pick([
        () => `/offre${pick(['', '/', '/vignoble-nantais', `/${encode(nasty())}`, `/${encode(pick(MARKERS))}`, '/%00', '/%ZZ'])}`,
        () => `/offre/vignoble-nantais?stade=${encode(nasty())}&secteur=${encode(pick(MARKERS))}`,
        () => `/offre?partenaire=${encode(pick(['demo', nasty()]))}&stade[]=idee&secteur=habitat&secteur=numerique`,
        () => `/open-data/data-inclusion/${pick(['structures.json', 'services.json', 'structures.csv', 'services.csv', encode(nasty())])}?territoire=${encode(pick(['vignoble-nantais', nasty(), pick(MARKERS)]))}`,
      ])(),
      headers: { ...origin(), 'content-type': pick(CONTENT_TYPES) },
      body: body(() => JSON.stringify(jsonValue())),
    })],
    ['link', 12, () => ({
      kind: 'link',
      method: pick(['GET', 'POST', 'POST', 'PUT', 'HEAD']),
      path: `/r/${pick([
        () => encode(nasty()),
        () => 'AIG-2345-67-1.t.1a2b3c.AAAAAAAAAAAAAAAAAAAAAA',
        () => 'AIG-2345-67-1.t.zzzzzzzzzzzz.AAAAAAAAAAAAAAAAAAAAAA',
        () => 'AIG-2345-67-1.q.1a2b3c.AAAAAAAAAAAAAAAAAAAAAA',
        () => `${encode(pick(MARKERS))}.t.1.AAAAAAAAAAAAAAAAAAAAAA`,
        () => 'x'.repeat(3000),
        () => '%00',
        () => '',
      ])()}${pick(['', `?${encode(pick(MARKERS))}`])}`,
      headers: { 'content-type': pick(['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=xyz', 'text/plain']), ...origin() },
      body: body(() => pick([`reason=${encode(nasty())}&comment=${encode(pick(MARKERS))}&shouldGoTo=${encode(nasty())}`, 'confirm=1', JSON.stringify(jsonValue()), 'a=%ZZ&&&==', `comment=${'x'.repeat(60_000)}`])),
    })],
    ['health', 3, () => ({ kind: 'health', method: pick(METHODS), path: `/healthz${pick(['', '?x=1', '/', '%00'])}`, headers: {} })],
    ['api-messages', 4, () => ({
      kind: 'api-messages',
      method: pick(['POST', 'POST', 'GET', 'PUT']),
      path: '/api/messages',
      headers: { 'content-type': 'application/json', ...authHeader() },
      body: body(() => JSON.stringify({ type: 'message', text: nasty(), serviceUrl: pick(['http://169.254.169.254/', 'http://127.0.0.1:1/', nasty()]), conversation: { id: nasty() } })),
    })],
    ['unknown', 6, () => ({
      kind: 'unknown',
      method: pick(METHODS),
      path: pick([
        `/${encode(nasty())}`,
        '/admin',
        '/.env',
        '/../../etc/passwd',
        '//v3//directline//conversations',
        `/v3/directline/${encode(nasty())}`,
        '/v3/directline/conversations/x/y/z',
        `/${'a/'.repeat(2000)}`,
        `/x?${'a=1&'.repeat(2000)}`,
        '/%2e%2e/%2e%2e/',
        '/\u00e9t\u00e9',
      ]),
      headers: { ...origin() },
      body: chance(0.3) ? activityBody() : undefined,
    })],
    ['headers', 4, () => ({
      kind: 'headers',
      method: pick(['GET', 'POST']),
      path: pick(['/healthz', '/v3/directline/conversations', '/demo', '/widget.js']),
      headers: pick([
        () => ({ 'x-forwarded-for': '1.2.3.4, 5.6.7.8', 'x-real-ip': '8.8.8.8' }),
        () => ({ cookie: 'x'.repeat(12_000) }),
        () => ({ 'transfer-encoding': 'chunked' }),
        () => ({ 'accept-language': 'en-US' }),
        () => ({ host: 'evil.example' }),
        () => ({ 'content-type': 'application/json', 'content-encoding': 'gzip' }),
        () => ({ expect: '100-continue' }),
        () => ({ range: 'bytes=0-0,-1' }),
      ])(),
      body: chance(0.5) ? '{"partner":"demo"}' : undefined,
    })],
    ['raw', 3, () => ({
      kind: 'raw',
      method: 'RAW',
      path: '',
      headers: {},
      raw: Buffer.from(
        pick([
          'GET / HTTP/1.1\r\n\r\n',
          'GARBAGE\r\n\r\n',
          '\x00\x01\x02\x03\r\n\r\n',
          'POST /v3/directline/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
          'POST /v3/directline/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n',
          'GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n',
          'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
          `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
          'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
          'POST /v3/directline/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{"partner":"demo"}',
          'POST /v3/directline/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\x00\r\nContent-Length: 2\r\n\r\n{}',
          'POST /v3/directline/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n\xff\xfe\x00\x00',
        ]),
        'latin1',
      ),
    })],
  ];
  if (context.backoffice) {
    const paths = context.backofficePaths?.length ? context.backofficePaths : BACKOFFICE_PATHS;
    cases.push(['backoffice', 12, () => ({
      kind: 'backoffice',
      backoffice: true,
      method: pick(['GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH']),
      path: `${pick(paths)}${pick(['', `?q=${encode(pick(MARKERS))}`, `?page=${encode(nasty())}`, '/../..', `/${encode(nasty())}`])}`,
      headers: {
        'content-type': pick(['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=xyz', 'text/plain']),
        ...pick([() => ({}), () => ({ cookie: `${pick(['sid', 'session', 'aig_session', '__Host-aig'])}=${encode(nasty())}` }), () => ({ origin: 'https://evil.example' })])(),
      },
      body: body(() => pick([`email=${encode(nasty())}&password=${encode(nasty())}&_csrf=${encode(nasty())}`, JSON.stringify(jsonValue()), `comment=${encode(pick(MARKERS))}`, 'a=%ZZ'])),
    })]);
  }
  const total = cases.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = random() * total;
    for (const [, weight, make] of cases) {
      r -= weight;
      if (r <= 0) return make();
    }
    return cases[0]![2]();
  };
}

/** Sends raw bytes; returns the status of the first response line, 0 when the server just closed. */
function sendRaw(base: string, bytes: Buffer, localAddress: string): Promise<HttpResult> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, headers: {}, text });
    });
  });
}

const INTERNALS = [/\bat .+\.(ts|js):\d+/, /node_modules/, /\/work\//, /\bTypeError\b/, /\bReferenceError\b/, /\bSyntaxError: /];

export function describe(request: FuzzRequest): string {
  const body = request.raw ?? request.body;
  const text = body === undefined ? '' : Buffer.isBuffer(body) ? body.toString('latin1') : body;
  const shown = text.length > 160 ? `${text.slice(0, 160)}… (${text.length} car.)` : text;
  return `${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers).slice(0, 200)} ${JSON.stringify(shown)}`;
}

/** Back-office routes (src/backoffice/routes), with made-up ids: fuzzed without a session. */
export const BACKOFFICE_PATHS = [
  '/',
  '/connexion',
  '/deconnexion',
  '/invitation/inventee',
  '/mon-compte',
  '/mon-compte/mot-de-passe',
  '/orientations',
  '/orientations/AIG-2222-22-1',
  '/orientations/AIG-2222-22-1/action',
  '/orientations/AIG-2222-22-1/reorienter',
  '/regles',
  '/regles/valider',
  '/regles/publier',
  '/regles/brouillon',
  '/regles/brouillon/abandonner',
  '/regles/regle/vignoble.json/inventee',
  '/regles/nouvelle/vignoble.json',
  '/regles/fichier/vignoble.json',
  '/regles/historique/1/restaurer',
  '/regles/simuler',
  '/regles/couverture',
  '/acteurs',
  '/acteurs/cress-pdl',
  '/acteurs/cress-pdl/activation',
  '/partenaires/demo',
  '/statistiques',
  '/statistiques/export/orientations.csv',
  '/statistiques/export/orientations-nominatives.csv',
  '/comptes',
  '/comptes/inviter',
  '/journal',
  '/static/backoffice.css',
  '/static/../index.ts',
];
const PUBLIC_BACKOFFICE = /^\/(connexion|invitation\/|static\/)/;

/** Checks one response; returns the problems found. */
export function check(request: FuzzRequest, response: HttpResult): string[] {
  const problems: string[] = [];
  if (request.backoffice && !PUBLIC_BACKOFFICE.test(request.path)) {
    // Without a session, a protected route answers with the login page's address or a refusal.
    const location = String(response.headers.location ?? '');
    if (response.status >= 200 && response.status < 300) problems.push(`page protégée servie sans session (HTTP ${response.status})`);
    if (response.status >= 300 && response.status < 400 && !location.startsWith('/connexion')) problems.push(`redirection sans session vers ${location}`);
  }
  if (response.status >= 500) problems.push(`HTTP ${response.status}`);
  if (INTERNALS.some((r) => r.test(response.text))) problems.push(`détails internes dans la réponse : ${response.text.slice(0, 200)}`);
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('text/html')) {
    for (const marker of MARKERS) if (response.text.includes(marker)) problems.push(`balise renvoyée sans échappement dans une page HTML : ${marker}`);
  }
  return problems;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  concurrency?: number;
  /** Loopback source addresses used in turn (127.0.0.<first + i>), `perAddress` requests each. */
  firstAddress?: number;
  perAddress?: number;
  /** Called before each request; false stops the run (the server died). */
  alive?: () => boolean;
}

export async function runFuzz(context: FuzzContext, options: FuzzOptions): Promise<FuzzReport> {
  const random = prng(options.seed);
  const next = makeGenerator(random, context);
  const requests = Array.from({ length: options.count }, () => next());
  const perAddress = options.perAddress ?? 100;
  const firstAddress = options.firstAddress ?? 50;
  const clients = new Map<string, Http>();
  const addressOf = (i: number) => `127.0.0.${firstAddress + (Math.floor(i / perAddress) % (250 - firstAddress))}`;
  const clientFor = (base: string, address: string) => {
    const key = `${base} ${address}`;
    let client = clients.get(key);
    if (!client) clients.set(key, (client = new Http(base, address, 8)));
    return client;
  };
  const report: FuzzReport = { seed: options.seed, sent: 0, byStatus: new Map(), byKind: new Map(), findings: [], seconds: 0 };
  const started = performance.now();
  let cursor = 0;
  const worker = async () => {
    while (cursor < requests.length) {
      const index = cursor++;
      if (options.alive && !options.alive()) return;
      const request = requests[index]!;
      const base = request.backoffice ? context.backoffice! : context.base;
      const address = addressOf(index);
      let response: HttpResult;
      const send = () =>
        request.raw
          ? sendRaw(base, request.raw, address)
          : clientFor(base, address).request(request.method, request.path, { headers: request.headers, body: request.body, timeoutMs: 20_000 });
      try {
        // A kept-alive socket the server closed as it was reused ("socket hang up") is the
        // client's race, not an answer: one retry on a fresh connection.
        response = await send().catch((error: Error) => (/socket hang up|ECONNRESET/.test(error.message) ? send() : Promise.reject(error)));
      } catch (error) {
        // The server may close on what is not HTTP; anything else (timeout, reset on a normal
        // request) is a finding.
        const message = (error as Error).message;
        if (/ECONNRESET|socket hang up|EPIPE/.test(message) && (request.kind === 'headers' || request.body !== undefined)) {
          response = { status: 0, headers: {}, text: '' };
        } else {
          report.findings.push({ seed: options.seed, index, kind: request.kind, request: describe(request), problem: `pas de réponse : ${message}` });
          continue;
        }
      }
      report.sent += 1;
      report.byStatus.set(response.status, (report.byStatus.get(response.status) ?? 0) + 1);
      report.byKind.set(request.kind, (report.byKind.get(request.kind) ?? 0) + 1);
      for (const problem of check(request, response)) {
        report.findings.push({ seed: options.seed, index, kind: request.kind, request: describe(request), problem });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 12 }, worker));
  for (const client of clients.values()) client.close();
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Opens `count` conversations for the fuzz (20 per address: the channel's burst). */
export async function openConversations(base: string, count: number, firstAddress = 30): Promise<FuzzContext['conversations']> {
  const out: FuzzContext['conversations'] = [];
  for (let i = 0; i < count; i += 1) {
    const client = new Http(base, `127.0.0.${firstAddress + Math.floor(i / 20)}`, 1);
    const res = await client.request('POST', '/v3/directline/conversations', {
      headers: { origin: DEMO_ORIGIN, 'content-type': 'application/json' },
      body: '{"partner":"demo"}',
    });
    client.close();
    if (res.status !== 201) throw new Error(`ouverture d’une conversation pour le fuzz : HTTP ${res.status} ${res.text}`);
    const body = JSON.parse(res.text) as { conversationId: string; token: string };
    out.push({ id: body.conversationId, token: body.token });
    if (i % 20 === 19) await sleep(0);
  }
  return out;
}

export function summarize(report: FuzzReport): string {
  const statuses = [...report.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s || 'fermé'}×${n}`).join(' ');
  const kinds = [...report.byKind.entries()].map(([k, n]) => `${k} ${n}`).join(', ');
  return `${report.sent} requêtes en ${report.seconds.toFixed(1)} s (graine ${report.seed}) — statuts : ${statuses} — par cible : ${kinds}`;
}
