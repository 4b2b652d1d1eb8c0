// Every e-mail Aiguillage sends, in French. Pure: the caller passes the records, the actors and
// the signed links. Coordinator alerts carry references only, never a holder's data.
import { actorNames, capitalized, type Actor } from '../domain/actor.js';
import { atCommune, NEED_LABELS, PROJECT_TYPE_LABELS, SECTOR_LABELS, STAGE_LABELS } from '../domain/profile.js';
import {
  DECLINE_REASON_LABELS,
  STATUS_LABELS,
  type ContactChannel,
  type Referral,
  type ReferralAction,
} from '../domain/referral.js';
import { render, type Block, type MailContent } from './render.js';

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
/** « 1er mars 2025 », « 12 mars 2025 » (Paris time). */
export const frenchDate = (date: Date | string): string =>
  dateFormat.format(typeof date === 'string' ? new Date(date) : date).replace(/^1 /, '1er ');
const addDays = (date: Date | string, days: number) => new Date(new Date(date).getTime() + days * 86_400_000);

const CHANNEL_LABELS: Record<ContactChannel, string> = {
  email: 'par courriel',
  phone: 'par téléphone',
  any: 'par téléphone ou par courriel',
};

export const LINK_LABELS: Record<Exclude<ReferralAction, 'expire'>, string> = {
  take_care: 'Je prends en charge cette demande',
  decline: 'Ce n’est pas pour nous (motif, et si possible la bonne structure)',
  done: 'L’accompagnement est engagé',
  done_no_help: 'Clore sans suite',
  unreachable: 'Le porteur est injoignable',
};

export type ActionLinks = Partial<Record<Exclude<ReferralAction, 'expire'>, string>>;

function linkBlock(title: string, links: ActionLinks): Block {
  const items = (Object.keys(LINK_LABELS) as (keyof ActionLinks)[])
    .filter((a) => links[a])
    .map((a) => ({ label: LINK_LABELS[a], url: links[a]! }));
  return { kind: 'links', title, items };
}

/** Names for the ids a person would otherwise read in an e-mail (partner site, structure); set by the composition root. */
let directoryNames: { partner(id: string): string | undefined; actor(id: string): string | undefined } = { partner: () => undefined, actor: () => undefined };
export function useDirectoryNames(lookup: typeof directoryNames): void {
  directoryNames = lookup;
}

function projectItems(r: Referral): string[] {
  const p = r.profile;
  const place = [p.commune ? `${p.commune.nom} (${p.commune.code})` : null, p.epci?.nom ?? null, p.departement ? `département ${p.departement}` : null]
    .filter(Boolean)
    .join(' — ');
  return [
    `Stade : ${p.stage ? STAGE_LABELS[p.stage] : 'non précisé'}`,
    `Secteur : ${p.sector ? SECTOR_LABELS[p.sector] : 'non précisé'}`,
    `Forme : ${p.projectType ? PROJECT_TYPE_LABELS[p.projectType] : 'non précisée'}`,
    `Besoins : ${p.needs.length ? p.needs.map((n) => NEED_LABELS[n]).join(', ') : 'non précisés'}`,
    `Lieu : ${place || 'non précisé'}`,
    ...(r.partnerId ? [`Arrivé par le site partenaire : ${directoryNames.partner(r.partnerId) ?? r.partnerId}`] : []),
  ];
}

function contactItems(r: Referral): string[] {
  const c = r.contact;
  if (!c) return ['Coordonnées effacées à la demande du porteur ou anonymisées.'];
  return [
    `Nom : ${c.name}`,
    ...(c.email ? [`Courriel : ${c.email}`] : []),
    ...(c.phone ? [`Téléphone : ${c.phone}`] : []),
    `Préférence : ${CHANNEL_LABELS[c.channel]}${c.preferredTime ? `, ${c.preferredTime}` : ''}`,
  ];
}

export interface PreviousAttempt {
  actorName: string;
  createdAt: string;
  status: Referral['status'];
  declineReason?: string | null;
}

function previousItems(previous: PreviousAttempt[]): string[] {
  return previous.map((p) => {
    const why = p.declineReason ? ` : ${DECLINE_REASON_LABELS[p.declineReason as keyof typeof DECLINE_REASON_LABELS] ?? p.declineReason}` : '';
    return `${p.actorName}, saisie le ${frenchDate(p.createdAt)} — ${STATUS_LABELS[p.status]}${why}`;
  });
}

export interface ActorMailInput {
  referral: Referral;
  actor: Pick<Actor, 'name' | 'names'>;
  links: ActionLinks;
  linksValidUntil: Date;
  expireDays: number;
  previous?: PreviousAttempt[];
  /** The other structures that received the same request at the same time. */
  alongside?: string[];
}

function actorBody(input: ActorMailInput, intro: Block[]): Block[] {
  const r = input.referral;
  const promised = addDays(r.createdAt, r.promisedDays);
  return [
    ...intro,
    {
      kind: 'list',
      items: [
        `Référence : ${r.id}`,
        `Reçue le : ${frenchDate(r.createdAt)}`,
        `Délai de recontact annoncé au porteur : ${r.promisedDays} jours, soit d’ici le ${frenchDate(promised)}`,
      ],
    },
    { kind: 'list', title: 'Le projet', items: projectItems(r) },
    ...holderWords(r),
    { kind: 'list', title: 'Pourquoi vous', items: [r.reason, `Règle ${r.ruleId}, version des règles ${r.decision.rulesVersion}`] },
    ...(input.previous?.length ? [{ kind: 'list', title: 'Déjà tenté', items: previousItems(input.previous) } as Block] : []),
    ...(input.alongside?.length
      ? [{ kind: 'list', title: 'Également sollicitées pour cette demande, en même temps que vous', items: input.alongside } as Block]
      : []),
    { kind: 'list', title: 'Le porteur de projet', items: contactItems(r) },
    ...(r.consent
      ? [{ kind: 'p', text: `Ces coordonnées vous sont transmises avec l’accord du porteur (recueilli le ${frenchDate(r.consent.at)}), pour cet accompagnement seulement.` } as Block]
      : []),
    linkBlock('Votre réponse, sans compte : un clic, puis une confirmation', input.links),
    {
      kind: 'p',
      text: `Ces liens sont valables jusqu’au ${frenchDate(input.linksValidUntil)}. Sans réponse dans les ${input.expireDays} jours suivant l’envoi, la demande sera confiée à une autre structure.`,
    },
  ];
}

/** The project as the holder described it in the conversation (null once erased or anonymised). */
function holderWords(r: Referral): Block[] {
  if (!r.description) return [];
  return [
    { kind: 'p', text: 'Le projet, dans les mots du porteur :' },
    { kind: 'p', text: `« ${r.description} »` },
  ];
}

export function actorNewReferral(input: ActorMailInput): MailContent {
  const r = input.referral;
  const place = r.profile.commune ? atCommune(r.profile.commune.nom) : r.profile.epci ? `sur le territoire de ${r.profile.epci.nom}` : null;
  const sector = r.profile.sector ? SECTOR_LABELS[r.profile.sector].toLowerCase() : 'de l’ESS';
  const subject = `Nouvelle orientation ${r.id} : projet ${sector}${place ? ` ${place}` : ''}`;
  return render(
    subject,
    actorBody(input, [
      { kind: 'p', text: 'Bonjour,' },
      {
        kind: 'p',
        text: input.previous?.length
          ? `Aiguillage vous confie la demande d’un porteur de projet de l’économie sociale et solidaire qui souhaite être accompagné par ${actorNames(input.actor).subject}. Une première structure n’a pas pu y donner suite : l’historique figure ci-dessous.`
          : `Aiguillage vous adresse un porteur de projet de l’économie sociale et solidaire qui souhaite être accompagné par ${actorNames(input.actor).subject}.`,
      },
    ]),
  );
}

export function actorReminder(input: ActorMailInput & { reminder: number }): MailContent {
  const r = input.referral;
  return render(
    `Relance : l’orientation ${r.id} attend votre réponse`,
    actorBody(input, [
      { kind: 'p', text: 'Bonjour,' },
      {
        kind: 'p',
        text: `Nous vous avons transmis le ${frenchDate(r.createdAt)} la demande ci-dessous, qui attend toujours votre réponse (relance n° ${input.reminder}). Pouvez-vous indiquer si vous la prenez en charge ?`,
      },
    ]),
  );
}

export function actorCheckIn(input: { referral: Referral; actor: Pick<Actor, 'name' | 'names'>; links: ActionLinks; linksValidUntil: Date }): MailContent {
  const r = input.referral;
  return render(`Point d’étape : orientation ${r.id}`, [
    { kind: 'p', text: 'Bonjour,' },
    {
      kind: 'p',
      text: `${capitalized(actorNames(input.actor).subject)} a pris en charge l’orientation ${r.id} le ${frenchDate(r.statusAt)}. Où en est l’accompagnement ? Un clic suffit pour nous le dire.`,
    },
    { kind: 'list', title: 'Le projet', items: projectItems(r) },
    { kind: 'list', title: 'Le porteur de projet', items: contactItems(r) },
    linkBlock('Suite donnée', input.links),
    { kind: 'p', text: `Ces liens sont valables jusqu’au ${frenchDate(input.linksValidUntil)}.` },
  ]);
}

/** What every e-mail to a holder ends with: their status page, and where to write. */
export interface HolderFollow {
  /** Signed link to the request's status page. */
  statusUrl?: string;
  /** MAIL_REPLY_TO: the coordination's address, answered by a person. */
  replyTo?: string;
}

export function writeToUs(reference: string, replyTo?: string): string {
  return `Une question, personne ne vous a appelé, ou vous souhaitez obtenir ou faire effacer vos données ? Répondez simplement à ce courriel${replyTo ? ` (ou écrivez à ${replyTo})` : ''} en indiquant votre référence ${reference} : la coordination d’Aiguillage vous répondra.`;
}

function holderFollowBlocks(reference: string, follow: HolderFollow): Block[] {
  return [
    ...(follow.statusUrl ? [{ kind: 'links', title: 'Suivre votre demande', items: [{ label: 'Où en est ma demande (page personnelle, sans compte)', url: follow.statusUrl }] } as Block] : []),
    { kind: 'p', text: writeToUs(reference, follow.replyTo) },
  ];
}

function actorPresentation(actor: Pick<Actor, 'name' | 'names' | 'website' | 'offer'>, promisedDays: number, createdAt: string): string[] {
  return [
    `${capitalized(actorNames(actor).subject)} vous recontactera d’ici le ${frenchDate(addDays(createdAt, promisedDays))} (sous ${promisedDays} jours).`,
    actor.offer,
    ...(actor.website ? [`Site : ${actor.website}`] : []),
  ];
}

export function holderConfirmation(input: HolderFollow & {
  reference: string;
  name: string;
  referrals: { referral: Referral; actor: Pick<Actor, 'name' | 'names' | 'website' | 'offer'> }[];
  anonymiseAfterMonths: number;
  /** Who the request goes to next if these cannot follow it (the decision's next tier). */
  then?: string[];
}): MailContent {
  const first = input.referrals[0]!.referral;
  const several = input.referrals.length > 1;
  return render(`Votre demande d’accompagnement ${input.reference} est transmise`, [
    { kind: 'p', text: `Bonjour ${input.name},` },
    {
      kind: 'p',
      text: `Votre demande a bien été transmise. Votre référence : ${input.reference}. Gardez-la : elle vous sera demandée pour toute question sur votre demande.`,
    },
    ...input.referrals.map(({ referral, actor }) => ({ kind: 'list', items: actorPresentation(actor, referral.promisedDays, referral.createdAt) }) as Block),
    {
      kind: 'p',
      text: `Sans nouvelles de ${several ? 'leur' : 'sa'} part d’ici là, nous ${several ? 'les' : 'la'} relançons ; si la demande ne peut pas être suivie, elle sera confiée à une autre structure et nous vous préviendrons.`,
    },
    ...(input.then?.length ? [{ kind: 'p', text: `Dans ce cas, elle ira à : ${input.then.join(', ')}.` } as Block] : []),
    {
      kind: 'p',
      text: `Vos coordonnées ont été transmises, avec votre accord donné le ${frenchDate(first.consent?.at ?? first.createdAt)}, ${several ? 'à ces structures' : 'à cette structure'} seulement, et, si besoin, à la structure qui prendrait le relais. Elles seront anonymisées ${input.anonymiseAfterMonths} mois après la fin de l’accompagnement. Vous pouvez à tout moment en obtenir une copie ou les faire effacer.`,
    },
    ...holderFollowBlocks(input.reference, input),
  ]);
}

export function holderTakenCare(input: HolderFollow & { referral: Referral; actor: Pick<Actor, 'name' | 'names' | 'website'> }): MailContent {
  const r = input.referral;
  const how = r.contact ? CHANNEL_LABELS[r.contact.channel] : '';
  const who = capitalized(actorNames(input.actor).subject);
  return render(`${who} a pris en charge votre demande ${r.reference}`, [
    { kind: 'p', text: `Bonjour${r.contact ? ` ${r.contact.name}` : ''},` },
    {
      kind: 'p',
      text: `Bonne nouvelle : ${actorNames(input.actor).subject} a pris en charge votre demande (référence ${r.reference}) et va vous contacter ${how}${r.contact?.preferredTime ? `, ${r.contact.preferredTime}` : ''}.`,
    },
    ...(input.actor.website ? [{ kind: 'p', text: `Site de la structure : ${input.actor.website}` } as Block] : []),
    ...holderFollowBlocks(r.reference, input),
  ]);
}

export function holderEscalated(input: HolderFollow & {
  referral: Referral;
  previousActorName: string;
  why: 'expired' | 'declined';
  targets: { referral: Referral; actor: Pick<Actor, 'name' | 'names' | 'website' | 'offer'> }[];
}): MailContent {
  const r = input.referral;
  const why =
    input.why === 'expired' ? `${input.previousActorName} n’a pas pu répondre à temps à votre demande` : `${input.previousActorName} ne peut pas suivre votre demande`;
  return render(`Votre demande ${r.reference} est confiée à une autre structure`, [
    { kind: 'p', text: `Bonjour${r.contact ? ` ${r.contact.name}` : ''},` },
    { kind: 'p', text: `${why}. Nous l’avons confiée, avec votre accord initial, à :` },
    ...input.targets.map(({ referral, actor }) => ({ kind: 'list', items: actorPresentation(actor, referral.promisedDays, referral.createdAt) }) as Block),
    { kind: 'p', text: `Votre référence reste ${r.reference}.` },
    ...holderFollowBlocks(r.reference, input),
  ]);
}

/** The signed status link again, on the holder's request (from the chat). */
export function holderStatusLink(input: HolderFollow & { reference: string; name: string | null }): MailContent {
  return render(`Le suivi de votre demande ${input.reference}`, [
    { kind: 'p', text: `Bonjour${input.name ? ` ${input.name}` : ''},` },
    { kind: 'p', text: `Vous avez demandé à recevoir à nouveau le lien de suivi de votre demande ${input.reference}. Si ce n’est pas vous, ignorez ce message : il ne change rien à votre demande.` },
    ...holderFollowBlocks(input.reference, input),
  ]);
}

const CLOSED_SENTENCES: Partial<Record<Referral['status'], (actor: string) => string>> = {
  done: (actor) => `${actor} nous a indiqué que votre accompagnement a commencé.`,
  done_no_help: (actor) => `${actor} nous a indiqué avoir échangé avec vous et clos la demande.`,
  unreachable: (actor) => `${actor} nous a indiqué ne pas avoir réussi à vous joindre.`,
};

/** Every structure has answered and none is still working on it: the request is closed. */
export function holderClosed(input: HolderFollow & { referral: Referral; actor: Pick<Actor, 'name' | 'names'> }): MailContent {
  const r = input.referral;
  const who = capitalized(actorNames(input.actor).subject);
  return render(`Votre demande ${r.reference} est close`, [
    { kind: 'p', text: `Bonjour${r.contact ? ` ${r.contact.name}` : ''},` },
    { kind: 'p', text: CLOSED_SENTENCES[r.status]?.(who) ?? `${who} a clos votre demande.` },
    {
      kind: 'p',
      text:
        r.status === 'unreachable'
          ? 'Votre demande Aiguillage est donc close. Si vous souhaitez toujours être accompagné, répondez à ce courriel : nous reprendrons contact avec vous.'
          : 'Votre demande Aiguillage est donc close. Si votre projet évolue ou si vous avez besoin d’une autre aide, revenez nous voir : une nouvelle demande est toujours possible.',
    },
    ...holderFollowBlocks(r.reference, input),
  ]);
}

/** No structure could take the request: the coordination takes it back by hand. */
export function holderNoStructure(input: HolderFollow & { referral: Referral }): MailContent {
  const r = input.referral;
  return render(`Votre demande ${r.reference} : la coordination d’Aiguillage la reprend`, [
    { kind: 'p', text: `Bonjour${r.contact ? ` ${r.contact.name}` : ''},` },
    {
      kind: 'p',
      text: 'Aucune des structures sollicitées n’a pu suivre votre demande, et aucune autre n’est prévue pour votre projet dans notre annuaire. La coordination d’Aiguillage reprend votre demande elle-même et vous contactera pour chercher une solution avec vous.',
    },
    ...holderFollowBlocks(r.reference, input),
  ]);
}

export const COORDINATOR_ALERTS = {
  expired: 'expirée sans réponse',
  escalated: 'confiée au niveau suivant',
  suggested_actor: 'déclinée avec une structure suggérée : à vérifier',
  no_target: 'plus aucune structure disponible : à reprendre à la main',
  not_serious: 'déclinée comme demande non sérieuse ou de test : close sans transmission',
} as const;
export type CoordinatorAlert = keyof typeof COORDINATOR_ALERTS;

export function coordinatorAlert(input: { id: string; actorId: string; kinds: CoordinatorAlert[]; details: string[] }): MailContent {
  return render(`[Aiguillage] Orientation ${input.id} : ${input.kinds.map((k) => COORDINATOR_ALERTS[k]).join(', ')}`, [
    { kind: 'p', text: 'Bonjour,' },
    { kind: 'list', items: [`Orientation : ${input.id}`, `Structure : ${directoryNames.actor(input.actorId) ?? input.actorId}`, ...input.details] },
    { kind: 'p', text: 'Le détail est dans le back-office (ce message ne contient aucune donnée personnelle).' },
  ]);
}

/** A back-office invitation: who invites, to do what, the one-time link and its end. */
export function backofficeInvitation(input: { name: string; role: string; invitedBy: string; link: string; expiresAt: Date }): MailContent {
  return render('[Aiguillage] Votre invitation au back-office', [
    { kind: 'p', text: input.name ? `Bonjour ${input.name},` : 'Bonjour,' },
    { kind: 'p', text: `${input.invitedBy} vous invite dans le back-office d’Aiguillage, la porte d’entrée des porteurs de projet de l’économie sociale et solidaire du territoire : ${input.role}.` },
    { kind: 'links', title: 'Créer votre compte', items: [{ label: 'Choisir mon mot de passe', url: input.link }] },
    { kind: 'p', text: `Ce lien ne sert qu’une fois et reste valable jusqu’au ${frenchDate(input.expiresAt)}. Si vous n’attendiez pas cette invitation, ignorez ce message.` },
  ]);
}

/** The monthly report: a few figures in the message, every table in the attached CSV. */
export function monthlyReportMail(input: {
  monthLabel: string;
  territory: string | null;
  requests: number;
  notSerious: number;
  takenCare: number;
  withinPromise: { within: number; measured: number };
  fallbackOnly: number;
  highlights: string[];
  filename: string;
}): MailContent {
  const where = input.territory ? ` — ${input.territory}` : '';
  const share = input.withinPromise.measured ? `${Math.round((input.withinPromise.within / input.withinPromise.measured) * 100)} %` : 'pas encore mesurable';
  return render(`[Aiguillage] Bilan de ${input.monthLabel}${where}`, [
    { kind: 'p', text: 'Bonjour,' },
    { kind: 'p', text: `Voici le bilan d’Aiguillage pour ${input.monthLabel}${input.territory ? `, sur le territoire ${input.territory}` : ', pour tous les territoires'}.` },
    {
      kind: 'list',
      items: [
        `Demandes reçues : ${input.requests}${input.notSerious ? ` (sans compter ${input.notSerious} demande${input.notSerious > 1 ? 's' : ''} de test ou non sérieuse${input.notSerious > 1 ? 's' : ''})` : ''}`,
        `Demandes prises en charge par une structure : ${input.takenCare}`,
        `Prises en charge dans le délai promis au porteur : ${share}${input.withinPromise.measured ? ` (${input.withinPromise.within} sur ${input.withinPromise.measured})` : ''}`,
        `Demande non satisfaite : ${input.fallbackOnly} demande${input.fallbackOnly > 1 ? 's' : ''} transmise${input.fallbackOnly > 1 ? 's' : ''} à un recours seulement (aucune structure de l’annuaire pour ce projet)`,
      ],
    },
    ...(input.highlights.length ? [{ kind: 'list', title: 'En bref', items: input.highlights } as Block] : []),
    { kind: 'p', text: `Le détail (par intercommunalité, secteur, stade et structure, délais, demande non satisfaite) est dans le fichier joint « ${input.filename} », à ouvrir avec un tableur. Les chiffres ne contiennent aucune donnée personnelle.` },
  ]);
}
