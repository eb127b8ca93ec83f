// `mote data` as an operator, a device and readers drive it, run in-process through commander: reader
// keys, readers added and revoked, sealed readings submitted with the guard's observe, and readers
// opening what was sealed to them while an outsider sees ciphertext.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { register as registerData } from "../../cli/commands/data.ts";
import { register as registerLedger } from "../../cli/commands/ledger.ts";
import { inProcessMote, type CliRun } from "../helpers/cli.ts";
import { fromHex, instanceId, readKeyFile } from "../../ledger/index.ts";

const mote = inProcessMote(registerLedger, registerData);

const dir = mkdtempSync(join(tmpdir(), "mote-data-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "chain");
const f = (name: string): string => join(dir, name);
const hexOf = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;

async function ok(...args: string[]): Promise<CliRun> {
  const r = await mote(...args, "--data", data);
  expect(r.code, `${args.join(" ")}: ${r.err}`).toBe(0);
  return r;
}

describe("mote data", () => {
  // the chain the first test creates and the second reuses: instance ids derive from its genesis hash
  let genesis: Uint8Array = new Uint8Array(32);
  it("seals readings to the readers the chain lists, and each reader opens what it may", async () => {
    for (const k of ["operator", "device"]) expect((await mote("keygen", "--out", f(`${k}.key`))).code).toBe(0);
    const readerA = JSON.parse((await mote("data", "keygen", "--out", f("a.reader"), "--json")).out) as { publicKey: string };
    const readerB = JSON.parse((await mote("data", "keygen", "--out", f("b.reader"), "--json")).out) as { publicKey: string };
    await mote("data", "keygen", "--out", f("outsider.reader"));
    expect(statSync(f("a.reader")).mode & 0o777).toBe(0o600);
    expect((await mote("data", "keygen", "--out", f("a.reader"))).err).toMatch(/already exists; refusing to overwrite a key/);

    genesis = fromHex((JSON.parse((await ok("ledger", "init", "--chain-id", "data-cli", "--json")).out) as { genesis: string }).genesis, "genesis");
    const op = readKeyFile(f("operator.key")).publicKey;
    const device = hexOf(readKeyFile(f("device.key")).publicKey);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const id = (n: bigint): string => hexOf(instanceId(genesis, op, n));
    const [registry, guard, attestation, readers] = [id(0n), id(1n), id(2n), id(3n)];
    await ok("tx", "deploy", "contracts/device_registry.mote", "--key", f("operator.key"));
    await ok("tx", "deploy", "contracts/anomaly_guard.mote", registry, attestation, "--key", f("operator.key"));
    await ok("tx", "deploy", "contracts/sensor_attestation.mote", registry, guard, "--key", f("operator.key"));
    await ok("tx", "deploy", "contracts/data_readers.mote", "--key", f("operator.key"));
    await ok("tx", "call", registry, "register", device, "1", `0x${"11".repeat(32)}`, "--key", f("operator.key"));

    // no readers yet: nothing can be sealed
    const none = await mote("data", "submit", "--key", f("device.key"), "--contract", attestation, "--readers", readers, "--nonce", "1", "--value", "20", "--data", data);
    expect(none).toMatchObject({ code: 1, err: expect.stringMatching(/^mote: no readers for reading 1 of this device: add one with mote data readers add\n$/) });

    for (const r of [readerA, readerB]) await ok("data", "readers", "add", "--contract", readers, "--device", device, "--reader", r.publicKey, "--key", f("operator.key"));
    const list = await ok("data", "readers", "list", "--contract", readers, "--device", device, "--seq", "1", "--json");
    expect(JSON.parse(list.out)).toEqual({ readers: [readerA.publicKey, readerB.publicKey] });

    const s1 = await ok("data", "submit", "--key", f("device.key"), "--contract", attestation, "--readers", readers, "--guard", guard, "--nonce", "1", "--value", "21.5",
      "--timestamp", String(now - 20n), "--context", "unit=C line=3", "--json");
    expect(JSON.parse(s1.out)).toMatchObject({ readers: [readerA.publicKey, readerB.publicKey], publicValue: "21.5" });

    const a = await ok("data", "read", "--key", f("a.reader"), "--contract", attestation, "--device", device);
    expect(a.out).toMatch(/^block \d+ reading 1 at \d+: public 21\.5; exact 21\.5; context unit=C line=3\n1 sealed reading\(s\) of [0-9a-f]{64}; 1 opened, 0 refused\n$/);
    const outsider = await ok("data", "read", "--key", f("outsider.reader"), "--contract", attestation, "--device", device);
    expect(outsider.out).toMatch(/reading 1 at \d+: public 21\.5; sealed, not to this key \(\d+ bytes of ciphertext\)\n/);
    expect(outsider.out).not.toContain("unit=C");

    // B is revoked; the next reading, published as a band, is sealed to A only
    await ok("data", "readers", "revoke", "--contract", readers, "--device", device, "--reader", readerB.publicKey, "--key", f("operator.key"));
    await ok("data", "submit", "--key", f("device.key"), "--contract", attestation, "--readers", readers, "--guard", guard, "--nonce", "2", "--value", "23.4", "--band", "5",
      "--timestamp", String(now - 10n), "--context", "after the revocation");
    // the same nonce again: the attestation's refusal, decoded by the ABI kept beside the chain
    const again = await mote("data", "submit", "--key", f("device.key"), "--contract", attestation, "--readers", readers, "--nonce", "2", "--value", "1", "--timestamp", String(now), "--data", data);
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/^mote: the attestation refused the reading: sensor_attestation.mote:\d+:\d+: replayed nonce\n$/) });
    const b = await ok("data", "read", "--key", f("b.reader"), "--contract", attestation, "--device", device, "--json");
    expect(b.out.trim().split("\n").map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(["opened", "not_a_reader"]);
    const a2 = await ok("data", "read", "--key", f("a.reader"), "--contract", attestation, "--device", device, "--band", "5", "--json");
    expect(JSON.parse(a2.out.trim().split("\n")[1]!)).toMatchObject({ nonce: "2", publicValue: "20", value: "23.3999938964843750".replace(/0+$/, ""), status: "opened", publicMatches: true, context: "after the revocation" });
  });

  it("refuses a reader key of small order, a bad device and a missing target with one-line errors", async () => {
    const readers = hexOf(instanceId(genesis, readKeyFile(f("operator.key")).publicKey, 3n));
    const device = hexOf(readKeyFile(f("device.key")).publicKey);
    const zero = await mote("data", "readers", "add", "--contract", readers, "--device", device, "--reader", `0x${"00".repeat(32)}`, "--key", f("operator.key"), "--data", data);
    expect(zero).toMatchObject({ code: 2, err: expect.stringMatching(/^mote: --reader: 0x0{64} is a point of small order; no secret can be shared with it\n$/) });
    const bad = await mote("data", "readers", "list", "--contract", readers, "--device", "0x12", "--data", data);
    expect(bad).toMatchObject({ code: 2, err: "mote: --device: expected 32 bytes of hex (64 digits), got '0x12'\n" });
    const both = await mote("data", "readers", "add", "--contract", readers, "--reader", `0x${"09".repeat(32)}`, "--key", f("operator.key"), "--data", data);
    expect(both).toMatchObject({ code: 2, err: "mote: give exactly one of --device PUBKEY and --group N\n" });
    const notReader = await mote("data", "read", "--key", f("operator.key"), "--contract", readers, "--device", device, "--data", data);
    expect(notReader).toMatchObject({ code: 1, err: expect.stringMatching(/not a reader key file/) });
  });
});
