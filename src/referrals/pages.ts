// The public pages of the bot server that people reach from an e-mail (an actor's signed links,
// the holder's status page): the back office's look, its stylesheet inlined (the pages allow no
// other resource), readable on a phone, and the same security headers everywhere.
import { readFileSync } from 'node:fs';
import { escapeHtml } from '../notifications/render.js';
import { projectPath } from '../paths.js';
import { helmetHeaders } from '../securityHeaders.js';

export interface LinkPage {
  status: number;
  headers: Record<string, string>;
  html: string;
}

// helmet's headers (src/securityHeaders.ts): nothing but the inline stylesheet, forms to the
// page itself, no framing, no referrer (the URL carries a signed token).
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Robots-Tag': 'noindex, nofollow',
  ...helmetHeaders({
    csp: { 'default-src': ["'none'"], 'style-src': ["'unsafe-inline'"], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"] },
    referrer: 'no-referrer',
  }),
};

// What differs from the back office: one narrow column, full-width fields, a phone first.
const PUBLIC_CSS = `main{max-width:48em;margin:0 auto}
textarea,select,input[type=text]{width:100%}
.brand .name{font-weight:700;font-size:1.2em;opacity:1}
.card h2{margin:.2em 0 .3em;font-size:1.1em}
.card p{margin:.2em 0}
ol.plain,ul.plain{list-style:none;padding:0;margin:0}
label.check{font-weight:normal}
fieldset label.check{margin:.5em 0}
button{min-height:2.75em}
@media (max-width:40em){main{padding:.8em .9em 2em}h1{font-size:1.35em}dl.summary{grid-template-columns:1fr}dl.summary dd{margin-bottom:.4em}header.top{padding:.5em .9em}}`;

let css: string | undefined;
function styles(): string {
  css ??= `${readFileSync(projectPath('src', 'backoffice', 'assets', 'backoffice.css'), 'utf8')}\n${PUBLIC_CSS}`;
  return css;
}

/** `body` is trusted HTML (callers escape what they insert); `title` is escaped here. */
export function page(status: number, title: string, body: string, subtitle = 'orientation des projets de l’économie sociale et solidaire'): LinkPage {
  const html =
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} — Aiguillage</title><style>${styles()}</style></head>` +
    `<body><header class="top"><div class="brand"><span class="name">Aiguillage</span> <span>${escapeHtml(subtitle)}</span></div></header>` +
    `<main id="contenu"><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return { status, headers: PAGE_HEADERS, html };
}

export const p = (text: string, cls?: string): string => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;
