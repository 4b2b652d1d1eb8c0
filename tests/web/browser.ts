// Headless Chromium for the browser tests: Debian's package (scripts/install-system-deps.sh),
// driven by playwright-core. Never downloads a browser. Without one, tests are skipped with
// a reason rather than failing on a machine that cannot run them.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((p): p is string => !!p && existsSync(p));
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium introuvable (scripts/install-system-deps.sh)');
  return chromium.launch({
    executablePath,
    // Without the background-networking flags Chromium keeps calling home on a closed network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
