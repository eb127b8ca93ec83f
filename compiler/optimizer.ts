// The optimizer over the instruction list: dead code, jump threading and inversion, peephole fusion into
// the table's superinstructions (compare-and-branch, laddi, ltee), and quickening (push0/1, lget0-3).
import { ENDS_BLOCK, type Ins, JUMPS } from "./ir.ts";

/** compare op + jnz → fused jump; with jz the inverse fused jump. Ops absent here have no fused form. */
const FUSE: Record<string, [onTrue: string, onFalse: string]> = {
  eq: ["jeq", "jne"],
  ne: ["jne", "jeq"],
  ltu: ["jltu", "jgeu"],
  geu: ["jgeu", "jltu"],
  lts: ["jlts", "jges"],
  ges: ["jges", "jlts"],
};
const INVERT: Record<string, string> = { jz: "jnz", jnz: "jz", jeq: "jne", jne: "jeq", jltu: "jgeu", jgeu: "jltu", jlts: "jges", jges: "jlts" };

const isLabel = (i: Ins | undefined): boolean => i?.op === "label";

function referenced(ins: Ins[]): Set<number> {
  const s = new Set<number>();
  for (const i of ins) if (JUMPS.has(i.op)) s.add(i.target!);
  return s;
}

/** Removes code no path reaches: after an unconditional exit, up to the next referenced label. */
function deadCode(ins: Ins[]): Ins[] {
  const refs = referenced(ins);
  const out: Ins[] = [];
  let dead = false;
  for (const i of ins) {
    if (isLabel(i)) {
      if (!refs.has(i.target!)) continue; // unreferenced labels only block other patterns
      dead = false;
    }
    if (dead) continue;
    out.push(i);
    if (ENDS_BLOCK.has(i.op)) dead = true;
  }
  return out;
}

/** The first real instruction at or after index `k`, skipping labels. */
function nextReal(ins: Ins[], k: number): number {
  while (k < ins.length && isLabel(ins[k])) k++;
  return k;
}

function threadJumps(ins: Ins[]): boolean {
  const at = new Map<number, number>();
  ins.forEach((i, k) => isLabel(i) && at.set(i.target!, k));
  let changed = false;
  for (const [k, i] of ins.entries()) {
    if (!JUMPS.has(i.op)) continue;
    // follow chains of `jmp` (bounded: a jump-to-itself loop must not spin)
    for (let hops = 0; hops < 16; hops++) {
      const dest = ins[nextReal(ins, at.get(i.target!)! + 1)];
      if (!dest || dest.op !== "jmp" || dest.target === i.target) break;
      i.target = dest.target;
      changed = true;
    }
    // a jump to the instruction right after it does nothing (a conditional one still pops its operands)
    if (i.op === "jmp") {
      let m = k + 1;
      let falls = false;
      while (m < ins.length && isLabel(ins[m])) {
        if (ins[m]!.target === i.target) falls = true;
        m++;
      }
      if (falls) {
        ins[k] = { ...i, op: "nop" };
        changed = true;
      }
    }
  }
  return changed;
}

/** One peephole sweep; returns the rewritten list (same array if nothing matched). */
function peephole(ins: Ins[]): { out: Ins[]; changed: boolean } {
  const out: Ins[] = [];
  let changed = false;
  for (let k = 0; k < ins.length; k++) {
    const a = ins[k]!;
    const b = ins[k + 1];
    const c = ins[k + 2];
    const d = ins[k + 3];
    if (a.op === "nop") {
      changed = true;
      continue;
    }
    // cmp; jnz L → fused jump; cmp; jz L → the inverse fused jump
    if (b && (b.op === "jnz" || b.op === "jz") && FUSE[a.op]) {
      out.push({ ...b, op: FUSE[a.op]![b.op === "jnz" ? 0 : 1] });
      k++;
      changed = true;
      continue;
    }
    // eqz; jz → jnz, eqz; jnz → jz
    if (a.op === "eqz" && b && (b.op === "jz" || b.op === "jnz")) {
      out.push({ ...b, op: INVERT[b.op]! });
      k++;
      changed = true;
      continue;
    }
    // x == 0 branches: push 0; jeq → jz, push 0; jne → jnz
    if (a.op === "push" && a.args[0] === 0n && b && (b.op === "jeq" || b.op === "jne")) {
      out.push({ ...b, op: b.op === "jeq" ? "jz" : "jnz" });
      k++;
      changed = true;
      continue;
    }
    // jcc L1; jmp L2; L1:  →  j!cc L2; L1:
    if (b && c && INVERT[a.op] && b.op === "jmp" && isLabel(c) && c.target === a.target) {
      out.push({ ...a, op: INVERT[a.op]!, target: b.target! });
      k++;
      changed = true;
      continue;
    }
    // local += constant (u64, checked) → laddi
    if (
      b && c && d &&
      a.op === "lget" && b.op === "push" && c.op === "addu" && d.op === "lset" &&
      a.args[0] === d.args[0] && typeof b.args[0] === "bigint" && b.args[0] >= 0n && b.args[0] <= 0xffffffffn
    ) {
      if (b.args[0] !== 0n) out.push({ ...a, op: "laddi", args: [a.args[0]!, Number(b.args[0])] });
      k += 3;
      changed = true;
      continue;
    }
    // lset x; lget x → ltee x
    if (b && a.op === "lset" && b.op === "lget" && a.args[0] === b.args[0]) {
      out.push({ ...a, op: "ltee" });
      k++;
      changed = true;
      continue;
    }
    // values computed only to be dropped
    if (b && b.op === "drop" && (a.op === "dup" || a.op === "push" || a.op === "lget" || a.op === "pushb")) {
      k++;
      changed = true;
      continue;
    }
    out.push(a);
  }
  return { out, changed };
}

/** `op slot mode` → its one-operand short form, for the two modes contracts use most (ints by slot, ints by byte-string key). */
const STORAGE_SHORT: Record<string, [mode: number, short: string]> = {
  sload: [0, "sloadi"],
  sstore: [0, "sstorei"],
  mload: [1, "mloadbi"],
  mstore: [1, "mstorebi"],
};

const isPush = (i: Ins | undefined, v: bigint): boolean => i !== undefined && ((i.op === "push" && i.args[0] === v) || (v === 1n && i.op === "push1"));

/**
 * The table's short forms for whole idioms (issue 15: module size): init's run-once guard → `once`, an entry
 * check of a 32-byte argument → `req32`, and storage operations in the common modes. Each pattern is exactly
 * the instructions the short form is documented to equal, with no label between them.
 */
function shorten(ins: Ins[]): Ins[] {
  const out: Ins[] = [];
  for (let k = 0; k < ins.length; k++) {
    const [a, b, c, d, e] = [ins[k]!, ins[k + 1], ins[k + 2], ins[k + 3], ins[k + 4]];
    // sload 255 0; eqz; require 0; push 1; sstore 255 0 → once
    if (
      a.op === "sload" && a.args[0] === 255 && a.args[1] === 0 && b?.op === "eqz" && c?.op === "require" && c.args[0] === 0 &&
      isPush(d, 1n) && e?.op === "sstore" && e.args[0] === 255 && e.args[1] === 0
    ) {
      out.push({ op: "once", args: [], span: a.span });
      k += 4;
      continue;
    }
    // blen; push 32; eq; require e → req32 e
    if (a.op === "blen" && isPush(b, 32n) && c?.op === "eq" && d?.op === "require") {
      out.push({ op: "req32", args: [d.args[0]!], span: a.span });
      k += 3;
      continue;
    }
    const short = STORAGE_SHORT[a.op];
    if (short && a.args[1] === short[0]) {
      out.push({ ...a, op: short[1], args: [a.args[0]!] });
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Short forms for the most common operands (one byte instead of two or more). */
function quicken(ins: Ins[]): Ins[] {
  return shorten(ins).map((i) => {
    if (i.op === "push" && (i.args[0] === 0n || i.args[0] === 1n)) return { ...i, op: i.args[0] === 0n ? "push0" : "push1", args: [] };
    if ((i.op === "lget" || i.op === "lset") && typeof i.args[0] === "number" && i.args[0] < 4) return { ...i, op: `${i.op}${i.args[0]}`, args: [] };
    return i;
  });
}

/** Rewrites a function's instructions until no rule applies, then quickens them. */
export function optimize(input: Ins[]): Ins[] {
  let ins = input.map((i) => ({ ...i }));
  for (let round = 0; round < 32; round++) {
    ins = deadCode(ins);
    const threaded = threadJumps(ins);
    const p = peephole(ins);
    ins = p.out;
    if (!threaded && !p.changed) break;
  }
  return quicken(deadCode(ins));
}

/** Only what correctness needs: unreachable code removed (the verifier rejects none of it, but it is waste). */
export function minimal(input: Ins[]): Ins[] {
  return deadCode(input.map((i) => ({ ...i })));
}
