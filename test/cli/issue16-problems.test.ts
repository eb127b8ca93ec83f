// Regression tests for the numbered problems of issue 16, each named after it, driving bin/mote.js (and
// mote-host) as a user does.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOST_PATH } from "../../firmware-host/scripts/build.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { recording, resultPath } from "../../bench/results-path.ts";

const root = new URL("../..", import.meta.url).pathname;
const A = `0x${"aa".repeat(32)}`;
const B = `0x${"bb".repeat(32)}`;

function mote(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function fresh(): string {
  return mkdtempSync(join(tmpdir(), "mote-i16-"));
}

function gitIgnored(path: string): boolean {
  return spawnSync("git", ["check-ignore", "-q", path], { cwd: root }).status === 0;
}

function oneLine(r: { code: number; stderr: string }, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\bE[A-Z]{3,}\b|\.tmp-\d+|Cannot read properties|\n\s+at /);
}

describe("issue 16 problem 1: commands do not write into tracked directories", () => {
  it("problem 1: mote compile writes to build/ in the working directory, not beside the source", () => {
    const dir = fresh();
    mkdirSync(join(dir, "contracts"));
    copyFileSync(join(root, "contracts/token.mote"), join(dir, "contracts/token.mote"));
    const r = mote(dir, "compile", "contracts/token.mote");
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, "build/token.mbc"))).toBe(true);
    expect(existsSync(join(dir, "build/token.abi.json"))).toBe(true);
    expect(existsSync(join(dir, "contracts/token.mbc"))).toBe(false);
    expect(gitIgnored("build/token.mbc")).toBe(true);
  });

  it("problem 1: key files and measurement output are git-ignored; committed records only with --record", () => {
    expect(gitIgnored("operator.key")).toBe(true);
    expect(gitIgnored(".mote/operator.key")).toBe(true);
    expect(recording([], {})).toBe(false);
    expect(recording(["node", "x", "--record"], {})).toBe(true);
    expect(recording([], { MOTE_RECORD: "1" })).toBe(true);
    for (const name of ["latest.json", "rv32.json", "gas-report.json", "gas-report.txt"]) {
      expect(resultPath(name, false).rel).toBe(`bench/results/local/${name}`);
      expect(gitIgnored(resultPath(name, false).rel)).toBe(true);
      expect(resultPath(name, true).rel).toBe(`bench/results/${name}`);
    }
    for (const script of ["bench/budgets.ts", "firmware-host/scripts/rv32.ts"]) {
      expect(readFileSync(join(root, script), "utf8")).toMatch(/resultPath\(/);
    }
  });
});

describe("issue 16 problem 2: a stale ABI beside a module is refused", () => {
  it("problem 2: disasm, run and tx deploy refuse an .abi.json whose moduleHash is not the module's", () => {
    const dir = fresh();
    expect(mote(dir, "compile", join(root, "contracts/token.mote"), "-o", "t.mbc").code).toBe(0);
    expect(mote(dir, "compile", join(root, "contracts/device_registry.mote"), "-o", "c.mbc").code).toBe(0);
    expect(mote(dir, "disasm", "t.mbc").code).toBe(0);
    copyFileSync(join(dir, "c.abi.json"), join(dir, "t.abi.json")); // counter's ABI beside token's module
    oneLine(mote(dir, "disasm", "t.mbc"), 1, /t\.abi\.json: stale or foreign ABI: its moduleHash is 0x[0-9a-f]{64}, but t\.mbc hashes to 0x[0-9a-f]{64}/);
    oneLine(mote(dir, "run", "t.mbc", "balance_of", A), 1, /stale or foreign ABI/);
    expect(mote(dir, "keygen", "--out", "k.key").code).toBe(0);
    expect(mote(dir, "ledger", "init").code).toBe(0);
    oneLine(mote(dir, "tx", "deploy", "t.mbc", "5", "--key", "k.key"), 1, /stale or foreign ABI/);
    expect(existsSync(join(dir, ".mote/abi"))).toBe(false);
  });
});

describe("issue 16 problem 3: mote prove parses keys by the storage type", () => {
  it("problem 3: a key of the wrong type, a missing key or a key on a non-map field is refused", () => {
    const dir = fresh();
    const key = JSON.parse(mote(dir, "keygen", "--out", "k.key", "--json").stdout) as { publicKey: string };
    expect(mote(dir, "ledger", "init").code).toBe(0);
    const d = mote(dir, "tx", "deploy", join(root, "contracts/token.mote"), "100", "--key", "k.key", "--json");
    expect(d.code, d.stderr).toBe(0);
    const c = (JSON.parse(d.stdout) as { contract: string }).contract;
    expect(mote(dir, "tx", "call", c, "approve", B, "5", "--key", "k.key").code).toBe(0);
    expect(mote(dir, "prove", c, `balances[${key.publicKey}]`).stdout).toMatch(/value: 0x6400000000000000 \(100 as an integer\)/);
    expect(mote(dir, "prove", c, `allowances[${key.publicKey}][${B}]`).stdout).toMatch(/\(5 as an integer\)/);
    oneLine(mote(dir, "prove", c, "balances[5]"), 2, /key 1 of balances \(pubkey\)/);
    oneLine(mote(dir, "prove", c, "balances"), 2, /balances is a map<pubkey,u64>: give 1 key/);
    oneLine(mote(dir, "prove", c, "supply[1]"), 2, /supply is a u64, not a map/);
    oneLine(mote(dir, "prove", c, `allowances[${key.publicKey}]`), 2, /give 2 key\(s\)/);
  });
});

describe("issue 16 problem 4: the README and docs say what the tools do", () => {
  it("problem 4: the README's contract-author block runs and prints what it says", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /## Contract authors[\s\S]*?Inside this repository:\n\n```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    const revert = /#\s+revert: (.*)/.exec(block)![1]!;
    const dir = fresh();
    const state = join(dir, "token.json");
    const mbc = join(dir, "token.mbc");
    expect(block).toContain("--source-dir contracts");
    expect(mote(root, "compile", "contracts/token.mote", "-o", mbc).code).toBe(0);
    expect(mote(root, "run", "contracts/token.mote", "transfer", B, "10", "--init", "1000", "--caller", A, "--state", state).code).toBe(0);
    expect(mote(root, "run", "contracts/token.mote", "balance_of", B, "--state", state).stdout).toMatch(/returns: 10\n/);
    const r = mote(root, "run", "contracts/token.mote", "transfer", A, "50", "--caller", B, "--state", state);
    expect(r.stdout).toContain(`revert: ${revert}`);
    const dis = mote(root, "disasm", mbc, "--source-dir", "contracts");
    expect(dis.stdout).toMatch(/; token\.mote:\d+: +\S/); // source text, not only a line number
  });

  it("problem 4: docs use npx mote, point at no file outside the repository, and flag old figures", () => {
    const ledger = readFileSync(join(root, "docs/ledger.md"), "utf8");
    expect(ledger).not.toMatch(/\.\.\/shared/);
    const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(ledger)![1]!;
    for (const line of quick.trim().split("\n")) expect(line).toMatch(/^npx mote /);
    // figures are written between <!--fig:NAME--> markers by npm run docs:figures; read the text a person sees
    const embedding = readFileSync(join(root, "docs/embedding.md"), "utf8").replace(/<!--\/?fig[^>]*-->/g, "");
    const rv32 = JSON.parse(readFileSync(join(root, "bench/results/rv32.json"), "utf8")) as { wasmBytes: number; rv32FlashBytes: number; rv32RamPeakBytes: number };
    expect(embedding).toContain(`mote.wasm ${rv32.wasmBytes.toLocaleString("en-US")} bytes`);
    expect(embedding).toContain(`| ${rv32.rv32FlashBytes.toLocaleString("en-US")} |`);
    expect(embedding).toContain(`**${rv32.rv32RamPeakBytes.toLocaleString("en-US")}**`);
    expect(readFileSync(join(root, "docs/robustness.md"), "utf8")).toMatch(/not the current table/);
  });
});

describe("issue 16 problem 5: one-line errors naming the file and the reason, one exit-code rule", () => {
  it("problem 5: file errors say what is wrong without errno codes or temporary names", () => {
    const dir = fresh();
    mkdirSync(join(dir, "adir"));
    expect(mote(dir, "keygen", "--out", "k.key").code).toBe(0);
    oneLine(mote(dir, "keygen", "--out", "adir"), 1, /--out adir: is a directory/);
    oneLine(mote(dir, "keygen", "--out", "k.key"), 1, /k\.key: already exists/);
    oneLine(mote(dir, "keygen", "--out", "nodir/x.key"), 1, /--out nodir\/x\.key: directory nodir does not exist/);
    oneLine(mote(dir, "check", "nope.mote"), 1, /nope\.mote: error\[E0013\]: cannot read nope\.mote \(no such file or directory\)/);
    oneLine(mote(dir, "check", "adir"), 1, /adir: error\[E0013\]: cannot read adir \(is a directory\)/);
    oneLine(mote(dir, "run", "adir", "f"), 1, /adir: cannot read: is a directory/);
    oneLine(mote(dir, "asm", "adir"), 1, /adir: cannot read: is a directory/);
    oneLine(mote(dir, "tx", "deploy", "x.mote", "--key", "adir"), 1, /--key adir: is a directory, not a key file/);
    chmodSync(join(dir, "adir"), 0o755);
    writeFileSync(join(dir, "afile"), "x");
    oneLine(mote(dir, "ledger", "init", "--data", "afile"), 1, /--data afile: not a directory/);
    oneLine(mote(dir, "ledger", "import", "adir"), 1, /adir: cannot read: is a directory/);
    oneLine(mote(dir, "run", join(root, "contracts/token.mote"), "balance_of", A, "--state", "adir"), 1, /adir: cannot read the state file: is a directory/);
    oneLine(mote(dir, "compile", join(root, "contracts/token.mote"), "-o", "afile/x.mbc"), 1, /afile\/x\.mbc: cannot write the module: (a component of the path is not a directory|already exists)/);
  });

  it("problem 5: a malformed command line exits 2, failed work exits 1", () => {
    const dir = fresh();
    expect(mote(dir, "run").code).toBe(2);
    expect(mote(dir, "run", "x.mbc", "f", "--gas", "zero").code).toBe(2);
    expect(mote(dir, "compile", "x.mote", "-o", "x.bin").code).toBe(2);
    expect(mote(dir, "run", "x.mbc", "f").code).toBe(1);
    expect(mote(dir, "check", "x.mote").code).toBe(1);
    // an unknown function is a typing mistake like a wrong argument, whichever command meets it
    expect(mote(dir, "run", join(root, "contracts/token.mote"), "balance", A).code).toBe(2);
    expect(mote(dir, "run", join(root, "contracts/token.mote"), "balance_of").code).toBe(2);
    expect(mote(dir, "keygen", "--out", "k.key").code).toBe(0);
    expect(mote(dir, "ledger", "init").code).toBe(0);
    const c = (JSON.parse(mote(dir, "tx", "deploy", join(root, "contracts/token.mote"), "100", "--key", "k.key", "--json").stdout) as { contract: string }).contract;
    const v = mote(dir, "ledger", "view", c, "balance", A);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/^mote: no public function 'balance' in the contract's ABI \(it has: transfer, approve, transfer_from, balance_of, allowance\)\n$/);
    expect(mote(dir, "tx", "call", c, "balance", A, "--key", "k.key").code).toBe(2);
    expect(mote(dir, "tx", "call", c, "balance_of", "--key", "k.key").code).toBe(2);
  });
});

describe("issue 16 problem 6: module hashes are printed with 0x", () => {
  it("problem 6: compile --json prints moduleHash as 0x-hex, as every other command takes it", () => {
    const dir = fresh();
    const r = mote(dir, "compile", join(root, "contracts/token.mote"), "-o", "t.mbc", "--json");
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { moduleHash: string };
    expect(j.moduleHash).toMatch(/^0x[0-9a-f]{64}$/);
    const v = JSON.parse(mote(dir, "verify", "t.mbc", "--json").stdout) as { id: string };
    expect(v.id).toBe(j.moduleHash);
  });
});

describe("issue 16 problem 7 (partly): a view sent with tx call", () => {
  it("problem 7: tx call on a view says that it created a block and names ledger view", () => {
    const dir = fresh();
    expect(mote(dir, "keygen", "--out", "k.key").code).toBe(0);
    expect(mote(dir, "ledger", "init").code).toBe(0);
    const c = (JSON.parse(mote(dir, "tx", "deploy", join(root, "contracts/token.mote"), "100", "--key", "k.key", "--json").stdout) as { contract: string }).contract;
    const r = mote(dir, "tx", "call", c, "balance_of", A, "--key", "k.key");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`note: balance_of is a view; this transaction created block 2 (query it without a block: mote ledger view ${c} balance_of ...)\n`);
    expect(mote(dir, "tx", "call", c, "transfer", A, "1", "--key", "k.key").stderr).toBe("");
  });
});

describe("issue 16 problem 7: ABIs after ledger import", () => {
  it("problem 7: ledger import --abi keeps an ABI for the contracts running its module, so events decode", () => {
    const dir = fresh();
    expect(mote(dir, "keygen", "--out", "k.key").code).toBe(0);
    expect(mote(dir, "ledger", "init").code).toBe(0);
    expect(mote(dir, "compile", join(root, "contracts/token.mote"), "-o", "t.mbc").code).toBe(0);
    expect(mote(dir, "compile", join(root, "contracts/device_registry.mote"), "-o", "r.mbc").code).toBe(0);
    const c = (JSON.parse(mote(dir, "tx", "deploy", "t.mbc", "100", "--key", "k.key", "--json").stdout) as { contract: string }).contract;
    expect(mote(dir, "tx", "call", c, "transfer", B, "3", "--key", "k.key").code).toBe(0);
    expect(mote(dir, "ledger", "export", "--out", "chain.bin").code).toBe(0);
    const bare = mote(dir, "ledger", "import", "chain.bin", "--data", "bare");
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).toMatch(/^note: exports carry no ABIs; to decode events and reverts of the 1 deployed contract\(s\), import with --abi/);
    expect(mote(dir, "events", "--data", "bare").stdout).not.toContain("Transfer(");
    const withAbi = mote(dir, "ledger", "import", "chain.bin", "--data", "copy", "--abi", "t.abi.json", "r.abi.json");
    expect(withAbi.code, withAbi.stderr).toBe(0);
    expect(withAbi.stdout).toMatch(/ABIs kept for 1 contract\(s\)/);
    expect(withAbi.stderr).toBe("note: r.abi.json: no contract on this chain runs the module it describes; not kept\n");
    expect(mote(dir, "events", "--data", "copy").stdout).toContain(`Transfer(from=`);
    expect(mote(dir, "ledger", "view", c, "balance_of", B, "--data", "copy").stdout).toMatch(/returns: 3\n/);
  });

  it("ledger show names a deployed contract by its instance id, as tx deploy printed it", () => {
    const dir = fresh();
    expect(mote(dir, "keygen", "--out", "k.key").code).toBe(0);
    expect(mote(dir, "ledger", "init").code).toBe(0);
    const c = (JSON.parse(mote(dir, "tx", "deploy", join(root, "contracts/token.mote"), "100", "--key", "k.key", "--json").stdout) as { contract: string }).contract;
    expect(mote(dir, "ledger", "show", "--height", "1").stdout).toMatch(new RegExp(`deploy \\d+-byte module 0x[0-9a-f]{64} as ${c} by`));
    const j = JSON.parse(mote(dir, "ledger", "show", "--height", "1", "--json").stdout) as { txs: { contract: string; moduleHash: string }[] };
    expect(j.txs[0]!.contract).toBe(c);
    expect(j.txs[0]!.moduleHash).not.toBe(c);
  });
});

describe("issue 16 problem 8: mote-host usage", () => {
  it("problem 8: --help and -h print the gas limits as numbers", () => {
    for (const flag of ["--help", "-h"]) {
      const r = spawnSync(HOST_PATH, [flag], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^usage: mote-host/);
      expect(r.stdout).toContain(`gas limit (1..${LIMITS.MAX_GAS.value}, default ${LIMITS.DEFAULT_GAS.value})`);
      expect(r.stdout).not.toMatch(/MAX_GAS|DEFAULT_GAS/);
    }
  });
});
