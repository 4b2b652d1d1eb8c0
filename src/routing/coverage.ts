// Coverage: for every commune of the served territories × stage × sector, what a holder gets.
// A hole is a combination answered only by a fallback (or by nothing). Mismatches flag a rule
// sending a holder to an actor whose declared stages or sectors do not include theirs.
import { SECTORS, STAGES, emptyProfile, type Sector, type Stage } from '../domain/profile.js';
import { zoneKind, type Actor } from '../domain/actor.js';
import type { Commune, TerritoryIndex } from '../territory/types.js';
import type { Router } from './router.js';

export interface CoverageCombo {
  commune: { code: string; nom: string };
  epci: string | null;
  stage: Stage;
  sector: Sector;
  actorIds: string[];
  ruleIds: string[];
  fallback: boolean;
}

export interface CoverageMismatch {
  actorId: string;
  ruleId: string;
  commune: string;
  stage: Stage;
  sector: Sector;
  why: 'stage' | 'sector';
}

export interface CoverageReport {
  rulesVersion: string;
  epcis: Array<{ code: string; nom: string; communes: number }>;
  combos: CoverageCombo[];
  holes: CoverageCombo[];
  mismatches: CoverageMismatch[];
}

/** EPCIs named in some actor's zones: the territories the directory serves commune by commune. */
export function servedEpcis(actors: readonly Actor[]): string[] {
  return [...new Set(actors.flatMap((a) => a.zones.filter((z) => zoneKind(z) === 'epci')))].sort();
}

export async function coverage(router: Router, territory: TerritoryIndex, epciCodes: string[]): Promise<CoverageReport> {
  const epcis: CoverageReport['epcis'] = [];
  const communes: Commune[] = [];
  for (const code of epciCodes) {
    const epci = territory.epci(code);
    if (!epci) throw new Error(`EPCI inconnu : ${code}`);
    const members = territory.communesOfEpci(code);
    epcis.push({ code, nom: epci.nom, communes: members.length });
    communes.push(...members);
  }
  const combos: CoverageCombo[] = [];
  const mismatches: CoverageMismatch[] = [];
  const rulesVersion = router.rulesVersion;
  for (const commune of communes) {
    for (const stage of STAGES) {
      for (const sector of SECTORS) {
        const profile = {
          ...emptyProfile(),
          stage,
          sector,
          commune: { code: commune.code, nom: commune.nom },
          epci: commune.epci,
          departement: commune.departement,
        };
        const decision = await router.route(profile);
        combos.push({
          commune: { code: commune.code, nom: commune.nom },
          epci: commune.epci?.code ?? null,
          stage,
          sector,
          actorIds: decision.referrals.map((r) => r.actorId),
          ruleIds: decision.referrals.map((r) => r.ruleId),
          fallback: decision.fallback,
        });
        for (const r of decision.referrals) {
          const actor = router.actorById(r.actorId);
          if (!actor || decision.fallback) continue;
          if (!actor.stages.includes(stage)) mismatches.push({ actorId: r.actorId, ruleId: r.ruleId, commune: commune.code, stage, sector, why: 'stage' });
          if (actor.sectors !== 'all' && !actor.sectors.includes(sector)) mismatches.push({ actorId: r.actorId, ruleId: r.ruleId, commune: commune.code, stage, sector, why: 'sector' });
        }
      }
    }
  }
  return { rulesVersion, epcis, combos, holes: combos.filter((c) => c.fallback || c.actorIds.length === 0), mismatches };
}
