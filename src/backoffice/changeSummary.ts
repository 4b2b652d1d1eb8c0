// What a draft changes for holders, in words: the same holders routed with the live rules and
// with the draft (every commune × stage × sector of the territories, through the coverage, plus
// sample projects with each need, form and receptionist fact), then the differences grouped
// into sentences: « Les projets au stade de l’idée dans la Communauté de communes Sèvre et
// Loire iront désormais vers les Ecossolies au lieu de … ».
import { BOOLEAN_FACTS, BOOLEAN_FACT_LABELS, NEEDS, NEED_LABELS, PROJECT_TYPES, PROJECT_TYPE_LABELS, SECTORS, SECTOR_LABELS, STAGES, TRADES, TRADE_LABELS, emptyProfile, type Profile, type Stage } from '../domain/profile.js';
import type { CoverageCombo, CoverageReport, Router } from '../routing/index.js';
import type { Commune, TerritoryIndex } from '../territory/types.js';

const STAGE_WORDS: Record<Stage, string> = {
  idee: 'au stade de l’idée',
  creation: 'en création',
  developpement: 'en développement',
};

export interface ChangeSentence {
  text: string;
  /** Combinations behind the sentence. */
  count: number;
}

export interface CoverageChange {
  before: CoverageCombo;
  after: CoverageCombo;
}

export interface ChangeSummary {
  sentences: ChangeSentence[];
  /** Commune × stage × sector combinations whose answer changes. */
  coverageChanges: CoverageChange[];
  combos: number;
  holesBefore: number;
  holesAfter: number;
}

interface Change {
  qualifier: string;
  stage: Stage;
  commune: { code: string; nom: string; epci: string | null };
  sector: string | null;
  before: string[];
  after: string[];
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function frenchList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} et ${items.at(-1)}`;
}

/** Sample projects beyond stage × sector: one per need, form and receptionist fact. */
function samples(): Array<{ qualifier: string; patch: Partial<Profile> }> {
  return [
    ...NEEDS.map((n) => ({ qualifier: `qui ont besoin de « ${NEED_LABELS[n]} »`, patch: { needs: [n] } as Partial<Profile> })),
    ...PROJECT_TYPES.map((t) => ({ qualifier: `portés « ${PROJECT_TYPE_LABELS[t].toLowerCase()} »`, patch: { projectType: t } as Partial<Profile> })),
    ...BOOLEAN_FACTS.map((f) => ({ qualifier: `avec « ${lowerFirst(BOOLEAN_FACT_LABELS[f])} »`, patch: { [f]: true } as Partial<Profile> })),
    ...TRADES.filter((t) => t !== 'autre').map((t) => ({ qualifier: t === 'artisanat' ? 'relevant de l’artisanat' : `relevant du ${lowerFirst(TRADE_LABELS[t])}`, patch: { trade: t } as Partial<Profile> })),
  ];
}

export async function summarizeChanges(o: {
  live: Router;
  draft: Router;
  territory: TerritoryIndex;
  coverage: (router: Router) => Promise<CoverageReport>;
  actorName: (id: string) => string;
}): Promise<ChangeSummary> {
  const [before, after] = await Promise.all([o.coverage(o.live), o.coverage(o.draft)]);
  const changes: Change[] = [];
  const coverageChanges: CoverageChange[] = [];
  const afterByKey = new Map(after.combos.map((c) => [`${c.commune.code}|${c.stage}|${c.sector}`, c]));
  for (const b of before.combos) {
    const a = afterByKey.get(`${b.commune.code}|${b.stage}|${b.sector}`);
    if (!a || (same(a.actorIds, b.actorIds) && a.fallback === b.fallback)) continue;
    coverageChanges.push({ before: b, after: a });
    changes.push({ qualifier: '', stage: b.stage, commune: { ...b.commune, epci: b.epci }, sector: b.sector, before: b.actorIds, after: a.actorIds });
  }
  // Sample projects: one commune per intercommunality is enough to see a rule on a need or a fact.
  // A sample that changes exactly as its commune and stage already do says nothing new.
  const delta = (b: string[], a: string[]) => `${a.filter((x) => !b.includes(x)).join(',')}|${b.filter((x) => !a.includes(x)).join(',')}`;
  const known = new Set(changes.map((c) => `${c.commune.code}|${c.stage}|${delta(c.before, c.after)}`));
  const communes = new Map<string, Commune>();
  for (const area of before.epcis) {
    const first = o.territory.communesOfEpci(area.code)[0] ?? o.territory.communesOfDepartement(area.code)[0];
    if (first) communes.set(area.code, first);
  }
  for (const s of samples()) {
    for (const commune of communes.values()) {
      for (const stage of STAGES) {
        const profile: Profile = { ...emptyProfile(), stage, commune: { code: commune.code, nom: commune.nom }, epci: commune.epci, departement: commune.departement, ...s.patch };
        const [x, y] = await Promise.all([o.live.route(profile), o.draft.route(profile)]);
        const bx = x.referrals.map((r) => r.actorId);
        const by = y.referrals.map((r) => r.actorId);
        if (!same(bx, by) && !known.has(`${commune.code}|${stage}|${delta(bx, by)}`)) changes.push({ qualifier: s.qualifier, stage, commune: { code: commune.code, nom: commune.nom, epci: commune.epci?.code ?? null }, sector: null, before: bx, after: by });
      }
    }
  }
  return {
    sentences: sentences(changes, before, o.territory, o.actorName),
    coverageChanges,
    combos: before.combos.length,
    holesBefore: before.holes.length,
    holesAfter: after.holes.length,
  };
}

function sentences(changes: Change[], report: CoverageReport, territory: TerritoryIndex, actorName: (id: string) => string): ChangeSentence[] {
  // Same qualifier, same structures gained and lost: one sentence; stages merged when their places match.
  const groups = new Map<string, { qualifier: string; added: string[]; removed: string[]; stages: Set<Stage>; communes: Map<string, Change['commune']>; sectors: Set<string>; count: number }>();
  for (const c of changes) {
    const added = c.after.filter((x) => !c.before.includes(x));
    const removed = c.before.filter((x) => !c.after.includes(x));
    if (added.length === 0 && removed.length === 0) continue; // same structures, another order
    const key = `${c.qualifier}|${added.join(',')}|${removed.join(',')}|${c.stage}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { qualifier: c.qualifier, added, removed, stages: new Set(), communes: new Map(), sectors: new Set(), count: 0 }));
    g.stages.add(c.stage);
    g.communes.set(c.commune.code, c.commune);
    if (c.sector) g.sectors.add(c.sector);
    g.count += 1;
  }
  const out: ChangeSentence[] = [];
  const sampled = new Set(report.epcis.map((e) => e.code));
  for (const g of groups.values()) {
    const where = g.qualifier ? placesOfSamples(g.communes, sampled, territory) : placesText(g.communes, territory);
    const stage = [...g.stages].map((s) => STAGE_WORDS[s]).join(' ou ');
    const sectors = g.sectors.size === 0 || g.sectors.size === SECTORS.length ? '' : ` (secteur${g.sectors.size > 1 ? 's' : ''} ${frenchList([...g.sectors].map((s) => `« ${SECTOR_LABELS[s as keyof typeof SECTOR_LABELS]} »`))})`;
    const subject = `Les projets ${g.qualifier ? `${g.qualifier} ` : ''}${stage} ${where}${sectors}`;
    const added = frenchList(g.added.map(actorName));
    const removed = frenchList(g.removed.map(actorName));
    const verb = g.added.length && g.removed.length ? `iront désormais vers ${added} au lieu de ${removed}` : g.added.length ? `seront aussi orientés vers ${added}` : `ne seront plus orientés vers ${removed}`;
    out.push({ text: `${subject} ${verb}.`, count: g.count });
  }
  return out.sort((a, b) => b.count - a.count);
}

/** « dans la Communauté de communes Sèvre et Loire », « à Vallet et Mouzillon », with whole intercommunalities named. */
function placesText(communes: Map<string, Change['commune']>, territory: TerritoryIndex): string {
  const byEpci = new Map<string, string[]>();
  const loose: string[] = [];
  for (const c of communes.values()) {
    if (c.epci) byEpci.set(c.epci, [...(byEpci.get(c.epci) ?? []), c.nom]);
    else loose.push(c.nom);
  }
  const parts: string[] = [];
  const names: string[] = [];
  for (const [code, list] of byEpci) {
    const epci = territory.epci(code);
    if (epci && list.length === epci.membres.length) parts.push(`dans ${epciWithArticle(epci.nom)}`);
    else names.push(...list);
  }
  names.push(...loose);
  names.sort((a, b) => a.localeCompare(b, 'fr'));
  if (names.length) parts.push(names.length > 6 ? `à ${names.slice(0, 5).join(', ')} et ${names.length - 5} autres communes` : `à ${frenchList(names)}`);
  return frenchList(parts);
}

function placesOfSamples(communes: Map<string, Change['commune']>, _sampled: Set<string>, territory: TerritoryIndex): string {
  const epcis = [...new Set([...communes.values()].map((c) => c.epci).filter((e): e is string => !!e))];
  return `dans ${frenchList(epcis.map((e) => epciWithArticle(territory.epci(e)?.nom ?? e)))}`;
}

function epciWithArticle(nom: string): string {
  return /^(Communauté|Métropole|CC |CA |CU )/.test(nom) ? `la ${nom}` : /^(Agglo|Agglomération)/.test(nom) ? `l’${nom}` : nom;
}
