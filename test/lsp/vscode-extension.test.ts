// The VS Code extension: `npm run vsix`'s build packages a .vsix with vsce (offline), the package holds
// the manifest, grammar, language configuration and both bundles, the bundled server answers LSP over
// stdio, and the TextMate grammar knows every keyword and builtin the compiler knows.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DidOpenTextDocumentNotification, HoverRequest, InitializeRequest, InitializedNotification, type Hover } from "vscode-languageserver/node";
import { BUILTINS } from "../../compiler/checker.ts";
import * as T from "../../compiler/tokens.ts";
import { buildVsix, EXTENSION_DIR } from "../../scripts/build-vsix.ts";
import { ROOT, startLsp } from "./client.ts";

const tmp = mkdtempSync(join(tmpdir(), "mote-vsix-"));
let vsix: Buffer;

beforeAll(async () => {
  vsix = readFileSync(await buildVsix(join(tmp, "mote.vsix")));
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("editors/vscode", () => {
  it("packages a .vsix holding the manifest, grammar, configuration and the two bundles", () => {
    expect(vsix.subarray(0, 2).toString()).toBe("PK");
    const names = vsix.toString("latin1");
    for (const f of ["extension.vsixmanifest", "extension/package.json", "extension/syntaxes/mote.tmLanguage.json", "extension/language-configuration.json", "extension/dist/extension.js", "extension/dist/server.js"]) {
      expect(names, f).toContain(f);
    }
    expect(names).not.toContain("extension/src/");
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, "package.json"), "utf8")) as { contributes: { languages: { id: string; extensions: string[] }[] } };
    expect(manifest.contributes.languages[0]).toMatchObject({ id: "mote", extensions: [".mote"] });
  });

  it("bundles a server that answers over stdio", async () => {
    const lsp = await startLsp([join(EXTENSION_DIR, "dist", "server.js"), "--stdio"]);
    await lsp.conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
    await lsp.conn.sendNotification(InitializedNotification.type, {});
    const path = join(ROOT, "contracts", "token.mote");
    const uri = pathToFileURL(path).href;
    const text = readFileSync(path, "utf8");
    await lsp.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "mote", version: 1, text } });
    expect((await lsp.nextDiagnostics(uri, 1)).diagnostics).toEqual([]);
    const line = text.split("\n").findIndex((l) => l.includes("supply = total"));
    const h = (await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: 5 } })) as Hover;
    expect(JSON.stringify(h.contents)).toContain("storage supply: u64");
    expect(await lsp.close()).toBe(0);
  });

  it("highlights every keyword, type and builtin of the compiler", () => {
    const grammar = readFileSync(join(EXTENSION_DIR, "syntaxes", "mote.tmLanguage.json"), "utf8");
    const keywords = T.ALL_TOKENS.filter((t) => t.LONGER_ALT === T.Identifier && t !== T.TypeName).map((t) => (t.PATTERN as RegExp).source.replace(/\\b$/, ""));
    expect(keywords.length).toBeGreaterThan(20);
    const words = new Set(grammar.match(/[a-z_0-9]+/g));
    for (const k of [...keywords, ...BUILTINS, "u64", "i64", "bool", "fixed", "bytes", "hash", "pubkey", "sig"]) expect(words.has(k), k).toBe(true);
  });
});
