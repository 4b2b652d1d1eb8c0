// Small shared pieces of the express layer: the per-request state (session, account), errors
// with a status and a French message, flash messages shown after a redirect, form fields.
import type { Request, Response } from 'express';
import type { Account } from '../store/accountStore.js';
import type { Session } from './sessions.js';

export interface RequestState {
  session: Session | null;
  account: Account | null;
}

export function state(res: Response): RequestState {
  return (res.locals.state as RequestState | undefined) ?? { session: null, account: null };
}

/** The signed-in account; the auth middleware guarantees it on protected routes. */
export function account(res: Response): Account {
  const a = state(res).account;
  if (!a) throw new HttpError(401, 'Connexion nécessaire', 'Connectez-vous pour continuer.');
  return a;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = () => new HttpError(404, 'Page introuvable', 'Cette page n’existe pas, ou vous n’y avez pas accès.');

export function field(req: Request, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0].trim() : '';
  return typeof value === 'string' ? value.trim() : '';
}

export function fields(req: Request, name: string): string[] {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean);
}

export function query(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim() : '';
}

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** Messages kept for the next page of the same session (post → redirect → get). */
export class FlashMessages {
  private readonly bySession = new Map<string, Flash[]>();

  add(res: Response, kind: Flash['kind'], text: string): void {
    const key = state(res).session?.idHash;
    if (!key) return;
    if (this.bySession.size > 10_000) this.bySession.clear();
    this.bySession.set(key, [...(this.bySession.get(key) ?? []), { kind, text }]);
  }

  take(res: Response): Flash[] {
    const key = state(res).session?.idHash;
    if (!key) return [];
    const list = this.bySession.get(key) ?? [];
    this.bySession.delete(key);
    return list;
  }
}

/** A local path to come back to after signing in (never another site). */
export function safeNext(value: string): string {
  return /^\/(?![/\\])[\w\-./?=&%~:+]*$/.test(value) ? value : '/';
}

export const DATE_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'medium', timeStyle: 'short' });
export const DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'medium' });
export const frenchDateTime = (iso: string | number) => DATE_TIME.format(new Date(iso));
export const frenchDate = (iso: string | number) => DATE.format(new Date(iso));
