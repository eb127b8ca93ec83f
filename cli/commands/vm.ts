// `mote asm`, `mote disasm`, `mote verify` and `mote run`: the VM-level commands.
// Parsing and printing only; assembling, verifying and running live in vm/.
import type { Command } from "commander";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { assemble, AsmError, disassemble } from "../../vm/asm/index.ts";
import { decodeModule, ModuleFormatError, selectorOf } from "../../vm/spec/module.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { LEDGER_LIMITS } from "../../ledger/params.ts";
import { VERIFY_ERRORS } from "../../vm/spec/format.ts";
import { CliError, fsReason } from "../errors.ts";
import { MoteVM, MemoryStateStore, resultToJson, type CallResult, type Value } from "../../vm/host/index.ts";
import { emptyRunState, isDeployed, loadStateFile, saveStateFile } from "../state-file.ts";
import { parseIntArg, parseHexArg, toHex } from "../values.ts";
import { describeRevert, locateStop, stopPrefix, formatEvent, formatValue, functionByName, functionNames, parseArg, sourceAnnotator, type Abi } from "../../compiler/abi.ts";
import { dirname, isAbsolute, join } from "node:path";
import { checkAbiMatches } from "../abi-file.ts";
import { traceWriter } from "../trace.ts";
import { quoteInput, quotePath } from "../../compiler/escape.ts";

function readInput(path: string): Uint8Array {
  if (!existsSync(path)) throw new CliError(`${quotePath(path)}: no such file`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`${quotePath(path)}: cannot read: ${fsReason(e)}`);
  }
}

// The CLI runs the prebuilt vm/build/mote.wasm (built at install); it never imports build scripts.
async function vm(): Promise<MoteVM> {
  return MoteVM.create();
}

/**
 * The metadata of a compiled module, when `X.abi.json` sits beside `X.mbc`. It is used only when its
 * moduleHash is the module's SHA-256: a stale or foreign ABI would name the wrong functions and source
 * lines, so it is refused rather than trusted.
 */
function readAbiBeside(mbcPath: string, module: Uint8Array): Abi | undefined {
  const p = mbcPath.replace(/\.mbc$/, "") + ".abi.json";
  if (!existsSync(p)) return undefined;
  let abi: Abi;
  try {
    abi = JSON.parse(readFileSync(p, "utf8")) as Abi;
  } catch (e) {
    throw new CliError(`${quotePath(p)}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(abi.functions) || !Array.isArray(abi.errors) || !Array.isArray(abi.events)) {
    throw new CliError(`${quotePath(p)}: not a Mote ABI file (functions, events or errors missing)`);
  }
  checkAbiMatches(abi, module, p, mbcPath);
  return abi;
}

/** Compiles a .mote source for `mote run`, printing its diagnostics; fails on errors. */
async function compileForRun(file: string): Promise<{ module: Uint8Array; abi: Abi }> {
  const { compileFile, formatDiagnostic, readSourceFile } = await import("../../compiler/index.ts");
  const out = compileFile(file);
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  for (const d of out.diagnostics) process.stderr.write(formatDiagnostic(d, readSourceFile(d.file) ?? "") + "\n");
  if (errors.length > 0 || !out.module || !out.abi) throw new CliError(`${quotePath(file)}: ${errors.length} compile error(s)`);
  return { module: out.module, abi: out.abi };
}
function parseGas(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new CliError(`--gas: expected a positive integer, got '${quoteInput(text)}'`, 2);
  const n = Number(text);
  if (n < 1 || n > LIMITS.MAX_GAS.value) throw new CliError(`--gas: must be 1..${LIMITS.MAX_GAS.value}, got ${text}`, 2);
  return n;
}

function parseCaller(text: string | undefined): Uint8Array {
  if (text === undefined) return new Uint8Array(32);
  const b = parseHexArg(text, "--caller");
  if (b.length !== 32) throw new CliError(`--caller: expected 32 bytes of 0x-hex (a public key), got ${b.length}`, 2);
  return b;
}

function parseU64Option(text: string | undefined, name: string): bigint {
  if (text === undefined) return 0n;
  if (!/^[0-9]+$/.test(text)) throw new CliError(`${name}: expected a non-negative integer, got '${quoteInput(text)}'`, 2);
  const v = BigInt(text);
  if (v >= 2n ** 64n) throw new CliError(`${name}: exceeds 2^64-1`, 2);
  return v;
}

/** VM-level argument parsing (no metadata): decimal integers, 0x-hex bytes, true/false. */
function parseRawArg(text: string, i: number): Value {
  if (text === "true") return 1n;
  if (text === "false") return 0n;
  if (text.startsWith("0x")) return parseHexArg(text, `argument ${i + 1}`);
  return parseIntArg(text, `argument ${i + 1}`);
}

function formatRaw(v: Value): string {
  return typeof v === "bigint" ? v.toString() : toHex(v);
}

export function register(program: Command): void {
  program
    .command("asm")
    .description("assemble Mote assembly text into a module")
    .argument("<file>", "assembly source (.masm)")
    .option("-o, --out <file>", "output module (default: FILE with .mbc)")
    .action((file: string, opts: { out?: string }) => {
      const text = new TextDecoder().decode(readInput(file));
      let bytes: Uint8Array;
      try {
        bytes = assemble(text, file);
      } catch (e) {
        if (e instanceof AsmError) throw new CliError(e.message);
        throw e;
      }
      const out = opts.out ?? file.replace(/\.masm$|\.asm$/, "") + ".mbc";
      try {
        writeFileSync(out, bytes);
      } catch (e) {
        throw new CliError(`${quotePath(out)}: cannot write the module: ${fsReason(e)}`);
      }
      process.stdout.write(`${quotePath(out)}: ${bytes.length} bytes\n`);
    });

  program
    .command("disasm")
    .description("disassemble a module (uses FILE.abi.json beside it for names when present)")
    .argument("<file>", "module (.mbc)")
    .option("--offsets", "append each instruction's offset")
    .option("--source-dir <dir>", "where the contract's sources are (default: beside the module, then the working directory)")
    .action((file: string, opts: { offsets?: boolean; sourceDir?: string }) => {
      const bytes = readInput(file);
      const abi = readAbiBeside(file, bytes);
      const dirs = [...(opts.sourceDir ? [opts.sourceDir] : []), dirname(file), process.cwd()];
      try {
        const annotate = abi && sourceAnnotator(abi, sourceReader(dirs));
        process.stdout.write(disassemble(bytes, { ...disasmNames(abi), annotate, offsets: !!opts.offsets }));
      } catch (e) {
        if (e instanceof ModuleFormatError) throw new CliError(`${quotePath(file)}: ${e.message}`);
        throw e;
      }
    });

  program
    .command("verify")
    .description("verify a module as the VM does at load")
    .argument("<file>", "module (.mbc)")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: { json?: boolean }) => {
      const bytes = readInput(file);
      const r = (await vm()).verify(bytes);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(r.ok ? { ok: true, id: toHex(r.id), bytes: bytes.length } : { ok: false, code: r.code, name: r.name, offset: r.offset }) + "\n",
        );
      } else if (r.ok) {
        const m = decodeModule(bytes);
        process.stdout.write(
          `${quotePath(file)}: ok, ${bytes.length} bytes, ${m.functions.length} function(s), ${m.exports.length} export(s), id ${toHex(r.id)}\n`,
        );
      } else {
        const doc = VERIFY_ERRORS.find((v) => v.code === r.code)?.doc ?? "";
        process.stderr.write(`${quotePath(file)}: invalid module at byte ${r.offset}: ${r.name} (V${r.code}): ${doc}\n`);
      }
      if (!r.ok) throw new CliError("", 1);
    });

  program
    .command("run")
    .description("deploy a module (or compile a .mote source) on a fresh or saved state and call a function")
    .argument("<file>", "module (.mbc) or contract source (.mote)")
    .argument("<fn>", "function to call")
    .argument("[args...]", "arguments: decimal integers, 0x-hex bytes, true/false")
    .option("--init <args...>", "arguments for init when the contract is deployed")
    .option("--caller <hex>", "caller public key, 32 bytes of 0x-hex (default all zeros)")
    .option("--gas <n>", "gas limit (default: a ledger transaction's, LEDGER_LIMITS.DEFAULT_TX_GAS)", String(LEDGER_LIMITS.DEFAULT_TX_GAS.value))
    .option("--state <file>", "keep storage in FILE between runs; it holds every contract run on it (a module new to FILE is deployed first, running its init)")
    .option("--timestamp <n>", "block timestamp seen by the call", "0")
    .option("--height <n>", "block height seen by the call", "0")
    .option("--value <n>", "native value the call reports as attached (value()); nothing is credited here", "0")
    .option("--json", "print the VM-level result as one JSON object")
    .option("--trace", "print each executed instruction under its source line (stack depth and top, gas left), each storage read and write and event, and where it reverted")
    .action(async (file: string, fn: string, args: string[], opts: RunOptions) => {
      await runCommand(file, fn, args, opts);
    });
}

interface RunOptions {
  init?: string[];
  caller?: string;
  gas: string;
  state?: string;
  timestamp?: string;
  height?: string;
  value?: string;
  json?: boolean;
  trace?: boolean;
}

/** Reads a source file named by an ABI (paths are relative to the compiled file's directory). */
function sourceReader(dirs: string[]): (file: string) => string | undefined {
  return (file) => {
    for (const d of dirs) {
      const p = isAbsolute(file) ? file : join(d, file);
      if (existsSync(p)) return readFileSync(p, "utf8");
    }
    return undefined;
  };
}

function disasmNames(abi: Abi | undefined): { funcNames?: string[]; exportNames?: Map<number, string> } {
  if (!abi) return {};
  return { funcNames: functionNames(abi), exportNames: new Map(abi.functions.map((f) => [selectorOf(f.name), f.name])) };
}

async function runCommand(file: string, fn: string, argTexts: string[], opts: RunOptions): Promise<void> {
  const gas = parseGas(opts.gas);
  const caller = parseCaller(opts.caller);
  const timestamp = parseU64Option(opts.timestamp, "--timestamp");
  const height = parseU64Option(opts.height, "--height");
  const value = parseU64Option(opts.value, "--value");
  let module: Uint8Array;
  let abi: Abi | undefined;
  if (file.endsWith(".mote")) {
    if (!existsSync(file)) throw new CliError(`${quotePath(file)}: no such file`);
    ({ module, abi } = await compileForRun(file));
  } else {
    module = readInput(file);
    abi = readAbiBeside(file, module);
  }

  let exports;
  try {
    exports = decodeModule(module).exports;
  } catch (e) {
    if (e instanceof ModuleFormatError) throw new CliError(`${quotePath(file)}: not a valid module: ${e.message}`);
    throw e;
  }
  const selector = selectorOf(fn);
  if (!exports.some((e) => e.selector === selector)) {
    throw new CliError(`${quotePath(file)}: no exported function '${quoteInput(fn)}'`, 2);
  }
  const parseArgs = (fnName: string, texts: string[], what: string): Value[] => {
    const f = abi && functionByName(abi, fnName);
    if (!f) return texts.map(parseRawArg);
    if (texts.length !== f.params.length) {
      const sig = f.params.map((p) => `${p.name}: ${p.type}`).join(", ");
      throw new CliError(`${what}${fnName}(${sig}) takes ${f.params.length} argument(s), got ${texts.length}`, 2);
    }
    return texts.map((t, i) => {
      try {
        return parseArg(t, f.params[i]!.type, f.params[i]!.size);
      } catch (e) {
        throw new CliError(`${what}argument ${i + 1} (${f.params[i]!.name}: ${f.params[i]!.type}): ${(e as Error).message}`, 2);
      }
    });
  };
  const args = parseArgs(fn, argTexts, "");
  const machine = opts.trace ? await MoteVM.create({ trace: true }) : await vm();
  const verified = machine.verify(module);
  if (!verified.ok) throw new CliError(`${quotePath(file)}: invalid module at byte ${verified.offset}: ${verified.name} (V${verified.code})`);

  // a state holds every contract deployed on it: a module new to it is deployed (its init runs) first,
  // so a second contract can read the first's storage by id
  const state = opts.state && existsSync(opts.state) ? loadStateFile(opts.state) : emptyRunState();
  const fresh = !isDeployed(state, verified.id);
  const store = state.store;
  const tracer = opts.trace ? traceWriter(abi, sourceReader([dirname(file), process.cwd()]), module, (l) => void process.stdout.write(`${l}\n`)) : undefined;
  const ctx = { store, caller, timestamp, height, gas, value, ...(tracer ? { onTrace: tracer.entry, onStep: tracer.step } : {}) };
  if (fresh && exports.some((e) => e.selector === selectorOf("init"))) {
    const initArgs = parseArgs("init", opts.init ?? [], "--init: ");
    tracer?.begin("init");
    const r = machine.call(module, "init", initArgs, ctx);
    tracer?.end(r);
    if (r.status !== "ok") {
      printResult(r, !!opts.json, abi, "init", undefined, module);
      throw new CliError("", 1);
    }
  } else if (opts.init && opts.init.length > 0 && !fresh) {
    throw new CliError(`--init: ${opts.state} already holds this contract (${toHex(verified.id)}); init runs only when it is deployed`, 2);
  }
  state.deployed.add(toHex(verified.id));
  tracer?.begin(fn);
  const r = machine.call(module, fn, args, ctx);
  tracer?.end(r);
  if (opts.state && (r.status === "ok" || fresh)) saveStateFile(opts.state, state);
  printResult(r, !!opts.json, abi, undefined, fn, module);
  if (r.status !== "ok") throw new CliError("", 1);
}

const STATUS_TEXT: Record<string, string> = {
  out_of_gas: "out of gas",
  stack_overflow: "stack overflow (value stack full)",
  call_depth: "call depth limit reached",
  arena_full: "byte-string arena full",
  div_zero: "division by zero",
  overflow: "arithmetic overflow",
  bounds: "byte string index or reference out of range",
  bad_call: "bad call (unknown function or arguments that do not match)",
  host_error: "host error",
};

function printResult(r: CallResult, json: boolean, abi?: Abi, phase?: string, fn?: string, module?: Uint8Array): void {
  if (json) {
    process.stdout.write(resultToJson(r) + "\n");
    return;
  }
  const lines: string[] = [];
  const head = phase ? `${phase}: ` : "";
  if (r.status === "ok") lines.push(`${head}ok`);
  else if (r.status === "revert") {
    const at = abi && module ? locateStop(abi, module, r.stopOffset) : undefined;
    const where = abi && r.error !== null ? describeRevert(abi, r.error, at) : undefined;
    lines.push(where ? `${head}revert: ${where}` : `${head}revert: error ${r.error}`);
  } else if (r.status === "invalid_module") lines.push(`${head}invalid module at byte ${r.errorOffset}: V${r.error}`);
  else lines.push(`${head}${stopPrefix(abi, module, r.stopOffset)}${STATUS_TEXT[r.status] ?? r.status}`);
  const retType = abi && fn ? functionByName(abi, fn)?.returns : undefined;
  if (r.returns.length) lines.push(`returns: ${r.returns.map((v) => (retType ? formatValue(v, retType) : formatRaw(v))).join(", ")}`);
  for (const e of r.events) {
    const named = abi ? formatEvent(abi, e.topic, e.values) : undefined;
    lines.push(`event ${named ?? `${e.topic}: ${e.values.map(formatRaw).join(", ")}`}`);
  }
  lines.push(`gas used: ${r.gasUsed}`);
  process.stdout.write(lines.join("\n") + "\n");
}

// -- mote run --trace ----------------------------------------------------------------------------------
