// The published offer as one French HTML page: who accompanies ESS projects in the territory,
// filterable by stage and sector with a plain GET form (no script), then the état des lieux for
// decision makers (stages in rows, sectors in columns, a mark and a word in each cell, never
// colour alone), then the open data. Every value is escaped by html``.
import { SECTOR_LABELS, SECTORS, STAGE_LABELS, STAGES, type Sector, type Stage } from '../domain/profile.js';
import type { Role } from '../domain/actor.js';
import { attr, html, raw, type SafeHtml } from '../html.js';
import { LICENCE } from './dataInclusion.js';
import { matches, type OfferFilter, type OfferModel, type OfferStructure } from './model.js';
import type { OfferState, StateCell } from './state.js';
import { OFFER_CSS } from './styles.js';

export interface PageContext {
  /** Named territories that have their own page, for the links between pages. */
  territories: Array<{ id: string; nom: string }>;
  /** Where to write about the offer (the coordination), when configured. */
  contact?: string;
  /** Day the directory last changed, already in French (« 4 décembre 2026 »). */
  updated: string;
}

const ROLE_SECTIONS: Record<Role, { title: string; hint: string }> = {
  local: {
    title: 'Près de chez vous : l’accueil généraliste',
    hint: 'Services économiques des intercommunalités, chambres consulaires, Mission Locale : le premier accueil de tout créateur, qui connaît le territoire.',
  },
  expert: {
    title: 'Les structures spécialisées de l’ESS',
    hint: 'Émergence des projets, coopératives, financement solidaire, consolidation des structures employeuses.',
  },
  reseau: {
    title: 'La tête de réseau régionale',
    hint: 'Accueille, informe et oriente tout porteur de projet de l’ESS de la région, en particulier quand aucune autre structure ne répond.',
  },
};

/** Stage tags on the cards: the first word of the label (the select and the table say it in full). */
const STAGE_SHORT: Record<Stage, string> = { idee: 'Idée', creation: 'Création', developpement: 'Développement' };

const frenchNumber = (n: number) => n.toLocaleString('fr-FR');
const plural = (n: number, one: string, many: string) => `${frenchNumber(n)} ${n > 1 ? many : one}`;

export function pagePath(model: Pick<OfferModel, 'scope'>): string {
  return model.scope.id ? `/offre/${model.scope.id}` : '/offre';
}

function query(params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** `state` null: the état des lieux is still being computed. */
export function renderOfferPage(model: OfferModel, state: OfferState | null, filter: OfferFilter, context: PageContext): string {
  const where = model.scope.id ? model.scope.name : `Pays de la Loire, tous territoires`;
  const title = `L’offre d’accompagnement des projets de l’ESS — ${model.scope.name}`;
  const body = html`
<nav aria-label="Fil d’Ariane"><ol class="crumbs">${
    model.scope.id
      ? html`<li><a href="/offre">L’offre dans la région</a></li><li aria-current="page">${model.scope.name}</li>`
      : html`<li aria-current="page">L’offre dans la région</li>`
  }</ol></nav>
<h1>Accompagner les projets de l’économie sociale et solidaire<span class="where">${where}</span></h1>
<p class="lead">${intro(model)}</p>
<p class="callout"><strong>Vous avez un projet ?</strong> Contactez une structure depuis son site, ou décrivez votre projet à Aiguillage dans la fenêtre de discussion « Un projet ESS ? Discutons-en » du site de votre territoire : il vous dira qui peut vous accompagner et transmettra votre demande, avec votre accord.</p>
${otherTerritories(model, context)}
<nav aria-label="Sur cette page"><ul class="toc"><li><a href="#structures">Les structures</a></li><li><a href="#etat-des-lieux">État des lieux de l’offre</a></li><li><a href="#donnees">Données ouvertes</a></li></ul></nav>
${structuresSection(model, filter)}
${stateSection(model, state)}
${openDataSection(model)}`;
  return layout(title, body, context);
}

function intro(model: OfferModel): string {
  const n = plural(model.structures.length, 'structure accompagne', 'structures accompagnent');
  if (!model.scope.id) {
    return `${n} les porteurs de projet de l’économie sociale et solidaire dans les ${frenchNumber(model.communes)} communes des Pays de la Loire : ce qu’elles proposent, à quel stade du projet et pour quels secteurs.`;
  }
  const epcis = model.epcis.map((e) => e.nom).join(', ');
  return `${n} les porteurs de projet de l’économie sociale et solidaire dans les ${frenchNumber(model.communes)} communes du territoire (${epcis}) : ce qu’elles proposent, à quel stade du projet et pour quels secteurs.`;
}

function otherTerritories(model: OfferModel, context: PageContext): SafeHtml | string {
  if (model.scope.id || context.territories.length === 0) return '';
  return html`<p>L’offre par territoire, avec l’état des lieux de chacun :</p><ul class="territories">${context.territories.map(
    (t) => html`<li><a href="/offre/${t.id}">${t.nom}</a></li>`,
  )}</ul>`;
}

// ── the structures ───────────────────────────────────────────────────────────────────────────

function structuresSection(model: OfferModel, filter: OfferFilter): SafeHtml {
  const path = pagePath(model);
  const shown = model.structures.filter((s) => matches(s, filter));
  const stageOptions = STAGES.map((s) => html`<option value="${s}"${attr('selected', filter.stage === s)}>${STAGE_LABELS[s]}</option>`);
  const sectorOptions = SECTORS.map((s) => html`<option value="${s}"${attr('selected', filter.sector === s)}>${SECTOR_LABELS[s]}</option>`);
  const filtered = filter.stage !== null || filter.sector !== null;
  const groups = (['local', 'expert', 'reseau'] as const)
    .map((role) => ({ role, items: shown.filter((s) => s.role === role) }))
    .filter((g) => g.items.length > 0);
  return html`<section aria-labelledby="structures">
<h2 id="structures">Les structures</h2>
<form class="filters" method="get" action="${path}#structures">
<div class="field"><label for="stade">Stade du projet</label><select id="stade" name="stade"><option value="">Tous les stades</option>${stageOptions}</select></div>
<div class="field"><label for="secteur">Secteur d’activité</label><select id="secteur" name="secteur"><option value="">Tous les secteurs</option>${sectorOptions}</select></div>
<div class="actions"><button type="submit">Afficher les structures</button>${filtered ? html`<a href="${path}#structures">Voir toutes les structures</a>` : ''}</div>
</form>
<p class="count">${countSentence(shown.length, model.structures.length, filter)}</p>
${
  groups.length === 0
    ? html`<p class="empty">Aucune structure de l’annuaire ne déclare ce stade et ce secteur ici. La tête de réseau régionale de l’ESS oriente tout porteur de projet : <a href="${path}#structures">voir toutes les structures</a>.</p>`
    : groups.map(
        (g) => html`<h3>${ROLE_SECTIONS[g.role].title}</h3><p class="hint">${ROLE_SECTIONS[g.role].hint}</p><ul class="cards">${g.items.map(card)}</ul>`,
      )
}
</section>`;
}

function countSentence(shown: number, total: number, filter: OfferFilter): string {
  if (filter.stage === null && filter.sector === null) return `${plural(total, 'structure', 'structures')}.`;
  const parts: string[] = [];
  if (filter.stage) parts.push(`au stade « ${STAGE_LABELS[filter.stage]} »`);
  if (filter.sector) parts.push(`dans le secteur « ${SECTOR_LABELS[filter.sector]} »`);
  return `${plural(shown, 'structure', 'structures')} sur ${frenchNumber(total)} pour un projet ${parts.join(' ')}.`;
}

function card(s: OfferStructure): SafeHtml {
  const sectors = s.sectors === 'all' ? 'Tous les secteurs' : s.sectors.map((x) => SECTOR_LABELS[x]).join(' ; ');
  const zones = s.zones.map((z) => z.label).join(', ') + (s.excludedZones.length ? ` (sauf ${s.excludedZones.map((z) => z.label).join(', ')})` : '');
  const site = s.website ? new URL(s.website).host : null;
  return html`<li class="card" id="structure-${s.id}"><h4>${s.name}</h4><p>${s.offer}</p><dl>
<dt>Stades</dt><dd>${s.stages.map((st) => html`<span class="tag">${STAGE_SHORT[st]}</span>`)}</dd>
<dt>Secteurs</dt><dd>${sectors}</dd>
${s.publics ? html`<dt>Public</dt><dd>${s.publics}</dd>` : ''}
<dt>Intervient</dt><dd>${zones}</dd>
<dt>Contact</dt><dd>${site ? html`<a href="${s.website}">${site}</a>` : 'par Aiguillage (pas de site internet connu)'}</dd>
</dl>${s.toConfirm ? html`<p class="note">Informations en cours de vérification auprès de la structure.</p>` : ''}</li>`;
}

// ── the état des lieux ───────────────────────────────────────────────────────────────────────

type Level = 'ok' | 'mid' | 'bad';
const MARKS: Record<Level, string> = { ok: '✔', mid: '◐', bad: '✖' };

function cellView(cell: StateCell): { level: Level; word: string; detail: string | null } {
  if (cell.communes === 0) return { level: 'bad', word: 'Non', detail: null };
  if (cell.expert === cell.communes) return { level: 'ok', word: 'Oui', detail: null };
  if (cell.none === cell.communes) return { level: 'bad', word: 'Non', detail: null };
  if (cell.networkOnly === cell.communes) return { level: 'mid', word: 'Accueil seul', detail: null };
  const parts = [];
  if (cell.expert) parts.push(`spécialisée dans ${frenchNumber(cell.expert)}`);
  if (cell.networkOnly) parts.push(`accueil seul dans ${frenchNumber(cell.networkOnly)}`);
  if (cell.none) parts.push(`aucune dans ${frenchNumber(cell.none)}`);
  return { level: cell.none ? 'bad' : 'mid', word: 'Partiel', detail: `${parts.join(', ')} (sur ${frenchNumber(cell.communes)} communes)` };
}

function stateSection(model: OfferModel, state: OfferState | null): SafeHtml {
  if (!state) {
    return html`<section aria-labelledby="etat-des-lieux">
<h2 id="etat-des-lieux">État des lieux de l’offre</h2>
<p class="empty">L’état des lieux est en cours de calcul (Aiguillage simule la demande d’un porteur de projet dans chacune des ${frenchNumber(model.communes)} communes) : rechargez la page dans une minute.</p>
</section>`;
  }
  const path = pagePath(model);
  const names = new Map(model.structures.map((s) => [s.id, { name: s.name, expert: s.role === 'expert' }]));
  const header = SECTORS.map((s) => html`<th scope="col"><a href="${path}${query({ secteur: s })}#structures">${SECTOR_LABELS[s]}</a></th>`);
  const rows = STAGES.map((stage) => {
    const cells = SECTORS.map((sector) => {
      const view = cellView(state.cells.find((c) => c.stage === stage && c.sector === sector)!);
      return html`<td class="${view.level}"><span class="mark" aria-hidden="true">${MARKS[view.level]}</span>${view.word}${view.detail ? html`<small>${view.detail}</small>` : ''}</td>`;
    });
    return html`<tr><th scope="row"><a href="${path}${query({ stade: stage })}#structures">${STAGE_SHORT[stage]}</a></th>${cells}</tr>`;
  });
  const holes = state.cells.filter((c) => c.none > 0);
  return html`<section aria-labelledby="etat-des-lieux">
<h2 id="etat-des-lieux">État des lieux de l’offre</h2>
<p class="hint">Pour les élus et les partenaires du territoire. Pour chaque stade et chaque secteur, Aiguillage simule la demande d’un porteur de projet dans chacune des ${frenchNumber(state.communes)} communes, avec les règles d’orientation en vigueur, et regarde si une structure de l’ESS lui est proposée. Le porteur n’a donné que son stade, son secteur et sa commune : selon son projet (forme coopérative, financement, structure employeuse…), d’autres structures de la liste interviennent.</p>
<ul class="facts">
<li>${
    state.essHoles === 0
      ? html`<strong>Aucun trou :</strong> dans chaque commune, pour chaque stade et chaque secteur, au moins une structure de l’ESS est proposée.`
      : html`<strong>${plural(state.essHoles, 'combinaison', 'combinaisons')} commune × stade × secteur sans structure de l’ESS</strong> : ${holes.map((c) => `${STAGE_LABELS[c.stage]} × ${SECTOR_LABELS[c.sector]} (${plural(c.none, 'commune', 'communes')})`).join(' ; ')}.`
  }</li>
${STAGES.map((stage) => html`<li>${stageSummary(stage, state, names)}</li>`)}
</ul>
<ul class="legend" aria-label="Légende du tableau">
<li><span class="mark ok" aria-hidden="true">✔</span> <strong>Oui</strong> : une structure spécialisée de l’ESS est proposée dans toutes les communes</li>
<li><span class="mark mid" aria-hidden="true">◐</span> <strong>Accueil seul</strong> : seule la tête de réseau régionale accueille et oriente ; <strong>Partiel</strong> : pas partout (nombre de communes indiqué)</li>
<li><span class="mark bad" aria-hidden="true">✖</span> <strong>Non</strong> : aucune structure de l’ESS n’est proposée</li>
</ul>
<p class="table-title" id="etat-titre">Réponse de l’ESS par stade du projet (lignes) et secteur (colonnes) — ${model.scope.name}, ${plural(state.communes, 'commune', 'communes')}</p>
<p class="narrow-only hint">Le tableau défile de gauche à droite.</p>
<div class="table-scroll" role="region" aria-labelledby="etat-titre" tabindex="0">
<table class="state"><caption class="sr">Réponse de l’ESS par stade du projet (lignes) et secteur (colonnes) — ${model.scope.name}</caption>
<thead><tr><th scope="col">Stade du projet</th>${header}</tr></thead>
<tbody>${rows}</tbody></table>
</div>
<p class="hint">Calculé le ${frenchDay(state.computedAt)} avec les règles d’orientation en vigueur (version ${state.rulesVersion}), sans tenir compte des capacités mensuelles des structures.<span class="noprint"> Les titres du tableau mènent à la liste des structures correspondantes.</span></p>
</section>`;
}

/** « Idée, émergence : structure spécialisée de l’ESS dans les 27 communes (Les Ecossolies). » */
function stageSummary(stage: Stage, state: OfferState, names: Map<string, { name: string; expert: boolean }>): SafeHtml {
  const cells = state.cells.filter((c) => c.stage === stage);
  const total = cells.reduce((n, c) => n + c.communes, 0);
  const expert = cells.reduce((n, c) => n + c.expert, 0);
  const none = cells.reduce((n, c) => n + c.none, 0);
  // The specialised structures first, then the network head.
  const ids = [...new Set(cells.flatMap((c) => c.essActorIds))];
  const who = [...ids.filter((id) => names.get(id)?.expert), ...ids.filter((id) => !names.get(id)?.expert)].map((id) => names.get(id)?.name ?? id);
  let text: string;
  if (total > 0 && expert === total) text = `une structure spécialisée de l’ESS est proposée partout, pour tous les secteurs`;
  else if (expert === 0 && none === 0) text = `seule la tête de réseau régionale accueille et oriente les porteurs de projet, pour tous les secteurs`;
  else if (expert === 0) text = `aucune structure spécialisée de l’ESS n’est proposée`;
  else text = `une structure spécialisée de l’ESS est proposée dans ${Math.round((100 * expert) / total)} % des cas (communes × secteurs)`;
  return html`<strong>${STAGE_LABELS[stage]}</strong> : ${text}${who.length ? ` (${who.join(', ')})` : ''}.`;
}

export function frenchDay(date: Date): string {
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' }).format(date);
}

// ── open data ────────────────────────────────────────────────────────────────────────────────

function openDataSection(model: OfferModel): SafeHtml {
  const q = query({ territoire: model.scope.id });
  const base = '/open-data/data-inclusion';
  return html`<section aria-labelledby="donnees">
<h2 id="donnees">Données ouvertes</h2>
<p>Cette offre est publiée au format national <a href="https://www.data.inclusion.gouv.fr/">data·inclusion</a> (schéma v1 : structures et services), sous la <a href="${LICENCE.url}" rel="license">${LICENCE.name}</a> : vous pouvez la réutiliser librement, y compris commercialement, en citant la source « Aiguillage ».</p>
<ul>
<li>Structures : <a href="${base}/structures.json${q}">JSON</a> · <a href="${base}/structures.csv${q}">CSV</a></li>
<li>Services d’accompagnement : <a href="${base}/services.json${q}">JSON</a> · <a href="${base}/services.csv${q}">CSV</a></li>
</ul>
<p class="hint">Le CSV est encodé en UTF-8, séparé par des points-virgules, avec une ligne d’en-tête aux noms des champs du schéma.</p>
</section>`;
}

// ── layout ───────────────────────────────────────────────────────────────────────────────────

export function layout(title: string, main: SafeHtml, context: Pick<PageContext, 'contact' | 'updated'>): string {
  return html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Aiguillage</title>
<meta name="description" content="Les structures qui accompagnent les projets de l’économie sociale et solidaire, par stade et par secteur, et l’état des lieux de l’offre.">
<link rel="license" href="${LICENCE.url}">
<style>${raw(OFFER_CSS)}</style></head>
<body><a class="skip" href="#contenu">Aller au contenu</a>
<header class="site"><div class="wrap"><span class="name">Aiguillage</span><span class="tagline">Orientation des projets de l’économie sociale et solidaire</span></div></header>
<main id="contenu" class="wrap">${main}</main>
<footer class="site"><div class="wrap"><p>Informations publiques de l’annuaire d’Aiguillage, mises à jour le ${context.updated}. Les adresses de contact internes des structures ne sont jamais publiées.${
    context.contact ? html` Une information à corriger ? Écrivez à <a href="mailto:${context.contact}">${context.contact}</a>.` : ''
  }</p><p>Données sous <a href="${LICENCE.url}">${LICENCE.name}</a>.</p></div></footer>
</body></html>`.value;
}


export function notFoundPage(id: string, context: PageContext): string {
  const body = html`<nav aria-label="Fil d’Ariane"><ol class="crumbs"><li><a href="/offre">L’offre dans la région</a></li></ol></nav>
<h1>Territoire introuvable</h1>
<p>Aucun territoire publié ne porte l’identifiant « ${id} ».</p>
${
  context.territories.length
    ? html`<p>Territoires publiés :</p><ul class="territories">${context.territories.map((t) => html`<li><a href="/offre/${t.id}">${t.nom}</a></li>`)}</ul>`
    : ''
}
<p><a href="/offre">Voir l’offre de toute la région</a></p>`;
  return layout('Territoire introuvable', body, context);
}
