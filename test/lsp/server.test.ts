// The language server driven over stdio as an editor drives it: initialize, open a contract, break it
// with an edit, and ask for hover, definition, completion, symbols and formatting; answers are checked
// against what `mote check` and `mote fmt` say about the same text.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  type CompletionItem,
  type DocumentSymbol,
  type Hover,
  type Location,
} from "vscode-languageserver/node";
import { compileFile, compileSource } from "../../compiler/index.ts";
import { formatSource } from "../../compiler/format.ts";
import { ROOT, startLsp, type LspClient } from "./client.ts";

const tokenPath = join(ROOT, "contracts", "token.mote");
const tokenUri = pathToFileURL(tokenPath).href;
const tokenText = readFileSync(tokenPath, "utf8");
const attPath = join(ROOT, "contracts", "sensor_attestation.mote");
const attUri = pathToFileURL(attPath).href;
const attText = readFileSync(attPath, "utf8");

/** The 0-based position of the `nth` occurrence of `needle` in `text`, plus `offset` characters. */
function posOf(text: string, needle: string, nth = 0, offset = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} #${nth} not found`);
  }
  const lines = text.slice(0, at + offset).split("\n");
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}

let lsp: LspClient;
let version = 1;

beforeAll(async () => {
  lsp = await startLsp();
  const init = await lsp.conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(ROOT).href, capabilities: {}, workspaceFolders: null });
  expect(init.capabilities.hoverProvider).toBe(true);
  expect(init.capabilities.completionProvider?.triggerCharacters).toContain(".");
  await lsp.conn.sendNotification(InitializedNotification.type, {});
  await lsp.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: tokenUri, languageId: "mote", version, text: tokenText } });
  await lsp.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: attUri, languageId: "mote", version: 1, text: attText } });
});

afterAll(async () => {
  const code = await lsp.close();
  // a clean shutdown exits 0: the server survived everything below
  expect(code).toBe(0);
  expect(lsp.stderr()).toBe("");
});

describe("mote lsp --stdio", () => {
  it("publishes no errors for a contract that compiles, and mote check's diagnostics for one that does not", async () => {
    const first = await lsp.nextDiagnostics(tokenUri, 1);
    expect(first.diagnostics).toEqual([]);
    // a half-typed edit: `let bal = balances[` with nothing after it
    const at = posOf(tokenText, "let bal = balances[from];");
    version++;
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: tokenUri, version },
      contentChanges: [{ range: { start: at, end: { line: at.line, character: at.character + "let bal = balances[from];".length } }, text: "let bal = balances[" }],
    });
    const broken = await lsp.nextDiagnostics(tokenUri, version);
    const brokenText = tokenText.replace("let bal = balances[from];", "let bal = balances[");
    const check = compileSource(brokenText, tokenPath.split("\\").join("/")).diagnostics;
    expect(check.length).toBeGreaterThan(0);
    expect(broken.diagnostics.map((d) => [d.code, d.range.start.line + 1, d.range.start.character + 1, d.range.end.line + 1, d.range.end.character + 1])).toEqual(
      check.map((d) => [d.code, d.line, d.col, d.endLine, d.endCol]),
    );
    expect(broken.diagnostics[0]!.message).toContain(check[0]!.message);
    expect(broken.diagnostics[0]!.source).toBe("mote");
  });

  it("keeps answering from the last text that parsed while the document is broken", async () => {
    const h = (await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri: tokenUri }, position: posOf(tokenText, "supply = total", 0, 1) })) as Hover;
    expect(JSON.stringify(h.contents)).toContain("storage supply: u64");
    // and symbols still list the contract
    const syms = (await lsp.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: tokenUri } })) as DocumentSymbol[];
    expect(syms.map((s) => s.name)).toEqual(["Token"]);
  });

  it("reports a type error with its hint, as mote check does", async () => {
    version++;
    const bad = tokenText.replace("supply = total;", "supply = ownr;");
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: tokenUri, version }, contentChanges: [{ text: bad }] });
    const d = await lsp.nextDiagnostics(tokenUri, version);
    const check = compileSource(bad, tokenPath).diagnostics;
    expect(check[0]!.hint).toBeDefined();
    expect(d.diagnostics[0]!.code).toBe(check[0]!.code);
    expect(d.diagnostics[0]!.message).toBe(`${check[0]!.message}\nhint: ${check[0]!.hint}`);
    // back to the original text for the rest
    version++;
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: tokenUri, version }, contentChanges: [{ text: tokenText }] });
    expect((await lsp.nextDiagnostics(tokenUri, version)).diagnostics).toEqual(compileFile(tokenPath).diagnostics);
  });

  it("hovers with the type of a local, a storage field and a function, and the doc of a builtin", async () => {
    const hoverAt = async (needle: string, nth = 0, offset = 1): Promise<string> => {
      const h = (await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri: tokenUri }, position: posOf(tokenText, needle, nth, offset) })) as Hover | null;
      return h ? JSON.stringify(h.contents) : "";
    };
    expect(await hoverAt("allowed >= amount")).toContain("let allowed: u64");
    expect(await hoverAt("balances[from] = bal")).toContain("storage balances: map<pubkey, u64>");
    expect(await hoverAt("move(caller(), to")).toContain("fn move(from: pubkey, to: pubkey, amount: u64)");
    const caller = await hoverAt("caller()", 1);
    expect(caller).toContain("caller() -> pubkey");
    expect(caller).toContain("the public key that signed the call");
    expect(await hoverAt("emit Transfer", 0, 6)).toContain("event Transfer(from: pubkey, to: pubkey, amount: u64)");
  });

  it("goes to the definition of locals, storage, functions, struct fields and imported files", async () => {
    const defAt = async (uri: string, text: string, needle: string, nth = 0, offset = 1): Promise<Location> =>
      (await lsp.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: posOf(text, needle, nth, offset) })) as Location;
    const local = await defAt(tokenUri, tokenText, "allowed >= amount");
    expect(local.range.start).toEqual(posOf(tokenText, "allowed = allowances"));
    const storage = await defAt(tokenUri, tokenText, "supply = total");
    expect(storage.range.start).toEqual(posOf(tokenText, "storage supply"));
    const fn = await defAt(tokenUri, tokenText, "move(caller(), to");
    expect(fn).toMatchObject({ uri: tokenUri, range: { start: posOf(tokenText, "move(from: pubkey") } });
    // a struct field declared in an imported file
    const readingPath = join(ROOT, "contracts", "lib", "reading.mote");
    const readingText = readFileSync(readingPath, "utf8");
    const field = await defAt(attUri, attText, "last.count", 0, 6);
    expect(field.uri).toBe(pathToFileURL(readingPath).href);
    expect(field.range.start).toEqual(posOf(readingText, "count: u64"));
    const struct = await defAt(attUri, attText, "Reading>", 0, 1);
    expect(struct.uri).toBe(pathToFileURL(readingPath).href);
    expect(struct.range.start).toEqual(posOf(readingText, "struct Reading"));
    const imp = await defAt(attUri, attText, 'import "lib/reading.mote"', 0, 10);
    expect(imp.uri).toBe(pathToFileURL(readingPath).href);
  });

  it("completes names in scope, storage fields, struct fields and builtins", async () => {
    const labels = async (uri: string, position: { line: number; character: number }): Promise<string[]> => {
      const r = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position })) as CompletionItem[];
      return r.map((i) => i.label);
    };
    // inside move(): its params and `bal` (declared before), storage, functions, builtins; not transfer_from's `allowed`
    const inMove = await labels(tokenUri, posOf(tokenText, "balances[to] += amount"));
    for (const n of ["from", "to", "amount", "bal", "balances", "allowances", "supply", "owner", "transfer", "move", "caller", "sha256", "require", "u64"]) expect(inMove).toContain(n);
    expect(inMove).not.toContain("allowed");
    // a struct's fields after `.`, typed into the document first (a half-typed line)
    version++;
    const at = posOf(attText, "let chain = sha256(last.chain, msg);");
    const edited = `${attText.slice(0, attText.indexOf("let chain = sha256"))}let c = last.${attText.slice(attText.indexOf("let chain = sha256"))}`;
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: attUri, version: 2 },
      contentChanges: [{ range: { start: at, end: at }, text: "let c = last." }],
    });
    expect((await lsp.nextDiagnostics(attUri, 2)).diagnostics.length).toBeGreaterThan(0);
    const afterDot = await labels(attUri, { line: at.line, character: at.character + "let c = last.".length });
    expect(afterDot.sort()).toEqual(["chain", "count", "nonce", "timestamp", "value"]);
    expect(edited).toContain("let c = last.let chain");
  });

  it("rechecks an open contract when a file it imports changes, and leaves an open import's own diagnostics alone", async () => {
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: attUri, version: 3 }, contentChanges: [{ text: attText }] });
    expect((await lsp.nextDiagnostics(attUri, 3)).diagnostics).toEqual([]);
    const readingPath = join(ROOT, "contracts", "lib", "reading.mote");
    const readingUri = pathToFileURL(readingPath).href;
    const readingText = readFileSync(readingPath, "utf8");
    await lsp.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: readingUri, languageId: "mote", version: 1, text: readingText } });
    await lsp.nextDiagnostics(readingUri, 1);
    // opening it changed nothing for the contract that imports it
    expect((await lsp.nextDiagnostics(attUri, 3)).diagnostics).toEqual([]);
    // rename a field the contract uses: the contract's diagnostics now name it
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: readingUri, version: 2 }, contentChanges: [{ text: readingText.replace("count: u64", "total: u64") }] });
    await lsp.nextDiagnostics(readingUri, 2);
    const after = await lsp.nextDiagnostics(attUri, 3);
    expect(after.diagnostics.some((d) => d.severity === 1 && String(d.message).includes("count"))).toBe(true);
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: readingUri, version: 3 }, contentChanges: [{ text: readingText }] });
    await lsp.nextDiagnostics(readingUri, 3);
    expect((await lsp.nextDiagnostics(attUri, 3)).diagnostics).toEqual([]);
  });

  it("lists document symbols: the contract with its storage, events and functions", async () => {
    const syms = (await lsp.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: tokenUri } })) as DocumentSymbol[];
    expect(syms).toHaveLength(1);
    expect(syms[0]!.name).toBe("Token");
    expect(syms[0]!.children!.map((c) => c.name)).toEqual(["owner", "balances", "supply", "allowances", "Transfer", "Approval", "init", "transfer", "approve", "transfer_from", "balance_of", "allowance", "move"]);
    const transfer = syms[0]!.children!.find((c) => c.name === "transfer")!;
    expect(transfer.selectionRange.start).toEqual(posOf(tokenText, "transfer(to", 0, 0));
  });

  it("formats through mote fmt's formatter, and leaves a file that does not parse alone", async () => {
    const messy = tokenText.replace("  storage supply: u64;", "storage   supply :u64 ;");
    version++;
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: tokenUri, version }, contentChanges: [{ text: messy }] });
    await lsp.nextDiagnostics(tokenUri, version);
    const edits = await lsp.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: tokenUri }, options: { tabSize: 2, insertSpaces: true } });
    const fmt = formatSource(messy);
    expect(fmt.ok).toBe(true);
    expect(edits).toHaveLength(1);
    expect(edits![0]!.newText).toBe(fmt.ok ? fmt.text : "");
    expect(edits![0]!.newText).toBe(tokenText);
    version++;
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: tokenUri, version }, contentChanges: [{ text: "contract C { pub fn f( {" }] });
    await lsp.nextDiagnostics(tokenUri, version);
    expect(await lsp.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: tokenUri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });
});
