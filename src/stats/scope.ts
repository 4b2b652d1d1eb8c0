// Which rows a filter keeps: created within the period and, when a territory is chosen, with
// the project in one of its EPCIs. Territory codes are turned into dictionary codes once.
import type { ConversationIndex } from './conversationIndex.js';
import type { StatsFilter } from './filters.js';
import type { ReferralIndex } from './referralIndex.js';

export interface Scope {
  filter: StatsFilter;
  now: number;
  /** Referral rows kept (created in the period, in the territory). */
  referral(slot: number): boolean;
  /** Conversation rows kept (started in the period; in the territory when its place is known). */
  conversation(slot: number): boolean;
}

function codeSet(dict: { find(v: string): number; size: number }, values: string[] | undefined): Uint8Array | null {
  if (!values) return null;
  const set = new Uint8Array(dict.size + 1);
  for (const v of values) {
    const id = dict.find(v);
    if (id >= 0) set[id] = 1;
  }
  return set;
}

export function scopeOf(filter: StatsFilter, referrals: ReferralIndex, conversations: ConversationIndex | null, now: Date): Scope {
  const { from, to } = filter;
  const rEpcis = codeSet(referrals.epcis, filter.territory?.epcis);
  const cEpcis = conversations ? codeSet(conversations.epcis, filter.territory?.epcis) : null;
  const created = referrals.createdAt.data;
  const rEpci = referrals.epci.data;
  return {
    filter,
    now: now.getTime(),
    referral: rEpcis
      ? (slot) => created[slot]! >= from && created[slot]! < to && rEpcis[rEpci[slot]!] === 1
      : (slot) => created[slot]! >= from && created[slot]! < to,
    conversation: (slot) => {
      const c = conversations!;
      const at = c.startedAt.data[slot]!;
      return at >= from && at < to && (!cEpcis || cEpcis[c.epci.data[slot]!] === 1);
    },
  };
}
