// Rules as people name them, wherever a rule id would otherwise be read (a referral's page,
// statistics, CSV): « Les Ecossolies — expertise ESS, Loire-Atlantique », and a rules version as
// the date it was published.
import type { LoadedRule } from '../routing/index.js';
import type { Deps } from './context.js';
import { frenchDateTime } from './http.js';
import { placeIndex } from './places.js';
import { parseRule } from './ruleForm.js';
import { ruleTitle } from './views/ruleEditor.js';

export function loadedRuleTitle(rule: LoadedRule, actorName: (id: string) => string, deps: Pick<Deps, 'territory'>): string {
  return ruleTitle(parseRule({ name: rule.id, priority: rule.priority, conditions: rule.conditions, event: { type: rule.type, params: rule.params } }), actorName, placeIndex(deps.territory));
}

/** Titles of the live rules; an id no longer live stays as it is. */
export async function liveRuleNames(deps: Pick<Deps, 'rules' | 'router' | 'territory'>): Promise<(id: string) => string> {
  const set = await deps.rules.liveSet();
  await deps.rules.versions(); // read once here for rulesVersionText, which builds text synchronously
  const actorName = (id: string) => deps.router.actorById(id)?.name ?? id;
  const names = new Map(set.rules.map((r) => [r.id, loadedRuleTitle(r, actorName, deps)]));
  return (id) => names.get(id) ?? id;
}

/** « règles publiées le 4 déc. 2026, 22:08 » when the history knows the version (as read by liveRuleNames). */
export function rulesVersionText(deps: Pick<Deps, 'rules'>, version: string): string {
  const entry = [...deps.rules.versionsSeen()].reverse().find((e) => e.version === version);
  return entry ? `règles en service depuis le ${frenchDateTime(entry.at)}` : `version des règles ${version}`;
}
