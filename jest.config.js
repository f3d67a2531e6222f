// Three kinds of tests (docs/STYLE.md): unit (*.spec.ts), integration against the real
// stores (*.int-spec.ts) and end-to-end through gRPC (test/e2e/*.e2e-spec.ts).
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

/** @type {import('jest').Config} */
module.exports = {
  // Store and gRPC tests make many real calls: 5 s (jest's default) is too tight on a busy 2-core box.
  // (A top-level option: jest ignores it inside `projects`.)
  testTimeout: 60_000,
  // Two test files at a time (jest's default on 2 cores is one): the store tests wait on the engine
  // and PostgreSQL as much as they compute, and the longest file (rollup-differential) then runs
  // beside the others instead of after them (12.9 → 7.2 min for the whole suite here).
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{libs,services}/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
