// Tests Stryker reruns for mutants of compiler/checker.ts (npm run mutate:js -- compiler/checker.ts): the compiler
// suites that compile in-process and the compiler regressions. Left out: the slow fuzz campaign
// (test/compiler/fuzz.test.ts), the CLI tests (they compile in a child process, which never sees Stryker's active
// mutant), the ABI and differential suites (seconds each, and what they compile the others compile too).
// isolate: false keeps the compiler's modules loaded between test files: the checker is pure, and reloading
// it per mutant was most of the time.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/compiler/*.test.ts", "test/regressions/compiler.test.ts"],
    exclude: ["test/compiler/fuzz.test.ts", "test/compiler/cli.test.ts", "test/compiler/abi.test.ts", "test/compiler/differential.test.ts"],
    globalSetup: ["stryker/global-setup.ts"],
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
