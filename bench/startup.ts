// Start-up: time from spawning `npm start`'s command (the bundle, built first as its prestart
// does) to a ready /healthz, and RSS after warm-up.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServer, startArguments } from '../scripts/build.js';
import { ms, type Row } from './stats.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function health(port: number): Promise<{ warm?: boolean } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return res.ok ? ((await res.json()) as { warm?: boolean }) : null;
  } catch {
    return null;
  }
}

export async function benchStartup(): Promise<Row[]> {
  const build = await buildServer();
  const port = await freePort();
  const t = performance.now();
  const child = spawn(process.execPath, startArguments(), {
    env: { ...process.env, PORT: String(port), BACKOFFICE_PORT: String(await freePort()), AIGUILLAGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'aiguillage-bench-')) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  try {
    let ready = Number.NaN;
    let warmAt = Number.NaN;
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      const h = await health(port);
      if (h && Number.isNaN(ready)) ready = performance.now() - t;
      if (h?.warm) {
        warmAt = performance.now() - t;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    if (Number.isNaN(ready)) throw new Error(`le serveur n’a pas démarré :\n${stderr}`);
    const rss = rssMb(child.pid!);
    return [
      { name: 'Construction de dist/server.mjs (prestart de npm start)', value: `${ms(build.ms)}, ${(build.bytes / 1e6).toFixed(1)} Mo`, target: 'informatif' },
      { name: 'Démarrage jusqu’à /healthz prêt', value: ms(ready), target: '≤ 2 s', ok: ready <= 2000 },
      { name: 'Démarrage jusqu’aux reconnaisseurs chauds', value: ms(warmAt), target: 'informatif' },
      { name: 'Mémoire RSS après démarrage', value: `${rss.toFixed(0)} Mo`, target: '≤ 150 Mo', ok: rss <= 150 },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}
