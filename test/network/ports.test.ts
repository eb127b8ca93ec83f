// node/ports.ts: base ports for local networks started side by side (tests, bench:net, the network demo). A fleet
// test's node died at start in CI with "nodes did not reach height 1: node1 (not running)": bases were drawn at
// random from 20,000-49,900, half of it inside the kernel's ephemeral range (32768-60999), where any outgoing
// connection may take a port between the check and the node's bind, and two processes could draw overlapping bases.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidateBases, ephemeralStart, portLockDir, releaseBasePort, reserveBasePort } from "../../node/ports.ts";

let dir = "";
let sleeper: ChildProcess;
const saved = process.env.MOTE_PORT_LOCK_DIR;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mote-ports-test-"));
  process.env.MOTE_PORT_LOCK_DIR = dir;
  sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
});
afterAll(() => {
  if (saved === undefined) delete process.env.MOTE_PORT_LOCK_DIR;
  else process.env.MOTE_PORT_LOCK_DIR = saved;
  sleeper.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Slots reserved in the real lock directory for the test's duration, so that no network another test process starts
 * meanwhile uses their ports (the tests below expect those ports to stay free).
 */
async function realSlots(k: number): Promise<{ slots: number[]; release: () => void }> {
  const inReal = async <T>(f: () => T | Promise<T>): Promise<T> => {
    const env = process.env.MOTE_PORT_LOCK_DIR;
    delete process.env.MOTE_PORT_LOCK_DIR;
    try {
      return await f();
    } finally {
      process.env.MOTE_PORT_LOCK_DIR = env;
    }
  };
  const slots = await inReal(async () => {
    const out: number[] = [];
    for (let i = 0; i < k; i++) out.push(await reserveBasePort(2));
    return out;
  });
  return { slots, release: () => void inReal(() => slots.forEach(releaseBasePort)) };
}

describe("reserveBasePort", () => {
  it("regression: draws bases below the ephemeral range, in slots that never overlap", () => {
    // Linux's default range starts at 32768: twelve slots of 10 nodes, ports base .. base + 902, all below it
    expect(candidateBases(32_768)).toEqual(Array.from({ length: 12 }, (_, k) => 20_000 + 1000 * k));
    // this machine's range, whatever it is: every slot wholly below it whenever there is room for one
    const e = ephemeralStart();
    const bases = candidateBases(e);
    if (e >= 21_000) for (const b of bases) expect(b + 902).toBeLessThan(e);
    for (let i = 1; i < bases.length; i++) expect(bases[i]! - bases[i - 1]!).toBe(1000);
    expect(candidateBases(20_500)).toEqual([20_000]); // a range starting low still leaves one slot
  });

  it("gives each reservation its own slot, locked with this process's PID until released", async () => {
    const a = await reserveBasePort(4);
    const b = await reserveBasePort(1);
    expect(a).not.toBe(b);
    expect(readFileSync(join(portLockDir(), String(a)), "utf8")).toBe(String(process.pid));
    releaseBasePort(a);
    releaseBasePort(b);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("skips slots another live process holds, takes over one whose process is gone, and says when none is left", async () => {
    const bases = candidateBases();
    const real = await realSlots(1);
    const mine = real.slots[0]!;
    const dead = spawn("true");
    await new Promise((r) => dead.on("exit", r));
    // every slot held by the live sleeper but one, held by a process that has exited
    for (const b of bases) writeFileSync(join(dir, String(b)), String(b === mine ? dead.pid : sleeper.pid));
    const got = await reserveBasePort(2);
    expect(got).toBe(mine);
    expect(readFileSync(join(dir, String(got)), "utf8")).toBe(String(process.pid));
    await expect(reserveBasePort(1)).rejects.toThrow(`no free 127.0.0.1 base port for 1 node(s) among ${bases.length} slots from 20000 (locks in ${dir})`);
    releaseBasePort(got);
    real.release();
    for (const b of bases) rmSync(join(dir, String(b)), { force: true });
  });

  it("skips a slot one of whose ports is in use, and gives its lock back", async () => {
    const bases = candidateBases();
    const real = await realSlots(2);
    const [a, b2] = real.slots;
    for (const b of bases) if (b !== a && b !== b2) writeFileSync(join(dir, String(b)), String(sleeper.pid));
    // a listener on node 1's RPC port of the first slot
    const busy: Server = createServer();
    await new Promise<void>((r, j) => { busy.once("error", j); busy.listen(a! + 101, "127.0.0.1", () => r()); });
    try {
      const got = await reserveBasePort(2);
      expect(got).toBe(b2);
      expect(existsSync(join(dir, String(a)))).toBe(false);
      releaseBasePort(got);
    } finally {
      real.release();
      await new Promise<void>((r) => busy.close(() => r()));
      for (const b of bases) rmSync(join(dir, String(b)), { force: true });
    }
  });

  it("refuses a network it cannot place in one slot", async () => {
    await expect(reserveBasePort(11)).rejects.toThrow("a reserved base serves 1..10 nodes, asked for 11");
    await expect(reserveBasePort(0)).rejects.toThrow(RangeError);
  });
});
