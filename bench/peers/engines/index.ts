// The peer engines by name, in the order the tables show them (Mote first: every ratio is to Mote's
// interpreter; mote-fast is the same VM with each module translated to WebAssembly, vm/host/fast.ts).
import type { EngineName, PeerEngine } from "../engine.ts";
import { createEvm } from "./evm.ts";
import { createJs } from "./js.ts";
import { createLua } from "./lua.ts";
import { createMote } from "./mote.ts";
import { createQuickJS } from "./quickjs.ts";

export const ENGINE_NAMES: readonly EngineName[] = ["mote", "mote-fast", "lua", "quickjs", "evm", "js"];

export function createEngine(name: EngineName): Promise<PeerEngine> {
  switch (name) {
    case "mote":
      return createMote("interp");
    case "mote-fast":
      return createMote("fast");
    case "lua":
      return createLua();
    case "quickjs":
      return createQuickJS();
    case "evm":
      return createEvm();
    case "js":
      return createJs();
  }
}
