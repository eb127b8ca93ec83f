// Map keys that do not fit a storage key raw (slot byte + key <= MAX_KEY_BYTES): fixed-size keys over
// 63 bytes (`sig`, nested keys) are stored under their SHA-256; a `bytes` key over 63 bytes stops.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { beforeAll, describe, expect, it } from "vitest";
import { describeRevert, locateStop } from "../../compiler/abi.ts";
import { compileSource, type CompileOutput } from "../../compiler/index.ts";
import { MAX_MAP_KEY } from "../../compiler/types.ts";
import { MemoryStateStore, MoteVM, type Value } from "../../vm/host/index.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { moduleId } from "../../vm/spec/module.ts";

const root = new URL("../..", import.meta.url).pathname;

const SIGS = `
struct Seen { count: u64, active: bool }
contract Sigs {
  storage total: u64;
  storage m: map<sig, u64>;
  storage bySig: map<sig, map<u64, u64>>;
  storage byId: map<u64, map<sig, u64>>;
  storage seen: map<sig, Seen>;
  pub fn put(s: sig, v: u64) { m[s] = v; }
  pub fn add(s: sig, v: u64) { m[s] += v; }
  pub view fn get(s: sig) -> u64 { return m[s]; }
  pub fn put2(s: sig, i: u64, v: u64) { bySig[s][i] = v; byId[i][s] = v; }
  pub fn add2(s: sig, i: u64, v: u64) { bySig[s][i] += v; byId[i][s] += v; }
  pub view fn get2(s: sig, i: u64) -> u64 { return bySig[s][i] + byId[i][s]; }
  pub fn mark(s: sig) { seen[s] = Seen { count: 1, active: true }; seen[s].count += 1; seen[s].active = false; }
  pub view fn seen_of(s: sig) -> u64 { if (seen[s].active) { return 0; } return seen[s].count; }
  pub view fn sum(s: sig, n: u64) -> u64 {
    let t: u64 = 0;
    for i in 0..n { t += m[s]; }
    return t;
  }
}`;

const READER = `
extern contract Sigs {
  storage total: u64;
  storage m: map<sig, u64>;
}
contract SigReader {
  pub view fn get(id: hash, s: sig) -> u64 { return Sigs(id).m[s]; }
}`;

const BLOBS = `
contract Blobs {
  storage blobs: map<bytes, u64>;
  pub fn put(k: bytes, v: u64) { blobs[k] = v; }
  pub fn add(k: bytes, v: u64) { blobs[k] += v; }
  pub view fn get(k: bytes) -> u64 { return blobs[k]; }
  pub fn put_short(v: u64) { blobs[0x0102] = v; }
  pub fn put_hash(h: hash, v: u64) { blobs[h] = v; }
}`;

const sigOf = (byte: number): Uint8Array => new Uint8Array(64).fill(byte);
const bytesOf = (n: number, byte = 0x11): Uint8Array => new Uint8Array(n).fill(byte);
const le64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

function compiled(source: string, file: string): CompileOutput & { module: Uint8Array } {
  const out = compileSource(source, file);
  expect(out.diagnostics).toEqual([]);
  return out as CompileOutput & { module: Uint8Array };
}

/** The storage entries of the module's own instance, as {"0x<key>": "0x<value>"}. */
function entries(store: MemoryStateStore, module: Uint8Array): Record<string, string> {
  return store.toJSON()[hex(moduleId(module))] ?? {};
}

function slotOf(out: CompileOutput, name: string): number {
  return out.abi!.storage.find((s) => s.name === name)!.slot;
}

describe("map<sig, V>", () => {
  it("regression: map<sig, V> compiled but every access stopped with bounds", () => {
    const out = compiled(SIGS, "sigs.mote");
    const store = new MemoryStateStore();
    const call = (fn: string, args: Value[]) => vm.call(out.module, fn, args, { store });
    const [s1, s2] = [sigOf(0xab), sigOf(0xcd)];
    expect(call("put", [s1, 5n]).status).toBe("ok");
    expect(call("put", [s2, 7n]).status).toBe("ok");
    expect(call("get", [s1]).returns).toEqual([5n]);
    expect(call("get", [s2]).returns).toEqual([7n]);
    expect(call("get", [sigOf(0x01)]).returns).toEqual([0n]);
    // two distinct entries, each under slot byte + SHA-256 of the signature (as docs/language.md says)
    const slot = slotOf(out, "m");
    expect(entries(store, out.module)).toEqual({
      [hex(cat(Uint8Array.of(slot), sha256(s1)))]: hex(le64(5n)),
      [hex(cat(Uint8Array.of(slot), sha256(s2)))]: hex(le64(7n)),
    });
  });

  it("compound assignment on a sig key adds to the hashed entry", () => {
    const out = compiled(SIGS, "sigs.mote");
    const store = new MemoryStateStore();
    const call = (fn: string, args: Value[]) => vm.call(out.module, fn, args, { store });
    const s = sigOf(0x42);
    expect(call("add", [s, 3n]).status).toBe("ok");
    expect(call("add", [s, 4n]).status).toBe("ok");
    expect(call("get", [s]).returns).toEqual([7n]);
    expect(entries(store, out.module)).toEqual({ [hex(cat(Uint8Array.of(slotOf(out, "m")), sha256(s)))]: hex(le64(7n)) });
  });

  it("nested maps with a sig as the first or the inner key: joined keys hashed, compound assignment too", () => {
    const out = compiled(SIGS, "sigs.mote");
    const store = new MemoryStateStore();
    const call = (fn: string, args: Value[]) => vm.call(out.module, fn, args, { store });
    const [s1, s2] = [sigOf(0x01), sigOf(0x02)];
    expect(call("put2", [s1, 9n, 10n]).status).toBe("ok");
    expect(call("add2", [s1, 9n, 5n]).status).toBe("ok");
    expect(call("put2", [s2, 9n, 1n]).status).toBe("ok");
    expect(call("get2", [s1, 9n]).returns).toEqual([30n]);
    expect(call("get2", [s2, 9n]).returns).toEqual([2n]);
    expect(call("get2", [s1, 8n]).returns).toEqual([0n]);
    const [bySig, byId] = [slotOf(out, "bySig"), slotOf(out, "byId")];
    expect(entries(store, out.module)).toEqual({
      [hex(cat(Uint8Array.of(bySig), sha256(cat(s1, le64(9n)))))]: hex(le64(15n)),
      [hex(cat(Uint8Array.of(byId), sha256(cat(le64(9n), s1))))]: hex(le64(15n)),
      [hex(cat(Uint8Array.of(bySig), sha256(cat(s2, le64(9n)))))]: hex(le64(1n)),
      [hex(cat(Uint8Array.of(byId), sha256(cat(le64(9n), s2))))]: hex(le64(1n)),
    });
  });

  it("a struct value under a sig key: field writes read, replace and write back the hashed entry", () => {
    const out = compiled(SIGS, "sigs.mote");
    const store = new MemoryStateStore();
    const s = sigOf(0x77);
    expect(vm.call(out.module, "mark", [s], { store }).status).toBe("ok");
    expect(vm.call(out.module, "seen_of", [s], { store }).returns).toEqual([2n]);
    expect(Object.keys(entries(store, out.module))).toEqual([hex(cat(Uint8Array.of(slotOf(out, "seen")), sha256(s)))]);
  });

  it("another contract reads a sig-keyed entry through its id (the same hashed key)", () => {
    const out = compiled(SIGS, "sigs.mote");
    const reader = compiled(READER, "reader.mote");
    const store = new MemoryStateStore();
    const s = sigOf(0x5a);
    expect(vm.call(out.module, "put", [s, 11n], { store }).status).toBe("ok");
    expect(vm.call(reader.module, "get", [moduleId(out.module), s], { store }).returns).toEqual([11n]);
  });

  it("a loop reading a sig-keyed entry gives back each hash's arena bytes every iteration", () => {
    const out = compiled(SIGS, "sigs.mote");
    const store = new MemoryStateStore();
    const s = sigOf(0x33);
    expect(vm.call(out.module, "put", [s, 2n], { store }).status).toBe("ok");
    // each read hashes the 64-byte key into 32 fresh arena bytes: without reclaiming, the arena runs out
    const n = BigInt(Math.ceil(LIMITS.ARENA_BYTES.value / 32) + 10);
    const r = vm.call(out.module, "sum", [s, n], { store, gas: LIMITS.MAX_GAS.value });
    expect(r.status).toBe("ok");
    expect(r.returns).toEqual([2n * n]);
  });
});

describe("map<bytes, V>: keys are stored raw, at most 63 bytes", () => {
  const tooLong = `map key too long: blobs[k] (a bytes key is at most ${MAX_MAP_KEY} bytes)`;

  it("a 63-byte key works; a 64-byte key stops with its message, for write, compound assignment and read", () => {
    expect(MAX_MAP_KEY).toBe(63);
    const out = compiled(BLOBS, "blobs.mote");
    const store = new MemoryStateStore();
    const call = (fn: string, args: Value[]) => vm.call(out.module, fn, args, { store });
    const k63 = bytesOf(63);
    expect(call("put", [k63, 5n]).status).toBe("ok");
    expect(call("add", [k63, 1n]).status).toBe("ok");
    expect(call("get", [k63]).returns).toEqual([6n]);
    expect(entries(store, out.module)).toEqual({ [hex(cat(Uint8Array.of(slotOf(out, "blobs")), k63))]: hex(le64(6n)) });

    const lines = BLOBS.split("\n");
    for (const fn of ["put", "add", "get"]) {
      const r = call(fn, fn === "get" ? [bytesOf(64)] : [bytesOf(64), 1n]);
      expect(r.status, fn).toBe("revert");
      const line = lines.findIndex((l) => l.includes(`pub ${fn === "get" ? "view " : ""}fn ${fn}(`)) + 1;
      const col = lines[line - 1]!.indexOf("blobs[k]") + 1;
      expect(describeRevert(out.abi!, r.error!, locateStop(out.abi!, out.module, r.stopOffset)), fn).toBe(`blobs.mote:${line}:${col}: ${tooLong}`);
    }
    // a 64-byte key's entry was not written, nor did it alias a 63-byte one
    expect(call("get", [k63]).returns).toEqual([6n]);
    expect(Object.keys(entries(store, out.module))).toHaveLength(1);
  });

  it("short bytes keys keep their storage key: slot byte + the key bytes (no layout change)", () => {
    const out = compiled(BLOBS, "blobs.mote");
    const store = new MemoryStateStore();
    const slot = slotOf(out, "blobs");
    expect(vm.call(out.module, "put", [Uint8Array.of(0x01), 3n], { store }).status).toBe("ok");
    expect(vm.call(out.module, "put", [new Uint8Array(0), 4n], { store }).status).toBe("ok");
    expect(vm.call(out.module, "put", [sha256(bytesOf(64)), 8n], { store }).status).toBe("ok");
    expect(vm.call(out.module, "put_short", [9n], { store }).status).toBe("ok");
    const h = bytesOf(32, 0x22);
    expect(vm.call(out.module, "put_hash", [h, 10n], { store }).status).toBe("ok");
    expect(entries(store, out.module)).toEqual({
      [hex(Uint8Array.of(slot, 0x01))]: hex(le64(3n)),
      [hex(Uint8Array.of(slot))]: hex(le64(4n)),
      [hex(cat(Uint8Array.of(slot), sha256(bytesOf(64))))]: hex(le64(8n)),
      [hex(Uint8Array.of(slot, 0x01, 0x02))]: hex(le64(9n)),
      // a hash used as a bytes key follows the map's layout: raw, like any other bytes key
      [hex(cat(Uint8Array.of(slot), h))]: hex(le64(10n)),
    });
    expect(vm.call(out.module, "get", [h], { store }).returns).toEqual([10n]);
    // a key of known length (a constant, a hash) is not checked at run time: one message, for put/add/get
    expect(out.abi!.errors.map((e) => e.message).filter((m) => m.startsWith("map key"))).toEqual([tooLong]);
  });

  it("a constant bytes key over 63 bytes is a compile error at the index", () => {
    const src = `contract C {\n  storage blobs: map<bytes, u64>;\n  pub fn put(v: u64) { blobs[${hex(bytesOf(64))}] = v; }\n}`;
    const out = compileSource(src, "c.mote");
    expect(out.module).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.message, d.line, d.col])).toEqual([
      ["E0050", `a map key is at most 63 bytes (the slot byte comes first in a ${LIMITS.MAX_KEY_BYTES.value}-byte storage key); this one is 64`, 3, src.split("\n")[2]!.indexOf("blobs[0x") + 1],
    ]);
    expect(compileSource(src.replace(hex(bytesOf(64)), hex(bytesOf(63))), "c.mote").diagnostics).toEqual([]);
  });

  it("a sig used as a bytes key (always 64 bytes) is a compile error, not hashed", () => {
    const src = `contract C {\n  storage blobs: map<bytes, u64>;\n  pub fn put(s: sig, v: u64) { blobs[s] = v; }\n}`;
    const out = compileSource(src, "c.mote");
    expect(out.module).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.message, d.line, d.col])).toEqual([
      ["E0050", `a map key is at most 63 bytes (the slot byte comes first in a ${LIMITS.MAX_KEY_BYTES.value}-byte storage key); this one is 64`, 3, src.split("\n")[2]!.indexOf("blobs[s]") + 1],
    ]);
  });
});

describe("mote prove builds the key as the compiler does", () => {
  it("a sig key is hashed; a bytes key over 63 bytes is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "mote-map-keys-"));
    const mote = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin/mote.js"), ...args], { cwd: dir, encoding: "utf8" });
    writeFileSync(join(dir, "sigs.mote"), SIGS);
    writeFileSync(join(dir, "blobs.mote"), BLOBS);
    expect(mote("keygen", "--out", "k.key").status).toBe(0);
    expect(mote("ledger", "init").status).toBe(0);
    const deploy = (file: string): string => {
      const d = mote("tx", "deploy", file, "--key", "k.key", "--json");
      expect(d.status, d.stderr).toBe(0);
      return (JSON.parse(d.stdout) as { contract: string }).contract;
    };
    const [sigs, blobs] = [deploy("sigs.mote"), deploy("blobs.mote")];
    const s = hex(sigOf(0xab));
    const put = mote("tx", "call", sigs, "put", s, "5", "--key", "k.key");
    expect(put.status, put.stderr).toBe(0);
    const p = mote("prove", sigs, `m[${s}]`);
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/value: 0x0500000000000000 \(5 as an integer\)/);
    const long = mote("prove", blobs, `blobs[${hex(bytesOf(64))}]`);
    expect([long.status, long.stderr]).toEqual([2, "mote: key 1 of blobs (bytes): 64 bytes; a map key is at most 63 bytes\n"]);
  }, 60_000);
});
