// The small fleet end to end (npm run fleet, scripts/fleet.ts): 4 validators, 3 devices each driven through
// the C SDK's process, one drifting until the guard isolates it and its next reading is refused, one validator
// SIGKILLed midway; every device verifies its own status in C against a commit of the validators, and every
// acknowledged transaction is in its block on every node. Then the same real inputs, altered, go back to the
// C verifier under AddressSanitizer and UBSan: each forgery refused with its own code, never a crash.
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import types from "cosmjs-types/tendermint/types/types";
import validator from "cosmjs-types/tendermint/types/validator";
import { ensureCometbft } from "../../node/cometbft.ts";
import { LIGHT_ERRORS } from "../../ledger/lightclient.ts";
import { ASAN_DEVICE_PATH, buildFirmwareHost } from "../../firmware-host/scripts/build.ts";
import { runFleet, type FleetSummary, type VerifiedStatus } from "../../scripts/fleet.ts";

const { SignedHeader } = types;
const { BlockIDFlag, ValidatorSet } = validator;
const x = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;

let s: FleetSummary;

function verifyState(st: VerifiedStatus, o: { header?: Uint8Array; valset?: Uint8Array; key?: Uint8Array; proof?: Uint8Array; chain?: string } = {}) {
  const r = spawnSync(ASAN_DEVICE_PATH, ["verify-state", "--chain", o.chain ?? st.chainId, "--valset", x(o.valset ?? st.valset), "--signed-header", x(o.header ?? st.signedHeader),
    "--state-key", x(o.key ?? st.stateKey), x(o.proof ?? st.proof)], { encoding: "utf8" });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** The refusal's number and name, as ledger/lightclient.ts's LIGHT_ERRORS has them. */
function refusedAs(r: { code: number | null; err: string }, name: keyof typeof LIGHT_ERRORS): void {
  expect(r.err).toMatch(new RegExp(`^mote-device: ${LIGHT_ERRORS[name]} ${name}: `));
  expect(r.err).not.toContain("\n");
  expect(r.code).toBe(1);
}

describe("a fleet of C SDK devices on a 4-validator network", () => {
  beforeAll(async () => {
    await ensureCometbft({ log: (l) => process.stderr.write(`${l}\n`) });
    await buildFirmwareHost({ quiet: true, sanitized: true });
    s = await runFleet({ devices: 3, validators: 4, killValidator: true });
  }, 600_000);

  it("isolates the drifting device, refuses its next reading, and loses nothing acknowledged with a validator killed", () => {
    expect(s.isolationHeight).not.toBeNull();
    expect(s.isolatedDevices).toEqual([s.drifter]);
    expect(s.readingsRefused).toBe(1);
    expect(s.refusedMessage).toBe("device isolated by the anomaly guard");
    // every device reported every round but the drifter: isolated by the observe of its third anomalous reading
    // (round rounds - 2), refused in the next round, silent in the last
    expect(s.readingsAccepted).toBe(s.devices * s.rounds - 2);
    expect(s.killed).toBe(3);
    expect(s.acknowledged).toBe(s.readingsAccepted + s.readingsRefused);
    expect(s.acknowledgedFound).toBe(s.acknowledged);
    expect(s.nodesChecked.sort()).toEqual([0, 1, 2, 3]);
    expect(s.proofsVerified).toBe(3);
    expect(s.forgedHeaderRefused).toMatch(/^4 header_hash: /);
  });

  it("verifies each device's status in C under ASan/UBSan, and refuses every altered input with its own code", () => {
    const st = s.statuses[0]!;
    const ok = verifyState(st);
    expect(ok.err).toBe("");
    const vs = ValidatorSet.decode(st.valset);
    const each = vs.validators[0]!.votingPower;
    expect(vs.validators.every((v) => v.votingPower === each)).toBe(true);
    expect(ok.out).toBe(`value ${x(st.value)} height=${st.block} signers=${st.signers} validators=4 power=${BigInt(st.signers) * each}/${4n * each}`);

    // a commit signed by too little power: two of four precommits marked absent
    const sh = SignedHeader.decode(st.signedHeader);
    const weak = structuredClone(sh);
    let dropped = 0;
    for (const sig of weak.commit!.signatures) {
      if (dropped < 2 && sig.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT) {
        sig.blockIdFlag = BlockIDFlag.BLOCK_ID_FLAG_ABSENT;
        dropped++;
      }
    }
    refusedAs(verifyState(st, { header: SignedHeader.encode(weak).finish() }), "insufficient_power");
    // a forged header: the app hash changed under the same commit
    const forged = structuredClone(sh);
    forged.header!.appHash[0]! ^= 1;
    refusedAs(verifyState(st, { header: SignedHeader.encode(forged).finish() }), "header_hash");
    // another chain
    refusedAs(verifyState(st, { chain: `${st.chainId}-other` }), "chain_id");
    // a proof for another device's key
    const other = s.statuses[1]!;
    refusedAs(verifyState(st, { key: other.stateKey }), "proof_key");
    // a proof against another root: this device's proof with a header of another height
    const later = s.statuses.find((t) => t.block !== st.block);
    if (later) refusedAs(verifyState(st, { header: later.signedHeader }), "proof_root");
    const flipped = st.proof.slice();
    flipped[flipped.length - 1]! ^= 1;
    refusedAs(verifyState(st, { proof: flipped }), "proof_root");
    // truncated and padded messages
    refusedAs(verifyState(st, { proof: st.proof.subarray(0, st.proof.length - 1) }), "proof_malformed");
    refusedAs(verifyState(st, { proof: Uint8Array.of(...st.proof, 0) }), "proof_malformed");
    refusedAs(verifyState(st, { header: st.signedHeader.subarray(0, st.signedHeader.length - 3) }), "malformed");
    refusedAs(verifyState(st, { valset: st.valset.subarray(0, st.valset.length - 1) }), "malformed");
  });
});
