// Command line entry: `npm run --silent cli -- <command>`. Results go to stdout alone;
// logs and progress go to stderr (DESIGN.md §5).
const commands: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  qualify: { summary: 'une phrase par ligne sur l’entrée → un profil JSON par ligne', load: () => import('./cli/qualify.js') },
  chat: { summary: 'discuter avec le bot dans le terminal', load: () => import('./cli/chat.js') },
  route: { summary: 'un profil JSON par ligne sur l’entrée → une orientation JSON par ligne', load: () => import('./cli/route.js') },
  coverage: { summary: 'couverture des règles : commune × stade × secteur, et les trous', load: () => import('./cli/coverage.js') },
  'export-offre': { summary: 'l’offre publiée en données ouvertes (--format data-inclusion [--out DOSSIER] [--territoire ID])', load: () => import('./cli/export-offre.js') },
  'validate-rules': { summary: 'valider les règles et les acteurs (option --write-schema)', load: () => import('./cli/validate-rules.js') },
  'export-holder': { summary: 'données d’un porteur en JSON (référence, courriel)', load: () => import('./cli/referrals.js').then((m) => m.exportHolder) },
  'erase-holder': { summary: 'effacer les données d’un porteur (référence, courriel)', load: () => import('./cli/referrals.js').then((m) => m.eraseHolder) },
  'monthly-report': { summary: 'envoyer le bilan d’un mois (--mois AAAA-MM), service arrêté', load: () => import('./cli/referrals.js').then((m) => m.monthlyReport) },
  followup: { summary: 'un passage de suivi : relances, expirations, courriels', load: () => import('./cli/referrals.js').then((m) => m.followup) },
  'migrate-to-postgres': { summary: 'copier un dossier de données dans une base PostgreSQL vide (--data-dir, --database-url)', load: () => import('./cli/migrateToPostgres.js') },
  'create-coordinator': { summary: 'créer un compte de coordination (mot de passe sur l’entrée standard)', load: () => import('./backoffice/cli.js') },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    if (name && name !== 'help' && name !== '--help') process.stderr.write(`Commande inconnue : ${name}\n`);
    process.stderr.write('Usage : npm run --silent cli -- <commande>\n\nCommandes :\n');
    for (const [key, c] of Object.entries(commands)) process.stderr.write(`  ${key.padEnd(16)} ${c.summary}\n`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  const module = await command.load();
  return module.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Erreur : ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
