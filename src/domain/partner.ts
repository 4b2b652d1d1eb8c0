// A partner website (site partenaire) that embeds the widget: who it is, which origins may
// use the channel, how the widget looks there. Pure: no I/O.
import { z } from 'zod';

export const PARTNER_ID = /^[a-z0-9-]{1,64}$/;

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'couleur attendue au format #rrggbb');

/**
 * An allowed origin: `https://www.example.fr`, or with `*` as the port for development
 * (`http://localhost:*` matches any port of localhost). No path, no wildcard host.
 */
const originPattern = z
  .string()
  .regex(/^https?:\/\/[a-z0-9.-]+(:(\d{1,5}|\*))?$/, 'origine attendue : https://hote[:port], sans chemin');

export const partnerSchema = z.object({
  id: z.string().regex(PARTNER_ID),
  /** Display name (widget title, back office). */
  name: z.string().min(1).max(80),
  /** How the bot names the partner in its greeting: « avec {greetingName} ! ». */
  greetingName: z.string().min(1).max(80),
  origins: z.array(originPattern).min(1),
  colors: z.object({ primary: hexColor, accent: hexColor.optional() }),
  /** Who receives the partner's monthly report (requests of its territory); none: no report. */
  reportEmail: z.email().optional(),
  /** Territory the partner serves, offered first when asking where the project is. */
  defaultTerritory: z
    .object({
      label: z.string().min(1),
      epci: z.array(z.string().regex(/^\d{9}$/)),
      departement: z.string().regex(/^\d{2,3}$/).optional(),
    })
    .nullable(),
});

export type Partner = z.infer<typeof partnerSchema>;

export const partnersFileSchema = z
  .object({ partners: z.array(partnerSchema).min(1) })
  .refine((f) => new Set(f.partners.map((p) => p.id)).size === f.partners.length, {
    message: 'identifiant de partenaire en double',
  });

/** Whether a browser Origin header (`scheme://host[:port]`) matches one allowed pattern. */
export function originMatches(pattern: string, origin: string): boolean {
  const wildcard = pattern.endsWith(':*');
  if (!wildcard) return pattern === origin;
  const base = pattern.slice(0, -2);
  if (origin === base) return true;
  if (!origin.startsWith(`${base}:`)) return false;
  return /^\d{1,5}$/.test(origin.slice(base.length + 1));
}

export function partnerAllowsOrigin(partner: Partner, origin: string): boolean {
  return partner.origins.some((p) => originMatches(p, origin.toLowerCase()));
}

/** What any page may read about a partner (widget look and greeting): nothing secret. */
export interface PartnerPublicConfig {
  id: string;
  name: string;
  greetingName: string;
  colors: Partner['colors'];
  territory: string | null;
}

export function publicConfig(partner: Partner): PartnerPublicConfig {
  return {
    id: partner.id,
    name: partner.name,
    greetingName: partner.greetingName,
    colors: partner.colors,
    territory: partner.defaultTerritory?.label ?? null,
  };
}
