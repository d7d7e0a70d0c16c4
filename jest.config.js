/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  // The fixture apps have their own package.json, tests and test runner (scripts/compat.sh).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/compat/'],
  modulePathIgnorePatterns: ['<rootDir>/test/compat/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: {
            legacyDecorator: true,
            decoratorMetadata: true,
            useDefineForClassFields: false,
          },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      },
    ],
  },
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/reporters/summary-reporter.cjs'],
};
