// Language-server latency (`npm run bench:lsp`): starts `mote lsp --stdio` as an editor does, opens each
// contract in contracts/, and times each request over the wire (edit → diagnostics, hover, definition,
// completion, symbols, formatting). Each answer is checked before its time counts. Goal: every median
// within 100 ms. Writes bench/results/local/lsp.json (bench/results/lsp.json with --record).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
} from "vscode-languageserver/node";
import { readSourceFile } from "../compiler/index.ts";
import { analyze } from "../lsp/analysis.ts";
import { startLsp, ROOT } from "../test/lsp/client.ts";
import { resultPath } from "./results-path.ts";

const GOAL_MS = 100;
const ROUNDS = Number(process.env.LSP_ROUNDS ?? 15);
const REQUESTS = ["diagnostics", "hover", "definition", "completion", "symbols", "formatting"] as const;
type RequestName = (typeof REQUESTS)[number];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round2 = (x: number): number => Math.round(x * 100) / 100;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench:lsp: wrong answer: ${what}`);
}

const lsp = await startLsp();
await lsp.conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(ROOT).href, capabilities: {}, workspaceFolders: null });
await lsp.conn.sendNotification(InitializedNotification.type, {});

const dir = join(ROOT, "contracts");
const rows: { contract: string; lines: number; ms: Record<RequestName, { median: number; max: number }> }[] = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith(".mote")).sort()) {
  const path = join(dir, name);
  const uri = pathToFileURL(path).href;
  const text = readFileSync(path, "utf8");
  // where to ask: the last local or storage name the checker resolved in this file, and inside the last function
  const { analysis } = analyze(text, path, readSourceFile);
  const use = [...analysis.uses].reverse().find((u) => u.span.file === path && (u.kind === "local" || u.kind === "storage") && u.decl)!;
  check(use !== undefined, `${name}: no resolved name to ask about`);
  const at = { line: use.span.line - 1, character: use.span.col - 1 };
  let version = 1;
  await lsp.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "mote", version, text } });
  check((await lsp.nextDiagnostics(uri, version)).diagnostics.every((d) => d.severity !== 1), `${name}: errors on open`);
  const times: Record<RequestName, number[]> = { diagnostics: [], hover: [], definition: [], completion: [], symbols: [], formatting: [] };
  const time = async <T>(req: RequestName, f: () => Promise<T>, ok: (r: T) => boolean): Promise<void> => {
    const t0 = performance.now();
    const r = await f();
    const dt = performance.now() - t0;
    check(ok(r), `${name}: ${req}`);
    times[req].push(dt);
  };
  for (let i = 0; i < ROUNDS; i++) {
    // an edit that changes the text (a trailing comment toggled), answered by a fresh check of the whole contract
    version++;
    const edited = i % 2 === 0 ? `${text}// edit\n` : text;
    await time(
      "diagnostics",
      async () => {
        await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text: edited }] });
        return lsp.nextDiagnostics(uri, version);
      },
      (r) => r.diagnostics.every((d) => d.severity !== 1),
    );
    await time("hover", () => lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at }), (r) => JSON.stringify(r?.contents ?? "").includes(use.name));
    await time("definition", () => lsp.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: at }), (r) => r !== null && !Array.isArray(r) && r.range.start.line === use.decl!.line - 1);
    await time("completion", () => lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at }), (r) => Array.isArray(r) && r.some((c) => c.label === use.name));
    await time("symbols", () => lsp.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }), (r) => Array.isArray(r) && r.length > 0);
    await time("formatting", () => lsp.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), (r) => Array.isArray(r));
  }
  // one document open at a time, as when a contract is edited on its own
  await lsp.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  rows.push({
    contract: name,
    lines: text.split("\n").length,
    ms: Object.fromEntries(REQUESTS.map((r) => [r, { median: round2(median(times[r])), max: round2(Math.max(...times[r])) }])) as Record<RequestName, { median: number; max: number }>,
  });
}
await lsp.close();

const worst = Math.max(...rows.flatMap((r) => REQUESTS.map((q) => r.ms[q].median)));
console.log(`contract                  lines  ${REQUESTS.map((r) => r.padStart(12)).join("")}   (median / max ms, ${ROUNDS} rounds)`);
for (const r of rows) {
  console.log(`${r.contract.padEnd(25)} ${String(r.lines).padStart(5)}  ${REQUESTS.map((q) => `${r.ms[q].median.toFixed(1)}/${r.ms[q].max.toFixed(0)}`.padStart(12)).join("")}`);
}
console.log(`worst median ${worst.toFixed(1)} ms; goal ≤ ${GOAL_MS} ms: ${worst <= GOAL_MS ? "met" : "NOT met"}`);
const out = resultPath("lsp.json");
// the machine's load when measured: these are wall-clock times, and a busy machine's are longer
const loadAverage = loadavg().map(round2);
console.log(`load average ${loadAverage.join(", ")} on ${cpus().length} cores`);
writeFileSync(out.path, `${JSON.stringify({ goalMs: GOAL_MS, rounds: ROUNDS, node: process.version, cores: cpus().length, loadAverage, worstMedianMs: round2(worst), contracts: rows }, null, 2)}\n`);
console.log(`wrote ${out.rel}`);
if (worst > GOAL_MS) process.exitCode = 1;
