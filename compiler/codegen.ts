// Lowers the checked program to a linear instruction list per function (ir.ts), naive but correct;
// the optimizer then shrinks it and emit.ts encodes it through the opcode table's CodeBuilder.
import { FIXED_FRAC_BITS, LIMITS } from "../vm/spec/limits.ts";
import type { DiagnosticSink, Span } from "./diagnostics.ts";
import type { Ins, IrFunction } from "./ir.ts";
import type { FuncInfo, PathStep, Place, TExpr, TStmt } from "./typed.ts";
import { isRefAtRuntime, mapKeyHashed, MAX_MAP_KEY, needsZeroDefault, packedSize, type Type } from "./types.ts";

/** Byte-string constants of a module, deduplicated, indexed in order of first use (deterministic). */
export class ConstPool {
  readonly list: Uint8Array[] = [];
  private readonly index = new Map<string, number>();
  add(b: Uint8Array): number {
    const key = Buffer.from(b).toString("hex");
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(b);
      this.index.set(key, i);
    }
    return i;
  }
}

const ARITH: Record<string, Partial<Record<Type["k"], string>>> = {
  "+": { u64: "addu", i64: "adds", fixed: "adds" },
  "-": { u64: "subu", i64: "subs", fixed: "subs" },
  "*": { u64: "mulu", i64: "muls", fixed: "fmul" },
  "/": { u64: "divu", i64: "divs", fixed: "fdiv" },
  "%": { u64: "remu", i64: "rems", fixed: "rems" },
  "<": { u64: "ltu", i64: "lts", fixed: "lts" },
  "<=": { u64: "leu", i64: "les", fixed: "les" },
  ">": { u64: "gtu", i64: "gts", fixed: "gts" },
  ">=": { u64: "geu", i64: "ges", fixed: "ges" },
  "<<": { u64: "shl", i64: "shl" },
  ">>": { u64: "shru", i64: "shrs" },
};
const BITWISE: Record<string, string> = { "&": "and", "|": "or", "^": "xor" };
const WRAPPING: Record<string, string> = { wrapping_add: "add", wrapping_sub: "sub", wrapping_mul: "mul" };
const FIXED_ONE = 1n << BigInt(FIXED_FRAC_BITS);

interface Loop {
  brk: number;
  cont: number;
}

export class FunctionGen {
  readonly ins: Ins[] = [];
  private labels = 0;
  private span: Span;
  private nextTemp: number;
  private maxLocal: number;
  private readonly loops: Loop[] = [];
  /**
   * Struct and array locals that live in place: written by element or field, or reassigned whole. Each
   * owns a buffer in the arena (a copy made when it is declared, or on entry for a parameter), and writes
   * go into that buffer (bput, bwrite): O(1) gas and no arena bytes per write.
   */
  private readonly inPlace = new Set<number>();
  /** Local holding the arena mark taken on entry when the frame's arena is reclaimed at each `ret`, else -1. */
  private frameMark = -1;

  constructor(
    private readonly fn: FuncInfo,
    private readonly pool: ConstPool,
    private readonly sink: DiagnosticSink,
  ) {
    this.span = fn.span;
    this.nextTemp = fn.locals;
    this.maxLocal = fn.locals;
    walkStmts(fn.body, (st) => {
      if ((st.k === "assign" || st.k === "compound") && st.place.kind === "local") {
        const agg = st.place.baseType.k === "struct" || st.place.baseType.k === "array";
        if (agg && (st.place.path.length > 0 || st.k === "assign")) this.inPlace.add(st.place.index);
      }
    });
  }

  generate(): IrFunction {
    this.stmts(this.fn.entryChecks);
    const copies = this.fn.params.map((_, i) => i).filter((i) => this.inPlace.has(i));
    // a private function that returns no reference gives back every arena byte it allocated, the
    // copies of its parameters included
    if (!this.fn.isPub && !isRefAtRuntime(this.fn.returns) && (copies.length > 0 || mayAllocate(this.fn.body))) {
      this.frameMark = this.temp();
      this.op("amark");
      this.op("lset", this.frameMark);
    }
    for (const i of copies) {
      // the caller's buffer is not ours to write
      this.op("lget", i);
      this.op("bdup");
      this.op("lset", i);
    }
    this.stmts(this.fn.body);
    this.span = this.fn.span;
    if (this.fn.returns.k === "unit") this.ret();
    if (this.maxLocal > LIMITS.MAX_LOCALS.value) {
      this.sink.report("limit", this.fn.span, [
        `\`${this.fn.name}\` needs ${this.maxLocal} locals with the compiler's temporaries; the VM allows ${LIMITS.MAX_LOCALS.value}`,
      ]);
    }
    return {
      name: this.fn.name,
      params: this.fn.params.length,
      results: this.fn.returns.k === "unit" ? 0 : 1,
      locals: this.maxLocal,
      ins: this.ins,
    };
  }

  // -- emission helpers ------------------------------------------------------------------------------
  private op(op: string, ...args: (number | bigint)[]): void {
    this.ins.push({ op, args, span: this.span });
  }
  private jump(op: string, label: number): void {
    this.ins.push({ op, args: [], target: label, span: this.span });
  }
  private label(): number {
    return this.labels++;
  }
  private bind(label: number): void {
    this.ins.push({ op: "label", args: [], target: label, span: this.span });
  }
  private push(v: bigint): void {
    this.op("push", v);
  }
  /** `ret`, first freeing the frame's arena when it is reclaimed (the result, an int, stays on the stack). */
  private ret(): void {
    if (this.frameMark >= 0) {
      this.op("lget", this.frameMark);
      this.op("arelease");
    }
    this.op("ret");
  }
  /**
   * A struct or array local that lives in place. Indexes are reused by sibling scopes, so the type is
   * checked too; a `let` of an index in the set always copies, so the buffer has the current local's type.
   */
  private livesInPlace(p: Place): boolean {
    return p.kind === "local" && this.inPlace.has(p.index) && (p.baseType.k === "struct" || p.baseType.k === "array");
  }
  /** Whether a value about to be stored in a local may share bytes with a local written in place. */
  private mayAlias(e: TExpr): boolean {
    if (!isRefAtRuntime(e.type)) return false;
    let hit = false;
    walkExpr(e, (x) => {
      if (x.k === "read" && x.place.kind === "local" && this.inPlace.has(x.place.index)) hit = true;
    });
    return hit;
  }
  private temp(): number {
    const t = this.nextTemp++;
    this.maxLocal = Math.max(this.maxLocal, this.nextTemp);
    return t;
  }
  private release(t: number): void {
    if (t === this.nextTemp - 1) this.nextTemp--;
  }
  private at<T>(span: Span, f: () => T): T {
    const saved = this.span;
    this.span = span;
    try {
      return f();
    } finally {
      this.span = saved;
    }
  }

  // -- statements -----------------------------------------------------------------------------------------
  private stmts(list: TStmt[]): void {
    for (const s of list) this.at(s.span, () => this.stmt(s));
  }

  private stmt(s: TStmt): void {
    switch (s.k) {
      case "let":
        this.expr(s.init);
        if (this.inPlace.has(s.local) || this.mayAlias(s.init)) this.op("bdup");
        this.op("lset", s.local);
        return;
      case "assign":
        this.assign(s.place, s.value);
        return;
      case "compound": {
        if (s.place.kind === "storage" && s.place.path.length === 0 && s.place.keys.length > 0) {
          // key once, used twice: k dup mload v op mstore
          const p = s.place;
          this.pushKeys(p);
          this.op("dup");
          this.loadStorage(p, true);
          this.expr(s.value);
          this.op(BITWISE[s.op] ?? ARITH[s.op]![s.operandType.k]!);
          this.op("mstore", p.field.slot, this.keyMode(p));
          return;
        }
        const place = this.materialize(s.place);
        const combined: TExpr = {
          k: "binary",
          op: s.op,
          left: { k: "read", place, span: s.span, type: place.type },
          right: s.value,
          operandType: s.operandType,
          span: s.span,
          type: s.operandType,
        };
        this.assign(place, combined);
        place.temps.forEach((t) => this.release(t));
        return;
      }
      case "expr":
        this.expr(s.expr);
        if (s.expr.type.k !== "unit") this.op("drop");
        return;
      case "if": {
        const els = this.label();
        const end = this.label();
        this.condJump(s.cond, els, false);
        this.stmts(s.then);
        if (s.else.length > 0) this.jump("jmp", end);
        this.bind(els);
        this.stmts(s.else);
        this.bind(end);
        return;
      }
      case "while": {
        const top = this.label();
        const cond = this.label();
        const brk = this.label();
        const reclaim = this.reclaimsArena(s.body);
        const cont = reclaim ? this.label() : cond;
        const mark = reclaim ? this.temp() : -1;
        this.jump("jmp", cond);
        this.bind(top);
        if (reclaim) this.markArena(mark);
        this.loops.push({ brk, cont });
        this.stmts(s.body);
        this.loops.pop();
        if (reclaim) {
          this.bind(cont);
          this.releaseArena(mark);
        }
        this.bind(cond);
        this.at(s.cond.span, () => this.condJump(s.cond, top, true));
        this.bind(brk);
        if (reclaim) this.release(mark);
        return;
      }
      case "for": {
        const top = this.label();
        const cont = this.label();
        const cond = this.label();
        const brk = this.label();
        this.expr(s.from);
        this.op("lset", s.local);
        const endConst = s.to.k === "int";
        if (!endConst) {
          this.expr(s.to);
          this.op("lset", s.endLocal);
        }
        const reclaim = this.reclaimsArena(s.body);
        const mark = reclaim ? this.temp() : -1;
        this.jump("jmp", cond);
        this.bind(top);
        if (reclaim) this.markArena(mark);
        this.loops.push({ brk, cont });
        this.stmts(s.body);
        this.loops.pop();
        this.bind(cont);
        if (reclaim) this.releaseArena(mark);
        this.op("lget", s.local);
        this.push(1n);
        this.op(s.signed ? "adds" : "addu");
        this.op("lset", s.local);
        this.bind(cond);
        this.op("lget", s.local);
        if (endConst) this.push((s.to as { value: bigint }).value);
        else this.op("lget", s.endLocal);
        this.op(s.signed ? "lts" : "ltu");
        this.jump("jnz", top);
        this.bind(brk);
        if (reclaim) this.release(mark);
        return;
      }
      case "break":
        this.jump("jmp", this.loops[this.loops.length - 1]!.brk);
        return;
      case "continue":
        this.jump("jmp", this.loops[this.loops.length - 1]!.cont);
        return;
      case "return":
        if (s.value) this.expr(s.value);
        this.ret();
        return;
      case "emit": {
        let mask = 0;
        s.args.forEach((a, i) => {
          this.expr(a);
          if (isRefAtRuntime(a.type)) mask |= 1 << i;
        });
        this.op("emit", s.topic, s.args.length, mask);
        return;
      }
      case "require":
        this.expr(s.cond);
        this.op("require", s.errorId);
        return;
      case "revert":
        this.op("revert", s.errorId);
        return;
    }
  }

  /**
   * Whether a loop body's arena bytes are reclaimed at the end of each iteration: when it may allocate and
   * nothing it allocates can outlive the iteration. Values leave an iteration only by whole assignment to
   * a byte-string local declared outside the body (struct and array locals written in place copy into
   * their own buffer; storage writes and events copy out of the arena; `return` leaves the frame).
   */
  private reclaimsArena(body: TStmt[]): boolean {
    if (!mayAllocate(body)) return false;
    const inner = new Set<number>();
    walkStmts(body, (st) => {
      if (st.k === "let") inner.add(st.local);
    });
    let escapes = false;
    walkStmts(body, (st) => {
      if (st.k !== "assign" || st.place.kind !== "local" || st.place.path.length > 0) return;
      if (inner.has(st.place.index) || !isRefAtRuntime(st.place.type)) return;
      if (this.livesInPlace(st.place)) return;
      escapes = true;
    });
    return !escapes;
  }
  private markArena(mark: number): void {
    this.op("amark");
    this.op("lset", mark);
  }
  private releaseArena(mark: number): void {
    this.op("lget", mark);
    this.op("arelease");
  }

  /** Jumps to `label` when `e` is `when`; falls through otherwise. */
  private condJump(e: TExpr, label: number, when: boolean): void {
    if (e.k === "int") {
      if ((e.value !== 0n) === when) this.jump("jmp", label);
      return;
    }
    if (e.k === "unary" && e.op === "!") return this.condJump(e.operand, label, !when);
    if (e.k === "logical") {
      const shortCircuits = (e.op === "||") === when;
      if (shortCircuits) {
        this.condJump(e.left, label, when);
        this.condJump(e.right, label, when);
      } else {
        const skip = this.label();
        this.condJump(e.left, skip, !when);
        this.condJump(e.right, label, when);
        this.bind(skip);
      }
      return;
    }
    // a > b is b < a: with operands free of effects, evaluate them swapped so the fused jumps apply
    if (e.k === "binary" && (e.op === ">" || e.op === "<=") && isPure(e.left) && isPure(e.right)) {
      const swapped: TExpr = { ...e, op: e.op === ">" ? "<" : ">=", left: e.right, right: e.left };
      this.expr(swapped);
    } else {
      this.expr(e);
    }
    this.jump(when ? "jnz" : "jz", label);
  }

  // -- places ---------------------------------------------------------------------------------------------
  /** Moves a place's keys and indexes that are not trivially re-evaluable into temporaries. */
  private materialize(p: Place): Place & { temps: number[] } {
    const temps: number[] = [];
    const fix = (e: TExpr): TExpr => {
      if (isPure(e)) return e;
      this.expr(e);
      const t = this.temp();
      temps.push(t);
      this.op("lset", t);
      return { k: "read", place: { kind: "local", index: t, type: e.type, baseType: e.type, path: [] }, span: e.span, type: e.type };
    };
    const path = p.path.map((s) => (s.kind === "elem" ? { ...s, index: fix(s.index) } : s));
    if (p.kind === "storage") {
      return { ...p, keys: p.keys.map(fix), ...(p.foreignId ? { foreignId: fix(p.foreignId) } : {}), path, temps };
    }
    if (p.kind === "value") return { ...p, value: fix(p.value), path, temps };
    return { ...p, path, temps };
  }

  private storedType(p: Extract<Place, { kind: "storage" }>): Type {
    let t = p.field.type;
    for (let i = 0; i < p.keys.length; i++) t = (t as { value: Type }).value;
    return t;
  }

  private keyMode(p: Extract<Place, { kind: "storage" }>): number {
    const vt = this.storedType(p);
    let mode = isRefAtRuntime(vt) ? 2 : 0;
    if (p.keys.length > 1 || (p.keys.length === 1 && isRefAtRuntime(p.keys[0]!.type))) mode |= 1;
    return mode;
  }

  /**
   * Pushes the storage key: one key as is, several joined into one byte string; SHA-256 of that when
   * its fixed size is over MAX_MAP_KEY (mapKeyHashed); a `bytes` key checked to fit (keyErrorId).
   */
  private pushKeys(p: Extract<Place, { kind: "storage" }>): void {
    const keys = p.keys;
    if (keys.length === 1) {
      this.expr(keys[0]!);
      if (p.keyErrorId !== undefined) {
        this.op("dup");
        this.op("blen");
        this.push(BigInt(MAX_MAP_KEY));
        this.op("leu");
        this.op("require", p.keyErrorId);
      }
    } else {
      keys.forEach((k, i) => {
        this.expr(k);
        if (!isRefAtRuntime(k.type)) this.op("itob", 8);
        if (i > 0) this.op("bcat");
      });
    }
    if (mapKeyHashed(declaredKeyTypes(p))) this.op("sha256");
  }

  private loadStorage(p: Extract<Place, { kind: "storage" }>, keyOnStack = false): void {
    const slot = p.field.slot;
    const mode = this.keyMode(p);
    if (p.foreignId) this.expr(p.foreignId);
    if (p.keys.length > 0 && !keyOnStack) this.pushKeys(p);
    const op = p.foreignId ? (p.keys.length > 0 ? "xmload" : "xload") : p.keys.length > 0 ? "mload" : "sload";
    this.op(op, slot, mode);
    const vt = this.storedType(p);
    if (needsZeroDefault(vt)) {
      // storage never written reads as empty; a fixed-size value reads as zeros instead
      const ok = this.label();
      this.op("dup");
      this.op("blen");
      this.jump("jnz", ok);
      this.op("drop");
      this.op("pushb", this.pool.add(new Uint8Array(packedSize(vt)!)));
      this.bind(ok);
    }
  }

  private loadBase(p: Place): void {
    if (p.kind === "local") this.op("lget", p.index);
    else if (p.kind === "storage") this.loadStorage(p);
    else this.expr(p.value);
  }

  private baseType(p: Place): Type {
    if (p.kind === "local") return p.baseType;
    if (p.kind === "storage") return this.storedType(p);
    return p.value.type;
  }

  /** Pushes the byte offset of a path inside its packed base, bounds-checking computed array indexes. */
  private pushOffset(path: PathStep[]): void {
    let constant = 0n;
    let dynamic = false;
    for (const s of path) {
      if (s.kind === "field") {
        constant += BigInt(s.offset);
        continue;
      }
      const size = BigInt(packedSize(s.elemType)!);
      if (s.index.k === "int") {
        constant += s.index.value * size;
        continue;
      }
      this.expr(s.index);
      this.op("dup");
      this.push(BigInt(s.length));
      this.op("ltu");
      this.op("require", s.errorId);
      if (size !== 1n) {
        this.push(size);
        this.op("mul");
      }
      if (dynamic) this.op("add");
      dynamic = true;
    }
    if (!dynamic) this.push(constant);
    else if (constant !== 0n) {
      this.push(constant);
      this.op("add");
    }
  }

  private readPlace(p: Place): void {
    this.loadBase(p);
    if (p.path.length === 0) return;
    const t = p.type;
    this.pushOffset(p.path);
    if (t.k === "bool") {
      this.op("bget");
      return;
    }
    this.push(BigInt(packedSize(t)!));
    this.op("bslice");
    if (!isRefAtRuntime(t)) this.op("btoi");
  }

  private assign(place: Place, value: TExpr): void {
    if (place.kind === "value") throw new Error("internal: assignment to a value place");
    if (place.kind === "local" && this.livesInPlace(place)) {
      // into the local's own buffer: a field, an element, or the whole value
      this.op("lget", place.index);
      if (place.path.length === 0) this.push(0n);
      else this.pushOffset(place.path);
      this.expr(value);
      if (isRefAtRuntime(place.type)) this.op("bwrite");
      else this.op("bput", place.type.k === "bool" ? 1 : 8);
      return;
    }
    if (place.path.length === 0) {
      if (place.kind === "local") {
        this.expr(value);
        if (this.mayAlias(value)) this.op("bdup");
        this.op("lset", place.index);
      } else {
        if (place.keys.length > 0) this.pushKeys(place);
        this.expr(value);
        this.op(place.keys.length > 0 ? "mstore" : "sstore", place.field.slot, this.keyMode(place));
      }
      return;
    }
    // read-modify-write of a packed struct or array: prefix ++ new part ++ suffix
    const p = this.materialize(place);
    if (p.kind === "storage" && p.keys.length > 0) this.pushKeys(p);
    const total = BigInt(packedSize(this.baseType(p))!);
    const size = BigInt(packedSize(p.type)!);
    const base = this.temp();
    this.loadBase({ ...p, path: [] } as Place);
    this.op("lset", base);
    const constOff = p.path.every((s) => s.kind === "field" || s.index.k === "int");
    let offTemp = -1;
    let c = 0n;
    if (constOff) {
      for (const s of p.path) c += s.kind === "field" ? BigInt(s.offset) : (s.index as { value: bigint }).value * BigInt(packedSize(s.elemType)!);
    } else {
      offTemp = this.temp();
      this.pushOffset(p.path);
      this.op("lset", offTemp);
    }
    const pushOff = (): void => (constOff ? this.push(c) : this.op("lget", offTemp));
    let parts = 0;
    if (!constOff || c > 0n) {
      this.op("lget", base);
      this.push(0n);
      pushOff();
      this.op("bslice");
      parts++;
    }
    this.expr(value);
    if (!isRefAtRuntime(p.type)) this.op("itob", p.type.k === "bool" ? 1 : 8);
    if (parts++ > 0) this.op("bcat");
    if (!constOff || c + size < total) {
      this.op("lget", base);
      if (constOff) {
        this.push(c + size);
        this.push(total - c - size);
      } else {
        pushOff();
        this.push(size);
        this.op("add");
        this.push(total - size);
        pushOff();
        this.op("sub");
      }
      this.op("bslice");
      this.op("bcat");
    }
    if (offTemp >= 0) this.release(offTemp);
    this.release(base);
    if (p.kind === "local") this.op("lset", p.index);
    else if (p.kind === "storage") this.op(p.keys.length > 0 ? "mstore" : "sstore", p.field.slot, this.keyMode(p));
    p.temps.forEach((t) => this.release(t));
  }

  // -- expressions ------------------------------------------------------------------------------------------
  private expr(e: TExpr): void {
    this.at(e.span, () => this.exprInner(e));
  }

  private exprInner(e: TExpr): void {
    switch (e.k) {
      case "int":
        this.push(e.value);
        return;
      case "bytes":
        this.op("pushb", this.pool.add(e.value));
        return;
      case "read":
        this.readPlace(e.place);
        return;
      case "unary":
        this.expr(e.operand);
        this.op(e.op === "-" ? "neg" : e.op === "!" ? "eqz" : "bnot");
        return;
      case "binary":
        this.binary(e);
        return;
      case "logical": {
        const end = this.label();
        this.expr(e.left);
        this.op("dup");
        this.jump(e.op === "&&" ? "jz" : "jnz", end);
        this.op("drop");
        this.expr(e.right);
        this.bind(end);
        return;
      }
      case "call":
        for (const a of e.args) this.expr(a);
        this.op("call", e.func.index);
        return;
      case "builtin":
        this.builtin(e);
        return;
      case "convert":
        this.convert(e);
        return;
      case "pack": {
        const constant = packConstant(e);
        if (constant) {
          this.op("pushb", this.pool.add(constant));
          return;
        }
        e.parts.forEach((p, i) => {
          this.expr(p);
          if (!isRefAtRuntime(p.type)) this.op("itob", p.type.k === "bool" ? 1 : 8);
          if (i > 0) this.op("bcat");
        });
        return;
      }
      case "repeat": {
        const one = packConstant({ ...e, k: "pack", parts: [e.value] } as TExpr & { k: "pack" });
        if (one) {
          const all = new Uint8Array(one.length * e.count);
          for (let i = 0; i < e.count; i++) all.set(one, i * one.length);
          this.op("pushb", this.pool.add(all));
          return;
        }
        const t = this.temp();
        this.expr(e.value);
        if (!isRefAtRuntime(e.value.type)) this.op("itob", e.value.type.k === "bool" ? 1 : 8);
        this.op("lset", t);
        for (let i = 0; i < e.count; i++) {
          this.op("lget", t);
          if (i > 0) this.op("bcat");
        }
        this.release(t);
        return;
      }
    }
  }

  private binary(e: Extract<TExpr, { k: "binary" }>): void {
    const t = e.operandType;
    this.expr(e.left);
    this.expr(e.right);
    if (e.op === "bget") {
      this.op("bget");
      return;
    }
    if (e.op === "==" || e.op === "!=") {
      if (isRefAtRuntime(t)) {
        this.op("beq");
        if (e.op === "!=") this.op("eqz");
      } else {
        this.op(e.op === "==" ? "eq" : "ne");
      }
      return;
    }
    const bit = BITWISE[e.op];
    if (bit) {
      this.op(bit);
      return;
    }
    this.op(ARITH[e.op]![t.k]!);
  }

  private builtin(e: Extract<TExpr, { k: "builtin" }>): void {
    const args = e.args;
    const all = (): void => args.forEach((a) => this.expr(a));
    switch (e.name) {
      case "caller":
      case "self":
      case "now":
      case "height":
        this.op(e.name);
        return;
      case "gas_left":
        this.op("gasleft");
        return;
      case "call_value":
        this.op("value");
        return;
      case "native_balance":
      case "pay":
        all();
        this.op(e.name === "pay" ? "pay" : "balance");
        return;
      case "sha256":
        args.forEach((a, i) => {
          this.expr(a);
          if (i > 0) this.op("bcat");
        });
        this.op("sha256");
        return;
      case "concat":
        args.forEach((a, i) => {
          this.expr(a);
          if (i > 0) this.op("bcat");
        });
        return;
      case "len":
        all();
        this.op("blen");
        return;
      case "slice":
        all();
        this.op("bslice");
        return;
      case "verify":
        all();
        this.op("edverify");
        return;
      case "to_bytes":
        all();
        this.op("itob", e.width ?? 8);
        return;
      case "from_bytes":
        all();
        this.op("btoi");
        return;
      case "wrapping_add":
      case "wrapping_sub":
      case "wrapping_mul":
        all();
        this.op(WRAPPING[e.name]!);
        return;
      case "min":
      case "max": {
        // a b -> a b (a<b) -> keep a when it wins, else swap; drop the loser
        const keep = this.label();
        all();
        this.op("over");
        this.op("over");
        const unsigned = e.type.k === "u64";
        this.op(e.name === "min" ? (unsigned ? "ltu" : "lts") : unsigned ? "gtu" : "gts");
        this.jump("jnz", keep);
        this.op("swap");
        this.bind(keep);
        this.op("drop");
        return;
      }
      case "abs": {
        const done = this.label();
        all();
        this.op("dup");
        this.push(0n);
        this.op("lts");
        this.jump("jz", done);
        this.op("neg");
        this.bind(done);
        return;
      }
    }
  }

  private convert(e: Extract<TExpr, { k: "convert" }>): void {
    this.expr(e.arg);
    const from = e.from.k;
    const to = e.type.k;
    const signCheck = (): void => {
      this.op("dup");
      this.push(0n);
      this.op("ges");
      this.op("require", e.errorId!);
    };
    if (to === "hash" || to === "pubkey" || to === "sig") {
      this.op("dup");
      this.op("blen");
      this.push(to === "sig" ? 64n : 32n);
      this.op("eq");
      this.op("require", e.errorId!);
      return;
    }
    if (from === "fixed") {
      this.push(FIXED_ONE);
      this.op("divs");
      if (to === "u64") signCheck();
      return;
    }
    // u64 → i64/fixed and i64 → u64: the value must be below 2^63, i.e. non-negative read as signed
    if (from === "u64" || to === "u64") signCheck();
    if (to === "fixed") {
      this.push(FIXED_ONE);
      this.op("muls");
    }
  }
}

/** Reading it twice costs little and has no effect: constants and plain local reads. */
function isPure(e: TExpr): boolean {
  return e.k === "int" || e.k === "bytes" || (e.k === "read" && e.place.kind === "local" && e.place.path.length === 0);
}

/** The packed bytes of a struct or array literal whose parts are all constants, else undefined. */
function packConstant(e: Extract<TExpr, { k: "pack" }>): Uint8Array | undefined {
  const out: number[] = [];
  for (const p of e.parts) {
    if (p.k === "bytes") out.push(...p.value);
    else if (p.k === "int") {
      const width = p.type.k === "bool" ? 1 : 8;
      let v = BigInt.asUintN(64, p.value);
      for (let i = 0; i < width; i++) {
        out.push(Number(v & 0xffn));
        v >>= 8n;
      }
    } else if (p.k === "pack") {
      const inner = packConstant(p);
      if (!inner) return undefined;
      out.push(...inner);
    } else return undefined;
  }
  return Uint8Array.from(out);
}

/** Calls `f` on every statement of a list, nested bodies included. */
export function walkStmts(list: TStmt[], f: (s: TStmt) => void): void {
  for (const s of list) {
    f(s);
    if (s.k === "if") {
      walkStmts(s.then, f);
      walkStmts(s.else, f);
    } else if (s.k === "while" || s.k === "for") walkStmts(s.body, f);
  }
}

/**
 * The key types a storage place's map declares, outermost first. A key expression's own type may be
 * narrower (a `hash` indexing a `map<bytes, V>`); the storage layout follows the declared type.
 */
function declaredKeyTypes(p: Extract<Place, { kind: "storage" }>): Type[] {
  const keys: Type[] = [];
  let t = p.field.type;
  for (let i = 0; i < p.keys.length; i++) {
    const m = t as Extract<Type, { k: "map" }>;
    keys.push(m.key);
    t = m.value;
  }
  return keys;
}

/** Calls `f` on an expression and every expression inside it (place keys and indexes included). */
export function walkExpr(e: TExpr, f: (e: TExpr) => void): void {
  f(e);
  const place = (p: Place): void => {
    for (const st of p.path) if (st.kind === "elem") walkExpr(st.index, f);
    if (p.kind === "storage") {
      p.keys.forEach((k) => walkExpr(k, f));
      if (p.foreignId) walkExpr(p.foreignId, f);
    } else if (p.kind === "value") walkExpr(p.value, f);
  };
  switch (e.k) {
    case "read":
      place(e.place);
      return;
    case "unary":
      walkExpr(e.operand, f);
      return;
    case "binary":
    case "logical":
      walkExpr(e.left, f);
      walkExpr(e.right, f);
      return;
    case "call":
    case "builtin":
      e.args.forEach((a) => walkExpr(a, f));
      return;
    case "convert":
      walkExpr(e.arg, f);
      return;
    case "pack":
      e.parts.forEach((a) => walkExpr(a, f));
      return;
    case "repeat":
      walkExpr(e.value, f);
      return;
  }
}

/** The expressions a statement evaluates directly (not those of nested bodies). */
function stmtExprs(s: TStmt): TExpr[] {
  const placeExprs = (p: Place): TExpr[] => [
    { k: "read", place: p, span: s.span, type: p.type } as TExpr,
  ];
  switch (s.k) {
    case "let":
      return [s.init];
    case "assign":
    case "compound":
      return [...placeExprs(s.place), s.value];
    case "expr":
      return [s.expr];
    case "if":
    case "while":
    case "require":
      return [s.cond];
    case "for":
      return [s.from, s.to];
    case "return":
      return s.value ? [s.value] : [];
    case "emit":
      return s.args;
    default:
      return [];
  }
}

/**
 * Whether running these statements may allocate arena bytes (conservative): building packed values,
 * concatenations, hashes, integer packing, calls, storage values that are byte strings or need a
 * composite or hashed key, and copies of values that live in place.
 */
export function mayAllocate(list: TStmt[]): boolean {
  let hit = false;
  const visit = (e: TExpr): void => {
    if (hit) return;
    switch (e.k) {
      case "pack":
      case "repeat":
      case "call":
        hit = true;
        return;
      case "builtin":
        if (e.name === "sha256" || e.name === "concat" || e.name === "to_bytes") hit = true;
        return;
      case "read":
        if (e.place.kind === "storage") {
          const p = e.place;
          let t = p.field.type;
          for (let i = 0; i < p.keys.length; i++) t = (t as { value: Type }).value;
          if (isRefAtRuntime(t) || p.keys.length > 1 || mapKeyHashed(declaredKeyTypes(p))) hit = true;
        }
        return;
    }
  };
  walkStmts(list, (s) => {
    if (s.k === "let" && isRefAtRuntime(s.init.type)) hit = true;
    if (s.k === "assign" && isRefAtRuntime(s.value.type)) hit = true;
    for (const e of stmtExprs(s)) walkExpr(e, visit);
  });
  return hit;
}
