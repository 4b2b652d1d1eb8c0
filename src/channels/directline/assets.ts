// /widget.js and the demo pages. The widget is built in memory at start with esbuild's API
// (so `npm start` on a fresh clone serves it with no build step); where esbuild is not
// installed (production install without dev dependencies), web-widget/dist/widget.js
// from `npm run build:widget` is served instead.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { projectPath } from '../../paths.js';
import { contentSecurityPolicy } from 'helmet';
import { helmetHeaders } from '../../securityHeaders.js';
import { gzipSync } from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import { header, messages } from './http.js';

const WIDGET_DIR = projectPath('web-widget') + '/';
export const WIDGET_ENTRY = `${WIDGET_DIR}src/index.ts`;
export const WIDGET_DIST = `${WIDGET_DIR}dist/widget.js`;
const DEMO_DIR = `${WIDGET_DIR}demo/`;
// Static pages that reflect nothing: no framing, no <base>, no plugins. Scripts are not
// restricted here (the browser tests inject axe-core inline); the widget itself works under a
// partner's strict CSP.
// The demo pages stand for a partner's site (its own scripts and styles): helmet's headers
// (src/securityHeaders.ts) with a CSP that only forbids framing, <base>, plugins and foreign forms.
const DEMO_HEADERS = helmetHeaders({
  csp: {
    // No default-src: the demo loads what a partner's page would (helmet must be told so).
    'default-src': contentSecurityPolicy.dangerouslyDisableDefaultSrc,
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'object-src': ["'none'"],
    'form-action': ["'self'"],
  },
  referrer: 'strict-origin-when-cross-origin',
});

export interface WidgetAsset {
  js: Buffer;
  gzip: Buffer;
  etag: string;
}

/** Bundles and minifies the widget into one script (throws when esbuild is absent). */
export async function buildWidget(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [WIDGET_ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2019'],
    charset: 'utf8',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export function toAsset(js: string): WidgetAsset {
  const body = Buffer.from(js, 'utf8');
  return { js: body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

export async function loadWidget(logError: (message: string, error?: unknown) => void): Promise<WidgetAsset | undefined> {
  try {
    return toAsset(await buildWidget());
  } catch (error) {
    if (existsSync(WIDGET_DIST)) return toAsset(readFileSync(WIDGET_DIST, 'utf8'));
    logError('widget.js indisponible (ni esbuild ni web-widget/dist/widget.js)', error);
    return undefined;
  }
}

export function mountWidget(server: Server, widget: Promise<WidgetAsset | undefined>): void {
  server.get('/widget.js', async (req: Request, res: Response) => {
    const asset = await widget;
    if (!asset) {
      res.json(503, { code: 'Unavailable', message: messages.widgetUnavailable });
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/javascript; charset=utf-8',
      // Short: the URL partners embed never changes; the ETag makes revalidation cheap.
      'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
      ETag: asset.etag,
      Vary: 'Accept-Encoding',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    };
    if (header(req, 'if-none-match') === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = /\bgzip\b/.test(header(req, 'accept-encoding') ?? '');
    const body = gzip ? asset.gzip : asset.js;
    if (gzip) headers['Content-Encoding'] = 'gzip';
    headers['Content-Length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  const pages: Record<string, string> = { '/demo': 'index.html', '/demo/page2': 'page2.html', '/demo/pays-de-redon': 'pays-de-redon.html' };
  for (const [path, file] of Object.entries(pages)) {
    const html = readFileSync(`${DEMO_DIR}${file}`);
    server.get(path, async (_req: Request, res: Response) => {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache',
        ...DEMO_HEADERS,
      });
      res.end(html);
    });
  }
  server.get('/', async (_req: Request, res: Response) => {
    res.writeHead(302, { Location: '/demo' });
    res.end();
  });
}
