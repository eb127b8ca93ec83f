// The tests `npx stryker run` (stryker.config.json: the whole scope in one run, hours here) reruns for mutants of
// ledger/, compiler/checker.ts and vm/host/. `npm run mutate:js` runs one file at a time with the narrower
// configs of stryker/ instead. The suites that exercise them, without the slow firmware, fuzz-campaign and benchmark files.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/ledger/**/*.test.ts", "test/adversarial/**/*.test.ts", "test/compiler/**/*.test.ts", "test/vm/**/*.test.ts", "test/contracts/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
