// Statistics: the two indexes (referrals, conversations) kept current from the store and the
// event log, and every view computed for one filter. One module per indicator; this one only
// puts them in order.
import type { EventLogPort } from '../store/eventLog.js';
import type { ReferralStore } from '../store/ports.js';
import type { TerritoryIndex } from '../territory/types.js';
import { referralTables, requestCounts, requestTables } from './breakdowns.js';
import { ConversationIndex } from './conversationIndex.js';
import { declineTables } from './declines.js';
import { actorDelays, delayTable } from './delays.js';
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
  tables: StatTable[];
}

export class Statistics {
  readonly referrals = new ReferralIndex();
  readonly conversations: ConversationIndex;

  constructor(private readonly sources: StatisticsSources) {
    this.conversations = new ConversationIndex(sources.territory);
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
    const tables = [
      funnelTable(funnel, scope),
      ...requestTables(this.referrals, counts, scope, labels),
      ...referralTables(this.referrals, scope, labels),
      delayTable(actorDelays(this.referrals, scope), labels),
      ...declineTables(this.referrals, scope, labels),
      ...unmetTables(this.referrals, conversations, scope, labels),
    ];
    return { funnel, tables };
  }
}

export { ReferralIndex } from './referralIndex.js';
export { ConversationIndex } from './conversationIndex.js';
export { parseFilter, filterQuery, territoryChoices, parisMidnight, addDays, type StatsFilter, type TerritoryChoice } from './filters.js';
export type { StatTable, StatColumn, CellValue, Labels } from './table.js';
