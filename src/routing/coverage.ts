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
  departement: string;
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
  /** Combinations where no structure of the ESS (expert or network head) is proposed. */
  essHoles: CoverageCombo[];
  mismatches: CoverageMismatch[];
}

/** The five departments of the Pays de la Loire region, checked by `coverage --region`. */
export const REGION_DEPARTEMENTS = ['44', '49', '53', '72', '85'] as const;

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
  return coverageOfCommunes(router, communes, epcis);
}

/** Coverage of every commune of whole departments (`epcis` lists the departments then). */
export async function coverageOfDepartements(router: Router, territory: TerritoryIndex, codes: readonly string[]): Promise<CoverageReport> {
  const communes: Commune[] = [];
  const areas: CoverageReport['epcis'] = [];
  for (const code of codes) {
    const dep = territory.departement(code);
    if (!dep) throw new Error(`Département inconnu : ${code}`);
    const members = territory.communesOfDepartement(code);
    areas.push({ code, nom: dep.nom, communes: members.length });
    communes.push(...members);
  }
  return coverageOfCommunes(router, communes, areas);
}

/** Coverage of a list of communes; `epcis` names the areas they were taken from (for reports). */
export async function coverageOfCommunes(router: Router, communes: readonly Commune[], epcis: CoverageReport['epcis'] = []): Promise<CoverageReport> {
  const combos: CoverageCombo[] = [];
  const essHoles: CoverageCombo[] = [];
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
        const combo: CoverageCombo = {
          commune: { code: commune.code, nom: commune.nom },
          epci: commune.epci?.code ?? null,
          departement: commune.departement,
          stage,
          sector,
          actorIds: decision.referrals.map((r) => r.actorId),
          ruleIds: decision.referrals.map((r) => r.ruleId),
          fallback: decision.fallback,
        };
        combos.push(combo);
        // Chambers and local generalists are not ESS structures: one expert or network head is needed.
        if (!decision.referrals.some((r) => r.role === 'expert' || r.role === 'reseau')) essHoles.push(combo);
        for (const r of decision.referrals) {
          const actor = router.actorById(r.actorId);
          if (!actor || decision.fallback) continue;
          if (!actor.stages.includes(stage)) mismatches.push({ actorId: r.actorId, ruleId: r.ruleId, commune: commune.code, stage, sector, why: 'stage' });
          if (actor.sectors !== 'all' && !actor.sectors.includes(sector)) mismatches.push({ actorId: r.actorId, ruleId: r.ruleId, commune: commune.code, stage, sector, why: 'sector' });
        }
      }
    }
  }
  return { rulesVersion, epcis, combos, holes: combos.filter((c) => c.fallback || c.actorIds.length === 0), essHoles, mismatches };
}
