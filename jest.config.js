// One Jest run for the whole suite: unit specs sit next to the code (*.spec.ts), integration and chaos
// specs under test/. Integration specs need the broker and Postgres, which `npm test` starts.
const swc = JSON.parse(require('node:fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['apps', 'libs', 'migrations', 'test', 'tools', 'bench']
    .filter((dir) => require('node:fs').existsSync(`${__dirname}/${dir}`))
    .map((dir) => `<rootDir>/${dir}`),
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleNameMapper: {
    '^@switchboard/streams$': '<rootDir>/libs/streams/src/index.ts',
    '^@switchboard/streams/(.*)$': '<rootDir>/libs/streams/src/$1',
    '^@switchboard/domain$': '<rootDir>/libs/domain/src/index.ts',
    '^@switchboard/service$': '<rootDir>/libs/service/src/index.ts',
    '^@switchboard/billing$': '<rootDir>/libs/billing/src/index.ts',
    '^@switchboard/domain/(.*)$': '<rootDir>/libs/domain/src/$1',
  },
  testTimeout: 60_000,
  maxWorkers: 2,
};
