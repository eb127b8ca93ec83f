// Light-client vectors from a real CometBFT: starts a 1-validator and a 4-validator (powers 30,10,10,10)
// network running the engine's kvstore app on 127.0.0.1, sends a few txs, records /commit and
// /validators for some heights as the RPC returned them, plus their protobuf forms (the bytes a device
// is given). `npx tsx test/vectors/lightclient-generate.ts` writes test/vectors/lightclient.json;
// test/ledger/lightclient.test.ts (TypeScript) and test/firmware/lightclient.test.ts (C) check them.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import types from "cosmjs-types/tendermint/types/types";
const { SignedHeader } = types;
import { hex } from "../../ledger/bytes.ts";
import { encodeValidatorSet, signedHeaderFromRpc, validatorsFromRpc, verifyCommit } from "../../ledger/lightclient.ts";
import { cometbftBinary, COMETBFT_VERSION, startKvstoreNet } from "../helpers/cometbft.ts";

export interface LightBlock {
  height: string;
  /** /commit's result.signed_header, as returned. */
  signedHeader: any;
  /** tendermint.types.SignedHeader protobuf, hex. */
  signedHeaderProto: string;
}

export interface LightChain {
  name: string;
  chainId: string;
  /** /validators' result.validators at these heights (the set does not change). */
  validators: any[];
  /** tendermint.types.ValidatorSet protobuf (validators and total only), hex. */
  validatorSetProto: string;
  blocks: LightBlock[];
}

export interface LightVectors {
  source: string;
  chains: LightChain[];
}

async function record(bin: string, name: string, powers: number[]): Promise<LightChain> {
  const net = await startKvstoreNet(bin, powers);
  try {
    await net.waitHeight(2);
    const txHeights: number[] = [];
    for (const kv of ["device=mote", "reading=42"]) {
      const r = await net.call("broadcast_tx_commit", { tx: Buffer.from(kv).toString("base64") });
      if (r.tx_result?.code !== 0 && r.tx_result?.code !== undefined) throw new Error(`kvstore refused ${kv}: ${JSON.stringify(r)}`);
      txHeights.push(Number(r.height));
    }
    // The block after a tx's block carries the app hash that includes it.
    const heights = [...new Set([2, ...txHeights.map((h) => h + 1)])].sort((a, b) => a - b);
    await net.waitHeight(Math.max(...heights) + 1);
    const blocks: LightBlock[] = [];
    let validators: any[] | null = null;
    for (const h of heights) {
      const c = await net.call("commit", { height: String(h) });
      const v = await net.call("validators", { height: String(h), per_page: "100" });
      if (validators && JSON.stringify(validators) !== JSON.stringify(v.validators.map(stripPriority))) throw new Error("validator set changed");
      validators = v.validators.map(stripPriority);
      const sh = signedHeaderFromRpc(c.signed_header);
      verifyCommit(validatorsFromRpc(validators!), sh, net.chainId); // the vectors must be genuine
      blocks.push({ height: String(h), signedHeader: c.signed_header, signedHeaderProto: hex(SignedHeader.encode(sh).finish()) });
    }
    return { name, chainId: net.chainId, validators: validators!, validatorSetProto: hex(encodeValidatorSet(validatorsFromRpc(validators!))), blocks };
  } finally {
    await net.stop();
  }
}

// Proposer priorities change every height and take no part in the set's hash.
const stripPriority = (v: any): any => ({ ...v, proposer_priority: "0" });

const bin = cometbftBinary();
if (!bin) {
  console.error(`cometbft v${COMETBFT_VERSION} is not installed (set MOTE_COMETBFT or install it under ~/.cache/mote)`);
  process.exit(1);
}
const vectors: LightVectors = {
  source: `cometbft v${COMETBFT_VERSION} --proxy_app=kvstore, recorded by test/vectors/lightclient-generate.ts`,
  chains: [await record(bin, "one validator", [10]), await record(bin, "four validators, powers 30 10 10 10", [30, 10, 10, 10])],
};
const out = join(dirname(fileURLToPath(import.meta.url)), "lightclient.json");
writeFileSync(out, JSON.stringify(vectors, null, 2) + "\n");
console.log(`wrote ${out}: ${vectors.chains.map((c) => `${c.name} (${c.blocks.length} blocks)`).join(", ")}`);
