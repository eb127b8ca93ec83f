// `npm run vsix`: bundles the VS Code extension (editors/vscode/src/extension.mts, with the language
// server lsp/server.ts as editors/vscode/dist/server.js) with esbuild and packages it with @vscode/vsce
// into build/mote.vsix. Everything the extension runs is in the bundle: the package has no dependencies.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const EXTENSION_DIR = join(ROOT, "editors", "vscode");
export const VSIX_PATH = join(ROOT, "build", "mote.vsix");

/** Bundles the extension and its server into editors/vscode/dist/. */
export async function bundleExtension(): Promise<void> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { extension: "editors/vscode/src/extension.mts", server: "editors/vscode/src/server.mts" },
    outdir: join(EXTENSION_DIR, "dist"),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    // VS Code supplies `vscode` to the extension host
    external: ["vscode"],
    logLevel: "warning",
    legalComments: "none",
    minify: true,
  });
}

/** Bundles, then packages build/mote.vsix with vsce; returns its path. */
export async function buildVsix(out = VSIX_PATH): Promise<string> {
  await bundleExtension();
  mkdirSync(dirname(out), { recursive: true });
  // @vscode/vsce is CommonJS without type declarations: its programmatic entry, as its CLI uses it
  const vsce = createRequire(import.meta.url)("@vscode/vsce") as { createVSIX(o: Record<string, unknown>): Promise<unknown> };
  await vsce.createVSIX({ cwd: EXTENSION_DIR, packagePath: out, dependencies: false, allowMissingRepository: true });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = await buildVsix(process.argv[2]);
  console.log(`wrote ${out}`);
}
