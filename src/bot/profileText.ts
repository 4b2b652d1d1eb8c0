// How the bot names a project's facts in French: one line per known fact, for « J'ai compris »,
// the summary, the correction buttons. Generic over the Profile's facts (booleans say oui/non).
import {
  BOOLEAN_FACT_LABELS,
  NEED_LABELS,
  PROJECT_TYPE_LABELS,
  SECTOR_LABELS,
  STAGE_LABELS,
  TRADE_LABELS,
  type Profile,
} from '../domain/profile.js';
import { factLabel, type QuestionSlot } from '../routing/questions.js';
import { fr } from './messages.fr.js';

export type Slot = 'place' | QuestionSlot;

/** Always shown in a summary, « non précisé » when unknown: what every holder is asked about. */
export const CORE_SLOTS: readonly Slot[] = ['place', 'stage', 'sector', 'projectType', 'needs'];

const FACT_KEYS: readonly QuestionSlot[] = ['stage', 'sector', 'projectType', 'needs', 'agriculturalInstallation', 'trade', 'takeover', 'cooperativeForm', 'employerStructure', 'youngHolder'];

/** Every fact slot of a Profile (the place apart), in summary order. */
export function factSlots(profile: Profile): QuestionSlot[] {
  const extra = Object.keys(profile).filter((k) => !['commune', 'epci', 'departement'].includes(k) && !FACT_KEYS.includes(k as QuestionSlot));
  return [...FACT_KEYS, ...(extra as QuestionSlot[])];
}

export function slotLabel(slot: Slot): string {
  if (slot in fr.summaryLine) return fr.summaryLine[slot as keyof typeof fr.summaryLine];
  if (slot === 'trade') return fr.tradeLine;
  return (BOOLEAN_FACT_LABELS as Record<string, string>)[slot] ?? factLabel(slot);
}

/** The French value of a slot, or null when unknown. */
export function slotValue(profile: Profile, slot: Slot): string | null {
  const p = profile;
  switch (slot) {
    case 'place':
      return p.commune || p.epci || p.departement ? fr.placeLabel(p.commune?.nom ?? null, p.epci?.nom ?? null, p.departement) : null;
    case 'stage':
      return p.stage ? STAGE_LABELS[p.stage] : null;
    case 'sector':
      return p.sector ? SECTOR_LABELS[p.sector] : null;
    case 'projectType':
      return p.projectType ? PROJECT_TYPE_LABELS[p.projectType] : null;
    case 'needs':
      return p.needs.length ? p.needs.map((n) => NEED_LABELS[n]).join(', ') : null;
    case 'trade':
      return p.trade ? (p.trade === 'autre' ? fr.tradeNeither : TRADE_LABELS[p.trade]) : null;
    default: {
      const v = (p as Record<string, unknown>)[slot];
      if (typeof v === 'boolean') return v ? fr.yes : fr.no;
      return typeof v === 'string' ? v : null;
    }
  }
}

/** « Lieu : Vallet (CC Sèvre et Loire) » and so on: core slots always, other facts when known. */
export function summaryLines(profile: Profile): string[] {
  const slots: Slot[] = ['place', ...factSlots(profile)];
  return slots.flatMap((slot) => {
    const value = slotValue(profile, slot);
    if (value === null && !CORE_SLOTS.includes(slot)) return [];
    return [`${slotLabel(slot)} : ${value ?? fr.notSpecified}`];
  });
}

/** The slots with a known value (what a holder can correct), core slots always. */
export function correctableSlots(profile: Profile): Slot[] {
  return (['place', ...factSlots(profile)] as Slot[]).filter((slot) => CORE_SLOTS.includes(slot) || slotValue(profile, slot) !== null);
}

/** French lines naming what changed between two profiles (for « J'ai compris » / « C'est noté »). */
export function describeChanges(before: Profile, after: Profile): string[] {
  const slots: Slot[] = ['place', ...factSlots(after)];
  const out: string[] = [];
  for (const slot of slots) {
    const now = slotValue(after, slot);
    if (now === null || now === slotValue(before, slot)) continue;
    if (slot === 'needs') {
      const added = after.needs.filter((n) => !before.needs.includes(n));
      if (added.length) out.push(`${slotLabel(slot)} : ${added.map((n) => NEED_LABELS[n]).join(', ')}`);
      continue;
    }
    out.push(`${slotLabel(slot)} : ${now}`);
  }
  return out;
}
