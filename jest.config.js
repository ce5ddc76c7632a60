/** One jest run for the whole workspace: every package's tests, transformed by swc. */
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

// Every jest worker (and every process a test starts that launches a cluster of its own) draws its
// local clusters' listeners on its own loopback address, so two workers' OS-chosen ports never
// meet: see packages/local-cluster/src/ports.ts. An address given from outside wins.
process.env.SLUICE_LOCAL_HOST ??= 'per-process';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/e2e', '<rootDir>/bench'].filter((dir) =>
    require('node:fs').existsSync(dir.replace('<rootDir>', __dirname)),
  ),
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions],
    // jose ships ES modules only: jest's module system needs them as CommonJS (Node itself loads them with require).
    '/jose/dist/.+\\.js$': ['@swc/jest', swcOptions],
  },
  transformIgnorePatterns: ['/node_modules/(?!\\.pnpm/jose@)(?!jose/)'],
  moduleNameMapper: {
    // Services that tests and benches import (the controller's client, the coordinator's core).
    '^@sluice/controller$': '<rootDir>/services/controller/src',
    '^@sluice/broker$': '<rootDir>/services/broker/src',
    '^@sluice/coordinator$': '<rootDir>/services/coordinator/src',
    '^@sluice/tiering-service$': '<rootDir>/services/tiering/src',
    '^@sluice/service-common$': '<rootDir>/services/common/src',
    '^@sluice/([a-z-]+)$': '<rootDir>/packages/$1/src',
  },
  // Two cores: keep one free for the child processes that crash tests start.
  maxWorkers: 2,
  testTimeout: 30_000,
  verbose: false,
};
