// The slot-filling conversation that turns a holder's words into a qualified Profile.
// Plain logic over a serialisable state: the botbuilder dialog around it only stores the state
// and sends the replies, so the flow stays readable and testable on its own.
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
  type Need,
  type Profile,
  type ProjectType,
  type Sector,
  type Stage,
} from '../domain/profile.js';
import type { Commune, PlaceMatch } from '../territory/types.js';
import { fr } from './messages.fr.js';

export type Slot = 'place' | 'stage' | 'sector' | 'projectType' | 'needs';
const SLOT_ORDER: readonly Slot[] = ['place', 'stage', 'sector', 'projectType', 'needs'];

export interface BotReply {
  text: string;
  buttons?: string[];
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
}

export interface QualificationState {
  profile: Profile;
  /** What the last bot message asked for. */
  awaiting: Slot | 'description' | 'placeChoice' | 'confirm' | 'correct' | null;
  placeCandidates: PlaceCandidate[];
  placeChoiceReason: 'postal_code' | 'homonym';
  /** A territory or department named without a commune: the next place question narrows it. */
  placeContext: { kind: 'territory' | 'departement'; label: string } | null;
  /** Slots the holder said they could not answer: not asked again. */
  unanswerable: Slot[];
  needsAnswered: boolean;
  misunderstood: number;
  confirmed: boolean;
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
    confirmed: false,
  };
}

export interface TurnResult {
  replies: BotReply[];
  /** True once the holder confirmed the summary. */
  done: boolean;
}

const CORRECTABLE: Record<Slot, string> = {
  place: fr.summaryLine.place,
  stage: fr.summaryLine.stage,
  sector: fr.summaryLine.sector,
  projectType: fr.summaryLine.projectType,
  needs: fr.summaryLine.needs,
};

export class QualificationFlow {
  constructor(private readonly understanding: Understanding) {}

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

  /** One holder message (already cleaned of markup and control characters). */
  handle(state: QualificationState, text: string): TurnResult {
    const u = this.understanding;
    const normalized = u.normalize(text);
    const found = u.qualify(text);
    const statesFacts = hasFacts(found);
    const before = structuredClone(state.profile);
    const notes: string[] = [];
    const awaiting = state.awaiting;
    let answered = false;

    if (awaiting === 'confirm' && !statesFacts) {
      if (this.matchButton(normalized, [fr.buttons.confirmYes]) !== null || u.yesNo(text) === true) {
        state.confirmed = true;
        state.awaiting = null;
        return { replies: [], done: true };
      }
      if (this.matchButton(normalized, [fr.buttons.confirmCorrect]) !== null || u.yesNo(text) === false) {
        state.awaiting = 'correct';
        return { replies: this.ask(state), done: false };
      }
    }
    if (awaiting === 'correct') {
      const slot = this.matchButton(normalized, Object.values(CORRECTABLE));
      if (slot !== null) {
        this.clearSlot(state, SLOT_ORDER[slot]!);
        return { replies: this.ask(state), done: false };
      }
    }

    if (awaiting === 'placeChoice') answered = this.answerPlaceChoice(state, normalized);
    if (!answered && isSlot(awaiting)) answered = this.answerButton(state, awaiting, text, normalized);
    // Whatever was asked, the text may state (or correct) other facts: "non, c'est à Vallet".
    this.applyFacts(state, found, notes);
    if (awaiting === 'needs' && found.profile.needs.length > 0) state.needsAnswered = true;
    if (!answered && awaiting === 'place' && !found.place && !this.placeKnown(state)) {
      const place = u.resolvePlace(text);
      if (place) {
        this.applyPlace(state, place, notes);
        answered = true;
      }
    }

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
    const next = this.next(state);
    // When everything is known, the summary that follows already lists it: no "J'ai compris" twice.
    if (state.awaiting === 'confirm' && changes.length > 0) replies.shift();
    return { replies: [...replies, ...next], done: false };
  }

  /** The summary of the qualified project, as shown before confirmation and at the end. */
  summary(profile: Profile): string {
    const na = fr.notSpecified;
    const lines = [
      `${fr.summaryLine.place} : ${fr.placeLabel(profile.commune?.nom ?? null, profile.epci?.nom ?? null, profile.departement)}`,
      `${fr.summaryLine.stage} : ${profile.stage ? STAGE_LABELS[profile.stage] : na}`,
      `${fr.summaryLine.sector} : ${profile.sector ? SECTOR_LABELS[profile.sector] : na}`,
      `${fr.summaryLine.projectType} : ${profile.projectType ? PROJECT_TYPE_LABELS[profile.projectType] : na}`,
      `${fr.summaryLine.needs} : ${profile.needs.length ? profile.needs.map((n) => NEED_LABELS[n]).join(', ') : na}`,
    ];
    return `${fr.summaryTitle}\n${lines.map((l) => `• ${l}`).join('\n')}`;
  }

  private next(state: QualificationState): BotReply[] {
    if (state.awaiting === 'placeChoice') return this.ask(state);
    const missing = SLOT_ORDER.find((slot) => !this.slotKnown(state, slot));
    if (missing) {
      state.awaiting = missing;
      return this.ask(state);
    }
    state.awaiting = 'confirm';
    return this.ask(state);
  }

  /** The question for what `state.awaiting` names, with its buttons. */
  private ask(state: QualificationState): BotReply[] {
    const dontKnow = fr.buttons.dontKnow;
    switch (state.awaiting) {
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
      case 'stage':
        return [{ text: fr.questions.stage, buttons: [...Object.values(fr.buttons.stage), dontKnow] }];
      case 'sector':
        return [{ text: fr.questions.sector, buttons: [...SECTORS.map((s) => SECTOR_LABELS[s]), dontKnow] }];
      case 'projectType':
        return [{ text: fr.questions.projectType, buttons: [...Object.values(fr.buttons.projectType), dontKnow] }];
      case 'needs':
        return [{ text: fr.questions.needs, buttons: [...NEEDS.map((n) => NEED_LABELS[n]), fr.buttons.noParticularNeed] }];
      case 'confirm':
        return [
          { text: this.summary(state.profile) },
          { text: fr.questions.confirm, buttons: [fr.buttons.confirmYes, fr.buttons.confirmCorrect] },
        ];
      case 'correct':
        return [{ text: fr.questions.correctWhich, buttons: Object.values(CORRECTABLE) }];
      default:
        state.awaiting = 'description';
        return [{ text: fr.inviteDescription }];
    }
  }

  private slotKnown(state: QualificationState, slot: Slot): boolean {
    if (state.unanswerable.includes(slot)) return true;
    const p = state.profile;
    switch (slot) {
      case 'place':
        return this.placeKnown(state);
      case 'stage':
        return p.stage !== null;
      case 'sector':
        return p.sector !== null;
      case 'projectType':
        return p.projectType !== null;
      case 'needs':
        return p.needs.length > 0 || state.needsAnswered;
    }
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
      p[slot] = null;
    }
    state.awaiting = slot;
  }

  /** A click on one of the slot's buttons (or its exact words typed). */
  private answerButton(state: QualificationState, slot: Slot, text: string, normalized: string): boolean {
    const p = state.profile;
    const dontKnow = this.matchButton(normalized, [fr.buttons.dontKnow]) !== null || this.understanding.unsure(text);
    if (slot === 'needs' && (dontKnow || this.matchButton(normalized, [fr.buttons.noParticularNeed, 'rien', 'aucun', 'non']) !== null)) {
      state.needsAnswered = true;
      return true;
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
      case 'needs': {
        const v = pick<Need>(NEEDS, NEEDS.map((n) => NEED_LABELS[n]));
        if (v && !p.needs.includes(v)) p.needs.push(v);
        if (v) state.needsAnswered = true;
        return v !== null;
      }
      case 'place':
        return false;
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
    const p = state.profile;
    if (found.profile.stage) p.stage = found.profile.stage;
    if (found.profile.sector) p.sector = found.profile.sector;
    if (found.profile.projectType) p.projectType = found.profile.projectType;
    for (const need of found.profile.needs) if (!p.needs.includes(need)) p.needs.push(need);
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

function hasFacts(found: Understood): boolean {
  const p = found.profile;
  return found.place !== null || p.stage !== null || p.sector !== null || p.projectType !== null || p.needs.length > 0;
}

function isSlot(value: unknown): value is Slot {
  return typeof value === 'string' && (SLOT_ORDER as readonly string[]).includes(value);
}

function toCandidate(c: Commune): PlaceCandidate {
  return { code: c.code, nom: c.nom, departement: c.departement };
}

function candidateLabel(c: PlaceCandidate): string {
  return `${c.nom} (${c.departement})`;
}

/** French lines naming what changed between two profiles (for "J'ai compris" / "C'est noté"). */
function describeChanges(before: Profile, after: Profile): string[] {
  const out: string[] = [];
  if (after.commune?.code !== before.commune?.code || after.epci?.code !== before.epci?.code || after.departement !== before.departement) {
    const label = fr.placeLabel(after.commune?.nom ?? null, after.epci?.nom ?? null, after.departement);
    if (after.commune || after.epci || after.departement) out.push(`${fr.summaryLine.place} : ${label}`);
  }
  if (after.stage && after.stage !== before.stage) out.push(`${fr.summaryLine.stage} : ${STAGE_LABELS[after.stage]}`);
  if (after.sector && after.sector !== before.sector) out.push(`${fr.summaryLine.sector} : ${SECTOR_LABELS[after.sector]}`);
  if (after.projectType && after.projectType !== before.projectType)
    out.push(`${fr.summaryLine.projectType} : ${PROJECT_TYPE_LABELS[after.projectType]}`);
  const added = after.needs.filter((n) => !before.needs.includes(n));
  if (added.length) out.push(`${fr.summaryLine.needs} : ${added.map((n) => NEED_LABELS[n]).join(', ')}`);
  return out;
}
