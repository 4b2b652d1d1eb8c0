// Security headers on every response, and the checks every state-changing request passes:
// same origin (Origin / Sec-Fetch-Site when the browser sends them) and the session's
// synchronizer CSRF token, from the form field `_csrf` or the `X-CSRF-Token` header.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { helmetMiddleware } from '../securityHeaders.js';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

// helmet (src/securityHeaders.ts) with the back office's policy: scripts and styles from the
// back office only, no framing, the referrer kept within the site; plus what helmet does not
// cover: no camera, microphone, location or payment, and no indexing.
const helmetHeadersMiddleware = helmetMiddleware({
  csp: {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
  },
  referrer: 'same-origin',
});

export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'X-Robots-Tag': 'noindex, nofollow',
  });
  helmetHeadersMiddleware(req, res, next);
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** Why this state-changing request must be refused, or null when it may go on. */
export function csrfProblem(req: Request, expectedToken: string | null): string | null {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return 'requête venue d’un autre site';
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    const expected = `${req.protocol}://${req.get('host')}`;
    if (origin !== expected) return 'origine différente du back-office';
  }
  if (!expectedToken) return 'pas de session';
  const body = req.body as Record<string, unknown> | undefined;
  const given = req.get(CSRF_HEADER) ?? body?.[CSRF_FIELD];
  return sameToken(given, expectedToken) ? null : 'jeton de formulaire absent ou périmé';
}
