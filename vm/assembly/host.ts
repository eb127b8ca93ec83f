// The host functions the VM imports (module "env"), exactly as docs/host-abi.md specifies them.
// Pointers and lengths are into linear memory; the VM never passes a range outside MEMORY_USED.

@external("env", "host_sload")
export declare function host_sload(keyPtr: i32, keyLen: i32, outPtr: i32, outCap: i32): i32;

@external("env", "host_sstore")
export declare function host_sstore(keyPtr: i32, keyLen: i32, valPtr: i32, valLen: i32): i32;

@external("env", "host_xload")
export declare function host_xload(idPtr: i32, keyPtr: i32, keyLen: i32, outPtr: i32, outCap: i32): i32;

@external("env", "host_emit")
export declare function host_emit(ptr: i32, len: i32): i32;

@external("env", "host_sha256")
export declare function host_sha256(ptr: i32, len: i32, outPtr: i32): void;

@external("env", "host_ed25519_verify")
export declare function host_ed25519_verify(pubkeyPtr: i32, msgPtr: i32, msgLen: i32, sigPtr: i32): i32;

@external("env", "host_balance")
export declare function host_balance(idPtr: i32, outPtr: i32): i32;

@external("env", "host_pay")
export declare function host_pay(toPtr: i32, amountPtr: i32): i32;

// Only in the trace build (`--use MOTE_TRACE=1`, vm/build/mote-trace.wasm): called before each
// instruction with its address, the running function's code base, the stack pointer, the cached top
// of the operand stack and the gas left. The ordinary build never references it, so it has no such import.
@external("env", "host_trace")
export declare function host_trace(pc: i32, cb: i32, sp: i32, top: u64, gas: i32): void;
