// The rule as a sentence with form controls (who, where, for which projects, tier, why) and
// the decision table of a territory's rules. Plain POST forms; rules-editor.js only adds place
// suggestions as you type, chips and variable buttons.
import type { Actor } from '../../domain/actor.js';
import { SECTOR_LABELS, STAGE_LABELS } from '../../domain/profile.js';
import type { CoverageCombo } from '../../routing/index.js';
import type { ChangeSummary } from '../changeSummary.js';
import type { Condition } from '../../routing/rule-schema.js';
import type { TerritoryIndex } from '../../territory/types.js';
import { optionText, type PlaceIndex } from '../places.js';
import { BOOLEAN_CHOICES, projectFacts, TIER_CHOICES, type FactChoice, type FormRule, type ProjectFact } from '../ruleForm.js';
import { groupText, leafText } from '../rulesText.js';
import { attr, html, join, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

export const REASON_VARIABLES = [
  { name: 'lieu', label: 'le lieu (« à Vallet »)' },
  { name: 'commune', label: 'la commune' },
  { name: 'epci', label: 'l’intercommunalité' },
  { name: 'departement', label: 'le département' },
  { name: 'stade', label: 'le stade' },
  { name: 'secteur', label: 'le secteur' },
  { name: 'besoins', label: 'les besoins' },
  { name: 'forme', label: 'la forme' },
  { name: 'acteur', label: 'le nom de la structure' },
] as const;

export function conditionWords(c: Condition, territory: TerritoryIndex): SafeHtml {
  if (c.fact !== undefined) return html`${leafText(c, territory)}`;
  const kind = c.all ? 'all' : c.any ? 'any' : 'not';
  const children = c.all ?? c.any ?? (c.not ? [c.not] : []);
  return html`${groupText(kind, children.length)}${children.length ? html`<ul>${children.map((child) => html`<li>${conditionWords(child, territory)}</li>`)}</ul>` : ''}`;
}

/** A condition in one line, for a table cell: « Forme coopérative est « oui » ou Forme du projet est l’un de : … ». */
export function conditionLine(c: Condition, territory: TerritoryIndex): string {
  if (c.fact !== undefined) return leafText(c, territory);
  if (c.not) return `pas (${conditionLine(c.not, territory)})`;
  const children = (c.all ?? c.any ?? []).map((x) => conditionLine(x, territory));
  return children.length > 1 ? `(${children.join(c.all ? ' et ' : ' ou ')})` : (children[0] ?? 'toujours');
}

/** « Idée, émergence » / « sauf Idée, émergence » / « oui » — one cell of the decision table. */
export function choiceText(f: ProjectFact, choice: FactChoice | undefined): string {
  if (!choice) return '';
  if (choice.mode === 'bool') return BOOLEAN_CHOICES.find((c) => c.value === choice.value && c.value !== '')?.label ?? '';
  const labels = choice.values.map((v) => f.options.find((o) => o.value === v)?.label ?? v);
  if (labels.length === 0) return '';
  if (choice.mode === 'any') return labels.length > 1 ? `au moins un : ${labels.join(' ; ')}` : labels[0]!;
  return choice.mode === 'notIn' ? `sauf ${labels.join(' ; ')}` : labels.join(' ; ');
}

export function tierLabel(form: Pick<FormRule, 'tier'>): string {
  return TIER_CHOICES.find((t) => t.value === form.tier)?.label ?? form.tier;
}

export function placesText(form: Pick<FormRule, 'places'>, places: PlaceIndex): string {
  if (form.places.length === 0) return 'partout';
  return form.places.map((t) => places.get(t)?.name ?? t).join(', ');
}

/** A rule's title in words: the structure, the tier and where. */
export function ruleTitle(form: FormRule, actorName: (id: string) => string, places: PlaceIndex): string {
  const tier = tierLabel(form);
  return `${actorName(form.actorId)} — ${tier.charAt(0).toLowerCase()}${tier.slice(1)}, ${placesText(form, places)}`;
}

export interface EditorOptions {
  action: string;
  csrf: string | null;
  form: FormRule;
  actors: readonly Actor[];
  places: PlaceIndex;
  territory: TerritoryIndex;
  addPlace?: string;
  /** Suggestions when the typed place was ambiguous (no-JS path). */
  candidates?: string[];
}

function factControl(f: ProjectFact, choice: FactChoice | undefined): SafeHtml {
  const id = `fact_${f.name}`;
  if (f.kind === 'boolean') {
    const value = choice?.mode === 'bool' ? choice.value : '';
    return html`<div class="fact"><label for="${id}">${f.label}</label><select id="${id}" name="${id}">${BOOLEAN_CHOICES.map(
      (c) => html`<option value="${c.value}"${attr('selected', c.value === value)}>${c.label}</option>`,
    )}</select></div>`;
  }
  const chosen = choice && choice.mode !== 'bool' ? choice.values : [];
  const mode = choice?.mode === 'notIn' ? 'notIn' : 'in';
  const modeControl =
    f.kind === 'enum'
      ? html`<label for="mode_${f.name}" class="inline-label">Ces cases disent</label><select id="mode_${f.name}" name="mode_${f.name}"><option value="in"${attr('selected', mode === 'in')}>pour lesquels la règle s’applique</option><option value="notIn"${attr('selected', mode === 'notIn')}>pour lesquels elle ne s’applique pas</option></select>`
      : html`<p class="hint">La règle s’applique si le projet exprime au moins un des besoins cochés.</p>`;
  return html`<fieldset class="checks fact"><legend>${f.label}</legend>${modeControl}
    <div class="options">${f.options.map(
      (o) => html`<label class="check"><input type="checkbox" name="${id}" value="${o.value}"${attr('checked', chosen.includes(o.value))}> ${o.label}</label>`,
    )}</div><p class="hint">Aucune case cochée : tous les projets.</p></fieldset>`;
}

export function placePicker(o: { name: string; tokens: string[]; places: PlaceIndex; addPlace?: string; candidates?: string[]; label: string; hint: string; listId: string; facts?: string }): SafeHtml {
  return html`<ul class="chips" id="${o.name}-list" aria-label="Lieux choisis">${o.tokens.map((t) => {
    const p = o.places.get(t);
    return html`<li><label class="check chip"><input type="checkbox" name="${o.name}" value="${t}" checked> ${p?.name ?? t} <span class="muted">${p ? `(${p.detail})` : '(lieu inconnu)'}</span></label></li>`;
  })}</ul>
    <p class="hint" id="${o.name}-hint">${o.hint}</p>
    <div class="place-add"><div><label for="add-${o.name}">${o.label}</label>
      <input type="text" id="add-${o.name}" name="add_${o.name}" value="${o.addPlace ?? ''}" list="${o.listId}" autocomplete="off" aria-describedby="${o.name}-hint" data-place-search="/regles/lieux" data-place-target="${o.name}"${o.facts ? html` data-place-facts="${o.facts}"` : ''}>
      <datalist id="${o.listId}">${(o.candidates ?? []).map((c) => html`<option value="${c}"></option>`)}</datalist></div>
      <button type="submit" name="intent" value="add-${o.name}" class="secondary">Ajouter ce lieu</button></div>
    ${o.candidates?.length ? html`<p role="status">Plusieurs lieux correspondent : choisissez-en un dans la liste proposée sous le champ.</p>` : ''}`;
}

export function ruleEditor(o: EditorOptions): SafeHtml {
  const f = o.form;
  const actors = [...o.actors].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const facts = projectFacts();
  return html`<form method="post" action="${o.action}" class="rule-form" novalidate>
    ${csrfField(o.csrf)}
    <input type="hidden" name="advanced" value="${JSON.stringify(f.advanced)}">
    <fieldset><legend>Qui</legend>
      <label for="actorId">Orienter vers la structure</label>
      <select id="actorId" name="actorId"><option value="">Choisissez une structure</option>${actors.map(
        (a) => html`<option value="${a.id}"${attr('selected', a.id === f.actorId)}>${a.name}${a.active ? '' : ' (désactivée)'}</option>`,
      )}</select></fieldset>
    <fieldset><legend>Où</legend>
      <p>Les projets situés dans l’un de ces lieux :</p>
      ${placePicker({ name: 'places', tokens: f.places, places: o.places, addPlace: o.addPlace, candidates: o.candidates, label: 'Ajouter un lieu : commune, intercommunalité, département', hint: 'Tapez le début du nom puis choisissez dans la liste. Décochez un lieu pour le retirer. Aucun lieu : partout.', listId: 'lieux-regle' })}
    </fieldset>
    <fieldset><legend>Pour quels projets</legend>
      ${facts.map((fact) => factControl(fact, f.facts[fact.name]))}
      ${f.advanced.length
        ? html`<div class="advanced-conditions"><p><strong>Autres conditions</strong> (gardées telles quelles ; modifiables dans la vue experte) :</p><ul>${f.advanced.map((c) => html`<li>${conditionWords(c, o.territory)}</li>`)}</ul></div>`
        : ''}
    </fieldset>
    <fieldset><legend>Niveau</legend>${TIER_CHOICES.map(
      (t) => html`<label class="check"><input type="radio" name="tier" value="${t.value}"${attr('checked', t.value === f.tier)}> <span><strong>${t.label}</strong> — ${t.hint}</span></label>`,
    )}</fieldset>
    <fieldset><legend>Pourquoi</legend>
      <label for="reason">Phrase lue par le porteur</label>
      <p class="hint" id="reason-hint">Les boutons insèrent, à l’endroit du curseur, ce qui sera remplacé pour chaque porteur. Par exemple : « Parce que votre projet est {lieu}, {acteur} peut vous accompagner. »</p>
      <div class="vars" role="group" aria-label="Insérer dans la phrase">${REASON_VARIABLES.map(
        (v) => html`<button type="button" class="secondary small" data-insert="{${v.name}}" aria-controls="reason">+ ${v.label}</button>`,
      )}</div>
      <textarea id="reason" name="reason" rows="3" aria-describedby="reason-hint">${f.reason}</textarea>
    </fieldset>
    <details class="settings"><summary>Réglages avancés (priorité, besoin servi, identifiant)</summary>
      <label for="priority">Priorité (1 à 1000 : la plus grande passe devant les autres règles du même besoin)</label>
      <input type="number" id="priority" name="priority" min="1" max="1000" value="${String(f.priority)}">
      <label for="slot">Besoin servi (une seule structure par besoin, la plus prioritaire)</label>
      <input type="text" id="slot" name="slot" value="${f.slot}">
      <label for="fallbackTier">Niveau affiché pour un recours</label>
      <select id="fallbackTier" name="fallbackTier"><option value="expert"${attr('selected', f.fallbackTier === 'expert')}>Expertise ESS</option><option value="local"${attr('selected', f.fallbackTier === 'local')}>Proximité</option></select>
      <label for="description">Note interne (pourquoi cette règle existe)</label>
      <textarea id="description" name="description" rows="2">${f.description}</textarea>
      <label for="name">Identifiant de la règle (lettres minuscules et tirets)</label>
      <input type="text" id="name" name="name" value="${f.name}">
    </details>
    <p><button type="submit" name="intent" value="save">Enregistrer dans le brouillon</button></p>
  </form>`;
}

export interface TableRow {
  file: string;
  form: FormRule;
  title: string;
  actorName: string;
  badge?: string;
}

/** One row per rule, one column per fact used by these rules. */
export function decisionTable(rows: TableRow[], places: PlaceIndex, territory: TerritoryIndex): SafeHtml {
  const facts = projectFacts().filter((f) => rows.some((r) => choiceText(f, r.form.facts[f.name])));
  const anyAdvanced = rows.some((r) => r.form.advanced.length);
  if (rows.length === 0) return html`<p>Aucune règle pour ces filtres.</p>`;
  return html`<div class="table-scroll" role="region" aria-labelledby="table-regles" tabindex="0"><table class="decision"><caption id="table-regles">${rows.length} règle${rows.length > 1 ? 's' : ''} : une ligne par règle, une colonne par critère (vide : indifférent)</caption>
    <thead><tr><th scope="col">Structure</th><th scope="col">Niveau</th><th scope="col">Où</th>${facts.map((f) => html`<th scope="col">${f.label}</th>`)}${anyAdvanced ? html`<th scope="col">Autres conditions</th>` : ''}<th scope="col">Priorité</th><th scope="col">Modifier</th></tr></thead>
    <tbody>${rows.map(
      (r) => html`<tr><th scope="row">${r.actorName}${r.badge ? html` <span class="badge warn">${r.badge}</span>` : ''}</th><td>${tierLabel(r.form)}</td><td>${placesText(r.form, places)}</td>
        ${facts.map((f) => html`<td>${join(choiceText(f, r.form.facts[f.name]).split(' ; '), html`<br>`)}</td>`)}
        ${anyAdvanced ? html`<td class="advanced">${r.form.advanced.map((c) => conditionLine(c, territory).replace(/^\((.*)\)$/, '$1')).join(' ; ')}</td>` : ''}
        <td class="num">${String(r.form.priority)}</td>
        <td><a href="/regles/regle/${r.file}/${r.form.name}" aria-label="Modifier la règle « ${r.title} »">Modifier</a></td></tr>`,
    )}</tbody></table></div>`;
}

export { optionText };

/** What the draft changes for holders, in sentences, then the coverage difference with examples. */
export function changeSummaryView(s: ChangeSummary, actorName: (id: string) => string, heading = 'Ce qui change pour les porteurs'): SafeHtml {
  const names = (c: CoverageCombo) => (c.actorIds.length ? c.actorIds.map(actorName).join(', ') : 'aucune structure') + (c.fallback ? ' (recours)' : '');
  // Examples spread over communes first (one per commune), then over sectors.
  const seen = new Set<string>();
  const spread = s.coverageChanges.filter((c) => !seen.has(c.before.commune.code) && seen.add(c.before.commune.code));
  const examples = [...spread, ...s.coverageChanges.filter((c) => !spread.includes(c))].slice(0, 12);
  return html`<section aria-labelledby="ce-qui-change"><h2 id="ce-qui-change">${heading}</h2>
    ${s.sentences.length
      ? html`<ul class="changes">${s.sentences.slice(0, 30).map((x) => html`<li>${x.text}</li>`)}</ul>${s.sentences.length > 30 ? html`<p class="hint">Et ${s.sentences.length - 30} autres changements : voir la couverture.</p>` : ''}`
      : html`<p>Aucun projet ne serait orienté autrement : ni les communes, stades et secteurs des territoires desservis, ni les projets types (chaque besoin, forme et situation) ne changent de réponse.</p>`}
    <h3>Différence de couverture</h3>
    <p><strong>${s.coverageChanges.length.toLocaleString('fr-FR')}</strong> combinaison${s.coverageChanges.length > 1 ? 's' : ''} commune × stade × secteur sur ${s.combos.toLocaleString('fr-FR')} change${s.coverageChanges.length > 1 ? 'nt' : ''} de réponse.
      Combinaisons sans structure (seul un recours répond) : ${s.holesBefore.toLocaleString('fr-FR')} aujourd’hui, ${s.holesAfter.toLocaleString('fr-FR')} avec le brouillon.</p>
    ${examples.length
      ? html`<div class="table-scroll" role="region" aria-labelledby="exemples-couverture" tabindex="0"><table><caption id="exemples-couverture">Exemples (${examples.length} sur ${s.coverageChanges.length.toLocaleString('fr-FR')})</caption>
          <thead><tr><th scope="col">Commune</th><th scope="col">Stade</th><th scope="col">Secteur</th><th scope="col">Aujourd’hui</th><th scope="col">Avec le brouillon</th></tr></thead>
          <tbody>${examples.map((c) => html`<tr><th scope="row">${c.before.commune.nom}</th><td>${STAGE_LABELS[c.before.stage]}</td><td>${SECTOR_LABELS[c.before.sector]}</td><td>${names(c.before)}</td><td>${names(c.after)}</td></tr>`)}</tbody></table></div>`
      : ''}
  </section>`;
}
