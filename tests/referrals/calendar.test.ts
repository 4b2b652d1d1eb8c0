// Capacity and calendar through the real service: the live router counts each actor's
// referrals this month from the store (wired as in src/index.ts) and sends the overflow to the
// next structure of the same slot; absences too. Working days skip French public holidays
// (a request made the day before one); actor links outlive the reassignment by a margin.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { emptyProfile } from '../../src/domain/profile.js';
import { isWorkingDay } from '../../src/referrals/workingDays.js';
import { liveActorLoad, openReferrals } from '../../src/referrals/index.js';
import { createRouter } from '../../src/routing/index.js';
import { loadTerritory } from '../../src/territory/index.js';
import { Clock, decision, holderInput, ROOT, tempDir } from './helpers.js';

const territory = loadTerritory();

async function live(t: Parameters<typeof tempDir>[0] & { after(fn: () => unknown): void }, patch: Record<string, object>, start: string) {
  const dir = tempDir(t, 'aig-capacity');
  cpSync(join(ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  const file = JSON.parse(readFileSync(join(ROOT, 'data', 'actors.json'), 'utf8')) as { actors: { id: string }[] };
  for (const actor of file.actors) Object.assign(actor, patch[actor.id] ?? {});
  writeFileSync(join(dir, 'actors.json'), JSON.stringify(file));
  const clock = new Clock(Date.parse(start));
  const load = liveActorLoad();
  const router = await createRouter({ rulesDir: join(dir, 'rules'), actorsFile: join(dir, 'actors.json'), territory, loadOf: load.loadOf, now: clock.now });
  const referrals = await openReferrals({
    dataDir: join(dir, 'data'),
    publicUrl: 'https://aiguillage.example.org',
    actors: router,
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-0123456789',
    now: clock.now,
  });
  load.attach(referrals.service);
  t.after(async () => {
    await referrals.close();
    router.close();
  });
  return { router, referrals, clock };
}

// An idea in Nantes: the « émergence » slot has Les Ecossolies first, the CRESS after them.
const nantes = () => {
  const c = territory.commune('44109')!;
  return { ...emptyProfile(), stage: 'idee' as const, sector: 'alimentation' as const, commune: { code: c.code, nom: c.nom }, epci: c.epci, departement: c.departement };
};

test('capacité mensuelle : au-delà, la demande va à la structure suivante du même créneau ; le mois suivant, la capacité revient', async () => {
  const { router, referrals, clock } = await live(t, { ecossolies: { monthlyCapacity: 2 } }, '2026-11-16T09:00:00Z');
  const actorsOf = async () => {
    const decision = await router.route(nantes());
    const created = await referrals.service.createReferral(holderInput({ profile: nantes(), decision }));
    return { decision, actors: created.referrals.map((r) => r.actorId) };
  };
  assert.ok((await actorsOf()).actors.includes('ecossolies'));
  assert.ok((await actorsOf()).actors.includes('ecossolies'));
  assert.equal(referrals.service.actorLoad('ecossolies'), 2);
  const third = await actorsOf();
  assert.ok(!third.actors.includes('ecossolies'), 'capacité atteinte');
  assert.deepEqual(third.decision.referrals.map((r) => [r.actorId, r.ruleId]).slice(0, 1), [['cress-pdl', 'ess-emergence-cress']]);
  assert.deepEqual(new Set(third.decision.skipped.filter((s) => s.actorId === 'ecossolies').map((s) => s.why)), new Set(['over_capacity']));
  clock.set('2026-12-01T09:00:00Z');
  assert.ok((await actorsOf()).actors.includes('ecossolies'), 'nouveau mois');
});

test('absence : la structure absente ce jour-là est remplacée par la suivante du créneau', async () => {
  const { router } = await live(t, { ecossolies: { absences: [{ from: '2026-11-16', to: '2026-11-20' }] } }, '2026-11-16T09:00:00Z');
  const decision = await router.route(nantes());
  assert.equal(decision.referrals[0]!.actorId, 'cress-pdl');
  assert.deepEqual(new Set(decision.skipped.filter((s) => s.actorId === 'ecossolies').map((s) => s.why)), new Set(['absent']));
  assert.ok(!decision.referrals.some((r) => r.actorId === 'ecossolies'));
});

test('jours fériés : une demande faite la veille du 11 novembre est relancée un jour ouvré plus tard', async () => {
  assert.equal(isWorkingDay(new Date('2026-11-11T10:00:00Z')), false, 'Armistice');
  assert.equal(isWorkingDay(new Date('2026-05-14T10:00:00Z')), false, 'Ascension 2026');
  assert.equal(isWorkingDay(new Date('2026-11-12T10:00:00Z')), true);
  // Tuesday 10 November 2026, 10:00 in Paris; Wednesday 11 is a public holiday.
  const { referrals: r, clock } = await live(t, {}, '2026-11-10T09:00:00Z');
  const { reference } = await r.service.createReferral(holderInput());
  const id = `${reference}-1`;
  clock.set('2026-11-13T09:00:00Z'); // Friday: 3 weekdays, but only 2 working days
  await r.scheduler.tick();
  assert.equal(await r.store.mails.known(`${id}.remind-1`), false, 'le 11 novembre ne compte pas');
  clock.set('2026-11-16T09:00:00Z'); // Monday: 3 working days
  assert.equal((await r.scheduler.tick()).followUp.reminded, 1);
  assert.ok(await r.store.mails.known(`${id}.remind-1`));
});

test('les liens de la structure restent valables jusqu’à la réorientation, plus une marge', async () => {
  const { referrals: r, clock } = await live(t, {}, '2026-11-10T09:00:00Z');
  const { reference } = await r.service.createReferral(holderInput());
  const text = (await r.store.mails.get(`${reference}-1.actor-new`))!.text;
  // Created 10 November, reassigned after 14 days (24th), links until the 27th (margin 3).
  const { expireDays, linkMarginDays } = r.service.policy;
  assert.equal(expireDays + linkMarginDays, 17);
  assert.match(text, /Ces liens sont valables jusqu’au 27 novembre 2026\. Sans réponse dans les 14 jours/);
  // The reminder on the 16th carries links with the same end, never an earlier one.
  clock.set('2026-11-16T09:00:00Z');
  assert.equal((await r.service.followUp()).reminded, 1);
  assert.match((await r.store.mails.get(`${reference}-1.remind-1`))!.text, /valables jusqu’au 27 novembre 2026/);
});

test('escalade : les experts absents ou au complet sont passés, la demande va aux autres, sinon à la tête de réseau', async () => {
  const { referrals: r } = await live(
    t,
    { ecossolies: { absences: [{ from: '2026-11-01', to: '2026-11-30' }] }, 'france-active-pdl': { monthlyCapacity: 5 } },
    '2026-11-16T09:00:00Z',
  );
  const first = await r.service.createReferral(holderInput({ decision: decision(['clisson-sevre-maine-eco'], ['ecossolies', 'france-active-pdl']) }));
  await r.service.decline(`${first.reference}-1`, { reason: 'hors_offre' }, 'actor:clisson-sevre-maine-eco');
  assert.deepEqual((await r.service.byReference(first.reference)).map((x) => [x.actorId, x.status]), [
    ['clisson-sevre-maine-eco', 'declined'],
    ['france-active-pdl', 'pending'],
  ], 'Les Ecossolies sont absentes ce mois-ci');
  // France Active reaches its capacity: the next request goes to the network head.
  for (let i = 0; i < 4; i += 1) await r.service.createReferral(holderInput({ decision: decision([], ['france-active-pdl']) }));
  assert.equal(r.service.actorLoad('france-active-pdl'), 5);
  const second = await r.service.createReferral(holderInput({ decision: decision(['clisson-sevre-maine-eco'], ['ecossolies', 'france-active-pdl']) }));
  await r.service.decline(`${second.reference}-1`, { reason: 'hors_offre' }, 'actor:clisson-sevre-maine-eco');
  assert.deepEqual((await r.service.byReference(second.reference)).map((x) => x.actorId), ['clisson-sevre-maine-eco', 'cress-pdl']);
});
