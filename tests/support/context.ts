// What node:test's TestContext gave the tests, for jest: `t.after(fn)` registers a clean-up that
// runs once the current test is over (passed or failed), in the order of registration, like
// node:test did; `t.diagnostic(message)` prints a line under the test. Helpers that take a `t`
// (`tempDir(t)`, `setup(t)`) keep their signature. Written by scripts/migrate-to-jest.mjs.
import { afterAll, afterEach, beforeEach } from '@jest/globals';

export interface TestContext {
  /** Runs `fn` after the current test (or, outside a test, after the file's tests). */
  after(fn: () => unknown): void;
  /** A line printed with the test's output (node:test's diagnostic). */
  diagnostic(message: string): void;
}

const afterTest: Array<() => unknown> = [];
const afterFile: Array<() => unknown> = [];
let inTest = false;

async function drain(list: Array<() => unknown>): Promise<void> {
  const errors: unknown[] = [];
  while (list.length > 0) {
    try {
      await list.shift()!();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several clean-ups failed');
}

// Registered when a test file imports this module: at the root of that file's tests.
beforeEach(() => {
  inTest = true;
});
afterEach(async () => {
  inTest = false;
  await drain(afterTest);
});
afterAll(() => drain(afterFile));

export const t: TestContext = {
  after(fn) {
    (inTest ? afterTest : afterFile).push(fn);
  },
  diagnostic(message) {
    process.stdout.write(`# ${message}\n`);
  },
};
