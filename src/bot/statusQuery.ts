// « Où en est ma demande AIG-7K3F-Q2 ? » in the chat: the statuses only (anyone who knows a
// reference can type it here, so no structure or person named, no contact detail), and the
// signed status link sent again to the e-mail on file — never shown, at most once a day.
import type { Referral } from '../domain/referral.js';
import { holderStatus } from '../referrals/holderStatus.js';

export interface StatusQueryService {
  byReference(reference: string): Promise<Referral[]>;
  resendStatusLink(reference: string): Promise<'sent' | 'already_sent' | 'no_email' | 'not_found'>;
}

export interface StatusQueryOptions {
  service: StatusQueryService;
  /** MAIL_REPLY_TO: where a holder without e-mail asks for their link. */
  replyTo?: string;
  /** Sends what was just queued (the link) without waiting for the scheduler. */
  afterResend?: () => void;
  now?: () => Date;
}

export interface StatusReply {
  text: string;
  buttons?: string[];
}

export type StatusQuery = { kind: 'status' | 'resend'; reference: string } | { kind: 'no_reference' };

const REFERENCE = /\bAIG[\s-]*([2-9A-HJKMNP-Z]{4})[\s-]*([2-9A-HJKMNP-Z]{2})\b/i;
const RESEND = /\b(renvoy|renvoi|r[ée]exp[ée]di|lien)/i;
const ASKING = /^\s*(o[uù] en est|o[uù] en sont|suivre|suivi|statut|[ée]tat)\b.*\b(demande|dossier)\b/i;

/** A status question, a request for the link, or null (anything else is for the dialogs). */
export function recognizeStatusQuery(text: string): StatusQuery | null {
  const match = REFERENCE.exec(text);
  // Glued letters only (« aigrettes ») are a word, not a number: a separator or a digit says so.
  if (match && (/[\s-]/.test(match[0]) || /\d/.test(match[1]! + match[2]!))) {
    const reference = `AIG-${match[1]!.toUpperCase()}-${match[2]!.toUpperCase()}`;
    return { kind: RESEND.test(text.replace(match[0], ' ')) ? 'resend' : 'status', reference };
  }
  return ASKING.test(text) ? { kind: 'no_reference' } : null;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const resendButton = (reference: string) => `Renvoyer le lien de suivi ${reference}`;

/** The replies for `text`, or null when it is not about following a request. */
export async function answerStatusQuery(text: string, options: StatusQueryOptions): Promise<StatusReply[] | null> {
  const query = recognizeStatusQuery(text);
  if (!query) return null;
  if (query.kind === 'no_reference') {
    return [{ text: 'Pour vous dire où en est votre demande, j’ai besoin de son numéro, qui commence par AIG (il figure dans le courriel de confirmation). Écrivez par exemple : « où en est ma demande AIG-7K3F-Q2 ? »' }];
  }
  const { reference } = query;
  const notFound = [{ text: `Je ne trouve aucune demande ${reference}. Vérifiez le numéro : il figure dans le courriel de confirmation et dans le dernier message de notre conversation.` }];
  if (query.kind === 'resend') {
    const outcome = await options.service.resendStatusLink(reference);
    if (outcome === 'sent') options.afterResend?.();
    const write = options.replyTo ? `écrivez à ${options.replyTo}` : 'répondez à l’un de nos courriels';
    switch (outcome) {
      case 'sent':
        return [{ text: `C’est fait : le lien de suivi de la demande ${reference} vient d’être envoyé à l’adresse e-mail donnée lors de la demande. S’il n’arrive pas d’ici quelques minutes, regardez dans les courriels indésirables.` }];
      case 'already_sent':
        return [{ text: `Le lien de suivi de la demande ${reference} a déjà été renvoyé aujourd’hui à l’adresse e-mail donnée lors de la demande : regardez aussi dans les courriels indésirables. Je ne le renvoie qu’une fois par jour.` }];
      case 'no_email':
        return [{ text: `La demande ${reference} ne comporte pas d’adresse e-mail : je ne peux pas envoyer le lien. Pour l’obtenir par téléphone, ${write} en indiquant votre numéro de demande et le numéro de téléphone que vous aviez donné : la coordination d’Aiguillage vous rappellera.` }];
      default:
        return notFound;
    }
  }
  const records = await options.service.byReference(reference);
  if (records.length === 0) return notFound;
  const view = holderStatus(records, { named: false, now: options.now?.() ?? new Date() });
  const lines = view.lines.map((l) => `• ${capitalise(l.actor)} : ${l.status}${l.promisedBy ? ` (contact promis d’ici le ${l.promisedBy}${l.late ? ', délai dépassé : nous l’avons relancée' : ''})` : ''}.`);
  const state = view.withCoordination
    ? 'La coordination d’Aiguillage a repris la demande : elle vous contactera.'
    : view.closed
      ? 'La demande est close.'
      : 'La demande est en cours.';
  return [
    { text: [`Où en est la demande ${reference} :`, ...lines, state].join('\n') },
    {
      text: 'Le détail (les structures, les dates, vos droits sur vos données) est sur votre page de suivi personnelle, dont le lien figure dans le courriel de confirmation. Je peux vous renvoyer ce lien à l’adresse e-mail donnée lors de la demande.',
      buttons: [resendButton(reference)],
    },
  ];
}
