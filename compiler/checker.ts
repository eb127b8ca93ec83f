// Name resolution and type checking: turns the AST of the main file and its imports into the typed
// program of typed.ts, reporting every error it finds (it never stops at the first) and folding constants.
import { sha256 } from "@noble/hashes/sha2.js";
import { LIMITS } from "../vm/spec/limits.ts";
import type * as A from "./ast.ts";
import { foldBinary, foldConvert, foldUnary, inRange, parseFixedLiteral, parseIntLiteral } from "./constfold.ts";
import type { DiagnosticSink, Span } from "./diagnostics.ts";
import type { BuiltinName, CheckedProgram, ErrorEntry, EventInfo, FuncInfo, NameUse, PathStep, Place, StorageField, TExpr, TStmt } from "./typed.ts";
import {
  assignable,
  BOOL,
  BUILTIN_TYPES,
  BYTES,
  ERROR,
  FIXED,
  FIXED_BYTES_LEN,
  HASH,
  I64,
  isByteString,
  isExportable,
  isIntegral,
  isNumeric,
  isValueType,
  MAX_MAP_KEY,
  packedSize,
  PUBKEY,
  sameType,
  sigName,
  type Type,
  typeName,
  U64,
  UNIT,
} from "./types.ts";

export const BUILTINS: ReadonlySet<string> = new Set([
  "caller",
  "self",
  "now",
  "height",
  "gas_left",
  "call_value",
  "native_balance",
  "pay",
  "sha256",
  "verify",
  "concat",
  "len",
  "slice",
  "to_bytes",
  "from_bytes",
  "wrapping_add",
  "wrapping_sub",
  "wrapping_mul",
  "min",
  "max",
  "abs",
  "require",
  "assert",
  "revert",
]);

interface ContractLayout {
  name: string;
  storage: Map<string, StorageField>;
}

interface ConstInfo {
  decl: A.ConstDecl;
  /** The constants of the contract that declares it (which its initializer sees); absent at file level. */
  scope?: Map<string, ConstInfo>;
  value?: TExpr;
  busy?: boolean;
}

interface LocalInfo {
  index: number;
  type: Type;
  span: Span;
  name: string;
  used: boolean;
}

interface FnCtx {
  fn: FuncInfo;
  scopes: Map<string, LocalInfo>[];
  nextLocal: number;
  loopDepth: number;
  inContract: boolean;
}

/** The topic of an event: the first 4 bytes, little-endian, of SHA-256 of its signature "Name(t1,t2)". */
export function eventTopic(signature: string): number {
  const h = sha256(new TextEncoder().encode(signature));
  return (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
}

/** The storage slot where a contract with an `init` records that it ran (user fields take 0..254). */
export const INIT_SLOT = 255;
/** The hint of E0054 for an array length or a repeat count, which fix a packed size at compile time. */
const LENGTH_HINT = "write the length as a literal or a `const`";
const INIT_FIELD: StorageField = { name: "$initialized", slot: INIT_SLOT, type: BOOL, span: { file: "", line: 1, col: 1, endLine: 1, endCol: 1 } };

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** "did you mean `x`?" for the closest candidate within a third of the name's length, else undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  // a one-letter name is as close to every other one-letter name: no guess there
  let bestD = Math.min(Math.max(1, Math.floor(name.length / 3)), name.length - 1) + 1;
  for (const c of [...new Set(candidates)].sort()) {
    if (c === name || c.startsWith("$")) continue;
    const dd = distance(name.toLowerCase(), c.toLowerCase());
    if (dd < bestD) {
      best = c;
      bestD = dd;
    }
  }
  return best === undefined ? undefined : `did you mean \`${best}\`?`;
}

export class Checker {
  private readonly structs = new Map<string, { decl: A.StructDecl; type?: Type; busy?: boolean }>();
  private readonly enums = new Map<string, Extract<Type, { k: "enum" }>>();
  private readonly globalConsts = new Map<string, ConstInfo>();
  private readonly contractConsts = new Map<string, ConstInfo>();
  private readonly freeFns = new Map<string, { decl: A.FnDecl; info: FuncInfo }>();
  private readonly contractFns = new Map<string, { decl: A.FnDecl; info: FuncInfo }>();
  private readonly layouts = new Map<string, ContractLayout>();
  private readonly events = new Map<string, EventInfo & { span: Span }>();
  private readonly errors: ErrorEntry[] = [];
  private readonly errorByMessage = new Map<string, number>();
  private main?: A.ContractDecl;
  private ownLayout?: ContractLayout;
  private ctx?: FnCtx;
  /**
   * The constants of the contract whose declarations (constants, storage, events, signatures) are being read
   * outside any function body; absent at file level. The main contract's table also finds its storage fields,
   * to report them as not constant.
   */
  private constScope?: Map<string, ConstInfo>;
  /** The parameters of the signature being read, to tell one used as an array length that it is no constant. */
  private signatureParams: readonly A.Param[] = [];
  /** The constants being evaluated, outermost first, to name a cycle. */
  private readonly constStack: ConstInfo[] = [];
  /** The contract (imported, or `extern`) whose storage types a foreign constant table serves. */
  private readonly foreignOwners = new Map<Map<string, ConstInfo> | undefined, A.ContractDecl>();
  private readonly enumDecls = new Map<string, A.EnumDecl>();
  /** Every name the checker resolved, in the order it met them (for tools; see NameUse). */
  readonly uses: NameUse[] = [];

  constructor(private readonly sink: DiagnosticSink) {}

  run(mainFile: string, files: A.SourceFile[]): CheckedProgram | undefined {
    const all = files.flatMap((f) => f.decls.map((d) => ({ d, file: f.file })));
    this.collectGlobals(all, mainFile);
    if (!this.main) return undefined;
    this.collectContract(this.main);
    // every constant is checked, used or not
    for (const c of this.globalConsts.values()) this.constValue(c);
    for (const c of this.contractConsts.values()) this.constValue(c);
    for (const { decl, info } of this.freeFns.values()) this.checkBody(decl, info, false);
    for (const { decl, info } of this.contractFns.values()) this.checkBody(decl, info, true);
    return this.finish();
  }

  // -- declarations ----------------------------------------------------------------------------------
  private collectGlobals(all: { d: A.TopDecl; file: string }[], mainFile: string): void {
    const contracts: A.ContractDecl[] = [];
    // a second contract in the file being compiled: reported once, as E0012, and not again as a duplicate name
    const extraContracts = new Set<A.ContractDecl>();
    for (const { d, file } of all) {
      switch (d.kind) {
        case "struct":
          if (this.structs.has(d.name) || this.enums.has(d.name) || BUILTIN_TYPES[d.name]) this.sink.report("duplicate", d.span, [d.name]);
          else this.structs.set(d.name, { decl: d });
          break;
        case "enum": {
          if (this.structs.has(d.name) || this.enums.has(d.name) || BUILTIN_TYPES[d.name]) {
            this.sink.report("duplicate", d.span, [d.name]);
            break;
          }
          const seen = new Set<string>();
          for (const v of d.variants) {
            if (seen.has(v.name)) this.sink.report("duplicate", v.span, [`${d.name}.${v.name}`]);
            seen.add(v.name);
          }
          this.enums.set(d.name, { k: "enum", name: d.name, variants: d.variants.map((v) => v.name) });
          this.enumDecls.set(d.name, d);
          break;
        }
        case "const":
          this.declareConst(this.globalConsts, d);
          break;
        case "fn":
          if (d.isInit || d.isPub || d.isView) {
            this.sink.report("syntax", d.span, ["functions outside a contract cannot be `pub` or `view`"]);
          }
          if (BUILTINS.has(d.name)) this.sink.report("shadowed_builtin", d.nameSpan, [d.name]);
          else if (this.freeFns.has(d.name)) this.sink.report("duplicate", d.nameSpan, [d.name]);
          else this.freeFns.set(d.name, { decl: d, info: this.fnInfo(d) });
          break;
        case "contract":
          if (!d.isExtern && file === mainFile) {
            if (this.main) {
              const first = this.main;
              const hint = d.name === first.name
                ? `remove this second \`contract ${d.name}\`, or merge its members into the first`
                : `move \`${d.name}\` to a file of its own; to read its storage from \`${first.name}\`, import that file or declare \`extern contract ${d.name} { storage … }\` here`;
              this.sink.report("no_contract", d.span, [`a file defines one contract, and \`${first.name}\` is already defined at line ${first.span.line}`], hint);
              extraContracts.add(d);
            } else this.main = d;
          }
          contracts.push(d);
          break;
        case "import":
          break;
      }
    }
    if (!this.main) {
      this.sink.report("no_contract", { file: mainFile, line: 1, col: 1, endLine: 1, endCol: 2 }, [`${mainFile} defines no contract`]);
      return;
    }
    // the contract's constants are declared before any of its types is read: a storage, event or parameter type
    // may use one as an array length (evaluated on first use, so their order does not matter); a struct is
    // declared at file level and sees file-level constants only (told so, with a hint, if it names one of these)
    for (const m of this.main.members) if (m.kind === "const") this.declareConst(this.contractConsts, m);
    for (const s of this.structs.keys()) this.structType(s, this.structs.get(s)!.decl.span);
    for (const c of [this.main, ...contracts.filter((x) => x !== this.main)]) { // own layout first: any other `C` is the duplicate
      if (this.layouts.has(c.name)) {
        if (!extraContracts.has(c)) this.sink.report("duplicate", c.span, [c.name]);
        continue;
      }
      const layout = this.layoutOf(c);
      this.layouts.set(c.name, layout);
      if (c === this.main) this.ownLayout = layout;
      if (c !== this.main) {
        for (const m of c.members) {
          if (m.kind === "fn" && c.isExtern) this.sink.report("syntax", m.span, ["an `extern contract` declares storage only"]);
        }
      }
    }
    // free functions' signatures need struct types, resolved above
    for (const { decl, info } of this.freeFns.values()) this.resolveSignature(decl, info);
  }

  private layoutOf(c: A.ContractDecl): ContractLayout {
    const storage = new Map<string, StorageField>();
    let slot = 0;
    const savedScope = this.constScope;
    this.constScope = c === this.main ? this.contractConsts : this.foreignConsts(c);
    for (const m of c.members) {
      if (m.kind !== "storage") continue;
      const type = this.resolveType(m.type, true);
      if (storage.has(m.name)) {
        this.sink.report("duplicate", m.span, [m.name]);
        continue;
      }
      if (slot >= INIT_SLOT) {
        this.sink.report("limit", m.span, [`a contract has at most ${INIT_SLOT} storage fields (slots are one byte; slot ${INIT_SLOT} records that init ran)`]);
        continue;
      }
      storage.set(m.name, { name: m.name, slot: slot++, type, span: m.span });
    }
    this.constScope = savedScope;
    return { name: c.name, storage };
  }

  /**
   * The constants of a contract other than the one compiled (imported, or `extern`), for the lengths in its
   * storage types. An imported contract's duplicates are reported where that contract is compiled, so the
   * first one counts here; an `extern contract` of the file compiled is compiled nowhere else, so its own
   * are reported here (as in the compiled contract).
   */
  private foreignConsts(c: A.ContractDecl): Map<string, ConstInfo> {
    const table = new Map<string, ConstInfo>();
    this.foreignOwners.set(table, c);
    const here = c.isExtern && c.span.file === this.main?.span.file;
    for (const m of c.members) {
      if (m.kind !== "const") continue;
      if (here) this.declareConst(table, m);
      else if (!table.has(m.name) && !BUILTINS.has(m.name)) table.set(m.name, { decl: m, scope: table });
    }
    return table;
  }

  /** Events and functions of the contract compiled; its constants were declared with the storage layout. */
  private collectContract(c: A.ContractDecl): void {
    this.constScope = this.contractConsts;
    for (const m of c.members) {
      if (m.kind === "event") {
        if (this.events.has(m.name)) {
          this.sink.report("duplicate", m.span, [m.name]);
          continue;
        }
        const fields = m.fields.map((f) => ({ name: f.name, type: this.resolveType(f.type, false) }));
        this.checkUniqueParams(m.fields);
        for (const [i, f] of fields.entries()) {
          if (!isValueType(f.type) && f.type.k !== "error") this.sink.report("map_not_storage", m.fields[i]!.type.span);
        }
        if (fields.length > 8) this.sink.report("limit", m.span, [`an event has at most 8 fields (the emit mask is one byte), \`${m.name}\` has ${fields.length}`]);
        const signature = `${m.name}(${fields.map((f) => sigName(f.type)).join(",")})`;
        this.events.set(m.name, { name: m.name, topic: eventTopic(signature), signature, fields, span: m.span });
      } else if (m.kind === "fn") {
        if (BUILTINS.has(m.name)) {
          this.sink.report("shadowed_builtin", m.nameSpan, [m.name]);
          continue;
        }
        if (this.contractFns.has(m.name)) {
          if (m.isInit) this.sink.report("bad_init", m.nameSpan, ["a contract has at most one `init`"]);
          else this.sink.report("duplicate", m.nameSpan, [m.name]);
          continue;
        }
        const info = this.fnInfo(m);
        this.resolveSignature(m, info);
        if (m.isInit && m.returns) this.sink.report("bad_init", m.returns.span, ["`init` cannot return a value"]);
        if (m.isInit && m.isView) this.sink.report("bad_init", m.nameSpan, ["`init` cannot be a view"]);
        this.contractFns.set(m.name, { decl: m, info });
      }
    }
    this.constScope = undefined;
  }

  private declareConst(table: Map<string, ConstInfo>, d: A.ConstDecl): void {
    if (BUILTINS.has(d.name)) this.sink.report("shadowed_builtin", d.span, [d.name]);
    else if (table.has(d.name)) this.sink.report("duplicate", d.span, [d.name]);
    else table.set(d.name, { decl: d, scope: table === this.globalConsts ? undefined : table });
  }

  private fnInfo(d: A.FnDecl): FuncInfo {
    return {
      name: d.name,
      index: -1,
      params: [],
      returns: UNIT,
      isPub: d.isPub,
      isView: d.isView,
      isInit: d.isInit,
      span: d.nameSpan,
      locals: 0,
      body: [],
      entryChecks: [],
      calls: [],
      effects: [],
    };
  }

  private resolveSignature(d: A.FnDecl, info: FuncInfo): void {
    this.checkUniqueParams(d.params);
    this.signatureParams = d.params;
    info.params = d.params.map((p) => ({ name: p.name, type: this.resolveType(p.type, false) }));
    info.returns = d.returns ? this.resolveType(d.returns, false) : UNIT;
    this.signatureParams = [];
    if (d.params.length > LIMITS.MAX_PARAMS.value) {
      this.sink.report("limit", d.nameSpan, [`a function takes at most ${LIMITS.MAX_PARAMS.value} parameters, \`${d.name}\` takes ${d.params.length}`]);
    }
    for (const [i, p] of info.params.entries()) {
      const ref = d.params[i]!.type;
      if (p.type.k === "map") this.sink.report("map_not_storage", ref.span);
      else if (d.isPub && p.type.k !== "error" && !isExportable(p.type)) this.sink.report("bad_export_type", ref.span, [typeName(p.type)]);
    }
    if (d.returns) {
      if (info.returns.k === "map") this.sink.report("map_not_storage", d.returns.span);
      else if (d.isPub && info.returns.k !== "error" && !isExportable(info.returns)) this.sink.report("bad_export_type", d.returns.span, [typeName(info.returns)]);
    }
  }

  private checkUniqueParams(params: A.Param[]): void {
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.name)) this.sink.report("duplicate", p.span, [p.name]);
      seen.add(p.name);
    }
  }

  // -- types -------------------------------------------------------------------------------------------
  resolveType(ref: A.TypeRef, storageAllowed: boolean): Type {
    switch (ref.kind) {
      case "name": {
        if (ref.name === "<missing>") return ERROR;
        const b = BUILTIN_TYPES[ref.name!];
        if (b) return b;
        if (this.structs.has(ref.name!)) {
          const t = this.structType(ref.name!, ref.span);
          this.uses.push({ span: ref.span, kind: "struct", name: ref.name!, type: t, decl: this.structs.get(ref.name!)!.decl.span });
          return t;
        }
        const en = this.enums.get(ref.name!);
        if (en) {
          this.uses.push({ span: ref.span, kind: "enum", name: ref.name!, type: en, decl: this.enumDecls.get(ref.name!)?.span });
          return en;
        }
        this.sink.report("unknown_type", ref.span, [ref.name!], didYouMean(ref.name!, [...Object.keys(BUILTIN_TYPES), ...this.structs.keys(), ...this.enums.keys()]));
        return ERROR;
      }
      case "map": {
        if (!storageAllowed) {
          this.sink.report("map_not_storage", ref.span);
          return ERROR;
        }
        return this.mapType(ref, false);
      }
      case "array": {
        const elem = this.resolveType(ref.elem!, false);
        const len = this.constInt(ref.length!, U64, "this length", LENGTH_HINT);
        const size = packedSize(elem);
        if (elem.k !== "error" && size === undefined) {
          this.sink.report("bad_struct_field", ref.elem!.span, [typeName(elem)]);
          return ERROR;
        }
        if (len === undefined || elem.k === "error") return ERROR;
        if (len < 1n || len > BigInt(LIMITS.MAX_BYTES_LEN.value)) {
          this.sink.report("limit", ref.span, [`an array has 1..${LIMITS.MAX_BYTES_LEN.value} elements, not ${len}`]);
          return ERROR;
        }
        const total = Number(len) * size!;
        if (total > LIMITS.MAX_BYTES_LEN.value) {
          this.sink.report("limit", ref.span, [`${typeName({ k: "array", elem, length: Number(len), size: total })} packs to ${total} bytes; values are at most ${LIMITS.MAX_BYTES_LEN.value}`]);
          return ERROR;
        }
        return { k: "array", elem, length: Number(len), size: total };
      }
    }
  }

  /** A map type; in a nested map (`composite`) every key joins one storage key, so keys must have a fixed size. */
  private mapType(ref: A.TypeRef, composite: boolean): Type {
    const key = this.resolveType(ref.key!, false);
    const nested = ref.value!.kind === "map";
    const value = nested ? this.mapType(ref.value!, true) : this.resolveType(ref.value!, false);
    const fixedKey = key.k === "u64" || key.k === "i64" || key.k === "bool" || key.k === "hash" || key.k === "pubkey" || key.k === "sig";
    const keyOk = key.k === "error" || fixedKey || (key.k === "bytes" && !nested && !composite);
    if (!keyOk) this.sink.report("bad_map_key", ref.key!.span, [typeName(key)]);
    return { k: "map", key, value };
  }

  private structType(name: string, at: Span): Type {
    const s = this.structs.get(name)!;
    if (s.type) return s.type;
    if (s.busy) {
      this.sink.report("recursive_type", at, [name]);
      return ERROR;
    }
    s.busy = true;
    // a struct is a file-level declaration, whichever declaration first needs it
    const savedScope = this.constScope;
    this.constScope = undefined;
    const fields: { name: string; type: Type; offset: number }[] = [];
    let offset = 0;
    const seen = new Set<string>();
    let bad = false;
    for (const f of s.decl.fields) {
      if (seen.has(f.name)) this.sink.report("duplicate", f.span, [f.name]);
      seen.add(f.name);
      const t = this.resolveType(f.type, false);
      const size = packedSize(t);
      if (t.k === "error") {
        bad = true;
        continue;
      }
      if (size === undefined) {
        this.sink.report("bad_struct_field", f.type.span, [typeName(t)]);
        bad = true;
        continue;
      }
      fields.push({ name: f.name, type: t, offset });
      offset += size;
    }
    if (offset > LIMITS.MAX_BYTES_LEN.value) {
      this.sink.report("limit", s.decl.span, [`struct \`${name}\` packs to ${offset} bytes; values are at most ${LIMITS.MAX_BYTES_LEN.value}`]);
      bad = true;
    }
    this.constScope = savedScope;
    s.busy = false;
    s.type = bad || fields.length === 0 ? ERROR : { k: "struct", name, fields, size: offset };
    if (!bad && fields.length === 0) this.sink.report("syntax", s.decl.span, [`struct \`${name}\` has no fields`]);
    return s.type;
  }

  // -- constants ---------------------------------------------------------------------------------------
  private constValue(c: ConstInfo): TExpr | undefined {
    if (c.value) return c.value;
    if (c.busy) {
      // a cycle through other constants is named in full, in the order the source refers
      const cycle = this.constStack.slice(this.constStack.indexOf(c));
      const via = cycle.slice(1).map((x) => `\`${x.decl.name}\``);
      const how = via.length > 0 ? `it refers to itself through ${via.join(", then ")}` : "it refers to itself";
      this.sink.report("not_constant", c.decl.span, [`\`${c.decl.name}\` (${how})`]);
      return undefined;
    }
    c.busy = true;
    this.constStack.push(c);
    const saved = this.ctx;
    const savedScope = this.constScope;
    const savedParams = this.signatureParams;
    this.ctx = undefined;
    this.constScope = c.scope;
    this.signatureParams = [];
    const want = c.decl.type ? this.resolveType(c.decl.type, false) : undefined;
    const v = this.coerce(this.expr(c.decl.value, want), want, c.decl.value.span);
    this.ctx = saved;
    this.constScope = savedScope;
    this.signatureParams = savedParams;
    this.constStack.pop();
    c.busy = false;
    if (v.k !== "int" && v.k !== "bytes") {
      if (v.type.k !== "error") this.sink.report("not_constant", c.decl.value.span, [`the value of \`${c.decl.name}\``]);
      // remembered, with the error type, so a constant used again is not evaluated (and reported) again
      c.value = { ...v, type: ERROR };
      return c.value;
    }
    c.value = v;
    return v;
  }

  /**
   * An integer the source must give as a compile-time constant (an array length, the width of `to_bytes`),
   * read in the scope it is written in: a parameter, local or storage field there is found and reported as
   * not constant (`what` names the role), never as a name that does not exist.
   */
  private constInt(e: A.Expr, t: Type, what: string, hint?: string): bigint | undefined {
    const v = this.coerce(this.expr(e, t), t, e.span);
    // an error (an unknown name, a type mismatch) is an error-typed int: reported once, not read as a length
    if (v.k === "int" && v.type.k !== "error") return v.value;
    if (v.type.k !== "error") this.sink.report("not_constant", e.span, [what], hint);
    return undefined;
  }

  // -- errors ------------------------------------------------------------------------------------------
  private errorId(message: string, span: Span): number {
    const known = this.errorByMessage.get(message);
    if (known !== undefined) return known;
    const id = this.errors.length;
    this.errors.push({ id, message, span });
    this.errorByMessage.set(message, id);
    return id;
  }

  /**
   * A `bytes` map key is stored raw after the slot byte, so one longer than MAX_MAP_KEY cannot be stored:
   * one of known length (a constant, a `hash`, a `sig`) is checked here, any other at run time (the
   * error id returned). Hashing only the long keys would let a short key equal to such a hash reach
   * the long key's entry.
   */
  private bytesKeyCheck(key: TExpr, e: A.Expr): number | undefined {
    if (key.type.k === "error") return undefined;
    const known = key.k === "bytes" ? key.value.length : FIXED_BYTES_LEN[key.type.k];
    if (known === undefined) return this.errorId(`map key too long: ${this.sourceText(e)} (a bytes key is at most ${MAX_MAP_KEY} bytes)`, e.span);
    if (known > MAX_MAP_KEY) {
      this.sink.report("limit", e.span, [`a map key is at most ${MAX_MAP_KEY} bytes (the slot byte comes first in a ${LIMITS.MAX_KEY_BYTES.value}-byte storage key); this one is ${known}`]);
    }
    return undefined;
  }

  // -- function bodies ---------------------------------------------------------------------------------
  private checkBody(d: A.FnDecl, info: FuncInfo, inContract: boolean): void {
    this.ctx = { fn: info, scopes: [new Map()], nextLocal: 0, loopDepth: 0, inContract };
    for (const [i, p] of info.params.entries()) {
      // a repeated parameter name was reported with the signature (checkUniqueParams): not again here
      const local = this.declareLocal(p.name, p.type, d.params[i]!.span, true);
      // a view changes nothing, so a malformed argument can only spoil its own answer: no check, no bytes
      if (info.isPub && !info.isView && local) this.entryCheck(info, local, d.params[i]!.span);
    }
    if (info.isInit) this.initGuard(info, d.nameSpan);
    info.body = this.block(d.body, false);
    this.popScopeWarnings(this.ctx.scopes[0]!);
    if (info.returns.k !== "unit" && info.returns.k !== "error" && !this.terminates(d.body.stmts)) {
      this.sink.report("missing_return", d.nameSpan, [d.name]);
    }
    info.locals = Math.max(info.locals, this.ctx.nextLocal);
    this.ctx = undefined;
  }

  /** `init` is an ordinary export to the VM, so the compiler makes it run once: a flag in slot INIT_SLOT. */
  private initGuard(info: FuncInfo, span: Span): void {
    const place: Place = { kind: "storage", field: INIT_FIELD, keys: [], path: [], type: BOOL };
    const ran: TExpr = { k: "read", place, span, type: BOOL };
    const cond: TExpr = { k: "unary", op: "!", operand: ran, span, type: BOOL };
    info.entryChecks.push({ k: "require", span, cond, errorId: this.errorId("init already ran", span) });
    info.entryChecks.push({ k: "assign", span, place, value: { k: "int", value: 1n, span, type: BOOL } });
  }

  /** Public functions check what the VM's type tags cannot: fixed byte lengths and booleans. */
  private entryCheck(info: FuncInfo, local: LocalInfo, span: Span): void {
    const packed = local.type.k === "struct" || local.type.k === "array";
    const len = packed ? packedSize(local.type) : FIXED_BYTES_LEN[local.type.k];
    const read: TExpr = { k: "read", span, type: local.type, place: { kind: "local", index: local.index, type: local.type, baseType: local.type, path: [] } };
    if (len !== undefined) {
      const what = packed ? `${len} bytes (a packed ${typeName(local.type)})` : `a ${len}-byte ${local.type.k}`;
      const id = this.errorId(`argument \`${local.name}\` of \`${info.name}\` must be ${what}`, span);
      const lenE: TExpr = { k: "builtin", name: "len", args: [read], span, type: U64 };
      const cond: TExpr = { k: "binary", op: "==", left: lenE, right: { k: "int", value: BigInt(len), span, type: U64 }, operandType: U64, span, type: BOOL };
      info.entryChecks.push({ k: "require", span, cond, errorId: id });
    } else if (local.type.k === "enum") {
      const n = local.type.variants.length;
      const id = this.errorId(`argument \`${local.name}\` of \`${info.name}\` must be a ${local.type.name} (0..${n - 1})`, span);
      const asInt: TExpr = { ...read, type: U64, place: { ...read.place, type: U64 } } as TExpr;
      const cond: TExpr = { k: "binary", op: "<", left: asInt, right: { k: "int", value: BigInt(n), span, type: U64 }, operandType: U64, span, type: BOOL };
      info.entryChecks.push({ k: "require", span, cond, errorId: id });
    } else if (local.type.k === "bool") {
      const id = this.errorId(`argument \`${local.name}\` of \`${info.name}\` must be 0 or 1 (a bool)`, span);
      const asInt: TExpr = { ...read, type: U64, place: { ...read.place, type: U64 } } as TExpr;
      const cond: TExpr = { k: "binary", op: "<", left: asInt, right: { k: "int", value: 2n, span, type: U64 }, operandType: U64, span, type: BOOL };
      info.entryChecks.push({ k: "require", span, cond, errorId: id });
    }
  }

  private declareLocal(name: string, type: Type, span: Span, duplicateReported = false): LocalInfo | undefined {
    const ctx = this.ctx!;
    if (BUILTINS.has(name)) {
      this.sink.report("shadowed_builtin", span, [name]);
    }
    const scope = ctx.scopes[ctx.scopes.length - 1]!;
    if (scope.has(name) && !duplicateReported) this.sink.report("duplicate", span, [name]);
    const local: LocalInfo = { index: ctx.nextLocal++, type, span, name, used: name.startsWith("_") };
    this.uses.push({ span, kind: "local", name, type, decl: span });
    ctx.fn.locals = Math.max(ctx.fn.locals, ctx.nextLocal);
    if (ctx.nextLocal > LIMITS.MAX_LOCALS.value) {
      this.sink.report("limit", span, [`a function has at most ${LIMITS.MAX_LOCALS.value} locals (parameters included)`]);
    }
    scope.set(name, local);
    return local;
  }

  private popScopeWarnings(scope: Map<string, LocalInfo>): void {
    for (const l of scope.values()) if (!l.used) this.sink.report("unused_variable", l.span, [l.name]);
  }

  private block(b: A.Block, newScope = true): TStmt[] {
    const ctx = this.ctx!;
    const savedNext = ctx.nextLocal;
    if (newScope) ctx.scopes.push(new Map());
    const out: TStmt[] = [];
    let dead = false;
    let warned = false;
    for (const s of b.stmts) {
      if (dead) {
        if (!warned) this.sink.report("unreachable", s.span);
        warned = true;
        // still checked, for its errors, but not compiled
        this.stmt(s);
        continue;
      }
      const t = this.stmt(s);
      if (t) out.push(...t);
      if (this.terminates([s]) || s.kind === "break" || s.kind === "continue") dead = true;
    }
    if (newScope) {
      this.popScopeWarnings(ctx.scopes.pop()!);
      ctx.nextLocal = savedNext;
    }
    return out;
  }

  /** Whether control can never fall past the end of these statements. */
  private terminates(stmts: A.Stmt[]): boolean {
    for (const s of stmts) {
      if (s.kind === "return") return true;
      if (s.kind === "expr" && s.expr.kind === "call" && s.expr.callee.kind === "name" && s.expr.callee.name === "revert") return true;
      if (s.kind === "if" && s.else && this.terminates(s.then.stmts) && this.terminates(s.else.stmts)) return true;
      if (s.kind === "block" && this.terminates(s.block.stmts)) return true;
      if (s.kind === "while" && s.cond.kind === "bool" && s.cond.value && !this.hasBreak(s.body.stmts)) return true;
    }
    return false;
  }

  private hasBreak(stmts: A.Stmt[]): boolean {
    return stmts.some(
      (s) =>
        s.kind === "break" ||
        (s.kind === "if" && (this.hasBreak(s.then.stmts) || (s.else !== undefined && this.hasBreak(s.else.stmts)))) ||
        (s.kind === "block" && this.hasBreak(s.block.stmts)),
    );
  }

  private stmt(s: A.Stmt): TStmt[] | undefined {
    const ctx = this.ctx!;
    switch (s.kind) {
      case "let": {
        const want = s.type ? this.resolveType(s.type, false) : undefined;
        const init = this.coerce(this.expr(s.init, want), want, s.init.span);
        let type = want ?? init.type;
        if (type.k === "unit") {
          this.sink.report("type_mismatch", s.init.span, ["a value", "a call with no result"]);
          type = ERROR;
        }
        if (!want && (type.k === "map" || type.k === "contract")) {
          this.sink.report("not_a_value", s.init.span, [typeName(type)]);
          type = ERROR;
        }
        const local = this.declareLocal(s.name, type, s.nameSpan);
        return local ? [{ k: "let", span: s.span, local: local.index, init }] : undefined;
      }
      case "assign":
        return this.assign(s);
      case "expr":
        return this.exprStmt(s);
      case "if": {
        const cond = this.coerce(this.expr(s.cond, BOOL), BOOL, s.cond.span);
        const then = this.block(s.then);
        const els = s.else ? this.block(s.else) : [];
        if (cond.k === "int") return cond.value !== 0n ? then : els;
        return [{ k: "if", span: s.span, cond, then, else: els }];
      }
      case "while": {
        const cond = this.coerce(this.expr(s.cond, BOOL), BOOL, s.cond.span);
        ctx.loopDepth++;
        const body = this.block(s.body);
        ctx.loopDepth--;
        if (cond.k === "int" && cond.value === 0n) return [];
        return [{ k: "while", span: s.span, cond, body }];
      }
      case "for": {
        let from = this.expr(s.from, undefined);
        const isLit = (e: A.Expr): boolean => e.kind === "int" || (e.kind === "unary" && e.op === "-" && e.operand.kind === "int");
        let to: TExpr;
        if (isLit(s.from) && !isLit(s.to)) {
          to = this.expr(s.to, undefined);
          from = this.coerce(this.expr(s.from, to.type), to.type, s.from.span);
        } else {
          to = this.coerce(this.expr(s.to, from.type), from.type, s.to.span);
        }
        const t = from.type;
        if (t.k !== "error" && !isIntegral(t)) this.sink.report("type_mismatch", s.from.span, ["u64 or i64", typeName(t)]);
        ctx.scopes.push(new Map());
        const savedNext = ctx.nextLocal;
        const endLocal = ctx.nextLocal++;
        const v = this.declareLocal(s.name, t, s.nameSpan)!;
        v.used = true;
        ctx.loopDepth++;
        const body = this.block(s.body);
        ctx.loopDepth--;
        ctx.scopes.pop();
        ctx.nextLocal = savedNext;
        return [{ k: "for", span: s.span, local: v.index, endLocal, from, to, signed: t.k === "i64", body }];
      }
      case "break":
      case "continue":
        if (ctx.loopDepth === 0) {
          this.sink.report("loop_control_outside_loop", s.span, [s.kind]);
          return undefined;
        }
        return [{ k: s.kind, span: s.span }];
      case "return": {
        const want = ctx.fn.returns;
        if (s.value) {
          if (want.k === "unit") {
            this.sink.report("bad_return", s.value.span, [`\`${ctx.fn.name}\` has no return type, so it cannot return a value`]);
            this.expr(s.value, undefined);
            return undefined;
          }
          return [{ k: "return", span: s.span, value: this.coerce(this.expr(s.value, want), want, s.value.span) }];
        }
        if (want.k !== "unit" && want.k !== "error") {
          this.sink.report("bad_return", s.span, [`\`${ctx.fn.name}\` returns ${typeName(want)}; write \`return value;\``]);
        }
        return [{ k: "return", span: s.span }];
      }
      case "emit":
        return this.emit(s);
      case "block":
        return this.block(s.block);
    }
  }

  private emit(s: Extract<A.Stmt, { kind: "emit" }>): TStmt[] | undefined {
    const ctx = this.ctx!;
    if (!ctx.inContract) {
      this.sink.report("storage_outside_contract", s.span, ["emit"]);
      s.args.forEach((a) => this.expr(a, undefined));
      return undefined;
    }
    const ev = this.events.get(s.event);
    if (ev) this.uses.push({ span: s.eventSpan, kind: "event", name: ev.name, decl: ev.span, params: ev.fields });
    if (!ev) {
      this.sink.report("unknown_event", s.eventSpan, [s.event], didYouMean(s.event, [...this.events.keys()]));
      s.args.forEach((a) => this.expr(a, undefined));
      return undefined;
    }
    if (s.args.length !== ev.fields.length) {
      this.sink.report("arity", s.span, [`event \`${ev.name}\``, ev.fields.length, s.args.length]);
    }
    const args = s.args.map((a, i) => {
      const want = ev.fields[i]?.type;
      return this.coerce(this.expr(a, want), want, a.span);
    });
    ctx.fn.effects.push({ span: s.span, what: `emits \`${ev.name}\`` });
    return [{ k: "emit", span: s.span, topic: ev.topic, args }];
  }

  private exprStmt(s: Extract<A.Stmt, { kind: "expr" }>): TStmt[] | undefined {
    const e = s.expr;
    if (e.kind === "call" && e.callee.kind === "name" && (e.callee.name === "require" || e.callee.name === "assert" || e.callee.name === "revert")) {
      if (!this.lookupLocal(e.callee.name)) {
        this.uses.push({ span: e.callee.span, kind: "builtin", name: e.callee.name });
        return this.checkRequire(e, e.callee.name);
      }
    }
    if (e.kind !== "call") {
      if (e.kind !== "error") this.sink.report("not_a_statement", e.span);
      return undefined;
    }
    const t = this.expr(e, undefined);
    return [{ k: "expr", span: s.span, expr: t }];
  }

  private checkRequire(e: A.ExprOf<"call">, which: "require" | "assert" | "revert"): TStmt[] | undefined {
    const args = e.args;
    const msgArg = (a: A.Expr): string | undefined => {
      if (a.kind !== "string") {
        this.sink.report("type_mismatch", a.span, ["a string literal message", "an expression"]);
        return undefined;
      }
      return a.value;
    };
    // the arguments of a call of the wrong arity are still checked, for their errors and the names they use
    const checkArgs = (): undefined => {
      for (const a of args) if (a.kind !== "string") this.expr(a, undefined);
      return undefined;
    };
    if (which === "revert") {
      if (args.length !== 1) {
        this.sink.report("arity", e.span, ["`revert`", 1, args.length]);
        return checkArgs();
      }
      const m = msgArg(args[0]!);
      return m === undefined ? undefined : [{ k: "revert", span: e.span, errorId: this.errorId(m, e.span) }];
    }
    const min = which === "require" ? 2 : 1;
    if (args.length < min || args.length > 2) {
      this.sink.report("arity", e.span, [`\`${which}\``, which === "require" ? 2 : "1 or 2", args.length]);
      return checkArgs();
    }
    const cond = this.coerce(this.expr(args[0]!, BOOL), BOOL, args[0]!.span);
    let message: string | undefined;
    if (args[1]) message = msgArg(args[1]);
    else message = `assertion failed: ${this.sourceText(args[0]!)}`;
    if (message === undefined) return undefined;
    const errorId = this.errorId(message, e.span);
    if (cond.k === "int" && cond.value === 1n) return [];
    if (cond.k === "int" && cond.value === 0n) return [{ k: "revert", span: e.span, errorId }];
    return [{ k: "require", span: e.span, cond, errorId }];
  }

  /** The source text of an expression, for messages (reconstructed from the AST, whitespace normalised). */
  private sourceText(e: A.Expr): string {
    switch (e.kind) {
      case "int":
      case "fixedLit":
      case "hex":
        return e.text;
      case "string":
        return JSON.stringify(e.value);
      case "bool":
        return String(e.value);
      case "name":
      case "typeName":
        return e.name;
      case "unary":
        return `${e.op}${this.sourceText(e.operand)}`;
      case "binary":
        return `${this.sourceText(e.left)} ${e.op} ${this.sourceText(e.right)}`;
      case "call":
        return `${this.sourceText(e.callee)}(${e.args.map((a) => this.sourceText(a)).join(", ")})`;
      case "index":
        return `${this.sourceText(e.target)}[${this.sourceText(e.index)}]`;
      case "field":
        return `${this.sourceText(e.target)}.${e.field}`;
      case "structLit":
        return `${e.name} { … }`;
      case "arrayLit":
        return `[${e.elems.map((a) => this.sourceText(a)).join(", ")}]`;
      case "arrayRepeat":
        return `[${this.sourceText(e.value)}; ${this.sourceText(e.count)}]`;
      case "error":
        return "…";
    }
  }

  private assign(s: Extract<A.Stmt, { kind: "assign" }>): TStmt[] | undefined {
    const target = this.place(s.target, true);
    if (!target) {
      this.expr(s.value, undefined);
      return undefined;
    }
    if (target.kind === "value") {
      this.sink.report("bad_assignment", s.target.span, [this.describe(s.target)]);
      this.expr(s.value, undefined);
      return undefined;
    }
    if (target.kind === "storage" && target.foreignId) {
      this.sink.report("foreign_write", s.target.span, [this.foreignName(s.target)]);
      this.expr(s.value, undefined);
      return undefined;
    }
    if (target.type.k === "map") {
      this.sink.report("bad_assignment", s.target.span, [`map \`${this.sourceText(s.target)}\` (assign its entries)`]);
      this.expr(s.value, undefined);
      return undefined;
    }
    if (target.kind === "storage") this.ctx!.fn.effects.push({ span: s.target.span, what: `writes storage \`${target.field.name}\`` });
    if (s.op === "=") {
      const value = this.coerce(this.expr(s.value, target.type), target.type, s.value.span);
      return [{ k: "assign", span: s.span, place: target, value }];
    }
    const op = s.op.slice(0, -1);
    const shift = op === "<<" || op === ">>";
    const bitwise = op === "&" || op === "|" || op === "^";
    const fits = shift ? isIntegral(target.type) : bitwise ? isIntegral(target.type) || target.type.k === "bool" : isNumeric(target.type);
    if (!fits) {
      if (target.type.k !== "error") this.sink.report("bad_operator", s.span, [s.op, typeName(target.type)]);
      return undefined;
    }
    // a shift amount is a u64 whatever the type shifted, as in `a << n`
    const valueType = shift ? U64 : target.type;
    const value = this.coerce(this.expr(s.value, valueType), valueType, s.value.span);
    return [{ k: "compound", span: s.span, place: target, op, value, operandType: target.type }];
  }

  private foreignName(e: A.Expr): string {
    let cur = e;
    while (cur.kind === "field" || cur.kind === "index") cur = cur.target;
    return cur.kind === "call" && cur.callee.kind === "name" ? `\`${cur.callee.name}\`` : "another contract";
  }

  private describe(e: A.Expr): string {
    if (e.kind === "call") return "the result of a call";
    if (e.kind === "name") return `\`${e.name}\``;
    return `\`${this.sourceText(e)}\``;
  }

  // -- places --------------------------------------------------------------------------------------------
  /** Every value name visible here, for hints. */
  private namesInScope(): string[] {
    const names: string[] = [...this.globalConsts.keys()];
    if (this.ctx) for (const sc of this.ctx.scopes) names.push(...sc.keys());
    if (this.ctx?.inContract) names.push(...this.contractConsts.keys(), ...(this.ownLayout?.storage.keys() ?? []));
    else if (!this.ctx && this.constScope) names.push(...this.constScope.keys(), ...(this.constScope === this.contractConsts ? this.ownLayout?.storage.keys() ?? [] : []));
    return names;
  }

  /**
   * Whether the contract whose declarations are read outside any function body (the compiled one, or an imported
   * or `extern` one for its storage types) has a member of this kind and name, collected or not yet. Never in a
   * function body, nor in a file-level declaration: there `constScope` is unset.
   */
  private isMember(name: string, kind: "storage" | "fn" | "event"): boolean {
    const owner = this.constScope === this.contractConsts ? this.main : this.foreignOwners.get(this.constScope);
    return owner !== undefined && owner.members.some((m) => m.kind === kind && m.name === name);
  }

  private lookupLocal(name: string): LocalInfo | undefined {
    const ctx = this.ctx;
    if (!ctx) return undefined;
    for (let i = ctx.scopes.length - 1; i >= 0; i--) {
      const l = ctx.scopes[i]!.get(name);
      if (l) return l;
    }
    return undefined;
  }

  /**
   * Resolves an lvalue-shaped expression (name, field, index, `Contract(id)`) to a place, or returns
   * undefined after reporting. Other expressions become `value` places.
   */
  private place(e: A.Expr, forWrite: boolean): Place | undefined {
    switch (e.kind) {
      case "name": {
        const local = this.lookupLocal(e.name);
        if (local) {
          this.uses.push({ span: e.span, kind: "local", name: e.name, type: local.type, decl: local.span });
          if (!forWrite) local.used = true;
          return { kind: "local", index: local.index, type: local.type, baseType: local.type, path: [] };
        }
        const ctx = this.ctx;
        const consts = ctx ? (ctx.inContract ? this.contractConsts : undefined) : this.constScope;
        if (consts) {
          const c = consts.get(e.name);
          if (c) return this.constPlace(c, e, forWrite);
        }
        if (consts && consts === this.contractConsts) {
          const f = this.ownLayout?.storage.get(e.name);
          if (f) {
            this.uses.push({ span: e.span, kind: "storage", name: e.name, type: f.type, decl: f.span });
            return { kind: "storage", field: f, keys: [], path: [], type: f.type };
          }
        } else if (ctx && this.ownLayout?.storage.has(e.name)) {
          this.sink.report("storage_outside_contract", e.span, [e.name]);
          return undefined;
        }
        // a storage type being read (`storage b: [u64; a];`, in this contract or an imported or `extern` one) sees
        // that contract's fields by name only: none has a value yet
        if (this.isMember(e.name, "storage")) {
          this.sink.report("not_constant", e.span, [`storage field \`${e.name}\``], "a storage field is known only at run time; use a `const` here");
          return undefined;
        }
        const g = this.globalConsts.get(e.name);
        if (g) return this.constPlace(g, e, forWrite);
        if (this.contractFns.has(e.name) || this.freeFns.has(e.name) || BUILTINS.has(e.name) || this.isMember(e.name, "fn")) {
          this.sink.report("not_a_value", e.span, [`function \`${e.name}\``]);
          return undefined;
        }
        if (this.layouts.has(e.name) || this.structs.has(e.name) || this.enums.has(e.name) || this.events.has(e.name) || this.isMember(e.name, "event")) {
          this.sink.report("not_a_value", e.span, [`\`${e.name}\``]);
          return undefined;
        }
        if (!ctx && this.signatureParams.some((p) => p.name === e.name)) {
          this.sink.report("not_constant", e.span, [`parameter \`${e.name}\``], "a parameter is known only at run time; use a `const` here");
          return undefined;
        }
        // a contract's constant read from a file-level declaration (a struct, a free function, a file-level const);
        // inside the contract it was found above
        const owner = this.contractConsts.get(e.name);
        const hint = owner
          ? `\`${e.name}\` is a constant of contract \`${this.main!.name}\`, seen only inside it; to use it here, declare it at the top level of the file`
          : didYouMean(e.name, this.namesInScope());
        this.sink.report("unknown_name", e.span, [e.name], hint);
        return undefined;
      }
      case "field": {
        // `Name.Variant` of an enum (unless a local of that name hides the enum)
        const en = e.target.kind === "name" && !this.lookupLocal(e.target.name) ? this.enums.get(e.target.name) : undefined;
        if (en) {
          const i = en.variants.indexOf(e.field);
          this.uses.push({ span: e.target.span, kind: "enum", name: en.name, type: en, decl: this.enumDecls.get(en.name)?.span });
          if (i < 0) {
            this.sink.report("unknown_field", e.fieldSpan, [`enum \`${en.name}\``, e.field], didYouMean(e.field, en.variants));
            return undefined;
          }
          const variant = this.enumDecls.get(en.name)?.variants[i];
          this.uses.push({ span: e.fieldSpan, kind: "variant", name: `${en.name}.${e.field}`, type: en, decl: variant?.span });
          return { kind: "value", value: { k: "int", value: BigInt(i), span: e.span, type: en }, path: [], type: en };
        }
        // writing a field reads the rest of its base: the base itself is read, not overwritten
        const base = this.place(e.target, false);
        if (!base) return undefined;
        if (base.type.k === "contract") {
          const layout = this.layouts.get(base.type.name)!;
          const f = layout.storage.get(e.field);
          if (!f) {
            this.sink.report("unknown_field", e.fieldSpan, [`contract \`${layout.name}\``, e.field], didYouMean(e.field, [...layout.storage.keys()]));
            return undefined;
          }
          this.uses.push({ span: e.fieldSpan, kind: "storage", name: `${layout.name}.${f.name}`, type: f.type, decl: f.span });
          const id = base.kind === "value" ? base.value : undefined;
          if (!id) return undefined;
          return { kind: "storage", field: f, keys: [], foreignId: id, path: [], type: f.type };
        }
        if (base.type.k !== "struct") {
          if (base.type.k !== "error") this.sink.report("unknown_field", e.fieldSpan, [typeName(base.type), e.field]);
          return undefined;
        }
        const f = base.type.fields.find((x) => x.name === e.field);
        if (!f) {
          this.sink.report("unknown_field", e.fieldSpan, [`struct \`${base.type.name}\``, e.field], didYouMean(e.field, base.type.fields.map((x) => x.name)));
          return undefined;
        }
        this.uses.push({ span: e.fieldSpan, kind: "field", name: `${base.type.name}.${f.name}`, type: f.type, decl: this.fieldDecl(base.type.name, f.name) });
        return { ...base, path: [...base.path, { kind: "field", offset: f.offset, type: f.type }], type: f.type } as Place;
      }
      case "index": {
        const base = this.place(e.target, false);
        if (!base) {
          this.expr(e.index, undefined);
          return undefined;
        }
        const t = base.type;
        if (t.k === "map" && base.kind === "storage") {
          const key = this.coerce(this.expr(e.index, t.key), t.key, e.index.span);
          const keyErrorId = t.key.k === "bytes" ? this.bytesKeyCheck(key, e) : undefined;
          return { ...base, keys: [...base.keys, key], ...(keyErrorId !== undefined ? { keyErrorId } : {}), type: t.value };
        }
        if (t.k === "array") {
          const index = this.coerce(this.expr(e.index, U64), U64, e.index.span);
          if (index.k === "int" && index.value >= BigInt(t.length)) {
            this.sink.report("index_out_of_range", e.index.span, [String(index.value), typeName(t)]);
            return undefined;
          }
          const errorId = index.k === "int" ? -1 : this.errorId(`index out of bounds: ${this.sourceText(e)} (length ${t.length})`, e.span);
          const step: PathStep = { kind: "elem", index, elemType: t.elem, length: t.length, errorId };
          return { ...base, path: [...base.path, step], type: t.elem } as Place;
        }
        if (isByteString(t)) {
          const b = this.readPlace(base, e.target.span);
          const index = this.coerce(this.expr(e.index, U64), U64, e.index.span);
          return { kind: "value", value: { k: "binary", op: "bget", left: b, right: index, operandType: U64, span: e.span, type: U64 }, path: [], type: U64 };
        }
        if (t.k !== "error") this.sink.report("not_indexable", e.target.span, [typeName(t)]);
        this.expr(e.index, undefined);
        return undefined;
      }
      case "call": {
        if (e.callee.kind === "name" && this.layouts.has(e.callee.name) && !this.lookupLocal(e.callee.name)) {
          const layout = this.layouts.get(e.callee.name)!;
          if (e.args.length !== 1) {
            this.sink.report("arity", e.span, [`contract reference \`${layout.name}(id)\``, 1, e.args.length]);
            return undefined;
          }
          const id = this.coerce(this.expr(e.args[0]!, HASH), HASH, e.args[0]!.span);
          return { kind: "value", value: id, path: [], type: { k: "contract", name: layout.name } };
        }
        const v = this.expr(e, undefined);
        return { kind: "value", value: v, path: [], type: v.type };
      }
      default: {
        const v = this.expr(e, undefined);
        return { kind: "value", value: v, path: [], type: v.type };
      }
    }
  }

  /** Where a struct's field is declared, for NameUse. */
  private fieldDecl(struct: string, field: string): Span | undefined {
    return this.structs.get(struct)?.decl.fields.find((f) => f.name === field)?.span;
  }

  private constPlace(c: ConstInfo, e: A.Expr, forWrite: boolean): Place | undefined {
    const use: NameUse = { span: e.span, kind: "const", name: c.decl.name, decl: c.decl.span };
    this.uses.push(use);
    if (forWrite) {
      this.sink.report("bad_assignment", e.span, [`constant \`${c.decl.name}\``]);
      return undefined;
    }
    const v = this.constValue(c);
    if (!v) return { kind: "value", value: { k: "int", value: 0n, span: e.span, type: ERROR }, path: [], type: ERROR };
    use.type = v.type;
    return { kind: "value", value: { ...v, span: e.span }, path: [], type: v.type };
  }


  private readPlace(p: Place, span: Span): TExpr {
    if (p.kind === "value" && p.path.length === 0) return p.value;
    if (p.type.k === "map") {
      this.sink.report("not_a_value", span, [`map \`${p.kind === "storage" ? p.field.name : "?"}\` (read it by key)`]);
      return { k: "int", value: 0n, span, type: ERROR };
    }
    if (p.type.k === "contract") {
      this.sink.report("not_a_value", span, [`contract reference \`${p.type.name}(…)\` (read one of its storage fields)`]);
      return { k: "int", value: 0n, span, type: ERROR };
    }
    return { k: "read", place: p, span, type: p.type };
  }

  // -- expressions ------------------------------------------------------------------------------------------
  /** Reports a mismatch when `e` cannot be used as `want`; returns `e` (hex literals re-typed). */
  private coerce(e: TExpr, want: Type | undefined, span: Span): TExpr {
    if (!want || e.type.k === "error" || want.k === "error") return e;
    if (assignable(e.type, want)) return e;
    if (e.type.k === "unit") {
      this.sink.report("type_mismatch", span, [typeName(want), "a call with no result"]);
      return { ...e, type: ERROR } as TExpr;
    }
    this.sink.report("type_mismatch", span, [typeName(want), typeName(e.type)], this.conversionHint(e.type, want));
    return { ...e, type: ERROR } as TExpr;
  }

  private conversionHint(from: Type, to: Type): string | undefined {
    if (isNumeric(from) && isNumeric(to)) return `convert explicitly: \`${to.k}(…)\``;
    if (from.k === "bytes" && FIXED_BYTES_LEN[to.k] !== undefined) return `convert with a length check: \`${to.k}(…)\``;
    return undefined;
  }

  private isUntypedLiteral(e: A.Expr): boolean {
    if (e.kind === "int" || e.kind === "hex") return true;
    if (e.kind === "unary" && (e.op === "-" || e.op === "~")) return this.isUntypedLiteral(e.operand);
    if (e.kind === "binary" && !["==", "!=", "<", "<=", ">", ">=", "&&", "||"].includes(e.op)) {
      return this.isUntypedLiteral(e.left) && this.isUntypedLiteral(e.right);
    }
    return false;
  }

  private intConst(value: bigint, type: Type, span: Span): TExpr {
    return { k: "int", value, span, type };
  }

  /** Checks an expression; `want` is the type the context expects (literals take it), not a requirement. */
  expr(e: A.Expr, want: Type | undefined): TExpr {
    const span = e.span;
    const err = (): TExpr => ({ k: "int", value: 0n, span, type: ERROR });
    switch (e.kind) {
      case "error":
        return err();
      case "int": {
        const v = parseIntLiteral(e.text);
        if (v === undefined) {
          this.sink.report("syntax", span, [`invalid integer literal \`${e.text}\``]);
          return err();
        }
        const t = want && isNumeric(want) ? want : U64;
        const value = t.k === "fixed" ? v << 16n : v;
        if (!inRange(value, t)) {
          this.sink.report(t.k === "fixed" ? "bad_fixed" : "int_too_large", span, t.k === "fixed" ? [e.text, "is out of range"] : [e.text, t.k]);
          return err();
        }
        return this.intConst(value, t, span);
      }
      case "fixedLit": {
        const v = parseFixedLiteral(e.text);
        if (v === undefined) {
          this.sink.report("bad_fixed", span, [e.text, "is out of range (Q47.16 holds about ±1.4e14)"]);
          return err();
        }
        return this.intConst(v, FIXED, span);
      }
      case "hex": {
        const digits = e.text.slice(2).replace(/_/g, "");
        if (!/^[0-9a-fA-F]*$/.test(digits)) {
          this.sink.report("bad_hex", span, [e.text, "not a hex digit"]);
          return err();
        }
        if (digits.length === 0 || digits.length % 2 !== 0) {
          this.sink.report("bad_hex", span, [e.text, digits.length === 0 ? "no digits" : "odd number of digits"]);
          return err();
        }
        const bytes = Uint8Array.from(digits.match(/../g)!.map((h) => parseInt(h, 16)));
        if (bytes.length > LIMITS.MAX_BYTES_LEN.value) {
          this.sink.report("limit", span, [`a byte string is at most ${LIMITS.MAX_BYTES_LEN.value} bytes`]);
          return err();
        }
        let type: Type = BYTES;
        const need = want ? FIXED_BYTES_LEN[want.k] : undefined;
        if (want && need !== undefined) {
          if (bytes.length !== need) {
            this.sink.report("bytes_length", span, [want.k, need, bytes.length]);
            return err();
          }
          type = want;
        }
        return { k: "bytes", value: bytes, span, type };
      }
      case "string":
        this.sink.report("string_not_allowed", span);
        return err();
      case "bool":
        return this.intConst(e.value ? 1n : 0n, BOOL, span);
      case "typeName":
        this.sink.report("not_a_value", span, [`type \`${e.name}\``]);
        return err();
      case "unary":
        return this.unary(e, want);
      case "binary":
        return this.binary(e, want);
      case "call":
        return this.call(e, want);
      case "name":
      case "field":
      case "index": {
        const p = this.place(e, false);
        if (!p) return err();
        return this.readPlace(p, span);
      }
      case "structLit":
        return this.structLit(e);
      case "arrayLit": {
        const elemWant = want?.k === "array" ? want.elem : undefined;
        const first = this.expr(e.elems[0]!, elemWant);
        const elemType = elemWant ?? first.type;
        const parts = [this.coerce(first, elemType, e.elems[0]!.span), ...e.elems.slice(1).map((x) => this.coerce(this.expr(x, elemType), elemType, x.span))];
        return this.arrayOf(elemType, parts, span);
      }
      case "arrayRepeat": {
        const elemWant = want?.k === "array" ? want.elem : undefined;
        const value = this.expr(e.value, elemWant);
        const count = this.constInt(e.count, U64, "this length", LENGTH_HINT);
        if (count === undefined || value.type.k === "error") return err();
        const size = packedSize(value.type);
        if (size === undefined) {
          this.sink.report("bad_struct_field", e.value.span, [typeName(value.type)]);
          return err();
        }
        if (count < 1n || count * BigInt(size) > BigInt(LIMITS.MAX_BYTES_LEN.value)) {
          this.sink.report("limit", span, [`an array packs to at most ${LIMITS.MAX_BYTES_LEN.value} bytes`]);
          return err();
        }
        const type: Type = { k: "array", elem: value.type, length: Number(count), size: Number(count) * size };
        return { k: "repeat", value, count: Number(count), span, type };
      }
    }
  }

  private arrayOf(elemType: Type, parts: TExpr[], span: Span): TExpr {
    const size = packedSize(elemType);
    if (elemType.k === "error") return { k: "int", value: 0n, span, type: ERROR };
    if (size === undefined) {
      this.sink.report("bad_struct_field", span, [typeName(elemType)]);
      return { k: "int", value: 0n, span, type: ERROR };
    }
    if (parts.length * size > LIMITS.MAX_BYTES_LEN.value) {
      this.sink.report("limit", span, [`an array packs to at most ${LIMITS.MAX_BYTES_LEN.value} bytes`]);
      return { k: "int", value: 0n, span, type: ERROR };
    }
    return { k: "pack", parts, span, type: { k: "array", elem: elemType, length: parts.length, size: parts.length * size } };
  }

  private structLit(e: A.ExprOf<"structLit">): TExpr {
    const span = e.span;
    const s = this.structs.get(e.name);
    if (!s) {
      this.sink.report("unknown_type", e.nameSpan, [e.name], didYouMean(e.name, [...this.structs.keys()]));
      e.fields.forEach((f) => this.expr(f.value, undefined));
      return { k: "int", value: 0n, span, type: ERROR };
    }
    const type = this.structType(e.name, e.nameSpan);
    if (type.k !== "struct") return { k: "int", value: 0n, span, type: ERROR };
    this.uses.push({ span: e.nameSpan, kind: "struct", name: e.name, type, decl: s.decl.span });
    for (const f of e.fields) {
      const t = type.fields.find((x) => x.name === f.name);
      if (t) this.uses.push({ span: { ...f.span, endLine: f.span.line, endCol: f.span.col + f.name.length }, kind: "field", name: `${type.name}.${f.name}`, type: t.type, decl: this.fieldDecl(type.name, f.name) });
    }
    const given = new Map<string, A.ExprOf<"structLit">["fields"][number]>();
    for (const f of e.fields) {
      if (given.has(f.name)) this.sink.report("duplicate", f.span, [f.name]);
      if (!type.fields.some((x) => x.name === f.name)) {
        this.sink.report("unknown_field", f.span, [`struct \`${type.name}\``, f.name], didYouMean(f.name, type.fields.map((x) => x.name)));
        this.expr(f.value, undefined);
      }
      given.set(f.name, f);
    }
    const parts: TExpr[] = [];
    let bad = false;
    for (const f of type.fields) {
      const g = given.get(f.name);
      if (!g) {
        this.sink.report("syntax", e.nameSpan, [`missing field \`${f.name}\` in \`${type.name} { … }\``]);
        bad = true;
        continue;
      }
      parts.push(this.coerce(this.expr(g.value, f.type), f.type, g.value.span));
    }
    if (bad) return { k: "int", value: 0n, span, type: ERROR };
    return { k: "pack", parts, span, type };
  }

  private unary(e: A.ExprOf<"unary">, want: Type | undefined): TExpr {
    const span = e.span;
    if (e.op === "-" && e.operand.kind === "int") {
      const v = parseIntLiteral(e.operand.text);
      const t = want && (want.k === "i64" || want.k === "fixed") ? want : I64;
      if (v === undefined) {
        this.sink.report("syntax", e.operand.span, [`invalid integer literal \`${e.operand.text}\``]);
        return { k: "int", value: 0n, span, type: ERROR };
      }
      const value = t.k === "fixed" ? -(v << 16n) : -v;
      if (!inRange(value, t)) {
        this.sink.report("int_too_large", span, [`-${e.operand.text}`, t.k]);
        return { k: "int", value: 0n, span, type: ERROR };
      }
      return this.intConst(value, t, span);
    }
    if (e.op === "-" && e.operand.kind === "fixedLit") {
      const v = parseFixedLiteral(e.operand.text, true);
      if (v === undefined) {
        this.sink.report("bad_fixed", span, [`-${e.operand.text}`, "is out of range"]);
        return { k: "int", value: 0n, span, type: ERROR };
      }
      return this.intConst(v, FIXED, span);
    }
    const operand = this.expr(e.operand, e.op === "!" ? BOOL : want);
    const t = operand.type;
    if (t.k === "error") return operand;
    const ok = e.op === "-" ? t.k === "i64" || t.k === "fixed" : e.op === "!" ? t.k === "bool" : isIntegral(t);
    if (!ok) {
      this.sink.report("bad_operator", e.span, [e.op, typeName(t)], e.op === "-" && t.k === "u64" ? "u64 has no negative values; convert with i64(…)" : undefined);
      return { k: "int", value: 0n, span, type: ERROR };
    }
    if (operand.k === "int") {
      const r = foldUnary(e.op, t, operand.value);
      if ("error" in r) {
        this.sink.report("const_overflow", span, [r.error]);
        return { k: "int", value: 0n, span, type: ERROR };
      }
      return this.intConst(r.value, t, span);
    }
    return { k: "unary", op: e.op, operand, span, type: t };
  }

  private pair(l: A.Expr, r: A.Expr, want: Type | undefined): [TExpr, TExpr] {
    if (this.isUntypedLiteral(l) && !this.isUntypedLiteral(r)) {
      const right = this.expr(r, want);
      return [this.expr(l, right.type.k === "error" ? want : right.type), right];
    }
    const left = this.expr(l, want);
    return [left, this.expr(r, left.type.k === "error" ? want : left.type)];
  }

  private binary(e: A.ExprOf<"binary">, want: Type | undefined): TExpr {
    const span = e.span;
    const bad = (): TExpr => ({ k: "int", value: 0n, span, type: ERROR });
    if (e.op === "&&" || e.op === "||") {
      const left = this.coerce(this.expr(e.left, BOOL), BOOL, e.left.span);
      const right = this.coerce(this.expr(e.right, BOOL), BOOL, e.right.span);
      if (left.k === "int" && right.k === "int") {
        const v = e.op === "&&" ? left.value & right.value : left.value | right.value;
        return this.intConst(v, BOOL, span);
      }
      if (left.k === "int") {
        // `true && x` is x, `false || x` is x; the other two are constant and x has no side effect worth keeping only if pure
        if ((e.op === "&&" && left.value === 1n) || (e.op === "||" && left.value === 0n)) return right;
        return this.intConst(left.value, BOOL, span);
      }
      return { k: "logical", op: e.op, left, right, span, type: BOOL };
    }
    const cmp = ["==", "!=", "<", "<=", ">", ">="].includes(e.op);
    if (e.op === "<<" || e.op === ">>") {
      const left = this.expr(e.left, want);
      const right = this.coerce(this.expr(e.right, U64), U64, e.right.span);
      const t = left.type;
      if (t.k === "error" || right.type.k === "error") return bad();
      if (!isIntegral(t)) {
        this.sink.report("bad_operator", e.opSpan, [e.op, typeName(t)]);
        return bad();
      }
      return this.fold(e.op, left, right, t, t, span);
    }
    const [left, right] = this.pair(e.left, e.right, cmp ? undefined : want);
    const t = left.type;
    if (t.k === "error" || right.type.k === "error") return bad();
    let opType: Type = t;
    if (!sameType(t, right.type)) {
      if (isByteString(t) && isByteString(right.type) && (e.op === "==" || e.op === "!=")) {
        opType = BYTES;
      } else {
        this.sink.report("type_mismatch", e.right.span, [typeName(t), typeName(right.type)], this.conversionHint(right.type, t));
        return bad();
      }
    }
    const valid = (() => {
      if (e.op === "==" || e.op === "!=") return isValueType(opType);
      if (cmp) return isNumeric(opType);
      if (["+", "-", "*", "/", "%"].includes(e.op)) return isNumeric(opType);
      if (["&", "|", "^"].includes(e.op)) return isIntegral(opType) || opType.k === "bool";
      return false;
    })();
    if (!valid) {
      this.sink.report("bad_operator", e.opSpan, [e.op, typeName(opType)]);
      return bad();
    }
    return this.fold(e.op, left, right, opType, cmp ? BOOL : opType, span);
  }

  private fold(op: string, left: TExpr, right: TExpr, operandType: Type, resultType: Type, span: Span): TExpr {
    if (left.k === "int" && right.k === "int") {
      const r = foldBinary(op, operandType, left.value, right.value);
      if ("error" in r) {
        this.sink.report("const_overflow", span, [r.error]);
        return { k: "int", value: 0n, span, type: ERROR };
      }
      return this.intConst(r.value, resultType, span);
    }
    if (left.k === "bytes" && right.k === "bytes" && (op === "==" || op === "!=")) {
      const eq = left.value.length === right.value.length && left.value.every((b, i) => b === right.value[i]);
      return this.intConst((op === "==") === eq ? 1n : 0n, BOOL, span);
    }
    return { k: "binary", op, left, right, operandType, span, type: resultType };
  }

  private call(e: A.ExprOf<"call">, want: Type | undefined): TExpr {
    const span = e.span;
    const bad = (): TExpr => ({ k: "int", value: 0n, span, type: ERROR });
    const skipArgs = (): TExpr => {
      e.args.forEach((a) => this.expr(a, undefined));
      return bad();
    };
    if (e.callee.kind === "typeName") return this.convert(e, e.callee.name);
    if (e.callee.kind !== "name") {
      this.sink.report("bad_call_target", e.callee.span, [this.describe(e.callee)]);
      return skipArgs();
    }
    const name = e.callee.name;
    if (this.lookupLocal(name)) {
      this.sink.report("bad_call_target", e.callee.span, [`local \`${name}\``]);
      return skipArgs();
    }
    if (BUILTINS.has(name)) {
      this.uses.push({ span: e.callee.span, kind: "builtin", name });
      return this.builtin(e, name, want);
    }
    const ctx = this.ctx;
    // a contract's own constants see its functions too (to be told a call is no constant, not that it is unknown)
    const inContract = ctx ? ctx.inContract : this.constScope === this.contractConsts;
    const target = (inContract ? this.contractFns.get(name) : undefined) ?? this.freeFns.get(name);
    if (target) {
      const f = target.info;
      this.uses.push({ span: e.callee.span, kind: "function", name, type: f.returns, decl: target.decl.nameSpan, params: f.params });
      if (!ctx) {
        this.sink.report("not_constant", span, [`a call to \`${name}\``]);
        return skipArgs();
      }
      if (f.isInit) {
        this.sink.report("bad_call_target", e.callee.span, ["`init` (it runs once, on deploy)"]);
        return skipArgs();
      }
      if (e.args.length !== f.params.length) {
        this.sink.report("arity", span, [`\`${name}\``, f.params.length, e.args.length]);
        return skipArgs();
      }
      const args = e.args.map((a, i) => this.coerce(this.expr(a, f.params[i]!.type), f.params[i]!.type, a.span));
      ctx.fn.calls.push({ func: f, span });
      return { k: "call", func: f, args, span, type: f.returns };
    }
    if (this.layouts.has(name)) {
      this.sink.report("not_a_value", span, [`contract reference \`${name}(…)\` (read one of its storage fields)`]);
      return skipArgs();
    }
    // a storage type (`[u64; f()]`) is read before the contract's functions are collected: `f` exists all the same
    if (this.isMember(name, "fn")) {
      this.sink.report("not_constant", span, [`a call to \`${name}\``]);
      return skipArgs();
    }
    this.sink.report("unknown_function", e.callee.span, [name], didYouMean(name, [...BUILTINS, ...this.freeFns.keys(), ...(inContract ? this.contractFns.keys() : [])]));
    return skipArgs();
  }

  private convert(e: A.ExprOf<"call">, to: string): TExpr {
    const span = e.span;
    const target = BUILTIN_TYPES[to]!;
    if (e.args.length !== 1) {
      this.sink.report("arity", span, [`\`${to}(…)\``, 1, e.args.length]);
      e.args.forEach((a) => this.expr(a, undefined));
      return { k: "int", value: 0n, span, type: ERROR };
    }
    const argE = e.args[0]!;
    const arg = this.expr(argE, this.isUntypedLiteral(argE) && isNumeric(target) ? target : undefined);
    const from = arg.type;
    if (from.k === "error") return { k: "int", value: 0n, span, type: ERROR };
    // an enum's number: its variant's position
    if (from.k === "enum" && target.k === "u64") return { ...arg, span, type: U64 } as TExpr;
    if (isNumeric(target) && isNumeric(from)) {
      if (sameType(from, target)) return { ...arg, span } as TExpr;
      if (arg.k === "int") {
        const r = foldConvert(from, target, arg.value);
        if ("error" in r) {
          this.sink.report("const_overflow", span, [r.error]);
          return { k: "int", value: 0n, span, type: ERROR };
        }
        return this.intConst(r.value, target, span);
      }
      // a sign check guards the conversions whose source can hold values the target cannot
      const signChecked = (from.k === "u64") !== (target.k === "u64");
      const errorId = signChecked ? this.errorId(`conversion out of range: ${to}(${this.sourceText(argE)})`, span) : undefined;
      return { k: "convert", from, arg, span, type: target, ...(errorId !== undefined ? { errorId } : {}) };
    }
    const len = FIXED_BYTES_LEN[target.k];
    if (len !== undefined && isByteString(from)) {
      if (sameType(from, target)) return { ...arg, span } as TExpr;
      if (arg.k === "bytes") {
        if (arg.value.length !== len) {
          this.sink.report("bytes_length", argE.span, [to, len, arg.value.length]);
          return { k: "int", value: 0n, span, type: ERROR };
        }
        return { ...arg, span, type: target };
      }
      const errorId = this.errorId(`${to}(${this.sourceText(argE)}): expected ${len} bytes`, span);
      return { k: "convert", from, arg, span, type: target, errorId };
    }
    if (target.k === "bytes" && (isByteString(from) || from.k === "struct" || from.k === "array")) {
      return { ...arg, span, type: BYTES } as TExpr;
    }
    this.sink.report("bad_conversion", span, [typeName(from), to]);
    return { k: "int", value: 0n, span, type: ERROR };
  }

  private builtin(e: A.ExprOf<"call">, name: string, want: Type | undefined): TExpr {
    const span = e.span;
    const bad = (): TExpr => ({ k: "int", value: 0n, span, type: ERROR });
    const args = e.args;
    const arity = (min: number, max = min): boolean => {
      if (args.length < min || args.length > max) {
        const expect = min === max ? min : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
        this.sink.report("arity", span, [`\`${name}\``, expect, args.length]);
        args.forEach((a) => this.expr(a, undefined));
        return false;
      }
      return true;
    };
    const bytesArg = (a: A.Expr): TExpr => {
      const t = this.expr(a, BYTES);
      if (t.type.k !== "error" && !isByteString(t.type)) {
        this.sink.report("type_mismatch", a.span, ["a byte string", typeName(t.type)]);
        return { ...t, type: ERROR } as TExpr;
      }
      return t;
    };
    const make = (type: Type, targs: TExpr[], width?: number): TExpr => {
      if (targs.some((a) => a.type.k === "error")) return bad();
      return { k: "builtin", name: name as BuiltinName, args: targs, span, type, ...(width !== undefined ? { width } : {}) };
    };
    switch (name) {
      case "caller":
        return arity(0) ? make(PUBKEY, []) : bad();
      case "self":
        return arity(0) ? make(HASH, []) : bad();
      case "now":
      case "height":
      case "gas_left":
      case "call_value":
        return arity(0) ? make(U64, []) : bad();
      case "native_balance":
        return arity(1) ? make(U64, [bytesArg(args[0]!)]) : bad();
      case "pay": {
        if (!arity(2)) return bad();
        const to = bytesArg(args[0]!);
        const amount = this.coerce(this.expr(args[1]!, U64), U64, args[1]!.span);
        this.ctx?.fn.effects.push({ span, what: "pays native value" });
        return make(UNIT, [to, amount]);
      }
      case "sha256":
        return arity(1, Infinity) ? make(HASH, args.map(bytesArg)) : bad();
      case "concat":
        return arity(2, Infinity) ? make(BYTES, args.map(bytesArg)) : bad();
      case "len":
        return arity(1) ? make(U64, [bytesArg(args[0]!)]) : bad();
      case "slice": {
        if (!arity(3)) return bad();
        const b = bytesArg(args[0]!);
        const off = this.coerce(this.expr(args[1]!, U64), U64, args[1]!.span);
        const n = this.coerce(this.expr(args[2]!, U64), U64, args[2]!.span);
        return make(BYTES, [b, off, n]);
      }
      case "verify": {
        if (!arity(3)) return bad();
        const pk = this.coerce(this.expr(args[0]!, PUBKEY), PUBKEY, args[0]!.span);
        const msg = bytesArg(args[1]!);
        const sg = this.coerce(this.expr(args[2]!, { k: "sig" }), { k: "sig" }, args[2]!.span);
        return make(BOOL, [pk, msg, sg]);
      }
      case "to_bytes": {
        if (!arity(1, 2)) return bad();
        const v = this.expr(args[0]!, undefined);
        if (v.type.k !== "error" && !isNumeric(v.type) && v.type.k !== "bool") {
          this.sink.report("type_mismatch", args[0]!.span, ["an integer, fixed or bool", typeName(v.type)]);
          return bad();
        }
        let width = v.type.k === "bool" ? 1 : 8;
        if (args[1]) {
          const w = this.constInt(args[1], U64, "the width of `to_bytes`", "write the width as 1, 2, 4 or 8, or as a `const` of one of them");
          if (w === undefined) return bad();
          if (![1n, 2n, 4n, 8n].includes(w)) {
            this.sink.report("type_mismatch", args[1].span, ["a width of 1, 2, 4 or 8", String(w)]);
            return bad();
          }
          width = Number(w);
        }
        return make(BYTES, [v], width);
      }
      case "from_bytes":
        return arity(1) ? make(U64, [bytesArg(args[0]!)]) : bad();
      case "wrapping_add":
      case "wrapping_sub":
      case "wrapping_mul": {
        if (!arity(2)) return bad();
        const [l, r] = this.pair(args[0]!, args[1]!, want);
        if (l.type.k === "error" || r.type.k === "error") return bad();
        if (!isIntegral(l.type)) {
          this.sink.report("bad_operator", span, [name, typeName(l.type)]);
          return bad();
        }
        if (!sameType(l.type, r.type)) {
          this.sink.report("type_mismatch", args[1]!.span, [typeName(l.type), typeName(r.type)]);
          return bad();
        }
        if (l.k === "int" && r.k === "int") {
          const f = foldBinary(name, l.type, l.value, r.value);
          if ("value" in f) return this.intConst(f.value, l.type, span);
        }
        return make(l.type, [l, r]);
      }
      case "min":
      case "max": {
        if (!arity(2)) return bad();
        const [l, r] = this.pair(args[0]!, args[1]!, want);
        if (l.type.k === "error" || r.type.k === "error") return bad();
        if (!isNumeric(l.type)) {
          this.sink.report("bad_operator", span, [name, typeName(l.type)]);
          return bad();
        }
        if (!sameType(l.type, r.type)) {
          this.sink.report("type_mismatch", args[1]!.span, [typeName(l.type), typeName(r.type)], this.conversionHint(r.type, l.type));
          return bad();
        }
        if (l.k === "int" && r.k === "int") {
          const signed = l.type.k !== "u64";
          const a = signed ? BigInt.asIntN(64, l.value) : l.value;
          const b = signed ? BigInt.asIntN(64, r.value) : r.value;
          return this.intConst((name === "min") === a < b ? l.value : r.value, l.type, span);
        }
        return make(l.type, [l, r]);
      }
      case "abs": {
        if (!arity(1)) return bad();
        const a = this.expr(args[0]!, want);
        if (a.type.k === "error") return bad();
        if (a.type.k !== "i64" && a.type.k !== "fixed") {
          this.sink.report("bad_operator", span, [name, typeName(a.type)], a.type.k === "u64" ? "a u64 is never negative: use the value itself" : undefined);
          return bad();
        }
        return make(a.type, [a]);
      }
      case "require":
      case "assert":
      case "revert":
        this.sink.report("not_a_value", span, [`\`${name}(…)\` (use it as a statement)`]);
        return bad();
    }
    return bad();
  }

  // -- whole program -----------------------------------------------------------------------------------------
  private finish(): CheckedProgram {
    const fns = [...this.contractFns.values()].map((x) => x.info);
    const exported = fns.filter((f) => f.isPub);
    // view functions: no writes or emits, directly or through callees
    const effectOf = new Map<FuncInfo, string>();
    // only a found effect is remembered: "none" found while a cycle was cut short (`seen`) may be wrong for
    // another caller (a view calling `b`, where b calls a and a writes, once a's search passed through b)
    const effect = (f: FuncInfo, seen: Set<FuncInfo>): string | undefined => {
      const known = effectOf.get(f);
      if (known !== undefined) return known;
      if (seen.has(f)) return undefined;
      seen.add(f);
      let r: string | undefined = f.effects[0]?.what;
      if (!r) {
        for (const c of f.calls) {
          const ce = effect(c.func, seen);
          if (ce) {
            r = `calls \`${c.func.name}\`, which ${ce.replace(/^calls `[^`]*`, which /, "")}`;
            break;
          }
        }
      }
      if (r) effectOf.set(f, r);
      return r;
    };
    for (const f of fns.filter((x) => x.isView)) {
      for (const ef of f.effects) this.sink.report("view_writes", ef.span, [f.name, ef.what]);
      for (const c of f.calls) {
        const ce = effect(c.func, new Set());
        if (ce) this.sink.report("view_writes", c.span, [f.name, `calls \`${c.func.name}\`, which ${ce.replace(/^calls `[^`]*`, which /, "")}`]);
      }
    }
    // module order: exports in source order, then reachable helpers in order of first call
    const order: FuncInfo[] = [];
    const seen = new Set<FuncInfo>();
    const visit = (f: FuncInfo): void => {
      if (seen.has(f)) return;
      seen.add(f);
      order.push(f);
    };
    exported.forEach(visit);
    for (let i = 0; i < order.length; i++) for (const c of order[i]!.calls) visit(c.func);
    order.forEach((f, i) => (f.index = i));
    if (order.length > LIMITS.MAX_FUNCTIONS.value) {
      this.sink.report("limit", this.main!.span, [`a module has at most ${LIMITS.MAX_FUNCTIONS.value} functions, this one needs ${order.length}`]);
    }
    if (exported.length > LIMITS.MAX_EXPORTS.value) {
      this.sink.report("limit", this.main!.span, [`a module has at most ${LIMITS.MAX_EXPORTS.value} public functions, this one has ${exported.length}`]);
    }
    return {
      contract: this.main!.name,
      functions: order,
      storage: [...this.ownLayout!.storage.values(), ...(this.contractFns.get("init")?.info.isInit ? [INIT_FIELD] : [])],
      events: [...this.events.values()].map(({ name, topic, signature, fields }) => ({ name, topic, signature, fields })),
      errors: this.errors,
    };
  }
}
