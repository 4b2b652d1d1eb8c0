// `npm run fault`: the fault scenarios and the fuzzer against the real server process (loopback
// only, bounded). `npm run fault -- kill smtp` runs some of them. Sizes: FAULT_HOLDERS (SIGKILL
// load, default 60), FUZZ_COUNT (default 10000), FUZZ_SEED (default: random, printed: replay
// with it). Exit code 1 when a check fails. pg-kill and pg-stop: two instances on PostgreSQL
// (scripts/fault-postgres.ts; PG_FAULT_HOLDERS, default 100).
import { randomInt } from 'node:crypto';
import { badInput, failedWrite, sigkillDuringLoad, smtpDownThenUp, type Verdict } from '../tests/proof/faults.js';
import { killOneOfTwo, postgresStopped } from './fault-postgres.js';

const holders = Number(process.env.FAULT_HOLDERS ?? 60);
const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const count = Number(process.env.FUZZ_COUNT ?? 10_000);
const pgHolders = Number(process.env.PG_FAULT_HOLDERS ?? 100);

const scenarios: Record<string, () => Promise<Verdict>> = {
  kill: () => sigkillDuringLoad({ holders, killAfter: Math.max(1, Math.floor(holders / 3)) }),
  smtp: () => smtpDownThenUp({ holders: 10, downSeconds: 4 }),
  write: () => failedWrite(),
  fuzz: () => badInput({ count, seed }),
  'pg-kill': () => killOneOfTwo({ holders: pgHolders, killAfter: Math.floor(pgHolders / 3) }),
  'pg-stop': () => postgresStopped({ holders: Math.ceil(pgHolders / 2), downSeconds: 10 }),
};

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in scenarios));
  if (unknown.length) {
    console.error(`Scénario inconnu : ${unknown.join(', ')} (connus : ${Object.keys(scenarios).join(', ')})`);
    return 2;
  }
  console.log(`Graine du fuzz : ${seed} (rejouer : FUZZ_SEED=${seed} npm run fault -- fuzz)`);
  const verdicts: Verdict[] = [];
  for (const [name, run] of Object.entries(scenarios)) {
    if (wanted.length && !wanted.includes(name)) continue;
    process.stderr.write(`… ${name}\n`);
    const verdict = await run();
    verdicts.push(verdict);
    console.log(`\n${verdict.ok ? 'RÉUSSI' : 'ÉCHOUÉ'} — ${verdict.name} (${verdict.seconds.toFixed(1)} s)`);
    for (const line of verdict.lines) console.log(`  ${line}`);
  }
  const failed = verdicts.filter((v) => !v.ok);
  console.log(`\n${verdicts.length - failed.length}/${verdicts.length} scénarios réussis${failed.length ? ` ; échecs : ${failed.map((v) => v.name).join(' ; ')}` : ''}`);
  // The plain closing line CI reads, whatever the language of the lines above.
  console.log(`fault: ${verdicts.length - failed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
