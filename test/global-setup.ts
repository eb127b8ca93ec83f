// vitest global setup: builds vm/build/mote.wasm, the bundled CLI (dist/) and the firmware hosts once before any test, so test
// files running in parallel never wait on each other's builds (each step is skipped when up to date).
import { buildFastRuntime, buildTraceVm, buildVm } from "../scripts/build-vm.ts";
import { buildCli } from "../scripts/build-cli.ts";
import { buildFirmwareHost } from "../firmware-host/scripts/build.ts";

export default async function setup(): Promise<void> {
  await buildVm({ quiet: true });
  await buildTraceVm({ quiet: true });
  await buildFastRuntime({ quiet: true });
  await buildCli();
  await buildFirmwareHost({ quiet: true });
  await buildFirmwareHost({ quiet: true, sanitized: true });
}
