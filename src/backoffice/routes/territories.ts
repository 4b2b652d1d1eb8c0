// « Territoires »: the regional coordination creates a territory (its intercommunalities picked
// by name with the rules editor's place search) and every coordinator sees, for each of their
// territories, its partner sites, structures, rules and coordinators. Also the guard that keeps
// a territorial coordinator to their territories on the existing pages (one editor, filtered).
import type { NextFunction, Request, Response, Router } from 'express';
import { render, scopeOf, type Deps } from '../context.js';
import { account, field, HttpError, notFound } from '../http.js';
import { optionText, placeIndex, type PlaceEntry } from '../places.js';
import { parseRule } from '../ruleForm.js';
import { actorInside, actorTouches, partnerInside, placesInside, REGIONAL, type AccountScope } from '../territories.js';
import { HOLDER_DATA_PATH } from './holderData.js';
import { html, type SafeHtml } from '../views/html.js';
import { csrfField } from '../views/layout.js';
import type { NamedTerritory } from '../../territory/types.js';

/** Pages about every territory: the regional coordination only. */
export const REGIONAL_PATHS = ['/comptes', '/journal', HOLDER_DATA_PATH];

const refused = (message: string) => new HttpError(403, 'Accès réservé à la coordination régionale', message);

type RuleLike = { name?: unknown } & Record<string, unknown>;

/** Rules of the draft (or live) files, with their place tokens. */
async function rulesOf(deps: Deps, res: Response): Promise<Array<{ file: string; name: string; places: string[] }>> {
  const files = await deps.rules.draftFiles(await deps.rules.draft(account(res)));
  const out: Array<{ file: string; name: string; places: string[] }> = [];
  for (const [file, text] of Object.entries(files)) {
    let doc: { rules?: RuleLike[] } | null = null;
    try {
      doc = JSON.parse(text) as { rules?: RuleLike[] };
    } catch {
      continue;
    }
    for (const r of Array.isArray(doc?.rules) ? doc.rules : []) if (typeof r.name === 'string') out.push({ file, name: r.name, places: parseRule(r as Parameters<typeof parseRule>[0]).places });
  }
  return out;
}

/** Holds a territorial coordinator to their territories on the directory and rules pages. */
export function mountTerritoryGuard(app: Router, deps: Deps): void {
  const territorial = (res: Response): AccountScope | null => {
    const scope = scopeOf(deps, res);
    return scope.regional ? null : scope;
  };

  // Structures: another territory's are hidden; shared ones (zones beyond the territory) read-only.
  app.get('/acteurs/:id', (req: Request, res: Response, next: NextFunction) => {
    const scope = territorial(res);
    const actor = deps.router.actorById(String(req.params.id));
    if (scope && actor && !actorTouches(scope, actor, deps.territory)) throw notFound();
    next();
  });
  app.post(['/acteurs/:id', '/acteurs/:id/activation', '/acteurs/:id/adresse'], (req: Request, res: Response, next: NextFunction) => {
    const scope = territorial(res);
    const id = String(req.params.id);
    if (!scope || id === 'nouvelle') return next();
    const actor = deps.router.actorById(id);
    if (actor && !actorTouches(scope, actor, deps.territory)) throw notFound();
    if (actor && !actorInside(scope, actor, deps.territory)) throw refused('Cette structure sert aussi d’autres territoires : seule la coordination régionale peut la modifier.');
    next();
  });

  // Partner sites: those of the territory only.
  app.all('/partenaires/:id', (req: Request, res: Response, next: NextFunction) => {
    const scope = territorial(res);
    const partner = deps.partners.get(String(req.params.id));
    if (scope && partner && String(req.params.id) !== 'nouveau' && !partnerInside(scope, partner)) throw notFound();
    next();
  });

  // Rules: a territory's own rules are edited with the same editor; the others are read-only.
  app.post(['/regles/regle/:file/:name', '/regles/regle/:file/:name/supprimer'], async (req: Request, res: Response, next: NextFunction) => {
    const scope = territorial(res);
    if (!scope) return next();
    const rule = (await rulesOf(deps, res)).find((r) => r.file === req.params.file && r.name === req.params.name);
    if (rule && !placesInside(scope, rule.places, deps.territory, deps.territories)) throw refused('Cette règle s’applique hors de vos territoires : seule la coordination régionale peut la modifier.');
    next();
  });
  // Whole files, the expert (JSON) view and restoring a version touch every territory.
  app.post(['/regles/fichier/:file', '/regles/regle/:file/:name/json', '/regles/nouvelle/:file/json', '/regles/historique/:n/restaurer'], (_req: Request, res: Response, next: NextFunction) => {
    if (territorial(res)) throw refused('Cette action modifie des règles de tous les territoires : elle est réservée à la coordination régionale. Utilisez le formulaire de chaque règle.');
    next();
  });
}

/** Whether a rule form's places keep a territorial coordinator inside their territories (null: fine). */
export function rulePlacesProblem(deps: Deps, res: Response, places: string[]): string | null {
  const scope = scopeOf(deps, res);
  if (placesInside(scope, places, deps.territory, deps.territories)) return null;
  const names = scope.territories.map((t) => t.nom).join(', ');
  return `Champ « Lieux » : vos règles s’appliquent dans vos territoires (${names}). Ajoutez une commune ou une intercommunalité de ces territoires ; une règle valable ailleurs relève de la coordination régionale.`;
}

interface TerritoryView {
  territory: NamedTerritory;
  live: boolean;
  epcis: Array<{ code: string; nom: string; communes: number }>;
  partners: Array<{ id: string; name: string }>;
  local: Array<{ id: string; name: string }>;
  shared: Array<{ id: string; name: string }>;
  rules: number;
  coordinators: string[];
}

async function viewOf(deps: Deps, res: Response, t: NamedTerritory): Promise<TerritoryView> {
  const scope: AccountScope = { regional: false, territories: [t], epcis: new Set(t.epcis) };
  const actors = [...deps.router.actors()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const rules = await rulesOf(deps, res);
  return {
    territory: t,
    live: deps.territories.live(t.id),
    epcis: t.epcis.map((code) => ({ code, nom: deps.territory.epci(code)?.nom ?? code, communes: deps.territory.communesOfEpci(code).length })),
    partners: deps.partners
      .all()
      .filter((p) => partnerInside(scope, p))
      .map((p) => ({ id: p.id, name: p.name })),
    local: actors.filter((a) => actorInside(scope, a, deps.territory)).map((a) => ({ id: a.id, name: a.name })),
    shared: actors.filter((a) => !actorInside(scope, a, deps.territory) && actorTouches(scope, a, deps.territory)).map((a) => ({ id: a.id, name: a.name })),
    rules: rules.filter((r) => placesInside(scope, r.places, deps.territory, deps.territories)).length,
    coordinators: (await deps.accounts.store.accounts())
      .filter((a) => a.role === 'coordinator' && a.active && (a.territories ?? []).includes(t.id))
      .map((a) => a.name || a.email),
  };
}

const list = (items: SafeHtml[], empty: string) => (items.length ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : html`<p>${empty}</p>`);

function detail(deps: Deps, v: TerritoryView, regional: boolean): SafeHtml {
  const t = v.territory;
  const communes = v.epcis.reduce((n, e) => n + e.communes, 0);
  const offer = `${deps.publicUrl.replace(/\/+$/, '')}/offre/${t.id}`;
  return html`<p>Identifiant : <code>${t.id}</code>. ${communes} communes.${v.live ? '' : html` <strong>Le robot et la page publique de l’offre prendront ce territoire en compte, tel qu’il est enregistré ici, au prochain redémarrage du service.</strong>`}</p>
    <h2>Intercommunalités</h2>${list(v.epcis.map((e) => html`${e.nom} (SIREN ${e.code}, ${e.communes} communes)`), 'Aucune.')}
    <h2>Sites partenaires</h2>${list(v.partners.map((p) => html`<a href="/partenaires/${p.id}">${p.name}</a>`), 'Aucun site partenaire ne propose encore le robot sur ce territoire.')}
    <p><a href="/partenaires/nouveau">Déclarer un site partenaire</a></p>
    <h2>Structures du territoire</h2>${list(v.local.map((a) => html`<a href="/acteurs/${a.id}">${a.name}</a>`), 'Aucune structure propre à ce territoire.')}
    <p><a href="/acteurs/nouvelle">Ajouter une structure</a></p>
    <h2>Structures partagées avec d’autres territoires</h2><p class="hint">${regional ? 'Elles servent plusieurs territoires.' : 'Elles servent plusieurs territoires : vous les consultez, la coordination régionale les modifie.'}</p>
    ${list(v.shared.map((a) => html`<a href="/acteurs/${a.id}">${a.name}</a>`), 'Aucune.')}
    <h2>Règles</h2><p>${v.rules} règle${v.rules > 1 ? 's' : ''} propre${v.rules > 1 ? 's' : ''} au territoire. <a href="/regles?territoire=territory:${t.id}">Voir les règles qui s’appliquent sur le territoire</a> · <a href="/regles/couverture?territoire=${t.id}">Couverture</a></p>
    <h2>Coordination</h2>${list(v.coordinators.map((c) => html`${c}`), 'Aucun compte de coordination territoriale : la coordination régionale s’en occupe.')}
    <h2>Suivi</h2><ul><li><a href="/statistiques?territoire=${t.id}">Statistiques du territoire</a></li><li><a href="${offer}">Offre publique du territoire</a></li></ul>`;
}

export function mountTerritories(app: Router, deps: Deps): void {
  const places = placeIndex(deps.territory);
  const visibleTerritories = (res: Response) => {
    const scope = scopeOf(deps, res);
    return scope.regional ? deps.territories.all() : scope.territories;
  };

  const listPage = async (res: Response, form: { id?: string; nom?: string; epcis?: string; candidates?: PlaceEntry[]; errors?: string[] } = {}, status = 200) => {
    const scope = scopeOf(deps, res);
    const territories = visibleTerritories(res);
    const csrf = (res.locals.state as { session?: { csrf: string } | null }).session?.csrf ?? null;
    const creation = scope.regional
      ? html`<section aria-labelledby="titre-nouveau"><h2 id="titre-nouveau">Créer un territoire</h2>
          ${form.errors?.length ? html`<div class="flash error" role="alert"><ul>${form.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
          <form method="post" action="/territoires/nouveau">${csrfField(csrf)}
            <div><label for="nom">Nom du territoire</label><input type="text" id="nom" name="nom" required value="${form.nom ?? ''}" autocomplete="off"></div>
            <div><label for="id">Identifiant</label><input type="text" id="id" name="id" required value="${form.id ?? ''}" aria-describedby="id-aide" autocomplete="off" pattern="[a-z0-9]+(-[a-z0-9]+)*"><p class="hint" id="id-aide">En minuscules et tirets, par exemple « pays-de-redon ». Il apparaît dans l’adresse de la page publique de l’offre et ne change plus.</p></div>
            <div><label for="epcis">Intercommunalités</label><textarea id="epcis" name="epcis" rows="3" required aria-describedby="epcis-aide">${form.epcis ?? ''}</textarea><p class="hint" id="epcis-aide">Une par ligne, par son nom (par exemple « Redon Agglomération ») : elle est cherchée comme dans l’éditeur de règles.</p></div>
            ${form.candidates?.length ? html`<div role="status"><p>Plusieurs lieux correspondent ; recopiez l’un de ces noms :</p><ul>${form.candidates.map((c) => html`<li>${optionText(c)}</li>`)}</ul></div>` : ''}
            <div><button type="submit">Créer le territoire</button></div>
          </form></section>`
      : '';
    render(
      deps,
      res,
      {
        title: 'Territoires',
        active: 'territoires',
        body: html`<h1>Territoires</h1>
          <p>${scope.regional ? 'Vous êtes la coordination régionale : vous voyez et modifiez tous les territoires.' : 'Vous coordonnez les territoires ci-dessous : vous voyez leurs orientations, leurs structures, leurs sites partenaires, leurs règles et leurs statistiques.'}</p>
          <ul>${territories.map((t) => html`<li><a href="/territoires/${t.id}">${t.nom}</a></li>`)}</ul>
          ${creation}`,
      },
      status,
    );
  };

  app.get('/territoires', (_req, res) => listPage(res));

  /** Intercommunalities typed one per line, resolved by name with the rules editor's place search. */
  const typedEpcis = (text: string) => {
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const codes: string[] = [];
    const errors: string[] = [];
    let candidates: PlaceEntry[] = [];
    for (const line of lines) {
      const found = places.resolveTyped(line, ['epci']);
      if (!found) errors.push(`Champ « Intercommunalités » : « ${line} » n’est le nom d’aucune intercommunalité.`);
      else if ('candidates' in found) {
        errors.push(`Champ « Intercommunalités » : « ${line} » désigne plusieurs intercommunalités.`);
        candidates = found.candidates;
      } else codes.push(found.code);
    }
    if (lines.length === 0) errors.push('Champ « Intercommunalités » : indiquez au moins une intercommunalité.');
    return { codes, errors, candidates };
  };

  app.post('/territoires/nouveau', async (req, res) => {
    if (!scopeOf(deps, res).regional) throw refused('Seule la coordination régionale crée des territoires.');
    const form = { id: field(req, 'id'), nom: field(req, 'nom'), epcis: field(req, 'epcis') };
    const { codes, errors, candidates } = typedEpcis(form.epcis);
    if (errors.length) return listPage(res, { ...form, candidates, errors }, 400);
    const result = await deps.territories.add({ id: form.id, nom: form.nom, epcis: codes });
    if (!result.ok) return listPage(res, { ...form, errors: result.issues }, 400);
    const me = account(res);
    await deps.audit.record({ by: { id: me.id, email: me.email, role: me.role }, action: 'territory.create', target: result.value.id, summary: `Territoire « ${result.value.nom} » créé (${codes.length} intercommunalité${codes.length > 1 ? 's' : ''}).`, details: { epcis: codes } });
    deps.flash.add(res, 'ok', `Territoire « ${result.value.nom} » créé. Ajoutez maintenant ses structures, ses règles et son site partenaire.`);
    res.redirect(303, `/territoires/${result.value.id}`);
  });

  const detailPage = async (res: Response, t: NamedTerritory, edit: { nom?: string; epcis?: string; errors?: string[]; candidates?: PlaceEntry[] } = {}, status = 200) => {
    const regional = scopeOf(deps, res).regional;
    const v = await viewOf(deps, res, t);
    const csrf = (res.locals.state as { session?: { csrf: string } | null }).session?.csrf ?? null;
    const editForm = regional
      ? html`<h2 id="titre-modifier">Modifier le territoire</h2>
          ${edit.errors?.length ? html`<div class="flash error" role="alert"><ul>${edit.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
          <form method="post" action="/territoires/${t.id}" aria-labelledby="titre-modifier">${csrfField(csrf)}
            <div><label for="nom">Nom du territoire</label><input type="text" id="nom" name="nom" required value="${edit.nom ?? t.nom}"></div>
            <div><label for="epcis">Intercommunalités</label><textarea id="epcis" name="epcis" rows="3" required aria-describedby="epcis-aide">${edit.epcis ?? v.epcis.map((e) => e.nom).join('\n')}</textarea><p class="hint" id="epcis-aide">Une par ligne, par son nom. L’identifiant « ${t.id} » ne change pas.</p></div>
            ${edit.candidates?.length ? html`<div role="status"><p>Plusieurs lieux correspondent ; recopiez l’un de ces noms :</p><ul>${edit.candidates.map((c) => html`<li>${optionText(c)}</li>`)}</ul></div>` : ''}
            <div><button type="submit" class="secondary">Enregistrer le territoire</button></div>
          </form>`
      : '';
    render(deps, res, { title: `Territoire : ${t.nom}`, active: 'territoires', body: html`<p><a href="/territoires">Tous vos territoires</a></p><h1>${t.nom}</h1>${detail(deps, v, regional)}${editForm}` }, status);
  };

  app.get('/territoires/:id', async (req, res) => {
    const t = visibleTerritories(res).find((x) => x.id === String(req.params.id));
    if (!t) throw notFound();
    await detailPage(res, t);
  });

  app.post('/territoires/:id', async (req, res) => {
    if (!scopeOf(deps, res).regional) throw refused('Seule la coordination régionale modifie les territoires.');
    const t = deps.territories.get(String(req.params.id));
    if (!t) throw notFound();
    const form = { nom: field(req, 'nom'), epcis: field(req, 'epcis') };
    const { codes, errors, candidates } = typedEpcis(form.epcis);
    if (errors.length) return detailPage(res, t, { ...form, errors, candidates }, 400);
    const result = await deps.territories.update(t.id, { nom: form.nom, epcis: codes });
    if (!result.ok) return detailPage(res, t, { ...form, errors: result.issues }, 400);
    const me = account(res);
    await deps.audit.record({ by: { id: me.id, email: me.email, role: me.role }, action: 'territory.update', target: t.id, summary: `Territoire « ${result.value.nom} » modifié (${codes.length} intercommunalité${codes.length > 1 ? 's' : ''}).`, details: { epcis: codes } });
    deps.flash.add(res, 'ok', `Territoire « ${result.value.nom} » enregistré.`);
    res.redirect(303, `/territoires/${t.id}`);
  });
}

export { REGIONAL };
