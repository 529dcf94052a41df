/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/connectors', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm test` (tsc --noEmit); jest only transpiles, which keeps CI fast on 2 cores.
  transform: { '^.+\\.[tj]s$': ['ts-jest', { diagnostics: false }] },
  // ESM-only SDK packages (@octokit/*) are transpiled to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@octokit|universal-user-agent|before-after-hook|universal-github-app-jwt|toad-cache|content-type|json-with-bigint)/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
