// The page frame: skip link, header with the navigation of the signed-in person, flash
// messages, main content. French, one h1 per page, landmarks for screen readers.
import type { Account } from '../../store/accountStore.js';
import type { Flash } from '../http.js';
import { CSRF_FIELD } from '../security.js';
import { html, join, type SafeHtml } from './html.js';

export type NavKey = 'orientations' | 'territoires' | 'regles' | 'acteurs' | 'partenaires' | 'statistiques' | 'comptes' | 'journal' | 'donnees' | 'compte';

const NAV: Array<{ key: NavKey; href: string; label: string; coordinator: boolean; regional?: boolean }> = [
  { key: 'orientations', href: '/orientations', label: 'Orientations', coordinator: false },
  { key: 'territoires', href: '/territoires', label: 'Territoires', coordinator: true },
  { key: 'regles', href: '/regles', label: 'Règles', coordinator: true },
  { key: 'acteurs', href: '/acteurs', label: 'Structures', coordinator: true },
  { key: 'partenaires', href: '/partenaires', label: 'Sites partenaires', coordinator: true },
  { key: 'statistiques', href: '/statistiques', label: 'Statistiques', coordinator: true },
  { key: 'comptes', href: '/comptes', label: 'Comptes', coordinator: true, regional: true },
  { key: 'journal', href: '/journal', label: 'Journal', coordinator: true, regional: true },
  { key: 'donnees', href: '/donnees-personnelles', label: 'Données personnelles', coordinator: true, regional: true },
];

export interface PageOptions {
  title: string;
  account: Account | null;
  csrf: string | null;
  active?: NavKey;
  flash?: Flash[];
  body: SafeHtml;
  /** Scripts under /static (no inline script: the CSP forbids it). */
  scripts?: string[];
  /** Who the member works for, shown in the header. */
  actorName?: string;
  /** Reloads the page after this many seconds (a page that says « en préparation »). */
  refreshSeconds?: number;
}

export function csrfField(token: string | null): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token ?? ''}">`;
}

export function page(o: PageOptions): string {
  const coordinator = o.account?.role === 'coordinator';
  // A territorial coordinator does not see the pages reserved to the regional coordination.
  const territorial = coordinator && (o.account?.territories ?? []).length > 0;
  const nav = o.account
    ? html`<nav aria-label="Navigation principale"><ul>${NAV.filter((n) => (coordinator || !n.coordinator) && !(territorial && n.regional)).map(
        (n) => html`<li><a href="${n.href}"${n.key === o.active ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )}</ul></nav>`
    : '';
  const who = o.account
    ? html`<div class="who"><span>${o.account.name || o.account.email} — ${coordinator ? (territorial ? 'coordination territoriale' : 'coordination régionale') : `membre${o.actorName ? ` de ${o.actorName}` : ''}`}</span>
        <a href="/mon-compte"${o.active === 'compte' ? html` aria-current="page"` : ''}>Mon compte</a>
        <form method="post" action="/deconnexion" class="inline">${csrfField(o.csrf)}<button type="submit" class="link">Se déconnecter</button></form></div>`
    : '';
  const flash = (o.flash ?? []).map(
    (f) => html`<div class="flash ${f.kind}" role="${f.kind === 'error' ? 'alert' : 'status'}">${f.text}</div>`,
  );
  const scripts = (o.scripts ?? []).map((s) => html`<script src="/static/${s}" defer></script>`);
  return html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${o.csrf ?? ''}">
${o.refreshSeconds ? html`<meta http-equiv="refresh" content="${o.refreshSeconds}">` : ''}
<title>${o.title} — Aiguillage</title>
<link rel="stylesheet" href="/static/backoffice.css">
${join(scripts)}
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header class="top"><div class="brand"><a href="/">Aiguillage</a> <span>back-office</span></div>${nav}${who}</header>
<main id="contenu" tabindex="-1">
${join(flash)}
${o.body}
</main>
</body>
</html>`.value;
}
