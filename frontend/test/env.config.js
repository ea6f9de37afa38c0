// What frontend-build resolves `env.config` to in an MFE without one (frontend-platform's
// initialize.js imports it); the tests configure the platform themselves.
export default {};
