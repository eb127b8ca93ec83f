// The compiler's name and version as recorded in every ABI file it writes.
// Bump the version when generated code or the ABI format changes, so metadata says which compiler made it.
export const COMPILER_NAME = "motec";
export const COMPILER_VERSION = "0.1.0";
