// 127.0.0.1 ports for local networks that tests, benchmarks and demos start side by side (node i of a network
// listens on BASE + 100·i + 0 (p2p), + 1 (RPC), + 2 (application socket), as `mote net up --base-port BASE` lays
// them out). Two rules keep a network from finding its port taken between the check and the bind:
//   - bases lie below the kernel's ephemeral range, where outgoing connections take their local ports: a port in
//     it that is free when checked can be some client's a moment later (a node then dies with "address in use");
//   - each base is reserved across processes by a lock file holding the reserving process's PID, in slots of
//     1,000 ports (up to 10 nodes each) so that two reservations never overlap; a lock whose process is gone is
//     taken over, and a process's locks go with it when it exits.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The first base, and the ports one slot spans (10 nodes of 100). */
const FIRST = 20_000;
const SLOT = 1_000;
/** Where the locks live (one file per reserved base, holding the PID); MOTE_PORT_LOCK_DIR moves them (tests). */
export const portLockDir = (): string => process.env.MOTE_PORT_LOCK_DIR ?? join(tmpdir(), "mote-ports");

/** The first port of the kernel's ephemeral range (Linux's default 32768 where it cannot be read). */
export function ephemeralStart(): number {
  try {
    const lo = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(lo) && lo > 0 ? lo : 32_768;
  } catch {
    return 32_768;
  }
}

/** The bases a reservation may take: whole slots from FIRST up to the ephemeral range (at least one). */
export function candidateBases(ephemeral = ephemeralStart()): number[] {
  const n = Math.max(1, Math.floor((ephemeral - FIRST) / SLOT));
  return Array.from({ length: n }, (_, k) => FIRST + k * SLOT);
}

/** The lock files this process holds. */
const held = new Set<string>();
let exitHook = false;
const lockFile = (base: number, dir = portLockDir()): string => join(dir, String(base));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock of `base` for this process; false when a live process holds it. */
function lock(base: number): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile(base), String(process.pid), { flag: "wx" });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(lockFile(base), "utf8"));
      } catch {
        continue; // released meanwhile: try again
      }
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || alive(owner))) return false;
      rmSync(lockFile(base), { force: true }); // its process is gone
    }
  }
  return false;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/**
 * Reserves a base port for a network of up to `nodes` nodes (at most 10) whose ports are all free now, and keeps it
 * for this process until releaseBasePort or exit. Throws when every slot is held or busy.
 */
export async function reserveBasePort(nodes: number): Promise<number> {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > SLOT / 100) throw new RangeError(`a reserved base serves 1..${SLOT / 100} nodes, asked for ${nodes}`);
  mkdirSync(portLockDir(), { recursive: true });
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const f of held) rmSync(f, { force: true });
    });
  }
  const bases = candidateBases();
  const start = Math.floor(Math.random() * bases.length);
  for (let k = 0; k < bases.length; k++) {
    const base = bases[(start + k) % bases.length]!;
    if (!lock(base)) continue;
    let free = true;
    for (let i = 0; i < nodes && free; i++) for (const d of [0, 1, 2]) free = free && (await portFree(base + 100 * i + d));
    if (free) {
      held.add(lockFile(base));
      return base;
    }
    rmSync(lockFile(base), { force: true });
  }
  throw new Error(`no free 127.0.0.1 base port for ${nodes} node(s) among ${bases.length} slots from ${FIRST} (locks in ${portLockDir()})`);
}

/** Gives a reserved base back (its network is down). */
export function releaseBasePort(base: number): void {
  const f = lockFile(base);
  if (!held.delete(f)) return;
  rmSync(f, { force: true });
}
