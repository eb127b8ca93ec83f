// mote-host parses untrusted text and files in C: mutated batch files, arguments and state files must
// end with a result or a one-line error and exit code 0/1/2 — never a signal, a hang or a stack trace.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HOST_PATH } from "../../firmware-host/scripts/build.ts";
import { encodeStateFile } from "../../firmware-host/scripts/state-file.ts";
import { MemoryStateStore } from "../../vm/host/index.ts";
import { loadCorpus } from "./corpus.ts";
import { firmwareHostAvailable } from "./differential.ts";
import { Rng, seedFromEnv } from "./random.ts";

const SEED = seedFromEnv();
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function host(args: string[], input?: string): Run {
  const r = spawnSync(HOST_PATH, args, { input, encoding: "utf8", timeout: 20_000, maxBuffer: 64 << 20 });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** What every run must look like, whatever the input. */
function wellBehaved(r: Run, what: string): void {
  expect(r.signal, `${what}: killed by a signal`).toBeNull();
  expect([0, 1, 2], `${what}: exit ${r.status}; stderr ${r.stderr.slice(0, 300)}`).toContain(r.status);
  for (const line of r.stdout.split("\n").filter(Boolean)) expect(() => JSON.parse(line), `${what}: stdout line ${line.slice(0, 100)}`).not.toThrow();
  if (r.status !== 0) {
    const lines = r.stderr.split("\n").filter(Boolean);
    expect(lines.length, `${what}: stderr ${r.stderr.slice(0, 300)}`).toBe(1);
    expect(lines[0]).toMatch(/^mote-host: \S/);
  }
}

const TOKENS = ["module", "call", "state", "reset", "--gas", "--caller", "--timestamp", "--height", "0x", "0x0", "0xzz", "-1", "-9223372036854775809",
  "18446744073709551616", "4294967296", "@", "@0x", "@4294967296", "@0x1234567", "#", "\t", "true", "false", "--", "---gas", "0x" + "ab".repeat(40000),
  "9".repeat(400), "\u0000", "\u00ff", "é"];

describe.skipIf(!firmwareHostAvailable())(`mote-host input robustness (MOTE_SEED=${SEED})`, () => {
  it("mutated batch files end with results or one usage line, never a crash", () => {
    const r = new Rng(SEED);
    const corpus = loadCorpus().entries;
    const store = new MemoryStateStore();
    store.set(new Uint8Array(32).fill(7), Uint8Array.of(0), Uint8Array.of(1, 2, 3));
    let failures = 0;
    for (let i = 0; i < 120; i++) {
      const m = r.pick(corpus);
      const lines = [
        `state ${hex(encodeStateFile(store))}`,
        `module ${hex(m.bytes)}`,
        ...m.exports.map((e) => `call @${e.selector} ${e.params.map((t) => (t === "i" ? String(r.u64()) : hex(r.bytes(r.int(40))))).join(" ")} --gas ${r.range(1, 100000)} --caller ${hex(r.bytes(32))}`),
        "state",
        "reset",
      ];
      const toks = lines.join("\n").split(/( |\n)/);
      for (let k = r.range(1, 4); k > 0; k--) {
        const at = r.int(toks.length);
        const op = r.int(4);
        if (op === 0) toks[at] = r.pick(TOKENS);
        else if (op === 1) toks.splice(at, 0, " ", r.pick(TOKENS));
        else if (op === 2) toks.splice(at, r.range(1, 4));
        else {
          const t = toks[at] ?? "";
          const c = r.int(t.length + 1);
          toks[at] = t.slice(0, c) + String.fromCharCode(r.int(128)) + t.slice(c + 1);
        }
      }
      const run = host(["--batch", "-"], toks.join(""));
      wellBehaved(run, `batch ${i}`);
      if (run.status !== 0) failures++;
    }
    // the mutations hit the parser's error paths, not only the happy path
    expect(failures).toBeGreaterThan(10);
  });

  it("corrupted state files and bad arguments get one-line errors", () => {
    const r = new Rng(SEED ^ 0x77);
    const dir = mkdtempSync(join(tmpdir(), "mote-hostcli-"));
    try {
      const store = new MemoryStateStore();
      for (let k = 0; k < 5; k++) store.set(r.bytes(32), Uint8Array.of(k, ...r.bytes(k * 3)), r.bytes(1 + r.int(50)));
      const good = encodeStateFile(store);
      const mod = join(dir, "m.mbc");
      const counter = loadCorpus().entries.find((e) => e.name.endsWith("counter.masm"))!;
      writeFileSync(mod, counter.bytes);
      for (let i = 0; i < 40; i++) {
        // a flipped bit anywhere, or a torn write (a strict prefix)
        const bad = good.slice();
        bad[r.int(bad.length)] ^= 1 << r.int(8);
        const file = join(dir, `s${i}.state`);
        writeFileSync(file, r.chance(0.8) ? bad : good.subarray(0, r.int(good.length)));
        const run = host(["--state", file, mod, "get"]);
        wellBehaved(run, `state file ${i}`);
        expect(run.status, `a corrupted state file was accepted: ${run.stdout}`).not.toBe(0);
      }
      for (const args of [[mod], [mod, "get", "0xzz"], [mod, "get", "--gas", "0"], [mod, "get", "--caller", "0x00"], [join(dir, "missing.mbc"), "get"], ["--batch"], ["--nope"], [mod, "get", "99999999999999999999999"]]) {
        wellBehaved(host(args), args.join(" "));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
