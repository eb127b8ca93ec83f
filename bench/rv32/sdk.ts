// The device SDK alone on RV32IMC (no VM, no sealing), measured as the VM is (QEMU -icount shift=0, exact
// counts): the instructions of keygen, recovering the nonce from a proof, signing a reading, signing the
// call that submits it, verifying a state proof from a 1,000-entry state and verifying a real 4-validator
// CometBFT commit (test/vectors/lightclient.json, recorded from the engine) with the light client and
// nanopb's runtime (Debian's source package, fetched and verified by firmware-host/scripts/build.ts); the
// flash each object takes (from the linker map), the native stack reached, the light client's decoded
// messages (static) and the heap (none). Every answer is checked against ledger/ before any figure is
// reported. `npx tsx bench/rv32/sdk.ts [--record]` (bench:budgets runs it too, key rv32Sdk); --record
// rewrites bench/results/device.json, which docs/device.md's figures come from.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "@noble/hashes/sha2.js";
import { depDirs, ensureNanopb, FW_DIR, generateSources, makeVars, VM_WASM } from "../../firmware-host/scripts/build.ts";
import types from "cosmjs-types/tendermint/types/types";
import { decodeValidatorSet, verifyCommit } from "../../ledger/lightclient.ts";
import { buildVm } from "../../scripts/build-vm.ts";
import { KeyPair } from "../../ledger/keys.ts";
import { signTx } from "../../ledger/tx.ts";
import { signReading } from "../../ledger/device-message.ts";
import { encodeStateProof } from "../../ledger/proof.ts";
import { SparseMerkleTree } from "../../ledger/smt.ts";
import { accountKey, storageKey, u64le } from "../../ledger/state.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { BenchError, benchBuildDir, ensureTools, QEMU_ARGS } from "./driver.ts";
import { mapSizes } from "./seal.ts";
import { resultPath } from "../results-path.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const label = (s: string): Uint8Array => sha256(new TextEncoder().encode(s));
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const cArray = (b: Uint8Array): string => `{${Array.from(b, (x) => `0x${x.toString(16).padStart(2, "0")}`).join(", ")}}`;

/** The objects that make up the SDK alone, and what each is. */
export const SDK_OBJECTS: Record<string, string> = {
  "monocypher.o": "Monocypher core (field and group arithmetic)",
  "monocypher-ed25519.o": "Monocypher Ed25519 (SHA-512, signing)",
  "sha256.o": "Mbed TLS SHA-256 (MBEDTLS_SHA256_SMALLER)",
  "platform_util.o": "Mbed TLS platform_util (mbedtls_platform_zeroize)",
  "mote_sdk.o": "identity and nonces",
  "mote_tx.o": "transactions and readings",
  "mote_proof.o": "state-proof verifier",
  "mote_crypto.o": "SHA-256 wrapper",
  "mote_light.o": "light client: commit check",
  "mote_light_state.o": "light client: a value believed (commit check, then the proof against its app hash)",
  "mote_light.pb.o": "light client: nanopb message descriptors (generated)",
  "pb_decode.o": "nanopb decoder",
  "pb_encode.o": "nanopb encoder (canonical re-encoding, header hash, vote bytes)",
  "pb_common.o": "nanopb common",
  "libgcc.a(save-restore.o)": "libgcc's shared prologues and epilogues (-msave-restore)",
};

/**
 * The SDK's compiler options on RV32, which the ESP-IDF component sets for the SDK's sources too: -Os as
 * ESP-IDF's CONFIG_COMPILER_OPTIMIZATION_SIZE; -msave-restore (ESP-IDF's CONFIG_COMPILER_SAVE_RESTORE_LIBCALLS on
 * RISC-V targets): prologues and epilogues become calls into libgcc's save-restore.o, counted above; and
 * -fno-jump-tables (nanopb's switches as compare chains rather than tables in .rodata). Built in a directory of
 * its own (rv32-sdk), so the VM bench's objects keep their flags.
 */
export const SDK_RV_OPT = "-Os -msave-restore -fno-jump-tables";

export interface SdkFigures {
  /** RV32 instructions of each operation */
  instrKeygen: number;
  instrSyncNonce: number;
  instrSignReading: number;
  instrSignTx: number;
  instrVerifyProof: number;
  /** a 4-validator commit (powers 30 10 10 10, all signing): decode, hashes, 4 Ed25519 verifications */
  instrVerifyCommit: number;
  commitValidators: number;
  commitSigners: number;
  commitBytes: number;
  /** the light client's decoded validator set and signed header (mote_light_work, static) */
  lightWorkBytes: number;
  /** siblings in the measured proof (a 1,000-entry state) */
  proofDepth: number;
  /** the signed call transaction's bytes */
  txBytes: number;
  proofBytes: number;
  /** flash of the SDK's objects, total and per object */
  flashBytes: number;
  flashByObject: Record<string, number>;
  /** native stack reached by the deepest operation, plus the static RAM of the objects */
  ramBytes: number;
  stackBytes: number;
  heapBytes: number;
  /**
   * Not in flashBytes: what the SDK calls from the C runtime (picolibc's string functions and vsnprintf with its
   * integer-only formatter, libgcc's 64-bit shifts and byte swap), every member the SDK's objects reach through
   * the linker's cross-reference table. Any firmware links these already; ESP-IDF takes libgcc's and newlib's
   * string functions from the chip's ROM on its RISC-V targets. Here they are rv32im (picolibc's multilib).
   */
  runtimeFlashBytes: number;
  runtimeByMember: Record<string, number>;
}

/** picolibc's vfprintf is the linker's alias of __i_vfprintf here (firmware-host/Makefile, RV_PRINTF). */
const LINK_ALIASES: Record<string, string> = { vfprintf: "__i_vfprintf" };

/**
 * The C runtime's archive members the SDK's objects need, directly or through each other, from the map's
 * cross-reference table (-Wl,--cref: a symbol, the file defining it, then the files referring to it).
 */
export function runtimeMembers(map: string, sdkObjects: readonly string[]): string[] {
  const at = map.indexOf("Cross Reference Table");
  if (at < 0) throw new BenchError("the RV32 device SDK map has no cross-reference table (-Wl,--cref)");
  const table = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of map.slice(at).split("\n").slice(3)) {
    const head = /^(\S+)\s+(\S+)$/.exec(line);
    const more = /^\s+(\S+)$/.exec(line);
    if (head) table.set(head[1]!, (current = [head[2]!]));
    else if (more && current) current.push(more[1]!);
  }
  const base = (f: string) => f.slice(f.lastIndexOf("/") + 1);
  const reached = new Set(sdkObjects);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [sym, files] of table) {
      const definedBy = LINK_ALIASES[sym] ? table.get(LINK_ALIASES[sym]!)?.[0] : files[0];
      if (!definedBy || !definedBy.includes(".a(") || reached.has(base(definedBy))) continue;
      if (files.slice(LINK_ALIASES[sym] ? 0 : 1).some((f) => reached.has(base(f)))) {
        reached.add(base(definedBy));
        grew = true;
      }
    }
  }
  return [...reached].filter((o) => !sdkObjects.includes(o)).sort();
}

function sdkCase() {
  const key = KeyPair.fromSeed(label("rv32 sdk device"));
  const contract = label("rv32 sdk attestation");
  const reading = { nonce: 42n, value: 21n * 65536n + 32768n, timestamp: 1_700_000_000n };
  const state = new SparseMerkleTree();
  for (let i = 0; i < 1000; i++) state.set(storageKey(label(`instance ${i % 10}`), label(`slot ${i}`).subarray(0, 9)), label(`value ${i}`).subarray(0, 8 + (i % 24)));
  const provenKey = storageKey(label("instance 3"), label("slot 503").subarray(0, 9));
  const txNonce = 17n;
  state.set(accountKey(key.publicKey), u64le(txNonce));
  const proof = state.prove(provenKey);
  const accountProof = encodeStateProof(state.prove(accountKey(key.publicKey)));
  return { key, contract, reading, genesisHash: label("rv32 sdk genesis"), gas: 200_000, txNonce, selector: selectorOf("submit"), root: state.root(), provenKey, proof,
    proofBytes: encodeStateProof(proof), accountProof };
}

/** The 4-validator chain of test/vectors/lightclient.json: its set and its last block's signed header. */
function commitCase(): { chainId: string; valset: Uint8Array; signedHeader: Uint8Array; validators: number } {
  const v = JSON.parse(readFileSync(join(HERE, "../../test/vectors/lightclient.json"), "utf8")) as {
    chains: { chainId: string; validators: unknown[]; validatorSetProto: string; blocks: { signedHeaderProto: string }[] }[];
  };
  const chain = v.chains.find((c) => c.validators.length === 4);
  if (!chain) throw new BenchError("test/vectors/lightclient.json has no 4-validator chain");
  const b = chain.blocks[chain.blocks.length - 1]!;
  return { chainId: chain.chainId, valset: Buffer.from(chain.validatorSetProto, "hex"), signedHeader: Buffer.from(b.signedHeaderProto, "hex"), validators: 4 };
}

function caseSources(): { c: string; h: string } {
  const k = sdkCase();
  const lc = commitCase();
  const h = [
    "/* Generated by bench/rv32/sdk.ts: the device SDK bench's inputs. */",
    "#include <stddef.h>",
    "#include <stdint.h>",
    "extern const uint8_t sdk_genesis[32], sdk_seed[32], sdk_contract[32], sdk_root[32], sdk_key[], sdk_proof[], sdk_account_proof[];",
    "extern const size_t sdk_key_len, sdk_proof_len, sdk_proof_depth, sdk_account_proof_len;",
    "extern const uint64_t sdk_reading_nonce, sdk_reading_timestamp, sdk_tx_nonce;",
    "extern const int64_t sdk_reading_value;",
    "extern const uint32_t sdk_gas, sdk_selector;",
    "extern const uint8_t sdk_valset[], sdk_signed_header[];",
    "extern const size_t sdk_valset_len, sdk_signed_header_len;",
    "extern const char sdk_chain_id[];",
    "",
  ].join("\n");
  const c = [
    '#include "sdk_case.h"',
    `const uint8_t sdk_genesis[32] = ${cArray(k.genesisHash)};`,
    `const uint8_t sdk_seed[32] = ${cArray(label("rv32 sdk device"))};`,
    `const uint8_t sdk_contract[32] = ${cArray(k.contract)};`,
    `const uint8_t sdk_root[32] = ${cArray(k.root)};`,
    `const uint8_t sdk_key[] = ${cArray(k.provenKey)};`,
    `const size_t sdk_key_len = ${k.provenKey.length};`,
    `const uint8_t sdk_proof[] = ${cArray(k.proofBytes)};`,
    `const size_t sdk_proof_len = ${k.proofBytes.length};`,
    `const size_t sdk_proof_depth = ${k.proof.siblings.length};`,
    `const uint8_t sdk_account_proof[] = ${cArray(k.accountProof)};`,
    `const size_t sdk_account_proof_len = ${k.accountProof.length};`,
    `const uint64_t sdk_reading_nonce = ${k.reading.nonce}u;`,
    `const int64_t sdk_reading_value = ${k.reading.value};`,
    `const uint64_t sdk_reading_timestamp = ${k.reading.timestamp}u;`,
    `const uint64_t sdk_tx_nonce = ${k.txNonce}u;`,
    `const uint32_t sdk_gas = ${k.gas}u;`,
    `const uint32_t sdk_selector = ${k.selector}u;`,
    `const uint8_t sdk_valset[] = ${cArray(lc.valset)};`,
    `const size_t sdk_valset_len = ${lc.valset.length};`,
    `const uint8_t sdk_signed_header[] = ${cArray(lc.signedHeader)};`,
    `const size_t sdk_signed_header_len = ${lc.signedHeader.length};`,
    `const char sdk_chain_id[] = ${JSON.stringify(lc.chainId)};`,
    "",
  ].join("\n");
  return { c, h };
}

/** The answers the ELF must print, from ledger/. */
function expected(): { public: string; signature: string; tx: string; value: string } {
  const k = sdkCase();
  const signature = signReading(k.key, k.contract, k.reading.nonce, k.reading.value, k.reading.timestamp);
  const tx = signTx({ kind: "call", genesisHash: k.genesisHash, sender: k.key.publicKey, nonce: k.txNonce, gasLimit: k.gas, gasPrice: 0n, value: 0n, contract: k.contract,
    selector: k.selector, args: [k.key.publicKey, k.reading.nonce, k.reading.value, k.reading.timestamp, signature] }, k.key);
  if (k.proof.end.kind !== "leaf") throw new BenchError("the bench's proven key is not in its state");
  return { public: hex(k.key.publicKey), signature: hex(signature), tx: hex(tx.bytes), value: hex(k.proof.end.value) };
}

export async function measureSdkRv32(log: (s: string) => void = () => {}): Promise<SdkFigures> {
  ensureTools(log);
  await buildVm({ quiet: true });
  const build = benchBuildDir();
  const gen = join(build, "gen");
  mkdirSync(gen, { recursive: true });
  const deps = depDirs(log);
  ensureNanopb(log); // the generator (Debian's nanopb) for gen/mote_light.pb.[ch]; depDirs has the runtime
  await generateSources(VM_WASM, gen);
  const src = caseSources();
  for (const [name, text] of [["sdk_case.c", src.c], ["sdk_case.h", src.h]] as const) {
    const p = join(gen, name);
    if (!existsSync(p) || readFileSync(p, "utf8") !== text) writeFileSync(p, text);
  }
  // make tracks sources, not flags: objects built with other options than SDK_RV_OPT are built again
  const sdkDir = join(build, "rv32-sdk");
  const stamp = join(sdkDir, ".rv-opt");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== SDK_RV_OPT) {
    rmSync(sdkDir, { recursive: true, force: true });
    mkdirSync(sdkDir, { recursive: true });
    writeFileSync(stamp, SDK_RV_OPT);
  }
  log("building the RV32 device SDK ELF");
  const jobs = String(Math.max(1, Math.min(2, cpus().length)));
  const mk = spawnSync("nice", ["-n", "10", "make", "-C", FW_DIR, "-f", "Makefile", "-f", join(HERE, "bench.mk"), `-j${jobs}`, `BUILD=${build}`,
    `BENCH_SRC=${HERE}`, "BENCH_NAME=sdk", "RV_SUFFIX=-sdk", `RV_OPT=${SDK_RV_OPT}`, ...makeVars(deps), "sdk-elf"], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (mk.status !== 0) throw new BenchError(`building the RV32 device SDK ELF: make exited with ${mk.status}\n${(mk.stdout + mk.stderr).trim().split("\n").slice(-10).join("\n")}`);
  const elf = join(build, "rv32-sdk", "mote-sdk.elf");
  const q = spawnSync("nice", ["-n", "10", "qemu-system-riscv32", ...QEMU_ARGS, elf], { encoding: "utf8", timeout: 300_000 });
  const out = `${q.stdout ?? ""}${q.stderr ?? ""}`;
  if (!out.includes("\ndone")) throw new BenchError(`the RV32 device SDK bench stopped early: ${out.trim().split("\n").slice(-3).join(" | ")}`);
  const want = expected();
  const grab = (re: RegExp, what: string): RegExpExecArray => re.exec(out) ?? (() => { throw new BenchError(`the RV32 device SDK bench printed no ${what}`); })();
  const kp = grab(/^keygen instret=(\d+) public=(0x[0-9a-f]+)$/m, "key");
  const sy = grab(/^sync instret=(\d+) nonce=(\d+)$/m, "nonce recovery");
  const rd = grab(/^reading instret=(\d+) nonce=(\d+) signature=(0x[0-9a-f]+)$/m, "reading");
  const tx = grab(/^tx instret=(\d+) bytes=(0x[0-9a-f]+)$/m, "transaction");
  const pr = grab(/^proof instret=(\d+) depth=(\d+) value=(0x[0-9a-f]+)$/m, "proof");
  const cm = grab(/^commit instret=(\d+) height=(\d+) signers=(\d+) validators=(\d+) power=(\d+)\/(\d+) block_hash=(0x[0-9a-f]+)$/m, "commit check");
  const lw = grab(/^light work=(\d+)$/m, "light client work size");
  const vs = grab(/^state instret=(\d+) rc=(\w+)$/m, "state check");
  // the bench's proof is for its own state, not the recorded chain's: refused against the commit's app hash
  if (vs[2] !== "proof_root") throw new BenchError(`RV32: mote_light_verify_state answered ${vs[2]}, not proof_root, for a proof of another state`);
  const mem = grab(/^mem stack=(\d+) heap=(\d+)$/m, "memory figures");
  const lc = commitCase();
  const ts = verifyCommit(decodeValidatorSet(lc.valset).validators, types.SignedHeader.decode(lc.signedHeader), lc.chainId);
  if (cm[7] !== hex(ts.blockHash) || BigInt(cm[2]!) !== ts.height || Number(cm[3]) !== ts.signers || BigInt(cm[5]!) !== ts.signedPower || BigInt(cm[6]!) !== ts.totalPower)
    throw new BenchError("RV32: the commit check differs from ledger/lightclient.ts's");
  if (kp[2] !== want.public) throw new BenchError("RV32: the public key differs from ledger/keys.ts's");
  if (BigInt(sy[2]!) !== sdkCase().txNonce) throw new BenchError("RV32: the recovered nonce differs from the state's");
  if (BigInt(rd[2]!) !== sdkCase().reading.nonce || rd[3] !== want.signature) throw new BenchError("RV32: the reading signature differs from ledger/'s");
  if (tx[2] !== want.tx) throw new BenchError("RV32: the signed transaction differs from ledger/tx.ts's");
  if (pr[3] !== want.value) throw new BenchError("RV32: the proven value differs from the state's");
  const map = readFileSync(join(build, "rv32-sdk", "mote-sdk.map"), "utf8");
  const flashByObject: Record<string, number> = {};
  let ram = 0;
  for (const o of Object.keys(SDK_OBJECTS)) {
    const s = mapSizes(map, [o]);
    flashByObject[o.replace(/^libgcc\.a\((.*)\)$/, "libgcc-$1").replace(/\.o$/, "")] = s.flash;
    ram += s.ram;
  }
  const runtimeByMember: Record<string, number> = {};
  for (const m of runtimeMembers(map, Object.keys(SDK_OBJECTS))) {
    const f = mapSizes(map, [m]).flash;
    if (f > 0) runtimeByMember[m] = f; // 0: referenced, then dropped by --gc-sections
  }
  const k = sdkCase();
  return {
    instrKeygen: Number(kp[1]),
    instrSyncNonce: Number(sy[1]),
    instrSignReading: Number(rd[1]),
    instrSignTx: Number(tx[1]),
    instrVerifyProof: Number(pr[1]),
    instrVerifyCommit: Number(cm[1]),
    commitValidators: Number(cm[4]),
    commitSigners: Number(cm[3]),
    commitBytes: lc.valset.length + lc.signedHeader.length,
    lightWorkBytes: Number(lw[1]),
    proofDepth: Number(pr[2]),
    txBytes: (want.tx.length - 2) / 2,
    proofBytes: k.proofBytes.length,
    flashBytes: Object.values(flashByObject).reduce((a, b) => a + b, 0),
    flashByObject,
    ramBytes: Number(mem[1]) + ram + Number(lw[1]),
    stackBytes: Number(mem[1]),
    heapBytes: Number(mem[2]),
    runtimeFlashBytes: Object.values(runtimeByMember).reduce((a, b) => a + b, 0),
    runtimeByMember,
  };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    const figures = await measureSdkRv32((s) => process.stderr.write(`rv32 sdk: ${s}\n`));
    const out = resultPath("device.json");
    writeFileSync(out.path, JSON.stringify({ rv32Sdk: figures }, null, 2) + "\n");
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\nwrote ${out.rel}\n`);
  } catch (e) {
    process.stderr.write(`rv32 sdk: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
