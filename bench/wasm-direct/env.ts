// bench/wasm-direct/env.ts: the host imports of the wasmDirect modules; AssemblyScript names an import module
// after the file that declares it, so these are env.host_* with the Mote host ABI's names and signatures.
// @ts-nocheck: AssemblyScript, not TypeScript (i32, usize); the root tsconfig type-checks bench/ as TS.

export declare function host_sload(keyPtr: usize, keyLen: i32, outPtr: usize, outCap: i32): i32;
export declare function host_sstore(keyPtr: usize, keyLen: i32, valPtr: usize, valLen: i32): i32;
export declare function host_xload(idPtr: usize, keyPtr: usize, keyLen: i32, outPtr: usize, outCap: i32): i32;
export declare function host_emit(ptr: usize, len: i32): i32;
export declare function host_sha256(ptr: usize, len: i32, outPtr: usize): void;
export declare function host_ed25519_verify(pubkeyPtr: usize, msgPtr: usize, msgLen: i32, sigPtr: usize): i32;
