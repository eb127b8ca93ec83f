// The ledger's error types: every rejection or decoding failure names what is wrong and where
// (block, transaction, field, byte offset) in one line, so the CLI can print it as it is.

/** A byte string did not decode: `field` and `offset` say where, relative to the buffer decoded. */
export class DecodeError extends Error {
  constructor(
    readonly what: string,
    readonly field: string,
    readonly offset: number,
  ) {
    super(`${field} at byte ${offset}: ${what}`);
    this.name = "DecodeError";
  }
}

/** A transaction refused before it reaches a block (CheckTx) or while a block is re-validated. */
export class TxRejected extends Error {
  constructor(
    readonly reason: string,
    readonly code: RejectCode,
  ) {
    super(reason);
    this.name = "TxRejected";
  }
}

export type RejectCode =
  | "malformed"
  | "chain_id"
  | "signature"
  | "nonce_replayed"
  | "nonce_skipped"
  | "unknown_contract"
  | "unknown_function"
  | "bad_arguments"
  | "invalid_module"
  | "gas_limit"
  | "gas_price"
  | "insufficient_funds"
  | "block_gas"
  | "state_growth";

/** A chain (store or export) failed an audit or an import; `height` and `tx` locate the break. */
export class ChainBroken extends Error {
  constructor(
    readonly reason: string,
    readonly height: bigint | null,
    readonly tx: number | null = null,
    readonly section: string | null = null,
  ) {
    super(`${ChainBroken.where(height, tx, section)}: ${reason}`);
    this.name = "ChainBroken";
  }

  static where(height: bigint | null, tx: number | null, section: string | null): string {
    if (height === null) return section ?? "chain";
    // A store table's row found wrong at a block: the table first, then the block it belongs to.
    return `${section === null ? "" : `${section}, `}block ${height}${tx === null ? "" : ` tx ${tx}`}`;
  }
}

/** Misuse of the ledger's files or API (wrong data dir, chain id mismatch, unreadable key file). */
export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerError";
  }
}
