// Statistics for a committee: a first screen with the figures an elected official asks for
// (requests this period and the previous one, share taken care of within the promised delay,
// median delay, unmet demand, by territory), then one view at a time with its chart and its
// table; filters by period and territory, CSV export of each view and of the referrals. Personal data in an export only on a coordinator's
// explicit choice (a POST with a confirmation), and that export is written to the audit log.
import type { Request, Response, Router } from 'express';
import { performance } from 'node:perf_hooks';
import { NEEDS, NEED_LABELS, PROJECT_TYPES, PROJECT_TYPE_LABELS, SECTORS, SECTOR_LABELS, STAGES, STAGE_LABELS } from '../../domain/profile.js';
import { DECLINE_REASONS, DECLINE_REASON_LABELS, STATUS_LABELS } from '../../domain/referral.js';
import { TIER_LABELS } from '../../domain/decision.js';
import { servedEpcis } from '../../routing/index.js';
import { addDays, filterQuery, parisMidnight, parseFilter, territoryChoices, type Labels, type StatTable, type StatsFilter } from '../../stats/index.js';
import type { StatisticsReport } from '../../stats/index.js';
import { figuresByEpci } from '../../stats/territories.js';
import { confineFilter, GRANULARITIES, GRANULARITY_LABELS, type TerritoryChoice } from '../../stats/filters.js';
import { liveRuleNames } from '../ruleNames.js';
import { scopeOf } from '../../stats/scope.js';
import { who } from '../accounts.js';
import { indexReady, render, scopeOf as accountScope, type Deps } from '../context.js';
import { attachment, BOM, csvLine, tableCsv } from '../csv.js';
import { account, field, frenchDate, notFound, query as query_, state } from '../http.js';
import { barChart, formatValue } from '../views/charts.js';
import { html, join, type SafeHtml } from '../views/html.js';
import { csrfField } from '../views/layout.js';

/** Views grouped as a committee reads them; each view is one page with its chart and its table. */
const GROUPS: Array<{ label: string; ids: string[] }> = [
  { label: 'Parcours', ids: ['parcours'] },
  { label: 'Demandes', ids: ['demandes-par-periode', 'demandes-par-epci', 'demandes-par-commune', 'demandes-par-secteur', 'demandes-par-stade', 'demandes-par-forme', 'demandes-par-site'] },
  { label: 'Structures', ids: ['orientations-par-structure', 'orientations-par-statut', 'delais-de-prise-en-charge'] },
  { label: 'Refus', ids: ['refus-par-motif', 'refus-par-regle'] },
  { label: 'Demande non satisfaite', ids: ['demande-non-satisfaite', 'recours-par-epci', 'abandons-par-question'] },
];
const OVERVIEW = 'tableau-de-bord';
const EXPORT = 'export';

const count = (n: number) => n.toLocaleString('fr-FR');
const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

export interface Overview {
  requests: number;
  previousRequests: number;
  withinPromise: number | null;
  medianDays: number | null;
  unmet: number;
  unmetShare: number | null;
  outOfArea: number;
  notSerious: number;
  previous: StatsFilter;
  byTerritory: StatTable;
  /** The same figures as one table (CSV export, print). */
  table: StatTable;
}

const DAY = 86_400_000;
const LOCAL = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
const localTime = (ms: number) => (Number.isNaN(ms) ? '' : LOCAL.format(new Date(ms)));

function tableView(table: StatTable, query: string): SafeHtml {
  const chart = barChart(table, `graphique-${table.id}`);
  const wide = table.columns.length > 4 || table.rows.length > 12;
  const body = html`<table><caption>${table.title}</caption><thead><tr>${table.columns.map((c) => html`<th scope="col"${c.kind === 'text' ? '' : html` class="num"`}>${c.label}</th>`)}</tr></thead>
    <tbody>${table.rows.length ? table.rows.map((r) => html`<tr>${table.columns.map((c, i) => (i === 0 ? html`<th scope="row">${formatValue(c.kind, r[c.key])}</th>` : html`<td${c.kind === 'text' ? '' : html` class="num"`}>${formatValue(c.kind, r[c.key])}</td>`))}</tr>`) : html`<tr><td colspan="${table.columns.length}">Aucune donnée pour ces filtres.</td></tr>`}</tbody></table>`;
  return html`<section class="view" id="${table.id}" aria-labelledby="titre-${table.id}"><h2 id="titre-${table.id}">${table.title}</h2><p>${table.description}</p>
    ${chart ? (wide ? html`${chart}<div class="table-scroll" role="region" aria-label="Tableau : ${table.title}" tabindex="0">${body}</div>` : html`<div class="grid2">${chart}<div>${body}</div></div>`) : html`<div class="table-scroll" role="region" aria-label="Tableau : ${table.title}" tabindex="0">${body}</div>`}
    ${table.note ? html`<p class="hint">${table.note}</p>` : ''}
    <p class="no-print"><a href="/statistiques/export/${table.id}.csv?${query}">Télécharger « ${table.title} » en CSV</a></p></section>`;
}

export function mountStats(app: Router, deps: Deps): void {
  const labels: Labels = {
    actor: (id) => deps.router.actorById(id)?.name ?? id,
    partner: (id) => deps.partners.get(id)?.name ?? id,
    place: (code) => deps.stats.referrals.placeNames.get(code) ?? deps.territory.epci(code)?.nom ?? deps.territory.commune(code)?.nom ?? code,
  };
  // A territorial coordinator's choices are their territories and their intercommunalities;
  // with no territory chosen, the figures are those of all their territories (never the region's).
  const allChoices = () => territoryChoices(deps.territory, deps.territories.all().map((t) => t.id), servedEpcis(deps.router.actors()));
  const confinedTo = (req: Request): TerritoryChoice | null => {
    const scope = accountScope(deps, req.res!);
    if (scope.regional) return null;
    const only = scope.territories.length === 1 ? scope.territories[0]! : null;
    return { id: only?.id ?? '', label: only?.nom ?? scope.territories.map((t) => t.nom).join(', '), epcis: [...scope.epcis] };
  };
  const choices = (req: Request) => {
    const allowed = confinedTo(req);
    return allowed ? allChoices().filter((c) => c.epcis.every((e) => allowed.epcis.includes(e))) : allChoices();
  };
  const parse = (req: Request, query: Record<string, unknown>) => confineFilter(parseFilter(query, { now: deps.now(), territories: choices(req) }), confinedTo(req));

  const prepare = async (req: Request) => {
    await deps.stats.refresh();
    return parse(req, req.query as Record<string, unknown>);
  };

  /** Rule ids in the views (refusals by rule, CSV) read as the rule editor names them. */
  const ruleNames = () => liveRuleNames(deps);
  const readable = async (tables: StatTable[]): Promise<StatTable[]> => {
    const rule = await ruleNames();
    return tables.map((t): StatTable => (t.columns.some((c) => c.key === 'regle') ? { ...t, rows: t.rows.map((r) => ({ ...r, regle: typeof r.regle === 'string' ? rule(r.regle) : (r.regle ?? null) })) } : t));
  };

  /** The period of the same length just before. */
  const previousOf = (req: Request, filter: StatsFilter) => {
    const days = Math.round((parisMidnight(filter.toDay) - parisMidnight(filter.fromDay)) / DAY) + 1;
    return parse(req, { ...(req.query as Record<string, unknown>), du: addDays(filter.fromDay, -days), au: addDays(filter.fromDay, -1) }).filter;
  };

  /** What the memoised results also depend on: the names shown (actors, partner sites). */
  const labelsKey = () =>
    `${deps.router.actors().map((a) => `${a.id}\u0001${a.name}`).join('\u0002')}\u0003${deps.partners.all().map((p) => `${p.id}\u0001${p.name}`).join('\u0002')}`;
  /** The report for this filter, computed once while the indexes do not change. */
  const reportOf = (filter: StatsFilter, names: string): StatisticsReport => {
    const now = deps.now();
    return deps.stats.memoise(`rapport\u0000${JSON.stringify(filter)}\u0000${names}`, now, () => deps.stats.report(filter, labels, now));
  };

  const overview = (req: Request, filter: StatsFilter, tables: StatTable[], report: StatisticsReport, names: string): Overview => {
    const previous = previousOf(req, filter);
    // By territory: each served intercommunality (or only the chosen territory's).
    const territories = choices(req).filter((t) => t.epcis.length === 1 && (!filter.territory || filter.territory.epcis.includes(t.id)));
    const key = `tableau\u0000${JSON.stringify([filter, previous, territories])}\u0000${names}`;
    const now = deps.now();
    return deps.stats.memoise(key, now, () => computeOverview(filter, previous, territories, tables, report, now));
  };

  const computeOverview = (filter: StatsFilter, previous: StatsFilter, territories: TerritoryChoice[], tables: StatTable[], report: StatisticsReport, at: Date): Overview => {
    const now = at.getTime();
    const index = deps.stats.referrals;
    const { funnel } = report;
    const unmetRows = tables.find((t) => t.id === 'demande-non-satisfaite')?.rows ?? [];
    const fallbackByEpci = new Map((tables.find((t) => t.id === 'recours-par-epci')?.rows ?? []).map((r) => [String(r.intercommunalite), num(r.demandes) ?? 0]));
    // The report's delays are those of the filter: its last row (or only one) is every structure.
    const all = report.delays.length > 1 ? report.delays.at(-1)! : report.delays[0];
    const delay = { within: all && all.takenCare + all.late ? all.withinPromise / (all.takenCare + all.late) : null, median: all?.medianDays ?? null };
    // Referrals only (no conversation scan): these figures count requests, not conversations.
    const tests = index.notSeriousReferences();
    const here = figuresByEpci(index, filter.from, filter.to, now, tests);
    const before = figuresByEpci(index, previous.from, previous.to, now, tests, previous.territory?.epcis ?? null);
    const rows = territories.map((t) => ({
      territoire: t.label,
      demandes: here.requests(t.epcis[0]!),
      precedente: before.requests(t.epcis[0]!),
      dans_le_delai: here.withinPromise(t.epcis[0]!),
      recours_seul: fallbackByEpci.get(t.label) ?? 0,
    }));
    const byTerritory: StatTable = {
      id: 'par-territoire',
      title: 'Par intercommunalité',
      description: 'Demandes de la période et de la période précédente, part prise en charge dans le délai promis, demandes sans structure proposée (recours seul).',
      columns: [
        { key: 'territoire', label: 'Intercommunalité', kind: 'text' },
        { key: 'demandes', label: 'Demandes', kind: 'count' },
        { key: 'precedente', label: 'Période précédente', kind: 'count' },
        { key: 'dans_le_delai', label: 'Prises en charge dans le délai promis', kind: 'percent' },
        { key: 'recours_seul', label: 'Sans structure proposée', kind: 'count' },
      ],
      rows,
      chart: { label: 'territoire', value: 'demandes' },
    };
    const o = {
      requests: funnel.consented,
      previousRequests: before.total,
      withinPromise: delay.within,
      medianDays: delay.median,
      unmet: num(unmetRows[0]?.nombre) ?? 0,
      unmetShare: num(unmetRows[0]?.part),
      outOfArea: num(unmetRows[2]?.nombre) ?? 0,
      notSerious: funnel.notSerious,
    };
    const table: StatTable = {
      id: OVERVIEW,
      title: 'Tableau de bord',
      description: `Du ${filter.fromDay} au ${filter.toDay}${filter.territory ? `, ${filter.territory.label}` : ''}.`,
      columns: [
        { key: 'indicateur', label: 'Indicateur', kind: 'text' },
        { key: 'valeur', label: 'Valeur', kind: 'text' },
      ],
      rows: [
        { indicateur: 'Demandes reçues', valeur: count(o.requests) },
        { indicateur: `Demandes reçues la période précédente (du ${previous.fromDay} au ${previous.toDay})`, valeur: count(o.previousRequests) },
        { indicateur: 'Part des demandes prises en charge dans le délai promis', valeur: percent(o.withinPromise) },
        { indicateur: 'Délai médian avant la prise en charge (jours)', valeur: o.medianDays === null ? '—' : o.medianDays.toLocaleString('fr-FR', { maximumFractionDigits: 1 }) },
        { indicateur: 'Demandes sans structure proposée (recours seul)', valeur: `${count(o.unmet)} (${percent(o.unmetShare)})` },
        { indicateur: 'Projets hors de la zone desservie', valeur: count(o.outOfArea) },
        { indicateur: 'Tests et demandes non sérieuses (comptés à part)', valeur: count(o.notSerious) },
      ],
    };
    return { ...o, previous, byTerritory, table };
  };

  // Once the index is first read (after a start), the default figures of the whole region are
  // computed in the background: the first coordinator to open the page does not wait for them.
  setImmediate(() => {
    deps.stats
      .refresh()
      .then(async () => {
        const now = deps.now();
        const { filter } = parseFilter({}, { now, territories: allChoices() });
        await readable(reportOf(filter, labelsKey()).tables);
        // The first screen's own pass too, so that its code is ready when the first page asks for it.
        figuresByEpci(deps.stats.referrals, filter.from, filter.to, now.getTime());
      })
      .catch(() => undefined); // the page says so when it is opened
  });

  const filtersForm = (req: Request, filter: StatsFilter, view: string) => {
    const territories = choices(req);
    return html`<form method="get" action="/statistiques" class="filters no-print">
        <input type="hidden" name="vue" value="${view}">
        <div><label for="du">Du</label><input type="date" id="du" name="du" value="${filter.fromDay}"></div>
        <div><label for="au">Au</label><input type="date" id="au" name="au" value="${filter.toDay}"></div>
        <div><label for="pas">Regrouper par</label><select id="pas" name="pas">${GRANULARITIES.map((g) => html`<option value="${g}"${g === filter.granularity ? html` selected` : ''}>${GRANULARITY_LABELS[g]}</option>`)}</select></div>
        <div><label for="territoire">Territoire</label><select id="territoire" name="territoire"><option value="">${confinedTo(req) ? 'Tous vos territoires' : 'Tous les territoires'}</option>${territories.map(
          (t) => html`<option value="${t.id}"${filter.territory?.id === t.id ? html` selected` : ''}>${t.label}</option>`,
        )}</select></div>
        <div><button type="submit">Appliquer</button></div>
      </form>`;
  };

  const tabs = (tables: StatTable[], view: string, query: string) => {
    const title = (id: string) => tables.find((t) => t.id === id)?.title ?? id;
    const link = (id: string, label: string) => html`<li><a href="/statistiques?vue=${id}&amp;${query}"${id === view ? html` aria-current="page"` : ''}>${label}</a></li>`;
    return html`<nav aria-label="Vues statistiques" class="stat-tabs no-print">
      <ul class="tabs">${link(OVERVIEW, 'Tableau de bord')}${link(EXPORT, 'Exporter les orientations')}</ul>
      ${GROUPS.map((g) => html`<div class="tab-group"><span class="tab-group-label" aria-hidden="true">${g.label}</span><ul class="tabs" aria-label="${g.label}">${g.ids.filter((id) => tables.some((t) => t.id === id)).map((id) => link(id, title(id)))}</ul></div>`)}
      </nav>`;
  };

  app.get('/statistiques', async (req, res) => {
    const started = performance.now();
    if (!(await indexReady(deps, res, deps.stats.refresh(), 'Statistiques'))) return;
    // Just refreshed: reading the changes a second time would only cost a round trip to the database.
    const { filter, errors } = parse(req, req.query as Record<string, unknown>);
    const names = labelsKey();
    const report = reportOf(filter, names);
    const tables = await readable(report.tables);
    const query = filterQuery(filter);
    const view = query_(req, 'vue') || OVERVIEW;
    const period = html`<p class="period">Du ${frenchDate(`${filter.fromDay}T12:00:00Z`)} au ${frenchDate(`${filter.toDay}T12:00:00Z`)}${filter.territory ? `, ${filter.territory.label}` : ', tous territoires'}.</p>`;
    let content: SafeHtml;
    let lead: SafeHtml = html``;
    let heading = 'Statistiques';
    if (view === OVERVIEW) {
      const o = overview(req, filter, tables, report, names);
      const evolution = o.previousRequests ? Math.round(((o.requests - o.previousRequests) / o.previousRequests) * 100) : null;
      heading = 'Statistiques : tableau de bord';
      lead = html`<ul class="kpis">
          <li><span class="kpi-value">${count(o.requests)}</span><span class="kpi-label">demandes reçues</span><span class="kpi-note">contre ${count(o.previousRequests)} sur la période précédente, du ${frenchDate(`${o.previous.fromDay}T12:00:00Z`)} au ${frenchDate(`${o.previous.toDay}T12:00:00Z`)}${evolution === null ? '' : ` (${evolution > 0 ? '+' : ''}${evolution} %)`}</span></li>
          <li><span class="kpi-value">${percent(o.withinPromise)}</span><span class="kpi-label">prises en charge dans le délai promis</span><span class="kpi-note">délai promis par chaque structure au porteur</span></li>
          <li><span class="kpi-value">${o.medianDays === null ? '—' : `${o.medianDays.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} j`}</span><span class="kpi-label">délai médian avant le premier contact</span><span class="kpi-note">entre la demande et la prise en charge</span></li>
          <li><span class="kpi-value">${count(o.unmet)}</span><span class="kpi-label">demandes sans structure proposée</span><span class="kpi-note">${percent(o.unmetShare)} des demandes ; ${count(o.outOfArea)} projets hors de la zone desservie</span></li>
        </ul>
        <dl class="summary"><dt>Tests et demandes non sérieuses</dt><dd>${count(o.notSerious)} (déclinées comme telles par une structure ; comptées à part, hors des chiffres ci-dessus)</dd></dl>`;
      content = html`${tableView(o.byTerritory, query)}
        <p class="no-print"><a href="/statistiques/export/${OVERVIEW}.csv?${query}">Télécharger le tableau de bord en CSV</a></p>`;
    } else if (view === EXPORT) {
      heading = 'Statistiques : exporter les orientations';
      content = html`<section class="view" aria-labelledby="titre-export"><h2 id="titre-export">Exporter les orientations</h2>
        <p><a href="/statistiques/export/orientations.csv?${query}">Télécharger les orientations de la période en CSV</a> (sans données personnelles : projet, territoire, statuts, délais, refus).</p>
        <form method="post" action="/statistiques/export/orientations-nominatives.csv?${query}">${csrfField(state(res).session?.csrf ?? null)}
          <fieldset><legend>Export avec les coordonnées des porteurs</legend>
            <p>Ce fichier contient des données personnelles (noms, e-mails, téléphones). L’export est inscrit au journal, avec votre nom et les filtres utilisés. Ne le conservez que le temps nécessaire.</p>
            <label class="check"><input type="checkbox" name="confirm" value="1" required> J’ai besoin des coordonnées des porteurs et je m’engage à les protéger</label>
            <label for="motif">Motif de l’export</label><input type="text" id="motif" name="reason" required minlength="5" maxlength="200">
            <p><button type="submit" class="danger">Télécharger avec les données personnelles</button></p>
          </fieldset></form></section>`;
    } else {
      const table = tables.find((t) => t.id === view);
      if (!table) throw notFound();
      heading = `Statistiques : ${table.title}`;
      content = tableView(table, query);
    }
    const body = html`<h1>${heading}</h1>
      ${errors.length ? html`<div class="flash error" role="alert">${errors.join(' ')}</div>` : ''}
      ${period}
      ${lead}
      ${filtersForm(req, filter, view)}
      ${tabs(tables, view, query)}
      ${content}
      <p class="hint no-print">Pour imprimer une vue ou l’enregistrer en PDF, utilisez l’impression du navigateur : seuls la vue, son graphique et son tableau sont imprimés.</p>`;
    render(deps, res, { title: heading, active: 'statistiques', body }, 200, started);
  });

  app.get('/statistiques/export/:view', async (req, res) => {
    const name = String(req.params.view);
    if (name === 'orientations.csv') return exportReferrals(req, res, false);
    const id = name.replace(/\.csv$/, '');
    const { filter } = await prepare(req);
    const names = labelsKey();
    const report = reportOf(filter, names);
    const tables = await readable(report.tables);
    const overviewTables = id === OVERVIEW || id === 'par-territoire' ? overview(req, filter, tables, report, names) : null;
    const table = overviewTables ? (id === OVERVIEW ? overviewTables.table : overviewTables.byTerritory) : tables.find((t) => t.id === id);
    if (!table || !name.endsWith('.csv')) throw notFound();
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': attachment(`aiguillage-${id}-${filter.fromDay}-${filter.toDay}.csv`), 'Cache-Control': 'no-store' });
    res.send(tableCsv(table));
  });

  app.post('/statistiques/export/orientations-nominatives.csv', async (req, res) => {
    if (field(req, 'confirm') !== '1' || field(req, 'reason').length < 5) {
      deps.flash.add(res, 'error', 'Pour exporter les coordonnées, cochez la confirmation et indiquez le motif.');
      return res.redirect(303, `/statistiques?${new URLSearchParams({ ...(req.query as Record<string, string>), vue: EXPORT })}#titre-export`);
    }
    await exportReferrals(req, res, true);
  });

  async function exportReferrals(req: Request, res: Response, personal: boolean): Promise<void> {
    const me = account(res);
    const { filter } = await prepare(req);
    const index = deps.stats.referrals;
    const rule = await ruleNames();
    const scope = scopeOf(filter, index, null, deps.now());
    const rows: number[] = [];
    for (let i = 0; i < index.size; i += 1) if (scope.referral(i)) rows.push(i);
    rows.sort((a, b) => index.createdAt.data[a]! - index.createdAt.data[b]!);
    if (personal) {
      await deps.audit.record({
        by: who(me),
        action: 'export.personal',
        target: null,
        summary: `Export des orientations avec données personnelles (${rows.length} lignes, ${filter.fromDay} → ${filter.toDay}${filter.territory ? `, ${filter.territory.label}` : ''}) : ${field(req, 'reason')}`,
        details: { filter: filterQuery(filter), rows: rows.length },
      });
    }
    const name = `aiguillage-orientations${personal ? '-nominatives' : ''}-${filter.fromDay}-${filter.toDay}.csv`;
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': attachment(name), 'Cache-Control': 'no-store' });
    const header = [
      'Orientation', 'Demande', 'Créée le', 'Statut', 'Statut depuis le', 'Structure', 'Niveau', 'Règle', 'Version des règles', 'Recours seul', 'Site partenaire',
      'Commune', 'Code commune', 'Intercommunalité', 'Stade', 'Secteur', 'Forme', 'Besoins', 'Prise en charge le', 'Délai de prise en charge (jours)', 'Délai promis (jours)', 'Motif de refus', 'Aurait dû aller à',
      ...(personal ? ['Nom', 'E-mail', 'Téléphone', 'Préférence', 'Moment préféré'] : []),
    ];
    res.write(BOM + csvLine(header));
    for (const i of rows) {
      const enumLabel = <T extends string>(values: readonly T[], names: Record<T, string>, code: number) => (code ? names[values[code - 1]!] : '');
      const commune = index.communes.value(index.commune.data[i]!);
      const epci = index.epcis.value(index.epci.data[i]!);
      const partner = index.partners.value(index.partner.data[i]!);
      const shouldGoTo = index.actors.value(index.shouldGoTo.data[i]!);
      const taken = index.takenCareAt.data[i]!;
      const tier = (['local', 'expert', 'reseau'] as const)[index.tier.data[i]!]!;
      const cells: Array<string | number | null> = [
        index.ids[i]!,
        index.references.value(index.reference.data[i]!),
        localTime(index.createdAt.data[i]!),
        STATUS_LABELS[index.statusOf(i)],
        localTime(index.statusAt.data[i]!),
        labels.actor(index.actors.value(index.actor.data[i]!) ?? ''),
        tier === 'reseau' ? 'Tête de réseau' : TIER_LABELS[tier],
        rule(index.rules.value(index.rule.data[i]!) ?? ''),
        index.rulesVersions.value(index.rulesVersion.data[i]!),
        index.fallback.data[i] ? 'oui' : 'non',
        partner ? labels.partner(partner) : '',
        commune ? labels.place(commune) : '',
        commune,
        epci ? labels.place(epci) : '',
        enumLabel(STAGES, STAGE_LABELS, index.stage.data[i]!),
        enumLabel(SECTORS, SECTOR_LABELS, index.sector.data[i]!),
        enumLabel(PROJECT_TYPES, PROJECT_TYPE_LABELS, index.projectType.data[i]!),
        NEEDS.filter((_, bit) => index.needs.data[i]! & (1 << bit)).map((n) => NEED_LABELS[n]).join(', '),
        localTime(taken),
        Number.isNaN(taken) ? null : Math.round(((taken - index.createdAt.data[i]!) / DAY) * 10) / 10,
        index.promisedDays.data[i]!,
        index.declineReason.data[i]! ? DECLINE_REASON_LABELS[DECLINE_REASONS[index.declineReason.data[i]! - 1]!] : '',
        shouldGoTo ? labels.actor(shouldGoTo) : '',
      ];
      if (personal) {
        const contact = (await deps.service.get(index.ids[i]!))?.contact;
        cells.push(contact?.name ?? '', contact?.email ?? '', contact?.phone ?? '', contact ? { email: 'e-mail', phone: 'téléphone', any: 'indifférent' }[contact.channel] : '', contact?.preferredTime ?? '');
      }
      if (!res.write(csvLine(cells))) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }

}
