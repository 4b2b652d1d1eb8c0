// The slot-filling conversation that turns a holder's words into a qualified Profile.
// Plain logic over a serialisable state: the botbuilder dialog around it only stores the state
// and sends the replies, so the flow stays readable and testable on its own.
// A missing fact is asked only when the router says an answer could change who is proposed
// (QuestionChooser, over routing/questions.ts); the place is always asked first.
import {
  emptyProfile,
  NEED_LABELS,
  NEEDS,
  PROJECT_TYPE_LABELS,
  PROJECT_TYPES,
  SECTOR_LABELS,
  SECTORS,
  STAGE_LABELS,
  STAGES,
  TRADE_LABELS,
  TRADES,
  BOOLEAN_FACT_LABELS,
  type Need,
  type Profile,
  type ProjectType,
  type Sector,
  type Stage,
  type Trade,
} from '../domain/profile.js';
import { factLabel, isYesNoSlot, type QuestionSlot } from '../routing/questions.js';
import type { Commune, PlaceMatch } from '../territory/types.js';
import { fr } from './messages.fr.js';
import { correctableSlots, describeChanges, slotLabel, summaryLines, type Slot } from './profileText.js';

export type { Slot } from './profileText.js';

/** Several answers at once (widget contract): exclusive options are sent alone, the others toggle. */
export interface MultiSelect {
  submit: string;
  exclusive: string[];
}

export interface BotReply {
  text: string;
  buttons?: string[];
  multiSelect?: MultiSelect;
}

/** Which fact to ask next: the router says whether an answer would change the decision. */
export interface QuestionChooser {
  /** The facts the bot may ask about, in the order a receptionist asks them. */
  slots(): readonly QuestionSlot[];
  worthAsking(profile: Profile, slot: QuestionSlot): Promise<boolean>;
  /** True when all these profiles get the same structures (then which one holds needs no question). */
  sameDecision(profiles: Profile[]): Promise<boolean>;
}

/** What the flow needs to understand text (qualification + territory), injected. */
export interface Understood {
  profile: Profile;
  place: PlaceMatch | null;
}

export interface Understanding {
  /** Free text → the facts it states. */
  qualify(text: string): Understood;
  /** A text meant to be a place (typos and partial names tolerated). */
  resolvePlace(text: string): PlaceMatch | null;
  yesNo(text: string): boolean | null;
  /** "Je ne sais pas (encore)" and its everyday forms. */
  unsure(text: string): boolean;
  email(text: string): string | null;
  phone(text: string): string | null;
  normalize(text: string): string;
  isServedDepartement(code: string): boolean;
  departementName(code: string): string | undefined;
}

export interface PlaceCandidate {
  code: string;
  nom: string;
  departement: string;
  epci?: { code: string; nom: string } | null;
}

export interface QualificationState {
  profile: Profile;
  /** What the last bot message asked for. */
  awaiting: Slot | 'description' | 'placeChoice' | 'correct' | 'checklist' | null;
  /** Yes/no facts (and the chambers' trade) asked together as one checklist, when several are useful at once. */
  checklist?: QuestionSlot[];
  placeCandidates: PlaceCandidate[];
  placeChoiceReason: 'postal_code' | 'homonym';
  /** A territory or department named without a commune: the next place question narrows it. */
  placeContext: { kind: 'territory' | 'departement'; label: string } | null;
  /** Slots the holder said they could not answer: not asked again. */
  unanswerable: Slot[];
  needsAnswered: boolean;
  misunderstood: number;
  /** The holder's own words about the project (free-text messages), sent with the consent. */
  description: string[];
}

export function newQualificationState(): QualificationState {
  return {
    profile: emptyProfile(),
    awaiting: null,
    placeCandidates: [],
    placeChoiceReason: 'homonym',
    placeContext: null,
    unanswerable: [],
    needsAnswered: false,
    misunderstood: 0,
    description: [],
  };
}

/** Most characters of the holder's words an actor receives. */
export const MAX_DESCRIPTION_CHARS = 1000;

/** The holder's words as one text: trimmed, at most MAX_DESCRIPTION_CHARS, null when none. */
export function descriptionOf(state: Pick<QualificationState, 'description'>): string | null {
  const text = (state.description ?? []).map((t) => t.trim()).filter(Boolean).join('\n').trim();
  if (!text) return null;
  return text.length <= MAX_DESCRIPTION_CHARS ? text : `${text.slice(0, MAX_DESCRIPTION_CHARS - 1).trimEnd()}…`;
}

export interface TurnResult {
  replies: BotReply[];
  /** True once nothing left to ask would change the orientation. */
  done: boolean;
}

/**
 * Messages of at least this many words (normalized: « c'est » is two), typed while answering a
 * question, describe the project; shorter ones are answers or corrections (« non, c'est à Vallet »).
 */
const DESCRIPTION_MIN_WORDS = 6;

export class QualificationFlow {
  /** The checklist pending when the current message came (for isClick). */
  private lastChecklist: QuestionSlot[] = [];

  constructor(
    private readonly understanding: Understanding,
    private readonly questions: QuestionChooser,
  ) {}

  /** The opening: greeting and the invitation to describe the project. */
  start(state: QualificationState, partnerName?: string): BotReply[] {
    state.awaiting = 'description';
    return [{ text: fr.greeting(partnerName) }, { text: fr.inviteDescription }];
  }

  /** True when the text states at least one fact about the project. */
  statesFacts(text: string): boolean {
    return hasFacts(this.understanding.qualify(text));
  }

  /** Re-ask whatever is pending (after "aide", "parler à quelqu'un", an error…). */
  repeatQuestion(state: QualificationState): BotReply[] {
    if (state.awaiting === null || state.awaiting === 'description') {
      state.awaiting = 'description';
      return [{ text: fr.inviteDescription }];
    }
    return this.ask(state);
  }

  /** « Corriger »: which fact? (Nothing known yet: the pending question again.) */
  startCorrection(state: QualificationState): BotReply[] {
    if (!hasKnownFacts(state.profile)) return this.repeatQuestion(state);
    state.awaiting = 'correct';
    return this.ask(state);
  }

  /** The next useful question from the answers kept, or done. */
  async resume(state: QualificationState): Promise<TurnResult> {
    state.description ??= [];
    const next = await this.next(state);
    return next ? { replies: next, done: false } : { replies: [], done: true };
  }

  /** One holder message (already cleaned of markup and control characters). */
  async handle(state: QualificationState, text: string): Promise<TurnResult> {
    state.description ??= [];
    const u = this.understanding;
    const normalized = u.normalize(text);
    const found = u.qualify(text);
    const statesFacts = hasFacts(found);
    const before = structuredClone(state.profile);
    const notes: string[] = [];
    const awaiting = state.awaiting;
    let answered = false;

    if (awaiting === 'correct') {
      const slots = correctableSlots(state.profile);
      const i = this.matchButton(normalized, slots.map(slotLabel));
      if (i !== null) {
        this.clearSlot(state, slots[i]!);
        return { replies: this.ask(state), done: false };
      }
    }

    if (awaiting === 'placeChoice') answered = this.answerPlaceChoice(state, normalized);
    this.lastChecklist = state.checklist ?? [];
    if (awaiting === 'checklist') answered = this.answerChecklist(state, text, normalized);
    if (!answered && isSlot(awaiting)) answered = this.answerButton(state, awaiting, text, normalized);
    if (awaiting === 'description' || awaiting === null || (!answered && wordCount(normalized) >= DESCRIPTION_MIN_WORDS)) {
      if (/[\p{L}]/u.test(text)) state.description.push(text.trim());
    }
    // Whatever was asked, the text may state (or correct) other facts: "non, c'est à Vallet".
    // A button's own words are not the holder's: « Alimentation, circuits courts, agriculture »
    // must not answer the agricultural installation question for them.
    if (!(answered && this.isClick(awaiting, normalized))) this.applyFacts(state, found, notes);
    if (awaiting === 'needs' && found.profile.needs.length > 0) state.needsAnswered = true;
    if (!answered && awaiting === 'place' && !found.place && !this.placeKnown(state)) {
      const place = u.resolvePlace(text);
      if (place) {
        this.applyPlace(state, place, notes);
        answered = true;
      }
    }

    if (state.awaiting === 'placeChoice' && (await this.settlePlaceChoice(state))) state.awaiting = null;
    const changes = describeChanges(before, state.profile);
    const replies: BotReply[] = [];
    if (changes.length > 0) replies.push({ text: awaiting === 'description' ? fr.understood(changes) : fr.noted(changes) });
    replies.push(...notes.map((text) => ({ text })));

    if (answered || statesFacts) {
      state.misunderstood = 0;
    } else if (awaiting === 'description' || awaiting === null) {
      // A first message with nothing recognisable: walk through the questions instead.
      replies.push({ text: fr.letsAsk });
    } else {
      state.misunderstood += 1;
      replies.push({ text: state.misunderstood >= 2 ? fr.notUnderstoodAgain : fr.notUnderstood });
    }
    const next = await this.next(state);
    // Done: the proposal that follows starts with the summary, so no "J'ai compris" twice.
    if (next === null) {
      if (changes.length > 0) replies.shift();
      return { replies, done: true };
    }
    return { replies: [...replies, ...next], done: false };
  }

  /** The summary of the qualified project (the first part of the proposal). */
  summary(profile: Profile): string {
    return `${fr.summaryTitle}\n${summaryLines(profile).map((l) => `• ${l}`).join('\n')}`;
  }

  /** The next useful question, or null when nothing left would change the orientation. */
  private async next(state: QualificationState): Promise<BotReply[] | null> {
    if (state.awaiting === 'placeChoice') {
      if (!(await this.settlePlaceChoice(state))) return this.ask(state);
      state.awaiting = null;
    }
    if (!this.slotKnown(state, 'place')) {
      state.awaiting = 'place';
      return this.ask(state);
    }
    const slots = this.questions.slots();
    for (const [i, slot] of slots.entries()) {
      if (this.slotKnown(state, slot) || !this.canAsk(slot)) continue;
      if (!(await this.questions.worthAsking(state.profile, slot))) continue;
      // Several yes/no facts useful at once: one checklist instead of a question each.
      if (CHECKLISTABLE(slot)) {
        const group = [slot];
        for (const other of slots.slice(i + 1)) {
          if (!CHECKLISTABLE(other) || this.slotKnown(state, other) || !this.canAsk(other)) continue;
          if (await this.questions.worthAsking(state.profile, other)) group.push(other);
        }
        if (group.length > 1) {
          state.checklist = group;
          state.awaiting = 'checklist';
          return this.ask(state);
        }
      }
      state.awaiting = slot;
      return this.ask(state);
    }
    state.awaiting = null;
    return null;
  }

  /** The checklist's answer: ticked options are yes, the others no (trade: the ticked chamber, else neither). */
  private answerChecklist(state: QualificationState, text: string, normalized: string): boolean {
    const u = this.understanding;
    const slots = state.checklist ?? [];
    const options = checklistOptions(slots);
    if (this.matchButton(normalized, [fr.buttons.dontKnow]) !== null || u.unsure(text)) {
      state.unanswerable.push(...slots);
      state.checklist = [];
      return true;
    }
    const ticked = options.filter((o) => containsLabel(u.normalize(o.label), normalized));
    const none = this.matchButton(normalized, [fr.buttons.noneOfThese, 'aucun', 'aucune', 'rien', 'non']) !== null || (ticked.length === 0 && u.yesNo(text) === false);
    if (ticked.length === 0 && !none) return false;
    const p = state.profile as Record<string, unknown>;
    for (const slot of slots) {
      const mine = ticked.filter((o) => o.slot === slot);
      p[slot] = slot === 'trade' ? (mine[0]?.value ?? 'autre') : mine.length > 0;
    }
    state.checklist = [];
    return true;
  }

  /** True when the text is one of the pending question's buttons (or several needs joined by « Valider »). */
  private isClick(awaiting: QualificationState['awaiting'], normalized: string): boolean {
    if (awaiting === 'checklist') {
      return normalized !== '' && this.stripLabels(normalized, [...checklistOptions(this.lastChecklist).map((o) => o.label), fr.buttons.noneOfThese, fr.buttons.dontKnow]) === '';
    }
    if (!isSlot(awaiting) || awaiting === 'place') return false;
    const question = QUESTIONS[awaiting];
    const labels = (question ? question().buttons : undefined) ?? [fr.buttons.yes, fr.buttons.no, fr.buttons.dontKnow];
    if (labels.some((l) => this.understanding.normalize(l) === normalized)) return true;
    if (awaiting !== 'needs') return false;
    return this.stripLabels(normalized, NEEDS.map((n) => NEED_LABELS[n])) === '';
  }

  /** What is left of the text once every label is taken out (the multi-select joins titles with ", "). */
  private stripLabels(normalized: string, labels: readonly string[]): string {
    let rest = ` ${normalized} `;
    for (const label of labels) rest = rest.replace(` ${this.understanding.normalize(label)} `, ' ');
    return rest.trim();
  }

  /**
   * A postal code shared by communes of one intercommunality (« 44190 »): when every commune it
   * may mean gets the same structures, the intercommunality is enough and no question is asked.
   */
  private async settlePlaceChoice(state: QualificationState): Promise<boolean> {
    const candidates = state.placeCandidates;
    const epci = candidates[0]?.epci;
    if (state.placeChoiceReason !== 'postal_code' || !epci || candidates.some((c) => c.epci?.code !== epci.code)) return false;
    const departements = new Set(candidates.map((c) => c.departement));
    const profiles = candidates.map((c) => ({ ...state.profile, commune: { code: c.code, nom: c.nom }, epci: { ...epci }, departement: c.departement }));
    if (!(await this.questions.sameDecision(profiles))) return false;
    const p = state.profile;
    p.commune = null;
    p.epci = { code: epci.code, nom: epci.nom };
    p.departement = departements.size === 1 ? [...departements][0]! : null;
    state.placeCandidates = [];
    return true;
  }

  /** A fact the bot has no question for (a new enum without labels) is never asked. */
  private canAsk(slot: QuestionSlot): boolean {
    return slot in QUESTIONS || isYesNoSlot(slot);
  }

  /** The question for what `state.awaiting` names, with its buttons. */
  private ask(state: QualificationState): BotReply[] {
    const dontKnow = fr.buttons.dontKnow;
    const awaiting = state.awaiting;
    switch (awaiting) {
      case 'place': {
        const ctx = state.placeContext;
        const text = ctx
          ? ctx.kind === 'territory'
            ? fr.questions.placeInTerritory(ctx.label)
            : fr.questions.placeInDepartement(ctx.label)
          : fr.questions.place;
        return [{ text, buttons: [dontKnow] }];
      }
      case 'placeChoice':
        return [
          {
            text: fr.questions.placeChoose(state.placeChoiceReason),
            buttons: [...state.placeCandidates.map(candidateLabel), dontKnow],
          },
        ];
      case 'correct':
        return [{ text: fr.questions.correctWhich, buttons: correctableSlots(state.profile).map(slotLabel) }];
      case 'checklist': {
        const options = checklistOptions(state.checklist ?? []).map((o) => o.label);
        return [
          {
            text: fr.questions.checklist,
            buttons: [...options, fr.buttons.noneOfThese, dontKnow],
            multiSelect: { submit: fr.buttons.validate, exclusive: [fr.buttons.noneOfThese, dontKnow] },
          },
        ];
      }
      case null:
      case 'description':
        state.awaiting = 'description';
        return [{ text: fr.inviteDescription }];
      default: {
        const question = QUESTIONS[awaiting as keyof typeof QUESTIONS];
        if (question) return [question()];
        // A yes/no fact of the catalogue without its own sentence: its label as the question.
        const label = (BOOLEAN_FACT_LABELS as Record<string, string>)[awaiting] ?? factLabel(awaiting);
        return [{ text: fr.questions.genericFact(label), buttons: [fr.buttons.yes, fr.buttons.no, dontKnow] }];
      }
    }
  }

  private slotKnown(state: QualificationState, slot: Slot): boolean {
    if (state.unanswerable.includes(slot)) return true;
    if (slot === 'place') return this.placeKnown(state);
    if (slot === 'needs') return state.profile.needs.length > 0 || state.needsAnswered;
    const v = (state.profile as Record<string, unknown>)[slot];
    return v !== null && v !== undefined;
  }

  /** A commune, or an EPCI, or a department outside the served area, is enough to route. */
  private placeKnown(state: QualificationState): boolean {
    const p = state.profile;
    if (p.commune || p.epci) return true;
    return p.departement !== null && !this.understanding.isServedDepartement(p.departement);
  }

  private clearSlot(state: QualificationState, slot: Slot): void {
    state.unanswerable = state.unanswerable.filter((s) => s !== slot);
    const p = state.profile;
    if (slot === 'place') {
      p.commune = null;
      p.epci = null;
      p.departement = null;
      state.placeContext = null;
    } else if (slot === 'needs') {
      p.needs = [];
      state.needsAnswered = false;
    } else {
      (p as Record<string, unknown>)[slot] = null;
    }
    state.awaiting = slot;
  }

  /** A click on one of the slot's buttons (or its exact words typed). */
  private answerButton(state: QualificationState, slot: Slot, text: string, normalized: string): boolean {
    const p = state.profile;
    const u = this.understanding;
    const dontKnow = this.matchButton(normalized, [fr.buttons.dontKnow]) !== null || u.unsure(text);
    if (slot === 'needs') {
      // « Valider » of the multi-select sends the chosen labels joined by ", "; labels hold commas.
      const picked = NEEDS.filter((n) => containsLabel(u.normalize(NEED_LABELS[n]), normalized));
      for (const need of picked) if (!p.needs.includes(need)) p.needs.push(need);
      if (picked.length) {
        state.needsAnswered = true;
        return true;
      }
      if (dontKnow || this.matchButton(normalized, [...NO_NEED_ANSWERS]) !== null) {
        state.needsAnswered = true;
        return true;
      }
      return false;
    }
    if (dontKnow) {
      state.unanswerable.push(slot);
      return true;
    }
    const pick = <T extends string>(values: readonly T[], labels: readonly string[]): T | null => {
      const i = this.matchButton(normalized, labels);
      return i === null ? null : (values[i] ?? null);
    };
    switch (slot) {
      case 'place':
        return false;
      case 'stage': {
        const labels = STAGES.map((s) => fr.buttons.stage[s]);
        const v = pick<Stage>(STAGES, labels) ?? pick<Stage>(STAGES, STAGES.map((s) => STAGE_LABELS[s]));
        if (v) p.stage = v;
        return v !== null;
      }
      case 'sector': {
        const v = pick<Sector>(SECTORS, SECTORS.map((s) => SECTOR_LABELS[s]));
        if (v) p.sector = v;
        return v !== null;
      }
      case 'projectType': {
        const labels = PROJECT_TYPES.map((t) => fr.buttons.projectType[t]);
        const v = pick<ProjectType>(PROJECT_TYPES, labels) ?? pick<ProjectType>(PROJECT_TYPES, PROJECT_TYPES.map((t) => PROJECT_TYPE_LABELS[t]));
        if (v) p.projectType = v;
        return v !== null;
      }
      case 'trade': {
        const v = pick<Trade>(TRADES, TRADES.map((t) => TRADE_LABELS[t]));
        if (v) p.trade = v;
        return v !== null;
      }
      default: {
        // A yes/no fact: the buttons, or any yes/no the recognizers read.
        const yes = this.matchButton(normalized, [fr.buttons.yes]) !== null;
        const no = this.matchButton(normalized, [fr.buttons.no]) !== null;
        const answer = yes ? true : no ? false : u.yesNo(text);
        if (answer === null) return false;
        (p as Record<string, unknown>)[slot] = answer;
        return true;
      }
    }
  }

  private answerPlaceChoice(state: QualificationState, normalized: string): boolean {
    const u = this.understanding;
    const index = state.placeCandidates.findIndex(
      (c) => u.normalize(candidateLabel(c)) === normalized || u.normalize(c.nom) === normalized || c.code === normalized,
    );
    if (index >= 0) {
      const chosen = state.placeCandidates[index]!;
      const match = u.resolvePlace(chosen.code) ?? u.resolvePlace(`${chosen.nom} ${chosen.departement}`);
      state.placeCandidates = [];
      state.awaiting = null;
      if (match && match.kind === 'commune') {
        this.applyPlace(state, match, []);
        return true;
      }
      return false;
    }
    if (this.matchButton(normalized, [fr.buttons.dontKnow]) !== null) {
      state.placeCandidates = [];
      state.awaiting = null;
      state.unanswerable.push('place');
      return true;
    }
    return false;
  }

  /** Applies every fact a text stated (new values replace old ones: that is how corrections work). */
  private applyFacts(state: QualificationState, found: Understood, notes: string[]): void {
    const p = state.profile as Record<string, unknown>;
    for (const [key, value] of Object.entries(found.profile)) {
      if (PLACE_KEYS.includes(key) || key === 'needs' || value === null || value === undefined) continue;
      p[key] = value;
      state.unanswerable = state.unanswerable.filter((s) => s !== key);
    }
    for (const need of found.profile.needs) if (!state.profile.needs.includes(need)) state.profile.needs.push(need);
    if (found.place) this.applyPlace(state, found.place, notes);
  }

  private applyPlace(state: QualificationState, place: PlaceMatch, notes: string[]): void {
    const p = state.profile;
    state.unanswerable = state.unanswerable.filter((s) => s !== 'place');
    switch (place.kind) {
      case 'commune': {
        const c = place.commune;
        p.commune = { code: c.code, nom: c.nom };
        p.epci = c.epci;
        p.departement = c.departement;
        state.placeContext = null;
        state.placeCandidates = [];
        if (state.awaiting === 'placeChoice') state.awaiting = null;
        if (place.delegated) notes.push(fr.place.delegated(place.delegated.nom, c.nom));
        if (!place.served) notes.push(fr.place.outOfArea(c.nom, c.departement));
        return;
      }
      case 'epci':
        p.commune = null;
        p.epci = { code: place.epci.code, nom: place.epci.nom };
        p.departement = place.departement;
        state.placeContext = null;
        return;
      case 'territory':
        p.commune = null;
        p.epci = null;
        state.placeContext = { kind: 'territory', label: place.territory.nom };
        return;
      case 'departement':
        p.commune = null;
        p.epci = null;
        p.departement = place.departement.code;
        state.placeContext = { kind: 'departement', label: place.departement.nom };
        if (!place.served) notes.push(fr.place.outOfArea(place.departement.nom, place.departement.code));
        return;
      case 'ambiguous':
        state.placeCandidates = place.candidates.slice(0, 8).map(toCandidate);
        state.placeChoiceReason = place.reason;
        state.awaiting = 'placeChoice';
        return;
    }
  }

  /** Index of the label the normalized text equals, or null. */
  private matchButton(normalized: string, labels: readonly string[]): number | null {
    const i = labels.findIndex((label) => this.understanding.normalize(label) === normalized);
    return i >= 0 ? i : null;
  }
}

const PLACE_KEYS = ['commune', 'epci', 'departement'];

/** Facts that fit a checklist: yes/no facts, and the chambers' trade (artisanat, commerce). */
function CHECKLISTABLE(slot: QuestionSlot): boolean {
  return slot === 'trade' || isYesNoSlot(slot);
}

interface ChecklistOption {
  slot: QuestionSlot;
  label: string;
  value?: Trade;
}

function checklistOptions(slots: readonly QuestionSlot[]): ChecklistOption[] {
  return slots.flatMap((slot): ChecklistOption[] =>
    slot === 'trade'
      ? (['artisanat', 'commerce'] as const).map((value) => ({ slot, label: TRADE_LABELS[value], value }))
      : [{ slot, label: (BOOLEAN_FACT_LABELS as Record<string, string>)[slot] ?? factLabel(slot) }],
  );
}

/** Typed answers that mean « no particular need ». */
const NO_NEED_ANSWERS = [fr.buttons.noParticularNeed, 'rien de precis', 'rien', 'aucun', 'non', 'aucun besoin'] as const;

/** One question per fact the bot knows how to ask; yes/no facts of the catalogue are generic. */
const QUESTIONS = {
  stage: (): BotReply => ({ text: fr.questions.stage, buttons: [...Object.values(fr.buttons.stage), fr.buttons.dontKnow] }),
  sector: (): BotReply => ({ text: fr.questions.sector, buttons: [...SECTORS.map((s) => SECTOR_LABELS[s]), fr.buttons.dontKnow] }),
  projectType: (): BotReply => ({ text: fr.questions.projectType, buttons: [...Object.values(fr.buttons.projectType), fr.buttons.dontKnow] }),
  trade: (): BotReply => ({ text: fr.questions.trade, buttons: [...TRADES.map((t) => TRADE_LABELS[t]), fr.buttons.dontKnow] }),
  needs: (): BotReply => ({
    text: fr.questions.needs,
    buttons: [...NEEDS.map((n) => NEED_LABELS[n]), fr.buttons.noParticularNeed],
    multiSelect: { submit: fr.buttons.validate, exclusive: [fr.buttons.noParticularNeed] },
  }),
  ...Object.fromEntries(
    Object.entries(fr.questions.facts).map(([slot, text]) => [slot, (): BotReply => ({ text, buttons: [fr.buttons.yes, fr.buttons.no, fr.buttons.dontKnow] })]),
  ),
} as Record<string, () => BotReply>;

/** True when the label's words appear, whole, in the text (both normalized). */
function containsLabel(label: string, text: string): boolean {
  return ` ${text} `.includes(` ${label} `);
}

function wordCount(normalized: string): number {
  return normalized.split(' ').filter(Boolean).length;
}

function hasKnownFacts(p: Profile): boolean {
  return Object.entries(p).some(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined));
}

function hasFacts(found: Understood): boolean {
  if (found.place !== null || found.profile.needs.length > 0) return true;
  return Object.entries(found.profile).some(([k, v]) => !PLACE_KEYS.includes(k) && k !== 'needs' && v !== null && v !== undefined);
}

function isSlot(value: unknown): value is Slot {
  return typeof value === 'string' && (value === 'place' || (!PLACE_KEYS.includes(value) && value in emptyProfile()));
}

function toCandidate(c: Commune): PlaceCandidate {
  return { code: c.code, nom: c.nom, departement: c.departement, epci: c.epci ? { code: c.epci.code, nom: c.epci.nom } : null };
}

function candidateLabel(c: PlaceCandidate): string {
  return `${c.nom} (${c.departement})`;
}
