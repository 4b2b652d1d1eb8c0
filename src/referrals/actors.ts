// The actors the referrals need: who they are and where to write. The router satisfies this
// interface (actorById, actors); the command line loads data/actors.json directly.
import { readFile } from 'node:fs/promises';
import { actorsFileSchema, type Actor } from '../domain/actor.js';

export interface ActorDirectory {
  actorById(id: string): Actor | undefined;
  actors(): readonly Actor[];
}

export function actorDirectory(actors: readonly Actor[]): ActorDirectory {
  const byId = new Map(actors.map((a) => [a.id, a]));
  return { actorById: (id) => byId.get(id), actors: () => actors };
}

export async function loadActorDirectory(file = 'data/actors.json'): Promise<ActorDirectory> {
  const parsed = actorsFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  return actorDirectory(parsed.actors);
}
