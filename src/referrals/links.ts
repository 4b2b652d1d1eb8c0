// The actors' signed links, served at /r/:token. GET only shows a French confirmation page with
// a form (mail scanners that prefetch links must not act); POST performs the action. Forged,
// altered or expired links get a French refusal page. The holder's status page (/suivi/:token)
// only reads: each structure's status in plain French, the promised dates, where to write, the
// holder's rights. Framework-free handlers, plus a small mount function for restify (or
// anything with get/post(path, handler)).
import { SECTOR_LABELS, STAGE_LABELS } from '../domain/profile.js';
import { DECLINE_REASON_LABELS, DECLINE_REASONS, STATUS_LABELS, type DeclineReason, type Referral } from '../domain/referral.js';
import { LINK_LABELS, frenchDate, type ActionLinks } from '../notifications/compose.js';
import { escapeHtml } from '../notifications/render.js';
import type { ActorDirectory } from './actors.js';
import { ReferralError } from './errors.js';
import { holderStatus } from './holderStatus.js';
import { p, page, type LinkPage } from './pages.js';
import { applyAction, type ReferralService } from './service.js';
import type { LinkAction, LinkSigner } from './tokens.js';

export type { LinkPage } from './pages.js';

export interface LinkHandlers {
  get(token: string): Promise<LinkPage>;
  post(token: string, form: Record<string, unknown>): Promise<LinkPage>;
  /** The holder's status page (`/suivi/:token`): reads only. */
  status(token: string): Promise<LinkPage>;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const li = (text: string) => `<li>${escapeHtml(text)}</li>`;

/** The request as the actor needs it: project, the holder's own words, the other structures. */
function summary(record: Referral, dossier: Referral[] = []): string {
  const profile = record.profile;
  const items = [
    ['Référence', record.id],
    ['Structure', record.actorName],
    ['Projet', `${profile.sector ? SECTOR_LABELS[profile.sector] : 'secteur non précisé'}, ${profile.stage ? STAGE_LABELS[profile.stage].toLowerCase() : 'stade non précisé'}${profile.commune ? `, ${profile.commune.nom}` : ''}`],
    ['Statut actuel', `${STATUS_LABELS[record.status]} depuis le ${frenchDate(record.statusAt)}`],
  ];
  const words = record.description?.trim();
  const others = dossier.filter((r) => r.id !== record.id);
  return (
    `<dl class="summary">${items.map(([k, v]) => `<dt>${escapeHtml(k!)}</dt><dd>${escapeHtml(v!)}</dd>`).join('')}</dl>` +
    (words ? `<h2>Le projet, avec les mots du porteur</h2><blockquote class="words">${escapeHtml(words)}</blockquote>` : '') +
    (others.length
      ? `<h2>Autres structures sollicitées pour cette demande</h2><ul>${others.map((r) => li(`${r.actorName} : ${STATUS_LABELS[r.status]} depuis le ${frenchDate(r.statusAt)}`)).join('')}</ul>`
      : '')
  );
}

const QUESTIONS: Record<LinkAction, { title: string; explain: (r: Referral) => string; button: string }> = {
  take_care: {
    title: 'Prendre en charge cette orientation',
    explain: (r) => `En confirmant, vous vous engagez à contacter le porteur de projet sous ${r.promisedDays} jours ; il en sera prévenu par courriel.`,
    button: 'Je prends en charge',
  },
  decline: {
    title: 'Décliner cette orientation',
    explain: () => 'Indiquez le motif ; si vous connaissez la structure qui conviendrait, choisissez-la : la demande lui sera confiée ou la coordination vérifiera.',
    button: 'Décliner l’orientation',
  },
  done: { title: 'Accompagnement engagé', explain: () => 'Confirmez que l’accompagnement du porteur de projet a commencé.', button: 'Confirmer' },
  done_no_help: { title: 'Clore sans suite', explain: () => 'Confirmez que vous avez échangé avec le porteur de projet et que la demande n’appelle pas d’accompagnement.', button: 'Clore sans suite' },
  unreachable: { title: 'Porteur injoignable', explain: () => 'Confirmez que vous n’avez pas réussi à joindre le porteur de projet.', button: 'Confirmer' },
};

const DONE_MESSAGES: Record<LinkAction, string> = {
  take_care: 'Merci : la prise en charge est enregistrée et le porteur de projet en est prévenu. Ses coordonnées sont dans le courriel que vous avez reçu.',
  decline: 'Merci : le refus est enregistré. La demande suit son cours ailleurs.',
  done: 'Merci : l’accompagnement engagé est enregistré.',
  done_no_help: 'Merci : la clôture sans suite est enregistrée.',
  unreachable: 'Merci : c’est enregistré. La coordination pourra reprendre contact avec le porteur de projet.',
};

export interface LinkHandlerOptions {
  service: ReferralService;
  signer: LinkSigner;
  actors: ActorDirectory;
  now?: () => Date;
  /** MAIL_REPLY_TO: where holders write (rights, nobody called). */
  replyTo?: string;
  log?: (message: string) => void;
}

export function createLinkHandlers(options: LinkHandlerOptions): LinkHandlers {
  const now = options.now ?? (() => new Date());

  async function resolve(token: string): Promise<{ record: Referral; action: LinkAction; dossier: Referral[] } | LinkPage> {
    const verified = options.signer.verify(token, now());
    if (!verified.ok && verified.reason !== 'expired') {
      return page(403, 'Lien non valide', p('Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier, sans espace ni coupure. Il n’a rien modifié.'));
    }
    if (!verified.ok) {
      return page(
        410,
        'Lien expiré',
        p(`Ce lien a expiré le ${frenchDate(verified.expiresAt)} et n’a rien modifié.`) +
          p(
            `Les relances contiennent des liens neufs ; vous pouvez aussi écrire à la coordination d’Aiguillage${options.replyTo ? ` (${options.replyTo})` : ''} en indiquant la référence ${verified.id}.`,
          ),
      );
    }
    const record = await options.service.get(verified.id);
    if (!record) return page(404, 'Orientation introuvable', p(`L’orientation ${verified.id} n’existe plus.`));
    return { record, action: verified.action, dossier: await options.service.byReference(record.reference) };
  }

  function refusal(record: Referral, error: ReferralError, dossier: Referral[]): LinkPage {
    const title = error.code === 'already_done' ? 'Déjà enregistré' : 'Action impossible';
    return page(409, title, p(error.message) + summary(record, dossier));
  }

  function form(record: Referral, action: LinkAction, dossier: Referral[], error?: string): LinkPage {
    const q = QUESTIONS[action];
    let fields = '';
    if (action === 'decline') {
      const reasons = DECLINE_REASONS.map(
        (r, i) => `<label class="check"><input type="radio" name="reason" value="${r}"${i === 0 ? ' required' : ''}> ${escapeHtml(DECLINE_REASON_LABELS[r])}</label>`,
      ).join('');
      const others = options.actors
        .actors()
        .filter((a) => a.active && a.id !== record.actorId)
        .sort((a, b) => a.name.localeCompare(b.name, 'fr'))
        .map((a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(a.name)}</option>`)
        .join('');
      fields =
        `<fieldset><legend>Motif</legend>${reasons}</fieldset>` +
        `<label for="shouldGoTo">Cette demande devrait plutôt aller à (facultatif)</label>` +
        `<select id="shouldGoTo" name="shouldGoTo"><option value="">— Je ne sais pas —</option>${others}</select>` +
        `<label for="comment">Commentaire pour la coordination (facultatif, sans données personnelles)</label>` +
        `<textarea id="comment" name="comment" rows="3" cols="50" maxlength="500"></textarea>`;
    }
    const body =
      summary(record, dossier) +
      (error ? `<div class="flash error" role="alert">${escapeHtml(error)}</div>` : '') +
      p(q.explain(record)) +
      `<form method="post">${fields}<input type="hidden" name="confirm" value="1"><p><button type="submit">${escapeHtml(q.button)}</button></p></form>`;
    return page(error ? 400 : 200, q.title, body);
  }

  function nextSteps(links: ActionLinks): string {
    const items = (Object.keys(links) as LinkAction[]).map((a) => `<li><a href="${escapeHtml(links[a]!)}">${escapeHtml(LINK_LABELS[a])}</a></li>`);
    return items.length ? `<h2>Pour la suite</h2><p>Gardez cette page : ces liens vous serviront à indiquer la suite donnée.</p><ul>${items.join('')}</ul>` : '';
  }

  return {
    async get(token) {
      const resolved = await resolve(token);
      if ('status' in resolved) return resolved;
      const { record, action, dossier } = resolved;
      try {
        applyAction(record, action, 'dry-run', null, now()); // refused now → say so before the form
      } catch (error) {
        if (error instanceof ReferralError) return refusal(record, error, dossier);
        throw error;
      }
      return form(record, action, dossier);
    },

    async post(token, body) {
      const resolved = await resolve(token);
      if ('status' in resolved) return resolved;
      const { record, action, dossier } = resolved;
      const by = `actor:${record.actorId}`;
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
      try {
        let updated: Referral;
        if (action === 'decline') {
          const reason = field('reason');
          if (!DECLINE_REASONS.includes(reason as DeclineReason)) return form(record, action, dossier, 'Choisissez un motif dans la liste.');
          updated = await options.service.decline(record.id, { reason: reason as DeclineReason, shouldGoTo: field('shouldGoTo') || null, comment: field('comment') || null }, by);
        } else {
          updated = await options.service.transition(record.id, action, by);
        }
        const after = await options.service.byReference(record.reference);
        return page(200, 'C’est enregistré', `<div class="flash ok" role="status">${escapeHtml(DONE_MESSAGES[action])}</div>` + summary(updated, after) + nextSteps(options.service.nextLinks(updated)));
      } catch (error) {
        if (error instanceof ReferralError) {
          if (error.code === 'invalid_input' || error.code === 'unknown_actor') return form(record, action, dossier, error.message);
          return refusal(record, error, dossier);
        }
        options.log?.(`lien de l’orientation ${record.id} : erreur ${error instanceof Error ? error.name : 'inconnue'}`);
        return page(500, 'Erreur', p('Une erreur nous empêche d’enregistrer votre réponse. Réessayez dans quelques minutes ; rien n’a été modifié.'));
      }
    },

    async status(token) {
      const verified = options.signer.verifyStatus(token, now());
      if (!verified.ok && verified.reason !== 'expired') {
        return page(403, 'Lien non valide', p('Ce lien de suivi n’est pas valide. Vérifiez qu’il a été copié en entier, sans espace ni coupure.') + askBot(null) + writeUs(null));
      }
      if (!verified.ok) return page(410, 'Lien expiré', p(`Ce lien de suivi a expiré le ${frenchDate(verified.expiresAt)}.`) + askBot(verified.reference) + writeUs(verified.reference));
      const records = await options.service.byReference(verified.reference);
      if (records.length === 0) return page(404, 'Demande introuvable', p(`La demande ${verified.reference} n’existe plus.`) + writeUs(verified.reference));
      return page(200, `Votre demande ${verified.reference}`, statusBody(records));
    },
  };

  /** « écrivez à … (ou répondez à l’un de nos courriels) »: the reply address, when set. */
  function coordination(): string {
    return options.replyTo
      ? `écrivez à <a href="mailto:${escapeHtml(options.replyTo)}">${escapeHtml(options.replyTo)}</a> (ou répondez à l’un de nos courriels)`
      : 'répondez à l’un de nos courriels';
  }

  function askBot(reference: string | null): string {
    return p(`Pour recevoir un lien neuf, écrivez « renvoyer le lien ${reference ?? 'AIG-…'} » dans la discussion d’Aiguillage, sur le site où vous avez fait votre demande : il part à l’adresse e-mail de la demande.`);
  }

  function writeUs(reference: string | null): string {
    const ref = reference ? ` en indiquant votre référence ${reference}` : ' en indiquant votre référence (AIG-…)';
    return `<p>Pour joindre la coordination d’Aiguillage, ${coordination()}${escapeHtml(ref)}.</p>`;
  }

  function statusBody(records: Referral[]): string {
    const view = holderStatus(records, { named: true, now: now(), website: (id) => options.actors.actorById(id)?.website });
    const first = records[0]!;
    const profile = first.profile;
    const project = `${profile.sector ? SECTOR_LABELS[profile.sector] : 'secteur non précisé'}, ${profile.stage ? STAGE_LABELS[profile.stage].toLowerCase() : 'stade non précisé'}${profile.commune ? `, ${profile.commune.nom}` : ''}`;
    const words = first.description?.trim();
    const late = view.lines.some((l) => l.late);
    const cards = view.lines
      .map(
        (l) =>
          `<li class="card"><h3>${escapeHtml(l.actor)}</h3><p><span class="badge ${l.promisedBy ? 'warn' : 'info'}">${escapeHtml(capitalise(l.status))}</span></p>` +
          (l.promisedBy ? p(`Vous contactera d’ici le ${l.promisedBy}.${l.late ? ' Ce délai est dépassé : nous avons relancé la structure.' : ''}`) : '') +
          (l.website ? `<p>Son site : <a href="${escapeHtml(l.website)}">${escapeHtml(l.website.replace(/^https?:\/\//, ''))}</a></p>` : '') +
          `</li>`,
      )
      .join('');
    const state = view.withCoordination
      ? 'La coordination d’Aiguillage a repris votre demande : elle vous contactera.'
      : view.closed
        ? 'Votre demande est close : plus aucune structure ne la traite.'
        : 'Votre demande est en cours.';
    return (
      `<div class="flash ok" role="status">${escapeHtml(state)}</div>` +
      `<dl class="summary"><dt>Déposée le</dt><dd>${escapeHtml(frenchDate(view.createdAt))}</dd><dt>Projet</dt><dd>${escapeHtml(project)}</dd></dl>` +
      (words ? `<h2>Votre projet, avec vos mots</h2><blockquote class="words">${escapeHtml(words)}</blockquote>` : '') +
      `<h2>Les structures sollicitées</h2><ol class="plain">${cards}</ol>` +
      `<h2>Personne ne vous a appelé ?</h2>` +
      p(`Chaque structure s’est engagée à vous contacter avant la date indiquée ; sans réponse de sa part, nous la relançons, puis nous confions votre demande à une autre structure et vous prévenons par courriel.${late ? ' Un délai est déjà dépassé : vous pouvez aussi nous le signaler.' : ''}`) +
      writeUs(view.reference) +
      `<h2>Vos données personnelles</h2>` +
      (view.erased ? p('Vos données personnelles ont été effacées à votre demande ; il ne reste que le suivi ci-dessus, sans vos coordonnées.') : '') +
      `<p>Vos coordonnées n’ont été transmises qu’aux structures ci-dessus, avec votre accord. Vous avez deux droits, à exercer à tout moment, sans justification :</p>` +
      `<ul><li><strong>Obtenir une copie</strong> de tout ce qu’Aiguillage garde sur votre demande (export) ;</li><li><strong>Faire effacer</strong> vos données personnelles.</li></ul>` +
      `<p>Pour cela, ${coordination()} avec votre référence ${escapeHtml(view.reference)} et l’adresse e-mail ou le numéro de téléphone donné lors de la demande (c’est ce qui nous permet de vérifier que c’est bien vous) ; la coordination d’Aiguillage vous répond dans un délai d’un mois au plus.</p>` +
      p('Cette page est personnelle : ne transmettez pas son adresse.', 'hint')
    );
  }
}

// ── mounting ──────────────────────────────────────────────────────────────────

export interface LinkRequest {
  params?: Record<string, string | undefined>;
  body?: unknown;
}
export interface LinkReply {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}
export interface RouteServer {
  get(path: string, handler: (req: LinkRequest, res: LinkReply) => Promise<void>): unknown;
  post(path: string, handler: (req: LinkRequest, res: LinkReply) => Promise<void>): unknown;
}

/** Mounts GET and POST `/r/:token` (the bot server's body parser must accept url-encoded forms) and GET `/suivi/:token`. */
export function mountReferralLinks(server: RouteServer, handlers: LinkHandlers): void {
  const send = (res: LinkReply, result: LinkPage) => {
    res.writeHead(result.status, { ...result.headers, 'Content-Length': String(Buffer.byteLength(result.html)) });
    res.end(result.html);
  };
  server.get('/r/:token', async (req, res) => send(res, await handlers.get(req.params?.token ?? '')));
  server.get('/suivi/:token', async (req, res) => send(res, await handlers.status(req.params?.token ?? '')));
  server.post('/r/:token', async (req, res) => {
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    send(res, await handlers.post(req.params?.token ?? '', body));
  });
}
