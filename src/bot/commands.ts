// Conversation-wide commands, recognised whatever question is pending.
export type Command = 'restart' | 'correct' | 'help' | 'human' | 'unknownCommand';

const PATTERNS: readonly [Command, RegExp][] = [
  ['restart', /^(recommencer|on recommence|recommence|tout recommencer|reset|redemarrer|repartir de zero|nouveau projet|tout effacer|effacer tout)$/],
  ['correct', /^(corriger|je veux corriger|je voudrais corriger|correction|modifier|modifier mes reponses|je me suis trompe|je me suis trompee|erreur)$/],
  ['help', /^(aide|help|a l aide|au secours|que sais tu faire|comment ca marche|j ai besoin d aide sur le chat|menu|\?+)$/],
  [
    'human',
    /^(je veux |je voudrais |j aimerais |puis je |pouvez vous me faire )?(parler|discuter|echanger) (a|avec) (quelqu un|une personne|un humain|un conseiller|une conseillere|un agent|une vraie personne)$|^(un humain|un conseiller|une vraie personne|quelqu un de reel)$/,
  ],
];

/** `normalized` is the text after normalizeText (lowercase, no accents, punctuation as spaces). */
export function recognizeCommand(normalized: string, raw: string): Command | null {
  for (const [command, pattern] of PATTERNS) if (pattern.test(normalized)) return command;
  if (/^\s*\/\w+/.test(raw)) return 'unknownCommand';
  if (raw.trim() === '?') return 'help';
  return null;
}

const GREETING = /^(bonjour|bonsoir|salut|hello|coucou|hi|hey|bjr|slt|allo|re)( (a tous|a vous|madame|monsieur|aiguillage|le bot))?$/;

/** A message that only says hello: answered with the greeting, not taken as a description. */
export function isGreeting(normalized: string): boolean {
  return normalized === '' || GREETING.test(normalized);
}
