// vitest global setup: builds vm/build/mote.wasm once before any test (skipped when it is up to date).
import { buildVm } from "../scripts/build-vm.ts";

export default async function setup(): Promise<void> {
  await buildVm({ quiet: true });
}
