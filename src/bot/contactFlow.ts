// The contact details, after the consent: a name and one way to reach the holder, in as few
// messages as they like (« Camille Martin, 06 12 34 56 78, plutôt le matin » is enough). Only
// what is missing is asked; the channel is what the holder gave (a phone only: by phone). The
// moment matters for a call: with a phone and no moment said, it is asked, « Peu importe » or any
// words answer it. Nothing is kept once the referral is written.
import { fr } from './messages.fr.js';
import type { BotReply } from './qualificationFlow.js';

export type ContactChannel = 'email' | 'phone' | 'any';

export interface ContactState {
  step: 'contact' | 'name' | 'reach' | 'time' | 'submit';
  name: string | null;
  email: string | null;
  phone: string | null;
  preferredTime: string | null;
  consentAt: string;
}

export interface ContactDetails {
  name: string;
  email: string | null;
  phone: string | null;
  channel: ContactChannel;
  preferredTime: string | null;
}

export type ContactOutcome = { kind: 'ask'; replies: BotReply[] } | { kind: 'ready'; contact: ContactDetails; consentAt: string };

export interface ContactUnderstanding {
  normalize(text: string): string;
  email(text: string): string | null;
  phone(text: string): string | null;
}

export function newContactState(consentAt: string): ContactState {
  return { step: 'contact', name: null, email: null, phone: null, preferredTime: null, consentAt };
}

const NAME = /^[\p{L}][\p{L}\p{M}' .’-]{0,79}$/u;
/** Words around a name or a number that are not the name (« je m'appelle », « mon numéro : »). */
const FILLER = new Set(
  `bonjour bonsoir merci oui non ok d'accord daccord voici voila je j' m'appelle appelle suis moi c'est c est mon ma mes nom prenom
  est numero num tel telephone portable mobile fixe mail email e-mail courriel adresse par ou et au sur a coordonnees joindre me
  pouvez vous peut on contacter rappeler`.split(/\s+/),
);
const EMAIL_TEXT = /\S+@\S+/g;
const PHONE_TEXT = /(?:\+|00)?\d[\d\s.\-/()]{7,}\d/g;

/** « plutôt le matin », « après 18 h », « le mardi »: a moment said with the contact details. */
const MOMENT =
  /(?<![\p{L}])(?:(?:plut[oô]t|de pr[ée]f[ée]rence|id[ée]alement|surtout)\s+)?(?:(?:le|la|les|en|l['’]|en fin de|en d[ée]but de|dans l['’]|tous les|chaque)(?:\s+|(?<=['’]))(?:matin(?:ée)?s?|apr[eè]s[- ]midis?|soirs?|soir[ée]es?|fin de journ[ée]e|midi|week-?ends?|samedis?|lundis?|mardis?|mercredis?|jeudis?|vendredis?)|(?:apr[eè]s|avant|vers|[àa] partir de|entre)\s+\d{1,2}\s*h(?:\s*\d{2})?(?:\s+et\s+\d{1,2}\s*h(?:\s*\d{2})?)?)(?![\p{L}])[^,;.\d@]*/iu;

/** The moment in a contact message, as the holder wrote it (at most 120 characters), or null. */
export function momentIn(text: string): string | null {
  const found = MOMENT.exec(text.replace(EMAIL_TEXT, ' '))?.[0]?.trim();
  return found ? found.slice(0, 120) : null;
}

const plain = (word: string) => word.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/’/g, "'");

/** The name in a message that may also hold an e-mail or a phone number, or null. */
export function nameIn(text: string): string | null {
  const moment = momentIn(text);
  const words = (moment ? text.replace(moment, ' ') : text)
    .replace(EMAIL_TEXT, ' ')
    .replace(PHONE_TEXT, ' ')
    .replace(/[,;:!?()«»"]/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^[.\-’']+|[.\-’']+$/g, ''))
    .filter(Boolean);
  // Words that are not the name, at either end (« je m'appelle … », « … et mon mail est »).
  while (words.length && FILLER.has(plain(words[0]!))) words.shift();
  while (words.length && FILLER.has(plain(words[words.length - 1]!))) words.pop();
  const rest = words.join(' ');
  if (rest.length < 2 || !NAME.test(rest) || words.length > 5) return null;
  return rest;
}

export class ContactFlow {
  constructor(private readonly u: ContactUnderstanding) {}

  /** The first contact question. */
  question(): BotReply {
    return { text: fr.contact.askContact };
  }

  handle(state: ContactState, text: string): ContactOutcome {
    switch (state.step) {
      case 'contact':
      case 'name':
      case 'reach': {
        const email = this.u.email(text);
        const phone = this.u.phone(text);
        if (email) state.email = email;
        if (phone) state.phone = phone;
        // A bare name when only the name is missing; a name next to a number or an address.
        const name = state.step === 'reach' && !email && !phone ? null : nameIn(text);
        if (name && (state.step !== 'reach' || !state.name)) state.name = name;
        state.preferredTime = momentIn(text) ?? state.preferredTime;
        if (!state.name && !state.email && !state.phone) return ask({ text: state.step === 'name' ? fr.contact.badName : fr.contact.badAny }, this.repeat(state)[0]!);
        if (!state.name) {
          state.step = 'name';
          return ask({ text: fr.contact.askName });
        }
        if (!state.email && !state.phone) {
          if (state.step === 'reach') return ask({ text: fr.contact.badAny });
          state.step = 'reach';
          return ask({ text: fr.contact.askReach });
        }
        // An e-mail needs no time slot; a call does, unless the holder already said when.
        if (!state.phone || state.preferredTime) {
          state.step = 'submit';
          return this.ready(state);
        }
        state.step = 'time';
        return ask(timeQuestion());
      }
      case 'time': {
        // The buttons are the usual answer; any short words are kept, « Peu importe » is no preference.
        const n = this.u.normalize(text);
        const picked = fr.contact.times.find((t) => this.u.normalize(t) === n);
        const any = fr.contact.times[fr.contact.times.length - 1]!;
        state.preferredTime = picked === any ? null : (picked ?? text.trim().slice(0, 120)) || null;
        state.step = 'submit';
        return this.ready(state);
      }
      case 'submit':
        return this.ready(state);
      default:
        // A step of an older version of this dialog: start the contact questions again.
        state.step = 'contact';
        return ask(this.question());
    }
  }

  /** Re-asks the pending question (after "aide", an error…). */
  repeat(state: ContactState): BotReply[] {
    switch (state.step) {
      case 'contact':
        return [this.question()];
      case 'name':
        return [{ text: fr.contact.askName }];
      case 'reach':
        return [{ text: fr.contact.askReach }];
      case 'time':
        return [timeQuestion()];
      case 'submit':
        return [{ text: fr.contact.failed, buttons: [fr.contact.retry] }];
    }
  }

  private ready(state: ContactState): ContactOutcome {
    if (!state.name || (!state.email && !state.phone)) {
      // Should not happen; ask again rather than send an incomplete referral.
      state.step = 'contact';
      return ask(this.question());
    }
    return {
      kind: 'ready',
      consentAt: state.consentAt,
      contact: {
        name: state.name,
        email: state.email,
        phone: state.phone,
        // Inferred from what was given: no question for it.
        channel: state.email && state.phone ? 'any' : state.email ? 'email' : 'phone',
        preferredTime: state.preferredTime,
      },
    };
  }
}

function ask(...replies: BotReply[]): ContactOutcome {
  return { kind: 'ask', replies };
}

function timeQuestion(): BotReply {
  return { text: fr.contact.askTime, buttons: [...fr.contact.times] };
}
