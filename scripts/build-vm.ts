// Builds the VM (`npm run build`): compiles vm/assembly/index.ts with AssemblyScript to vm/build/mote.wasm
// (+ mote.wat for inspection). `buildVm()` skips the work when the wasm is newer than every source.
import { mkdirSync, readdirSync, statSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const WASM_PATH = join(ROOT, "vm/build/mote.wasm");
/** The same VM with a host_trace call before each instruction (`mote run --trace`); never used to run calls for real. */
export const TRACE_WASM_PATH = join(ROOT, "vm/build/mote-trace.wasm");
const WAT_PATH = join(ROOT, "vm/build/mote.wat");
/** The fast engine's runtime (vm/assembly/fast.ts): byte strings, storage and events for translated modules. */
export const FAST_WASM_PATH = join(ROOT, "vm/build/mote-fast.wasm");

/**
 * Compiler flags. Measured on this interpreter (sum loop, valgrind Ir per VM op under V8 TurboFan /
 * Liftoff): -O3 12,671 B 22/66, -O2 11,593 B 21/68, -Os 11,352 B 21/69, -Oz 11,298 B 22/65,
 * -O3s 11,211 B 21/65 — equally fast within noise, so the smallest wins.
 */
export const ASC_FLAGS = [
  "--optimizeLevel", "3",
  "--shrinkLevel", "1",
  "--runtime", "stub",
  "--noAssert",
  "--use", "abort=",
  "--initialMemory", "1",
  "--maximumMemory", "1",
];

function newestSource(): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(ROOT, "vm/assembly"));
  newest = Math.max(newest, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  return newest;
}

export async function buildVm(opts: { force?: boolean; flags?: string[]; out?: string; quiet?: boolean; entry?: string } = {}): Promise<{ built: boolean; bytes: number }> {
  const out = opts.out ?? WASM_PATH;
  if (!opts.force && !opts.flags && existsSync(out) && statSync(out).mtimeMs >= newestSource()) {
    return { built: false, bytes: statSync(out).size };
  }
  const { default: asc } = await import("assemblyscript/asc");
  mkdirSync(dirname(out), { recursive: true });
  let errText = "";
  const args = [
    join(ROOT, opts.entry ?? "vm/assembly/index.ts"),
    "--outFile", out,
    ...(out === WASM_PATH ? ["--textFile", WAT_PATH] : []),
    ...(opts.flags ?? ASC_FLAGS),
  ];
  const { error } = await asc.main(args, {
    stdout: { write: (s: string | Uint8Array) => { if (!opts.quiet) process.stdout.write(s); return true; } } as never,
    stderr: { write: (s: string | Uint8Array) => { errText += String(s); return true; } } as never,
  });
  if (error) throw new Error(`mote.wasm build failed: ${error.message}\n${errText}`);
  if (errText.trim() && !opts.quiet) process.stderr.write(errText);
  return { built: true, bytes: statSync(out).size };
}

/** Builds vm/build/mote-trace.wasm (MOTE_TRACE defined) when it is older than a source. */
export async function buildTraceVm(opts: { force?: boolean; quiet?: boolean } = {}): Promise<{ built: boolean; bytes: number }> {
  if (!opts.force && existsSync(TRACE_WASM_PATH) && statSync(TRACE_WASM_PATH).mtimeMs >= newestSource()) {
    return { built: false, bytes: statSync(TRACE_WASM_PATH).size };
  }
  return buildVm({ out: TRACE_WASM_PATH, flags: [...ASC_FLAGS, "--use", "MOTE_TRACE=1"], quiet: opts.quiet });
}

/**
 * Builds vm/build/mote-fast.wasm when it is older than a source: it imports the interpreter's memory
 * (same layout, so it must hold no data segment) and the same host functions.
 */
export async function buildFastRuntime(opts: { force?: boolean; quiet?: boolean } = {}): Promise<{ built: boolean; bytes: number }> {
  if (!opts.force && existsSync(FAST_WASM_PATH) && statSync(FAST_WASM_PATH).mtimeMs >= newestSource()) {
    return { built: false, bytes: statSync(FAST_WASM_PATH).size };
  }
  return buildVm({ out: FAST_WASM_PATH, entry: "vm/assembly/fast.ts", flags: [...ASC_FLAGS, "--importMemory"], quiet: opts.quiet });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await buildVm({ force: true });
  console.log(`${r.built ? "built" : "up to date"}: vm/build/mote.wasm (${r.bytes} bytes)`);
  const t = await buildTraceVm({ force: true, quiet: true });
  console.log(`built: vm/build/mote-trace.wasm (${t.bytes} bytes, for mote run --trace)`);
  const f = await buildFastRuntime({ force: true, quiet: true });
  console.log(`built: vm/build/mote-fast.wasm (${f.bytes} bytes, the fast engine's runtime)`);
}
