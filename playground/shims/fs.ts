// node:fs in the playground bundle. The compiler and the VM host import it only to read files from
// disk (sources, vm/build/mote.wasm); the playground hands them text and wasm bytes instead, so any
// call that reaches here is a bug, and says so.
const noFiles = (what: string) => (): never => {
  throw new Error(`${what}: the playground has no file system`);
};
export const readFileSync = noFiles("readFileSync");
export const writeFileSync = noFiles("writeFileSync");
export const existsSync = (): boolean => false;
