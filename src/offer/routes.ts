// Mounts the published offer on the bot server (restify, or anything with get(path, handler)):
// GET /offre, /offre/:territoire and /open-data/data-inclusion/{structures,services}.{json,csv}.
import type { Offer } from './index.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type OpenDataFile = 'structures.json' | 'services.json' | 'structures.csv' | 'services.csv';
export const OPEN_DATA_FILES: readonly OpenDataFile[] = ['structures.json', 'services.json', 'structures.csv', 'services.csv'];

export interface OfferRequest {
  url?: string;
  params?: Record<string, string | undefined>;
}
export interface OfferResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}
type Handler = (req: OfferRequest, res: OfferResponse) => Promise<void>;
export interface OfferRouteServer {
  get(path: string, handler: Handler): unknown;
  /** Link checkers ask with HEAD: same answer, Node leaves the body out. */
  head?(path: string, handler: Handler): unknown;
}

function queryOf(req: OfferRequest): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

function send(res: OfferResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(Buffer.byteLength(reply.body)) });
  res.end(reply.body);
}

export function mountOffer(server: OfferRouteServer, offer: Offer, logError?: (message: string, error?: unknown) => void): void {
  const guarded = (handler: (req: OfferRequest) => Promise<Reply> | Reply) => async (req: OfferRequest, res: OfferResponse) => {
    try {
      send(res, await handler(req));
    } catch (error) {
      logError?.('page de l’offre', error);
      send(res, { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Erreur interne : réessayez dans quelques minutes.' });
    }
  };
  const route = (path: string, handler: Handler) => {
    server.get(path, handler);
    server.head?.(path, handler);
  };
  route('/offre', guarded((req) => offer.page(null, queryOf(req))));
  route('/offre/:territoire', guarded((req) => offer.page(req.params?.territoire ?? '', queryOf(req))));
  for (const file of OPEN_DATA_FILES) {
    route(`/open-data/data-inclusion/${file}`, guarded((req) => offer.openData(file, queryOf(req))));
  }
}
