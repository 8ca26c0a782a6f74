/** @type {import('jest').Config} */

// The integration tier: whole local jobs, fault and crash runs, bad-input corpora, scale, cdk-nag's
// full synth, and the local services over HTTP and in child processes. Everything else is the unit
// tier (`npm run test:unit`): no server, no child process.
const INTEGRATION = [
  'test/e2e',
  'test/faults',
  'test/bad-input',
  'test/local/services',
  'test/cli/terminal',
  'test/cli/local',
  'test/statemachine/scale.test.ts',
  'test/cdk/nag.test.ts',
  'test/console/data/local-run.test.ts',
];

const isFile = (path) => path.endsWith('.test.ts');
const asRegex = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } } }],
  },
};

module.exports = {
  // Tests that start local services on loopback need more than the 5 s default.
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: INTEGRATION.map(
        (path) => `<rootDir>/${asRegex(path)}${isFile(path) ? '$' : '/'}`,
      ),
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: INTEGRATION.map((path) =>
        isFile(path) ? `<rootDir>/${path}` : `<rootDir>/${path}/**/*.test.ts`,
      ),
    },
  ],
};
