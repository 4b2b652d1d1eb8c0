// Accompaniment actors (accompagnateurs): who they are, where and for whom they work, how to
// reach them. Public facts only; the notification address stays under example.org until a
// coordinator confirms the real one. No I/O here.
import { z } from 'zod';
import { SECTORS, STAGES } from './profile.js';

export const ROLES = ['local', 'expert', 'reseau'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  local: 'Généraliste de proximité',
  expert: 'Expert ESS',
  reseau: 'Tête de réseau',
};

/**
 * A served area, following data·inclusion's `zone_eligibilite`: an INSEE commune code
 * (5 characters), an EPCI SIREN (9 digits) or a department code (2–3 characters). Regions are
 * written `region:NN` because region and department codes overlap (52 is both the Pays de la
 * Loire region and the Haute-Marne department).
 */
export const ZONE_PATTERN = /^(\d{5}|2[AB]\d{3}|\d{9}|\d{2}|2[AB]|97\d|region:\d{2,3})$/;
export const zoneSchema = z
  .string()
  .regex(ZONE_PATTERN, { error: (iss) => `zone « ${String(iss.input)} » illisible : attendu un code INSEE de commune, un SIREN d’EPCI, un code de département ou « region:NN »` });

export type ZoneKind = 'commune' | 'epci' | 'departement' | 'region';
export function zoneKind(zone: string): ZoneKind {
  if (zone.startsWith('region:')) return 'region';
  if (zone.length === 9) return 'epci';
  if (zone.length === 5) return 'commune';
  return 'departement';
}

const isoDate = z.iso.date({ error: 'date attendue au format AAAA-MM-JJ' });

export const absenceSchema = z
  .strictObject({ from: isoDate, to: isoDate, note: z.string().optional() })
  .refine((a) => a.from <= a.to, { error: 'absence : la date de fin précède la date de début' });

export const notificationSchema = z
  .strictObject({ email: z.email(), confirmed: z.boolean() })
  // Until a coordinator confirms it, the address must be a placeholder (never a real person).
  .refine((n) => n.confirmed || n.email.toLowerCase().endsWith('@example.org'), {
    error: 'adresse de notification non confirmée : elle doit rester en @example.org',
  });

/**
 * How French sentences name the actor, article and contraction included: « les Ecossolies »,
 * « aux Ecossolies », « des Ecossolies ». Written by hand because no rule guesses « au DLA » or
 * « à l’Union régionale » right every time; absent in older files (see actorNames).
 */
export const actorNamesSchema = z.strictObject({
  subject: z.string().min(2),
  to: z.string().regex(/^(à |aux? )/, { error: 'forme « to » attendue en « à … », « au … » ou « aux … »' }),
  of: z.string().regex(/^(de |d’|du |des )/, { error: 'forme « of » attendue en « de … », « d’… », « du … » ou « des … »' }),
});
export type ActorNames = z.infer<typeof actorNamesSchema>;

export const actorSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'identifiant attendu en minuscules avec tirets (ex. « cc-sevre-loire-eco »)' }),
  name: z.string().min(3),
  names: actorNamesSchema.optional(),
  role: z.enum(ROLES),
  /** Where the actor accompanies holders (see ZONE_PATTERN). */
  zones: z.array(zoneSchema).min(1),
  /** Parts of `zones` the actor does not serve (e.g. a regional programme except Nantes Métropole). */
  excludedZones: z.array(zoneSchema).optional(),
  stages: z.array(z.enum(STAGES)).min(1),
  sectors: z.union([z.literal('all'), z.array(z.enum(SECTORS)).min(1)]),
  /** Specific public in French, when the actor serves only some holders (e.g. « jeunes de 16 à 25 ans »). */
  publics: z.string().optional(),
  website: z.url().nullable(),
  /** What the actor offers, one French sentence a holder can read. */
  offer: z.string().min(10),
  /** Promised delay to call the holder back, in days. */
  recontactDays: z.number().int().min(1).max(60),
  notification: notificationSchema,
  active: z.boolean(),
  /** Referrals the actor accepts per calendar month; absent means no limit. */
  monthlyCapacity: z.number().int().min(0).optional(),
  absences: z.array(absenceSchema).optional(),
  /** Some public facts still need checking with the organisation (reference [?] items). */
  toConfirm: z.boolean().optional(),
  note: z.string().optional(),
});
export type Actor = z.infer<typeof actorSchema>;

export const actorsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  actors: z.array(actorSchema).min(1),
});
export type ActorsFile = z.infer<typeof actorsFileSchema>;

/**
 * The actor's name forms: the written ones, or derived from `name` when absent (older files):
 * a leading article is contracted (« Les X » → « aux X », « des X »), a vowel elides « de ».
 */
export function actorNames(actor: Pick<Actor, 'name' | 'names'>): ActorNames {
  if (actor.names) return actor.names;
  const name = actor.name.trim();
  const m = /^(les|le|la|l[’'])\s*(.*)$/i.exec(name);
  if (m) {
    const article = m[1]!.toLowerCase();
    const rest = m[2]!;
    if (article === 'les') return { subject: `les ${rest}`, to: `aux ${rest}`, of: `des ${rest}` };
    if (article === 'le') return { subject: `le ${rest}`, to: `au ${rest}`, of: `du ${rest}` };
    if (article === 'la') return { subject: `la ${rest}`, to: `à la ${rest}`, of: `de la ${rest}` };
    return { subject: `l’${rest}`, to: `à l’${rest}`, of: `de l’${rest}` };
  }
  const elides = /^[aeiouyhàâéèêëîïôöûüAEIOUYHÀÂÉÈÊËÎÏÔÖÛÜ]/.test(name);
  return { subject: name, to: `à ${name}`, of: elides ? `d’${name}` : `de ${name}` };
}

/** First letter in capitals, for a name form that opens a sentence (« Les Ecossolies vous… »). */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where a holder's project is, as far as it is known; codes only. */
export interface PlaceCodes {
  commune: string | null;
  epci: string | null;
  departement: string | null;
  region: string | null;
}

function zoneMatches(zone: string, place: PlaceCodes): boolean {
  switch (zoneKind(zone)) {
    case 'commune':
      return zone === place.commune;
    case 'epci':
      return zone === place.epci;
    case 'departement':
      return zone === place.departement;
    case 'region':
      return place.region !== null && zone === `region:${place.region}`;
  }
}

/** True when the actor's zones cover the place (and no excluded zone does). Unknown place: false. */
export function actorServes(actor: Pick<Actor, 'zones' | 'excludedZones'>, place: PlaceCodes): boolean {
  if (!actor.zones.some((z) => zoneMatches(z, place))) return false;
  return !(actor.excludedZones ?? []).some((z) => zoneMatches(z, place));
}

/** The absence covering `day` (YYYY-MM-DD, inclusive bounds), if any. */
export function absenceOn(actor: Pick<Actor, 'absences'>, day: string): { from: string; to: string } | undefined {
  return (actor.absences ?? []).find((a) => a.from <= day && day <= a.to);
}

/** Calendar day in France, where actors work: an absence ending "today" still counts today. */
const parisDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
export function parisDay(date: Date): string {
  return parisDate.format(date);
}
