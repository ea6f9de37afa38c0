// Jest as the Open edX MFEs run it (@openedx/frontend-build's jest config): Babel compiles the
// tests and the ES modules frontend-platform and Paragon ship; frontend-plugin-framework is
// CommonJS. Only the HTTP layer is replaced in the tests (axios-mock-adapter).
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.jsx'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.js'],
  transform: { '\\.[cm]?jsx?$': 'babel-jest' },
  transformIgnorePatterns: ['/node_modules/(?!(@edx|@openedx)/)'],
  moduleNameMapper: {
    '\\.(css|scss|svg|png)$': '<rootDir>/test/style.js',
    // frontend-platform's initialize.js imports `env.config`, which an MFE's build resolves.
    '^env\\.config$': '<rootDir>/test/env.config.js',
  },
};
