// Commits recorded from a real CometBFT (test/vectors/lightclient.json, see lightclient-generate.ts), shared by
// the light-client tests: one chain of a single validator and one of four, and their blocks decoded from RPC JSON.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SignedHeader as SignedHeaderT } from "cosmjs-types/tendermint/types/types";
import { signedHeaderFromRpc, validatorsFromRpc, type Validator } from "../../ledger/lightclient.ts";
import type { LightVectors } from "../vectors/lightclient-generate.ts";

export const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "../vectors/lightclient.json"), "utf8")) as LightVectors;
export const [single, four] = vectors.chains as [LightVectors["chains"][0], LightVectors["chains"][0]];
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));

/** Block i of a recorded chain: its validator set and signed header, as the light client takes them. */
export const load = (chain: typeof single, i = 0): { vals: Validator[]; sh: SignedHeaderT } => ({
  vals: validatorsFromRpc(chain.validators),
  sh: signedHeaderFromRpc(chain.blocks[i]!.signedHeader),
});
