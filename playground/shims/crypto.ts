// node:crypto in the playground bundle: the VM host verifies Ed25519 with OpenSSL where Node has it
// (vm/host/ed25519.ts) and falls back to @noble/ed25519, the reference, when no native key can be made.
// A browser has no OpenSSL here, so making a key fails and every verdict comes from @noble.
export function createPublicKey(): never {
  throw new Error("node:crypto is not available in the playground; @noble/ed25519 decides");
}
export function verify(): never {
  throw new Error("node:crypto is not available in the playground; @noble/ed25519 decides");
}
export type KeyObject = never;
