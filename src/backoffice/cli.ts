// `npm run --silent cli -- create-coordinator EMAIL`: creates a coordinator account, the
// password read from standard input (typed twice, hidden, on a terminal; first line of a pipe).
// The service must be stopped: it keeps the accounts in memory and would overwrite the file.
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { AccountStore } from '../store/accountStore.js';
import { AuditLog } from '../store/auditLog.js';
import { acquireLock, StoreLockedError } from '../store/lock.js';
import { loadOrCreateSecret } from '../store/secret.js';
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

export async function run(args: string[]): Promise<number> {
  const email = args[0];
  if (!email) {
    process.stderr.write('Usage : npm run --silent cli -- create-coordinator adresse@exemple.fr  (mot de passe sur l’entrée standard)\n');
    return 2;
  }
  const config = loadConfig();
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
    const accounts = new AccountService({ store, audit, secret: loadOrCreateSecret(config.AIGUILLAGE_DATA_DIR, config.AIGUILLAGE_SECRET), actorExists: () => false });
    const account = await accounts.createCoordinator(email, await readPassword(), { id: 'cli', email: 'ligne de commande', role: 'system' });
    await audit.close();
    process.stdout.write(`Compte de coordination créé : ${account.email}\n`);
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
