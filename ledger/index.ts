// The ledger's public surface: what the CLI, the contract-test helper and the demo import.
// Everything here takes module bytes, never source (see ../shared/ARCHITECTURE.md).
export { Ledger, resolveSelector } from "./ledger.ts";
export type { LedgerOptions, TxOptions, TxOutcome, SubmitResult, DeployResult, CallTxResult, EventRecord, EventFilter, StorageProof } from "./ledger.ts";
export { KeyPair, readKeyFile, writeKeyFile, verifySignature } from "./keys.ts";
export { LedgerApp, BlockBuilder, type ContractVM } from "./app.ts";
export { decodeTx, encodeUnsignedTx, signTx, txSignatureValid, type SignedTx, type UnsignedTx } from "./tx.ts";
export { decodeBlock, encodeHeader, encodeReceipt, type Block, type BlockHeader, type Receipt, type ReceiptEvent } from "./block.ts";
export { verifyStateProof, encodeStateProof, decodeStateProof, EMPTY_ROOT, type StateProof, type ProofVerdict } from "./proof.ts";
export { verifyInclusion, listRoot, listPath } from "./merkle.ts";
export { encodeExport, parseExport } from "./export.ts";
export { replayChain, type AuditReport } from "./audit.ts";
export { storageKey, accountKey, contractKey, balanceKey, instanceId } from "./state.ts";
export { LEDGER_LIMITS, type ChainParams, type GenesisConfig } from "./params.ts";
export { ChainBroken, DecodeError, LedgerError, TxRejected, type RejectCode } from "./errors.ts";
export { hex, fromHex, type Value } from "./bytes.ts";
export { DEVICE_TAG, deviceMessage, readingMessage, sealedReadingMessage, handoffMessage, signReading } from "./device-message.ts";
