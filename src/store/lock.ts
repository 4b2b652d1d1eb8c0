// One writing process per data directory: the journal's index lives in memory, so a second
// writer would miss the first one's lines and overwrite them. The lock file holds the pid; a
// lock left by a dead process (crash, SIGKILL) is taken over.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class StoreLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(dir: string): () => void {
  const path = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || alive(owner))) {
        throw new StoreLockedError(
          owner === process.pid
            ? `Le magasin ${dir} est déjà ouvert par ce processus : fermez-le avant de le rouvrir.`
            : `Le magasin ${dir} est utilisé par un autre processus (pid ${owner}) : arrêtez le service avant cette commande.`,
        );
      }
      unlinkSync(path); // stale: its owner is gone
    }
  }
  throw new StoreLockedError(`Verrou du magasin ${dir} impossible à obtenir.`);
}
