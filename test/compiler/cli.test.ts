// `mote compile` and `mote check` (cli/commands/compile.ts), driven in-process through commander with
// the exit-code mapping of cli/main.ts: 0 ok, 1 compile errors, 2 usage.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { Command, CommanderError } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Abi, metadataHashInput } from "../../compiler/abi.ts";
import { compileFile } from "../../compiler/index.ts";
import { register } from "../../cli/commands/compile.ts";
import { CliError } from "../../cli/errors.ts";
import { decodeModule } from "../../vm/spec/module.ts";

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  const program = new Command("mote").exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  register(program);
  let code = 0;
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof CliError) {
      code = e.exitCode;
      if (e.message) stderr += `mote: ${e.message}\n`;
    } else throw e;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "mote-cli-"));
afterEach(() => vi.restoreAllMocks());

describe("mote compile", () => {
  it("writes OUT.mbc and OUT.abi.json that match the compiler and each other", async () => {
    const mbc = join(dir, "token.mbc");
    const r = await runCli(["compile", "contracts/token.mote", "-o", mbc]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*token\.mbc \(\d+ bytes\) and .*token\.abi\.json\n$/);
    const bytes = new Uint8Array(readFileSync(mbc));
    expect(Buffer.from(bytes)).toEqual(Buffer.from(compileFile("contracts/token.mote").module!));
    const abiText = readFileSync(join(dir, "token.abi.json"), "utf8");
    const abi = JSON.parse(abiText) as Abi;
    expect(abi.moduleHash).toBe(Buffer.from(sha256(bytes)).toString("hex"));
    expect(decodeModule(bytes).metaHash).toBeUndefined();
    expect(abi.functions.find((f) => f.name === "transfer")?.params).toEqual([
      { name: "to", type: "pubkey" },
      { name: "amount", type: "u64" },
    ]);
  });

  it("--embed-abi-hash ties the module to its ABI through the META section", async () => {
    const mbc = join(dir, "meta.mbc");
    expect((await runCli(["compile", "contracts/token.mote", "-o", mbc, "--embed-abi-hash"])).code).toBe(0);
    const bytes = new Uint8Array(readFileSync(mbc));
    const abi = JSON.parse(readFileSync(join(dir, "meta.abi.json"), "utf8")) as Abi;
    expect(abi.moduleHash).toBe(Buffer.from(sha256(bytes)).toString("hex"));
    expect(Buffer.from(decodeModule(bytes).metaHash!)).toEqual(Buffer.from(sha256(metadataHashInput(abi))));
    expect(bytes.length).toBe(compileFile("contracts/token.mote").module!.length + 34);
  });

  it("--json prints one object with the outputs", async () => {
    const r = await runCli(["compile", "contracts/token.mote", "-o", join(dir, "t2.mbc"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; diagnostics: unknown[]; size: number; moduleHash: string };
    expect(j.ok).toBe(true);
    expect(j.diagnostics).toEqual([]);
    expect(j.size).toBe(readFileSync(join(dir, "t2.mbc")).length);
  });

  it("exits 1 with rendered diagnostics on compile errors, writing nothing", async () => {
    const r = await runCli(["compile", "test/compiler/cases/type_errors.mote", "-o", join(dir, "bad.mbc")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("test/compiler/cases/type_errors.mote:8:36: error[E0030]: expected u64, found i64");
    expect(r.stderr).toMatch(/\n\s+\|\s+\^\n/);
    expect(r.stderr).toMatch(/\d+ errors, \d+ warnings\n$/);
    expect(() => readFileSync(join(dir, "bad.mbc"))).toThrow();
  });

  it("exits 2 on usage errors", async () => {
    expect((await runCli(["compile"])).code).toBe(2);
    expect((await runCli(["compile", "contracts/token.mote", "-o", join(dir, "x.bin")])).code).toBe(2);
  });
});

describe("mote check", () => {
  it("exits 0 on a good contract", async () => {
    const r = await runCli(["check", "contracts/token.mote"]);
    expect(r).toEqual({ code: 0, stdout: "contracts/token.mote: ok\n", stderr: "" });
  });

  it("exits 1 on binary garbage, with a one-line-per-problem report and no stack trace", async () => {
    const f = join(dir, "garbage.mote");
    writeFileSync(f, Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff, 0xfe, 0x10]));
    const r = await runCli(["check", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[E0009]: the source is not UTF-8 text");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 1 on a missing file", async () => {
    const r = await runCli(["check", join(dir, "nope.mote"), "--json"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code)).toEqual(["E0013"]);
  });

  it("shows an imported file's own line for an error in it", async () => {
    writeFileSync(join(dir, "lib.mote"), "// helpers\nfn two() -> u64 { return true; }\n");
    writeFileSync(join(dir, "main.mote"), 'import "lib.mote";\ncontract M { pub view fn f() -> u64 { return two(); } }\n');
    const r = await runCli(["check", join(dir, "main.mote")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, "lib.mote")}:2:26: error[E0030]: expected u64, found bool`);
    expect(r.stderr).toContain("2 | fn two() -> u64 { return true; }");
  });

  it("prints warnings but succeeds", async () => {
    const r = await runCli(["check", "test/compiler/cases/warnings.mote"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning[W0001]: unreachable code");
  });
});
