// Edge screening in the device's signing flow (mote-device sign-reading --screen, firmware-host/src/
// mote_screen.c): the fleet model contract runs in the device's embedded VM on the features of its current
// window that the device can see, before the reading is signed. Its score is bit-identical to the
// validators' (the Node VM's score_with on the same features, and the guard's fixed-point arithmetic
// replayed in TypeScript); a window over the threshold is a sensor fault: one line, exit 3, nothing signed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICE_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { syntheticRows } from "../../fleet/budget.ts";
import { compileContract } from "../../fleet/contracts.ts";
import { fixedScore, packFeatures, qOf, train } from "../../fleet/model.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";

const dir = mkdtempSync(join(tmpdir(), "mote-screen-"));
const modulePath = join(dir, "fleet_guard.mbc");
const fg = compileContract("contracts/fleet_guard.mote");
const model = train(syntheticRows(200), [1, 2]);
const q = qOf(model);
const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const seed = hex(new Uint8Array(32).fill(7));
const contract = hex(new Uint8Array(32).fill(9));
const raw = (v: number): bigint => BigInt(Math.round(v * 65536));
const BASE = raw(20);

/** The features the device computes (mote_screen.c), as the guard's `observe` does: the rest at the model's means. */
function deviceFeatures(window: bigint[]): bigint[] {
  const x = [...q.mean];
  const sum = window.reduce((a, b) => a + b, 0n);
  const steps = window.slice(1).map((v, k) => (v > window[k]! ? v - window[k]! : window[k]! - v));
  x[1] = (sum * 65536n) / (BigInt(window.length) * 65536n) - BASE;
  x[3] = BigInt(steps.filter((d) => d === 0n).length) * 65536n;
  x[4] = steps.reduce((a, b) => (b > a ? b : a), 0n);
  return x;
}

function sign(window: bigint[], nonce: number, extra: string[] = []) {
  const before = window.slice(0, -1);
  const args = ["sign-reading", "--seed", seed, "--contract", contract, "--nonce", String(nonce), "--value", String(window.at(-1)), "--timestamp", String(1000 + nonce),
    "--screen", modulePath, "--screen-model", "0x" + model.bytes, "--screen-base", String(BASE), ...(before.length ? ["--screen-window", before.join(",")] : []), ...extra];
  return spawnSync(DEVICE_PATH, args, { encoding: "utf8" });
}

beforeAll(async () => {
  await buildFirmwareHost({ quiet: true });
  writeFileSync(modulePath, fg.module);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mote-device sign-reading --screen", () => {
  it("signs a normal reading as without screening and reports the score the validators' VM computes, bit for bit", async () => {
    const vm = await MoteVM.create();
    // the device's last six readings, the new one last (the window the model was trained on)
    const windows = [[20.02, 19.9, 20.15, 20.3, 20.1, 19.95], [19.9, 20.05, 20.3, 20.1, 19.85, 20.0], [20.1, 20.25, 19.95, 20.0, 20.2, 20.05]].map((w) => w.map(raw));
    for (const [k, w] of windows.entries()) {
      const r = sign(w, k + 1);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const m = /^(0x[0-9a-f]{128}) screened (-?\d+) (-?\d+)\n$/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      const plain = spawnSync(DEVICE_PATH, ["sign-reading", "--seed", seed, "--contract", contract, "--nonce", String(k + 1), "--value", String(w.at(-1)), "--timestamp", String(1001 + k)], { encoding: "utf8" });
      expect(m![1]).toBe(plain.stdout.trim());
      const x = deviceFeatures(w);
      const node = vm.call(fg.module, "score_with", [Buffer.from(model.bytes, "hex"), packFeatures(x)], { store: new MemoryStateStore() });
      expect(node.status).toBe("ok");
      expect(BigInt(m![2]!)).toBe(BigInt.asIntN(64, node.returns[0] as bigint));
      expect(BigInt(m![2]!)).toBe(fixedScore(q, x));
      expect(BigInt(m![3]!)).toBe(q.threshold);
      expect(BigInt(m![2]!)).toBeLessThanOrEqual(q.threshold);
    }
  });

  it("refuses to sign a stuck or spiking sensor's reading: one line naming the fault, exit 3, nothing on stdout", () => {
    for (const w of [[20.1, 20.1, 20.1, 20.1, 20.1, 20.1], [20.0, 20.1, 20.05, 19.95, 20.1, 27.5]].map((xs) => xs.map(raw))) {
      const r = sign(w, 9);
      expect(r.status).toBe(3);
      expect(r.stdout).toBe("");
      const score = fixedScore(q, deviceFeatures(w));
      expect(score).toBeGreaterThan(q.threshold);
      expect(r.stderr).toBe(`mote-device: sensor_fault: the window's score ${score} is over the model's threshold ${q.threshold} (Q47.16): the reading is not signed\n`);
    }
  });

  it("names what is missing or malformed, with exit 2", () => {
    const base = ["sign-reading", "--seed", seed, "--contract", contract, "--nonce", "1", "--value", "65536", "--timestamp", "5"];
    const run = (...extra: string[]) => spawnSync(DEVICE_PATH, [...base, ...extra], { encoding: "utf8" });
    expect(run("--screen", modulePath).stderr).toBe("mote-device: usage: screening needs --screen FILE, --screen-model HEX and --screen-base RAW together\n");
    expect(run("--screen", modulePath, "--screen-model", "0x00", "--screen-base", "0").stderr).toMatch(/^mote-device: usage: --screen-model: expected the packed model, 392 bytes of 0x-hex/);
    expect(run("--screen", modulePath, "--screen-model", "0x" + model.bytes, "--screen-base", "x").stderr).toMatch(/^mote-device: usage: --screen-base: expected a fixed Q47.16 value as an i64, got 'x'/);
    const missing = run("--screen", join(dir, "nope.mbc"), "--screen-model", "0x" + model.bytes, "--screen-base", "0");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^mote-device: usage: --screen: cannot read .*nope\.mbc.*No such file/);
    // a module without score_with (the attestation contract) is not a model contract
    const other = join(dir, "attestation.mbc");
    writeFileSync(other, compileContract("contracts/sensor_attestation.mote").module);
    const wrong = run("--screen", other, "--screen-model", "0x" + model.bytes, "--screen-base", "0");
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/score_with did not return a score .* is it contracts\/fleet_guard\.mote\?/);
  });
});
