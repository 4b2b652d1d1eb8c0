#!/usr/bin/env node
// A throwaway PostgreSQL cluster on loopback, for the tests, the benchmarks and a local trial of
// the production mode. Debian's `postgresql` is installed when missing (root only), then:
//   node scripts/postgres.mjs start [DIR] [PORT]   prints DATABASE_URL=postgres://…
//   node scripts/postgres.mjs stop  [DIR]
// initdb refuses root: the cluster runs as the `postgres` user, in DIR (default .postgres/),
// trust authentication, listening on 127.0.0.1 only (DESIGN.md §6).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Under the temporary directory: the `postgres` user must be able to reach it (not under /root).
export const DEFAULT_DIR = resolve(tmpdir(), 'aiguillage-postgres');

/** Directory of pg_ctl and initdb: Debian keeps them out of PATH, under /usr/lib/postgresql/<n>/bin. */
export function postgresBin() {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(`${base}/${v}/bin/initdb`)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? `${base}/${versions[0]}/bin` : null;
}

export function ensureInstalled() {
  if (postgresBin()) return postgresBin();
  if (process.getuid?.() !== 0) throw new Error('PostgreSQL absent : installez-le (apt-get install postgresql) pour les tests de production.');
  console.error('Installing Debian postgresql for the production-mode tests…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const bin = postgresBin();
  if (!bin) throw new Error('apt-get install postgresql did not provide initdb');
  return bin;
}

function asPostgres(bin, args) {
  const cmd = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return spawnSync(cmd[0], cmd[1], { encoding: 'utf8' });
}

/** Starts a fresh cluster (or the one already in DIR); returns the superuser URL. `durable`: fsync on (benchmarks). */
export function startCluster(dir = DEFAULT_DIR, port = 54329, { durable = false } = {}) {
  const bin = ensureInstalled();
  const data = resolve(dir, 'data');
  const sockets = resolve(dir, 'sockets');
  if (!existsSync(resolve(data, 'PG_VERSION'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    mkdirSync(sockets, { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    chmodSync(data, 0o700);
    const init = asPostgres(`${bin}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const status = asPostgres(`${bin}/pg_ctl`, ['-D', data, 'status']);
  if (status.status !== 0) {
    // Tests: fsync off (a throwaway cluster). Benchmarks: durable, as in production.
    const speed = durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const opts = `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c max_connections=200${speed}`;
    const start = asPostgres(`${bin}/pg_ctl`, ['-D', data, '-o', opts, '-l', resolve(data, 'server.log'), '-w', '-t', '60', 'start']);
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr || start.stdout}`);
  }
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

export function stopCluster(dir = DEFAULT_DIR, { remove = false } = {}) {
  const bin = postgresBin();
  const data = resolve(dir, 'data');
  if (bin && existsSync(resolve(data, 'PG_VERSION'))) asPostgres(`${bin}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']);
  if (remove) rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, dir, port] = process.argv.slice(2);
  if (command === 'start') console.log(`DATABASE_URL=${startCluster(dir ? resolve(dir) : DEFAULT_DIR, port ? Number(port) : 54329, { durable: process.env.PG_DURABLE === '1' })}`);
  else if (command === 'stop') stopCluster(dir ? resolve(dir) : DEFAULT_DIR);
  else {
    console.error('usage: node scripts/postgres.mjs start|stop [DIR] [PORT]');
    process.exit(2);
  }
}
