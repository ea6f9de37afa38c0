// Jest as the Open edX MFEs run it (@openedx/frontend-build's jest config): Babel compiles the
// tests and the ES modules frontend-platform and Paragon ship; frontend-plugin-framework is
// CommonJS. Only the HTTP layer is replaced in the tests (axios-mock-adapter).
//
// OPENEDX_LINE picks the versions the widgets run against, as the MFEs' package-lock.json files
// pin them (release/ulmo and release/verawood of frontend-app-learning and -learner-dashboard):
// - ulmo (default): frontend-plugin-framework 1.7.0, frontend-platform 8.4.0, Paragon 23.4.5, the
//   oldest of the two lines (learning MFE), installed under their own names;
// - verawood: 1.8.0, 8.7.0 and 23.19.2, installed under npm aliases (verawood-*) and mapped here, so
//   the framework's own imports of the platform and Paragon get the Verawood copies too.
const VERAWOOD = {
  '^@openedx/frontend-plugin-framework(.*)$': '<rootDir>/node_modules/verawood-frontend-plugin-framework$1',
  '^@edx/frontend-platform(.*)$': '<rootDir>/node_modules/verawood-frontend-platform$1',
  '^@openedx/paragon(.*)$': '<rootDir>/node_modules/verawood-paragon$1',
};
const line = process.env.OPENEDX_LINE || 'ulmo';
if (!['ulmo', 'verawood'].includes(line)) {
  throw new Error(`OPENEDX_LINE=${line}: the widgets are tested against ulmo and verawood`);
}

module.exports = {
  displayName: line,
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.jsx'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.js'],
  transform: { '\\.[cm]?jsx?$': 'babel-jest' },
  transformIgnorePatterns: ['/node_modules/(?!(@edx|@openedx|verawood-))'],
  moduleNameMapper: {
    '\\.(css|scss|svg|png)$': '<rootDir>/test/style.js',
    // frontend-platform's initialize.js imports `env.config`, which an MFE's build resolves.
    '^env\\.config$': '<rootDir>/test/env.config.js',
    ...(line === 'verawood' ? VERAWOOD : {}),
  },
};
