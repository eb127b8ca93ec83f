// What the Mote node says over CometBFT's RPC beyond raw bytes: reject codes (CheckTx / ExecTxResult
// `code` and `codespace`), the abci_query paths and the JSON their answers hold. Shared by the
// application (node/app.ts) and its clients (node/client.ts), so both read one definition.
import type { RejectCode, Value } from "../ledger/index.ts";

/**
 * ABCI result codes: 0 is ok; each ledger rejection has its own code, in this fixed order (appending
 * only), and its name as the codespace, so `mote tx --node` prints "rejected (NAME): LOG" as embedded.
 */
export const RESULT_CODES = [
  "malformed",
  "chain_id",
  "signature",
  "nonce_replayed",
  "nonce_skipped",
  "unknown_contract",
  "unknown_function",
  "bad_arguments",
  "invalid_module",
  "gas_limit",
  "gas_price",
  "insufficient_funds",
  "block_gas",
  // the node's own refusals, beyond the ledger's
  "oversized",
  "not_ready",
  "internal",
  "bad_query",
  // appended: the ledger's refusals added later
  "state_growth",
] as const;
export type ResultCodeName = RejectCode | (typeof RESULT_CODES)[number];

export function resultCode(name: ResultCodeName): number {
  const i = (RESULT_CODES as readonly string[]).indexOf(name);
  return i < 0 ? RESULT_CODES.indexOf("internal") + 1 : i + 1;
}

export const NODE_LIMITS = {
  MAX_TX_BYTES: {
    value: 256 * 1024,
    why: "Bytes of one transaction the node's CheckTx accepts: a deploy of the largest module with room to spare, well under CometBFT's 1 MiB mempool cap so the refusal carries a ledger code.",
  },
  BLOCK_GAS_LIMIT: {
    value: 1_000_000_000,
    why:
      "The block gas limit a network's genesis gets from `mote net up` / `mote node init` (--block-gas-limit to change it): 10x the " +
      "ledger's embedded default (LEDGER_LIMITS.DEFAULT_BLOCK_GAS_LIMIT), so a block holds about 170 token transfers (about 5.8 M gas " +
      "each at the state prices) instead of 17, which under load had capped a network's committed tx/s (npm run bench:net). The " +
      "trade-off: a block at the limit takes up to 10x as long to execute and commit; bench:ledger-cost measured the slowest 10^8 " +
      "block at 47-73 ms at 10^6 entries since the state tree is stored in chunks (docs/gas.md), so the limit stays within the " +
      "1 s block-commit goal.",
  },
} as const;

/**
 * abci_query paths (docs/network.md):
 *   /prove    data = contract id (32) || storage key  -> value = proof bytes (ledger/proof.ts), height = the
 *             committed height proved against (its app hash is in the header of height + 1)
 *   /view     data = JSON ViewQuery                  -> value = JSON ViewAnswer
 *   /events   data = JSON EventQuery                 -> value = JSON EventAnswer[]
 *   /account  data = account or contract id (32)     -> value = JSON {nonce, pendingNonce, balance}
 *   /params   data = empty                           -> value = JSON {chainId, height, minGasPrice, blockGasLimit, feeAccount}
 *   /contract data = contract id (32)                -> value = the module bytes it runs (absent: code unknown_contract)
 */
export const QUERY_PATHS = ["/prove", "/view", "/events", "/account", "/params", "/contract"] as const;

/** A value in JSON: an integer as a decimal string, bytes as {"bytes": hex}. */
export type ValueJson = string | { bytes: string };

export function valueToJson(v: Value): ValueJson {
  return typeof v === "bigint" ? BigInt.asUintN(64, v).toString() : { bytes: Buffer.from(v).toString("hex") };
}

export function valueFromJson(j: unknown): Value {
  if (typeof j === "string" && /^[0-9]{1,20}$/.test(j)) return BigInt(j);
  if (typeof j === "object" && j !== null && typeof (j as { bytes?: unknown }).bytes === "string" && /^([0-9a-f]{2})*$/.test((j as { bytes: string }).bytes)) {
    return new Uint8Array(Buffer.from((j as { bytes: string }).bytes, "hex"));
  }
  throw new RangeError(`not a value: ${JSON.stringify(j)?.slice(0, 80)} (a decimal string or {"bytes": hex})`);
}

export interface ViewQuery {
  contract: string;
  fn: string | number;
  args: ValueJson[];
  caller?: string;
}

export interface ViewAnswer {
  height: string;
  status: string;
  gasUsed: number;
  error: number | null;
  returns: ValueJson[];
  events: { topic: number; values: ValueJson[] }[];
  stopOffset: number | null;
}

export interface EventQuery {
  contract?: string;
  topic?: number;
  fromHeight?: string;
  toHeight?: string;
}

export interface EventAnswer {
  height: string;
  tx: number;
  index: number;
  txId: string;
  contract: string;
  topic: number;
  values: ValueJson[];
}
