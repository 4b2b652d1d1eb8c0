// The actors' signed links, served at /r/:token. GET only shows a French confirmation page with
// a form (mail scanners that prefetch links must not act); POST performs the action. Forged,
// altered or expired links get a French refusal page. Framework-free handlers, plus a small
// mount function for restify (or anything with get/post(path, handler)).
import { SECTOR_LABELS, STAGE_LABELS } from '../domain/profile.js';
import { DECLINE_REASON_LABELS, DECLINE_REASONS, STATUS_LABELS, type DeclineReason, type Referral } from '../domain/referral.js';
import { LINK_LABELS, frenchDate, type ActionLinks } from '../notifications/compose.js';
import { escapeHtml } from '../notifications/render.js';
import type { ActorDirectory } from './actors.js';
import { ReferralError } from './errors.js';
import { applyAction, type ReferralService } from './service.js';
import type { LinkAction, LinkSigner } from './tokens.js';

export interface LinkPage {
  status: number;
  headers: Record<string, string>;
  html: string;
}

export interface LinkHandlers {
  get(token: string): Promise<LinkPage>;
  post(token: string, form: Record<string, unknown>): Promise<LinkPage>;
}

const HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function page(status: number, title: string, body: string): LinkPage {
  const html =
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} — Aiguillage</title><style>body{font-family:Arial,Helvetica,sans-serif;line-height:1.5;max-width:40em;margin:2em auto;padding:0 1em;color:#1e1e1e}` +
    `button{font-size:1em;padding:.6em 1.2em;cursor:pointer}fieldset{border:1px solid #999;margin:1em 0}label{display:block;margin:.3em 0}` +
    `select,textarea{font-size:1em;max-width:100%}.erreur{color:#a00;font-weight:bold}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return { status, headers: HEADERS, html };
}

const p = (text: string, cls?: string) => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;

function summary(record: Referral): string {
  const profile = record.profile;
  const items = [
    `Référence : ${record.id}`,
    `Structure : ${record.actorName}`,
    `Projet : ${profile.sector ? SECTOR_LABELS[profile.sector] : 'secteur non précisé'}, ${profile.stage ? STAGE_LABELS[profile.stage].toLowerCase() : 'stade non précisé'}${profile.commune ? `, ${profile.commune.nom}` : ''}`,
    `Statut actuel : ${STATUS_LABELS[record.status]} depuis le ${frenchDate(record.statusAt)}`,
  ];
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
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
  take_care: 'Merci : la prise en charge est enregistrée et le porteur de projet en est prévenu.',
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
  log?: (message: string) => void;
}

export function createLinkHandlers(options: LinkHandlerOptions): LinkHandlers {
  const now = options.now ?? (() => new Date());

  async function resolve(token: string): Promise<{ record: Referral; action: LinkAction } | LinkPage> {
    const verified = options.signer.verify(token, now());
    if (!verified.ok && verified.reason !== 'expired') {
      return page(403, 'Lien non valide', p('Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier, sans espace ni coupure. Il n’a rien modifié.'));
    }
    if (!verified.ok) {
      return page(
        410,
        'Lien expiré',
        p(`Ce lien a expiré le ${frenchDate(verified.expiresAt)} et n’a rien modifié.`) +
          p(`Les relances contiennent des liens neufs ; vous pouvez aussi écrire à la coordination d’Aiguillage en indiquant la référence ${verified.id}.`),
      );
    }
    const record = await options.service.get(verified.id);
    if (!record) return page(404, 'Orientation introuvable', p(`L’orientation ${verified.id} n’existe plus.`));
    return { record, action: verified.action };
  }

  function refusal(record: Referral, error: ReferralError): LinkPage {
    const title = error.code === 'already_done' ? 'Déjà enregistré' : 'Action impossible';
    return page(409, title, p(error.message) + summary(record));
  }

  function form(record: Referral, action: LinkAction, error?: string): LinkPage {
    const q = QUESTIONS[action];
    let fields = '';
    if (action === 'decline') {
      const reasons = DECLINE_REASONS.map(
        (r, i) => `<label><input type="radio" name="reason" value="${r}"${i === 0 ? ' required' : ''}> ${escapeHtml(DECLINE_REASON_LABELS[r])}</label>`,
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
      summary(record) +
      (error ? p(error, 'erreur') : '') +
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
      const { record, action } = resolved;
      try {
        applyAction(record, action, 'dry-run', null, now()); // refused now → say so before the form
      } catch (error) {
        if (error instanceof ReferralError) return refusal(record, error);
        throw error;
      }
      return form(record, action);
    },

    async post(token, body) {
      const resolved = await resolve(token);
      if ('status' in resolved) return resolved;
      const { record, action } = resolved;
      const by = `actor:${record.actorId}`;
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
      try {
        let updated: Referral;
        if (action === 'decline') {
          const reason = field('reason');
          if (!DECLINE_REASONS.includes(reason as DeclineReason)) return form(record, action, 'Choisissez un motif dans la liste.');
          updated = await options.service.decline(record.id, { reason: reason as DeclineReason, shouldGoTo: field('shouldGoTo') || null, comment: field('comment') || null }, by);
        } else {
          updated = await options.service.transition(record.id, action, by);
        }
        return page(200, 'C’est enregistré', p(DONE_MESSAGES[action]) + summary(updated) + nextSteps(options.service.nextLinks(updated)));
      } catch (error) {
        if (error instanceof ReferralError) {
          if (error.code === 'invalid_input' || error.code === 'unknown_actor') return form(record, action, error.message);
          return refusal(record, error);
        }
        options.log?.(`lien de l’orientation ${record.id} : erreur ${error instanceof Error ? error.name : 'inconnue'}`);
        return page(500, 'Erreur', p('Une erreur nous empêche d’enregistrer votre réponse. Réessayez dans quelques minutes ; rien n’a été modifié.'));
      }
    },
  };
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

/** Mounts GET and POST `/r/:token` (the bot server's body parser must accept url-encoded forms). */
export function mountReferralLinks(server: RouteServer, handlers: LinkHandlers): void {
  const send = (res: LinkReply, result: LinkPage) => {
    res.writeHead(result.status, { ...result.headers, 'Content-Length': String(Buffer.byteLength(result.html)) });
    res.end(result.html);
  };
  server.get('/r/:token', async (req, res) => send(res, await handlers.get(req.params?.token ?? '')));
  server.post('/r/:token', async (req, res) => {
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    send(res, await handlers.post(req.params?.token ?? '', body));
  });
}
