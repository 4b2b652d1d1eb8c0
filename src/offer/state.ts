// The « état des lieux » of the offer for decision makers: for each stage × sector, in how many
// communes of the territory a holder who gives only that (stage, sector, commune) is proposed a
// structure of the ESS, with the rules in force (src/routing/coverage.ts). Three answers per
// combination: an ESS expert, only the regional network head's welcome (the CRESS), or none
// (report.essHoles). Monthly capacities are ignored: the état des lieux describes the offer, not
// this month's load. Computed EPCI by EPCI, yielding in between, so that the bot keeps answering
// while the whole region (≈ 37 000 decisions) is simulated.
import { parisDay, type Role } from '../domain/actor.js';
import { SECTORS, STAGES, type Sector, type Stage } from '../domain/profile.js';
import { coverage, coverageOfCommunes, type CoverageCombo, type CoverageReport, type Router } from '../routing/index.js';
import type { TerritoryIndex } from '../territory/types.js';
import { communesOf, type OfferScope } from './model.js';

export interface StateCell {
  stage: Stage;
  sector: Sector;
  communes: number;
  /** Communes where an ESS expert is proposed. */
  expert: number;
  /** Communes where only the network head (reseau) answers for the ESS. */
  networkOnly: number;
  /** Communes with no structure of the ESS at all (report.essHoles). */
  none: number;
  /** ESS structures proposed somewhere for this combination, most frequent first. */
  essActorIds: string[];
}

export interface OfferState {
  rulesVersion: string;
  computedAt: Date;
  communes: number;
  cells: StateCell[];
  /** Combinations (commune × stage × sector) without any structure of the ESS. */
  essHoles: number;
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function offerState(router: Router, territory: TerritoryIndex, scope: OfferScope, now: () => Date = () => new Date()): Promise<OfferState> {
  const rulesVersion = router.rulesVersion;
  // The same router, read-only, with no actor ever full.
  const structural: Router = {
    route: (profile) => router.route(profile, { loadOf: () => 0, now: now() }),
    rulesVersion,
    ruleCount: router.ruleCount,
    actorById: (id) => router.actorById(id),
    actors: () => router.actors(),
    reload: () => router.reload(),
    onReload: (listener) => router.onReload(listener),
    close: () => undefined,
  };
  const communes = communesOf(scope, territory);
  const wanted = new Set(communes.map((c) => c.code));
  const roleOf = (id: string): Role | undefined => router.actorById(id)?.role;
  // Counted report by report (one intercommunality at a time): the region's 37 000 decisions are never all kept.
  const tallies = new Map<string, { communes: number; expert: number; networkOnly: number; none: number; counts: Map<string, number> }>();
  for (const stage of STAGES) for (const sector of SECTORS) tallies.set(`${stage}|${sector}`, { communes: 0, expert: 0, networkOnly: 0, none: 0, counts: new Map() });
  let essHoles = 0;
  const add = (report: Pick<CoverageReport, 'combos' | 'essHoles'>) => {
    const holes = new Set(report.essHoles.filter((c) => wanted.has(c.commune.code)).map(key));
    essHoles += holes.size;
    for (const c of report.combos) {
      if (!wanted.has(c.commune.code)) continue;
      const t = tallies.get(`${c.stage}|${c.sector}`)!;
      t.communes += 1;
      if (holes.has(key(c))) t.none += 1;
      else if (c.actorIds.some((id) => roleOf(id) === 'expert')) t.expert += 1;
      else t.networkOnly += 1;
      for (const id of c.actorIds) if (roleOf(id) === 'expert' || roleOf(id) === 'reseau') t.counts.set(id, (t.counts.get(id) ?? 0) + 1);
    }
  };
  const epcis = scope.epcis ?? [...new Set(communes.flatMap((c) => (c.epci ? [c.epci.code] : [])))].sort();
  for (const epci of epcis) {
    add(await coverage(structural, territory, [epci]));
    await yieldToIo();
  }
  // coverage() goes by intercommunality: the rare commune outside any (L'Île-d'Yeu) is routed here the same way.
  for (const commune of communes.filter((c) => !c.epci)) add(await coverageOfCommunes(structural, [commune]));

  const cells: StateCell[] = [];
  for (const stage of STAGES) {
    for (const sector of SECTORS) {
      const { counts, ...t } = tallies.get(`${stage}|${sector}`)!;
      const essActorIds = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
      cells.push({ stage, sector, ...t, essActorIds });
    }
  }
  return { rulesVersion, computedAt: now(), communes: communes.length, cells, essHoles };
}

function key(c: CoverageCombo): string {
  return `${c.commune.code}|${c.stage}|${c.sector}`;
}

/**
 * One état des lieux per scope, computed once per rules version and Paris day (absences), shared
 * by concurrent requests; a failed computation is not kept.
 */
export class OfferStateCache {
  private readonly entries = new Map<string, { key: string; value: Promise<OfferState> }>();

  constructor(
    private readonly router: Router,
    private readonly territory: TerritoryIndex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(scope: OfferScope): Promise<OfferState> {
    const id = scope.id ?? '*';
    const key = `${this.router.rulesVersion}|${parisDay(this.now())}`;
    const cached = this.entries.get(id);
    if (cached?.key === key) return cached.value;
    const value = offerState(this.router, this.territory, scope, this.now);
    this.entries.set(id, { key, value });
    value.catch(() => {
      if (this.entries.get(id)?.value === value) this.entries.delete(id);
    });
    return value;
  }
}
