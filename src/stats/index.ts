// Statistics: the two indexes (referrals, conversations) kept current from the store and the
// event log, and every view computed for one filter. One module per indicator; this one only
// puts them in order.
import type { EventLogPort } from '../store/eventLog.js';
import type { ReferralStore } from '../store/ports.js';
import type { TerritoryIndex } from '../territory/types.js';
import { referralTables, requestCounts, requestTables } from './breakdowns.js';
import { ConversationIndex } from './conversationIndex.js';
import { declineTables } from './declines.js';
import { actorDelays, delayTable, type ActorDelay } from './delays.js';
import type { StatsFilter } from './filters.js';
import { funnelCounts, funnelTable, type FunnelCounts } from './funnel.js';
import { ReferralIndex } from './referralIndex.js';
import { scopeOf } from './scope.js';
import type { Labels, StatTable } from './table.js';
import { unmetTables } from './unmet.js';

export interface StatisticsSources {
  store: Pick<ReferralStore, 'referrals'>;
  events: Pick<EventLogPort, 'readSince'> | null;
  territory: TerritoryIndex;
}

export interface StatisticsReport {
  funnel: FunnelCounts;
  /** Per actor, then all of them when more than one (the first screen's overall delay). */
  delays: ActorDelay[];
  tables: StatTable[];
}

/** A memoised result stays good this long on the clock: lateness depends on `now`. */
const MEMO_CLOCK_MS = 60_000;
/** At most this many results kept (filters, scopes): a few coordinators' first screens. */
const MEMO_ENTRIES = 32;

export class Statistics {
  readonly referrals = new ReferralIndex();
  readonly conversations: ConversationIndex;

  private readonly memo = new Map<string, { referrals: number; conversations: number; at: number; value: unknown }>();

  constructor(private readonly sources: StatisticsSources) {
    this.conversations = new ConversationIndex(sources.territory);
  }

  /**
   * `compute()`, or what it gave for the same key while neither index has changed since (their
   * generations) and the clock has moved less than a minute: a page read again, or by another
   * coordinator with the same filters, does not walk 1,000,000 rows again. The key must say
   * everything else the result depends on (filter, scope, names).
   */
  memoise<T>(key: string, now: Date, compute: () => T): T {
    const at = now.getTime();
    const hit = this.memo.get(key);
    if (hit && hit.referrals === this.referrals.generation && hit.conversations === this.conversations.generation && Math.abs(at - hit.at) < MEMO_CLOCK_MS) return hit.value as T;
    const value = compute();
    this.memo.delete(key);
    // Oldest first in a Map: drop it past the limit.
    if (this.memo.size >= MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value!);
    this.memo.set(key, { referrals: this.referrals.generation, conversations: this.conversations.generation, at, value });
    return value;
  }

  /** Reads what changed since the last call (the first call reads everything). */
  async refresh(): Promise<void> {
    await this.referrals.sync(this.sources.store);
    if (this.sources.events) await this.conversations.sync(this.sources.events);
  }

  report(filter: StatsFilter, labels: Labels, now: Date): StatisticsReport {
    const conversations = this.sources.events ? this.conversations : null;
    const scope = scopeOf(filter, this.referrals, conversations, now);
    const funnel = funnelCounts(this.referrals, conversations, scope);
    const counts = requestCounts(this.referrals, scope);
    const delays = actorDelays(this.referrals, scope);
    const tables = [
      funnelTable(funnel, scope),
      ...requestTables(this.referrals, counts, scope, labels),
      ...referralTables(this.referrals, scope, labels),
      delayTable(delays, labels),
      ...declineTables(this.referrals, scope, labels),
      ...unmetTables(this.referrals, conversations, scope, labels),
    ];
    return { funnel, delays, tables };
  }
}

export { ReferralIndex } from './referralIndex.js';
export { ConversationIndex } from './conversationIndex.js';
export { parseFilter, filterQuery, territoryChoices, parisMidnight, addDays, type StatsFilter, type TerritoryChoice } from './filters.js';
export type { StatTable, StatColumn, CellValue, Labels } from './table.js';
