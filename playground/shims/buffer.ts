// The playground bundle's `Buffer` (esbuild `inject`): the compiler and the VM host use Buffer for hex
// and byte comparison; in the browser the `buffer` package provides the same API.
export { Buffer } from "buffer";
