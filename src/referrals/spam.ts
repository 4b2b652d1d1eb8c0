// Signs that a request is a test or a joke, for the coordination to look at: test words in the
// name, the e-mail or the whole description, a throwaway e-mail domain, the same contact behind
// many requests. Nothing is ever dropped on these grounds; the lists are data (data/spam/).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Contact } from '../domain/referral.js';
import { projectPath } from '../paths.js';
import { normalizeText } from '../territory/normalize.js';

export interface SpamLists {
  words: ReadonlySet<string>;
  domains: ReadonlySet<string>;
}

const wordsFile = z.object({ words: z.array(z.string().min(1)) });
const domainsFile = z.object({ domains: z.array(z.string().min(3)) });

let shipped: SpamLists | undefined;

export function loadSpamLists(dir = projectPath('data', 'spam')): SpamLists {
  const read = (name: string) => JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')) as unknown;
  return {
    words: new Set(wordsFile.parse(read('test-words.json')).words.map((w) => normalizeText(w))),
    domains: new Set(domainsFile.parse(read('disposable-domains.json')).domains.map((d) => d.trim().toLowerCase())),
  };
}

/** The shipped lists, read once. */
export function spamLists(): SpamLists {
  shipped ??= loadSpamLists();
  return shipped;
}

/** Same contact, whatever its spelling: lowercased e-mail, or the phone's digits. Hashed: in memory only. */
export function contactKey(contact: Pick<Contact, 'email' | 'phone'> | null): string | null {
  if (!contact) return null;
  const raw = contact.email ? contact.email.trim().toLowerCase() : (contact.phone ?? '').replace(/[^0-9+]/g, '').replace(/^\+33/, '0');
  return raw ? createHash('sha256').update(raw).digest('base64url').slice(0, 16) : null;
}

export const SPAM_SIGNALS = ['test_words', 'throwaway'] as const;
export type SpamSignal = (typeof SPAM_SIGNALS)[number];

/** What the request itself says (repeats need the other requests: see the statistics index). */
export function contentSignals(
  record: { contact: Pick<Contact, 'name' | 'email'> | null; description?: string | null },
  lists: SpamLists = spamLists(),
): SpamSignal[] {
  const signals: SpamSignal[] = [];
  const hasTestWord = (text: string) => normalizeText(text).split(' ').some((w) => lists.words.has(w));
  const c = record.contact;
  const description = normalizeText(record.description ?? '').split(' ').filter(Boolean);
  if (
    (c && (hasTestWord(c.name) || hasTestWord((c.email ?? '').split('@')[0]!))) ||
    (description.length > 0 && description.every((w) => lists.words.has(w)))
  ) {
    signals.push('test_words');
  }
  const domain = c?.email?.split('@')[1]?.toLowerCase();
  if (domain && lists.domains.has(domain)) signals.push('throwaway');
  return signals;
}

/** Requests from one contact from which a repeat is worth a look. */
export const REPEAT_THRESHOLD = 3;

export const SPAM_LABELS: Record<SpamSignal | 'repeated', string> = {
  test_words: 'mots de test (« test », « azerty »…) dans le nom, l’adresse ou la description',
  throwaway: 'adresse e-mail jetable',
  repeated: 'même contact pour plusieurs demandes',
};
