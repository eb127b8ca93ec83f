// The Mote language server (`mote lsp --stdio`): the editor protocol around lsp/analysis.ts. Every
// answer comes from the compiler's own parser and checker; formatting is `mote fmt`'s formatter.
// A request that fails answers "nothing here" and logs the error: the server never goes down with it.
import { fileURLToPath, pathToFileURL } from "node:url";
import { posix } from "node:path";
import {
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type InitializeResult,
  type Range,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { formatSource } from "../compiler/format.ts";
import { readSourceFile, syntaxDiagnostics, type Diagnostic } from "../compiler/index.ts";
import type { Span } from "../compiler/diagnostics.ts";
import type { SourceFile } from "../compiler/ast.ts";
import { analyze, complete, definition, hover, symbols, type Analysis, type CompletionKind, type Pos, type SymbolNode } from "./analysis.ts";

/** A document URI as the compiler's file name: a file system path for file: URIs, the URI itself otherwise. */
export function uriToFile(uri: string): string {
  if (!uri.startsWith("file:")) return uri;
  try {
    return fileURLToPath(uri).split("\\").join("/");
  } catch {
    return uri;
  }
}

export function fileToUri(file: string): string {
  return file.includes(":") && !/^[A-Za-z]:\//.test(file) ? file : pathToFileURL(file).href;
}

const toRange = (s: Span): Range => ({
  start: { line: Math.max(0, s.line - 1), character: Math.max(0, s.col - 1) },
  end: { line: Math.max(0, s.endLine - 1), character: Math.max(0, s.endCol - 1) },
});

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return {
    range: toRange(d),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "mote",
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
  };
}

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  local: CompletionItemKind.Variable,
  storage: CompletionItemKind.Field,
  const: CompletionItemKind.Constant,
  function: CompletionItemKind.Function,
  builtin: CompletionItemKind.Function,
  struct: CompletionItemKind.Struct,
  enum: CompletionItemKind.Enum,
  variant: CompletionItemKind.EnumMember,
  field: CompletionItemKind.Field,
  event: CompletionItemKind.Event,
  keyword: CompletionItemKind.Keyword,
  type: CompletionItemKind.TypeParameter,
  contract: CompletionItemKind.Class,
};

const SYMBOL_KIND: Record<SymbolNode["kind"], SymbolKind> = {
  contract: SymbolKind.Class,
  struct: SymbolKind.Struct,
  enum: SymbolKind.Enum,
  const: SymbolKind.Constant,
  function: SymbolKind.Function,
  storage: SymbolKind.Field,
  event: SymbolKind.Event,
  field: SymbolKind.Field,
  variant: SymbolKind.EnumMember,
  import: SymbolKind.File,
};

function toDocumentSymbol(s: SymbolNode): DocumentSymbol {
  return {
    name: s.name,
    kind: SYMBOL_KIND[s.kind],
    ...(s.detail ? { detail: s.detail } : {}),
    range: toRange(s.span),
    selectionRange: toRange(s.selection),
    children: s.children.map(toDocumentSymbol),
  };
}

/** How long after the last edit of a file the documents importing it are checked again. */
const RECHECK_DELAY_MS = 250;

const toPos = (p: { line: number; character: number }): Pos => ({ line: p.line + 1, col: p.character + 1 });

/** Wires the language features to a connection; returns it unstarted listening (call `listen()`). */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  /** The latest analysis of each open document, and the latest one whose text parsed (for half-typed code). */
  const latest = new Map<string, Analysis>();
  const lastGood = new Map<string, Analysis>();
  /** Files other than open documents that diagnostics were published for, per document. */
  const published = new Map<string, Set<string>>();
  /** Files parsed cleanly, by path and text: an import is parsed again only when its text changes. */
  const parseCache: Map<string, { source: string; ast: SourceFile }> = new Map();

  const readFile = (path: string): string | undefined => {
    const open = documents.get(fileToUri(path));
    return open ? open.getText() : readSourceFile(path);
  };

  const guard = <T>(what: string, f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (e) {
      connection.console.error(`mote lsp: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  };

  const validate = (doc: TextDocument): void => {
    guard("checking", () => {
      const file = uriToFile(doc.uri);
      const { analysis, diagnostics } = analyze(doc.getText(), file, readFile, parseCache);
      latest.set(doc.uri, analysis);
      if (analysis.files.length > 0) lastGood.set(doc.uri, analysis);
      const byUri = new Map<string, LspDiagnostic[]>([[doc.uri, []]]);
      for (const d of diagnostics) {
        const uri = d.file === file ? doc.uri : fileToUri(d.file);
        if (!byUri.has(uri)) byUri.set(uri, []);
        byUri.get(uri)!.push(toLspDiagnostic(d));
      }
      // an import's diagnostics go to the import too; clear those that went away
      const before = published.get(doc.uri) ?? new Set<string>();
      for (const uri of before) if (!byUri.has(uri) && !documents.get(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
      published.set(doc.uri, new Set([...byUri.keys()].filter((u) => u !== doc.uri)));
      for (const [uri, list] of byUri) {
        // an open file has diagnostics of its own, from its own check
        if (uri !== doc.uri && documents.get(uri)) continue;
        void connection.sendDiagnostics({ uri, version: uri === doc.uri ? doc.version : undefined, diagnostics: list });
      }
    }, undefined);
  };

  /** The analysis to answer from: the latest if its text parsed, else the last one that did. */
  const analysisOf = (uri: string): Analysis | undefined => {
    const a = latest.get(uri);
    if (a && a.files.length > 0) return a;
    return lastGood.get(uri) ?? a;
  };

  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        completionProvider: { triggerCharacters: ["."] },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
      },
      serverInfo: { name: "mote-lsp" },
    }),
  );

  /** Open documents that import `file` (their last check read it). */
  const importers = (file: string, except: string): TextDocument[] =>
    documents.all().filter((d) => d.uri !== except && latest.get(d.uri)?.sources.has(file));

  /**
   * Rechecks of documents that import a changed file wait until typing pauses (RECHECK_DELAY_MS), so
   * that they never hold up the answers about the document being edited.
   */
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const recheckLater = (uri: string): void => {
    clearTimeout(pending.get(uri));
    pending.set(
      uri,
      setTimeout(() => {
        pending.delete(uri);
        const d = documents.get(uri);
        if (d) validate(d);
      }, RECHECK_DELAY_MS),
    );
  };

  documents.onDidChangeContent((e) => {
    validate(e.document);
    // a file another open document imports: that one's diagnostics may have changed too
    for (const d of importers(uriToFile(e.document.uri), e.document.uri)) recheckLater(d.uri);
  });
  // a file changed on disk (the client watches **/*.mote): recheck the open documents that import it
  connection.onDidChangeWatchedFiles((e) => {
    guard("watched files", () => {
      for (const c of e.changes) for (const d of importers(uriToFile(c.uri), c.uri)) recheckLater(d.uri);
    }, undefined);
  });
  documents.onDidClose((e) => {
    clearTimeout(pending.get(e.document.uri));
    pending.delete(e.document.uri);
    latest.delete(e.document.uri);
    lastGood.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover((p) =>
    guard("hover", () => {
      const an = analysisOf(p.textDocument.uri);
      const h = an && hover(an, toPos(p.position));
      return h ? { contents: { kind: "markdown" as const, value: h.markdown }, range: toRange(h.span) } : null;
    }, null),
  );

  connection.onDefinition((p) =>
    guard("definition", () => {
      const an = analysisOf(p.textDocument.uri);
      const s = an && definition(an, toPos(p.position), (from, path) => posix.normalize(posix.join(posix.dirname(from), path)));
      return s ? { uri: s.file === an.file ? p.textDocument.uri : fileToUri(s.file), range: toRange(s) } : null;
    }, null),
  );

  connection.onCompletion((p) =>
    guard("completion", () => {
      const an = analysisOf(p.textDocument.uri);
      const doc = documents.get(p.textDocument.uri);
      if (!an || !doc) return [];
      return complete(an, doc.getText(), toPos(p.position)).map((i) => ({
        label: i.label,
        kind: COMPLETION_KIND[i.kind],
        ...(i.detail ? { detail: i.detail } : {}),
        ...(i.doc ? { documentation: i.doc } : {}),
      }));
    }, []),
  );

  connection.onDocumentSymbol((p) =>
    guard("symbols", () => {
      const an = analysisOf(p.textDocument.uri);
      return an ? symbols(an).map(toDocumentSymbol) : [];
    }, []),
  );

  connection.onDocumentFormatting((p) =>
    guard("formatting", () => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      // like `mote fmt`, a file that does not parse is left alone (its diagnostics say why)
      if (syntaxDiagnostics(doc.getText(), uriToFile(doc.uri)).some((d) => d.severity === "error")) return [];
      const r = formatSource(doc.getText());
      if (!r.ok || r.text === doc.getText()) return [];
      return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, newText: r.text }];
    }, []),
  );

  documents.listen(connection);
  connection.listen();
}

/** `mote lsp --stdio`: a server on this process's stdin and stdout. */
export function runStdioServer(): void {
  const connection = createConnection(process.stdin, process.stdout);
  startServer(connection);
}
