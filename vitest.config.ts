import { defineConfig } from 'vitest/config';

const env = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_DEV: 'false',
};

/**
 * One project per test kind, all run by `npm test`:
 * unit (pure, ports faked), integration (real DynamoDB Local + the Wise simulator over HTTP),
 * infra (CDK template + cdk-nag), e2e (the local stack in Chromium), reliability (faults, load, attacks).
 */
export default defineConfig({
  test: {
    env,
    // `npm test` runs with --coverage: the domain rules and the functions' operations and use cases
    // must stay covered (thresholds a little under what the suite reaches, so a new untested module fails).
    coverage: {
      provider: 'v8',
      include: ['shared/domain/**/*.ts', 'functions/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: {
        'shared/domain/**/*.ts': { lines: 85, statements: 85, functions: 85, branches: 75 },
        'functions/**/*.ts': { lines: 85, statements: 85, functions: 85, branches: 70 },
      },
    },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          env,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], env, testTimeout: 120_000 } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          env,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          env,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
