// Statistics: every view as a bar chart with its table, filters by period and territory, CSV
// export of each view and of the referrals. Personal data in an export only on a coordinator's
// explicit choice (a POST with a confirmation), and that export is written to the audit log.
import type { Request, Response, Router } from 'express';
import { performance } from 'node:perf_hooks';
import { NEEDS, NEED_LABELS, PROJECT_TYPES, PROJECT_TYPE_LABELS, SECTORS, SECTOR_LABELS, STAGES, STAGE_LABELS } from '../../domain/profile.js';
import { DECLINE_REASONS, DECLINE_REASON_LABELS, STATUS_LABELS } from '../../domain/referral.js';
import { TIER_LABELS } from '../../domain/decision.js';
import { servedEpcis } from '../../routing/index.js';
import { filterQuery, parseFilter, territoryChoices, type Labels, type StatTable } from '../../stats/index.js';
import { GRANULARITIES, GRANULARITY_LABELS } from '../../stats/filters.js';
import { scopeOf } from '../../stats/scope.js';
import { who } from '../accounts.js';
import { render, type Deps } from '../context.js';
import { attachment, BOM, csvLine, tableCsv } from '../csv.js';
import { account, field, frenchDate, notFound, state } from '../http.js';
import { barChart, formatValue } from '../views/charts.js';
import { html, join, type SafeHtml } from '../views/html.js';
import { csrfField } from '../views/layout.js';

const DAY = 86_400_000;
const LOCAL = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });
const localTime = (ms: number) => (Number.isNaN(ms) ? '' : LOCAL.format(new Date(ms)));

function tableView(table: StatTable, query: string): SafeHtml {
  const chart = barChart(table, `graphique-${table.id}`);
  const body = html`<table><caption>${table.title}</caption><thead><tr>${table.columns.map((c) => html`<th scope="col"${c.kind === 'text' ? '' : html` class="num"`}>${c.label}</th>`)}</tr></thead>
    <tbody>${table.rows.length ? table.rows.map((r) => html`<tr>${table.columns.map((c, i) => (i === 0 ? html`<th scope="row">${formatValue(c.kind, r[c.key])}</th>` : html`<td${c.kind === 'text' ? '' : html` class="num"`}>${formatValue(c.kind, r[c.key])}</td>`))}</tr>`) : html`<tr><td colspan="${table.columns.length}">Aucune donnée pour ces filtres.</td></tr>`}</tbody></table>`;
  return html`<section class="view" id="${table.id}" aria-labelledby="titre-${table.id}"><h2 id="titre-${table.id}">${table.title}</h2><p>${table.description}</p>
    ${chart ? (table.columns.length > 4 ? html`${chart}${body}` : html`<div class="grid2">${chart}<div>${body}</div></div>`) : body}
    ${table.note ? html`<p class="hint">${table.note}</p>` : ''}
    <p><a href="/statistiques/export/${table.id}.csv?${query}">Télécharger « ${table.title} » en CSV</a></p></section>`;
}

export function mountStats(app: Router, deps: Deps): void {
  const labels: Labels = {
    actor: (id) => deps.router.actorById(id)?.name ?? id,
    partner: (id) => deps.partners.get(id)?.name ?? id,
    place: (code) => deps.stats.referrals.placeNames.get(code) ?? deps.territory.epci(code)?.nom ?? deps.territory.commune(code)?.nom ?? code,
  };
  const choices = () => territoryChoices(deps.territory, ['vignoble-nantais'], servedEpcis(deps.router.actors()));

  const prepare = async (req: Request) => {
    await deps.stats.refresh();
    return parseFilter(req.query as Record<string, unknown>, { now: deps.now(), territories: choices() });
  };

  app.get('/statistiques', async (req, res) => {
    const started = performance.now();
    const { filter, errors } = await prepare(req);
    const report = deps.stats.report(filter, labels, deps.now());
    const query = filterQuery(filter);
    const f = report.funnel;
    const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)} %` : '—');
    const territories = choices();
    const headline = html`<dl class="summary">
      <dt>Demandes reçues</dt><dd>${f.consented.toLocaleString('fr-FR')} (porteurs ayant accepté d’être mis en relation)</dd>
      <dt>Offre comprise</dt><dd>${pct(f.oriented, f.started)} des conversations arrivent à une orientation ; ${pct(f.consented, f.oriented)} des orientations proposées deviennent une demande</dd>
      <dt>Porteurs accompagnés</dt><dd>${f.accompanied.toLocaleString('fr-FR')} (${pct(f.accompanied, f.consented)} des demandes)</dd>
      <dt>Tests et demandes non sérieuses</dt><dd>${f.notSerious.toLocaleString('fr-FR')} (déclinées comme telles par une structure ; comptées à part, hors des parts ci-dessus)</dd></dl>`;
    const body = html`<h1>Statistiques</h1>
      ${errors.length ? html`<div class="flash error" role="alert">${errors.join(' ')}</div>` : ''}
      <form method="get" action="/statistiques" class="filters">
        <div><label for="du">Du</label><input type="date" id="du" name="du" value="${filter.fromDay}"></div>
        <div><label for="au">Au</label><input type="date" id="au" name="au" value="${filter.toDay}"></div>
        <div><label for="pas">Regrouper par</label><select id="pas" name="pas">${GRANULARITIES.map((g) => html`<option value="${g}"${g === filter.granularity ? html` selected` : ''}>${GRANULARITY_LABELS[g]}</option>`)}</select></div>
        <div><label for="territoire">Territoire</label><select id="territoire" name="territoire"><option value="">Tous les territoires</option>${territories.map(
          (t) => html`<option value="${t.id}"${filter.territory?.id === t.id ? html` selected` : ''}>${t.label}</option>`,
        )}</select></div>
        <div><button type="submit">Appliquer</button></div>
      </form>
      <p>Période du ${frenchDate(`${filter.fromDay}T12:00:00Z`)} au ${frenchDate(`${filter.toDay}T12:00:00Z`)}${filter.territory ? `, ${filter.territory.label}` : ', tous territoires'}.</p>
      ${headline}
      ${tableView(report.tables[0]!, query)}
      <nav aria-label="Autres vues statistiques"><h2>Autres vues</h2><ul class="toc">${report.tables.slice(1).map((t) => html`<li><a href="#${t.id}">${t.title}</a></li>`)}<li><a href="#titre-export">Exporter les orientations</a></li></ul></nav>
      ${join(report.tables.slice(1).map((t) => tableView(t, query)))}
      <section class="view" aria-labelledby="titre-export"><h2 id="titre-export">Exporter les orientations</h2>
        <p><a href="/statistiques/export/orientations.csv?${query}">Télécharger les orientations de la période en CSV</a> (sans données personnelles : projet, territoire, statuts, délais, refus).</p>
        <form method="post" action="/statistiques/export/orientations-nominatives.csv?${query}">${csrfField(state(res).session?.csrf ?? null)}
          <fieldset><legend>Export avec les coordonnées des porteurs</legend>
            <p>Ce fichier contient des données personnelles (noms, e-mails, téléphones). L’export est inscrit au journal, avec votre nom et les filtres utilisés. Ne le conservez que le temps nécessaire.</p>
            <label class="check"><input type="checkbox" name="confirm" value="1" required> J’ai besoin des coordonnées des porteurs et je m’engage à les protéger</label>
            <label for="motif">Motif de l’export</label><input type="text" id="motif" name="reason" required minlength="5" maxlength="200">
            <p><button type="submit" class="danger">Télécharger avec les données personnelles</button></p>
          </fieldset></form></section>`;
    render(deps, res, { title: 'Statistiques', active: 'statistiques', body }, 200, started);
  });

  app.get('/statistiques/export/:view', async (req, res) => {
    const name = String(req.params.view);
    if (name === 'orientations.csv') return exportReferrals(req, res, false);
    const id = name.replace(/\.csv$/, '');
    const { filter } = await prepare(req);
    const table = deps.stats.report(filter, labels, deps.now()).tables.find((t) => t.id === id);
    if (!table || !name.endsWith('.csv')) throw notFound();
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': attachment(`aiguillage-${id}-${filter.fromDay}-${filter.toDay}.csv`), 'Cache-Control': 'no-store' });
    res.send(tableCsv(table));
  });

  app.post('/statistiques/export/orientations-nominatives.csv', async (req, res) => {
    if (field(req, 'confirm') !== '1' || field(req, 'reason').length < 5) {
      deps.flash.add(res, 'error', 'Pour exporter les coordonnées, cochez la confirmation et indiquez le motif.');
      return res.redirect(303, `/statistiques?${new URLSearchParams(req.query as Record<string, string>)}#titre-export`);
    }
    await exportReferrals(req, res, true);
  });

  async function exportReferrals(req: Request, res: Response, personal: boolean): Promise<void> {
    const me = account(res);
    const { filter } = await prepare(req);
    const index = deps.stats.referrals;
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
        index.rules.value(index.rule.data[i]!),
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
