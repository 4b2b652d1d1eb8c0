// Found under load (bench/load.ts): one SMTP connection per message (~100 ms each, even on
// loopback) made 400 notifications take ~45 s after 200 hand-offs. The transport now keeps its
// connection: a queue goes out on one connection, still each message once.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { SMTPServer } from 'smtp-server';
import { Mailer } from '../../src/notifications/mailer.js';
import { smtpTransport } from '../../src/notifications/transport.js';
import { openStore, type QueuedMail } from '../../src/store/index.js';
import { tempDir } from '../referrals/helpers.js';
import { parseMail } from '../notifications/smtp.js';

function mail(id: string): QueuedMail {
  const at = new Date().toISOString();
  return { id, reference: 'AIG-2345-67', kind: 'test', to: ['porteur@exemple.fr'], subject: id, text: 'Bonjour', html: '<p>Bonjour</p>', createdAt: at, attempts: 0, nextAttemptAt: at, lastError: null };
}

test('the SMTP transport sends a queue of messages on one kept connection, each once', async () => {
  let connections = 0;
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(parseMail(Buffer.concat(chunks).toString('utf8')).queueId);
        callback();
      });
    },
  });
  const serverErrors: Error[] = [];
  server.on('error', (error: Error) => serverErrors.push(error));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.server.address() as AddressInfo).port;

  const dataDir = tempDir(t, 'aig-pool');
  const store = await openStore({ dataDir });
  const mailer = new Mailer({ store, transport: smtpTransport(`smtp://127.0.0.1:${port}`, 'Aiguillage <aiguillage@example.org>'), outboxDir: join(dataDir, 'outbox') });
  t.after(async () => {
    mailer.close();
    await store.close();
  });
  const ids = Array.from({ length: 20 }, (_, i) => `AIG-2345-67.m${i}`);
  await store.commit({ enqueue: ids.map(mail) });
  assert.deepEqual(await mailer.flush(), { sent: 20, failed: 0, notes: 0 });
  assert.deepEqual(received.sort(), [...ids].sort(), 'each message once');
  assert.equal(connections, 1, `one connection for the whole queue, not ${connections}`);
  assert.deepEqual(serverErrors, [], 'no connection error on the server side');
});
