// A minimal editor for tests: spawns `node bin/mote.js lsp --stdio` and talks LSP to it over the child's
// pipes with vscode-languageserver's own protocol connection, as VS Code does.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import {
  createProtocolConnection,
  type PublishDiagnosticsParams,
  PublishDiagnosticsNotification,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver/node";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface LspClient {
  conn: ProtocolConnection;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  /** Resolves with the next diagnostics published for `uri` (optionally at a document version). */
  nextDiagnostics: (uri: string, version?: number) => Promise<PublishDiagnosticsParams>;
  close: () => Promise<number | null>;
}

/** Starts the server; by default the CLI's `mote lsp --stdio`, or another script that serves LSP on stdio. */
export async function startLsp(args: string[] = [join(ROOT, "bin", "mote.js"), "lsp", "--stdio"]): Promise<LspClient> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: "pipe" });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const seen: PublishDiagnosticsParams[] = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    const i = waiting.findIndex((w) => w.uri === p.uri && (w.version === undefined || w.version === p.version));
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(p);
    else seen.push(p);
  });
  conn.listen();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    conn,
    child,
    stderr: () => err,
    nextDiagnostics: (uri, version) => {
      const i = seen.findIndex((p) => p.uri === uri && (version === undefined || p.version === version));
      if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0]!);
      return new Promise((resolve) => waiting.push({ uri, ...(version !== undefined ? { version } : {}), resolve }));
    },
    close: async () => {
      await conn.sendRequest("shutdown");
      await conn.sendNotification("exit");
      const code = await exited;
      conn.dispose();
      return code;
    },
  };
}
