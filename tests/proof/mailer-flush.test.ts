// Found under load (bench/load.ts): a mail queued while a flush was sending waited for the
// scheduler's next tick (60 s), because the running pass had read the queue before it existed
// and the new flush() only joined that pass. Now the pass goes round once more.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { Mailer } from '../../src/notifications/mailer.js';
import type { MailTransport, OutgoingMail } from '../../src/notifications/transport.js';
import { openStore, type QueuedMail } from '../../src/store/index.js';
import { tempDir } from '../referrals/helpers.js';

function mail(id: string): QueuedMail {
  const at = new Date().toISOString();
  return { id, reference: 'AIG-2345-67', kind: 'test', to: ['porteur@exemple.fr'], subject: id, text: 'Bonjour', html: '<p>Bonjour</p>', createdAt: at, attempts: 0, nextAttemptAt: at, lastError: null };
}

test('a mail queued during a flush is sent by that flush, not at the next tick', async () => {
  const dataDir = tempDir(t, 'aig-flush');
  const store = await openStore({ dataDir });
  t.after(() => store.close());
  const sent: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const sending = new Promise<void>((resolve) => (entered = resolve));
  const transport: MailTransport = {
    kind: 'smtp',
    async send(m: OutgoingMail) {
      if (m.queueId === 'first') {
        entered();
        await gate; // the SMTP server is slow on the first one
      }
      sent.push(m.queueId);
    },
    close: () => undefined,
  };
  const mailer = new Mailer({ store, transport, outboxDir: join(dataDir, 'outbox') });
  await store.commit({ enqueue: [mail('first')] });
  const firstFlush = mailer.flush();
  await sending;
  // Another holder's referral lands while the first mail is being sent.
  await store.commit({ enqueue: [mail('second')] });
  const secondFlush = mailer.flush();
  release();
  const [a, b] = await Promise.all([firstFlush, secondFlush]);
  assert.deepEqual(sent, ['first', 'second']);
  assert.equal(a.sent, 2);
  assert.equal(b.sent, 2);
  assert.equal((await store.mails.queued()).length, 0, 'nothing left for the next tick');
  assert.deepEqual(await mailer.flush(), { sent: 0, failed: 0, notes: 0 }, 'each mail once');
});
