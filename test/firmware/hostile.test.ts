// Bounds checks of the firmware host: a hostile VM (a wasm standing in for mote.wasm) hands every import
// pointers and lengths outside linear memory; the host must refuse each one, and the memory clamp must hold.
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ASAN_HOST_PATH, HOST_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { runBatch } from "../../firmware-host/scripts/batch.ts";

/**
 * A VM whose mote_call(selector) makes one hostile import call, chosen by the selector, and reports the
 * import's return value as gasUsed. It declares a 64 KiB page but says it uses 4 KiB, so mote-host clamps
 * linear memory to 4 KiB: selector 12 then reads past the clamp and must trap.
 */
const HOSTILE_WAT = `
(module
  (import "env" "host_sload" (func $sload (param i32 i32 i32 i32) (result i32)))
  (import "env" "host_sstore" (func $sstore (param i32 i32 i32 i32) (result i32)))
  (import "env" "host_xload" (func $xload (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "host_emit" (func $emit (param i32 i32) (result i32)))
  (import "env" "host_sha256" (func $sha256 (param i32 i32 i32)))
  (import "env" "host_ed25519_verify" (func $edv (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (global $last (mut i32) (i32.const 0))
  (global $rlen (mut i32) (i32.const 0))
  (func (export "mote_memory_used") (result i32) (i32.const 4096))
  (func (export "mote_module_ptr") (result i32) (i32.const 2048))
  (func (export "mote_ctx_ptr") (result i32) (i32.const 1024))
  (func (export "mote_io_ptr") (result i32) (i32.const 2048))
  (func (export "mote_io_size") (result i32) (i32.const 2048))
  (func (export "mote_load") (param i32) (result i32) (i32.const 0))
  (func (export "mote_error_offset") (result i32) (i32.const 0))
  (func (export "mote_stop_offset") (result i32) (i32.const -1))
  (func (export "mote_error") (result i32) (i32.const 0))
  (func (export "mote_result_len") (result i32) (global.get $rlen))
  (func (export "mote_gas_used") (result i32) (global.get $last))
  (func (export "mote_call") (param $sel i32) (param $argsLen i32) (param $gas i32) (result i32)
    (if (i32.eq (local.get $sel) (i32.const 1)) (then (global.set $last (call $sload (i32.const 4090) (i32.const 16) (i32.const 0) (i32.const 8)))))
    (if (i32.eq (local.get $sel) (i32.const 2)) (then (global.set $last (call $sload (i32.const 0) (i32.const 4) (i32.const -1) (i32.const 8)))))
    (if (i32.eq (local.get $sel) (i32.const 3)) (then (global.set $last (call $sload (i32.const 0) (i32.const -1) (i32.const 0) (i32.const 8)))))
    (if (i32.eq (local.get $sel) (i32.const 4)) (then (global.set $last (call $sstore (i32.const 0) (i32.const 4) (i32.const 100) (i32.const 0x7fffffff)))))
    (if (i32.eq (local.get $sel) (i32.const 5)) (then (global.set $last (call $xload (i32.const 4080) (i32.const 0) (i32.const 4) (i32.const 100) (i32.const 8)))))
    (if (i32.eq (local.get $sel) (i32.const 6)) (then (global.set $last (call $emit (i32.const 0) (i32.const 4)))))
    (if (i32.eq (local.get $sel) (i32.const 7)) (then (global.set $last (call $emit (i32.const 0x7fffffff) (i32.const 0x7fffffff)))))
    (if (i32.eq (local.get $sel) (i32.const 8)) (then
      ;; topic 1, one value with an unknown tag 7: malformed
      (i32.store (i32.const 0) (i32.const 1)) (i32.store8 (i32.const 4) (i32.const 1)) (i32.store8 (i32.const 5) (i32.const 7))
      (global.set $last (call $emit (i32.const 0) (i32.const 6)))))
    (if (i32.eq (local.get $sel) (i32.const 9)) (then
      (call $sha256 (i32.const 0) (i32.const 10) (i32.const 4090))
      (global.set $last (i32.load (i32.const 4092)))))
    (if (i32.eq (local.get $sel) (i32.const 10)) (then (global.set $last (call $edv (i32.const 4090) (i32.const 0) (i32.const 0) (i32.const 0)))))
    (if (i32.eq (local.get $sel) (i32.const 11)) (then (global.set $last (call $edv (i32.const 0) (i32.const 0) (i32.const -5) (i32.const 0)))))
    (if (i32.eq (local.get $sel) (i32.const 12)) (then (global.set $last (i32.load (i32.const 5000)))))
    (if (i32.eq (local.get $sel) (i32.const 13)) (then
      ;; a well-formed store and read back in one call: 8 bytes at 100 under key "k"
      (i32.store8 (i32.const 0) (i32.const 107)) (i64.store (i32.const 100) (i64.const 42))
      (drop (call $sstore (i32.const 0) (i32.const 1) (i32.const 100) (i32.const 8)))
      (global.set $last (call $sload (i32.const 0) (i32.const 1) (i32.const 200) (i32.const 8)))))
    (if (i32.eq (local.get $sel) (i32.const 14)) (then
      ;; a value longer than the output capacity is a failure, not a truncation
      (global.set $last (call $sload (i32.const 0) (i32.const 1) (i32.const 200) (i32.const 4)))))
    (if (i32.eq (local.get $sel) (i32.const 15)) (then
      ;; results claiming a 65535-byte string in 3 bytes
      (i32.store8 (i32.const 2048) (i32.const 1)) (i32.store16 (i32.const 2049) (i32.const 0xffff))
      (global.set $rlen (i32.const 3))))
    (if (i32.eq (local.get $sel) (i32.const 16)) (then (return (i32.const 99))))
    (i32.const 0))
)`;

let vmPath = "";
beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
  await buildFirmwareHost({ quiet: true, sanitized: true });
  const { default: binaryen } = await import("binaryen");
  const mod = binaryen.parseText(HOSTILE_WAT);
  mod.setFeatures(binaryen.Features.All);
  expect(mod.validate()).toBeTruthy();
  const dir = mkdtempSync(join(tmpdir(), "mote-hostile-"));
  vmPath = join(dir, "hostile.wasm");
  writeFileSync(vmPath, mod.emitBinary());
  mod.dispose();
}, 300_000);

/** gasUsed of each call: what the hostile VM's import call returned, the same in mote-host and under ASan. */
function importResults(selectors: number[]): number[] {
  const lines = ["module 0x4d4f5445", ...selectors.map((s) => `call @${s}`)];
  const outs = [HOST_PATH, ASAN_HOST_PATH].map((host) => {
    const r = runBatch(lines, ["--vm", vmPath], host);
    expect(r.stderr, host).toBe("");
    expect(r.status).toBe(0);
    return r.stdout.map((l) => (JSON.parse(l) as { gasUsed: number }).gasUsed);
  });
  expect(outs[1]).toEqual(outs[0]);
  return outs[0]!;
}

describe("mote-host refuses out-of-range pointers and lengths", () => {
  it.each([
    [1, "host_sload key past the clamped memory", -1],
    [2, "host_sload negative output pointer", -1],
    [3, "host_sload negative key length", -1],
    [4, "host_sstore value length near 2^31", -1],
    [5, "host_xload id crossing the end of memory", -1],
    [6, "host_emit shorter than an event header", -1],
    [7, "host_emit pointer + length overflowing 32 bits", -1],
    [8, "host_emit malformed event (unknown tag)", -1],
    [9, "host_sha256 output crossing the end: nothing written", 0],
    [10, "host_ed25519_verify key crossing the end", 0],
    [11, "host_ed25519_verify negative message length", 0],
  ])("selector %i: %s", (sel, _what, expected) => {
    expect(importResults([sel])).toEqual([expected]);
  });

  it("still serves well-formed requests from the same VM (store, read back, capacity)", () => {
    expect(importResults([13, 14])).toEqual([8, -1]);
  });

  it.each([
    [15, /^mote-host: mote_call left malformed tagged results$/],
    [16, /^mote-host: mote_call returned an unknown status$/],
  ])("treats a VM answer it cannot trust as a fault, never as output (selector %i)", (sel, msg) => {
    for (const host of [HOST_PATH, ASAN_HOST_PATH]) {
      const r = runBatch(["module 0x4d4f5445", `call @${sel}`], ["--vm", vmPath], host);
      expect(r.status).toBe(3);
      expect(r.stdout).toEqual([]);
      expect(r.stderr.trim()).toMatch(msg);
    }
  });

  it.each([["mote-host", HOST_PATH], ["mote-host-asan", ASAN_HOST_PATH]])(
    "clamps linear memory to what the VM reports: a load past it traps with a one-line error (%s)", (_n, host) => {
      const r = runBatch(["module 0x4d4f5445", "call @12"], ["--vm", vmPath], host);
      expect(r.status).toBe(3);
      expect(r.stdout).toEqual([]);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^mote-host: mote_call trapped \(a VM fault, never a call result\): .+/);
    },
  );
});
