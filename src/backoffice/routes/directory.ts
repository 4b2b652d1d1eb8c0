// The directory (actors) and the partner sites: forms with the load-time validation, address
// confirmation, absences, capacity, deactivation (open referrals flagged for re-routing), and
// each partner's embed snippet.
import type { Request, Response, Router } from 'express';
import { ROLES, ROLE_LABELS, zoneKind, type Actor } from '../../domain/actor.js';
import { SECTORS, SECTOR_LABELS, STAGES, STAGE_LABELS } from '../../domain/profile.js';
import { render, scopeOf, type Deps } from '../context.js';
import { actorInside, actorTouches, partnerInside } from '../territories.js';
import type { FieldIssue } from '../directory.js';
import { account, field, fields, notFound, state } from '../http.js';
import { html, type SafeHtml } from '../views/html.js';
import { csrfField } from '../views/layout.js';
import { placeIndex, tokenOf, optionText, splitToken, type PlaceIndex } from '../places.js';
import { placePicker } from '../views/ruleEditor.js';

const ZONE_FACTS = ['commune', 'epci', 'departement', 'region'] as const;
/** A zone of data/actors.json (« 44212 », « 200067866 », « 44 », « region:52 ») as a place token, and back. */
const zoneToken = (zone: string) => `${zoneKind(zone)}:${zone.replace(/^region:/, '')}`;
function tokenZone(token: string): string | null {
  const [fact, code] = splitToken(token);
  if (!fact || !(ZONE_FACTS as readonly string[]).includes(fact)) return null;
  return fact === 'region' ? `region:${code}` : code;
}

/** Zones posted by a picker (checked tokens) plus the place typed by name, if any. */
function zonesFromForm(req: Request, name: 'zones' | 'excludedZones', places: PlaceIndex): { zones: string[]; problem: string | null; candidates: string[] } {
  const zones = fields(req, name).map(tokenZone).filter((z): z is string => z !== null);
  const typed = field(req, `add_${name}`);
  if (!typed) return { zones: [...new Set(zones)], problem: null, candidates: [] };
  const found = places.resolveTyped(typed, ZONE_FACTS);
  if (!found) return { zones, problem: `Lieu introuvable : « ${typed} ». Tapez le nom d’une commune, d’une intercommunalité ou d’un département.`, candidates: [] };
  if ('candidates' in found) return { zones, problem: `« ${typed} » désigne plusieurs lieux : choisissez-en un dans la liste.`, candidates: found.candidates.map(optionText) };
  return { zones: [...new Set([...zones, tokenZone(tokenOf(found))!])], problem: null, candidates: [] };
}

const ACTOR_FIELDS: Record<string, string> = {
  id: 'Identifiant',
  name: 'Nom',
  role: 'Rôle',
  zones: 'Zones desservies',
  excludedZones: 'Zones exclues',
  stages: 'Stades accompagnés',
  sectors: 'Secteurs',
  publics: 'Public',
  website: 'Site web',
  offer: 'Offre',
  recontactDays: 'Délai de recontact promis',
  notification: 'Adresse de notification',
  'notification.email': 'Adresse de notification',
  active: 'Active',
  monthlyCapacity: 'Capacité mensuelle',
  absences: 'Absences',
  note: 'Note interne',
};
const PARTNER_FIELDS: Record<string, string> = {
  id: 'Identifiant',
  name: 'Nom',
  greetingName: 'Nom dans l’accueil du bot',
  origins: 'Origines autorisées',
  colors: 'Couleurs',
  'colors.primary': 'Couleur principale',
  'colors.accent': 'Couleur d’accent',
  defaultTerritory: 'Territoire par défaut',
  'defaultTerritory.label': 'Nom du territoire par défaut',
  'defaultTerritory.epci': 'Intercommunalités du territoire par défaut',
  'defaultTerritory.departement': 'Département du territoire par défaut',
};

function fieldName(path: string, names: Record<string, string>): string {
  if (!path) return '';
  const absence = /^absences\.(\d+)\.?(\w*)/.exec(path);
  if (absence) return `Absence n° ${Number(absence[1]) + 1}${absence[2] === 'from' ? ' (début)' : absence[2] === 'to' ? ' (fin)' : ''}`;
  const list = /^(\w+)\.(\d+)$/.exec(path);
  if (list && names[list[1]!]) return `${names[list[1]!]} (n° ${Number(list[2]) + 1})`;
  return names[path] ?? names[path.split('.')[0]!] ?? path;
}

function issuesBlock(issues: FieldIssue[], names: Record<string, string>): SafeHtml {
  if (!issues.length) return html``;
  return html`<div class="flash error" role="alert"><p>Rien n’a été enregistré : ${issues.length} problème${issues.length > 1 ? 's' : ''} à corriger.</p><ul>${issues.map(
    (i) => html`<li>${fieldName(i.path, names) ? `${fieldName(i.path, names)} : ` : ''}${i.message}</li>`,
  )}</ul></div>`;
}

const words = (text: string) => text.split(/[\s,;]+/).map((w) => w.trim()).filter(Boolean);

/** The form as an actor object; fields the form does not show are kept from the file. */
function actorFromForm(req: Request, original: Record<string, unknown> | undefined, places: PlaceIndex): Record<string, unknown> {
  const body = req.body as Record<string, unknown>;
  const notes = (Array.isArray(body.absenceNote) ? body.absenceNote : [body.absenceNote]).map((n) => (typeof n === 'string' ? n.trim() : ''));
  const rawFrom = (Array.isArray(body.absenceFrom) ? body.absenceFrom : [body.absenceFrom]).map((n) => (typeof n === 'string' ? n.trim() : ''));
  const rawTo = (Array.isArray(body.absenceTo) ? body.absenceTo : [body.absenceTo]).map((n) => (typeof n === 'string' ? n.trim() : ''));
  const absences = rawFrom
    .map((f, i) => ({ from: f, to: rawTo[i] ?? '', note: notes[i] ?? '' }))
    .filter((a) => a.from || a.to)
    .map((a) => (a.note ? a : { from: a.from, to: a.to }));
  const capacity = field(req, 'monthlyCapacity');
  const excluded = zonesFromForm(req, 'excludedZones', places).zones;
  const actor: Record<string, unknown> = {
    ...original,
    id: original?.id ?? field(req, 'id'),
    name: field(req, 'name'),
    role: field(req, 'role'),
    zones: zonesFromForm(req, 'zones', places).zones,
    stages: fields(req, 'stages'),
    sectors: field(req, 'sectorsAll') === 'all' ? 'all' : fields(req, 'sectors'),
    website: field(req, 'website') || null,
    offer: field(req, 'offer'),
    recontactDays: Number(field(req, 'recontactDays')),
    active: field(req, 'active') === '1',
  };
  const optional: Array<[string, unknown]> = [
    ['excludedZones', excluded.length ? excluded : undefined],
    ['publics', field(req, 'publics') || undefined],
    ['monthlyCapacity', capacity === '' ? undefined : Number(capacity)],
    ['absences', absences.length ? absences : undefined],
    ['toConfirm', field(req, 'toConfirm') === '1' ? true : undefined],
    ['note', field(req, 'note') || undefined],
  ];
  for (const [key, value] of optional) {
    if (value === undefined) delete actor[key];
    else actor[key] = value;
  }
  if (!original) actor.notification = { email: `${field(req, 'id') || 'nouvelle-structure'}@example.org`, confirmed: false };
  return actor;
}

export function mountDirectory(app: Router, deps: Deps): void {
  const csrf = (res: Response) => state(res).session?.csrf ?? null;
  const places = placeIndex(deps.territory);

  /** « Ajouter ce lieu » with a name typed: the form again with the place added (or the choices), nothing saved. */
  const placeStep = (req: Request): { typed: boolean; issues: FieldIssue[]; candidates: Record<string, string[]> } => {
    const intent = field(req, 'intent');
    const out = { typed: false, issues: [] as FieldIssue[], candidates: {} as Record<string, string[]> };
    for (const name of ['zones', 'excludedZones'] as const) {
      if (!field(req, `add_${name}`)) continue;
      const r = zonesFromForm(req, name, places);
      if (intent === `add-${name}`) out.typed = true;
      if (r.problem) out.issues.push({ path: name, message: r.problem });
      if (r.candidates.length) out.candidates[name] = r.candidates;
    }
    return out;
  };

  /** Open referrals (waiting or taken care) per actor, from the statistics index. */
  const openReferrals = async () => {
    const index = deps.stats.referrals;
    await index.sync(deps.store);
    const counts = new Map<string, number>();
    for (let i = 0; i < index.size; i += 1) {
      const status = index.statusOf(i);
      if (status !== 'pending' && status !== 'taking_care') continue;
      const id = index.actors.value(index.actor.data[i]!) ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  // A territorial coordinator's structures and partner sites stay inside their territories.
  const outsideActor = (res: Response, input: Record<string, unknown>): FieldIssue[] => {
    const scope = scopeOf(deps, res);
    const zones = Array.isArray(input.zones) ? input.zones.filter((z): z is string => typeof z === 'string') : [];
    if (actorInside(scope, { zones }, deps.territory)) return [];
    return [{ path: 'zones', message: `Une structure de votre territoire ne sert que ses communes et intercommunalités (${scope.territories.map((t) => t.nom).join(', ')}) ; une structure qui sert aussi d’autres territoires relève de la coordination régionale.` }];
  };
  const outsidePartner = (res: Response, input: Record<string, unknown>): FieldIssue[] => {
    const scope = scopeOf(deps, res);
    if (partnerInside(scope, input as { defaultTerritory?: { epci: string[] } | null })) return [];
    return [{ path: 'defaultTerritory', message: `Le territoire proposé en premier doit être dans vos territoires (${scope.territories.map((t) => t.nom).join(', ')}) : choisissez ses intercommunalités.` }];
  };

  app.get('/acteurs', async (_req, res) => {
    const open = await openReferrals();
    // A territorial coordinator: the structures that serve their territories (shared ones read-only).
    const scope = scopeOf(deps, res);
    const actors = [...deps.router.actors()].filter((a) => actorTouches(scope, a, deps.territory)).sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name, 'fr'));
    const today = new Date(deps.now()).toISOString().slice(0, 10);
    render(deps, res, {
      title: 'Structures d’accompagnement',
      active: 'acteurs',
      body: html`<h1>Structures d’accompagnement</h1>
        <p><a href="/acteurs/nouvelle">Ajouter une structure</a></p>
        <div class="table-scroll" role="region" aria-labelledby="table-structures" tabindex="0"><table class="directory"><caption id="table-structures">Annuaire : ${actors.length} structure${actors.length > 1 ? 's' : ''}</caption>
          <thead><tr><th scope="col">Structure</th><th scope="col">Rôle</th><th scope="col">État</th><th scope="col">Adresse de notification</th><th scope="col">Capacité / mois</th><th scope="col">Orientations ouvertes</th></tr></thead>
          <tbody>${actors.map((a) => {
            const absent = (a.absences ?? []).some((x) => x.from <= today && today <= x.to);
            const n = open.get(a.id) ?? 0;
            return html`<tr><td><a href="/acteurs/${a.id}">${a.name}</a></td><td>${ROLE_LABELS[a.role]}</td>
              <td>${a.active ? (absent ? html`<span class="badge warn">absente</span>` : html`<span class="badge ok">active</span>`) : html`<span class="badge late">désactivée</span>`}</td>
              <td class="wrap">${a.notification.email} ${a.notification.confirmed ? html`<span class="badge ok">confirmée</span>` : html`<span class="badge warn">à confirmer</span>`}</td>
              <td class="num">${a.monthlyCapacity ?? '—'}</td>
              <td class="num">${!a.active && n ? html`<a href="/orientations?onglet=a-reorienter&amp;structure=${a.id}">${n} à réorienter</a>` : n}</td></tr>`;
          })}</tbody></table></div>`,
    });
  });

  const actorPage = async (req: Request, res: Response, id: string | null, values?: Record<string, unknown>, issues: FieldIssue[] = [], status = 200, extra: { candidates: Record<string, string[]>; typed: Record<string, string> } = { candidates: {}, typed: {} }) => {
    const stored = id ? ((await deps.directory.rawActor(id)) as Partial<Actor> | undefined) : undefined;
    if (id && !stored) throw notFound();
    const a = (values ?? stored ?? { role: 'local', stages: [...STAGES], sectors: 'all', recontactDays: 7, active: true, zones: [] }) as Partial<Actor>;
    const open = id ? ((await openReferrals()).get(id) ?? 0) : 0;
    const title = id ? `Structure : ${stored!.name}` : 'Nouvelle structure';
    const absences = [...(a.absences ?? []), { from: '', to: '', note: '' }];
    const zoneHint = 'Tapez le début du nom puis choisissez dans la liste ; décochez un lieu pour le retirer.';
    const form = html`<form method="post" action="${id ? `/acteurs/${id}` : '/acteurs/nouvelle'}">
      ${csrfField(csrf(res))}
      ${id ? '' : html`<label for="id">Identifiant (minuscules et tirets, définitif)</label><input type="text" id="id" name="id" required value="${String(a.id ?? '')}">`}
      <label for="name">Nom</label><input type="text" id="name" name="name" required value="${a.name ?? ''}">
      <label for="role">Rôle</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}"${a.role === r ? html` selected` : ''}>${ROLE_LABELS[r]}</option>`)}</select>
      <fieldset><legend>Zones desservies</legend>
        ${placePicker({ name: 'zones', tokens: (a.zones ?? []).map(zoneToken), places, label: 'Ajouter une commune, une intercommunalité ou un département', hint: zoneHint, listId: 'lieux-zones', facts: ZONE_FACTS.join(','), candidates: extra.candidates.zones, addPlace: extra.typed.zones })}
      </fieldset>
      <fieldset><legend>Zones exclues (facultatif)</legend>
        ${placePicker({ name: 'excludedZones', tokens: (a.excludedZones ?? []).map(zoneToken), places, label: 'Exclure une commune, une intercommunalité ou un département', hint: zoneHint, listId: 'lieux-exclus', facts: ZONE_FACTS.join(','), candidates: extra.candidates.excludedZones, addPlace: extra.typed.excludedZones })}
      </fieldset>
      <fieldset><legend>Stades accompagnés</legend>${STAGES.map((s) => html`<label class="check"><input type="checkbox" name="stages" value="${s}"${(a.stages ?? []).includes(s) ? html` checked` : ''}> ${STAGE_LABELS[s]}</label>`)}</fieldset>
      <fieldset><legend>Secteurs</legend>
        <label class="check"><input type="radio" name="sectorsAll" value="all"${a.sectors === 'all' ? html` checked` : ''}> Tous les secteurs</label>
        <label class="check"><input type="radio" name="sectorsAll" value="list"${a.sectors !== 'all' ? html` checked` : ''}> Seulement les secteurs cochés :</label>
        ${SECTORS.map((s) => html`<label class="check"><input type="checkbox" name="sectors" value="${s}"${Array.isArray(a.sectors) && a.sectors.includes(s) ? html` checked` : ''}> ${SECTOR_LABELS[s]}</label>`)}
      </fieldset>
      <label for="publics">Public particulier (facultatif)</label><input type="text" id="publics" name="publics" value="${a.publics ?? ''}">
      <label for="website">Site web</label><input type="url" id="website" name="website" value="${a.website ?? ''}">
      <label for="offer">Offre (une phrase lisible par un porteur)</label><textarea id="offer" name="offer" rows="3" cols="60">${a.offer ?? ''}</textarea>
      <label for="recontactDays">Délai de recontact promis au porteur (jours)</label><input type="number" id="recontactDays" name="recontactDays" min="1" max="60" value="${String(a.recontactDays ?? 7)}">
      <label for="monthlyCapacity">Capacité mensuelle (orientations par mois ; vide : sans limite)</label><input type="number" id="monthlyCapacity" name="monthlyCapacity" min="0" value="${a.monthlyCapacity === undefined ? '' : String(a.monthlyCapacity)}">
      <fieldset><legend>Absences (les orientations vont alors au suivant du même créneau)</legend>
        <table><caption>Périodes d’absence, bornes incluses</caption><thead><tr><th scope="col">Du</th><th scope="col">Au</th><th scope="col">Note</th></tr></thead><tbody>${absences.map(
          (x, i) => html`<tr><td><input type="date" name="absenceFrom" aria-label="Absence n° ${i + 1}, début" value="${x.from}"></td><td><input type="date" name="absenceTo" aria-label="Absence n° ${i + 1}, fin" value="${x.to}"></td><td><input type="text" name="absenceNote" aria-label="Absence n° ${i + 1}, note" value="${x.note ?? ''}"></td></tr>`,
        )}</tbody></table>
        <p class="hint">Pour ajouter une absence, remplissez la dernière ligne ; pour en retirer une, videz ses dates.</p></fieldset>
      <label class="check"><input type="checkbox" name="active" value="1"${a.active !== false ? html` checked` : ''}> Structure active (reçoit des orientations)</label>
      <label class="check"><input type="checkbox" name="toConfirm" value="1"${a.toConfirm ? html` checked` : ''}> Des informations restent à vérifier auprès de la structure</label>
      <label for="note">Note interne (facultatif)</label><textarea id="note" name="note" rows="2" cols="60">${a.note ?? ''}</textarea>
      <p><button type="submit">Enregistrer</button></p>
    </form>`;
    const confirmForm = stored
      ? html`<h2>Adresse de notification</h2>
          <p>Adresse actuelle : <strong>${stored.notification?.email ?? ''}</strong> ${stored.notification?.confirmed ? html`<span class="badge ok">confirmée</span>` : html`<span class="badge warn">non confirmée : les e-mails ne partent qu’à une adresse de démonstration</span>`}</p>
          <form method="post" action="/acteurs/${id}/adresse">${csrfField(csrf(res))}
            <label for="notificationEmail">Adresse qui reçoit les orientations</label>
            <input type="email" id="notificationEmail" name="email" required value="${stored.notification?.email ?? ''}">
            <label class="check"><input type="checkbox" name="confirmed" value="1" required> J’ai vérifié cette adresse auprès de la structure</label>
            <p><button type="submit">Confirmer l’adresse</button></p></form>`
      : '';
    render(
      deps,
      res,
      {
        title,
        active: 'acteurs',
        scripts: ['rules-editor.js'],
        body: html`<p><a href="/acteurs">← Toutes les structures</a></p><h1>${title}</h1>
          ${issuesBlock(issues, ACTOR_FIELDS)}
          ${stored && stored.active === false && open ? html`<p class="flash error">Structure désactivée avec ${open} orientation${open > 1 ? 's' : ''} ouverte${open > 1 ? 's' : ''} : <a href="/orientations?onglet=a-reorienter&amp;structure=${id}">les réorienter</a>.</p>` : ''}
          ${stored ? html`<p>Orientations ouvertes : ${open}.</p>` : ''}
          ${stored ? html`<form method="post" action="/acteurs/${id}/activation">${csrfField(csrf(res))}<input type="hidden" name="active" value="${stored.active ? '0' : '1'}"><button type="submit" class="${stored.active ? 'danger' : ''}">${stored.active ? 'Désactiver cette structure' : 'Réactiver cette structure'}</button></form>` : ''}
          ${confirmForm}
          <h2>Fiche</h2>${form}`,
      },
      status,
    );
  };

  app.get('/acteurs/nouvelle', (req, res) => actorPage(req, res, null));
  /** Typed place names: resolved and shown again (nothing saved) when asked, or when they need a choice. */
  const pendingPlaces = async (req: Request, res: Response, id: string | null, input: Record<string, unknown>): Promise<boolean> => {
    const step = placeStep(req);
    if (!step.typed && step.issues.length === 0) return false;
    const typed = Object.fromEntries(Object.keys(step.candidates).map((k) => [k, field(req, `add_${k}`)]));
    await actorPage(req, res, id, input, step.issues, step.issues.length ? 400 : 200, { candidates: step.candidates, typed });
    return true;
  };

  app.post('/acteurs/nouvelle', async (req, res) => {
    const input = actorFromForm(req, undefined, places);
    if (await pendingPlaces(req, res, null, input)) return;
    const outside = outsideActor(res, input);
    if (outside.length) return actorPage(req, res, null, input, outside, 400);
    const result = await deps.directory.saveActor(account(res), null, input);
    if (!result.ok) return actorPage(req, res, null, input, result.issues, 400);
    deps.flash.add(res, 'ok', `Structure « ${result.value.name} » ajoutée. Son adresse de notification reste à confirmer.`);
    res.redirect(303, `/acteurs/${result.value.id}`);
  });
  app.get('/acteurs/:id', (req, res) => actorPage(req, res, String(req.params.id)));

  const saveAndReport = async (req: Request, res: Response, id: string, input: Record<string, unknown>) => {
    const outside = outsideActor(res, input);
    if (outside.length) return actorPage(req, res, id, input, outside, 400);
    const result = await deps.directory.saveActor(account(res), id, input);
    if (!result.ok) return actorPage(req, res, id, input, result.issues, 400);
    const open = (await openReferrals()).get(id) ?? 0;
    const flagged = !result.value.active && open ? ` ${open} orientation${open > 1 ? 's' : ''} ouverte${open > 1 ? 's' : ''} à réorienter.` : '';
    deps.flash.add(res, 'ok', result.changed.length ? `Enregistré (${result.changed.map((c) => fieldName(c, ACTOR_FIELDS).toLowerCase()).join(', ')}). L’orientation en tient compte dès maintenant.${flagged}` : 'Aucun changement.');
    res.redirect(303, `/acteurs/${id}`);
  };

  app.post('/acteurs/:id', async (req, res) => {
    const id = String(req.params.id);
    const original = await deps.directory.rawActor(id);
    if (!original) throw notFound();
    const input = actorFromForm(req, original, places);
    if (await pendingPlaces(req, res, id, input)) return;
    await saveAndReport(req, res, id, input);
  });
  app.post('/acteurs/:id/activation', async (req, res) => {
    const id = String(req.params.id);
    const original = await deps.directory.rawActor(id);
    if (!original) throw notFound();
    await saveAndReport(req, res, id, { ...original, active: field(req, 'active') === '1' });
  });
  app.post('/acteurs/:id/adresse', async (req, res) => {
    const id = String(req.params.id);
    const original = await deps.directory.rawActor(id);
    if (!original) throw notFound();
    if (field(req, 'confirmed') !== '1') {
      deps.flash.add(res, 'error', 'Cochez la case pour confirmer que l’adresse a été vérifiée.');
      return res.redirect(303, `/acteurs/${id}`);
    }
    await saveAndReport(req, res, id, { ...original, notification: { email: field(req, 'email'), confirmed: true } });
  });

  // ── partner sites ───────────────────────────────────────────────────────────
  const snippet = (id: string) => `<script src="${deps.publicUrl.replace(/\/+$/, '')}/widget.js" data-partner="${id}" async></script>`;
  const swatch = (colour: string | undefined, label: string) =>
    colour && /^#[0-9a-fA-F]{6}$/.test(colour) ? html`<svg class="swatch" width="24" height="16" role="img" aria-label="${label} ${colour}"><rect x="0.5" y="0.5" width="23" height="15" fill="${colour}"></rect></svg>` : '';

  app.get('/partenaires', (_req, res) => {
    const scope = scopeOf(deps, res);
    const partners = deps.partners.all().filter((p) => partnerInside(scope, p));
    render(deps, res, {
      title: 'Sites partenaires',
      active: 'partenaires',
      body: html`<h1>Sites partenaires</h1><p><a href="/partenaires/nouveau">Ajouter un site partenaire</a></p>
        <div class="table-scroll" role="region" aria-labelledby="table-partenaires" tabindex="0"><table><caption id="table-partenaires">Sites qui intègrent le widget : ${partners.length}</caption><thead><tr><th scope="col">Site</th><th scope="col">Origines autorisées</th><th scope="col">Couleurs</th><th scope="col">Code à intégrer</th></tr></thead>
        <tbody>${partners.map(
          (p) => html`<tr><td><a href="/partenaires/${p.id}">${p.name}</a></td><td class="wrap">${p.origins.join(', ')}</td><td>${swatch(p.colors.primary, 'principale')} ${swatch(p.colors.accent, 'accent')}</td><td><a href="/partenaires/${p.id}#code">Voir et copier le code de ${p.name}</a></td></tr>`,
        )}</tbody></table></div>`,
    });
  });

  const partnerPage = async (req: Request, res: Response, id: string | null, values?: Record<string, unknown>, issues: FieldIssue[] = [], status = 200) => {
    const stored = id ? await deps.directory.rawPartner(id) : undefined;
    if (id && !stored) throw notFound();
    const p = (values ?? stored ?? { origins: [], colors: { primary: '#1f4e79' }, defaultTerritory: null }) as {
      id?: string; name?: string; greetingName?: string; origins?: string[]; colors?: { primary?: string; accent?: string };
      defaultTerritory?: { label?: string; epci?: string[]; departement?: string } | null;
    };
    const title = id ? `Site partenaire : ${p.name ?? id}` : 'Nouveau site partenaire';
    render(
      deps,
      res,
      {
        title,
        active: 'partenaires',
        scripts: ['copy.js', 'rules-editor.js'],
        body: html`<p><a href="/partenaires">← Tous les sites partenaires</a></p><h1>${title}</h1>
          ${issuesBlock(issues, PARTNER_FIELDS)}
          ${id
            ? html`<h2 id="code">Code à intégrer sur le site</h2><p id="snippet-hint">À coller une fois, avant la fin de la balise body des pages du site.</p>
              <label for="snippet">Code d’intégration de ${p.name ?? ''}</label>
              <textarea id="snippet" class="code snippet-block" rows="3" readonly aria-describedby="snippet-hint">${snippet(id)}</textarea>
              <p><button type="button" class="secondary" data-copy="snippet">Copier le code</button> <span role="status" data-copy-status="snippet"></span></p>`
            : ''}
          <h2>Réglages</h2>
          <form method="post" action="${id ? `/partenaires/${id}` : '/partenaires/nouveau'}">${csrfField(csrf(res))}
            ${id ? '' : html`<label for="id">Identifiant (minuscules, chiffres et tirets ; définitif)</label><input type="text" id="id" name="id" required value="${p.id ?? ''}">`}
            <label for="name">Nom</label><input type="text" id="name" name="name" required value="${p.name ?? ''}">
            <label for="greetingName">Nom dans l’accueil du bot (« Bonjour, et bienvenue avec … »)</label><input type="text" id="greetingName" name="greetingName" required value="${p.greetingName ?? ''}">
            <label for="origins">Origines autorisées, une par ligne (https://www.exemple.fr, sans chemin)</label><textarea id="origins" name="origins" rows="4" cols="50">${(p.origins ?? []).join('\n')}</textarea>
            <label for="primary">Couleur principale (#rrggbb)</label><input type="text" id="primary" name="primary" required pattern="#[0-9a-fA-F]{6}" value="${p.colors?.primary ?? ''}"> ${swatch(p.colors?.primary, 'couleur principale')}
            <label for="accent">Couleur d’accent (#rrggbb, facultatif)</label><input type="text" id="accent" name="accent" pattern="#[0-9a-fA-F]{6}" value="${p.colors?.accent ?? ''}"> ${swatch(p.colors?.accent, 'couleur d’accent')}
            <fieldset><legend>Territoire proposé en premier</legend>
              <label for="territoryLabel">Nom (vide : aucun)</label><input type="text" id="territoryLabel" name="territoryLabel" value="${p.defaultTerritory?.label ?? ''}">
              <p>Intercommunalités du territoire :</p>
              ${placePicker({ name: 'territoryEpci', tokens: (p.defaultTerritory?.epci ?? []).map((c) => `epci:${c}`), places, label: 'Ajouter une intercommunalité', hint: 'Tapez le début du nom puis choisissez dans la liste ; décochez pour retirer.', listId: 'lieux-partenaire', facts: 'epci' })}
              <label for="territoryDepartement">Département (facultatif)</label><select id="territoryDepartement" name="territoryDepartement"><option value="">Aucun</option>${deps.territory.servedDepartements.map(
                (d) => html`<option value="${d}"${p.defaultTerritory?.departement === d ? html` selected` : ''}>${deps.territory.departement(d)?.nom ?? d}</option>`,
              )}</select>
            </fieldset>
            <p><button type="submit">Enregistrer</button></p></form>`,
      },
      status,
    );
  };

  /** Intercommunalities chosen by name (tokens), the one typed, or SIREN codes from an API client. */
  const partnerEpcis = (req: Request): string[] => {
    const chosen = fields(req, 'territoryEpci').flatMap((v) => (v.startsWith('epci:') ? [v.slice(5)] : words(v)));
    const typed = field(req, 'add_territoryEpci');
    const found = typed ? places.resolveTyped(typed, ['epci']) : null;
    if (found && !('candidates' in found)) chosen.push(found.code);
    return [...new Set(chosen)];
  };

  const partnerFromForm = (req: Request, original: Record<string, unknown> | undefined): Record<string, unknown> => {
    const label = field(req, 'territoryLabel');
    const accent = field(req, 'accent');
    const departement = field(req, 'territoryDepartement');
    return {
      ...original,
      id: original?.id ?? field(req, 'id'),
      name: field(req, 'name'),
      greetingName: field(req, 'greetingName'),
      origins: field(req, 'origins').split(/\s+/).map((o) => o.trim()).filter(Boolean),
      colors: accent ? { primary: field(req, 'primary'), accent } : { primary: field(req, 'primary') },
      defaultTerritory: label ? { label, epci: partnerEpcis(req), ...(departement ? { departement } : {}) } : null,
    };
  };

  app.get('/partenaires/nouveau', (req, res) => partnerPage(req, res, null));
  app.post('/partenaires/nouveau', async (req, res) => {
    const input = partnerFromForm(req, undefined);
    const outside = outsidePartner(res, input);
    if (outside.length) return partnerPage(req, res, null, input, outside, 400);
    const result = await deps.directory.savePartner(account(res), null, input);
    if (!result.ok) return partnerPage(req, res, null, input, result.issues, 400);
    deps.flash.add(res, 'ok', `Site partenaire « ${result.value.name} » ajouté : son code à intégrer est ci-dessous.`);
    res.redirect(303, `/partenaires/${result.value.id}`);
  });
  app.get('/partenaires/:id', (req, res) => partnerPage(req, res, String(req.params.id)));
  app.post('/partenaires/:id', async (req, res) => {
    const id = String(req.params.id);
    const original = await deps.directory.rawPartner(id);
    if (!original) throw notFound();
    const input = partnerFromForm(req, original);
    const outside = outsidePartner(res, input);
    if (outside.length) return partnerPage(req, res, id, input, outside, 400);
    const result = await deps.directory.savePartner(account(res), id, input);
    if (!result.ok) return partnerPage(req, res, id, input, result.issues, 400);
    deps.flash.add(res, 'ok', result.changed.length ? `Enregistré (${result.changed.map((c) => fieldName(c, PARTNER_FIELDS).toLowerCase()).join(', ')}) : le widget en tient compte dès maintenant.` : 'Aucun changement.');
    res.redirect(303, `/partenaires/${id}`);
  });

}
