// Generated data for the statistics tests and the back-office benchmark: referral records as the
// service writes them (statuses, histories, escalations, declines) and the bot's conversation
// events, deterministic for a seed. Holders' names and addresses are obviously fake.
import type { ConversationEvent } from '../../src/domain/events.js';
import { NEEDS, PROJECT_TYPES, SECTORS, STAGES, emptyProfile, type Profile } from '../../src/domain/profile.js';
import { DECLINE_REASONS, type HistoryEntry, type Referral, type ReferralStatus } from '../../src/domain/referral.js';
import type { TerritoryIndex } from '../../src/territory/types.js';

const DAY = 86_400_000;
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export function rng(seed: number): { next(): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  return { next, pick: (items) => items[Math.floor(next() * items.length)]!, chance: (p) => next() < p };
}

export interface GenerateOptions {
  requests: number;
  seed?: number;
  /** Latest creation time; requests spread over the 365 days before. */
  now: Date;
  territory: TerritoryIndex;
  /** Extra conversations that never became a request, per request (default 1.5). */
  extraConversations?: number;
}

export interface Generated {
  referrals: Referral[];
  events: ConversationEvent[];
}

const LOCALS: Record<string, string> = { '200067635': 'clisson-sevre-maine-eco', '200067866': 'sevre-loire-eco' };
const EXPERTS = ['ecossolies', 'france-active-pdl', 'urscop-ouest', 'ouvre-boites', 'dla-44'];
const PARTNERS = ['vignoble-nantais', 'clisson-sevre-maine', 'sevre-loire', null];
const QUESTIONS = ['description', 'place', 'stage', 'sector', 'projectType', 'needs', 'confirm', 'orientation', 'consent', 'contact_name', 'contact_email'];

function reference(n: number): string {
  let s = '';
  let x = n + 1;
  for (let i = 0; i < 6; i += 1) {
    s += ALPHABET[x % ALPHABET.length];
    x = Math.floor(x / ALPHABET.length);
  }
  return `AIG-${s.slice(0, 4)}-${s.slice(4)}`;
}

export function generate(options: GenerateOptions): Generated {
  const r = rng(options.seed ?? 42);
  const { territory } = options;
  const end = options.now.getTime();
  const communes = [...territory.communesOfEpci('200067635'), ...territory.communesOfEpci('200067866')];
  const elsewhere = ['44109', '35236', '85191', '49007'].map((c) => territory.commune(c)).filter((c) => c !== undefined);
  const referrals: Referral[] = [];
  const events: ConversationEvent[] = [];

  const conversation = (id: string, partnerId: string | null, start: number, steps: Array<Omit<ConversationEvent, 'conversationId' | 'partnerId' | 'at'>>) => {
    steps.forEach((s, i) => events.push({ ...s, conversationId: id, partnerId, at: new Date(start + i * 40_000).toISOString() }));
  };

  for (let n = 0; n < options.requests; n += 1) {
    const created = end - Math.floor(r.next() * 365 * DAY);
    const commune = r.chance(0.9) ? r.pick(communes) : r.pick(elsewhere);
    const profile: Profile = {
    ...emptyProfile(),
      stage: r.chance(0.95) ? r.pick(STAGES) : null,
      sector: r.pick(SECTORS),
      projectType: r.chance(0.9) ? r.pick(PROJECT_TYPES) : null,
      needs: NEEDS.filter(() => r.chance(0.25)),
      commune: { code: commune.code, nom: commune.nom },
      epci: commune.epci,
      departement: commune.departement,
    };
    const fallback = !LOCALS[commune.epci?.code ?? ''] || r.chance(0.03);
    const local = fallback ? 'cress-pdl' : LOCALS[commune.epci!.code]!;
    const experts = fallback ? [] : EXPERTS.filter(() => r.chance(0.3)).slice(0, 2);
    const decision = {
      rulesVersion: r.chance(0.7) ? 'v-courante' : 'v-ancienne',
      fallback,
      referrals: [
        { actorId: local, actorName: local, role: 'local' as const, tier: 'local' as const, ruleId: fallback ? 'recours-region' : `vignoble-proximite-${local}`, reason: 'Raison générée pour les tests.' },
        ...experts.map((actorId) => ({ actorId, actorName: actorId, role: 'expert' as const, tier: 'expert' as const, ruleId: `expert-${actorId}`, reason: 'Raison générée pour les tests.' })),
      ],
    };
    const ref = reference(n);
    const conversationId = `conv-gen-${n}`;
    const partnerId = r.pick(PARTNERS);
    const at = (ms: number) => new Date(ms).toISOString();
    const h = (ms: number, action: HistoryEntry['action'], by: string, from: ReferralStatus | null, to: ReferralStatus, reason: string | null = null): HistoryEntry => ({ at: at(ms), action, by, from, to, reason, relatedId: null });

    const records: Referral[] = [];
    const make = (index: number, actorId: string, tier: Referral['tier'], ruleId: string, start: number, escalatedFrom: string | null): Referral => {
      const history = [h(start, 'create', escalatedFrom ? 'system' : 'holder', null, 'pending')];
      let status: ReferralStatus = 'pending';
      let statusAt = start;
      let decline: Referral['decline'] = null;
      const roll = r.next();
      const promisedDays = 7;
      const age = end - start;
      if (age > 2 * DAY && roll < 0.7) {
        const taken = start + Math.floor(r.next() * Math.min(age, 12 * DAY));
        history.push(h(taken, 'take_care', `actor:${actorId}`, 'pending', 'taking_care'));
        status = 'taking_care';
        statusAt = taken;
        const closing = r.next();
        if (end - taken > 10 * DAY && closing < 0.8) {
          const to: ReferralStatus = closing < 0.55 ? 'done' : closing < 0.7 ? 'done_no_help' : 'unreachable';
          const t = taken + Math.floor(r.next() * (end - taken));
          history.push(h(t, to, `actor:${actorId}`, 'taking_care', to));
          status = to;
          statusAt = t;
        }
      } else if (age > 2 * DAY && roll < 0.82) {
        const t = start + Math.floor(r.next() * Math.min(age, 5 * DAY));
        const reason = r.pick(DECLINE_REASONS);
        history.push(h(t, 'decline', `actor:${actorId}`, 'pending', 'declined', reason));
        status = 'declined';
        statusAt = t;
        decline = { reason, shouldGoTo: r.chance(0.4) ? r.pick(EXPERTS) : null, comment: null };
      } else if (age > 14 * DAY && roll < 0.9) {
        history.push(h(start + 14 * DAY, 'expire', 'system', 'pending', 'expired'));
        status = 'expired';
        statusAt = start + 14 * DAY;
      }
      const closed = ['done', 'done_no_help', 'unreachable', 'declined', 'expired'].includes(status);
      return {
        id: `${ref}-${index}`,
        reference: ref,
        version: history.length,
        createdAt: at(start),
        updatedAt: at(statusAt),
        partnerId,
        conversationId,
        profile,
        decision,
        actorId,
        actorName: actorId,
        tier,
        ruleId,
        reason: 'Raison générée pour les tests.',
        escalatedFrom,
        promisedDays,
        consent: { textVersion: 'consentement-v1', at: at(start) },
        contact: { name: `Porteur ${n}`, email: `porteur.${n}@exemple.test`, phone: null, channel: 'email', preferredTime: null },
        description: null,
        status,
        statusAt: at(statusAt),
        closedAt: closed ? at(statusAt) : null,
        decline,
        review: null,
        followUp: { reminders: 0, checkIns: 0 },
        erasedAt: null,
        anonymisedAt: null,
        history,
      };
    };
    const first = make(1, local, 'local', decision.referrals[0]!.ruleId, created, null);
    records.push(first);
    // A declined or expired first tier escalates to the experts (or the network head).
    if ((first.status === 'declined' || first.status === 'expired') && end - Date.parse(first.statusAt) > DAY) {
      const next = experts[0] ?? 'cress-pdl';
      records.push(make(2, next, experts[0] ? 'expert' : 'reseau', experts[0] ? `expert-${next}` : 'escalade', Date.parse(first.statusAt) + 60_000, first.id));
    }
    referrals.push(...records);

    conversation(conversationId, partnerId, created - 10 * 60_000, [
      { step: 'started' },
      { step: 'asked', question: 'stage' },
      { step: 'qualified', profile },
      { step: 'oriented', fallback, rulesVersion: decision.rulesVersion, actorIds: decision.referrals.map((d) => d.actorId) },
      { step: 'asked', question: 'consent' },
      { step: 'handed_off', reference: ref },
    ]);
  }

  // Conversations that never became a request: abandoned at some question, declined, out of area.
  const extra = Math.round(options.requests * (options.extraConversations ?? 1.5));
  for (let n = 0; n < extra; n += 1) {
    const start = end - 2 * 60 * 60 * 1000 - Math.floor(r.next() * 365 * DAY);
    const id = `conv-gen-x${n}`;
    const partnerId = r.pick(PARTNERS);
    const kind = r.next();
    if (kind < 0.6) {
      const stop = Math.floor(r.next() * QUESTIONS.length);
      conversation(id, partnerId, start, [{ step: 'started' }, ...QUESTIONS.slice(0, stop + 1).map((question) => ({ step: 'asked' as const, question }))]);
    } else if (kind < 0.8) {
      const c = r.pick(communes);
      const profile: Profile = { ...emptyProfile(), stage: 'idee', sector: r.pick(SECTORS), projectType: null, needs: [], commune: { code: c.code, nom: c.nom }, epci: c.epci, departement: c.departement };
      conversation(id, partnerId, start, [{ step: 'started' }, { step: 'qualified', profile }, { step: 'oriented', fallback: false, actorIds: [] }, { step: 'contact_declined' }]);
    } else {
      const profile: Profile = { ...emptyProfile(), stage: 'creation', sector: r.pick(SECTORS), projectType: null, needs: [], commune: { code: '75056', nom: 'Paris' }, epci: null, departement: '75' };
      conversation(id, partnerId, start, [{ step: 'started' }, { step: 'qualified', profile }, { step: 'oriented', fallback: true, actorIds: ['cress-pdl'] }, { step: 'asked', question: 'consent' }]);
    }
  }
  return { referrals, events };
}
