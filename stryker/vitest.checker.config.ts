// Tests Stryker reruns for mutants of compiler/checker.ts (npm run mutate:js -- compiler/checker.ts): the compiler
// suites, the compiler regressions and the contract suites that compile every contract. Left out: the slow fuzz
// campaign (test/compiler/fuzz.test.ts) and the CLI tests, which compile in a child process that never sees
// Stryker's active mutant.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/compiler/*.test.ts", "test/regressions/compiler.test.ts", "test/contracts/*.test.ts"],
    exclude: ["test/compiler/fuzz.test.ts", "test/compiler/cli.test.ts"],
    globalSetup: ["stryker/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
