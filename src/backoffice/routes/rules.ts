// The rules editor: cards and JSON, edits into a personal draft with validation as you type,
// simulation with the trace, coverage before/after, diff, publication, history and rollback.
import type { Request, Response, Router } from 'express';
import { NEEDS, NEED_LABELS, PROJECT_TYPES, PROJECT_TYPE_LABELS, SECTORS, SECTOR_LABELS, STAGES, STAGE_LABELS, emptyProfile, type Profile } from '../../domain/profile.js';
import { servedEpcis, type Router as RoutingRouter, type RuleIssue } from '../../routing/index.js';
import { traceDecision } from '../../routing/trace.js';
import type { RuleFiles } from '../../store/rulesHistory.js';
import { render, type Deps } from '../context.js';
import { diffRuleFiles } from '../diff.js';
import { account, field, frenchDateTime, HttpError, notFound, query, state } from '../http.js';
import { html, join, type SafeHtml } from '../views/html.js';
import { csrfField } from '../views/layout.js';
import { coverageView, decisionView, diffView, ruleCard, type CardRule } from '../views/rules.js';

const FILE = /^[a-z0-9][a-z0-9-]*\.json$/;

function issuesList(issues: RuleIssue[]): SafeHtml {
  return html`<ul class="issues">${issues.map((i) => html`<li>${i.file}${i.rule ? `, règle « ${i.rule} »` : i.actor ? `, acteur « ${i.actor} »` : ''} : ${i.message}</li>`)}</ul>`;
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

  const draftBanner = async (res: Response): Promise<SafeHtml> => {
    const draft = ws.draft(account(res));
    if (!draft) return html``;
    const files = Object.keys(draft.files).map((f) => `rules/${f}`).join(', ');
    return html`<p class="flash ok" role="status">Brouillon en cours (${files}). <a href="/regles/brouillon">Voir les différences, vérifier et publier</a>.</p>`;
  };

  // ── cards ───────────────────────────────────────────────────────────────────
  app.get('/regles', async (_req, res) => {
    const me = account(res);
    const draft = ws.draft(me);
    const live = await ws.liveFiles();
    const files = await ws.draftFiles(draft, live);
    const sections = Object.keys(files).sort().map((file) => {
      const parsed = parseRules(files[file]);
      const liveRules = new Map((parseRules(live[file])?.rules ?? []).map((r) => [r.name, JSON.stringify(r)]));
      if (!parsed) return html`<h2>rules/${file}</h2><p class="error-text">Ce fichier n’est pas un JSON valide dans votre brouillon : <a href="/regles/fichier/${file}">corrigez-le</a>.</p>`;
      return html`<section aria-labelledby="f-${file}"><h2 id="f-${file}">rules/${file}</h2>
        ${parsed.description ? html`<p>${parsed.description}</p>` : ''}
        <p><a href="/regles/fichier/${file}">Voir et modifier rules/${file} en JSON</a> · <a href="/regles/nouvelle/${file}">Ajouter une règle à rules/${file}</a></p>
        ${parsed.rules.map((r) => {
          const before = liveRules.get(r.name);
          const badge = before === undefined ? 'ajoutée dans votre brouillon' : before !== JSON.stringify(r) ? 'modifiée dans votre brouillon' : undefined;
          return ruleCard(r, file, deps.territory, actorName, badge);
        })}</section>`;
    });
    render(deps, res, {
      title: 'Règles d’orientation',
      active: 'regles',
      body: html`<h1>Règles d’orientation</h1>
        ${await draftBanner(res)}
        <p>En ligne : jeu de règles <strong>${deps.router.rulesVersion}</strong>, ${deps.router.ruleCount} règles. Chaque orientation garde la version du jeu qui l’a produite.</p>
        <ul><li><a href="/regles/simuler">Simuler un projet</a></li><li><a href="/regles/couverture">Couverture du territoire</a></li><li><a href="/regles/historique">Historique des publications</a></li></ul>
        ${join(sections)}`,
    });
  });

  // ── editing a rule or a file ───────────────────────────────────────────────
  const editPage = async (req: Request, res: Response, o: { file: string; originalName: string | null; text?: string; error?: string }, status = 200) => {
    const me = account(res);
    const fileText = await ws.fileText(me, o.file);
    if (fileText === undefined) throw notFound();
    const saved = o.originalName === null ? undefined : parseRules(fileText)?.rules.find((r) => r.name === o.originalName);
    if (o.originalName !== null && !saved) throw notFound();
    const text = o.text ?? JSON.stringify(saved ?? NEW_RULE, null, 2);
    const action = o.originalName === null ? `/regles/nouvelle/${o.file}` : `/regles/regle/${o.file}/${o.originalName}`;
    const title = o.originalName === null ? `Nouvelle règle dans rules/${o.file}` : `Modifier la règle ${o.originalName}`;
    render(
      deps,
      res,
      {
        title,
        active: 'regles',
        scripts: ['rules-editor.js'],
        body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>${title}</h1>
          ${await draftBanner(res)}
          <p>La règle est écrite en JSON (format décrit dans rules/README.md). Les modifications vont dans votre brouillon : rien n’est en ligne avant la publication.</p>
          ${o.error ? html`<div class="flash error" role="alert">${o.error}</div>` : ''}
          <div class="grid2"><form method="post" action="${action}">
            ${csrfField(csrf(res))}
            <label for="rule-json">Règle (JSON)</label>
            <p class="hint" id="rule-hint">Faits : stage, sector, projectType, needs, commune, epci, departement, region, territory, servedArea. La vérification se fait pendant la saisie.</p>
            <textarea id="rule-json" name="text" class="code" rows="30" spellcheck="false" aria-describedby="rule-hint validation" data-validate="rule" data-file="${o.file}" data-original="${o.originalName ?? ''}">${text}</textarea>
            <p><button type="submit">Enregistrer dans le brouillon</button></p>
          </form>
          <div><h2>Vérification</h2><div id="validation" aria-live="polite"><p>La vérification s’affiche ici pendant la saisie.</p></div>
            ${saved ? html`<h2>La règle telle qu’enregistrée</h2>${ruleCard(saved, o.file, deps.territory, actorName, undefined, false)}` : ''}</div></div>
          ${o.originalName !== null
            ? html`<form method="post" action="/regles/regle/${o.file}/${o.originalName}/supprimer">${csrfField(csrf(res))}<button type="submit" class="danger">Supprimer cette règle du brouillon</button></form>`
            : ''}`,
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

  const fileParam = (req: Request) => {
    const file = String(req.params.file ?? '');
    if (!FILE.test(file)) throw notFound();
    return file;
  };

  app.get('/regles/regle/:file/:name', (req, res) => editPage(req, res, { file: fileParam(req), originalName: String(req.params.name) }));
  app.post('/regles/regle/:file/:name', (req, res) => saveRule(req, res, fileParam(req), String(req.params.name)));
  app.get('/regles/nouvelle/:file', (req, res) => editPage(req, res, { file: fileParam(req), originalName: null }));
  app.post('/regles/nouvelle/:file', (req, res) => saveRule(req, res, fileParam(req), null));
  app.post('/regles/regle/:file/:name/supprimer', async (req, res) => {
    const outcome = await ws.deleteRule(account(res), fileParam(req), String(req.params.name));
    deps.flash.add(res, outcome.ok ? 'ok' : 'error', outcome.ok ? `Règle « ${String(req.params.name)} » supprimée de votre brouillon.` : outcome.message);
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
        title: `rules/${file}`,
        active: 'regles',
        scripts: ['rules-editor.js'],
        body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>rules/${file}</h1>
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
    deps.flash.add(res, outcome.value.ok ? 'ok' : 'error', outcome.value.ok ? `rules/${file} enregistré dans votre brouillon. Le jeu est valide.` : `rules/${file} enregistré dans votre brouillon, mais le jeu n’est pas valide.`);
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
    if (!validation.ok) return res.json({ ok: false, issues: validation.issues.map((i) => `${i.file}${i.rule ? `, règle « ${i.rule} »` : ''} : ${i.message}`) });
    res.json({ ok: true, message: `Jeu de règles valide : ${validation.set.rules.length} règles (version ${validation.set.version} une fois publié).` });
  });

  // ── draft: diff, validation, coverage summary, publication ─────────────────
  app.get('/regles/brouillon', async (_req, res) => {
    const me = account(res);
    const draft = ws.draft(me);
    if (!draft) {
      return render(deps, res, { title: 'Brouillon', active: 'regles', body: html`<h1>Brouillon</h1><p>Vous n’avez pas de brouillon en cours. <a href="/regles">Modifiez une règle</a> pour en commencer un.</p>` });
    }
    const files = await ws.draftFiles(draft);
    const validation = await ws.validate(files);
    const diffs = await ws.diff(me);
    let coverageSummary: SafeHtml = html``;
    if (validation.ok) {
      const epcis = deps.territory.namedTerritory('vignoble-nantais')?.epcis ?? servedEpcis(deps.router.actors());
      const draftRouter = await ws.routerFor(files);
      if ('router' in draftRouter) {
        const [before, after] = await Promise.all([ws.coverageOf(deps.router, epcis), ws.coverageOf(draftRouter.router, epcis)]);
        const changed = after.combos.filter((c, i) => c.actorIds.join(',') !== before.combos[i]?.actorIds.join(',')).length;
        coverageSummary = html`<h2>Couverture du Pays du Vignoble Nantais</h2><p>Trous en ligne : <strong>${before.holes.length}</strong> ; avec votre brouillon : <strong>${after.holes.length}</strong> ; combinaisons dont la réponse change : <strong>${changed}</strong>. <a href="/regles/couverture">Voir le détail</a>.</p>`;
      }
    }
    render(deps, res, {
      title: 'Votre brouillon de règles',
      active: 'regles',
      body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>Votre brouillon de règles</h1>
        <p>Commencé le ${frenchDateTime(draft.createdAt)} sur la version ${draft.baseVersion} ; en ligne : ${deps.router.rulesVersion}.</p>
        ${validation.ok
          ? html`<p class="pass" role="status">Le jeu de règles du brouillon est valide : ${validation.set.rules.length} règles.</p>`
          : html`<div role="alert"><p class="fail">Le brouillon n’est pas valide : il ne peut pas être publié.</p>${issuesList(validation.issues)}</div>`}
        <p><a href="/regles/simuler">Simuler un projet avec le brouillon</a> · <a href="/regles/couverture">Couverture avant et après</a></p>
        ${coverageSummary}
        <h2>Différences avec les règles en ligne</h2>
        ${diffView(diffs)}
        ${validation.ok
          ? html`<h2>Publier</h2><form method="post" action="/regles/publier">${csrfField(csrf(res))}
              <label for="message">Message de publication (ce qui change et pourquoi)</label>
              <input type="text" id="message" name="message" required minlength="3" maxlength="300">
              <p><button type="submit">Publier maintenant</button></p></form>`
          : ''}
        <form method="post" action="/regles/brouillon/abandonner">${csrfField(csrf(res))}<button type="submit" class="secondary">Abandonner le brouillon</button></form>`,
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
      deps.flash.add(res, 'error', `${outcome.message}${outcome.issues ? ` ${outcome.issues.map((i) => `${i.file}${i.rule ? `, règle « ${i.rule} »` : ''} : ${i.message}`).join(' ; ')}` : ''}`);
      return res.redirect(303, '/regles/brouillon');
    }
    deps.flash.add(res, 'ok', `Règles publiées : version ${outcome.value.version} (n° ${outcome.value.n}), en service dès maintenant.`);
    res.redirect(303, '/regles/historique');
  });

  // ── simulation ──────────────────────────────────────────────────────────────
  app.get('/regles/simuler', async (req, res) => {
    const me = account(res);
    const draft = ws.draft(me);
    const errors: string[] = [];
    const pick = <T extends string>(name: string, values: readonly T[]): T | null => {
      const v = query(req, name);
      return (values as readonly string[]).includes(v) ? (v as T) : null;
    };
    const needs = (Array.isArray(req.query.needs) ? req.query.needs : req.query.needs ? [req.query.needs] : []).filter((n): n is string => typeof n === 'string' && (NEEDS as readonly string[]).includes(n));
    const place = query(req, 'commune');
    const profile: Profile = { ...emptyProfile(), stage: pick('stage', STAGES), sector: pick('sector', SECTORS), projectType: pick('projectType', PROJECT_TYPES), needs: needs as Profile['needs'] };
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
        return decisionView(title, decision, await traceDecision(set, deps.territory, profile, decision), deps.territory, actorName, prefix);
      };
      const live = await run(deps.router, await ws.liveSet(), 'Règles en ligne', 'en-ligne');
      let withDraft: SafeHtml = html``;
      if (draft) {
        const draftRouter = await ws.routerFor(await ws.draftFiles(draft));
        withDraft = 'router' in draftRouter ? await run(draftRouter.router, draftRouter.set, 'Avec votre brouillon', 'brouillon') : html`<section><h2>Avec votre brouillon</h2><p class="fail">Le brouillon n’est pas valide.</p>${issuesList(draftRouter.issues)}</section>`;
      }
      results = draft ? html`<div class="grid2">${live}${withDraft}</div>` : live;
    }
    render(deps, res, {
      title: 'Simuler un projet',
      active: 'regles',
      body: html`<p><a href="/regles">← Toutes les règles</a></p><h1>Simuler un projet</h1>
        <p>Décrivez un projet : vous voyez à qui il serait orienté${draft ? ', avec les règles en ligne et avec votre brouillon' : ''}, et pourquoi (conditions vraies et fausses de chaque règle).</p>
        ${errors.length ? html`<div class="flash error" role="alert">${errors.join(' ')}</div>` : ''}
        <form method="get" action="/regles/simuler" class="filters">
          ${select('stage', 'Stade', STAGES, STAGE_LABELS)}
          ${select('sector', 'Secteur', SECTORS, SECTOR_LABELS)}
          ${select('projectType', 'Forme', PROJECT_TYPES, PROJECT_TYPE_LABELS)}
          <div><label for="commune">Commune (nom ou code INSEE)</label><input type="text" id="commune" name="commune" value="${place}"></div>
          <fieldset class="checks"><legend>Besoins</legend>${NEEDS.map(
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
    const draft = ws.draft(me);
    const served = servedEpcis(deps.router.actors());
    const choices = [
      ...(deps.territory.namedTerritory('vignoble-nantais') ? [{ id: 'vignoble-nantais', label: 'Pays du Vignoble Nantais', epcis: deps.territory.namedTerritory('vignoble-nantais')!.epcis }] : []),
      ...served.map((code) => ({ id: code, label: deps.territory.epci(code)?.nom ?? code, epcis: [code] })),
      { id: 'tout', label: 'Toutes les intercommunalités desservies commune par commune', epcis: served },
    ];
    const choice = choices.find((c) => c.id === (query(req, 'territoire') || 'vignoble-nantais')) ?? choices[0]!;
    const before = await ws.coverageOf(deps.router, choice.epcis);
    let after = null;
    let problem: SafeHtml = html``;
    if (draft) {
      const draftRouter = await ws.routerFor(await ws.draftFiles(draft));
      if ('router' in draftRouter) after = await ws.coverageOf(draftRouter.router, choice.epcis);
      else problem = html`<div class="flash error" role="alert"><p>Votre brouillon n’est pas valide : la couverture « après » ne peut pas être calculée.</p>${issuesList(draftRouter.issues)}</div>`;
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
  app.get('/regles/historique', (_req, res) => {
    const entries = [...ws.history.list()].reverse();
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
    const entry = ws.history.get(n);
    if (!entry) throw notFound();
    const files: RuleFiles = await ws.history.files(n);
    const diffs = diffRuleFiles(await ws.liveFiles(), files);
    render(deps, res, {
      title: `Version n° ${n} des règles`,
      active: 'regles',
      body: html`<p><a href="/regles/historique">← Historique</a></p><h1>Version n° ${n} des règles</h1>
        <dl class="summary"><dt>Date</dt><dd>${frenchDateTime(entry.at)}</dd><dt>Auteur</dt><dd>${entry.author.email}</dd><dt>Message</dt><dd>${entry.message}</dd><dt>Version</dt><dd>${entry.version}</dd><dt>Fichiers</dt><dd>${entry.files.map((f) => `rules/${f}`).join(', ')}</dd></dl>
        <h2>Ce que cette version changerait par rapport aux règles en ligne</h2>
        ${diffView(diffs)}
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
