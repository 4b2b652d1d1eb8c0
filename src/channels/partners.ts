// Partner websites from data/partners.json, validated at start: a typo in an origin must stop
// the server, not silently refuse a partner's visitors.
import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';
import { z } from 'zod';
import {
  partnerAllowsOrigin,
  partnersFileSchema,
  publicConfig,
  type Partner,
  type PartnerPublicConfig,
} from '../domain/partner.js';

export const DEFAULT_PARTNERS_FILE = projectPath('data', 'partners.json');

export class PartnerDirectory {
  private readonly byId: Map<string, Partner>;

  constructor(partners: readonly Partner[]) {
    this.byId = new Map(partners.map((p) => [p.id, p]));
  }

  get(id: string | undefined): Partner | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  all(): Partner[] {
    return [...this.byId.values()];
  }

  /** The name the bot uses in its greeting. */
  greetingName(id: string): string | undefined {
    return this.byId.get(id)?.greetingName;
  }

  allows(partnerId: string | undefined, origin: string): boolean {
    const partner = this.get(partnerId);
    return partner !== undefined && partnerAllowsOrigin(partner, origin);
  }

  /** First partner whose origins include this one (a client that did not name its partner). */
  findByOrigin(origin: string): Partner | undefined {
    return this.all().find((p) => partnerAllowsOrigin(p, origin));
  }

  publicConfig(id: string): PartnerPublicConfig | undefined {
    const partner = this.byId.get(id);
    return partner && publicConfig(partner);
  }
}

export class PartnersFileError extends Error {}

export function loadPartners(path: string = DEFAULT_PARTNERS_FILE): PartnerDirectory {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PartnersFileError(`Fichier des partenaires illisible (${path}) : ${(error as Error).message}`);
  }
  // French messages (as the rules loader): a coordinator reads them.
  const parsed = partnersFileSchema.safeParse(raw, { error: z.locales.fr().localeError } as unknown as z.core.ParseContext<z.core.$ZodIssue>);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')} : ${i.message}`);
    throw new PartnersFileError(`Fichier des partenaires invalide (${path}) :\n${lines.join('\n')}`);
  }
  return new PartnerDirectory(parsed.data.partners);
}
