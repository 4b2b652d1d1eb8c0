// `npm run --silent cli -- qualify`: one utterance per line on stdin → one profile JSON per
// line on stdout, in the contract's key order (DESIGN.md §5). Streams: each line is answered
// as soon as it is read. An empty line gives an all-null profile; errors go to stderr.
import { createInterface } from 'node:readline';
import { emptyProfile, type Profile } from '../domain/profile.js';
import { loadQualification, qualify } from '../qualification/index.js';

/** The contract's keys in its order, then the receptionist's facts (additions, null when unknown). */
export function contractLine(p: Profile): string {
  return JSON.stringify({
    stage: p.stage,
    sector: p.sector,
    projectType: p.projectType,
    needs: p.needs,
    commune: p.commune ? { code: p.commune.code, nom: p.commune.nom } : null,
    epci: p.epci ? { code: p.epci.code, nom: p.epci.nom } : null,
    departement: p.departement,
    agriculturalInstallation: p.agriculturalInstallation,
    takeover: p.takeover,
    cooperativeForm: p.cooperativeForm,
    employerStructure: p.employerStructure,
    trade: p.trade,
    youngHolder: p.youngHolder,
  });
}

function write(line: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stderr.write('Usage : npm run --silent cli -- qualify < phrases.txt\nUne phrase par ligne sur l’entrée, un profil JSON par ligne sur la sortie.\n');
    return 0;
  }
  // A broken lexicon or territory stops here with its French message, not once per line.
  loadQualification();
  let failures = 0;
  let lineNumber = 0;
  const input = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of input) {
    lineNumber += 1;
    let profile = emptyProfile();
    if (line.trim() !== '') {
      try {
        profile = qualify(line).profile;
      } catch (error) {
        failures += 1;
        process.stderr.write(`Ligne ${lineNumber} : ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    await write(contractLine(profile));
  }
  return failures > 0 ? 1 : 0;
}
