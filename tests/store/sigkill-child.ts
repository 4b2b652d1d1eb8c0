// Child process for sigkill.test.ts: 200 concurrent creations, without end, each reference
// printed on stdout once createReferral resolved (after the durable write). The parent kills it.
import { openReferrals } from '../../src/referrals/index.js';
import { holderInput, testActors } from '../referrals/helpers.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: sigkill-child.ts DATA_DIR');
const referrals = await openReferrals({
  dataDir,
  publicUrl: 'https://aiguillage.example.org',
  actors: await testActors(),
  mailFrom: 'Aiguillage <aiguillage@example.org>',
  secret: 'secret-de-test-0123456789',
});
process.stderr.write('prêt\n');

async function worker(): Promise<never> {
  for (;;) {
    const { reference } = await referrals.service.createReferral(holderInput());
    // Pipes are synchronous on Linux: once written here, the parent will read it.
    process.stdout.write(`${reference}\n`);
  }
}
await Promise.all(Array.from({ length: 200 }, worker));
