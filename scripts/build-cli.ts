// Builds the `mote` command (`npm run build:cli`, and at install through `prepare`): bundles cli/main.ts
// and everything it imports into plain JavaScript under dist/, so bin/mote.js starts without compiling
// TypeScript. The compiler is loaded by dynamic import and stays in a chunk of its own (code
// splitting), so commands that do not compile never pay for building the chevrotain parser.
// better-sqlite3 is a native addon and stays external. `buildCli()` skips the work when every input
// is older than the bundle.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CLI_DIR = join(ROOT, "dist");
export const CLI_ENTRY = join(CLI_DIR, "mote.js");
const META = join(CLI_DIR, "meta.json");

/** True when the bundle is missing or one of its recorded inputs (or this script) is newer. */
export function cliStale(): boolean {
  if (!existsSync(CLI_ENTRY) || !existsSync(META)) return true;
  const built = statSync(CLI_ENTRY).mtimeMs;
  let inputs: string[];
  try {
    inputs = Object.keys((JSON.parse(readFileSync(META, "utf8")) as { inputs: Record<string, unknown> }).inputs);
  } catch {
    return true;
  }
  for (const rel of [...inputs, "scripts/build-cli.ts", "package.json"]) {
    const p = join(ROOT, rel);
    if (!existsSync(p) || statSync(p).mtimeMs > built) return true;
  }
  return false;
}

export async function buildCli(opts: { force?: boolean } = {}): Promise<{ built: boolean }> {
  if (!opts.force && !cliStale()) return { built: false };
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    absWorkingDir: ROOT,
    // the CLI, and the contract-test helper as the `mote/testing` library (package.json exports)
    entryPoints: { mote: "cli/main.ts", testing: "test/helpers/contract.ts" },
    outdir: CLI_DIR,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["better-sqlite3", "vitest"],
    // commander is CommonJS and requires node builtins; give the ESM bundle a real `require`
    banner: { js: 'import { createRequire as __moteRequire } from "node:module"; const require = __moteRequire(import.meta.url);' },
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  const { writeFileSync } = await import("node:fs");
  writeFileSync(META, JSON.stringify(r.metafile));
  return { built: true };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await buildCli({ force: true });
  console.log(`built: ${CLI_ENTRY}`);
}
