// Global setup of the Stryker test configs (stryker/vitest.*.config.ts): builds what the in-process suites load
// (mote.wasm, its trace build, the fast runtime) and the firmware hosts the cross-host cases call, each skipped
// when up to date, as test/global-setup.ts does.
export { default } from "../test/global-setup.ts";
