// The rules editor: a decision table of the rules, each rule edited as a sentence with form
// controls (or as JSON in the expert view), all into a personal draft; the change summary in
// words, simulation with the trace, coverage before/after, diff, publication, history, rollback.
import type { Request, Response, Router } from 'express';
import { NEEDS, NEED_LABELS, PROJECT_TYPES, PROJECT_TYPE_LABELS, SECTORS, SECTOR_LABELS, STAGES, STAGE_LABELS, emptyProfile, type Profile } from '../../domain/profile.js';
import { servedEpcis, type Router as RoutingRouter, type RuleIssue } from '../../routing/index.js';
import { FACTS, holderContext } from '../../routing/facts.js';
import { summarizeChanges } from '../changeSummary.js';
import { placeIndex, tokenOf, optionText, splitToken } from '../places.js';
import { buildRule, formFromBody, parseRule, projectFacts, slugify, type FormRule } from '../ruleForm.js';
import { issueText } from '../rulesText.js';
import { changeSummaryView, decisionTable, ruleEditor, ruleTitle, type TableRow } from '../views/ruleEditor.js';
import { traceDecision } from '../../routing/trace.js';
import type { RuleFiles } from '../../store/rulesHistory.js';
import { render, scopeOf, type Deps } from '../context.js';
import { diffRuleFiles } from '../diff.js';
import { rulePlacesProblem } from './territories.js';
import { placesInside } from '../territories.js';
import { account, field, frenchDateTime, HttpError, notFound, query, state } from '../http.js';
import { attr, html, join, type SafeHtml } from '../views/html.js';
import { csrfField } from '../views/layout.js';
import { coverageView, decisionView, diffView, ruleCard, type CardRule } from '../views/rules.js';

const FILE = /^[a-z0-9][a-z0-9-]*\.json$/;

type TitleOf = (file: string, rule: string) => string;

function issuesList(issues: RuleIssue[], title: TitleOf): SafeHtml {
  return html`<ul class="issues">${issues.map((i) => html`<li>${issueText(i, title)}</li>`)}</ul>`;
}

function parseRules(text: string | undefined): { description?: string; rules: CardRule[] } | null {
  if (text === undefined) return null;
  try {
    const data = JSON.parse(text) as { description?: unknown; rules?: unknown };
    return { description: typeof data.description === 'string' ? data.description : undefined, rules: Array.isArray(data.rules) ? (data.rules as CardRule[]) : [] };
  } catch {
    return null;
  }
}

const NEW_RULE = {
  name: 'nouvelle-regle',
  description: 'À quoi sert cette règle.',
  priority: 50,
  conditions: { all: [{ fact: 'territory', operator: 'contains', value: 'vignoble-nantais' }, { fact: 'stage', operator: 'equal', value: 'idee' }] },
  event: { type: 'refer', params: { actorId: 'ecossolies', tier: 'expert', slot: 'emergence-ess', reason: 'Parce que votre projet est {lieu} et {stade}, {acteur} peut vous accompagner.' } },
};

export function mountRules(app: Router, deps: Deps): void {
  const ws = deps.rules;
  const actorName = (id: string) => deps.router.actorById(id)?.name ?? id;
  const csrf = (res: Response) => state(res).session?.csrf ?? null;
  const places = placeIndex(deps.territory);

  /** Titles of the rules of these files, for messages that name a rule in words. */
  const titlesOf = (files: Record<string, string>): TitleOf => {
    const map = new Map<string, string>();
    for (const [file, text] of Object.entries(files)) for (const r of parseRules(text)?.rules ?? []) if (typeof r.name === 'string') map.set(`${file}|${r.name}`, ruleTitle(parseRule(r), actorName, places));
    return (file, rule) => map.get(`${file}|${rule}`) ?? rule;
  };

  const draftBanner = async (res: Response): Promise<SafeHtml> => {
    const draft = await ws.draft(account(res));
    if (!draft) return html``;
    const n = Object.keys(draft.files).length;
    return html`<p class="flash ok" role="status">Vous avez un brouillon en cours (${n} fichier${n > 1 ? 's' : ''} de règles modifié${n > 1 ? 's' : ''}). <a href="/regles/brouillon">Voir ce qui change pour les porteurs, vérifier et publier</a>.</p>`;
  };

  // Territories a coordinator filters on: the Pays, the served intercommunalities, the departments.
  const territoryFilters = () => {
    return [
      ...deps.territories.all().map((t) => `territory:${t.id}`),
      ...servedEpcis(deps.router.actors()).map((c) => `epci:${c}`),
      ...deps.territory.servedDepartements.map((d) => `departement:${d}`),
    ].map((token) => ({ token, label: places.get(token)?.name ?? token }));
  };

  /** The communes of a place token, to test which rules apply there. */
  const communesOf = (token: string) => {
    const [fact, code] = splitToken(token);
    const t = deps.territory;
    if (fact === 'commune') return [t.commune(code)].filter((c) => !!c);
    if (fact === 'epci') return t.communesOfEpci(code);
    if (fact === 'departement') return t.communesOfDepartement(code);
    if (fact === 'territory') return (t.namedTerritory(code)?.epcis ?? []).flatMap((e) => t.communesOfEpci(e));
    return [];
  };

  const appliesIn = (form: FormRule, facts: Array<ReturnType<typeof holderContext>['facts']>) =>
    form.places.length === 0 ||
    facts.some((f) =>
      form.places.some((token) => {
        const [fact, code] = splitToken(token);
        if (fact === 'territory') return f.territory.includes(code);
        if (fact === 'servedArea') return String(f.servedArea) === code;
        return fact !== null && f[fact] === code;
      }),
    );

  // ── the rules as a decision table ───────────────────────────────────────────
  app.get('/regles', async (req, res) => {
    const me = account(res);
    const draft = await ws.draft(me);
    const live = await ws.liveFiles();
    const files = await ws.draftFiles(draft, live);
    const structure = query(req, 'structure');
    const scope = scopeOf(deps, res);
    // A territorial coordinator starts on their territory (« territoire= » empty shows every rule).
    const where = req.query.territoire === undefined && !scope.regional && scope.territories.length === 1 ? `territory:${scope.territories[0]!.id}` : query(req, 'territoire');
    const filters = territoryFilters();
    const whereFacts = where ? communesOf(where).map((c) => holderContext({ ...emptyProfile(), commune: { code: c.code, nom: c.nom }, epci: c.epci, departement: c.departement }, deps.territory).facts) : [];
    const rows: TableRow[] = [];
    const broken: string[] = [];
    const fileLinks: SafeHtml[] = [];
    for (const file of Object.keys(files).sort()) {
      const parsed = parseRules(files[file]);
      if (!parsed) {
        broken.push(file);
        continue;
      }
      fileLinks.push(html`<li><a href="/regles/nouvelle/${file}">Ajouter une règle : ${parsed.description ? parsed.description.split(/[.:]/)[0]!.trim() : file}</a></li>`);
      const liveRules = new Map((parseRules(live[file])?.rules ?? []).map((r) => [r.name, JSON.stringify(r)]));
      for (const r of parsed.rules) {
        const form = parseRule(r);
        if (structure && form.actorId !== structure) continue;
        if (where && !appliesIn(form, whereFacts)) continue;
        const before = liveRules.get(r.name);
        // A territorial coordinator reads the other rules; the badge says which ones they cannot change.
        const readOnly = !scope.regional && !placesInside(scope, form.places, deps.territory, deps.territories);
        rows.push({ file, form, title: ruleTitle(form, actorName, places), actorName: actorName(form.actorId), badge: before === undefined ? 'ajoutée au brouillon' : before !== JSON.stringify(r) ? 'modifiée au brouillon' : readOnly ? 'régionale : lecture seule' : undefined });
      }
    }
    const actors = [...deps.router.actors()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    render(deps, res, {
      title: 'Règles d’orientation',
      active: 'regles',
      body: html`<h1>Règles d’orientation</h1>
        ${await draftBanner(res)}
        <p>Chaque règle dit vers quelle structure orienter quels projets, et où. Vos modifications vont dans un brouillon : rien ne change pour les porteurs avant la publication.</p>
        <ul class="inline-links"><li><a href="/regles/simuler">Simuler un projet</a></li><li><a href="/regles/couverture">Couverture du territoire</a></li><li><a href="/regles/historique">Historique des publications</a></li></ul>
        ${broken.length ? html`<div class="flash error" role="alert">${broken.map((f) => html`<p>Le fichier de règles ${f} n’est pas lisible dans votre brouillon : <a href="/regles/fichier/${f}">corrigez-le dans la vue experte</a>.</p>`)}</div>` : ''}
        <form method="get" action="/regles" class="filters">
          <div><label for="structure">Structure</label><select id="structure" name="structure"><option value="">Toutes les structures</option>${actors.map((a) => html`<option value="${a.id}"${attr('selected', a.id === structure)}>${a.name}</option>`)}</select></div>
          <div><label for="territoire">Territoire</label><select id="territoire" name="territoire"><option value="">Tous les territoires</option>${filters.map((f) => html`<option value="${f.token}"${attr('selected', f.token === where)}>${f.label}</option>`)}</select></div>
          <div><button type="submit">Filtrer</button></div>
        </form>
        ${decisionTable(rows, places, deps.territory)}
        <h2>Ajouter une règle</h2><p>Choisissez la famille de règles où la ranger :</p><ul>${fileLinks}</ul>
        <details><summary>Vue experte : les fichiers de règles en JSON</summary><ul>${Object.keys(files).sort().map((f) => html`<li><a href="/regles/fichier/${f}">${f}</a></li>`)}</ul></details>`,
    });
  });

  const fileParam = (req: Request) => {
    const file = String(req.params.file ?? '');
    if (!FILE.test(file)) throw notFound();
    return file;
  };

  // ── editing a rule as a sentence ────────────────────────────────────────────
  const formPage = async (res: Response, o: { file: string; originalName: string | null; form?: FormRule; addPlace?: string; candidates?: string[]; errors?: string[] }, status = 200) => {
    const me = account(res);
    const fileText = await ws.fileText(me, o.file);
    if (fileText === undefined) throw notFound();
    const saved = o.originalName === null ? undefined : parseRules(fileText)?.rules.find((r) => r.name === o.originalName);
    if (o.originalName !== null && !saved) throw notFound();
    const form = o.form ?? parseRule(saved ?? { priority: 50, conditions: { all: [] }, event: { type: 'refer', params: { tier: 'local', reason: '' } } });
    const base = o.originalName === null ? `/regles/nouvelle/${o.file}` : `/regles/regle/${o.file}/${o.originalName}`;
    const title = o.originalName === null ? 'Nouvelle règle' : `Règle : ${ruleTitle(form, actorName, places)}`;
    render(
      deps,
      res,
      {
        title,
        active: 'regles',
        scripts: ['rules-editor.js'],
        body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>${title}</h1>
          ${await draftBanner(res)}
          ${o.errors?.length ? html`<div class="flash error" role="alert"><p>La règle n’est pas enregistrée :</p><ul>${o.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
          <p>Lisez la règle comme une phrase : <strong>orienter vers</strong> une structure <strong>les projets situés</strong> dans ces lieux, <strong>pour</strong> ces projets, <strong>à ce niveau</strong>, <strong>parce que</strong>… Tout va dans votre brouillon.</p>
          ${ruleEditor({ action: base, csrf: csrf(res), form, actors: deps.router.actors(), places, territory: deps.territory, addPlace: o.addPlace, candidates: o.candidates })}
          <p><a href="${base}/json">Vue experte : cette règle en JSON</a></p>
          ${o.originalName !== null
            ? html`<form method="post" action="/regles/regle/${o.file}/${o.originalName}/supprimer">${csrfField(csrf(res))}<button type="submit" class="danger">Supprimer cette règle du brouillon</button></form>`
            : ''}`,
      },
      status,
    );
  };

  const saveForm = async (req: Request, res: Response, file: string, originalName: string | null) => {
    const me = account(res);
    const { form, addPlace, problems } = formFromBody(req.body);
    const intent = field(req, 'intent');
    // A place typed by name: resolved on the server (the same with or without JavaScript).
    const typed = addPlace || field(req, 'add_places');
    // « Ajouter ce lieu » with nothing typed is the form's default button on Enter: a save.
    const adding = intent.startsWith('add-') && !!typed;
    if (typed) {
      const found = places.resolveTyped(typed);
      if (found && 'candidates' in found) return formPage(res, { file, originalName, form, addPlace: typed, candidates: found.candidates.map(optionText), errors: adding ? undefined : [`« ${typed} » désigne plusieurs lieux : choisissez-en un dans la liste.`] }, adding ? 200 : 400);
      if (!found) return formPage(res, { file, originalName, form, addPlace: typed, errors: [`Lieu introuvable : « ${typed} ». Tapez le nom d’une commune, d’une intercommunalité ou d’un département.`] }, 400);
      if (!form.places.includes(tokenOf(found))) form.places.push(tokenOf(found));
    }
    if (adding) return formPage(res, { file, originalName, form });
    const label = originalName ? ruleTitle(form, actorName, places) : 'nouvelle règle';
    const errors = [...problems];
    if (!deps.router.actorById(form.actorId)) errors.push(`Règle « ${label} », champ « Structure » : choisissez une structure dans la liste.`);
    if (form.reason.length < 10) errors.push(`Règle « ${label} », champ « Phrase lue par le porteur » : écrivez une phrase d’au moins 10 caractères.`);
    if (!Number.isInteger(form.priority) || form.priority < 1 || form.priority > 1000) errors.push(`Règle « ${label} », champ « Priorité » : un nombre entier de 1 à 1000.`);
    const outside = rulePlacesProblem(deps, res, form.places);
    if (outside) errors.push(`Règle « ${label} », ${outside.charAt(0).toLowerCase()}${outside.slice(1)}`);
    if (errors.length) return formPage(res, { file, originalName, form, errors }, 400);
    const files = await ws.draftFiles(await ws.draft(me));
    const taken = new Set(Object.values(files).flatMap((t) => (parseRules(t)?.rules ?? []).map((r) => r.name)));
    if (form.name && form.name !== originalName && taken.has(form.name)) {
      return formPage(res, { file, originalName, form, errors: [`Règle « ${label} », champ « Identifiant de la règle » : « ${form.name} » est déjà celui d’une autre règle ; choisissez-en un autre ou videz le champ.`] }, 400);
    }
    if (!form.name) {
      const stem = slugify(`${form.actorId}-${form.places.length ? (places.get(form.places[0]!)?.name ?? '') : 'partout'}-${form.tier}`) || 'regle';
      let name = stem;
      for (let n = 2; taken.has(name); n += 1) name = `${stem}-${n}`;
      form.name = name;
    }
    if (!form.slot && form.tier !== 'fallback') form.slot = slugify(form.name);
    const text = JSON.stringify(buildRule(form), null, 2);
    // Checked before saving: the form never leaves a rule the loader would refuse.
    const candidate = await ws.candidate(me, { file, text, mode: 'rule', originalName });
    if ('message' in candidate) return formPage(res, { file, originalName, form, errors: [candidate.message] }, 400);
    const validation = await ws.validate(candidate.files);
    if (!validation.ok) {
      const title = titlesOf(candidate.files);
      const mine = validation.issues.filter((i) => i.rule === form.name);
      return formPage(res, { file, originalName, form, errors: (mine.length ? mine : validation.issues).map((i) => issueText(i, title)) }, 400);
    }
    const outcome = await ws.saveEdit(me, { file, text, mode: 'rule', originalName });
    if (!outcome.ok) return formPage(res, { file, originalName, form, errors: [outcome.message] }, 400);
    deps.flash.add(res, 'ok', `Règle « ${ruleTitle(form, actorName, places)} » enregistrée dans votre brouillon. Voici ce qui change pour les porteurs.`);
    res.redirect(303, '/regles/brouillon');
  };

  app.get('/regles/regle/:file/:name', (req, res) => formPage(res, { file: fileParam(req), originalName: String(req.params.name) }));
  app.post('/regles/regle/:file/:name', (req, res) => saveForm(req, res, fileParam(req), String(req.params.name)));
  app.get('/regles/nouvelle/:file', (req, res) => formPage(res, { file: fileParam(req), originalName: null }));
  app.post('/regles/nouvelle/:file', (req, res) => saveForm(req, res, fileParam(req), null));

  // Place search for the pickers (rules and structures' zones): names in, tokens out.
  app.get('/regles/lieux', (req, res) => {
    const facts = query(req, 'faits').split(',').filter(Boolean) as Parameters<typeof places.search>[2] & string[];
    const hits = places.search(query(req, 'q'), 12, facts.length ? facts : undefined);
    res.set('Cache-Control', 'no-store').json({ places: hits.map((p) => ({ token: tokenOf(p), name: p.name, detail: p.detail, text: optionText(p) })) });
  });

  // ── expert view: a rule or a file in JSON ──────────────────────────────────
  const editPage = async (req: Request, res: Response, o: { file: string; originalName: string | null; text?: string; error?: string }, status = 200) => {
    const me = account(res);
    const fileText = await ws.fileText(me, o.file);
    if (fileText === undefined) throw notFound();
    const saved = o.originalName === null ? undefined : parseRules(fileText)?.rules.find((r) => r.name === o.originalName);
    if (o.originalName !== null && !saved) throw notFound();
    const text = o.text ?? JSON.stringify(saved ?? NEW_RULE, null, 2);
    const action = o.originalName === null ? `/regles/nouvelle/${o.file}/json` : `/regles/regle/${o.file}/${o.originalName}/json`;
    const title = o.originalName === null ? 'Nouvelle règle (vue experte)' : `Vue experte : ${ruleTitle(parseRule(saved!), actorName, places)}`;
    render(
      deps,
      res,
      {
        title,
        active: 'regles',
        scripts: ['rules-editor.js'],
        body: html`<p><a href="${action.replace(/\/json$/, '')}">← La règle en phrase</a> · <a href="/regles">Toutes les règles</a></p><h1>${title}</h1>
          ${await draftBanner(res)}
          <p>La règle est écrite en JSON (format décrit dans rules/README.md). C’est le même brouillon que la vue en phrase : rien n’est en ligne avant la publication.</p>
          ${o.error ? html`<div class="flash error" role="alert">${o.error}</div>` : ''}
          <div class="grid2"><form method="post" action="${action}">
            ${csrfField(csrf(res))}
            <label for="rule-json">Règle (JSON)</label>
            <p class="hint" id="rule-hint">Faits : stage, sector, projectType, needs, commune, epci, departement, region, territory, servedArea, agriculturalInstallation, takeover, cooperativeForm, employerStructure, trade, youngHolder. La vérification se fait pendant la saisie.</p>
            <textarea id="rule-json" name="text" class="code" rows="30" spellcheck="false" aria-describedby="rule-hint validation" data-validate="rule" data-file="${o.file}" data-original="${o.originalName ?? ''}">${text}</textarea>
            <p><button type="submit">Enregistrer dans le brouillon</button></p>
          </form>
          <div><h2>Vérification</h2><div id="validation" aria-live="polite"><p>La vérification s’affiche ici pendant la saisie.</p></div>
            ${saved ? html`<h2>La règle telle qu’enregistrée</h2>${ruleCard(saved, o.file, deps.territory, actorName, undefined, false)}` : ''}</div></div>`,
      },
      status,
    );
  };

  const saveRule = async (req: Request, res: Response, file: string, originalName: string | null) => {
    const me = account(res);
    const text = typeof req.body?.text === 'string' ? (req.body.text as string) : '';
    const outcome = await ws.saveEdit(me, { file, text, mode: 'rule', originalName });
    if (!outcome.ok) return editPage(req, res, { file, originalName, text, error: outcome.message }, 400);
    deps.flash.add(res, outcome.value.ok ? 'ok' : 'error', outcome.value.ok ? 'Règle enregistrée dans votre brouillon. Le jeu est valide.' : 'Règle enregistrée dans votre brouillon, mais le jeu n’est pas valide : corrigez avant de publier.');
    res.redirect(303, '/regles/brouillon');
  };

  app.get('/regles/regle/:file/:name/json', (req, res) => editPage(req, res, { file: fileParam(req), originalName: String(req.params.name) }));
  app.post('/regles/regle/:file/:name/json', (req, res) => saveRule(req, res, fileParam(req), String(req.params.name)));
  app.get('/regles/nouvelle/:file/json', (req, res) => editPage(req, res, { file: fileParam(req), originalName: null }));
  app.post('/regles/nouvelle/:file/json', (req, res) => saveRule(req, res, fileParam(req), null));
  app.post('/regles/regle/:file/:name/supprimer', async (req, res) => {
    const outcome = await ws.deleteRule(account(res), fileParam(req), String(req.params.name));
    deps.flash.add(res, outcome.ok ? 'ok' : 'error', outcome.ok ? 'Règle supprimée de votre brouillon.' : outcome.message);
    res.redirect(303, outcome.ok ? '/regles/brouillon' : '/regles');
  });

  const filePage = async (req: Request, res: Response, file: string, text?: string, error?: string, status = 200) => {
    const me = account(res);
    const current = await ws.fileText(me, file);
    if (current === undefined) throw notFound();
    render(
      deps,
      res,
      {
        title: `Vue experte : ${file}`,
        active: 'regles',
        scripts: ['rules-editor.js'],
        body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>Vue experte : ${file}</h1>
          ${await draftBanner(res)}
          ${error ? html`<div class="flash error" role="alert">${error}</div>` : ''}
          <form method="post" action="/regles/fichier/${file}">
            ${csrfField(csrf(res))}
            <label for="file-json">Contenu du fichier (JSON)</label>
            <textarea id="file-json" name="text" class="code" rows="40" spellcheck="false" aria-describedby="validation" data-validate="file" data-file="${file}" data-original="">${text ?? current}</textarea>
            <div id="validation" aria-live="polite"></div>
            <p><button type="submit">Enregistrer dans le brouillon</button></p>
          </form>`,
      },
      status,
    );
  };
  app.get('/regles/fichier/:file', (req, res) => filePage(req, res, fileParam(req)));
  app.post('/regles/fichier/:file', async (req, res) => {
    const file = fileParam(req);
    if ((await ws.fileText(account(res), file)) === undefined) throw notFound();
    const text = typeof req.body?.text === 'string' ? (req.body.text as string).replace(/\r\n/g, '\n') : '';
    const outcome = await ws.saveEdit(account(res), { file, text, mode: 'file', originalName: null });
    if (!outcome.ok) return filePage(req, res, file, text, outcome.message, 400);
    deps.flash.add(res, outcome.value.ok ? 'ok' : 'error', outcome.value.ok ? `${file} enregistré dans votre brouillon. Le jeu est valide.` : `${file} enregistré dans votre brouillon, mais le jeu n’est pas valide.`);
    res.redirect(303, '/regles/brouillon');
  });

  // Validation as you type: the same checks as publication, on the draft with this edit.
  // (`/rules/validate` is the same endpoint under its English name, for API clients.)
  app.post(['/regles/valider', '/rules/validate'], async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const file = typeof body.file === 'string' ? body.file : '';
    const mode = body.mode === 'file' ? 'file' : 'rule';
    if (!FILE.test(file) || typeof body.text !== 'string') throw new HttpError(400, 'Requête invalide', 'Fichier ou texte manquant.');
    const candidate = await ws.candidate(account(res), { file, text: body.text, mode, originalName: typeof body.originalName === 'string' && body.originalName ? body.originalName : null });
    if ('message' in candidate) return res.json({ ok: false, issues: [candidate.message] });
    const validation = await ws.validate(candidate.files);
    if (!validation.ok) return res.json({ ok: false, issues: validation.issues.map((i) => issueText(i, titlesOf(candidate.files))) });
    res.json({ ok: true, message: `Jeu de règles valide : ${validation.set.rules.length} règles (version ${validation.set.version} une fois publié).` });
  });

  // ── draft: what changes for holders, validation, diff, publication ─────────
  app.get('/regles/brouillon', async (_req, res) => {
    const me = account(res);
    const draft = await ws.draft(me);
    if (!draft) {
      return render(deps, res, { title: 'Brouillon', active: 'regles', body: html`<h1>Brouillon</h1><p>Vous n’avez pas de brouillon en cours. <a href="/regles">Modifiez une règle</a> pour en commencer un.</p>` });
    }
    const files = await ws.draftFiles(draft);
    const validation = await ws.validate(files);
    const diffs = await ws.diff(me);
    const title = titlesOf({ ...(await ws.liveFiles()), ...files });
    let summary: SafeHtml = html``;
    if (validation.ok) {
      const draftRouter = await ws.routerFor(files);
      if ('router' in draftRouter) {
        const epcis = servedEpcis(deps.router.actors());
        const changes = await summarizeChanges({ live: deps.router, draft: draftRouter.router, territory: deps.territory, coverage: (r) => ws.coverageOf(r, epcis), actorName });
        summary = changeSummaryView(changes, actorName);
      }
    }
    render(deps, res, {
      title: 'Votre brouillon de règles',
      active: 'regles',
      body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>Votre brouillon de règles</h1>
        <p>Commencé le ${frenchDateTime(draft.createdAt)}. Rien n’a changé pour les porteurs tant que vous n’avez pas publié.</p>
        ${validation.ok
          ? html`<p class="pass" role="status">Le brouillon est valide : il peut être publié.</p>`
          : html`<div role="alert"><p class="fail">Le brouillon n’est pas valide : il ne peut pas être publié.</p>${issuesList(validation.issues, title)}</div>`}
        ${summary}
        <p><a href="/regles/simuler">Simuler un projet avec le brouillon</a> · <a href="/regles/couverture">Couverture avant et après, case par case</a></p>
        ${validation.ok
          ? html`<h2>Publier</h2><form method="post" action="/regles/publier">${csrfField(csrf(res))}
              <label for="message">Message de publication (ce qui change et pourquoi)</label>
              <input type="text" id="message" name="message" required minlength="3" maxlength="300">
              <p><button type="submit">Publier maintenant</button></p></form>`
          : ''}
        <form method="post" action="/regles/brouillon/abandonner">${csrfField(csrf(res))}<button type="submit" class="secondary">Abandonner le brouillon</button></form>
        <h2>Différences techniques, fichier par fichier</h2>
        ${diffView(diffs, title)}`,
    });
  });

  app.post('/regles/brouillon/abandonner', async (_req, res) => {
    await ws.discard(account(res));
    deps.flash.add(res, 'ok', 'Brouillon abandonné : les règles en ligne n’ont pas changé.');
    res.redirect(303, '/regles');
  });

  app.post('/regles/publier', async (req, res) => {
    const outcome = await ws.publish(account(res), field(req, 'message'));
    if (!outcome.ok) {
      const title = titlesOf(await ws.draftFiles(await ws.draft(account(res))));
      deps.flash.add(res, 'error', `${outcome.message}${outcome.issues ? ` ${outcome.issues.map((i) => issueText(i, title)).join(' ')}` : ''}`);
      return res.redirect(303, '/regles/brouillon');
    }
    deps.flash.add(res, 'ok', `Règles publiées (publication n° ${outcome.value.n}) : en service dès maintenant pour les porteurs.`);
    res.redirect(303, '/regles/historique');
  });

  // ── simulation ──────────────────────────────────────────────────────────────
  app.get('/regles/simuler', async (req, res) => {
    const me = account(res);
    const draft = await ws.draft(me);
    const errors: string[] = [];
    const pick = <T extends string>(name: string, values: readonly T[]): T | null => {
      const v = query(req, name);
      return (values as readonly string[]).includes(v) ? (v as T) : null;
    };
    const needs = (Array.isArray(req.query.needs) ? req.query.needs : req.query.needs ? [req.query.needs] : []).filter((n): n is string => typeof n === 'string' && (NEEDS as readonly string[]).includes(n));
    const place = query(req, 'commune');
    const profile: Profile = { ...emptyProfile(), stage: pick('stage', STAGES), sector: pick('sector', SECTORS), projectType: pick('projectType', PROJECT_TYPES), needs: needs as Profile['needs'] };
    // The receptionist's facts, from the catalogue like the editor (yes/no facts and other lists).
    const extraFacts = projectFacts().filter((f) => !['stage', 'sector', 'projectType', 'needs'].includes(f.name) && f.name in profile);
    for (const f of extraFacts) {
      const v = query(req, f.name);
      const patch = profile as unknown as Record<string, unknown>;
      if (f.kind === 'boolean' && (v === 'true' || v === 'false')) patch[f.name] = v === 'true';
      else if (f.kind === 'enum' && f.options.some((o) => o.value === v)) patch[f.name] = v;
    }
    if (place) {
      const match = /^(\d{5}|2[AB]\d{3})$/.test(place) ? { kind: 'commune' as const, commune: deps.territory.commune(place) } : deps.territory.resolve(place);
      if (match?.kind === 'commune' && match.commune) {
        profile.commune = { code: match.commune.code, nom: match.commune.nom };
        profile.epci = match.commune.epci;
        profile.departement = match.commune.departement;
      } else if (match?.kind === 'ambiguous') errors.push(`« ${place} » désigne plusieurs communes : ${match.candidates.map((c) => `${c.nom} (${c.code})`).join(', ')}. Précisez le code INSEE.`);
      else errors.push(`Commune inconnue : « ${place} ». Saisissez un nom de commune ou un code INSEE.`);
    }
    const submitted = Object.keys(req.query).length > 0;
    const select = <T extends string>(name: string, label: string, values: readonly T[], labels: Record<T, string>) =>
      html`<div><label for="${name}">${label}</label><select id="${name}" name="${name}"><option value="">Inconnu</option>${values.map(
        (v) => html`<option value="${v}"${profile[name as 'stage'] === v ? html` selected` : ''}>${labels[v]}</option>`,
      )}</select></div>`;
    let results: SafeHtml = html``;
    if (submitted && errors.length === 0) {
      const run = async (router: RoutingRouter, set: Parameters<typeof traceDecision>[0], title: string, prefix: string) => {
        const decision = await router.route(profile);
        const titles = new Map(set.rules.map((r) => [r.id, ruleTitle(parseRule({ name: r.id, priority: r.priority, conditions: r.conditions, event: { type: r.type, params: r.params } }), actorName, places)]));
        return decisionView(title, decision, await traceDecision(set, deps.territory, profile, decision), deps.territory, actorName, prefix, (id) => titles.get(id) ?? id);
      };
      const live = await run(deps.router, await ws.liveSet(), 'Règles en ligne', 'en-ligne');
      let withDraft: SafeHtml = html``;
      if (draft) {
        const draftFiles = await ws.draftFiles(draft);
        const draftRouter = await ws.routerFor(draftFiles);
        withDraft = 'router' in draftRouter ? await run(draftRouter.router, draftRouter.set, 'Avec votre brouillon', 'brouillon') : html`<section><h2>Avec votre brouillon</h2><p class="fail">Le brouillon n’est pas valide.</p>${issuesList(draftRouter.issues, titlesOf(draftFiles))}</section>`;
      }
      results = draft ? html`<div class="grid2">${live}${withDraft}</div>` : live;
    }
    render(deps, res, {
      title: 'Simuler un projet',
      active: 'regles',
      scripts: ['rules-editor.js'],
      body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>Simuler un projet</h1>
        <p>Décrivez un projet : vous voyez à qui il serait orienté${draft ? ', avec les règles en ligne et avec votre brouillon' : ''}, et pourquoi (conditions vraies et fausses de chaque règle).</p>
        ${errors.length ? html`<div class="flash error" role="alert">${errors.join(' ')}</div>` : ''}
        <form method="get" action="/regles/simuler" class="filters">
          ${select('stage', FACTS.stage.label, STAGES, STAGE_LABELS)}
          ${select('sector', FACTS.sector.label, SECTORS, SECTOR_LABELS)}
          ${select('projectType', FACTS.projectType.label, PROJECT_TYPES, PROJECT_TYPE_LABELS)}
          <div><label for="commune">Commune (nom ou code INSEE)</label><input type="text" id="commune" name="commune" value="${place}" list="lieux-simulation" autocomplete="off" data-place-search="/regles/lieux" data-place-facts="commune" data-place-fill><datalist id="lieux-simulation"></datalist></div>
          ${extraFacts.map((f) => {
            const current = (profile as unknown as Record<string, unknown>)[f.name];
            const options = f.kind === 'boolean' ? [{ value: 'true', label: 'Oui' }, { value: 'false', label: 'Non' }] : f.options;
            return html`<div><label for="${f.name}">${f.label}</label><select id="${f.name}" name="${f.name}"><option value="">Inconnu</option>${options.map(
              (o) => html`<option value="${o.value}"${attr('selected', String(current) === o.value)}>${o.label}</option>`,
            )}</select></div>`;
          })}
          <fieldset class="checks"><legend>${FACTS.needs.label}</legend>${NEEDS.map(
            (n) => html`<label class="check"><input type="checkbox" name="needs" value="${n}"${profile.needs.includes(n) ? html` checked` : ''}> ${NEED_LABELS[n]}</label>`,
          )}</fieldset>
          <div><button type="submit">Simuler</button></div>
        </form>
        ${results}`,
    });
  });

  // ── coverage ────────────────────────────────────────────────────────────────
  app.get('/regles/couverture', async (req, res) => {
    const me = account(res);
    const draft = await ws.draft(me);
    const served = servedEpcis(deps.router.actors());
    const choices = [
      ...deps.territories.all().map((t) => ({ id: t.id, label: t.nom, epcis: t.epcis })),
      ...served.map((code) => ({ id: code, label: deps.territory.epci(code)?.nom ?? code, epcis: [code] })),
      { id: 'tout', label: 'Toutes les intercommunalités desservies commune par commune', epcis: served },
    ];
    // A territorial coordinator's coverage opens on their (first) territory.
    const home = scopeOf(deps, res).territories[0]?.id ?? 'vignoble-nantais';
    const choice = choices.find((c) => c.id === (query(req, 'territoire') || home)) ?? choices[0]!;
    const before = await ws.coverageOf(deps.router, choice.epcis);
    let after = null;
    let problem: SafeHtml = html``;
    if (draft) {
      const draftFiles = await ws.draftFiles(draft);
      const draftRouter = await ws.routerFor(draftFiles);
      if ('router' in draftRouter) after = await ws.coverageOf(draftRouter.router, choice.epcis);
      else problem = html`<div class="flash error" role="alert"><p>Votre brouillon n’est pas valide : la couverture « après » ne peut pas être calculée.</p>${issuesList(draftRouter.issues, titlesOf(draftFiles))}</div>`;
    }
    render(deps, res, {
      title: 'Couverture du territoire',
      active: 'regles',
      body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>Couverture : ${choice.label}</h1>
        <form method="get" action="/regles/couverture" class="filters"><div><label for="territoire">Territoire</label>
          <select id="territoire" name="territoire">${choices.map((c) => html`<option value="${c.id}"${c.id === choice.id ? html` selected` : ''}>${c.label}</option>`)}</select></div>
          <div><button type="submit" class="secondary">Afficher</button></div></form>
        ${problem}
        ${coverageView(before, after, actorName)}`,
    });
  });

  // ── history and rollback ────────────────────────────────────────────────────
  const KIND = { initial: 'état initial', external: 'modifié hors back-office', publish: 'publication', rollback: 'retour arrière' } as const;
  app.get('/regles/historique', async (_req, res) => {
    const entries = [...(await ws.versions())].reverse();
    render(deps, res, {
      title: 'Historique des règles',
      active: 'regles',
      body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>Historique des règles</h1>
        <p>En ligne : version <strong>${deps.router.rulesVersion}</strong>.</p>
        ${entries.length === 0
          ? html`<p>Aucune publication depuis le back-office pour l’instant.</p>`
          : html`<table><caption>Versions publiées, la plus récente d’abord</caption><thead><tr><th scope="col">N°</th><th scope="col">Date</th><th scope="col">Auteur</th><th scope="col">Type</th><th scope="col">Message</th><th scope="col">Version</th><th scope="col">Voir</th></tr></thead>
            <tbody>${entries.map(
              (e) => html`<tr><td class="num">${e.n}</td><td>${frenchDateTime(e.at)}</td><td>${e.author.email}</td><td>${KIND[e.kind]}${e.restored ? ` du n° ${e.restored}` : ''}</td><td>${e.message}</td>
                <td>${e.version}${e.version === deps.router.rulesVersion ? html` <span class="badge ok">en ligne</span>` : ''}</td><td><a href="/regles/historique/${e.n}">Version n° ${e.n}</a></td></tr>`,
            )}</tbody></table>`}`,
    });
  });

  app.get('/regles/historique/:n', async (req, res) => {
    const n = Number.parseInt(String(req.params.n), 10);
    const entry = await ws.history.get(n);
    if (!entry) throw notFound();
    const files: RuleFiles = await ws.history.files(n);
    const liveNow = await ws.liveFiles();
    const diffs = diffRuleFiles(liveNow, files);
    let summary: SafeHtml = html``;
    if (diffs.length) {
      const versionRouter = await ws.routerFor(files);
      if ('router' in versionRouter) {
        const epcis = servedEpcis(deps.router.actors());
        summary = changeSummaryView(await summarizeChanges({ live: deps.router, draft: versionRouter.router, territory: deps.territory, coverage: (r) => ws.coverageOf(r, epcis), actorName }), actorName, 'Ce qui changerait pour les porteurs en revenant à cette version');
      }
    }
    render(deps, res, {
      title: `Version n° ${n} des règles`,
      active: 'regles',
      body: html`<p><a href="/regles/historique">← Historique</a></p><h1>Version n° ${n} des règles</h1>
        <dl class="summary"><dt>Date</dt><dd>${frenchDateTime(entry.at)}</dd><dt>Auteur</dt><dd>${entry.author.email}</dd><dt>Message</dt><dd>${entry.message}</dd><dt>Version</dt><dd>${entry.version}</dd><dt>Fichiers</dt><dd>${entry.files.map((f) => `rules/${f}`).join(', ')}</dd></dl>
        ${summary}
        <h2>Ce que cette version changerait par rapport aux règles en ligne, fichier par fichier</h2>
        ${diffView(diffs, titlesOf({ ...liveNow, ...files }))}
        ${diffs.length
          ? html`<h2>Revenir à cette version</h2><form method="post" action="/regles/historique/${n}/restaurer">${csrfField(csrf(res))}
              <label for="message">Pourquoi revenir à cette version ?</label><input type="text" id="message" name="message" maxlength="300">
              <label class="check"><input type="checkbox" name="confirm" value="1" required> Je confirme : ces règles remplaceront les règles en ligne dès maintenant.</label>
              <p><button type="submit" class="danger">Revenir à la version n° ${n}</button></p></form>`
          : html`<p>Ces règles sont celles en ligne.</p>`}
        <h2>Fichiers</h2>${Object.entries(files).map(([name, text]) => html`<details><summary>rules/${name}</summary><pre class="json" tabindex="0">${text}</pre></details>`)}`,
    });
  });

  app.post('/regles/historique/:n/restaurer', async (req, res) => {
    const n = Number.parseInt(String(req.params.n), 10);
    if (field(req, 'confirm') !== '1') {
      deps.flash.add(res, 'error', 'Cochez la confirmation pour revenir à cette version.');
      return res.redirect(303, `/regles/historique/${n}`);
    }
    const outcome = await ws.rollback(account(res), n, field(req, 'message'));
    deps.flash.add(res, outcome.ok ? 'ok' : 'error', outcome.ok ? `Retour à la version n° ${n} : en service dès maintenant (nouvelle version ${outcome.value.version}, n° ${outcome.value.n}).` : outcome.message);
    res.redirect(303, outcome.ok ? '/regles/historique' : `/regles/historique/${n}`);
  });

}
