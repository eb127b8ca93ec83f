// Where a measurement script writes its results. The files under bench/results/ are committed records;
// an ordinary run (CI's `npm run bench:budgets`, `npm run rv32`, `npm run gas-report`) writes to the
// git-ignored bench/results/local/ instead, so running a command never dirties the tree. Pass
// `--record` (or set MOTE_RECORD=1) to rewrite the committed record on purpose.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export function recording(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes("--record") || env.MOTE_RECORD === "1";
}

/** The absolute path for result file `name` (its directory created), and that path relative to the repository. */
export function resultPath(name: string, record = recording()): { path: string; rel: string } {
  const rel = record ? `bench/results/${name}` : `bench/results/local/${name}`;
  const path = join(ROOT, rel);
  mkdirSync(dirname(path), { recursive: true });
  return { path, rel };
}
