// Tests Stryker reruns for mutants of vm/host/ (npm run mutate:js -- vm/host): the VM suites (both engines run
// through the Node host) and the VM regressions.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/vm/*.test.ts", "test/regressions/*.test.ts", "test/adversarial/ledger.test.ts"],
    exclude: [
      "test/vm/build.test.ts",
      "test/regressions/open-while-another-process-appends.test.ts",
      "test/regressions/shared-require-message-location.test.ts",
      "test/regressions/receipt-stop-location.test.ts",
    ],
    globalSetup: ["stryker/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
