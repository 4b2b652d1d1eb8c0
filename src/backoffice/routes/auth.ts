// Signing in and out, accepting an invitation, changing one's password.
import type { Request, Response, Router } from 'express';
import { AccountError } from '../accounts.js';
import { render, type Deps } from '../context.js';
import { account, field, query, safeNext, state } from '../http.js';
import { MIN_PASSWORD_LENGTH } from '../passwords.js';
import { html } from '../views/html.js';
import { csrfField } from '../views/layout.js';

async function loginPage(deps: Deps, req: Request, res: Response, error?: string, status = 200): Promise<void> {
  const session = await deps.sessions.anonymousSession(req, res);
  state(res).session = session;
  const next = safeNext(query(req, 'suite') || field(req, 'suite') || '/');
  render(
    deps,
    res,
    {
      title: 'Connexion',
      body: html`<h1>Connexion au back-office</h1>
        <p>Espace réservé aux structures d’accompagnement et à la coordination d’Aiguillage.</p>
        ${error ? html`<p class="flash error" role="alert" id="erreur-connexion">${error}</p>` : ''}
        <form method="post" action="/connexion">
          ${csrfField(session.csrf)}
          <input type="hidden" name="suite" value="${next}">
          <label for="email">Adresse e-mail</label>
          <input type="email" id="email" name="email" autocomplete="username" required value="${field(req, 'email')}"${error ? html` aria-describedby="erreur-connexion"` : ''}>
          <label for="password">Mot de passe</label>
          <input type="password" id="password" name="password" autocomplete="current-password" required>
          <p><button type="submit">Se connecter</button></p>
        </form>
        <p class="hint">Pas encore de compte ? La coordination vous envoie une invitation.</p>`,
    },
    status,
  );
}

export function mountAuth(app: Router, deps: Deps): void {
  app.get('/connexion', async (req, res) => {
    if (state(res).account) return res.redirect(303, '/');
    await loginPage(deps, req, res);
  });

  app.post('/connexion', async (req, res) => {
    const email = field(req, 'email');
    const result = await deps.accounts.signIn(email, typeof req.body?.password === 'string' ? req.body.password : '', req.ip ?? 'inconnue');
    if (!result.ok) {
      if (result.retryAfterSec) res.set('Retry-After', String(result.retryAfterSec));
      return loginPage(deps, req, res, result.message, result.retryAfterSec ? 429 : 401);
    }
    await deps.sessions.signIn(req, res, result.account, state(res).session);
    res.redirect(303, safeNext(field(req, 'suite') || '/'));
  });

  app.post('/deconnexion', async (req, res) => {
    const { session, account: who } = state(res);
    if (session) await deps.sessions.end(req, res, session);
    if (who) await deps.audit.record({ by: { id: who.id, email: who.email, role: who.role }, action: 'auth.logout', target: who.id, summary: `Déconnexion de ${who.email}.` });
    res.redirect(303, '/connexion');
  });

  const invitationPage = async (req: Request, res: Response, error?: string, status = 200) => {
    const token = String(req.params.token ?? '');
    const opened = await deps.accounts.openInvitation(token);
    if (!opened.ok) return render(deps, res, { title: 'Invitation', body: html`<h1>Invitation</h1><p>${opened.message}</p><p><a href="/connexion">Aller à la connexion</a></p>` }, 410);
    const session = await deps.sessions.anonymousSession(req, res);
    state(res).session = session;
    const { invitation } = opened;
    const role = invitation.role === 'coordinator' ? 'la coordination d’Aiguillage' : (deps.router.actorById(invitation.actorId ?? '')?.name ?? invitation.actorId ?? '');
    render(
      deps,
      res,
      {
        title: 'Créer votre compte',
        body: html`<h1>Créer votre compte</h1>
          <p>Vous êtes invité(e) à rejoindre le back-office d’Aiguillage pour ${role}, avec l’adresse <strong>${invitation.email}</strong>.</p>
          ${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
          <form method="post">
            ${csrfField(session.csrf)}
            <label for="name">Votre nom</label>
            <input type="text" id="name" name="name" autocomplete="name" value="${field(req, 'name') || invitation.name}">
            <label for="password">Mot de passe</label>
            <p class="hint" id="regle-mdp">Au moins ${MIN_PASSWORD_LENGTH} caractères ; une phrase de passe est idéale.</p>
            <input type="password" id="password" name="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" aria-describedby="regle-mdp">
            <label for="confirmation">Mot de passe, une seconde fois</label>
            <input type="password" id="confirmation" name="confirmation" autocomplete="new-password" required>
            <p><button type="submit">Créer mon compte</button></p>
          </form>`,
      },
      status,
    );
  };

  app.get('/invitation/:token', (req, res) => invitationPage(req, res));
  app.post('/invitation/:token', async (req, res) => {
    try {
      const created = await deps.accounts.acceptInvitation(String(req.params.token), {
        name: field(req, 'name'),
        password: typeof req.body?.password === 'string' ? req.body.password : '',
        confirmation: typeof req.body?.confirmation === 'string' ? req.body.confirmation : '',
      });
      state(res).session = await deps.sessions.signIn(req, res, created, state(res).session);
      deps.flash.add(res, 'ok', 'Bienvenue : votre compte est créé.');
      res.redirect(303, '/');
    } catch (error) {
      if (error instanceof AccountError) return invitationPage(req, res, error.message, 400);
      throw error;
    }
  });

  const accountPage = (req: Request, res: Response, error?: string, status = 200) => {
    const me = account(res);
    render(
      deps,
      res,
      {
        title: 'Mon compte',
        active: 'compte',
        body: html`<h1>Mon compte</h1>
          <dl class="summary"><dt>Adresse</dt><dd>${me.email}</dd><dt>Rôle</dt><dd>${me.role === 'coordinator' ? 'Coordination' : `Membre de ${deps.router.actorById(me.actorId ?? '')?.name ?? me.actorId}`}</dd></dl>
          <h2>Changer de mot de passe</h2>
          ${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
          <form method="post" action="/mon-compte/mot-de-passe">
            ${csrfField(state(res).session?.csrf ?? null)}
            <label for="current">Mot de passe actuel</label>
            <input type="password" id="current" name="current" autocomplete="current-password" required>
            <label for="password">Nouveau mot de passe (au moins ${MIN_PASSWORD_LENGTH} caractères)</label>
            <input type="password" id="password" name="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}">
            <label for="confirmation">Nouveau mot de passe, une seconde fois</label>
            <input type="password" id="confirmation" name="confirmation" autocomplete="new-password" required>
            <p><button type="submit">Changer le mot de passe</button></p>
          </form>`,
      },
      status,
    );
  };
  app.get('/mon-compte', (req, res) => accountPage(req, res));
  app.post('/mon-compte/mot-de-passe', async (req, res) => {
    const me = account(res);
    const text = (n: string) => (typeof req.body?.[n] === 'string' ? (req.body[n] as string) : '');
    try {
      await deps.accounts.changePassword(me, text('current'), text('password'), text('confirmation'));
      // Other sessions of this account end: whoever knew the old password is out.
      await deps.sessions.endAll(me.id, state(res).session?.idHash);
      deps.flash.add(res, 'ok', 'Mot de passe changé. Vos autres sessions ont été fermées.');
      res.redirect(303, '/mon-compte');
    } catch (error) {
      if (error instanceof AccountError) return accountPage(req, res, error.message, 400);
      throw error;
    }
  });
}
