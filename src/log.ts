// Logs go to stderr, as one line each, and never carry a holder's words or contact data.
export function logInfo(message: string): void {
  process.stderr.write(`[aiguillage] ${message}\n`);
}

export function logError(message: string, error?: unknown): void {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : error === undefined ? '' : String(error);
  process.stderr.write(`[aiguillage] ERREUR ${message}${detail ? ` — ${detail}` : ''}\n`);
}
