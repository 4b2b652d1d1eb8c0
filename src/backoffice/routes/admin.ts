// Coordinators' pages: accounts and invitations, and the audit log (who changed what, when).
import type { Request, Response, Router } from 'express';
import { AccountError } from '../accounts.js';
import { render, type Deps } from '../context.js';
import { account, field, frenchDateTime, query, state } from '../http.js';
import { INVITATION_DAYS } from '../invitations.js';
import { backofficeInvitation } from '../../notifications/compose.js';
import { queuedMail } from '../../notifications/mailer.js';
import type { Invitation } from '../../store/accountStore.js';
import { html } from '../views/html.js';
import { csrfField } from '../views/layout.js';

const PAGE = 100;

export function mountAdmin(app: Router, deps: Deps, backofficeUrl: (req: Request) => string): void {
  const csrf = (res: Response) => state(res).session?.csrf ?? null;

  const accountsPage = async (req: Request, res: Response, extra?: { link?: string; email?: string; mailed?: boolean; error?: string }, status = 200) => {
    const accounts = [...(await deps.accounts.store.accounts())].sort((a, b) => a.email.localeCompare(b.email));
    const now = deps.now().toISOString();
    const pending = (await deps.accounts.store.invitations()).filter((i) => !i.usedAt && !i.revokedAt && i.expiresAt > now);
    const actors = [...deps.router.actors()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    const territoryNames = (ids: string[] | undefined) => (ids ?? []).map((id) => deps.territories.get(id)?.nom ?? id).join(', ');
    const role = (r: string, actorId: string | null, territories?: string[]) =>
      r === 'coordinator' ? (territories?.length ? `Coordination territoriale : ${territoryNames(territories)}` : 'Coordination régionale') : `Membre de ${deps.router.actorById(actorId ?? '')?.name ?? actorId}`;
    render(
      deps,
      res,
      {
        title: 'Comptes',
        active: 'comptes',
        body: html`<h1>Comptes</h1>
          ${extra?.link
            ? html`<div class="flash ok" role="status"><p>${extra.mailed
                ? html`Invitation envoyée par e-mail à ${extra.email}. Si elle ne lui parvient pas, transmettez-lui ce lien (valable ${INVITATION_DAYS} jours, une seule fois) :`
                : html`Invitation créée pour ${extra.email}. Envoyez-lui ce lien (valable ${INVITATION_DAYS} jours, une seule fois) :`}</p><p><code class="snippet" id="lien-invitation">${extra.link}</code></p></div>`
            : ''}
          ${extra?.error ? html`<div class="flash error" role="alert">${extra.error}</div>` : ''}
          <table><caption>${accounts.length} compte${accounts.length > 1 ? 's' : ''}</caption><thead><tr><th scope="col">Adresse</th><th scope="col">Nom</th><th scope="col">Rôle</th><th scope="col">État</th><th scope="col">Action</th></tr></thead>
          <tbody>${accounts.map(
            (a) => html`<tr><td>${a.email}</td><td>${a.name}</td><td>${role(a.role, a.actorId, a.territories)}</td><td>${a.active ? 'actif' : 'désactivé'}</td>
              <td><form method="post" action="/comptes/${a.id}/activation" class="inline">${csrfField(csrf(res))}<input type="hidden" name="active" value="${a.active ? '0' : '1'}"><button type="submit" class="secondary">${a.active ? `Désactiver ${a.email}` : `Réactiver ${a.email}`}</button></form></td></tr>`,
          )}</tbody></table>
          <h2>Inviter une personne</h2>
          <form method="post" action="/comptes/inviter">${csrfField(csrf(res))}
            <label for="email">Adresse e-mail</label><input type="email" id="email" name="email" required>
            <label for="name">Nom</label><input type="text" id="name" name="name">
            <fieldset><legend>Rôle</legend>
              <label class="check"><input type="radio" name="role" value="member" checked> Membre d’une structure (voit et traite les orientations de sa structure)</label>
              <label class="check"><input type="radio" name="role" value="coordinator"> Coordination (règles, annuaire, statistiques, comptes)</label>
            </fieldset>
            <label for="actorId">Structure (pour un membre)</label><select id="actorId" name="actorId"><option value="">—</option>${actors.map((a) => html`<option value="${a.id}">${a.name}</option>`)}</select>
            <label for="territory">Territoire (pour la coordination)</label><select id="territory" name="territory"><option value="">Tous : coordination régionale</option>${deps.territories.all().map((t) => html`<option value="${t.id}">${t.nom}</option>`)}</select>
            <p><button type="submit">Créer l’invitation</button></p></form>
          <h2>Invitations en attente</h2>
          ${pending.length
            ? html`<table><caption>Invitations non utilisées</caption><thead><tr><th scope="col">Adresse</th><th scope="col">Rôle</th><th scope="col">Expire le</th><th scope="col">Action</th></tr></thead><tbody>${pending.map(
                (i) => html`<tr><td>${i.email}</td><td>${role(i.role, i.actorId, i.territories)}</td><td>${frenchDateTime(i.expiresAt)}</td><td><form method="post" action="/comptes/invitations/${i.id}/annuler" class="inline">${csrfField(csrf(res))}<button type="submit" class="secondary">Annuler l’invitation de ${i.email}</button></form></td></tr>`,
              )}</tbody></table>`
            : html`<p>Aucune.</p>`}`,
      },
      status,
    );
  };

  app.get('/comptes', (req, res) => accountsPage(req, res));
  app.post('/comptes/inviter', async (req, res) => {
    try {
      const role = field(req, 'role') === 'coordinator' ? 'coordinator' : 'member';
      const me = account(res);
      const { invitation, token } = await deps.accounts.invite(me, { email: field(req, 'email'), name: field(req, 'name'), role, actorId: field(req, 'actorId') || null, territories: field(req, 'territory') ? [field(req, 'territory')] : [] });
      const link = `${backofficeUrl(req)}/invitation/${token}`;
      const mailed = await mailInvitation(deps, invitation, link, me.name || me.email);
      await accountsPage(req, res, { link, email: invitation.email, mailed });
    } catch (error) {
      if (error instanceof AccountError) return accountsPage(req, res, { error: error.message }, 400);
      throw error;
    }
  });
  app.post('/comptes/:id/activation', async (req, res) => {
    try {
      const updated = await deps.accounts.setActive(account(res), String(req.params.id), field(req, 'active') === '1');
      if (!updated.active) await deps.sessions.endAll(updated.id);
      deps.flash.add(res, 'ok', `Compte de ${updated.email} ${updated.active ? 'réactivé' : 'désactivé (ses sessions sont fermées)'}.`);
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      deps.flash.add(res, 'error', error.message);
    }
    res.redirect(303, '/comptes');
  });
  app.post('/comptes/invitations/:id/annuler', async (req, res) => {
    try {
      await deps.accounts.revokeInvitation(account(res), String(req.params.id));
      deps.flash.add(res, 'ok', 'Invitation annulée : le lien ne fonctionne plus.');
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      deps.flash.add(res, 'error', error.message);
    }
    res.redirect(303, '/comptes');
  });

  app.get('/journal', async (req, res) => {
    const page = Math.max(1, Number.parseInt(query(req, 'page') || '1', 10) || 1);
    const action = query(req, 'action');
    const { entries, total } = await deps.audit.list({ limit: PAGE, offset: (page - 1) * PAGE, action: action || undefined });
    const link = (p: number) => `/journal?${new URLSearchParams({ ...(action ? { action } : {}), page: String(p) })}`;
    const kinds: Array<[string, string]> = [
      ['', 'Tout'],
      ['referral.', 'Orientations'],
      ['rules.', 'Règles'],
      ['actor.', 'Structures'],
      ['partner.', 'Sites partenaires'],
      ['account.', 'Comptes'],
      ['auth.', 'Connexions'],
      ['export.', 'Exports'],
      ['holder.', 'Données personnelles'],
    ];
    render(deps, res, {
      title: 'Journal des modifications',
      active: 'journal',
      body: html`<h1>Journal des modifications</h1>
        <form method="get" action="/journal" class="filters"><div><label for="action">Type</label><select id="action" name="action">${kinds.map(
          ([v, l]) => html`<option value="${v}"${v === action ? html` selected` : ''}>${l}</option>`,
        )}</select></div><div><button type="submit" class="secondary">Filtrer</button></div></form>
        <table><caption>${total} entrée${total > 1 ? 's' : ''}, la plus récente d’abord</caption><thead><tr><th scope="col">Date</th><th scope="col">Qui</th><th scope="col">Quoi</th><th scope="col">Objet</th></tr></thead>
        <tbody>${entries.map((e) => html`<tr><td>${frenchDateTime(e.at)}</td><td>${e.by.email}</td><td>${e.summary}</td><td>${e.target ?? ''}</td></tr>`)}</tbody></table>
        <nav class="pager" aria-label="Pages">${page > 1 ? html`<a href="${link(page - 1)}">Plus récentes</a>` : ''}${page * PAGE < total ? html`<a href="${link(page + 1)}">Plus anciennes</a>` : ''}</nav>`,
    });
  });
}

/**
 * E-mails the invitation through the durable queue when e-mail is set up; false when it is not
 * (or the queue refused it): the page then shows the link for the coordinator to send.
 */
async function mailInvitation(deps: Deps, invitation: Invitation, link: string, invitedBy: string): Promise<boolean> {
  if (!deps.sendMail) return false;
  const actor = invitation.actorId ? deps.router.actorById(invitation.actorId)?.name ?? invitation.actorId : null;
  const role = actor ? `recevoir et suivre les porteurs orientés vers ${actor}` : 'coordonner l’orientation (règles, structures, statistiques, comptes)';
  const content = backofficeInvitation({ name: invitation.name, role, invitedBy, link, expiresAt: new Date(invitation.expiresAt) });
  try {
    await deps.sendMail(queuedMail(`invitation.${invitation.id}`, null, 'backoffice-invitation', [invitation.email], content, deps.now()));
    return true;
  } catch (error) {
    deps.log(`back-office : invitation non mise en file d’envoi (${error instanceof Error ? error.name : 'erreur'})`);
    return false;
  }
}
