// The actors' inbox: referrals by status (tabs), overdue ones first and flagged; one referral
// with its project, the reason of the orientation, its history, the holder's contact and the
// same actions as the e-mail links. A member sees only their actor's referrals (404 otherwise).
// Coordinators see all, and re-route what a deactivated actor or a "not for us" left behind.
import type { Request, Response, Router } from 'express';
import { performance } from 'node:perf_hooks';
import { TIER_LABELS } from '../../domain/decision.js';
import { NEED_LABELS, PROJECT_TYPE_LABELS, PROJECT_TYPES, SECTOR_LABELS, SECTORS, STAGE_LABELS, STAGES } from '../../domain/profile.js';
import {
  ACTION_LABELS,
  DECLINE_REASON_LABELS,
  DECLINE_REASONS,
  IMPLICIT_TAKE_CARE,
  REFERRAL_STATUSES,
  STATUS_LABELS,
  TRANSITIONS,
  type DeclineReason,
  type HistoryEntry,
  type Referral,
  type ReferralAction,
  type ReferralStatus,
} from '../../domain/referral.js';
import { LINK_LABELS } from '../../notifications/compose.js';
import { ReferralError } from '../../referrals/errors.js';
import type { Account } from '../../store/accountStore.js';
import { who } from '../accounts.js';
import { indexReady, render, type Deps } from '../context.js';
import { account, field, frenchDate, frenchDateTime, HttpError, notFound, query, state } from '../http.js';
import { SPAM_LABELS } from '../../referrals/spam.js';
import { STATUS_CODE, type ReferralIndex } from '../../stats/referralIndex.js';
import { capitalise } from '../../stats/breakdowns.js';
import { html, join, type SafeHtml } from '../views/html.js';
import { csrfField } from '../views/layout.js';
import { liveRuleNames, rulesVersionText } from '../ruleNames.js';
import { epciInScope, scopeOfAccount } from '../territories.js';

const DAY = 86_400_000;
const PAGE_SIZE = 50;
type ActorAction = Exclude<ReferralAction, 'expire'>;

const TABS = [
  { id: 'a-traiter', label: 'À traiter', statuses: ['pending'] as ReferralStatus[] },
  { id: 'en-cours', label: 'Prises en charge', statuses: ['taking_care'] as ReferralStatus[] },
  { id: 'closes', label: 'Closes', statuses: ['done', 'done_no_help', 'unreachable'] as ReferralStatus[] },
  { id: 'declinees', label: 'Déclinées ou expirées', statuses: ['declined', 'expired'] as ReferralStatus[] },
];
const REROUTE_TAB = 'a-reorienter';

const HISTORY_LABELS: Record<HistoryEntry['action'], string> = {
  create: 'Orientation créée',
  take_care: 'Prise en charge',
  decline: 'Déclinée',
  done: 'Accompagnement engagé',
  done_no_help: 'Close sans suite',
  unreachable: 'Porteur injoignable',
  expire: 'Expirée sans réponse',
  remind: 'Relance envoyée',
  check_in: 'Point d’étape demandé',
  escalate: 'Escaladée',
  reroute: 'Réorientée',
  review: 'À vérifier par la coordination',
  erase: 'Données effacées',
  anonymise: 'Données anonymisées',
};

function byText(by: string, deps: Deps): string {
  if (by === 'system') return 'Aiguillage (automatique)';
  if (by === 'holder') return 'Le porteur de projet';
  if (by.startsWith('actor:')) return deps.router.actorById(by.slice(6))?.name ?? by.slice(6);
  if (by.startsWith('coordinator:')) return `Coordination (${by.slice(12)})`;
  return by;
}

/** Actions an actor may take from this status: the e-mail links' set, in their order. */
const ACTOR_ACTIONS: readonly ActorAction[] = ['take_care', 'decline', 'done', 'done_no_help', 'unreachable'];

export function availableActions(status: ReferralStatus): ActorAction[] {
  return ACTOR_ACTIONS.filter(
    (a) => TRANSITIONS[a].from.includes(status) || (status === 'pending' && IMPLICIT_TAKE_CARE.includes(a)),
  );
}

const isOverdue = (createdAt: number, promisedDays: number, status: ReferralStatus, now: number) => status === 'pending' && now - createdAt > promisedDays * DAY;

/** The record, if this account may see it; 404 otherwise (no hint that it exists). */
async function visible(deps: Deps, me: Account, id: string): Promise<Referral> {
  const record = await deps.service.get(id);
  if (!record || (me.role !== 'coordinator' && record.actorId !== me.actorId)) throw notFound();
  // A territorial coordinator: only the projects located in their territories.
  if (me.role === 'coordinator' && !epciInScope(scopeOfAccount(me, deps.territories), record.profile.epci?.code)) throw notFound();
  return record;
}

function statusBadge(status: ReferralStatus): SafeHtml {
  const kind = status === 'pending' ? 'warn' : status === 'taking_care' || status === 'done' ? 'ok' : 'info';
  return html`<span class="badge ${kind}">${capitalise(STATUS_LABELS[status])}</span>`;
}

interface InboxLists {
  /** Rows per tab (the actor filter and the scope applied). */
  counts: Map<string, number>;
  /** A tab's rows, in index order. */
  rows(tab: string): Int32Array;
}

/** At most this many lists kept: one per coordinator's scope and structure filter recently looked at. */
const INBOX_MEMO_ENTRIES = 16;
const inboxMemo = new WeakMap<ReferralIndex, Map<string, { generation: number; lists: InboxLists }>>();
const TAB_OF_STATUS = Uint8Array.from(REFERRAL_STATUSES, (s) => TABS.findIndex((t) => t.statuses.includes(s)));
const PENDING = STATUS_CODE.get('pending')!;
const TAKING_CARE = STATUS_CODE.get('taking_care')!;

/**
 * The inbox's rows per tab, walked once per index generation (every `put` bumps it) for the same
 * filter and scope, rather than on every request (1,000,000 rows).
 */
function inboxLists(options: { index: ReferralIndex; coordinator: boolean; actorFilter: string; scopeEpcis: string[] | null; inactive: Set<string> }): InboxLists {
  const { index, coordinator, actorFilter, scopeEpcis, inactive } = options;
  const key = JSON.stringify([coordinator, actorFilter, scopeEpcis, coordinator ? [...inactive].sort() : null]);
  let memo = inboxMemo.get(index);
  if (!memo) inboxMemo.set(index, (memo = new Map()));
  const hit = memo.get(key);
  if (hit && hit.generation === index.generation) return hit.lists;

  const actorCode = actorFilter ? index.actors.find(actorFilter) : 0;
  // Dictionary codes as flags (null: regional, every row).
  const inScope = scopeEpcis ? new Uint8Array(index.epcis.size + 1) : null;
  for (const e of scopeEpcis ?? []) {
    const c = index.epcis.find(e);
    if (c >= 0) inScope![c] = 1;
  }
  const inactiveCode = new Uint8Array(index.actors.size + 1);
  for (const id of inactive) {
    const c = index.actors.find(id);
    if (c >= 0) inactiveCode[c] = 1;
  }
  const tabs = TABS.length;
  const REROUTE = tabs; // its own list, after the status tabs
  // Each row's tab (255: not shown), then the lists filled in one go.
  const tabOf = new Uint8Array(index.size);
  const reroute = new Uint8Array(index.size);
  const sizes = new Int32Array(tabs + 1);
  const actor = index.actor.data;
  const epci = index.epci.data;
  const status = index.status.data;
  const review = index.review.data;
  for (let i = 0; i < index.size; i += 1) {
    if ((actorFilter && actor[i] !== actorCode) || (inScope && inScope[epci[i]!] !== 1)) {
      tabOf[i] = 255;
      continue;
    }
    const s = status[i]!;
    const t = TAB_OF_STATUS[s]!;
    tabOf[i] = t;
    sizes[t]! += 1;
    if (coordinator && (review[i] === 1 || (inactiveCode[actor[i]!] === 1 && (s === PENDING || s === TAKING_CARE)))) {
      reroute[i] = 1;
      sizes[REROUTE]! += 1;
    }
  }
  const lists = Array.from(sizes, (n) => new Int32Array(n));
  const fill = new Int32Array(tabs + 1);
  for (let i = 0; i < index.size; i += 1) {
    const t = tabOf[i]!;
    if (t === 255) continue;
    lists[t]![fill[t]!++] = i;
    if (reroute[i]) lists[REROUTE]![fill[REROUTE]!++] = i;
  }
  const counts = new Map<string, number>(TABS.map((t, k) => [t.id, sizes[k]!]));
  if (coordinator) counts.set(REROUTE_TAB, sizes[REROUTE]!);
  const result: InboxLists = {
    counts,
    rows: (tab) => (tab === REROUTE_TAB ? lists[REROUTE]! : lists[TABS.findIndex((t) => t.id === tab)]!),
  };
  memo.delete(key);
  if (memo.size >= INBOX_MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
  memo.set(key, { generation: index.generation, lists: result });
  return result;
}

/** Beyond this many rows before a page's end, the whole tab is sorted rather than selected. */
const SELECT_UP_TO = 2_000;

/**
 * The first `count` of `rows` in the order `before` (a strict total order), without sorting them
 * all: a page of 50 out of 100,000 pending requests costs one pass.
 */
function firstOf(rows: Int32Array, count: number, before: (a: number, b: number) => boolean): number[] {
  if (count > SELECT_UP_TO || count >= rows.length) return Array.from(rows).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).slice(0, count);
  const top: number[] = [];
  for (let k = 0; k < rows.length; k += 1) {
    const x = rows[k]!;
    if (top.length === count && !before(x, top[count - 1]!)) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(top[mid]!, x)) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, x);
    if (top.length > count) top.pop();
  }
  return top;
}

export function mountInbox(app: Router, deps: Deps): void {
  app.get('/', (_req, res) => res.redirect(303, '/orientations'));

  app.get('/orientations', async (req: Request, res: Response) => {
    const started = performance.now();
    const me = account(res);
    const coordinator = me.role === 'coordinator';
    const index = deps.stats.referrals;
    if (!(await indexReady(deps, res, index.sync(deps.store), 'Orientations'))) return;
    const tabId = query(req, 'onglet') || 'a-traiter';
    const tab = TABS.find((t) => t.id === tabId);
    if (!tab && !(coordinator && tabId === REROUTE_TAB)) throw notFound();
    const actorFilter = coordinator ? query(req, 'structure') : (me.actorId ?? '');
    const actorCode = actorFilter ? index.actors.find(actorFilter) : 0;
    const now = deps.now().getTime();
    const scope = scopeOfAccount(me, deps.territories);

    // Which rows, and the count per tab (same actor filter): kept while the index does not change.
    const inactive = new Set(deps.router.actors().filter((a) => !a.active).map((a) => a.id));
    const lists = inboxLists({ index, coordinator, actorFilter, scopeEpcis: scope.regional ? null : [...scope.epcis].sort(), inactive });
    const counts = lists.counts;
    const tabKey = tab?.id ?? REROUTE_TAB;
    const status = index.status.data;
    const promisedDays = index.promisedDays.data;
    // isOverdue() on the columns: called for every row of the tab.
    const overdue = (i: number) => status[i] === PENDING && now - index.createdAt.data[i]! > promisedDays[i]! * DAY;
    const tabRows = lists.rows(tabKey);
    // Overdue first (only pending ones can be), then by date: the oldest request first in « à traiter »,
    // the latest change first elsewhere; equal ones in index order (as a stable sort left them).
    const created = index.createdAt.data;
    const statusAt = index.statusAt.data;
    const mayBeLate = tabKey === 'a-traiter' || tabKey === REROUTE_TAB;
    let lateCount = 0;
    if (mayBeLate) for (let k = 0; k < tabRows.length; k += 1) if (overdue(tabRows[k]!)) lateCount += 1;
    const before = (a: number, b: number): boolean => {
      if (mayBeLate) {
        const la = overdue(a);
        if (la !== overdue(b)) return la;
      }
      const ka = tabKey === 'a-traiter' ? created[a]! : -statusAt[a]!;
      const kb = tabKey === 'a-traiter' ? created[b]! : -statusAt[b]!;
      return ka !== kb ? ka < kb : a < b;
    };
    const total = tabRows.length;
    const pageNumber = Math.max(1, Number.parseInt(query(req, 'page') || '1', 10) || 1);
    const shown = firstOf(tabRows, pageNumber * PAGE_SIZE, before).slice((pageNumber - 1) * PAGE_SIZE);

    const link = (params: Record<string, string | number>) => {
      const p = new URLSearchParams();
      if (coordinator && actorFilter) p.set('structure', actorFilter);
      for (const [k, v] of Object.entries(params)) p.set(k, String(v));
      return `/orientations?${p}`;
    };
    const tabs = [...TABS.map((t) => ({ id: t.id, label: t.label })), ...(coordinator ? [{ id: REROUTE_TAB, label: 'À réorienter' }] : [])];
    const project = (i: number) => {
      const sector = index.sector.data[i]! ? SECTOR_LABELS[SECTORS[index.sector.data[i]! - 1]!] : 'secteur non précisé';
      const stage = index.stage.data[i]! ? STAGE_LABELS[STAGES[index.stage.data[i]! - 1]!].toLowerCase() : 'stade non précisé';
      const type = index.projectType.data[i]! ? PROJECT_TYPE_LABELS[PROJECT_TYPES[index.projectType.data[i]! - 1]!].toLowerCase() : '';
      const commune = index.communes.value(index.commune.data[i]!);
      return `${sector}, ${stage}${type ? `, ${type}` : ''}${commune ? ` — ${index.placeNames.get(commune) ?? commune}` : ''}`;
    };
    const actorOptions = deps.router
      .actors()
      .slice()
      .sort((a, b) => a.name.localeCompare(b.name, 'fr'))
      .map((a) => html`<option value="${a.id}"${a.id === actorFilter ? html` selected` : ''}>${a.name}${a.active ? '' : ' (désactivée)'}</option>`);

    render(deps, res, {
      title: 'Orientations',
      active: 'orientations',
      body: html`<h1>Orientations${!coordinator && me.actorId ? html` — ${deps.router.actorById(me.actorId)?.name ?? me.actorId}` : ''}</h1>
        ${coordinator
          ? html`<form method="get" action="/orientations" class="filters"><input type="hidden" name="onglet" value="${tabId}">
              <div><label for="structure">Structure</label><select id="structure" name="structure"><option value="">Toutes les structures</option>${actorOptions}</select></div>
              <div><button type="submit" class="secondary">Filtrer</button></div></form>`
          : ''}
        <nav aria-label="Statuts"><ul class="tabs">${tabs.map(
          (t) => html`<li><a href="${link({ onglet: t.id })}"${t.id === tabId ? html` aria-current="page"` : ''}>${t.label} (${counts.get(t.id) ?? 0})</a></li>`,
        )}</ul></nav>
        ${lateCount ? html`<p><span class="badge late">${lateCount} en retard</span> Délai de recontact promis dépassé : elles sont en tête de liste.</p>` : ''}
        ${shown.length === 0
          ? html`<p>Aucune orientation dans cet onglet.</p>`
          : html`<table><caption>${tabs.find((t) => t.id === tabId)!.label} : ${total} orientation${total > 1 ? 's' : ''}</caption>
              <thead><tr><th scope="col">Référence</th><th scope="col">Reçue le</th>${coordinator ? html`<th scope="col">Structure</th>` : ''}<th scope="col">Projet</th><th scope="col">Statut</th><th scope="col">Délai promis</th></tr></thead>
              <tbody>${shown.map((i) => {
                const late = overdue(i);
                const actorId = index.actors.value(index.actor.data[i]!) ?? '';
                return html`<tr${late ? html` class="late"` : ''}><td><a href="/orientations/${index.ids[i]!}">${index.ids[i]!}</a></td>
                  <td>${frenchDate(index.createdAt.data[i]!)}</td>
                  ${coordinator ? html`<td>${deps.router.actorById(actorId)?.name ?? actorId}${inactive.has(actorId) ? html` <span class="badge late">désactivée</span>` : ''}</td>` : ''}
                  <td>${project(i)}</td>
                  <td>${statusBadge(index.statusOf(i))}${index.review.data[i] ? html` <span class="badge warn">à vérifier</span>` : ''}${coordinator && index.spamSignals(i).length ? html` <span class="badge warn">test ou spam ?</span>` : ''}${late ? html` <span class="badge late">en retard de ${Math.floor((now - index.createdAt.data[i]!) / DAY - index.promisedDays.data[i]!)} j</span>` : ''}</td>
                  <td class="num">${index.promisedDays.data[i]!} j</td></tr>`;
              })}</tbody></table>`}
        ${total > PAGE_SIZE
          ? html`<nav class="pager" aria-label="Pages">${pageNumber > 1 ? html`<a href="${link({ onglet: tabId, page: pageNumber - 1 })}">Page précédente</a>` : ''}
              <span>Page ${pageNumber} sur ${Math.ceil(total / PAGE_SIZE)}</span>
              ${pageNumber * PAGE_SIZE < total ? html`<a href="${link({ onglet: tabId, page: pageNumber + 1 })}">Page suivante</a>` : ''}</nav>`
          : ''}`,
    }, 200, started);
  });

  app.get('/orientations/:id', async (req, res) => {
    const me = account(res);
    const record = await visible(deps, me, String(req.params.id));
    const coordinator = me.role === 'coordinator';
    const csrf = state(res).session?.csrf ?? null;
    const dossier = (await deps.service.byReference(record.reference)).filter((r) => r.id !== record.id);
    const ruleName = await liveRuleNames(deps); // rules read in words, never by their id
    const p = record.profile;
    const late = isOverdue(Date.parse(record.createdAt), record.promisedDays, record.status, deps.now().getTime());
    const actor = deps.router.actorById(record.actorId);
    const partner = record.partnerId ? (deps.partners.get(record.partnerId)?.name ?? record.partnerId) : 'aucun';
    const actions = availableActions(record.status);
    const others = deps.router
      .actors()
      .filter((a) => a.active && a.id !== record.actorId)
      .sort((a, b) => a.name.localeCompare(b.name, 'fr'));

    const actionForms = actions
      .filter((a) => a !== 'decline')
      .map(
        (a) => html`<form method="post" action="/orientations/${record.id}/action">${csrfField(csrf)}<input type="hidden" name="action" value="${a}"><button type="submit"${a === 'take_care' ? '' : html` class="secondary"`}>${LINK_LABELS[a]}</button></form>`,
      );
    const declineForm = actions.includes('decline')
      ? html`<details><summary>${LINK_LABELS.decline}</summary>
          <form method="post" action="/orientations/${record.id}/action">${csrfField(csrf)}<input type="hidden" name="action" value="decline">
            <fieldset><legend>Motif</legend>${DECLINE_REASONS.map(
              (r, i) => html`<label class="check"><input type="radio" name="reason" value="${r}"${i === 0 ? html` required` : ''}> ${DECLINE_REASON_LABELS[r]}</label>`,
            )}</fieldset>
            <label for="shouldGoTo">Cette demande devrait plutôt aller à (facultatif)</label>
            <select id="shouldGoTo" name="shouldGoTo"><option value="">— Je ne sais pas —</option>${others.map((a) => html`<option value="${a.id}">${a.name}</option>`)}</select>
            <label for="comment">Commentaire pour la coordination (facultatif, sans données personnelles)</label>
            <textarea id="comment" name="comment" rows="3" maxlength="500"></textarea>
            <p><button type="submit" class="danger">Décliner l’orientation</button></p>
          </form></details>`
      : '';
    // Structures that already have the request are not offered: sending it there would do nothing.
    const holding = new Map(dossier.filter((r) => r.status === 'pending' || r.status === 'taking_care').map((r) => [r.actorId, r] as const));
    const suggested = record.review?.actorId ?? record.decline?.shouldGoTo ?? null;
    const suggestedHolds = suggested ? holding.get(suggested) : undefined;
    const canReroute = coordinator && ((['declined', 'expired'] as ReferralStatus[]).includes(record.status) || (record.status === 'pending' && actor?.active === false));
    const rerouteForm = canReroute
      ? html`<h2>Réorienter</h2>
          <p>${record.status === 'pending' ? 'Cette structure est désactivée : la demande lui est retirée (motif « autre », noté comme décision de la coordination) et confiée à la structure choisie.' : 'Confier la demande à une autre structure ; l’historique lui est transmis et le porteur est prévenu.'}</p>
          <form method="post" action="/orientations/${record.id}/reorienter">${csrfField(csrf)}
            <label for="target">Nouvelle structure</label>
            ${suggestedHolds ? html`<p class="hint">La structure suggérée, ${suggestedHolds.actorName}, a déjà cette demande (${STATUS_LABELS[suggestedHolds.status]}) : si rien d’autre n’est à faire, marquez le cas comme vérifié.</p>` : ''}
            <select id="target" name="actorId" required><option value="">— Choisir —</option>${others.filter((a) => !holding.has(a.id)).map(
              (a) => html`<option value="${a.id}"${suggested === a.id ? html` selected` : ''}>${a.name}</option>`,
            )}</select>
            <p><button type="submit">Réorienter</button></p></form>`
      : coordinator && record.status === 'taking_care' && actor?.active === false
        ? html`<p class="flash error">Cette structure est désactivée alors qu’elle suivait la demande : vérifiez avec elle la suite donnée avant de clore.</p>`
        : '';

    await deps.stats.referrals.sync(deps.store);
    const slot = deps.stats.referrals.slotOf(record.id);
    const signals = coordinator && slot !== undefined ? deps.stats.referrals.spamSignals(slot) : [];
    const spamNote = signals.length
      ? html`<div class="flash error" role="note"><p><strong>Cette demande ressemble peut-être à un test ou à un envoi abusif :</strong></p><ul>${signals.map(
          (k) => html`<li>${SPAM_LABELS[k]}${k === 'repeated' ? ` (${deps.stats.referrals.sameContactRequests(slot!)} demandes)` : ''}</li>`,
        )}</ul><p>Rien n’a été écarté automatiquement : vérifiez, puis la structure peut la décliner avec le motif « ${DECLINE_REASON_LABELS.demande_non_serieuse} ».</p></div>`
      : '';
    const reviewForm =
      coordinator && record.review
        ? html`<h2>Marquer comme vérifié</h2><p>Si rien d’autre n’est à faire (la demande est suivie ailleurs, le porteur a été contacté…), levez le cas « à vérifier » avec une note : elle reste dans l’historique.</p>
          <form method="post" action="/orientations/${record.id}/verifier">${csrfField(csrf)}
            <label for="note">Note (ce qui a été vérifié ou décidé, sans données personnelles)</label>
            <textarea id="note" name="note" rows="3" maxlength="500" required></textarea>
            <p><button type="submit" class="secondary">Marquer comme vérifié</button></p></form>`
        : '';
    const words = record.description?.trim() || null; // the holder's own words, when given

    const contact = record.contact
      ? html`<dl class="summary"><dt>Nom</dt><dd>${record.contact.name}</dd>
          <dt>E-mail</dt><dd>${record.contact.email ? html`<a href="mailto:${record.contact.email}">${record.contact.email}</a>` : '—'}</dd>
          <dt>Téléphone</dt><dd>${record.contact.phone ? html`<a href="tel:${record.contact.phone.replace(/[^0-9+]/g, '')}">${record.contact.phone}</a>` : '—'}</dd>
          <dt>Préfère</dt><dd>${record.contact.channel === 'email' ? 'être contacté(e) par e-mail' : record.contact.channel === 'phone' ? 'être appelé(e)' : 'e-mail ou téléphone'}${record.contact.preferredTime ? `, ${record.contact.preferredTime}` : ''}</dd>
          <dt>Consentement</dt><dd>${record.consent ? `donné le ${frenchDateTime(record.consent.at)}` : '—'}</dd></dl>`
      : html`<p>Les coordonnées du porteur ont été effacées (${record.erasedAt ? 'à sa demande' : 'durée de conservation atteinte'}).</p>`;

    render(deps, res, {
      title: `Orientation ${record.id}`,
      active: 'orientations',
      body: html`<p><a href="/orientations">← Toutes les orientations</a></p>
        <h1>Orientation ${record.id}</h1>
        <p>${statusBadge(record.status)} ${late ? html`<span class="badge late">Délai de recontact dépassé</span>` : ''} ${record.review ? html`<span class="badge warn">À vérifier par la coordination</span>` : ''}</p>
        ${spamNote}
        <div class="grid2"><section aria-labelledby="h-projet"><h2 id="h-projet">Le projet</h2>
          <dl class="summary">
            <dt>Reçue le</dt><dd>${frenchDateTime(record.createdAt)}</dd>
            <dt>Structure</dt><dd>${record.actorName} (${TIER_LABELS[record.tier as 'local' | 'expert'] ?? 'tête de réseau'})</dd>
            <dt>Recontact promis</dt><dd>sous ${record.promisedDays} jours (avant le ${frenchDate(Date.parse(record.createdAt) + record.promisedDays * DAY)})</dd>
            <dt>Stade</dt><dd>${p.stage ? STAGE_LABELS[p.stage] : 'non précisé'}</dd>
            <dt>Secteur</dt><dd>${p.sector ? SECTOR_LABELS[p.sector] : 'non précisé'}</dd>
            <dt>Forme</dt><dd>${p.projectType ? PROJECT_TYPE_LABELS[p.projectType] : 'non précisée'}</dd>
            <dt>Besoins</dt><dd>${p.needs.length ? p.needs.map((n) => NEED_LABELS[n]).join(', ') : 'aucun besoin particulier exprimé'}</dd>
            <dt>Commune</dt><dd>${p.commune ? `${p.commune.nom} (${p.commune.code})` : 'non précisée'}</dd>
            <dt>Intercommunalité</dt><dd>${p.epci?.nom ?? 'non précisée'}</dd>
            <dt>Site partenaire</dt><dd>${partner}</dd>
          </dl>
          ${words ? html`<h2>Le projet en ses mots</h2><blockquote class="words">${words}</blockquote>` : ''}
          <h2>Pourquoi cette orientation</h2>
          <p>${record.reason}</p>
          <p class="hint">Règle « ${ruleName(record.ruleId)} », ${rulesVersionText(deps, record.decision.rulesVersion)}${record.decision.fallback ? ' (recours : aucune règle d’orientation ne couvrait ce projet)' : ''}.</p>
        </section>
        <section aria-labelledby="h-contact"><h2 id="h-contact">Contacter le porteur</h2>${contact}
          ${actions.length ? html`<h2>Suite donnée</h2><div class="actions">${join(actionForms)}</div>${declineForm}` : html`<p>Cette orientation est close : ${STATUS_LABELS[record.status]} le ${frenchDateTime(record.statusAt)}.</p>`}
          ${record.decline ? html`<p>Motif du refus : ${DECLINE_REASON_LABELS[record.decline.reason]}${record.decline.shouldGoTo ? html` ; aurait dû aller à ${deps.router.actorById(record.decline.shouldGoTo)?.name ?? record.decline.shouldGoTo}` : ''}${record.decline.comment ? html` — « ${record.decline.comment} »` : ''}.</p>` : ''}
          ${rerouteForm}
          ${reviewForm}
        </section></div>
        <h2>Historique</h2>
        <table><caption>Historique de l’orientation ${record.id}</caption><thead><tr><th scope="col">Date</th><th scope="col">Étape</th><th scope="col">Par</th><th scope="col">Statut</th><th scope="col">Précision</th></tr></thead>
        <tbody>${record.history.map(
          (h) => html`<tr><td>${frenchDateTime(h.at)}</td><td>${h.action === 'review' && h.by.startsWith('coordinator:') ? 'Vérifiée par la coordination' : HISTORY_LABELS[h.action]}</td><td>${byText(h.by, deps)}</td><td>${h.from && h.from !== h.to ? `${STATUS_LABELS[h.from]} → ` : ''}${STATUS_LABELS[h.to]}</td>
            <td>${h.reason ? (DECLINE_REASONS.includes(h.reason as DeclineReason) ? DECLINE_REASON_LABELS[h.reason as DeclineReason] : h.reason.replace(/^règle ([a-z0-9-]+)$/, (_m, id: string) => `règle « ${ruleName(id)} »`)) : ''}${h.relatedId ? ` (${h.relatedId})` : ''}</td></tr>`,
        )}</tbody></table>
        ${dossier.length
          ? html`<h2>Les autres structures sollicitées pour cette demande</h2><ul>${dossier.map(
              (r) => html`<li>${coordinator ? html`<a href="/orientations/${r.id}">${r.id}</a> — ` : ''}${r.actorName} : ${STATUS_LABELS[r.status]} (depuis le ${frenchDate(r.statusAt)})</li>`,
            )}</ul>`
          : ''}`,
    });
  });

  app.post('/orientations/:id/action', async (req, res) => {
    const me = account(res);
    const record = await visible(deps, me, String(req.params.id));
    const action = field(req, 'action') as ActorAction;
    // Unknown actions are refused here; known ones in the wrong status get the service's French reason.
    if (!(ACTOR_ACTIONS as readonly string[]).includes(action)) throw new HttpError(400, 'Action inconnue', 'Cette action n’existe pas.');
    // Same signature as the e-mail links when a member acts; coordinators sign as themselves.
    const by = me.role === 'coordinator' ? `coordinator:${me.email}` : `actor:${record.actorId}`;
    try {
      if (action === 'decline') {
        const reason = field(req, 'reason');
        if (!DECLINE_REASONS.includes(reason as DeclineReason)) throw new ReferralError('invalid_input', 'Choisissez un motif de refus dans la liste.');
        await deps.service.decline(record.id, { reason: reason as DeclineReason, shouldGoTo: field(req, 'shouldGoTo') || null, comment: field(req, 'comment') || null }, by);
      } else {
        await deps.service.transition(record.id, action, by);
      }
    } catch (error) {
      if (!(error instanceof ReferralError)) throw error;
      deps.flash.add(res, 'error', error.message);
      return res.redirect(303, `/orientations/${record.id}`);
    }
    await deps.audit.record({ by: who(me), action: `referral.${action}`, target: record.id, summary: `Orientation ${record.id} : ${ACTION_LABELS[action]}.` });
    deps.flash.add(res, 'ok', `C’est enregistré : ${ACTION_LABELS[action]}.`);
    res.redirect(303, `/orientations/${record.id}`);
  });

  app.post('/orientations/:id/verifier', async (req, res) => {
    const me = account(res);
    if (me.role !== 'coordinator') throw notFound();
    const record = await visible(deps, me, String(req.params.id));
    const note = field(req, 'note');
    try {
      await deps.service.clearReview(record.id, note, `coordinator:${me.email}`);
    } catch (error) {
      if (!(error instanceof ReferralError)) throw error;
      deps.flash.add(res, 'error', error.message);
      return res.redirect(303, `/orientations/${record.id}`);
    }
    await deps.audit.record({ by: who(me), action: 'referral.review-cleared', target: record.id, summary: `Orientation ${record.id} : cas « à vérifier » levé.` });
    deps.flash.add(res, 'ok', 'C’est enregistré : le cas n’est plus « à vérifier » ; votre note est dans l’historique.');
    res.redirect(303, `/orientations/${record.id}`);
  });

  app.post('/orientations/:id/reorienter', async (req, res) => {
    const me = account(res);
    if (me.role !== 'coordinator') throw notFound();
    const record = await visible(deps, me, String(req.params.id));
    const target = field(req, 'actorId');
    const by = `coordinator:${me.email}`;
    const holds = (dossier: Referral[]) => dossier.find((r) => r.actorId === target && (r.status === 'pending' || r.status === 'taking_care'));
    try {
      const chosen = deps.router.actorById(target);
      if (!chosen?.active) throw new ReferralError('unknown_actor', 'Choisissez une structure active.');
      // Sending the request to who already has it would do nothing: say so, change nothing.
      const holder = holds(await deps.service.byReference(record.reference));
      if (holder) {
        throw new ReferralError(
          'invalid_transition',
          `Réorientation refusée : ${chosen.name} a déjà cette demande (${holder.id}, ${STATUS_LABELS[holder.status]} depuis le ${frenchDate(holder.statusAt)}). Rien n’a été modifié. Choisissez une autre structure, ou, si rien d’autre n’est à faire, marquez le cas comme vérifié avec une note.`,
        );
      }
      if (record.status === 'pending') {
        if (deps.router.actorById(record.actorId)?.active !== false) throw new ReferralError('invalid_transition', 'Cette structure est active : c’est à elle de prendre en charge ou de décliner.');
        await deps.service.decline(record.id, { reason: 'autre', shouldGoTo: target, comment: 'Structure désactivée : réorientation par la coordination.' }, by);
      }
      // A decline naming the next tier's actor has already handed the request over.
      if (!holds(await deps.service.byReference(record.reference))) await deps.service.reroute(record.id, target, by);
    } catch (error) {
      if (!(error instanceof ReferralError)) throw error;
      deps.flash.add(res, 'error', error.message);
      return res.redirect(303, `/orientations/${record.id}`);
    }
    const name = deps.router.actorById(target)!.name;
    await deps.audit.record({ by: who(me), action: 'referral.reroute', target: record.id, summary: `Demande ${record.reference} réorientée de ${record.actorName} vers ${name}.`, details: { to: target } });
    deps.flash.add(res, 'ok', `Demande réorientée vers ${name}.`);
    res.redirect(303, `/orientations/${record.id}`);
  });
}
