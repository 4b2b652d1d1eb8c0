// One row per conversation, folded from the bot's events: when it started, how far it went,
// the last question asked, where the project is (from the confirmed profile). Fed by reading
// the event log from where the previous pass stopped.
import type { ConversationEvent, ConversationStep } from '../domain/events.js';
import type { EventCursor, EventLogPort } from '../store/eventLog.js';
import type { TerritoryIndex } from '../territory/types.js';
import { Dict, f64, u16, u8 } from './columns.js';

export const STEP_BIT: Record<ConversationStep, number> = {
  started: 1,
  asked: 2,
  qualified: 4,
  oriented: 8,
  contact_declined: 16,
  consent_refused: 32,
  handed_off: 64,
};
/** Steps after which a conversation is over, whatever came next. */
export const ENDED = STEP_BIT.handed_off | STEP_BIT.contact_declined | STEP_BIT.consent_refused;

/** Where the project is, as far as the confirmed profile says. */
export const PLACE_UNKNOWN = 0;
export const PLACE_SERVED = 1;
export const PLACE_OUT = 2;

export class ConversationIndex {
  size = 0;
  private readonly slots = new Map<string, number>();
  private cursor: EventCursor | null = null;

  readonly partners = new Dict();
  readonly questions = new Dict();
  readonly epcis = new Dict();
  readonly communes = new Dict();

  readonly startedAt = f64();
  readonly lastAt = f64();
  readonly steps = u8();
  readonly lastQuestion = u16();
  readonly partner = u16();
  readonly epci = u16();
  readonly commune = u16();
  readonly place = u8();
  /** 0: not oriented; 1: oriented by a routing rule; 2: by a fallback only. */
  readonly orientation = u8();

  /** Bumped by every `add`: what was computed from the index at another generation is stale. */
  generation = 0;

  constructor(private readonly territory: TerritoryIndex) {}

  private syncing: Promise<number> = Promise.resolve(0);

  /** Reads the events written since the last pass; returns how many. */
  sync(log: Pick<EventLogPort, 'readSince'>): Promise<number> {
    // One pass at a time: two passes from the same cursor would count events twice.
    const pass = async () => {
      const { events, cursor } = await log.readSince(this.cursor);
      this.cursor = cursor;
      for (const e of events) this.add(e);
      return events.length;
    };
    this.syncing = this.syncing.then(pass, pass);
    return this.syncing;
  }

  add(e: ConversationEvent): void {
    this.generation += 1;
    let slot = this.slots.get(e.conversationId);
    const at = Date.parse(e.at);
    if (slot === undefined) {
      slot = this.size;
      this.size += 1;
      this.slots.set(e.conversationId, slot);
      for (const c of [this.startedAt, this.lastAt, this.steps, this.lastQuestion, this.partner, this.epci, this.commune, this.place, this.orientation]) c.ensure(this.size);
      this.startedAt.data[slot] = at;
      this.lastAt.data[slot] = at;
    }
    if (at < this.startedAt.data[slot]!) this.startedAt.data[slot] = at;
    if (at > this.lastAt.data[slot]!) this.lastAt.data[slot] = at;
    this.steps.data[slot]! |= STEP_BIT[e.step] ?? 0;
    if (e.partnerId) this.partner.data[slot] = this.partners.id(e.partnerId);
    if (e.step === 'asked' && e.question) this.lastQuestion.data[slot] = this.questions.id(e.question);
    if (e.step === 'oriented') this.orientation.data[slot] = e.fallback ? 2 : 1;
    if (e.step === 'qualified' && e.profile) {
      const p = e.profile;
      const commune = p.commune ? this.territory.commune(p.commune.code) : undefined;
      const epci = p.epci?.code ?? commune?.epci?.code ?? null;
      const departement = p.departement ?? commune?.departement ?? null;
      this.epci.data[slot] = this.epcis.id(epci);
      this.commune.data[slot] = this.communes.id(p.commune?.code);
      this.place.data[slot] = departement ? (this.territory.servedDepartements.includes(departement) ? PLACE_SERVED : PLACE_OUT) : PLACE_UNKNOWN;
    }
  }
}
