/** @type {import('jest').Config} */

// The integration tier: whole local jobs, fault and crash runs, bad-input corpora, scale, cdk-nag's
// full synth, the local services over HTTP and in child processes, and the web console in a browser.
// Everything else is the unit tier (`npm run test:unit`): no child process; where a handler's thin AWS
// edge is tested, the local services run in the test's own process on loopback (test/functions/local-aws.ts).
const INTEGRATION = [
  'test/e2e',
  'test/faults',
  'test/bad-input',
  'local/services/test',
  'test/local/services',
  'test/cli/terminal',
  'test/cli/local',
  'test/statemachine/scale.test.ts',
  'test/cdk/nag.test.ts',
  // The console over HTTP, and driven in Chromium (playwright-core with Debian's chromium).
  'test/console/server',
  'test/console/browser',
  'test/console/data/local-run.test.ts',
];

const isFile = (path) => path.endsWith('.test.ts');
const asRegex = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const shared = {
  testEnvironment: 'node',
  // Workspace packages run from their TypeScript sources, as tsconfig.json's "paths" say for tsc and tsx.
  moduleNameMapper: { '^@firehose-loader/local-services$': '<rootDir>/local/services/src/index.ts' },
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
