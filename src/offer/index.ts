// The published offer: what the bot server's public pages and the command line call. The
// territory is a parameter everywhere (a named territory's id, or none for the whole service),
// so that territories created later by coordinators only change the `territories` provider.
import { statSync } from 'node:fs';
import { z } from 'zod';
import { parisDay } from '../domain/actor.js';
import { SECTORS, STAGES } from '../domain/profile.js';
import type { Router } from '../routing/index.js';
import { loadTerritoryLexicon, DEFAULT_TERRITORY_DIR } from '../territory/lexicon.js';
import type { NamedTerritory, TerritoryIndex } from '../territory/types.js';
import { recordsCsv } from './csv.js';
import { diServices, diStructures, LICENCE, SERVICE_COLUMNS, STRUCTURE_COLUMNS, type DiService, type DiStructure } from './dataInclusion.js';
import { buildOffer, scopeOf, WHOLE_SERVICE, type OfferFilter, type OfferModel, type OfferScope } from './model.js';
import { frenchDay, notFoundPage, renderOfferPage, type PageContext } from './page.js';
import { OfferStateCache, type OfferState } from './state.js';
import type { OpenDataFile, Reply } from './routes.js';
import { helmetHeaders } from '../securityHeaders.js';
import { OFFER_CSS_HASH } from './styles.js';

export { buildOffer, WHOLE_SERVICE, scopeOf, type OfferModel, type OfferScope } from './model.js';
export { diStructures, diServices, LICENCE, type DiStructure, type DiService } from './dataInclusion.js';
export { mountOffer, OPEN_DATA_FILES, type OpenDataFile, type Reply } from './routes.js';

export interface OfferOptions {
  router: Router;
  territory: TerritoryIndex;
  /** Named territories with a page of their own (default: data/territory/named-territories.json). */
  territories?: () => NamedTerritory[];
  /** The bot server's public address (links of the open data). */
  publicUrl: string;
  /** When the directory last changed: `date_maj` of the open data (see modifiedAt). */
  updatedAt: () => Date;
  /** Where to write about the offer (MAIL_REPLY_TO), shown in the page footer. */
  contact?: string;
  /** A partner site's intercommunalities: the widget's link names its partner, the page picks its territory. */
  partnerEpcis?: (partnerId: string) => readonly string[] | undefined;
  now?: () => Date;
  /** How long a page waits for its état des lieux before saying it is being computed (default 5 s). */
  stateWaitMs?: number;
}

export interface Offer {
  /** Unknown territory: null. */
  scope(territoryId: string | null): OfferScope | null;
  model(scope: OfferScope): OfferModel;
  /** GET /offre and /offre/:territoire (query: stade, secteur; on /offre, partenaire). */
  page(territoryId: string | null, query: URLSearchParams): Promise<Reply>;
  /** GET /open-data/data-inclusion/:file (query: territoire). */
  openData(file: OpenDataFile, query: URLSearchParams): Reply;
  dataInclusion(scope: OfferScope): { structures: DiStructure[]; services: DiService[] };
  /** The état des lieux of a scope, computed once per rules version and day. */
  state(scope: OfferScope): Promise<OfferState>;
  /** Computes the named territories' états des lieux ahead of the first visitor, and again after each change of the rules. */
  prewarm(): Promise<void>;
}

// helmet's headers (src/securityHeaders.ts): only the page's own stylesheet (by its hash), no
// script, forms to the site, no framing.
const HTML_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'public, max-age=300',
  ...helmetHeaders({
    csp: {
      'default-src': ["'none'"],
      'style-src': [OFFER_CSS_HASH],
      'form-action': ["'self'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
    },
    referrer: 'strict-origin-when-cross-origin',
  }),
};

const DATA_HEADERS: Record<string, string> = {
  'Cache-Control': 'public, max-age=300',
  'Access-Control-Allow-Origin': '*',
  Link: `<${LICENCE.url}>; rel="license"`,
  'X-Content-Type-Options': 'nosniff',
};

// Filters from a URL typed or tampered with: an unknown value means no filter.
const filterSchema = z.object({
  stade: z.enum(STAGES).nullable().catch(null),
  secteur: z.enum(SECTORS).nullable().catch(null),
});

export function parseFilter(query: URLSearchParams): OfferFilter {
  const parsed = filterSchema.parse({ stade: query.get('stade'), secteur: query.get('secteur') });
  return { stage: parsed.stade, sector: parsed.secteur };
}

/** The named territories of data/territory/named-territories.json, as the territory index knows them. */
export function namedTerritories(territory: TerritoryIndex, dir: string = DEFAULT_TERRITORY_DIR): NamedTerritory[] {
  return loadTerritoryLexicon(dir)
    .territories.map((t) => territory.namedTerritory(t.id))
    .filter((t): t is NamedTerritory => t !== undefined);
}

/** When a file last changed (the directory's `date_maj`). */
export function modifiedAt(file: string): () => Date {
  return () => statSync(file).mtime;
}

export function createOffer(options: OfferOptions): Offer {
  const { router, territory } = options;
  const now = options.now ?? (() => new Date());
  let cachedTerritories: NamedTerritory[] | undefined;
  const territories = options.territories ?? (() => (cachedTerritories ??= namedTerritories(territory)));
  const states = new OfferStateCache(router, territory, now);
  let watching = false;

  const scope = (id: string | null): OfferScope | null => {
    if (id === null) return WHOLE_SERVICE;
    const named = territories().find((t) => t.id === id);
    return named ? scopeOf(named) : null;
  };
  const model = (s: OfferScope) => buildOffer(router.actors(), territory, s);
  const context = (): PageContext => ({
    territories: territories().map((t) => ({ id: t.id, nom: t.nom })),
    contact: options.contact,
    updated: frenchDay(options.updatedAt()),
  });
  const dataInclusion = (s: OfferScope) => {
    const m = model(s);
    const exportOptions = { publicUrl: options.publicUrl, updated: parisDay(options.updatedAt()) };
    return { structures: diStructures(m, exportOptions), services: diServices(m, exportOptions) };
  };

  /** The named territory that holds every intercommunality of a partner's site, if any. */
  const partnerTerritory = (partnerId: string): string | undefined => {
    const epcis = options.partnerEpcis?.(partnerId);
    if (!epcis?.length) return undefined;
    return territories().find((t) => epcis.every((e) => t.epcis.includes(e)))?.id;
  };

  const prewarm = async (): Promise<void> => {
    // Once started, again after each published change of the rules or the directory.
    if (!watching) {
      watching = true;
      router.onReload((result) => {
        if (result.ok && result.changed) void prewarm().catch(() => undefined);
      });
    }
    // Named territories only (≈ 800 decisions each): the region's 37 000 would grow the server's
    // memory by some 20 Mo at every start; it is computed when /offre is first visited.
    for (const s of territories().map(scopeOf)) await states.get(s);
  };

  return {
    scope,
    model,
    dataInclusion,

    async page(territoryId, query) {
      if (territoryId === null) {
        const partner = query.get('partenaire');
        const target = partner ? partnerTerritory(partner) : undefined;
        if (target) return { status: 303, headers: { Location: `/offre/${target}`, 'Cache-Control': 'no-store' }, body: '' };
      }
      const s = scope(territoryId);
      if (!s) return { status: 404, headers: HTML_HEADERS, body: notFoundPage(territoryId ?? '', context()) };
      // The region's état des lieux takes seconds on a busy machine: the page never waits for it
      // longer than stateWaitMs, it says « en cours de calcul » and is not cached meanwhile.
      const state = await withinMs(states.get(s), options.stateWaitMs ?? 5000);
      const headers = state ? HTML_HEADERS : { ...HTML_HEADERS, 'Cache-Control': 'no-store' };
      return { status: 200, headers, body: renderOfferPage(model(s), state, parseFilter(query), context()) };
    },

    openData(file, query) {
      const id = query.get('territoire');
      const s = scope(id || null);
      if (!s) {
        return { status: 404, headers: { ...DATA_HEADERS, 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ message: `Territoire inconnu : ${id}` }) };
      }
      const { structures, services } = dataInclusion(s);
      switch (file) {
        case 'structures.json':
          return { status: 200, headers: { ...DATA_HEADERS, 'Content-Type': 'application/json; charset=utf-8' }, body: `${JSON.stringify(structures, null, 2)}\n` };
        case 'services.json':
          return { status: 200, headers: { ...DATA_HEADERS, 'Content-Type': 'application/json; charset=utf-8' }, body: `${JSON.stringify(services, null, 2)}\n` };
        case 'structures.csv':
          return { status: 200, headers: csvHeaders(file, s), body: recordsCsv(structures, STRUCTURE_COLUMNS) };
        case 'services.csv':
          return { status: 200, headers: csvHeaders(file, s), body: recordsCsv(services, SERVICE_COLUMNS) };
      }
    },

    state: (s) => states.get(s),
    prewarm,
  };
}

/** The value if it comes within `ms`, else null (the computation goes on and is cached). */
async function withinMs<T>(value: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  try {
    return await Promise.race([value, late]);
  } finally {
    clearTimeout(timer);
  }
}

function csvHeaders(file: string, scope: OfferScope): Record<string, string> {
  const name = `aiguillage-${scope.id ?? 'pays-de-la-loire'}-${file}`;
  return { ...DATA_HEADERS, 'Content-Type': 'text/csv; charset=utf-8; header=present', 'Content-Disposition': `attachment; filename="${name}"` };
}
