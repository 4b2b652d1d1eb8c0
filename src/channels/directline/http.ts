// Small HTTP helpers shared by the Direct Line routes: French JSON errors, never a stack.
import type { Request, Response } from 'restify';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, for 429. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export const messages = {
  originRefused: 'Ce site n’est pas autorisé à utiliser Aiguillage.',
  tokenMissing: 'Jeton d’accès absent ou invalide.',
  tokenExpired: 'Jeton d’accès expiré : rouvrez la discussion.',
  otherConversation: 'Ce jeton ne donne pas accès à cette conversation.',
  conversationGone: 'Conversation introuvable ou expirée.',
  unknownPartner: 'Partenaire inconnu.',
  tooManyRequests: 'Trop de requêtes : merci de patienter quelques secondes avant de réessayer.',
  tooManyMessages: 'Vous envoyez des messages très vite : merci de patienter quelques secondes.',
  bodyTooLarge: (kb: number) => `Requête trop volumineuse : ${kb} Ko au maximum.`,
  textTooLong: (chars: number) =>
    `Votre message est trop long : ${chars.toLocaleString('fr-FR')} caractères au maximum. Vous pourrez donner les détails à la personne qui vous accompagnera.`,
  invalidActivity: 'Message invalide.',
  botFailed: 'Le service n’a pas pu traiter votre message. Réessayez dans un instant.',
  widgetUnavailable: 'Le widget n’est pas disponible pour le moment.',
  unavailable: 'Le service est momentanément indisponible, réessayez dans quelques secondes.',
} as const;

/** Retry-After of the 503 answered while the database is unreachable or restarting. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

export function sendError(res: Response, error: HttpError): void {
  if (error.retryAfter !== undefined) res.header('Retry-After', String(error.retryAfter));
  res.json(error.status, { code: error.code, message: error.message });
}

export function sendJson(res: Response, status: number, body: unknown): void {
  res.header('Cache-Control', 'no-store');
  res.json(status, body);
}

/**
 * The address a rate limit applies to. Behind one reverse proxy (trustProxy), every request comes
 * from the proxy: the holder's address is the last one the proxy appended to X-Forwarded-For
 * (earlier entries are the client's own claims, never trusted). Without it, no header is read.
 */
export function clientAddress(req: Request, trustProxy = false): string {
  const socket = req.socket?.remoteAddress ?? 'inconnue';
  if (!trustProxy) return socket;
  const forwarded = header(req, 'x-forwarded-for')?.split(',').map((a) => a.trim()).filter(Boolean) ?? [];
  return forwarded.at(-1) ?? socket;
}

export function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function queryParam(req: Request, name: string): string | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  return url.searchParams.get(name) ?? undefined;
}
