// node:url in the playground bundle: the VM host computes where mote.wasm would be on disk from its own
// URL at import (vm/host WASM_PATH); in a browser that is only a path, never opened.
export function fileURLToPath(u: string | URL): string {
  return new URL(String(u)).pathname;
}
export function pathToFileURL(p: string): URL {
  return new URL(p, "file:///");
}
