// Three kinds of tests (docs/STYLE.md): unit (*.spec.ts), integration against the real
// stores (*.int-spec.ts) and end-to-end through gRPC (test/e2e/*.e2e-spec.ts).
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services}/**/*.spec.ts'] },
    // Store and gRPC tests make many real calls: 5 s (jest's default) is too tight on a busy 2-core box.
    {
      ...common,
      displayName: 'int',
      testTimeout: 60_000,
      testMatch: ['<rootDir>/{libs,services}/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testTimeout: 60_000,
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
