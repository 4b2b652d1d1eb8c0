// Shared helpers for referral tests: the shipped actors, a decision, a holder, a clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RoutingDecision } from '../../src/domain/decision.js';
import { emptyProfile, type Profile } from '../../src/domain/profile.js';
import { loadActorDirectory, type ActorDirectory, type CreateReferralInput } from '../../src/referrals/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ACTORS_FILE = join(ROOT, 'data', 'actors.json');

let actors: Promise<ActorDirectory> | undefined;
export function testActors(): Promise<ActorDirectory> {
  actors ??= loadActorDirectory(ACTORS_FILE);
  return actors;
}

export function tempDir(t: { after(fn: () => void): void }, name = 'aig'): string {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const PROFILE: Profile = {
  ...emptyProfile(),
  stage: 'idee',
  sector: 'alimentation',
  projectType: 'collectif',
  needs: ['financement', 'juridique'],
  commune: { code: '44043', nom: 'Clisson' },
  epci: { code: '200067635', nom: 'CA Clisson Sèvre et Maine Agglo' },
  departement: '44',
};

/**
 * Local generalist first, then two ESS structures. By default those two are a welcome (they
 * receive the request only if the local one does not follow it: the escalation these tests
 * walk through); `{ welcome: false }` makes them experts proposed for a need, who receive the
 * request at once with the local one.
 */
export function decision(locals = ['clisson-sevre-maine-eco'], experts = ['ecossolies', 'france-active-pdl'], options: { welcome?: boolean } = {}): RoutingDecision {
  const welcome = options.welcome ?? true;
  return {
    referrals: [
      ...locals.map((actorId) => ({ actorId, actorName: actorId, role: 'local' as const, tier: 'local' as const, ruleId: `local-${actorId}`, reason: `Parce que ${actorId} accueille les projets de votre commune.` })),
      ...experts.map((actorId) => ({
        actorId,
        actorName: actorId,
        role: 'expert' as const,
        tier: 'expert' as const,
        ruleId: `expert-${actorId}`,
        reason: `Parce que ${actorId} connaît l’ESS.`,
        ...(welcome ? { welcome: true } : {}),
      })),
    ],
    fallback: false,
    rulesVersion: 'test-v1',
    skipped: [],
  };
}

let counter = 0;
export function holderInput(patch: Partial<CreateReferralInput> = {}): CreateReferralInput {
  counter += 1;
  return {
    conversationId: `conv-${process.pid}-${counter}`,
    partnerId: 'vignoble',
    profile: PROFILE,
    decision: decision(),
    consent: { textVersion: 'consentement-v1' },
    contact: { name: 'Camille Porteuse', email: `camille.${counter}@exemple.fr`, phone: '06 12 34 56 78', channel: 'phone', preferredTime: 'le matin' },
    ...patch,
  };
}

/** A clock the test moves by hand. */
export class Clock {
  constructor(private at: number) {}
  now = (): Date => new Date(this.at);
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  advanceDays(days: number): void {
    this.at += days * 86_400_000;
  }
  advanceMs(ms: number): void {
    this.at += ms;
  }
}
