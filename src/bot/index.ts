// Builds the bot with its state. Conversation state goes through any botbuilder Storage.
import { ConversationState, MemoryStorage, type Storage } from 'botbuilder';
import { OrientationBot } from './orientationBot.js';
import { createUnderstanding } from './understanding.js';
import type { Understanding } from './qualificationFlow.js';

export interface BotDependencies {
  storage?: Storage;
  understanding?: Understanding;
  partnerName?: (partnerId: string) => string | undefined;
  logError?: (error: unknown) => void;
}

export function createBot(deps: BotDependencies = {}): OrientationBot {
  return new OrientationBot({
    conversationState: new ConversationState(deps.storage ?? new MemoryStorage()),
    understanding: deps.understanding ?? createUnderstanding(),
    partnerName: deps.partnerName,
    logError: deps.logError,
  });
}

export { OrientationBot } from './orientationBot.js';
export { fr } from './messages.fr.js';
