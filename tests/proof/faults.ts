// Fault scenarios against the real server process, each bounded in count and time:
//  - SIGKILL in the middle of a load, restart on the same data directory;
//  - the SMTP server down for a while, then up;
//  - a write that fails (the file size limit of the process, set from outside: root cannot be
//    stopped by file modes, but RLIMIT_FSIZE stops everyone, with EFBIG and a short write);
//  - bad input (fuzz.ts), then a real conversation.
// Each returns a Verdict; scripts/fault.ts prints them and fails when one fails.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fr } from '../../src/bot/messages.fr.js';
import { startSmtp } from '../notifications/smtp.js';
import { openConversations, runFuzz, summarize } from './fuzz.js';
import {
  Http,
  REFERENCE,
  holderScript,
  runHolders,
  sleep,
  startServerProcess,
  storeFacts,
  tempDir,
  until,
  walkToReferral,
  WidgetConversation,
  type ServerProcess,
} from './harness.js';

export interface Verdict {
  name: string;
  ok: boolean;
  /** What was checked and measured, in French, one line each. */
  lines: string[];
  seconds: number;
}

export class Checks {
  readonly lines: string[] = [];
  ok = true;
  that(condition: boolean, line: string): void {
    this.lines.push(`${condition ? 'ok ' : 'ÉCHEC'} ${line}`);
    if (!condition) this.ok = false;
  }
  note(line: string): void {
    this.lines.push(`    ${line}`);
  }
}

export async function scenario(name: string, run: (checks: Checks) => Promise<void>): Promise<Verdict> {
  const started = performance.now();
  const checks = new Checks();
  try {
    await run(checks);
  } catch (error) {
    checks.that(false, `interrompu : ${(error as Error).stack ?? String(error)}`);
  }
  return { name, ok: checks.ok, lines: checks.lines, seconds: (performance.now() - started) / 1000 };
}

export const countOf = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
};

// ── (a) SIGKILL during the load ──────────────────────────────────────────────

export function sigkillDuringLoad(options: { holders: number; killAfter: number }): Promise<Verdict> {
  return scenario(`SIGKILL pendant ${options.holders} conversations, redémarrage`, async (c) => {
    const dataDir = tempDir('kill');
    const smtp = await startSmtp();
    const env = { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, FOLLOWUP_INTERVAL_SECONDS: '1', MAIL_RETRY_SECONDS: '1' };
    let first: ServerProcess | undefined;
    let second: ServerProcess | undefined;
    try {
      first = await startServerProcess({ dataDir, env });
      const server = first;
      const confirmed: string[] = [];
      let killed: Promise<unknown> | undefined;
      const load = await runHolders(server.base, options.holders, {
        thinkMs: 150,
        rampMs: 1000,
        stop: () => !server.alive(),
        onConfirmed: (reference) => {
          confirmed.push(reference);
          if (confirmed.length === options.killAfter) killed = server.kill();
        },
      });
      const how = await (killed ?? server.kill());
      c.that(how === 'SIGKILL', `le serveur est tué par SIGKILL au milieu de la charge (${how})`);
      c.note(`${confirmed.length} dossiers confirmés au porteur avant la mort, ${load.errors.length} conversations interrompues`);
      c.that(load.errors.length > 0 && confirmed.length >= options.killAfter, 'la mort survient avec des conversations en cours');

      second = await startServerProcess({ dataDir, env });
      const dropped = /(\d+) octets d’une écriture interrompue ignorés/.exec(second.log())?.[1];
      c.that(true, `le magasin s’ouvre au redémarrage (${dropped ? `${dropped} octets d’une écriture interrompue écartés` : 'aucune écriture interrompue'})`);
      const facts = await storeFacts(dataDir);
      const missing = confirmed.filter((r) => !facts.references.has(r));
      c.that(missing.length === 0, `chaque dossier confirmé est dans le magasin (${confirmed.length} confirmés, ${facts.references.size} présents${missing.length ? `, manquants : ${missing.join(', ')}` : ''})`);
      c.that(new Set(confirmed).size === confirmed.length, 'aucun numéro de dossier donné deux fois');

      // The restarted server works: a new holder reaches a referral.
      const again = new Http(second.base, '127.0.0.200');
      const after = await walkToReferral(again, 999);
      again.close();
      c.that(REFERENCE.test(`Votre numéro de dossier : ${after.reference}`), `après redémarrage, une nouvelle conversation aboutit (${after.reference})`);

      // Every e-mail owed for a stored request goes out (at least once: a kill between the
      // SMTP server's acceptance and the receipt resends it, with the same Message-ID).
      const final = await storeFacts(dataDir);
      const owed = [...final.owedMails.values()].flat();
      await until('courriels dus après redémarrage', () => (owed.every((id) => smtp.received.some((m) => m.queueId === id)) ? true : undefined), 30_000, 200).catch(() => undefined);
      const counts = countOf(smtp.received.map((m) => m.queueId));
      const undelivered = owed.filter((id) => !counts.has(id));
      const twice = [...counts.values()].filter((n) => n > 1).length;
      c.that(undelivered.length === 0, `chaque courriel dû est remis (${owed.length} dus, ${undelivered.length} manquants)`);
      c.that(smtp.connectionErrors.length === 0, `le serveur SMTP ne voit aucune erreur autre que la coupure du processus tué (${smtp.connectionErrors.map((e) => e.message).join(', ') || 'aucune'})`);
      c.note(`${twice} courriel(s) remis deux fois, même Message-ID (au moins une fois après une mort entre l’envoi et le reçu : attendu, le destinataire peut dédoublonner)`);

      const how2 = await second.stop();
      c.that(how2 === 0 || how2 === null, 'arrêt propre du serveur redémarré (SIGTERM)');
      const reopened = await storeFacts(dataDir);
      c.that(reopened.droppedBytes === 0 && reopened.references.size === final.references.size, `le magasin se rouvre propre (${reopened.references.size} dossiers, aucune ligne tronquée)`);
    } finally {
      await first?.kill();
      await second?.kill();
      await smtp.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

// ── (b) SMTP down, then up ───────────────────────────────────────────────────

export function smtpDownThenUp(options: { holders: number; downSeconds: number }): Promise<Verdict> {
  return scenario(`SMTP arrêté ${options.downSeconds} s puis rétabli, ${options.holders} dossiers`, async (c) => {
    const dataDir = tempDir('smtp');
    const smtp = await startSmtp();
    await smtp.stop(); // down from the start: the first sends fail
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess({
        dataDir,
        env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, FOLLOWUP_INTERVAL_SECONDS: '1', MAIL_RETRY_SECONDS: '1' },
      });
      const load = await runHolders(server.base, options.holders, { thinkMs: 50, perAddress: 10 });
      c.that(load.errors.length === 0, `${load.runs.length} porteurs confirmés pendant la panne, ${load.errors.length} erreurs`);
      const downStarted = performance.now();
      await sleep(options.downSeconds * 1000);
      const during = await storeFacts(dataDir);
      const owed = [...during.owedMails.values()].flat();
      const failures = (server.log().match(/échec de l’envoi/g) ?? []).length;
      c.that(smtp.received.length === 0 && during.queuedMails === owed.length, `pendant la panne : rien de remis, ${during.queuedMails}/${owed.length} courriels en file`);
      c.that(failures >= owed.length, `les essais échoués sont journalisés sans adresse (${failures} échecs)`);
      c.that(!/porteur\.\d+@exemple\.fr|Camille Essai/.test(server.log()), 'ni adresse ni nom de porteur dans le journal du serveur');

      await smtp.start(); // back up on the same port
      const upAt = performance.now();
      await until('courriels remis après rétablissement', () => (new Set(smtp.received.map((m) => m.queueId)).size >= owed.length ? true : undefined), 60_000, 100);
      const delay = (performance.now() - upAt) / 1000;
      await sleep(3000); // three more scheduler ticks: nothing must come twice
      const counts = countOf(smtp.received.map((m) => m.queueId));
      const once = owed.every((id) => counts.get(id) === 1);
      const extra = [...counts.keys()].filter((id) => !owed.includes(id));
      c.that(once && extra.length === 0 && smtp.received.length === owed.length, `chaque courriel remis exactement une fois (${smtp.received.length} reçus pour ${owed.length} dus, compté par X-Aiguillage-Queue-Id)`);
      c.note(`panne de ${((upAt - downStarted) / 1000).toFixed(1)} s ; tout est remis ${delay.toFixed(1)} s après le retour du serveur SMTP`);
      const after = await storeFacts(dataDir);
      c.that(after.queuedMails === 0, 'la file est vide à la fin');
    } finally {
      await server?.stop();
      await smtp.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

// ── (c) a write that fails ───────────────────────────────────────────────────

/** Sets the soft RLIMIT_FSIZE of another process (prlimit(1), else Python's resource.prlimit). */
function setFileSizeLimit(pid: number, bytes: number | 'unlimited'): void {
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--fsize=${bytes}:`], { stdio: 'pipe' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const soft = bytes === 'unlimited' ? 'resource.RLIM_INFINITY' : String(bytes);
  execFileSync('python3', ['-c', `import resource;h=resource.prlimit(${pid},resource.RLIMIT_FSIZE)[1];resource.prlimit(${pid},resource.RLIMIT_FSIZE,(${soft},h))`], { stdio: 'pipe' });
}

function activeJournal(dataDir: string): string {
  const dir = join(dataDir, 'referrals');
  const names = readdirSync(dir).filter((n) => /^journal-\d+\.jsonl$/.test(n)).sort();
  return join(dir, names[names.length - 1]!);
}

function largestFile(dir: string): number {
  if (!existsSync(dir)) return 0;
  return Math.max(0, ...readdirSync(dir).map((n) => statSync(join(dir, n)).size));
}

function lastByte(path: string): number {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1);
  readSync(fd, buf, 0, 1, size - 1);
  closeSync(fd);
  return buf[0]!;
}

export function failedWrite(): Promise<Verdict> {
  return scenario('écriture refusée par le système (limite de taille de fichier, EFBIG, écriture partielle)', async (c) => {
    const dataDir = tempDir('write');
    const smtp = await startSmtp();
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess({ dataDir, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
      const http = new Http(server.base, '127.0.0.201');
      // A few referrals first, so that the journal is larger than a conversation document (the
      // limit then stops the journal's next append and nothing else).
      for (let i = 0; i < 8; i += 1) {
        await walkToReferral(http, 500 + i);
        const facts = await storeFacts(dataDir);
        await until('courriels des premiers dossiers', () => (smtp.received.length >= [...facts.owedMails.values()].flat().length ? true : undefined), 20_000, 100);
        if (statSync(activeJournal(dataDir)).size > 4 * largestFile(join(dataDir, 'conversations'))) break;
      }
      const before = await storeFacts(dataDir);
      const journal = activeJournal(dataDir);

      const conversation = new WidgetConversation(http);
      await conversation.start();
      const script = holderScript(777);
      for (const text of script.slice(0, -1)) await conversation.say(text);
      const size = statSync(journal).size;
      // 100 bytes more are allowed: the append is cut short, then refused (EFBIG).
      setFileSizeLimit(server.pid, size + 100);
      const failed = (await conversation.say(script[script.length - 1]!)).map((a) => a.text ?? '').join('\n');
      c.that(failed.includes(fr.contact.failed), `le porteur lit : « ${fr.contact.failed.slice(0, 60)}… »`);
      c.that(!REFERENCE.test(failed), 'aucun numéro de dossier n’est donné');
      c.that(statSync(journal).size === size && lastByte(journal) === 0x0a, `aucune ligne à moitié écrite : le journal est revenu à ${size} octets, fin de ligne comprise`);
      const during = await storeFacts(dataDir);
      c.that(during.references.size === before.references.size, `aucun dossier créé (${during.references.size} avant et après)`);
      const again = (await conversation.say(fr.contact.retry)).map((a) => a.text ?? '').join('\n');
      c.that(again.includes(fr.contact.failed), 'un nouvel essai pendant la panne échoue de la même façon');
      c.note(`journal du serveur : ${/courriel|tour du bot.*|EFBIG|partielle[^\n]*/.exec(server.log())?.[0] ?? '—'}`);

      setFileSizeLimit(server.pid, 'unlimited');
      const retried = (await conversation.say(fr.contact.retry)).map((a) => a.text ?? '').join('\n');
      const reference = REFERENCE.exec(retried)?.[1];
      c.that(reference !== undefined, `après la panne, « ${fr.contact.retry} » aboutit (${reference ?? 'pas de numéro'})`);
      const after = await storeFacts(dataDir);
      c.that(after.references.size === before.references.size + 1 && reference !== undefined && after.references.has(reference), 'un seul dossier de plus, le bon');
      c.that(server.alive(), 'le serveur est resté en vie');
      http.close();
      await server.stop();
      const reopened = await storeFacts(dataDir);
      c.that(reopened.droppedBytes === 0 && reopened.references.size === after.references.size, 'le magasin se rouvre sans ligne tronquée');
    } finally {
      if (server?.alive()) setFileSizeLimit(server.pid, 'unlimited');
      await server?.stop();
      await smtp.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

// ── (d) bad input ────────────────────────────────────────────────────────────

export function badInput(options: { count: number; seed: number; backofficePaths?: string[] }): Promise<Verdict> {
  return scenario(`${options.count} requêtes malformées (graine ${options.seed})`, async (c) => {
    const dataDir = tempDir('fuzz');
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess({ dataDir });
      const conversations = await openConversations(server.base, 120);
      const backofficeUp = await new Http(server.backoffice).request('GET', '/', { timeoutMs: 2000 }).then(
        () => true,
        () => false,
      );
      const report = await runFuzz(
        { base: server.base, conversations, ...(backofficeUp ? { backoffice: server.backoffice, backofficePaths: options.backofficePaths } : {}) },
        { seed: options.seed, count: options.count, alive: server.alive },
      );
      c.note(summarize(report));
      const fivehundreds = [...report.byStatus.entries()].filter(([s]) => s >= 500).reduce((n, [, k]) => n + k, 0);
      c.that(report.sent >= options.count, `${report.sent} requêtes envoyées et répondues`);
      c.that(fivehundreds === 0, `aucune réponse ≥ 500 (${fivehundreds})`);
      c.that(report.findings.length === 0, `aucun problème relevé (${report.findings.length})`);
      for (const f of report.findings.slice(0, 10)) c.note(`#${f.index} [${f.kind}] ${f.problem} — ${f.request}`);
      c.that(server.alive(), 'le serveur est toujours en vie');
      c.that(backofficeUp ? report.byKind.has('backoffice') : true, backofficeUp ? 'le back-office a reçu sa part, sans session' : 'back-office absent : non testé');
      const http = new Http(server.base, '127.0.0.202');
      const run = await walkToReferral(http, 4242);
      http.close();
      c.that(true, `une vraie conversation aboutit ensuite (${run.reference})`);
      const errors = (server.log().match(/erreur inattendue|tour du bot en échec/g) ?? []).length;
      c.that(errors === 0, `aucune erreur inattendue dans le journal du serveur (${errors})`);
    } finally {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
