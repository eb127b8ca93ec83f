// `mote verify-proof --node URL CONTRACT KEY`: a storage value read from a node and believed only because
// more than 2/3 of a trusted validator set signed the block whose app hash the proof leads to.
// Parsing and printing only; the work is node/light-rpc.ts and ledger/lightclient.ts.
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { quoteInput, quotePath } from "../../compiler/escape.ts";
import { LightClientError } from "../../ledger/lightclient.ts";
import { LightRpcError, trustFromGenesis, verifiedValue } from "../../node/light-rpc.ts";
import { CliError, fsReason } from "../errors.ts";
import { parseHexArg, toHex } from "../values.ts";
import { parseContractId, parseU64, print } from "./ledger.ts";

export function register(program: Command): void {
  program
    .command("verify-proof")
    .description("read a storage value from a node and verify it: a state proof against the app hash of a block signed by more than 2/3 of the validators")
    .requiredOption("--node <url>", "the node's CometBFT RPC (http://HOST:PORT)")
    .argument("<contract>", "contract id (hex)")
    .argument("<key>", "raw storage key (0x-hex, as `mote ledger prove` prints it)")
    .option("--genesis <file>", "trust the validators of this genesis.json (default: the node's own /genesis)")
    .option("--height <n>", "prove the state after this committed block (default: the latest)")
    .option("--json", "print machine-readable JSON")
    .action(async (contractText: string, keyText: string, opts: { node: string; genesis?: string; height?: string; json?: boolean }) => {
      const contract = parseContractId(contractText);
      const key = parseHexArg(keyText, "key");
      if (key.length === 0) throw new CliError(`key: a storage key is at least one byte, got '${quoteInput(keyText)}'`, 2);
      const height = opts.height === undefined ? undefined : parseU64(opts.height, "--height");
      let genesis: unknown;
      if (opts.genesis !== undefined) {
        try {
          genesis = JSON.parse(readFileSync(opts.genesis, "utf8"));
        } catch (e) {
          throw new CliError(`${quotePath(opts.genesis)}: ${e instanceof SyntaxError ? "not JSON" : fsReason(e)}`);
        }
      }
      try {
        const trust = await trustFromGenesis(opts.node, genesis);
        const r = await verifiedValue(opts.node, trust, contract, key, { height });
        const h = r.header;
        const json = {
          chainId: h.chainId,
          contract: toHex(contract),
          key: toHex(key),
          present: r.value !== null,
          value: r.value === null ? null : toHex(r.value),
          stateHeight: r.stateHeight.toString(),
          block: h.height.toString(),
          appHash: toHex(h.appHash),
          signers: h.signers,
          validators: h.validators,
          signedPower: h.signedPower.toString(),
          totalPower: h.totalPower.toString(),
        };
        const lines = [
          r.value === null ? "value: absent" : `value: ${toHex(r.value)}`,
          `verified by ${h.signers} of ${h.validators} validators (power ${h.signedPower} of ${h.totalPower}): block ${h.height} of ${h.chainId}, state after block ${r.stateHeight}`,
        ];
        print(opts, json, lines.join("\n"));
      } catch (e) {
        if (e instanceof LightClientError) throw new CliError(`not verified: ${e.message}`);
        if (e instanceof LightRpcError) throw new CliError(e.message);
        throw e;
      }
    });
}
