// `npm run --silent cli -- create-coordinator EMAIL [--territoire ID]…`: creates a coordinator
// account, the password read from standard input (typed twice, hidden, on a terminal; first line
// of a pipe). Without --territoire the account is regional (sees every territory).
// Embedded store: the service must be stopped (it keeps the accounts in memory and would
// overwrite the file). With DATABASE_URL the account goes to the database, service running or not.
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { AccountStore } from '../store/accountStore.js';
import { AuditLog } from '../store/auditLog.js';
import { PostgresAccountStore } from '../store/postgres/accounts.js';
import { PostgresAuditLog } from '../store/postgres/audit.js';
import { openDatabase } from '../store/postgres/database.js';
import { acquireLock, StoreLockedError } from '../store/lock.js';
import { loadOrCreateSecret } from '../store/secret.js';
import { DEFAULT_TERRITORY_DIR, namedTerritoriesSchema } from '../territory/lexicon.js';
import { readFileSync } from 'node:fs';
import { AccountError, AccountService } from './accounts.js';

async function readLine(prompt: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      if (hidden && process.stdin.isTTY) process.stderr.write('\n');
      resolve(answer);
    });
    muted = hidden && process.stdin.isTTY === true;
  });
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? '';
  }
  const first = await readLine('Mot de passe (12 caractères au moins) : ', true);
  const second = await readLine('Le même, une seconde fois : ', true);
  if (first !== second) throw new AccountError('Les deux mots de passe saisis ne sont pas identiques.');
  return first;
}

const USAGE = 'Usage : npm run --silent cli -- create-coordinator adresse@exemple.fr [--territoire IDENTIFIANT]…  (mot de passe sur l’entrée standard ; sans --territoire, coordination régionale)\n';

/** The e-mail and the territories (`--territoire ID`, `--territoire=ID`, repeatable). */
function parseArgs(args: string[]): { email: string; territories: string[] } | null {
  let email = '';
  const territories: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--territoire') {
      const v = args[++i];
      if (!v) return null;
      territories.push(v);
    } else if (a.startsWith('--territoire=')) territories.push(a.slice('--territoire='.length));
    else if (a.startsWith('-') || email) return null;
    else email = a;
  }
  return email ? { email, territories } : null;
}

/** Named territory ids, from the same file the service reads. */
function knownTerritories(): Set<string> {
  const doc = namedTerritoriesSchema.parse(JSON.parse(readFileSync(`${DEFAULT_TERRITORY_DIR}/named-territories.json`, 'utf8')));
  return new Set(doc.territories.map((t) => t.id));
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (!parsed) {
    process.stderr.write(USAGE);
    return 2;
  }
  const { email, territories } = parsed;
  const known = knownTerritories();
  const unknown = territories.filter((t) => !known.has(t));
  if (unknown.length) {
    process.stderr.write(`Territoire inconnu : « ${unknown.join(' », « ')} ». Territoires connus : ${[...known].join(', ')}.\n`);
    return 2;
  }
  const config = loadConfig();
  if (config.DATABASE_URL) {
    const database = await openDatabase({ url: config.DATABASE_URL, max: 2, log: (m) => process.stderr.write(`${m}\n`) });
    try {
      const accounts = new AccountService({ store: new PostgresAccountStore(database), audit: new PostgresAuditLog(database), secret: config.AIGUILLAGE_SECRET ?? 'inutilisé ici', actorExists: () => false, territoryExists: (id) => known.has(id) });
      const account = await accounts.createCoordinator(email, await readPassword(), { id: 'cli', email: 'ligne de commande', role: 'system' }, '', territories);
      process.stdout.write(`Compte de coordination ${territories.length ? `territoriale (${territories.join(', ')})` : 'régionale'} créé : ${account.email}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return 1;
    } finally {
      await database.close();
    }
  }
  let release: () => void;
  try {
    mkdirSync(config.AIGUILLAGE_DATA_DIR, { recursive: true, mode: 0o700 });
    release = acquireLock(config.AIGUILLAGE_DATA_DIR);
  } catch (error) {
    if (!(error instanceof StoreLockedError)) throw error;
    process.stderr.write(`${error.message}\nLe service garde les comptes en mémoire : arrêtez-le, ou invitez la personne depuis la page « Comptes » du back-office.\n`);
    return 1;
  }
  try {
    const dir = join(config.AIGUILLAGE_DATA_DIR, 'backoffice');
    const store = await AccountStore.open(dir);
    const audit = AuditLog.open(dir);
    const accounts = new AccountService({ store, audit, secret: loadOrCreateSecret(config.AIGUILLAGE_DATA_DIR, config.AIGUILLAGE_SECRET), actorExists: () => false, territoryExists: (id) => known.has(id) });
    const account = await accounts.createCoordinator(email, await readPassword(), { id: 'cli', email: 'ligne de commande', role: 'system' }, '', territories);
    await audit.close();
    process.stdout.write(`Compte de coordination ${territories.length ? `territoriale (${territories.join(', ')})` : 'régionale'} créé : ${account.email}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AccountError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    release();
  }
}
