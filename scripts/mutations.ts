// The mutations `npm run mutate` applies (one at a time, to a scratch copy of the repository), the tests each
// folder's mutants must fail, and the goals per folder. Each mutation replaces text that occurs exactly once
// in its file; test/mutation/mutations.test.ts fails when one no longer does, so the list cannot go stale.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Mutation {
  /** Stable name, used by `npm run mutate -- --only ID`. */
  id: string;
  /** Path from the repository root. */
  file: string;
  from: string;
  to: string;
  /** What a mutant that survives would let through. */
  breaks: string;
}

/** Folders, the tests rerun for their mutants, and the share that must be killed (percent). */
export const FOLDERS: Record<string, { tests: string[]; goal: number }> = {
  "firmware-host/src": {
    tests: ["test/firmware/hostile-imports.test.ts", "test/firmware/conformance.test.ts", "test/firmware/cli.test.ts"],
    goal: 100,
  },
  "vm/assembly": {
    tests: ["test/vm", "test/spec", "test/fuzz/arith-diff.test.ts", "test/fuzz/bytes-diff.test.ts", "test/regressions/image-tail.test.ts", "test/regressions/replay.test.ts"],
    goal: 100,
  },
  ledger: { tests: ["test/ledger", "test/adversarial"], goal: 100 },
  compiler: { tests: ["test/compiler"], goal: 100 },
};

export const folderOf = (m: Mutation): string => Object.keys(FOLDERS).find((f) => m.file.startsWith(`${f}/`))!;

const C = "firmware-host/src/mote_host.c";
const I = "vm/assembly/interp.ts";

export const MUTATIONS: Mutation[] = [
  // -- firmware host: every defensive check of the imports and the engine --------------------------------------
  { id: "c-sha256-input-range", file: C, from: "if (range_ok(h, ptr, len) && range_ok(h, out_ptr, 32)) {", to: "if (range_ok(h, out_ptr, 32)) {", breaks: "a hostile VM reads past linear memory through host_sha256 (issue 20, row 1)" },
  { id: "c-sha256-output-range", file: C, from: "if (range_ok(h, ptr, len) && range_ok(h, out_ptr, 32)) {", to: "if (range_ok(h, ptr, len)) {", breaks: "host_sha256 writes its digest past linear memory" },
  { id: "c-emit-event-cap", file: C, from: "if (!event_ok(p, (uint32_t)len) || h->n_events >= MOTE_MAX_EVENTS) return -1;", to: "if (!event_ok(p, (uint32_t)len)) return -1;", breaks: "out-of-bounds write into events[16] (issue 20, row 2)" },
  { id: "c-emit-short-header", file: C, from: "if (!h->in_call || !range_ok(h, ptr, len) || len < 5) return -1;", to: "if (!h->in_call || !range_ok(h, ptr, len)) return -1;", breaks: "host_emit reads an event's count byte past the request" },
  { id: "c-emit-event-ok", file: C, from: "return values_ok(p + 5, len - 5, p[4]);", to: "return p != NULL;", breaks: "malformed events reach the JSON encoder" },
  { id: "c-emit-in-call", file: C, from: "if (!h->in_call || !range_ok(h, ptr, len) || len < 5) return -1;", to: "if (!range_ok(h, ptr, len) || len < 5) return -1;", breaks: "events emitted outside a call leak into the next call" },
  { id: "c-range-end-inclusive", file: C, from: "(uint64_t)(uint32_t)ptr + (uint32_t)len <= h->mem_used", to: "(uint64_t)(uint32_t)ptr + (uint32_t)len < h->mem_used", breaks: "requests ending exactly at the end of memory are refused" },
  { id: "c-range-end-past", file: C, from: "(uint64_t)(uint32_t)ptr + (uint32_t)len <= h->mem_used", to: "(uint64_t)(uint32_t)ptr + (uint32_t)len <= h->mem_used + 1", breaks: "requests may reach one byte past memory" },
  { id: "c-sload-in-call", file: C, from: "if (!h->in_call || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap)) return -1;", to: "if (!range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap)) return -1;", breaks: "storage is readable while no call runs" },
  { id: "c-sload-out-range", file: C, from: "if (!h->in_call || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap)) return -1;", to: "if (!h->in_call || !range_ok(h, key_ptr, key_len)) return -1;", breaks: "host_sload writes a value past linear memory" },
  { id: "c-sload-key-range", file: C, from: "if (!h->in_call || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap)) return -1;", to: "if (!h->in_call || !range_ok(h, out_ptr, out_cap)) return -1;", breaks: "host_sload reads a key past linear memory" },
  { id: "c-put-value-capacity", file: C, from: "if (v->val_len > (uint32_t)cap) return -1;", to: "if (v->val_len > (uint32_t)cap + 1) return -1;", breaks: "a value one byte longer than the output capacity is written" },
  { id: "c-sstore-value-range", file: C, from: "if (!h->in_call || key_len < 1 || !range_ok(h, key_ptr, key_len) || !range_ok(h, val_ptr, val_len)) return -1;", to: "if (!h->in_call || key_len < 1 || !range_ok(h, key_ptr, key_len)) return -1;", breaks: "host_sstore stores bytes read past linear memory" },
  { id: "c-sstore-in-call", file: C, from: "if (!h->in_call || key_len < 1 || !range_ok(h, key_ptr, key_len) || !range_ok(h, val_ptr, val_len)) return -1;", to: "if (key_len < 1 || !range_ok(h, key_ptr, key_len) || !range_ok(h, val_ptr, val_len)) return -1;", breaks: "storage is writable while no call runs" },
  { id: "c-sstore-empty-key", file: C, from: "if (!h->in_call || key_len < 1 || !range_ok(h, key_ptr, key_len) || !range_ok(h, val_ptr, val_len)) return -1;", to: "if (!h->in_call || !range_ok(h, key_ptr, key_len) || !range_ok(h, val_ptr, val_len)) return -1;", breaks: "a hostile VM stores its own native balance (the empty key) and mints value" },
  { id: "c-xload-id-range", file: C, from: "if (!h->in_call || !range_ok(h, id_ptr, 32) || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap))", to: "if (!h->in_call || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap))", breaks: "host_xload reads a contract id past linear memory" },
  { id: "c-xload-out-range", file: C, from: "if (!h->in_call || !range_ok(h, id_ptr, 32) || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap))", to: "if (!h->in_call || !range_ok(h, id_ptr, 32) || !range_ok(h, key_ptr, key_len))", breaks: "host_xload writes a value past linear memory" },
  { id: "c-edverify-msg-range", file: C, from: "if (!range_ok(h, pk_ptr, 32) || !range_ok(h, msg_ptr, msg_len) || !range_ok(h, sig_ptr, 64)) return 0;", to: "if (!range_ok(h, pk_ptr, 32) || !range_ok(h, sig_ptr, 64)) return 0;", breaks: "host_ed25519_verify hashes a message past linear memory" },
  { id: "c-edverify-sig-range", file: C, from: "if (!range_ok(h, pk_ptr, 32) || !range_ok(h, msg_ptr, msg_len) || !range_ok(h, sig_ptr, 64)) return 0;", to: "if (!range_ok(h, pk_ptr, 32) || !range_ok(h, msg_ptr, msg_len)) return 0;", breaks: "host_ed25519_verify reads a signature past linear memory" },
  { id: "c-args-fit-io", file: C, from: "if (args_len > e->io_size) {", to: "if (args_len > e->io_size + 4096) {", breaks: "arguments longer than the I/O buffer are copied past it" },
  { id: "c-status-known", file: C, from: "if (st < 0 || st >= MOTE_STATUS_COUNT) {", to: "if (st < 0 || st > MOTE_STATUS_COUNT) {", breaks: "a status past the table indexes mote_status_names out of bounds" },
  { id: "c-result-len-bound", file: C, from: "if (rlen < 0 || (uint32_t)rlen > sizeof e->results || !range_ok(h, (int32_t)e->io_ptr, rlen)) {", to: "if (rlen < 0 || !range_ok(h, (int32_t)e->io_ptr, rlen)) {", breaks: "results longer than the host's buffer overflow it" },
  // (weakening one value's length check, or `q == len` to `q >= len`, gives equivalent mutants: values_ok never
  // advances q past len, and requires the values to end exactly at len)
  { id: "c-values-exact-length", file: C, from: "    return q == len;\n}", to: "    return 1;\n}", breaks: "an event with bytes after its counted values is accepted" },
  { id: "c-layout-fits", file: C, from: "if ((uint64_t)starts[i] + sizes[i] > e->h.mem_used) {", to: "if ((uint64_t)starts[i] > e->h.mem_used) {", breaks: "a VM whose module, ctx or I/O area crosses its memory has the host write past it" },
  { id: "c-module-area-bound", file: C, from: "if (len <= MOTE_MODULE_MAX_BYTES) memcpy(mote_vm_memory(e->vm) + e->module_ptr, module, len);", to: "memcpy(mote_vm_memory(e->vm) + e->module_ptr, module, len);", breaks: "an oversized module is copied past the module area" },
  { id: "c-store-key-limit", file: "firmware-host/src/mote_store.c", from: "if (key_len > MOTE_MAX_KEY_BYTES || val_len > MOTE_MAX_BYTES_LEN || (key_len == 0 && val_len != 0 && val_len != 8)) return -1;", to: "if (val_len > MOTE_MAX_BYTES_LEN || (key_len == 0 && val_len != 0 && val_len != 8)) return -1;", breaks: "a hostile VM stores keys longer than MAX_KEY_BYTES" },
  { id: "c-store-value-limit", file: "firmware-host/src/mote_store.c", from: "if (key_len > MOTE_MAX_KEY_BYTES || val_len > MOTE_MAX_BYTES_LEN || (key_len == 0 && val_len != 0 && val_len != 8)) return -1;", to: "if (key_len > MOTE_MAX_KEY_BYTES || (key_len == 0 && val_len != 0 && val_len != 8)) return -1;", breaks: "a hostile VM stores values longer than MAX_BYTES_LEN" },
  { id: "c-revert-discards-writes", file: C, from: "    if (st != MOTE_ST_OK) {\n        int32_t stop = -1;", to: "    if (st != MOTE_ST_OK && st != MOTE_ST_REVERT) {\n        int32_t stop = -1;", breaks: "a reverted call's results and writes are kept" },

  // -- the interpreter and verifier --------------------------------------------------------------------------
  { id: "as-muls-minus-one-traps", file: I, from: "if (<i64>a == -1 ? t == 0x8000000000000000 : a != 0 && <i64>r / <i64>a != <i64>t) {", to: "if (a != 0 && <i64>r / <i64>a != <i64>t) {", breaks: "muls(-1, MIN) divides MIN by -1: a WebAssembly trap escapes the VM" },
  { id: "as-muls-overflow", file: I, from: "if (<i64>a == -1 ? t == 0x8000000000000000 : a != 0 && <i64>r / <i64>a != <i64>t) {", to: "if (<i64>a == -1 ? t == 0x8000000000000000 : false) {", breaks: "signed multiplication wraps instead of reporting overflow" },
  { id: "as-mulu-overflow", file: I, from: "if (((a | t) >>> 32) != 0 && a != 0 && r / a != t) {", to: "if (((a | t) >>> 33) != 0 && a != 0 && r / a != t) {", breaks: "unsigned products just past 2^64 wrap" },
  { id: "as-fdiv-estimate-step", file: I, from: "    if (ph > hi || (ph == hi && q * ub > lo)) q--;", to: "    if (ph > hi) q--;", breaks: "fdiv past 2^48 returns one too many when the estimate's product passes the dividend only in its low word" },
  { id: "as-fdiv-remainder-bits", file: I, from: "    q = (q << FIXED_FRAC_BITS) + (((ua - q * ub) << FIXED_FRAC_BITS) / ub);", to: "    q = q << FIXED_FRAC_BITS;", breaks: "fdiv past 2^48 with a small divisor drops the remainder's 16 fraction bits" },
  { id: "as-mulu-zero-operand", file: I, from: "if (((a | t) >>> 32) != 0 && a != 0 && r / a != t) {", to: "if (((a | t) >>> 32) != 0 && r / (a | 1) != t) {", breaks: "mulu by an even operand past 2^32 reports overflow where the product fits" },
  { id: "as-adds-overflow", file: I, from: "if (<i64>((a ^ r) & (t ^ r)) < 0) {", to: "if (<i64>((a ^ r) & (t ^ r)) < -1) {", breaks: "signed addition wraps at MAX" },
  { id: "as-divs-min-minus-one", file: I, from: "          if (a == 0x8000000000000000) {\n            st = ST_OVERFLOW | MID;", to: "          if (false) {\n            st = ST_OVERFLOW | MID;", breaks: "divs(MIN, -1) returns MIN instead of overflow" },
  { id: "as-divu-zero", file: I, from: "      case OP_DIVU: {\n        sp -= 8;\n        if (t == 0) {", to: "      case OP_DIVU: {\n        sp -= 8;\n        if (false) {", breaks: "division by zero traps inside the VM" },
  { id: "as-call-depth", file: I, from: "if (depth >= MAX_CALL_DEPTH - 1) {", to: "if (depth >= MAX_CALL_DEPTH) {", breaks: "one frame more than MAX_CALL_DEPTH is entered" },
  { id: "as-ref-in-arena", file: "vm/assembly/refs.ts", from: "return a >= <u32>REF_LO && a <= <u32>arenaTop && l <= <u32>arenaTop - a;", to: "return a >= <u32>REF_LO && a <= <u32>arenaTop && l <= <u32>arenaTop - a + 1;", breaks: "a byte-string reference may reach one byte past the arena" },
  { id: "as-bcat-max-len", file: I, from: "        if (n > MAX_BYTES_LEN) {", to: "        if (n > MAX_BYTES_LEN + 1) {", breaks: "bcat builds strings longer than MAX_BYTES_LEN" },
  { id: "as-key-max-len", file: "vm/assembly/refs.ts", from: "if (l > MAX_KEY_BYTES - 1) return false;", to: "if (l > MAX_KEY_BYTES) return false;", breaks: "storage keys one byte over MAX_KEY_BYTES reach the host" },
  { id: "as-emit-cap", file: I, from: "if (size > MAX_BYTES_LEN || nEvents >= MAX_EVENTS) {", to: "if (size > MAX_BYTES_LEN || nEvents > MAX_EVENTS) {", breaks: "a call emits MAX_EVENTS + 1 events" },
  { id: "as-verify-max-stack", file: "vm/assembly/verify.ts", from: "if (h > maxStack) return fail(VE_STACK_OVERFLOW, p);", to: "if (h > maxStack + 1) return fail(VE_STACK_OVERFLOW, p);", breaks: "a function uses one stack slot more than it declares" },
  { id: "as-load-zeroes-image-tail", file: "vm/assembly/index.ts", from: "if (len >= 0 && len <= IMAGE_SIZE) memory.fill(IMAGE + len, 0, IMAGE_SIZE - len);", to: "if (len < 0) memory.fill(IMAGE + len, 0, IMAGE_SIZE - len);", breaks: "a module's results depend on the module loaded before it (robustness bug #1)" },

  // -- the other rows of issue 20 ------------------------------------------------------------------------
  { id: "ledger-audit-timestamps", file: "ledger/audit.ts", from: "      if (h.timestamp < prev!.header.timestamp) broken(", to: "      if (false) broken(", breaks: "an export with timestamps 1000 -> 2000 -> 500 audits ok (issue 20, row 3)" },
  { id: "ledger-store-synchronous-off", file: "ledger/store.ts", from: 'db.pragma("synchronous = FULL");', to: 'db.pragma("synchronous = OFF");', breaks: "an acknowledged block may be lost on power failure (issue 20, row 6)" },
  { id: "ledger-store-synchronous-normal", file: "ledger/store.ts", from: 'db.pragma("synchronous = FULL");', to: 'db.pragma("synchronous = NORMAL");', breaks: "in WAL mode, commits are synced only at checkpoints" },
  {
    id: "compiler-view-calls-writer",
    file: "compiler/checker.ts",
    from: "        if (ce) this.sink.report(\"view_writes\", c.span,",
    to: "        if (ce && false) this.sink.report(\"view_writes\", c.span,",
    breaks: "a view calling a helper that writes storage compiles with no diagnostic (issue 20, row 4)",
  },
  { id: "compiler-bool-argument", file: "compiler/checker.ts", from: '    } else if (local.type.k === "bool") {', to: '    } else if (local.type.k === "bool" && false) {', breaks: "f(2) on a bool parameter runs instead of reverting (issue 20, row 5)" },
];

/** `text` with `m` applied; throws unless `m.from` occurs exactly once. */
export function applyMutation(text: string, m: Mutation): string {
  const at = text.indexOf(m.from);
  if (at < 0) throw new Error(`mutation ${m.id}: its text no longer occurs in ${m.file}; update scripts/mutations.ts`);
  if (text.indexOf(m.from, at + 1) >= 0) throw new Error(`mutation ${m.id}: its text occurs more than once in ${m.file}`);
  return text.slice(0, at) + m.to + text.slice(at + m.from.length);
}

/** Builds mote.wasm from a copy of vm/assembly with one mutation applied (the repository is not touched). */
export async function buildMutantVm(root: string, id: string, flags: string[]): Promise<Uint8Array<ArrayBuffer>> {
  const m = MUTATIONS.find((x) => x.id === id);
  if (!m || !m.file.startsWith("vm/assembly/")) throw new Error(`${id} is not a vm/assembly mutation`);
  const dir = mkdtempSync(join(tmpdir(), "mote-mutant-vm-"));
  try {
    cpSync(join(root, "vm/assembly"), join(dir, "assembly"), { recursive: true });
    const file = join(dir, "assembly", m.file.slice("vm/assembly/".length));
    writeFileSync(file, applyMutation(readFileSync(file, "utf8"), m));
    const { default: asc } = await import("assemblyscript/asc");
    let errText = "";
    const out = join(dir, "mote.wasm");
    const { error } = await asc.main([join(dir, "assembly/index.ts"), "--outFile", out, ...flags], {
      stdout: { write: () => true } as never,
      stderr: { write: (s: string | Uint8Array) => ((errText += String(s)), true) } as never,
    });
    if (error) throw new Error(`mutant ${id} does not build: ${error.message}\n${errText}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
