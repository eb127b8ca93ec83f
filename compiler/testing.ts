// Test builds for `mote test`: Mote-native contract tests, as Foundry's are written in Solidity.
//
// A test is a `test fn` — in a test file that imports the contract under test (`tests/token.t.mote`:
// `import "../contracts/token.mote";` then top-level `test fn`s), or inside the contract itself. In a
// test build the test file's `test fn`s become public functions of that contract, so they call its
// functions and read its storage directly; every other build drops them (withoutTests).
//
// Cheats are statements available in test functions only:
//   prank(pk)             caller() is pk from here on
//   warp(t)               now() is t from here on
//   roll(h)               height() is h from here on
//   expect_revert("msg")  the test passes only if it ends, after this point, in a revert with message msg
//   expect_emit()         the next `emit` in the test states an event that the code after it must emit
//   attach(v)             call_value() is v from here on, and the contract's balance grows by v, as when
//                         a transaction carries native value
// Each is lowered to a write of a hidden storage field (`$cheat_*`, declared after the contract's own
// fields, so their slots are unchanged); the test runner (cli/commands/test.ts) sees the write through
// the VM host's store hook as it happens and acts on it. The VM, its gas table and its bytecode are
// untouched: a test build is an ordinary module.
import { sha256 } from "@noble/hashes/sha2.js";
import type * as A from "./ast.ts";
import type { DiagnosticSink, Span } from "./diagnostics.ts";

export const CHEATS = {
  prank: { field: "$cheat_prank", type: "pubkey", args: 1 },
  warp: { field: "$cheat_warp", type: "u64", args: 1 },
  roll: { field: "$cheat_roll", type: "u64", args: 1 },
  expect_revert: { field: "$cheat_expect_revert", type: "u64", args: 1 },
  expect_emit: { field: "$cheat_expect_emit", type: "bool", args: 0 },
  attach: { field: "$cheat_attach", type: "u64", args: 1 },
} as const;
export type CheatName = keyof typeof CHEATS;

/** The number `expect_revert("msg")` stores for a message (48 bits of its SHA-256, little-endian). */
export function revertMessageTag(message: string): bigint {
  const h = sha256(new TextEncoder().encode(message));
  let v = 0n;
  for (let i = 5; i >= 0; i--) v = (v << 8n) | BigInt(h[i]!);
  return v;
}

/** Every build but a test build: the files without their `test fn`s. */
export function withoutTests(files: A.SourceFile[]): A.SourceFile[] {
  const hasTests = files.some((f) => f.decls.some((d) => (d.kind === "fn" && d.isTest) || (d.kind === "contract" && d.members.some((m) => m.kind === "fn" && m.isTest))));
  if (!hasTests) return files;
  return files.map((f) => ({
    ...f,
    decls: f.decls
      .filter((d) => !(d.kind === "fn" && d.isTest))
      .map((d) => (d.kind === "contract" ? { ...d, members: d.members.filter((m) => !(m.kind === "fn" && m.isTest)) } : d)),
  }));
}

/**
 * The test build's rewrite (CompileOptions.testBuild): finds the contract under test (declared in the
 * test file itself, or else the one non-extern contract of the files it imports), moves the test file's
 * top-level `test fn`s into it as public functions, declares the cheat fields and lowers cheat calls.
 */
export function testBuild(files: A.SourceFile[], mainFile: string, sink: DiagnosticSink): { files: A.SourceFile[]; mainFile: string } | undefined {
  const main = files.find((f) => f.file === mainFile)!;
  const at: Span = { file: mainFile, line: 1, col: 1, endLine: 1, endCol: 2 };
  let target = files.find((f) => f.file === mainFile && f.decls.some((d) => d.kind === "contract" && !d.isExtern));
  if (!target) {
    const candidates = files.filter((f) => f.file !== mainFile && f.decls.some((d) => d.kind === "contract" && !d.isExtern));
    if (candidates.length !== 1) {
      sink.report("syntax", at, [
        candidates.length === 0
          ? "a test file declares the contract it tests or imports it (import \"../contracts/NAME.mote\";)"
          : `a test file tests one contract; it imports ${candidates.length}: ${candidates.map((c) => c.file).join(", ")}`,
      ]);
      return undefined;
    }
    target = candidates[0]!;
  }
  const topTests = target === main ? [] : main.decls.filter((d): d is A.FnDecl => d.kind === "fn" && d.isTest === true);
  const out = files.map((f) => {
    let decls = f.decls;
    if (f === main && f !== target) decls = decls.filter((d) => !(d.kind === "fn" && d.isTest));
    if (f === target) {
      decls = decls.map((d) => {
        if (d.kind !== "contract" || d.isExtern) return d;
        const members = d.members.map((m) => (m.kind === "fn" && m.isTest ? lowerTest(m) : m));
        for (const t of topTests) members.push(lowerTest(t));
        for (const c of Object.values(CHEATS)) {
          members.push({ kind: "storage", name: c.field, span: d.span, type: { kind: "name", name: c.type, span: d.span } });
        }
        return { ...d, members };
      });
    }
    return { ...f, decls };
  });
  if (!out.some((f) => f.decls.some((d) => d.kind === "contract" && d.members.some((m) => m.kind === "fn" && m.isTest)))) {
    sink.report("syntax", at, ["no `test fn` to run: write tests as `test fn name() { ... }`"]);
    return undefined;
  }
  return { files: out, mainFile: target.file };
}

function lowerTest(fn: A.FnDecl): A.FnDecl {
  return { ...fn, isPub: true, isView: false, body: lowerBlock(fn.body) };
}

function lowerBlock(b: A.Block): A.Block {
  return { ...b, stmts: b.stmts.map(lowerStmt) };
}

function lowerStmt(s: A.Stmt): A.Stmt {
  switch (s.kind) {
    case "expr": {
      const e = s.expr;
      if (e.kind !== "call" || e.callee.kind !== "name" || !(e.callee.name in CHEATS)) return s;
      const cheat = CHEATS[e.callee.name as CheatName];
      const target: A.Expr = { kind: "name", name: cheat.field, span: e.callee.span };
      let value: A.Expr;
      if (cheat.args === 0) value = { kind: "bool", value: true, span: e.span };
      else if (e.args.length !== 1) value = { kind: "error", span: e.span };
      else if (e.callee.name === "expect_revert") {
        const m = e.args[0]!;
        value = m.kind === "string" ? { kind: "int", text: revertMessageTag(m.value).toString(), span: m.span } : m;
      } else value = e.args[0]!;
      if (e.args.length !== cheat.args) {
        // let the checker report the call as written: an unknown function with the wrong arguments
        return s;
      }
      return { kind: "assign", span: s.span, op: "=", target, value };
    }
    case "if":
      return { ...s, then: lowerBlock(s.then), ...(s.else ? { else: lowerBlock(s.else) } : {}) };
    case "while":
    case "for":
      return { ...s, body: lowerBlock(s.body) };
    case "block":
      return { ...s, block: lowerBlock(s.block) };
    default:
      return s;
  }
}
