// The `mote run --state FILE` file: one contract's storage between runs, as JSON
// {"format":"mote-state/1","module":"0x<id>","storage":{"0x<key>":"0x<value>",...}}, written atomically.
import { readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
import { MemoryStateStore } from "../vm/host/index.ts";
import { CliError, fsReason } from "./errors.ts";
import { parseHexArg, toHex } from "./values.ts";
import { quoteInput, quotePath } from "../compiler/escape.ts";

const FORMAT = "mote-state/1";

export function loadStateFile(path: string, id: Uint8Array): MemoryStateStore {
  let doc: { format?: unknown; module?: unknown; storage?: unknown };
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if (e instanceof SyntaxError) throw new CliError(`${quotePath(path)}: not a state file (${e.message})`);
    throw new CliError(`${quotePath(path)}: cannot read the state file: ${fsReason(e)}`);
  }
  if (doc.format !== FORMAT) throw new CliError(`${quotePath(path)}: not a ${FORMAT} state file (format field)`);
  if (doc.module !== toHex(id)) throw new CliError(`${quotePath(path)}: holds the state of module ${String(doc.module)}, not of ${toHex(id)}`);
  if (typeof doc.storage !== "object" || doc.storage === null) throw new CliError(`${quotePath(path)}: storage field is not an object`);
  const store = new MemoryStateStore();
  for (const [k, v] of Object.entries(doc.storage as Record<string, unknown>)) {
    if (typeof v !== "string") throw new CliError(`${quotePath(path)}: storage value of ${quoteInput(k)} is not a hex string`);
    store.set(id, parseHexArg(k, `${quotePath(path)}: storage key`), parseHexArg(v, `${quotePath(path)}: storage value of ${quoteInput(k)}`));
  }
  return store;
}

export function saveStateFile(path: string, id: Uint8Array, store: MemoryStateStore): void {
  const idHex = toHex(id);
  const storage: Record<string, string> = {};
  const rows = [...store.entries()].filter(([c]) => c === idHex).sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  for (const [, k, v] of rows) storage[k] = v;
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, module: idHex, storage }, null, 2) + "\n");
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
