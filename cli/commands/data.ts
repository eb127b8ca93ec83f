// `mote data`: sealed device data from the command line (docs/data.md): reader keys, the readers a
// device seals to (contracts/data_readers.mote), sealing and submitting a reading as a device or its
// gateway does, and reading what a reader key may open, checked against the chain.
import type { Command } from "commander";
import { describeRevert, formatValue, parseArg } from "../../compiler/abi.ts";
import { quoteInput, quotePath } from "../../compiler/escape.ts";
import { band, readSealedReadings, sealReading } from "../../ledger/data.ts";
import { hex } from "../../ledger/index.ts";
import { checkReaderKey, readReaderKeyFile, ReaderKey, SealError, writeReaderKeyFile } from "../../ledger/seal.ts";
import { CliError } from "../errors.ts";
import { toHex } from "../values.ts";
import { guarded, loadKey, openLedger, parseContractId, parseU64, print, storedAbi, type DataOpts } from "./ledger.ts";

function parseKey32(text: string, what: string): Uint8Array {
  const t = text.startsWith("0x") ? text : `0x${text}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(t)) throw new CliError(`${what}: expected 32 bytes of hex (64 digits), got '${quoteInput(text)}'`, 2);
  return new Uint8Array(Buffer.from(t.slice(2), "hex"));
}

function parseFixed(text: string, what: string): bigint {
  try {
    return BigInt.asIntN(64, parseArg(text, "fixed") as bigint);
  } catch (e) {
    throw new CliError(`${what}: ${(e as Error).message}`, 2);
  }
}

function loadReaderKey(path: string): ReaderKey {
  try {
    return readReaderKeyFile(path);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

const fixedText = (v: bigint): string => formatValue(BigInt.asUintN(64, v), "fixed");

export function register(program: Command): void {
  const data = program.command("data").description("sealed device data: reader keys, readers, sealed readings");
  const dataOpt = (c: Command): Command =>
    c.option("--data <dir>", "ledger data directory", ".mote").option("--json", "print machine-readable JSON");

  data
    .command("keygen")
    .description("create a reader's X25519 key file (mode 0600) and print its public key, to register as a reader")
    .requiredOption("--out <file>", "key file to create (never overwritten)")
    .option("--json", "print machine-readable JSON")
    .action(async (opts: { out: string; json?: boolean }) =>
      guarded(() => {
        const k = ReaderKey.generate();
        try {
          writeReaderKeyFile(opts.out, k);
        } catch (e) {
          throw new CliError((e as Error).message);
        }
        print(opts, { file: opts.out, publicKey: toHex(k.publicKey) }, `reader public key ${toHex(k.publicKey)} (secret in ${quotePath(opts.out)}, mode 0600)`);
      }),
    );

  const readers = data.command("readers").description("the readers a device seals to (contracts/data_readers.mote)");
  for (const action of ["add", "revoke"] as const) {
    dataOpt(
      readers
        .command(action)
        .description(action === "add" ? "let a reader's key read a device's (or a group's) next readings" : "stop sealing a device's (or a group's) next readings to a reader's key")
        .requiredOption("--contract <id>", "the data_readers contract instance")
        .option("--device <pubkey>", "the device")
        .option("--group <n>", "a group of devices instead of one device")
        .requiredOption("--reader <pubkey>", "the reader's X25519 public key (from mote data keygen)")
        .option("--key <file>", "the operator's key file"),
    ).action(async (opts: DataOpts & { contract: string; device?: string; group?: string; reader: string; key?: string }) =>
      guarded(async () => {
        const contract = parseContractId(opts.contract);
        const reader = parseKey32(opts.reader, "--reader");
        if (action === "add") {
          try {
            checkReaderKey(reader, "--reader");
          } catch (e) {
            throw new CliError((e as Error).message, 2);
          }
        }
        if ((opts.device === undefined) === (opts.group === undefined)) throw new CliError("give exactly one of --device PUBKEY and --group N", 2);
        const key = loadKey(opts.key);
        const fn = opts.device !== undefined ? `${action === "add" ? "add" : "revoke"}_reader` : `${action === "add" ? "add" : "revoke"}_group_reader`;
        const target = opts.device !== undefined ? parseKey32(opts.device, "--device") : parseU64(opts.group!, "--group");
        const l = await openLedger(opts);
        try {
          const r = l.call(key, contract, fn, [target, reader]);
          if (r.receipt.status !== "ok") throw new CliError(`${fn} failed: ${r.receipt.status}${r.receipt.status === "revert" ? " (run mote tx call for the decoded reason)" : ""}`);
          print(opts, { tx: toHex(r.txId), height: r.height.toString() }, `${action === "add" ? "added" : "revoked"} reader ${toHex(reader)} in block ${r.height}`);
        } finally {
          l.close();
        }
      }),
    );
  }
  dataOpt(
    readers
      .command("list")
      .description("the keys a device seals a reading to")
      .requiredOption("--contract <id>", "the data_readers contract instance")
      .requiredOption("--device <pubkey>", "the device")
      .option("--seq <n>", "the reading's sequence number (nonce)", "0"),
  ).action(async (opts: DataOpts & { contract: string; device: string; seq: string }) =>
    guarded(async () => {
      const l = await openLedger(opts);
      try {
        const keys = readersOf(l, parseContractId(opts.contract), parseKey32(opts.device, "--device"), parseU64(opts.seq, "--seq"));
        print(opts, { readers: keys.map(toHex) }, keys.length ? keys.map(toHex).join("\n") : "(no readers: nothing can be sealed for this reading)");
      } finally {
        l.close();
      }
    }),
  );

  dataOpt(
    data
      .command("submit")
      .description("seal a reading to its readers, sign it with the device key and submit it to the attestation")
      .requiredOption("--key <file>", "the device's key file (signs the reading, and the transaction unless --sender)")
      .requiredOption("--contract <id>", "the sensor attestation contract instance")
      .requiredOption("--readers <id>", "the data_readers contract instance the readers come from")
      .requiredOption("--nonce <n>", "the reading's sequence number (greater than the device's last)")
      .requiredOption("--value <fixed>", "the exact value, e.g. 21.5")
      .option("--band <fixed>", "publish the value rounded down to this band width (readers see the exact value)")
      .option("--context <text>", "what only readers see beside the value (unit, location, raw samples)", "")
      .option("--timestamp <n>", "the reading's timestamp, seconds (default: now)")
      .option("--guard <id>", "also have this anomaly guard observe the reading, in the same block")
      .option("--sender <file>", "the gateway's key file that sends the transaction"),
  ).action(async (opts: DataOpts & { key: string; contract: string; readers: string; nonce: string; value: string; band?: string; context: string; timestamp?: string; guard?: string; sender?: string }) =>
    guarded(async () => {
      const device = loadKey(opts.key);
      const sender = opts.sender ? loadKey(opts.sender) : device;
      const contract = parseContractId(opts.contract);
      const nonce = parseU64(opts.nonce, "--nonce");
      const value = parseFixed(opts.value, "--value");
      const width = opts.band === undefined ? 0n : parseFixed(opts.band, "--band");
      const timestamp = opts.timestamp === undefined ? BigInt(Math.floor(Date.now() / 1000)) : parseU64(opts.timestamp, "--timestamp");
      const l = await openLedger(opts);
      try {
        const keys = readersOf(l, parseContractId(opts.readers), device.publicKey, nonce);
        if (keys.length === 0) throw new CliError(`no readers for reading ${nonce} of this device: add one with mote data readers add`);
        let s;
        try {
          s = sealReading(device, l.chainId, contract, nonce, { value, timestamp, context: new TextEncoder().encode(opts.context) }, keys, width ? { publicValue: band(value, width) } : {});
        } catch (e) {
          if (e instanceof SealError) throw new CliError(e.message);
          throw e;
        }
        const first = l.nonce(sender.publicKey);
        const txs = [l.signCall(sender, contract, "submit_sealed", [s.device, s.nonce, BigInt.asUintN(64, s.value), s.timestamp, s.sealed, s.signature], { nonce: first })];
        if (opts.guard) txs.push(l.signCall(sender, parseContractId(opts.guard), "observe", [device.publicKey], { nonce: first + 1n }));
        const r = l.submit(txs);
        r.outcomes.forEach((o, i) => {
          if (o.ok && o.receipt.status === "ok") return;
          const what = i === 0 ? "the attestation refused the reading" : "the guard did not observe it";
          if (!o.ok) throw new CliError(`${what}: ${o.error.message}`);
          const abi = storedAbi(opts.data, i === 0 ? contract : parseContractId(opts.guard!));
          const reason = o.receipt.status === "revert" ? ((abi && describeRevert(abi, o.receipt.error)) ?? `error ${o.receipt.error}`) : o.receipt.status;
          throw new CliError(`${what}: ${reason}`);
        });
        print(opts, { height: String(r.outcomes[0]!.ok ? r.outcomes[0]!.height : 0n), sealedBytes: s.sealed.length, readers: keys.map(toHex), publicValue: fixedText(s.value) },
          `sealed reading ${nonce} (${s.sealed.length} bytes) to ${keys.length} reader(s); public value ${fixedText(s.value)}`);
      } finally {
        l.close();
      }
    }),
  );

  dataOpt(
    data
      .command("read")
      .description("fetch a device's sealed readings and open those sealed to your key, each checked against its signature and commitment")
      .requiredOption("--key <file>", "your reader key file (from mote data keygen)")
      .requiredOption("--contract <id>", "the sensor attestation contract instance")
      .requiredOption("--device <pubkey>", "the device")
      .option("--from <height>", "first block to read", "0")
      .option("--band <fixed>", "the band width the operator publishes values in (0: exact)", "0"),
  ).action(async (opts: DataOpts & { key: string; contract: string; device: string; from: string; band: string }) =>
    guarded(async () => {
      const key = loadReaderKey(opts.key);
      const contract = parseContractId(opts.contract);
      const device = parseKey32(opts.device, "--device");
      const width = parseFixed(opts.band, "--band");
      const l = await openLedger(opts);
      try {
        const results = readSealedReadings(l.events({ contract, fromHeight: parseU64(opts.from, "--from") }), { chainId: l.chainId, contract, device, key, band: width });
        const refused = results.filter((r) => r.outcome.status === "refused").length;
        if (opts.json) {
          for (const r of results) {
            const o = r.outcome;
            process.stdout.write(`${JSON.stringify({
              height: r.height.toString(), nonce: r.nonce.toString(), publicValue: fixedText(r.value), timestamp: r.timestamp.toString(), status: o.status,
              ...(o.status === "opened" ? { value: fixedText(o.payload.value), context: new TextDecoder().decode(o.payload.context), publicMatches: o.publicMatches } : {}),
              ...(o.status === "refused" ? { reason: o.reason } : {}),
            })}\n`);
          }
        } else {
          for (const r of results) {
            const o = r.outcome;
            const head = `block ${r.height} reading ${r.nonce} at ${r.timestamp}: public ${fixedText(r.value)}`;
            if (o.status === "opened") {
              process.stdout.write(`${head}; exact ${fixedText(o.payload.value)}${o.publicMatches ? "" : " (DOES NOT MATCH the public value)"}; context ${quoteInput(new TextDecoder().decode(o.payload.context), 200)}\n`);
            } else if (o.status === "not_a_reader") process.stdout.write(`${head}; sealed, not to this key (${r.sealedBytes} bytes of ciphertext)\n`);
            else process.stdout.write(`${head}; REFUSED: ${o.reason}\n`);
          }
          process.stdout.write(`${results.length} sealed reading(s) of ${hex(device)}; ${results.filter((r) => r.outcome.status === "opened").length} opened, ${refused} refused\n`);
        }
        if (refused > 0) throw new CliError("", 1);
      } finally {
        l.close();
      }
    }),
  );
}

/** What data_readers.mote answers for (device, seq): the keys to seal to. */
function readersOf(l: Awaited<ReturnType<typeof openLedger>>, readers: Uint8Array, device: Uint8Array, seq: bigint): Uint8Array[] {
  const r = l.view(readers, "readers_for", [device, seq]);
  if (r.status !== "ok") throw new CliError(`readers_for on ${toHex(readers)} failed: ${r.status} (is it a data_readers contract?)`);
  const b = r.returns[0];
  if (!(b instanceof Uint8Array) || b.length % 32 !== 0) throw new CliError(`readers_for on ${toHex(readers)} did not return a list of 32-byte keys`);
  return Array.from({ length: b.length / 32 }, (_, i) => b.slice(i * 32, i * 32 + 32));
}
