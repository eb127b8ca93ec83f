// Tests Stryker reruns for mutants of ledger/ (npm run mutate:js -- ledger): the in-process ledger suites. Left
// out: tests whose ledger runs in a child process (crash, fsync, cli, open-while-appending: a child never sees
// Stryker's active mutant, so they cannot kill one and only cost time) and the firmware hosts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/ledger/*.test.ts",
      "test/adversarial/ledger.test.ts",
      "test/sealing/*.test.ts",
      "test/regressions/*.test.ts",
      "test/contracts/sealed_data.test.ts",
      "test/contracts/trust-paths.test.ts",
    ],
    exclude: [
      "test/ledger/crash.test.ts",
      "test/ledger/durability-fsync.test.ts",
      "test/ledger/cli.test.ts",
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
