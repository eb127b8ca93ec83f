// The `mote run --state FILE` file: the storage of every contract deployed on it, between runs, as JSON
// {"format":"mote-state/2","contracts":[{"module":"0x<id>","storage":{"0x<key>":"0x<value>",...}},...]}
// (contracts by id, keys sorted), written atomically. A mote-state/1 file (one contract) still reads.
import { readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
import { MemoryStateStore } from "../vm/host/index.ts";
import { CliError, fsReason } from "./errors.ts";
import { parseHexArg, toHex } from "./values.ts";
import { quoteInput, quotePath } from "../compiler/escape.ts";

const FORMAT = "mote-state/2";
const FORMAT_V1 = "mote-state/1";

/** The contracts of a state file and their storage. */
export interface RunState {
  store: MemoryStateStore;
  /** Module ids (0x-hex) of the contracts deployed on this state, whether or not they wrote storage. */
  deployed: Set<string>;
}

export function emptyRunState(): RunState {
  return { store: new MemoryStateStore(), deployed: new Set() };
}

export function loadStateFile(path: string): RunState {
  let doc: { format?: unknown; module?: unknown; storage?: unknown; contracts?: unknown };
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if (e instanceof SyntaxError) throw new CliError(`${quotePath(path)}: not a state file (${e.message})`);
    throw new CliError(`${quotePath(path)}: cannot read the state file: ${fsReason(e)}`);
  }
  const state = emptyRunState();
  const addContract = (module: unknown, storage: unknown, where: string): void => {
    if (typeof module !== "string" || !/^0x[0-9a-f]{64}$/.test(module)) throw new CliError(`${quotePath(path)}: ${where}module is not a 32-byte 0x-hex id`);
    if (typeof storage !== "object" || storage === null || Array.isArray(storage)) throw new CliError(`${quotePath(path)}: ${where}storage field is not an object`);
    if (state.deployed.has(module)) throw new CliError(`${quotePath(path)}: ${where}module ${module} appears twice`);
    state.deployed.add(module);
    const id = parseHexArg(module, `${quotePath(path)}: module`);
    for (const [k, v] of Object.entries(storage as Record<string, unknown>)) {
      if (typeof v !== "string") throw new CliError(`${quotePath(path)}: ${where}storage value of ${quoteInput(k)} is not a hex string`);
      state.store.set(id, parseHexArg(k, `${quotePath(path)}: storage key`), parseHexArg(v, `${quotePath(path)}: storage value of ${quoteInput(k)}`));
    }
  };
  if (doc.format === FORMAT_V1) addContract(doc.module, doc.storage, "");
  else if (doc.format === FORMAT) {
    if (!Array.isArray(doc.contracts)) throw new CliError(`${quotePath(path)}: contracts field is not a list`);
    doc.contracts.forEach((c: { module?: unknown; storage?: unknown }, i) => addContract(c?.module, c?.storage, `contracts[${i}]: `));
  } else throw new CliError(`${quotePath(path)}: not a ${FORMAT} state file (format field)`);
  return state;
}

export function saveStateFile(path: string, state: RunState): void {
  const byContract = new Map<string, Record<string, string>>([...state.deployed].map((id) => [id, {}]));
  for (const [c, k, v] of state.store.entries()) {
    const s = byContract.get(c);
    if (s) s[k] = v;
  }
  const contracts = [...byContract.keys()].sort().map((module) => ({ module, storage: byContract.get(module)! }));
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, contracts }, null, 2) + "\n");
    const fd = openSync(tmp, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    // name the file the user gave, never the temporary one beside it
    rmSync(tmp, { force: true });
    throw new CliError(`${quotePath(path)}: cannot write the state file: ${fsReason(e)}`);
  }
}

/** Whether a module (by id) is deployed on this state. */
export function isDeployed(state: RunState, id: Uint8Array): boolean {
  return state.deployed.has(toHex(id));
}
