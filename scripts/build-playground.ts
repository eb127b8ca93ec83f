// `npm run playground:build`: the browser playground as a static site in build/playground/ (git-ignored):
// index.html, the page's script bundled by esbuild (the compiler, the VM host and CodeMirror 6), the VM's
// mote.wasm as the CLI runs it, and the examples (contracts/, with their libraries). The compiler and
// the host are the CLI's own sources; the few Node modules they import are answered for the browser
// here: node:path by pathe, Buffer by the `buffer` package, and node:fs/node:url (used only to find
// files on disk, which the playground never does) by shims that say so if ever called.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PLAYGROUND_OUT = join(ROOT, "build", "playground");
const WASM = join(ROOT, "vm", "build", "mote.wasm");

/** Every .mote file under contracts/ (examples and the libraries they import), by repository path. */
export function exampleFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(".mote")) out[relative(ROOT, p).split("\\").join("/")] = readFileSync(p, "utf8");
    }
  };
  walk(join(ROOT, "contracts"));
  return out;
}

export async function buildPlayground(out = PLAYGROUND_OUT): Promise<string> {
  if (!existsSync(WASM)) throw new Error(`${WASM} not found: run npm run build`);
  const esbuild = await import("esbuild");
  mkdirSync(out, { recursive: true });
  const shims = join(ROOT, "playground", "shims");
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { playground: "playground/src/main.ts" },
    outdir: out,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    inject: [join(shims, "buffer.ts")],
    alias: { "node:path": "pathe", "node:fs": join(shims, "fs.ts"), "node:url": join(shims, "url.ts"), "node:crypto": join(shims, "crypto.ts") },
    define: { "process.env.NODE_ENV": '"production"' },
  });
  copyFileSync(WASM, join(out, "mote.wasm"));
  writeFileSync(join(out, "examples.json"), JSON.stringify(exampleFiles()));
  for (const f of ["index.html", "style.css"]) copyFileSync(join(ROOT, "playground", f), join(out, f));
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = await buildPlayground(process.argv[2]);
  console.log(`wrote ${relative(process.cwd(), out) || out}/`);
}
