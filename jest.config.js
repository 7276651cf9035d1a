const { swcOptions } = require('./scripts/swc-options.cjs');

const transform = { '^.+\\.ts$': ['@swc/jest', { ...swcOptions(), swcrc: false }] };
const moduleNameMapper = { '^@sc/([a-z-]+)$': '<rootDir>/libs/$1/src' };
const common = { transform, moduleNameMapper, testEnvironment: 'node', rootDir: __dirname };

/** Three tiers: unit (pure logic, colocated), integration (real PostgreSQL, Kafka, Redis), e2e (booted services). */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
  ],
};
