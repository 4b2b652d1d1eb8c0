// A holder who knows their project (a persona) answering whatever the real bot asks, as they
// would: the corpus of openings (openings.json) walked to a dossier number, counting the
// holder's messages. Used by tests/bot/openings.test.ts and bench/conversationLength.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fr } from '../../src/bot/messages.fr.js';
import { BOOLEAN_FACT_LABELS, NEED_LABELS, SECTOR_LABELS, TRADE_LABELS, type Need, type ProjectType, type Sector, type Stage, type Trade } from '../../src/domain/profile.js';
import { acceptButton, allText, isConsent, lastQuestion, type Holder, type Reply } from './holder.js';

export interface Persona {
  /** What they write when the bot asks them to describe the project (after a bare greeting). */
  description?: string;
  commune: string;
  stage: Stage;
  sector: Sector;
  projectType: ProjectType;
  needs: Need[];
  agriculturalInstallation?: boolean;
  takeover?: boolean;
  cooperativeForm?: boolean;
  employerStructure?: boolean;
  youngHolder?: boolean;
  trade?: Trade;
  /** Name and e-mail or phone, in one message. */
  contact: string;
}

export interface Opening {
  id: string;
  text: string;
  persona: Persona;
}

export function loadOpenings(): Opening[] {
  const file = fileURLToPath(new URL('./openings.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { openings: Opening[] }).openings;
}

const Q = fr.questions;

/** The persona's answer to the bot's last question. */
export function answer(persona: Persona, q: Reply): string {
  const yesNo = (v: boolean | undefined) => (v ? fr.buttons.yes : fr.buttons.no);
  const text = q.text;
  if (isConsent(q)) return acceptButton(q);
  if (text === fr.inviteDescription) return persona.description ?? `un projet à ${persona.commune}`;
  if (text === Q.place || text.startsWith('Dans quelle commune')) return persona.commune;
  if (text === Q.placeChoose('postal_code') || text === Q.placeChoose('homonym')) {
    return q.buttons.find((b) => b.startsWith(`${persona.commune} (`)) ?? q.buttons[0]!;
  }
  if (text === Q.stage) return fr.buttons.stage[persona.stage];
  if (text === Q.sector) return SECTOR_LABELS[persona.sector];
  if (text === Q.projectType) return fr.buttons.projectType[persona.projectType];
  if (text === Q.trade) return TRADE_LABELS[persona.trade ?? 'autre'];
  // Several needs: the widget's « Valider » sends them joined by ", ".
  if (text === Q.needs) return persona.needs.length ? persona.needs.map((n) => NEED_LABELS[n]).join(', ') : fr.buttons.noParticularNeed;
  for (const [fact, question] of Object.entries(Q.facts)) if (text === question) return yesNo(persona[fact as keyof Persona] as boolean | undefined);
  if (text === Q.checklist) {
    // Ticks what holds for the project (the widget sends the titles joined by ", ").
    const ticked = q.buttons.filter((label) => {
      const fact = Object.entries(BOOLEAN_FACT_LABELS).find(([, l]) => l === label)?.[0];
      if (fact) return persona[fact as keyof Persona] === true;
      return (persona.trade === 'artisanat' && label === TRADE_LABELS.artisanat) || (persona.trade === 'commerce' && label === TRADE_LABELS.commerce);
    });
    return ticked.length ? ticked.join(', ') : fr.buttons.noneOfThese;
  }
  if (text === fr.contact.askContact) return persona.contact;
  if (text === fr.contact.askName) return persona.contact.split(',')[0]!;
  if (text === fr.contact.askReach) return persona.contact;
  if (text === fr.contact.askTime) return 'Peu importe';
  if (q.buttons.includes(fr.buttons.no)) return fr.buttons.no; // a yes/no fact without its own sentence
  throw new Error(`question inconnue du porteur : ${text}`);
}

export interface Walk {
  /** Holder messages up to the dossier number, the opening and the contact included. */
  messages: number;
  reference: string;
  transcript: string[];
}

/** Drives one opening through the real bot to the dossier number. */
export async function walkToReference(holder: Holder, opening: Opening, maxMessages = 20): Promise<Walk> {
  let r = await holder.say(opening.text);
  for (let i = 0; i < maxMessages; i++) {
    const reference = /Votre numéro de dossier : (AIG-[A-Z0-9]{4}-[A-Z0-9]{2})/.exec(allText(r))?.[1];
    if (reference) return { messages: holder.messagesSent, reference, transcript: holder.transcript };
    if (/Je n’ai (pas bien|toujours pas) compris/.test(allText(r))) throw new Error(`incompris :\n${holder.transcript.join('\n')}`);
    r = await holder.say(answer(opening.persona, lastQuestion(r)));
  }
  throw new Error(`pas de numéro de dossier après ${maxMessages} messages :\n${holder.transcript.join('\n')}`);
}

/** Median and distribution (messages → how many conversations) of a list of counts. */
export function distribution(counts: number[]): { median: number; histogram: Map<number, number> } {
  const sorted = [...counts].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const histogram = new Map<number, number>();
  for (const c of sorted) histogram.set(c, (histogram.get(c) ?? 0) + 1);
  return { median, histogram };
}
