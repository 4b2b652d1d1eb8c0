// Rules views: cards in French, the decision trace of a simulation, the coverage matrix with
// holes and changes, the diff against the live set.
import { SKIP_REASON_LABELS, TIER_LABELS, type RoutingDecision } from '../../domain/decision.js';
import { SECTOR_LABELS, SECTORS, STAGE_LABELS, STAGES } from '../../domain/profile.js';
import type { CoverageCombo, CoverageReport } from '../../routing/coverage.js';
import type { Condition } from '../../routing/rule-schema.js';
import type { ConditionTrace, DecisionTrace, RuleTrace } from '../../routing/trace.js';
import type { TerritoryIndex } from '../../territory/types.js';
import type { FileDiff } from '../diff.js';
import { groupText, leafText, outcomeText, valueLabel } from '../rulesText.js';
import { html, join, type SafeHtml } from './html.js';

export interface CardRule {
  name?: unknown;
  description?: unknown;
  priority?: unknown;
  conditions?: Condition;
  event?: { type?: string; params?: { actorId?: string; tier?: string; slot?: string; reason?: string } };
}

function conditionList(c: Condition | undefined, territory: TerritoryIndex): SafeHtml {
  if (!c || typeof c !== 'object') return html`<span class="fail">conditions illisibles</span>`;
  if (c.fact !== undefined) return html`${leafText(c, territory)}`;
  const kind = c.all ? 'all' : c.any ? 'any' : 'not';
  const children = c.all ?? c.any ?? (c.not ? [c.not] : []);
  return html`${groupText(kind, children.length)}${children.length ? html`<ul>${children.map((child) => html`<li>${conditionList(child, territory)}</li>`)}</ul>` : ''}`;
}

export function ruleCard(rule: CardRule, file: string, territory: TerritoryIndex, actorName: (id: string) => string, badge?: string, editable = true): SafeHtml {
  const name = typeof rule.name === 'string' ? rule.name : '(sans nom)';
  const params = rule.event?.params ?? {};
  const type = rule.event?.type ?? 'refer';
  const priority = typeof rule.priority === 'number' ? rule.priority : 1;
  return html`<article class="card${type === 'fallback' ? ' fallback' : ''}" id="regle-${name}">
    <h3>${name}${badge ? html` <span class="badge warn">${badge}</span>` : ''}</h3>
    ${typeof rule.description === 'string' ? html`<p>${rule.description}</p>` : ''}
    <p><strong>Si</strong> ${conditionList(rule.conditions, territory)}</p>
    <p><strong>Alors</strong> ${outcomeText(type, actorName(params.actorId ?? ''), params.tier ?? 'local', params.slot ?? name, priority, (params as { onlyIfNoExpert?: boolean }).onlyIfNoExpert)}</p>
    <p class="meta">Raison donnée au porteur : « ${params.reason ?? ''} »</p>
    ${editable ? html`<p><a href="/regles/regle/${file}/${name}">Modifier la règle ${name}</a></p>` : ''}
  </article>`;
}

/** A group's verdict when the engine left it blank: what its children say. */
function verdict(t: ConditionTrace): boolean | null {
  if (t.passed !== null || t.kind === 'fact') return t.passed;
  const children = (t.children ?? []).map(verdict);
  if (children.some((c) => c === null)) return null;
  if (t.kind === 'all') return children.every(Boolean);
  if (t.kind === 'any') return children.some(Boolean);
  return !children[0];
}

function traceList(t: ConditionTrace, territory: TerritoryIndex): SafeHtml {
  const passed = verdict(t);
  const mark = passed === null ? html`<span class="skipped">non évaluée</span>` : passed ? html`<span class="pass">✓ vraie</span>` : html`<span class="fail">✗ fausse</span>`;
  if (t.kind === 'fact') {
    const seen = Array.isArray(t.factValue)
      ? t.factValue.length
        ? t.factValue.map((v) => valueLabel(t.fact!, v, territory)).join(', ')
        : 'aucun'
      : valueLabel(t.fact!, t.factValue ?? null, territory);
    return html`${mark} — ${leafText({ fact: t.fact, operator: t.operator, value: t.value }, territory)} <span class="muted">(pour ce projet : ${seen})</span>`;
  }
  const children = t.children ?? [];
  return html`${mark} — ${groupText(t.kind, children.length)}${children.length ? html`<ul>${children.map((c) => html`<li>${traceList(c, territory)}</li>`)}</ul>` : ''}`;
}

const OUTCOME_TEXT: Record<RuleTrace['outcome'], string> = {
  referred: 'retenue',
  skipped: 's’applique, mais la structure est indisponible',
  outranked: 's’applique, mais une règle plus prioritaire répond au même besoin (ou le niveau est complet)',
  not_needed: 'recours non utilisé : une autre règle oriente le projet',
  not_matched: 'ne s’applique pas',
};

export function decisionView(title: string, decision: RoutingDecision, trace: DecisionTrace, territory: TerritoryIndex, actorName: (id: string) => string, idPrefix: string, ruleTitle: (id: string) => string = (id) => id): SafeHtml {
  const matched = trace.rules.filter((r) => r.passed);
  const failed = trace.rules.filter((r) => !r.passed);
  return html`<section aria-labelledby="${idPrefix}-titre"><h2 id="${idPrefix}-titre">${title}</h2>
    <p>${decision.fallback ? 'Aucune règle d’orientation ne s’applique : un recours répond.' : 'Orientation par les règles.'}</p>
    <ol>${decision.referrals.map(
      (r) => html`<li><strong>${r.actorName}</strong> — ${TIER_LABELS[r.tier]}<br><span class="muted">${r.reason}</span></li>`,
    )}</ol>
    ${decision.skipped.length ? html`<p>Écartées : ${join(decision.skipped.map((s) => html`${actorName(s.actorId)} (${SKIP_REASON_LABELS[s.why]})`), ' ; ')}.</p>` : ''}
    <h3>Règles qui s’appliquent à ce projet (${matched.length})</h3>
    ${matched.length ? html`<ul>${matched.map((r) => html`<li><strong>${ruleTitle(r.ruleId)}</strong> : ${OUTCOME_TEXT[r.outcome]}${r.skip ? ` (${SKIP_REASON_LABELS[r.skip]})` : ''}<ul><li>${traceList(r.conditions, territory)}</li></ul></li>`)}</ul>` : html`<p>Aucune.</p>`}
    <details><summary>Règles qui ne s’appliquent pas (${failed.length}) : quelle condition manque</summary>
      <ul>${failed.map((r) => html`<li><strong>${ruleTitle(r.ruleId)}</strong><ul><li>${traceList(r.conditions, territory)}</li></ul></li>`)}</ul>
    </details></section>`;
}

const comboKey = (c: CoverageCombo) => `${c.commune.code}|${c.stage}|${c.sector}`;
const cellText = (c: CoverageCombo | undefined) => (!c ? '—' : c.fallback || c.actorIds.length === 0 ? 'trou' : String(c.actorIds.length));

/** One table per stage: communes × sectors; holes and (with `after`) changed cells stand out. */
export function coverageView(before: CoverageReport, after: CoverageReport | null, actorName: (id: string) => string): SafeHtml {
  const afterByKey = new Map((after?.combos ?? []).map((c) => [comboKey(c), c]));
  const beforeByKey = new Map(before.combos.map((c) => [comboKey(c), c]));
  const communes = [...new Map(before.combos.map((c) => [c.commune.code, c.commune])).values()];
  const changes: Array<{ before: CoverageCombo; after: CoverageCombo }> = [];
  if (after) {
    for (const c of before.combos) {
      const a = afterByKey.get(comboKey(c));
      if (a && (a.actorIds.join(',') !== c.actorIds.join(',') || a.fallback !== c.fallback)) changes.push({ before: c, after: a });
    }
  }
  const names = (c: CoverageCombo) => (c.fallback ? `recours : ${c.actorIds.map(actorName).join(', ')}` : c.actorIds.map(actorName).join(', '));
  const tables = STAGES.map((stage) => {
    return html`<table class="cov"><caption>Stade « ${STAGE_LABELS[stage]} » : nombre de structures proposées${after ? ' (avant → après)' : ''}</caption>
      <thead><tr><th scope="col">Commune</th>${SECTORS.map((s) => html`<th scope="col" title="${SECTOR_LABELS[s]}">${SECTOR_LABELS[s].split(',')[0]}</th>`)}</tr></thead>
      <tbody>${communes.map(
        (commune) => html`<tr><th scope="row">${commune.nom}</th>${SECTORS.map((sector) => {
          const key = `${commune.code}|${stage}|${sector}`;
          const b = beforeByKey.get(key);
          const a = after ? afterByKey.get(key) : undefined;
          const shown = a ?? b;
          const hole = !shown || shown.fallback || shown.actorIds.length === 0;
          const changed = a && b && (a.actorIds.join(',') !== b.actorIds.join(',') || a.fallback !== b.fallback);
          const healed = changed && cellText(b) === 'trou' && cellText(a) !== 'trou';
          const cls = [hole ? 'hole' : '', changed ? 'changed' : '', healed ? 'better' : ''].filter(Boolean).join(' ');
          return html`<td${cls ? html` class="${cls}"` : ''} title="${shown ? names(shown) : ''}">${changed ? `${cellText(b)} → ${cellText(a)}` : cellText(shown)}</td>`;
        })}</tr>`,
      )}</tbody></table>`;
  });
  const holesAfter = after?.holes.length;
  return html`<p>${before.epcis.map((e) => `${e.nom} (${e.communes} communes)`).join(', ')} : ${before.combos.length} combinaisons commune × stade × secteur.</p>
    <ul><li>Trous (seul un recours répond) ${after ? 'en ligne' : ''} : <strong>${before.holes.length}</strong></li>
    ${after ? html`<li>Trous avec votre brouillon : <strong>${holesAfter}</strong></li><li>Combinaisons dont la réponse change : <strong>${changes.length}</strong></li>` : ''}
    ${before.mismatches.length ? html`<li>Incohérences (structure orientée hors de ses stades ou secteurs déclarés) : ${before.mismatches.length}</li>` : ''}</ul>
    ${changes.length
      ? html`<h2>Ce que votre brouillon change</h2><table><caption>Combinaisons dont la réponse change (${Math.min(changes.length, 200)} sur ${changes.length})</caption>
          <thead><tr><th scope="col">Commune</th><th scope="col">Stade</th><th scope="col">Secteur</th><th scope="col">En ligne</th><th scope="col">Avec le brouillon</th></tr></thead>
          <tbody>${changes.slice(0, 200).map(
            (c) => html`<tr><td>${c.before.commune.nom}</td><td>${STAGE_LABELS[c.before.stage]}</td><td>${SECTOR_LABELS[c.before.sector]}</td><td>${names(c.before)}</td><td>${names(c.after)}</td></tr>`,
          )}</tbody></table>`
      : ''}
    <p class="hint">Chaque case donne le nombre de structures proposées ; « trou » : seul un recours répond. ${after ? 'Les cases encadrées changent avec votre brouillon.' : ''}</p>
    ${join(tables)}`;
}

export function diffView(diffs: FileDiff[], ruleTitle: (file: string, rule: string) => string = (_f, r) => r): SafeHtml {
  if (diffs.length === 0) return html`<p>Aucune différence avec les règles en ligne.</p>`;
  const CHANGE = { added: 'ajoutée', removed: 'supprimée', changed: 'modifiée' } as const;
  const FILE = { added: 'nouveau fichier', removed: 'fichier supprimé', changed: 'modifié' } as const;
  return join(
    diffs.map(
      (d) => html`<h3>Fichier ${d.file} (${FILE[d.change]})</h3>
        ${d.rules.length ? html`<ul>${d.rules.map((r) => html`<li>Règle « ${ruleTitle(d.file, r.name)} » ${CHANGE[r.change]}</li>`)}</ul>` : ''}
        <details><summary>Lignes modifiées dans ${d.file}</summary>
        <pre class="diff" tabindex="0" aria-label="Différences ligne à ligne de ${d.file}">${d.lines.map((l) => html`<span class="${l.kind}">${l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}${l.text}</span>`)}</pre></details>`,
    ),
  );
}
