// jest for Aiguillage: TypeScript ES modules, transformed by @swc/jest (type-stripping only, no
// type-check: `npm test` runs tsc --noEmit first). Run through scripts/run-tests.mjs, which adds
// node's --experimental-vm-modules (jest's ES module support on Node 20).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  // The sources import './x.js' (node's ES module resolution); jest resolves './x' to x.ts.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Two cores here and on CI; the browser, SMTP, SIGKILL and proof tests drive real processes.
  maxWorkers: 2,
  // node:test had no per-test limit; jest's default 5 s is too short for Chromium and the proofs.
  testTimeout: 180_000,
  coverageProvider: 'v8',
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'text', 'html'],
  coverageDirectory: '<rootDir>/coverage',
};
