// The hand-off conversation: consent first, then the least contact data that lets an actor
// call back (a name and one way to reach the holder), then the preferred time.
// Nothing personal is asked before consent; nothing is kept in state once the referral is written.
import { fr } from './messages.fr.js';
import type { BotReply } from './qualificationFlow.js';

export type ContactChannel = 'email' | 'phone' | 'any';

export interface ContactState {
  step: 'consent' | 'name' | 'channel' | 'email' | 'phone' | 'any' | 'time' | 'submit';
  name: string | null;
  email: string | null;
  phone: string | null;
  channel: ContactChannel | null;
  preferredTime: string | null;
  consentAt: string | null;
}

export interface ContactDetails {
  name: string;
  email: string | null;
  phone: string | null;
  channel: ContactChannel;
  preferredTime: string | null;
}

export type ContactOutcome =
  | { kind: 'ask'; replies: BotReply[] }
  | { kind: 'refused' }
  | { kind: 'ready'; contact: ContactDetails; consentAt: string };

export interface ContactUnderstanding {
  normalize(text: string): string;
  yesNo(text: string): boolean | null;
  email(text: string): string | null;
  phone(text: string): string | null;
}

export function newContactState(): ContactState {
  return { step: 'consent', name: null, email: null, phone: null, channel: null, preferredTime: null, consentAt: null };
}

const CHANNELS: readonly ContactChannel[] = ['email', 'phone', 'any'];
const NAME = /^[\p{L}][\p{L}\p{M}' .’-]{0,79}$/u;

export class ContactFlow {
  constructor(
    private readonly u: ContactUnderstanding,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The consent question, naming who receives the data now and who may receive it next. */
  consentQuestion(first: string[], next: string[]): BotReply {
    return { text: fr.contact.consent(first, next), buttons: [fr.contact.accept, fr.contact.refuse] };
  }

  handle(state: ContactState, text: string, consent: BotReply): ContactOutcome {
    const n = this.u.normalize(text);
    const is = (label: string) => this.u.normalize(label) === n;
    switch (state.step) {
      case 'consent': {
        const answer = is(fr.contact.accept) ? true : is(fr.contact.refuse) ? false : this.u.yesNo(text);
        if (answer === false) return { kind: 'refused' };
        if (answer === null) return ask({ text: fr.notUnderstood }, consent);
        state.consentAt = this.now().toISOString();
        state.step = 'name';
        return ask({ text: fr.contact.askName });
      }
      case 'name': {
        const name = text.trim().replace(/\s+/g, ' ');
        if (!NAME.test(name) || this.u.email(text) || this.u.phone(text)) return ask({ text: fr.contact.badName });
        state.name = name;
        state.step = 'channel';
        return ask(channelQuestion());
      }
      case 'channel': {
        const index = CHANNELS.findIndex((c) => is(fr.contact.channels[c]));
        const channel = index >= 0 ? CHANNELS[index]! : this.guessChannel(text, state);
        if (!channel) return ask({ text: fr.notUnderstood }, channelQuestion());
        state.channel = channel;
        if (state.email || state.phone) return this.afterContact(state);
        state.step = channel;
        return ask({ text: channel === 'email' ? fr.contact.askEmail : channel === 'phone' ? fr.contact.askPhone : fr.contact.askAny });
      }
      case 'email': {
        const email = this.u.email(text);
        if (!email) return ask({ text: fr.contact.badEmail });
        state.email = email;
        return this.afterContact(state);
      }
      case 'phone': {
        const phone = this.u.phone(text);
        if (!phone) return ask({ text: fr.contact.badPhone });
        state.phone = phone;
        return this.afterContact(state);
      }
      case 'any': {
        const email = this.u.email(text);
        const phone = this.u.phone(text);
        if (!email && !phone) return ask({ text: fr.contact.badAny });
        state.email = email;
        state.phone = phone;
        return this.afterContact(state);
      }
      case 'time': {
        // Free words are kept short; the buttons are the usual answer.
        const picked = fr.contact.times.find((t) => is(t));
        state.preferredTime = picked === fr.contact.times[3] ? null : (picked ?? text.trim().slice(0, 120)) || null;
        state.step = 'submit';
        return this.ready(state);
      }
      case 'submit':
        return this.ready(state);
    }
  }

  /** Re-asks the pending question (after "aide", an error…). */
  repeat(state: ContactState, consent: BotReply): BotReply[] {
    switch (state.step) {
      case 'consent':
        return [consent];
      case 'name':
        return [{ text: fr.contact.askName }];
      case 'channel':
        return [channelQuestion()];
      case 'email':
        return [{ text: fr.contact.askEmail }];
      case 'phone':
        return [{ text: fr.contact.askPhone }];
      case 'any':
        return [{ text: fr.contact.askAny }];
      case 'time':
        return [timeQuestion()];
      case 'submit':
        return [{ text: fr.contact.failed, buttons: [fr.contact.retry] }];
    }
  }

  /** "Par e-mail : marie@exemple.fr" in one message: take both. */
  private guessChannel(text: string, state: ContactState): ContactChannel | null {
    const email = this.u.email(text);
    const phone = this.u.phone(text);
    if (email) state.email = email;
    if (phone) state.phone = phone;
    if (email && !phone) return 'email';
    if (phone && !email) return 'phone';
    if (email && phone) return 'any';
    return null;
  }

  private afterContact(state: ContactState): ContactOutcome {
    state.step = 'time';
    return ask(timeQuestion());
  }

  private ready(state: ContactState): ContactOutcome {
    if (!state.name || !state.consentAt || (!state.email && !state.phone)) {
      // Should not happen; start the contact questions again rather than send an incomplete referral.
      Object.assign(state, newContactState(), { consentAt: state.consentAt, step: state.consentAt ? 'name' : 'consent' });
      return ask({ text: fr.contact.askName });
    }
    return {
      kind: 'ready',
      consentAt: state.consentAt,
      contact: {
        name: state.name,
        email: state.email,
        phone: state.phone,
        channel: state.channel ?? 'any',
        preferredTime: state.preferredTime,
      },
    };
  }
}

function ask(...replies: BotReply[]): ContactOutcome {
  return { kind: 'ask', replies };
}

function channelQuestion(): BotReply {
  return { text: fr.contact.askChannel, buttons: CHANNELS.map((c) => fr.contact.channels[c]) };
}

function timeQuestion(): BotReply {
  return { text: fr.contact.askTime, buttons: [...fr.contact.times] };
}
