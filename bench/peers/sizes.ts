// Mote module sizes beside their EVM peers: each contracts/NAME.mote compiled as the budgets measure it
// (module bytes; the .abi.json metadata is not part of a module), or the reason it has no size.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compileFile } from "../../compiler/index.ts";

const root = new URL("../../", import.meta.url).pathname;

export interface MoteSize {
  bytes: number;
  source: string;
}

/** Module bytes per Mote contract name; null when the contract does not exist or does not compile. */
export async function moteContractBytes(names: readonly string[]): Promise<Record<string, MoteSize | null>> {
  const out: Record<string, MoteSize | null> = {};
  for (const name of names) {
    const src = `contracts/${name}.mote`;
    const r = existsSync(join(root, src)) ? compileFile(join(root, src)) : undefined;
    out[name] = r?.module ? { bytes: r.module.length, source: src } : null;
  }
  return out;
}
