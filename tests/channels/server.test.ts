import { afterAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { createBotServer } from '../../src/channels/server.js';

const servers: Server[] = [];
afterAll(async () => {
  await servers.forEach((s) => s.close());
});

async function start(appId?: string): Promise<string> {
  let turns = 0;
  const server = createBotServer({
    config: { MicrosoftAppId: appId, MicrosoftAppPassword: appId ? 'secret' : undefined, MicrosoftAppTenantId: undefined, MicrosoftAppType: 'MultiTenant' },
    logic: async () => {
      turns += 1;
    },
    health: () => ({ turns }),
    logError: () => undefined,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('bot server', () => {
  it('answers /healthz', async () => {
    const base = await start();
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
  });

  it('has no anonymous /api/messages (it would post to any serviceUrl)', async () => {
    const base = await start();
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'bonjour', serviceUrl: 'http://127.0.0.1:9/' }),
    });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { message: string };
    assert.equal(body.message, 'Ressource introuvable.');
  });

  it('with an app id, /api/messages refuses an unauthenticated call', async () => {
    const base = await start('00000000-0000-0000-0000-000000000000');
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'bonjour', serviceUrl: 'http://127.0.0.1:9/', channelId: 'test', conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' } }),
    });
    assert.equal(res.status, 401);
  });
});
