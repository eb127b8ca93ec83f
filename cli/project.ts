// A Mote project: the directory holding `mote.json`, which names the contracts, their init arguments and
// where the tests are:
//
//   { "contracts": { "Counter": { "source": "contracts/counter.mote", "init": ["0"] } },
//     "tests": "tests" }
//
// Init arguments are text, parsed by the contract's ABI as on the command line.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { quotePath } from "../compiler/escape.ts";
import { CliError, fsReason } from "./errors.ts";

export const CONFIG_FILE = "mote.json";

export interface ProjectConfig {
  contracts: Record<string, { source: string; init?: string[] }>;
  tests: string;
}

export interface Project {
  root: string;
  config: ProjectConfig;
}

/** The project whose mote.json is in `from` or the nearest directory above it, or undefined. */
export function findProject(from: string = process.cwd()): Project | undefined {
  for (let d = resolve(from); ; d = dirname(d)) {
    const p = join(d, CONFIG_FILE);
    if (existsSync(p)) return { root: d, config: readConfig(p) };
    if (dirname(d) === d) return undefined;
  }
}

export function readConfig(path: string): ProjectConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if (e instanceof SyntaxError) throw new CliError(`${quotePath(path)}: not valid JSON (${e.message})`);
    throw new CliError(`${quotePath(path)}: cannot read: ${fsReason(e)}`);
  }
  const d = doc as { contracts?: unknown; tests?: unknown };
  if (typeof d !== "object" || d === null || typeof d.contracts !== "object" || d.contracts === null || Array.isArray(d.contracts)) {
    throw new CliError(`${quotePath(path)}: field contracts: expected an object of NAME: {"source": FILE, "init": [ARG, ...]}`);
  }
  for (const [name, c] of Object.entries(d.contracts as Record<string, unknown>)) {
    const cc = c as { source?: unknown; init?: unknown };
    if (typeof cc !== "object" || cc === null || typeof cc.source !== "string") throw new CliError(`${quotePath(path)}: contracts.${name}.source: expected a file name`);
    if (cc.init !== undefined && (!Array.isArray(cc.init) || cc.init.some((a) => typeof a !== "string"))) {
      throw new CliError(`${quotePath(path)}: contracts.${name}.init: expected an array of strings (arguments as on the command line)`);
    }
  }
  if (d.tests !== undefined && typeof d.tests !== "string") throw new CliError(`${quotePath(path)}: field tests: expected a directory name`);
  return { contracts: d.contracts as ProjectConfig["contracts"], tests: (d.tests as string | undefined) ?? "tests" };
}

/** Every `*.t.mote` under `dir`, sorted. */
export function findTestFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".t.mote") && statSync(p).isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}
