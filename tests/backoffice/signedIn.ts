// Kept apart from harness.ts, which the benchmarks import outside jest (@jest/globals would throw).
import { afterAll, beforeAll } from '@jest/globals';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';

/**
 * The hooks most back-office test files need: one back office for the file, the coordination
 * signed in. `use` receives both once started (jest hooks must be registered at module level).
 */
export function withSignedInBackoffice(use: (started: { h: Harness; client: Client }) => void): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startBackoffice();
    const client = new Client(h.base);
    await client.login(ADMIN.email, ADMIN.password);
    use({ h, client });
  });
  afterAll(async () => {
    await h?.close();
  });
}
