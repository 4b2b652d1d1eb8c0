// Builds the bot with its state and its services. Conversation state goes through any
// botbuilder Storage (memory by default; the store's adapter in production).
import { ConversationState, MemoryStorage, type Storage } from 'botbuilder';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, type Router } from '../routing/index.js';
import { loadTerritory } from '../territory/index.js';
import type { EscalationPolicy, OrientationService } from './orientation.js';
import { questionSlots, rememberingRouter, sameDecision, worthAsking } from '../routing/questions.js';
import { DEFAULT_POLICY } from '../referrals/policy.js';
import type { HandOffService } from './handOff.js';
import type { ConversationEventSink } from '../domain/events.js';
import type { ReferralService } from '../referrals/service.js';
import { OrientationBot } from './orientationBot.js';
import type { QuestionChooser, Understanding } from './qualificationFlow.js';
import { createUnderstanding } from './understanding.js';
import type { StatusQueryOptions } from './statusQuery.js';

export interface BotDependencies {
  storage?: Storage;
  understanding?: Understanding;
  /** The live router (hot-reloaded rules); a default one on the shipped rules otherwise. */
  router?: Router;
  /** Where consented referrals are written; without it the bot says the hand-off failed. */
  handOff?: HandOffService;
  partnerName?: (partnerId: string) => string | undefined;
  events?: ConversationEventSink;
  logError?: (error: unknown) => void;
  /** Answers « où en est ma demande AIG-… ? » from the referral store. */
  statusQuery?: StatusQueryOptions;
}

export function orientationService(router: Router): OrientationService {
  return { route: (profile) => router.route(profile), actor: (id) => router.actorById(id) };
}

/** Questions chosen by the live router: asked only when an answer changes who is proposed. */
export function questionChooser(router: Router): QuestionChooser {
  const remembering = rememberingRouter(router);
  return {
    slots: questionSlots,
    worthAsking: (profile, slot) => worthAsking(remembering, profile, slot),
    sameDecision: (profiles) => sameDecision(remembering, profiles),
  };
}

/** The referral use case seen from the bot. */
export function handOffService(
  referrals: Pick<ReferralService, 'createReferral'> & { policy?: EscalationPolicy },
  afterWrite?: () => void,
): HandOffService {
  return {
    policy: referrals.policy ? { expireDays: referrals.policy.expireDays, networkActorId: referrals.policy.networkActorId } : undefined,
    async submit(request) {
      const result = await referrals.createReferral(request);
      afterWrite?.();
      return {
        reference: result.reference,
        created: result.created,
        actors: result.referrals.map((r) => ({ id: r.actorId, name: r.actorName })),
        promisedDays: result.promisedDays,
        holderEmailQueued: result.holderEmailQueued,
        statusUrl: result.statusUrl,
      };
    },
  };
}

const noHandOff: HandOffService = {
  submit: () => Promise.reject(new Error('aucun service d’orientation configuré')),
};

export async function createBot(deps: BotDependencies = {}): Promise<OrientationBot> {
  const router =
    deps.router ?? (await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory: loadTerritory() }));
  return new OrientationBot({
    conversationState: new ConversationState(deps.storage ?? new MemoryStorage()),
    understanding: deps.understanding ?? createUnderstanding(),
    orientation: orientationService(router),
    questions: questionChooser(router),
    handOff: deps.handOff ?? noHandOff,
    policy: () => deps.handOff?.policy ?? DEFAULT_POLICY,
    partnerName: deps.partnerName,
    events: deps.events,
    logError: deps.logError,
    statusQuery: deps.statusQuery,
  });
}

export { OrientationBot } from './orientationBot.js';
export { fr } from './messages.fr.js';
