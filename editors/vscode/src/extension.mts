// The Mote extension for VS Code: starts the Mote language server (lsp/server.ts, bundled beside this
// file as dist/server.js, or the command in the `mote.server.command` setting) and connects it to .mote files.
import * as path from "node:path";
import { workspace, type ExtensionContext } from "vscode";
import { LanguageClient, TransportKind, type Executable, type NodeModule, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const command = workspace.getConfiguration("mote").get<string[]>("server.command") ?? [];
  let server: ServerOptions;
  if (command.length > 0) {
    const exe: Executable = { command: command[0]!, args: command.slice(1), transport: TransportKind.stdio };
    server = { run: exe, debug: exe };
  } else {
    const mod: NodeModule = { module: context.asAbsolutePath(path.join("dist", "server.js")), transport: TransportKind.stdio };
    server = { run: mod, debug: mod };
  }
  client = new LanguageClient("mote", "Mote language server", server, {
    documentSelector: [{ scheme: "file", language: "mote" }, { scheme: "untitled", language: "mote" }],
    synchronize: { fileEvents: workspace.createFileSystemWatcher("**/*.mote") },
  });
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
