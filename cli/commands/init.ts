// `mote init NAME`: a new project directory with a contract, a Mote test file, mote.json naming the
// contract and its init arguments, and a .gitignore that keeps keys, the ledger and build output out.
import type { Command } from "commander";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { quoteInput, quotePath } from "../../compiler/escape.ts";
import { CliError, fsReason } from "../errors.ts";

export const TEMPLATE: Record<string, string> = {
  "mote.json": `${JSON.stringify({ contracts: { Counter: { source: "contracts/counter.mote", init: ["10"] } }, tests: "tests" }, null, 2)}\n`,
  ".gitignore": ["# keys never leave this machine", "*.key", "# the local devnet ledger (mote ledger init)", ".mote/", "# compiler output (mote compile)", "build/", ""].join("\n"),
  "contracts/counter.mote": `// A counter that only its owner may step, by at most MAX_STEP at a time.

contract Counter {
  storage owner: pubkey;
  storage count: u64;

  event Stepped(by: pubkey, count: u64);

  const MAX_STEP: u64 = 100;

  init(start: u64) {
    owner = caller();
    count = start;
  }

  pub fn step(n: u64) {
    require(caller() == owner, "only the owner steps");
    require(n <= MAX_STEP, "step too large");
    count += n;
    emit Stepped(caller(), count);
  }

  pub view fn get() -> u64 {
    return count;
  }
}
`,
  "tests/counter.t.mote": `// Tests for contracts/counter.mote, run by \`mote test\`. Each \`test fn\` runs on a fresh deployment
// (init arguments from mote.json); a test with parameters is fuzzed. Cheats: prank(pk) acts as
// another caller, warp(t) and roll(h) set the time and height, expect_revert("message") and
// expect_emit() state what the code after them must do.
import "../contracts/counter.mote";

const STRANGER: pubkey = 0x5555555555555555555555555555555555555555555555555555555555555555;

test fn starts_at_init_value() {
  assert(get() == 10, "init(10) sets the count");
}

test fn owner_steps() {
  step(5);
  assert(get() == 15);
}

test fn step_emits() {
  expect_emit();
  emit Stepped(caller(), 13);
  step(3);
}

test fn stranger_cannot_step() {
  prank(STRANGER);
  expect_revert("only the owner steps");
  step(1);
}

test fn steps_add_up(a: u64, b: u64) {
  let x = a % (MAX_STEP + 1);
  let y = b % (MAX_STEP + 1);
  step(x);
  step(y);
  assert(get() == 10 + x + y, "the count is the sum of the steps");
}
`,
  "README.md": `# NAME

A Mote contract project.

\`\`\`sh
mote test                      # run tests/*.t.mote: a line per test, then N passed, N failed
mote test --gas-snapshot       # write .gas-snapshot; --check compares instead
mote check contracts/counter.mote
mote run contracts/counter.mote get --init 10
\`\`\`
`,
};

export function register(program: Command): void {
  program
    .command("init")
    .description("create a new project: a contract, a Mote test file, mote.json and .gitignore")
    .argument("<name>", "directory to create (must not exist or be empty)")
    .action((name: string) => {
      const dir = resolve(name);
      if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
        throw new CliError(`${quotePath(name)}: already exists and is not an empty directory`);
      }
      const project = basename(dir);
      if (!/^[A-Za-z0-9._-]+$/.test(project)) throw new CliError(`init: a project name is letters, digits, '.', '_' and '-', got '${quoteInput(project)}'`, 2);
      try {
        for (const [rel, text] of Object.entries(TEMPLATE)) {
          const p = join(dir, rel);
          mkdirSync(join(p, ".."), { recursive: true });
          writeFileSync(p, text.replace(/NAME/g, project), { flag: "wx" });
        }
      } catch (e) {
        throw new CliError(`${quotePath(name)}: cannot create the project: ${fsReason(e)}`);
      }
      process.stdout.write(`created ${quotePath(name)}: mote.json, contracts/counter.mote, tests/counter.t.mote, .gitignore\nnext: cd ${quotePath(name)} && mote test\n`);
    });
}
