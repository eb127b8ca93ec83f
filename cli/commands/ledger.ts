// `mote keygen`, `mote ledger init|show|view|export|import`, `mote tx deploy|call|sign|submit`, `mote events`,
// `mote prove` and `mote audit`: parsing and printing only; the work lives in ledger/.
import type { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { MoteVM, resultToJson, type CallResult } from "../../vm/host/index.ts";
import { LEDGER_ENGINE } from "../../ledger/ledger.ts";
import { decodeModule, ModuleFormatError } from "../../vm/spec/module.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { describeRevert, locateStop, formatEvent, formatValue, functionByName, parseArg, type Abi, type SourcePos } from "../../compiler/abi.ts";
import {
  instanceId,
  ChainBroken,
  DecodeError,
  KeyPair,
  Ledger,
  LEDGER_LIMITS,
  LedgerError,
  TxRejected,
  readKeyFile,
  verifyStateProof,
  writeKeyFile,
  type AuditReport,
  type Receipt,
  type Value,
} from "../../ledger/index.ts";
import type { DecodedBlock } from "../../ledger/block.ts";
import { decodeTx, signTx, type SignedTx, type TxBody } from "../../ledger/tx.ts";
import { resolveSelector } from "../../ledger/ledger.ts";
import { CliError, fsReason } from "../errors.ts";
import { checkAbiMatches } from "../abi-file.ts";
import { parseHexArg, parseIntArg, toHex } from "../values.ts";
import { quoteInput, quotePath } from "../../compiler/escape.ts";
import { BUILTIN_TYPES, mapKeyHashed, MAX_MAP_KEY } from "../../compiler/types.ts";
import { NodeError } from "../../node/client.ts";
import { RemoteLedger } from "../../node/remote.ts";
import type { EventRecord, StorageProof } from "../../ledger/ledger.ts";

const DEFAULT_DATA = ".mote";
const DEFAULT_CHAIN_ID = "mote-devnet";

export interface DataOpts {
  data: string;
  json?: boolean;
}

/** Turns the ledger's one-line errors into CLI errors; anything else is a bug and keeps its stack. */
export async function guarded<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof TxRejected) throw new CliError(`rejected (${e.code}): ${e.message}`);
    if (e instanceof NodeError) throw new CliError(e.message);
    if (e instanceof LedgerError || e instanceof ChainBroken || e instanceof DecodeError || e instanceof RangeError) throw new CliError(e.message);
    throw e;
  }
}

export async function openLedger(opts: DataOpts, clock?: () => bigint): Promise<Ledger> {
  return Ledger.open(resolve(opts.data), { vm: await MoteVM.create({ engine: LEDGER_ENGINE }), clock });
}

/** The embedded devnet in --data, or with --node a network node through its RPC (node/remote.ts). */
async function openSource(opts: DataOpts & { node?: string }): Promise<Ledger | RemoteLedger> {
  return opts.node === undefined ? openLedger(opts) : RemoteLedger.connect(opts.node);
}

const NODE_HELP = "talk to this node's RPC (http://HOST:PORT, e.g. from mote net up) instead of the embedded devnet in --data";

export function print(opts: { json?: boolean }, json: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
}

export function parseU64(text: string, what: string): bigint {
  if (!/^[0-9]+$/.test(text)) throw new CliError(`${what}: expected a non-negative integer, got '${quoteInput(text)}'`, 2);
  const v = BigInt(text);
  if (v >= 2n ** 64n) throw new CliError(`${what}: ${text} exceeds 2^64-1`, 2);
  return v;
}

function parseGas(text: string | undefined): number {
  if (text === undefined) return LEDGER_LIMITS.DEFAULT_TX_GAS.value;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || Number(text) > LIMITS.MAX_GAS.value) {
    throw new CliError(`--gas: expected an integer in 1..${LIMITS.MAX_GAS.value}, got '${quoteInput(text)}'`, 2);
  }
  return Number(text);
}

export function parseContractId(text: string): Uint8Array {
  const t = text.startsWith("0x") ? text : `0x${text}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(t)) throw new CliError(`contract: expected a 32-byte contract id in hex (64 digits), got '${quoteInput(text)}'`, 2);
  return parseHexArg(t.toLowerCase(), "contract");
}

function readFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new CliError(`${quotePath(path)}: no such file`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`${quotePath(path)}: cannot read: ${fsReason(e)}`);
  }
}

/** A module to deploy: a .mbc (with FILE.abi.json beside it if present) or a .mote source compiled now. */
async function loadDeployModule(file: string): Promise<{ module: Uint8Array; abi: Abi | undefined }> {
  let module: Uint8Array;
  let abi: Abi | undefined;
  if (file.endsWith(".mote")) {
    if (!existsSync(file)) throw new CliError(`${quotePath(file)}: no such file`);
    const { compileFile, formatDiagnostic, readSourceFile } = await import("../../compiler/index.ts");
    const out = compileFile(file);
    for (const d of out.diagnostics) process.stderr.write(`${formatDiagnostic(d, readSourceFile(d.file) ?? "")}\n`);
    const errors = out.diagnostics.filter((d) => d.severity === "error").length;
    if (errors > 0 || !out.module || !out.abi) throw new CliError(`${quotePath(file)}: ${errors} compile error(s)`);
    module = out.module;
    abi = out.abi;
  } else {
    module = readFile(file);
    const beside = file.replace(/\.mbc$/, "") + ".abi.json";
    abi = existsSync(beside) ? readAbi(beside) : undefined;
    if (abi) checkAbiMatches(abi, module, beside, file);
  }
  try {
    decodeModule(module);
  } catch (e) {
    if (e instanceof ModuleFormatError) throw new CliError(`${quotePath(file)}: not a valid module: ${e.message}`);
    throw e;
  }
  return { module, abi };
}

export function loadKey(path: string | undefined): KeyPair {
  if (!path) throw new CliError("--key FILE is required (create one with 'mote keygen --out FILE')", 2);
  if (!existsSync(path)) throw new CliError(`--key ${quotePath(path)}: no such file (create one with 'mote keygen --out FILE')`);
  if (statSync(path).isDirectory()) throw new CliError(`--key ${quotePath(path)}: is a directory, not a key file`);
  try {
    return readKeyFile(path);
  } catch (e) {
    if (e instanceof LedgerError) throw new CliError(e.message);
    throw e;
  }
}

// -- ABIs kept beside the chain (outside consensus data: a convenience for decoding, never trusted) --

function abiPath(data: string, contract: Uint8Array): string {
  return join(resolve(data), "abi", `${Buffer.from(contract).toString("hex")}.abi.json`);
}

function readAbi(path: string): Abi {
  let abi: Abi;
  try {
    abi = JSON.parse(readFileSync(path, "utf8")) as Abi;
  } catch (e) {
    throw new CliError(`${quotePath(path)}: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (!Array.isArray(abi.functions) || !Array.isArray(abi.events) || !Array.isArray(abi.errors)) {
    throw new CliError(`${quotePath(path)}: not a Mote ABI file (functions, events or errors missing)`);
  }
  return abi;
}

export function storedAbi(data: string, contract: Uint8Array): Abi | undefined {
  const p = abiPath(data, contract);
  return existsSync(p) ? readAbi(p) : undefined;
}

/** VM-level argument (no ABI): decimal integers, 0x-hex bytes, true/false. */
function rawArg(text: string, i: number): Value {
  if (text === "true") return 1n;
  if (text === "false") return 0n;
  if (text.startsWith("0x")) return parseHexArg(text, `argument ${i + 1}`);
  return parseIntArg(text, `argument ${i + 1}`);
}

function parseArgs(abi: Abi | undefined, fn: string, texts: string[]): Value[] {
  const f = abi && functionByName(abi, fn);
  if (abi && !f) {
    // a name the ABI does not have is a mistake on the command line (exit 2), like a wrong argument
    if (fn === "init" && texts.length === 0) return [];
    if (fn === "init") throw new CliError(`the contract has no init, so it takes no deploy arguments, got ${texts.length}`, 2);
    throw new CliError(`no public function '${quoteInput(fn)}' in the contract's ABI (it has: ${abi.functions.filter((x) => x.name !== "init").map((x) => x.name).join(", ")})`, 2);
  }
  if (!f) return texts.map(rawArg);
  if (texts.length !== f.params.length) {
    const sig = f.params.map((p) => `${p.name}: ${p.type}`).join(", ");
    throw new CliError(`${fn}(${sig}) takes ${f.params.length} argument(s), got ${texts.length}`, 2);
  }
  return texts.map((t, i) => {
    try {
      return parseArg(t, f.params[i]!.type, f.params[i]!.size);
    } catch (e) {
      throw new CliError(`argument ${i + 1} (${f.params[i]!.name}: ${f.params[i]!.type}): ${(e as Error).message}`, 2);
    }
  });
}

const rawValue = (v: Value): string => (typeof v === "bigint" ? BigInt.asUintN(64, v).toString() : toHex(v));

function receiptJson(r: Receipt): unknown {
  return {
    status: r.status,
    gasUsed: r.gasUsed,
    returns: r.returns.map(rawValue),
    events: r.events.map((e) => ({ topic: String(e.topic >>> 0), values: e.values.map(rawValue) })),
    error: r.status === "revert" || r.status === "invalid_module" ? r.error : null,
    stopOffset: r.stopOffset ?? null,
  };
}

function receiptText(r: Omit<Receipt, "stopOffset"> & { stopOffset?: number | null }, abi: Abi | undefined, fn?: string, module?: Uint8Array): string[] {
  const lines: string[] = [];
  const at = abi && module ? locateStop(abi, module, r.stopOffset) : undefined;
  if (r.status === "ok") lines.push("status: ok");
  else if (r.status === "revert") lines.push(`status: revert: ${(abi && describeRevert(abi, r.error, at)) ?? `error ${r.error}`}`);
  else lines.push(`status: ${at ? `${at.file}:${at.line}:${at.col}: ` : ""}${r.status}${r.error ? ` (code ${r.error})` : ""}`);
  const retType = abi && fn ? functionByName(abi, fn)?.returns : undefined;
  if (r.returns.length) lines.push(`returns: ${r.returns.map((v) => (retType ? formatValue(v, retType) : rawValue(v))).join(", ")}`);
  for (const e of r.events) lines.push(`event ${(abi && formatEvent(abi, e.topic, e.values)) ?? `${e.topic >>> 0}: ${e.values.map(rawValue).join(", ")}`}`);
  lines.push(`gas used: ${r.gasUsed}`);
  return lines;
}

/** Where a receipt's call stopped, resolved through the contract's stored ABI and its module. */
function stopAt(r: Receipt, abi: Abi | undefined, module: Uint8Array | undefined): SourcePos | undefined {
  return abi && module ? locateStop(abi, module, r.stopOffset) : undefined;
}

function blockJson(b: DecodedBlock, abiOf: AbiLookup, moduleOf: ModuleLookup): unknown {
  const h = b.header;
  return {
    height: h.height.toString(),
    hash: toHex(b.hash),
    prevHash: toHex(h.prevHash),
    timestamp: h.timestamp.toString(),
    chainId: h.chainId,
    txRoot: toHex(h.txRoot),
    stateRoot: toHex(h.stateRoot),
    receiptsRoot: toHex(h.receiptsRoot),
    txs: b.txs.map((s, i) => ({
      id: toHex(s.id),
      kind: s.tx.kind,
      sender: toHex(s.tx.sender),
      nonce: s.tx.nonce.toString(),
      gasLimit: s.tx.gasLimit,
      ...(s.tx.kind === "call"
        ? { contract: toHex(s.tx.contract), selector: s.tx.selector, function: abiOf(s.tx.contract)?.functions.find((f) => f.selector >>> 0 === (s.tx as { selector: number }).selector)?.name ?? null }
        : { contract: toHex(instanceId(s.tx.genesisHash, s.tx.sender, s.tx.nonce)), moduleHash: toHex(sha256(s.tx.module)), moduleBytes: s.tx.module.length }),
      args: s.tx.args.map(rawValue),
      receipt: (() => {
        const r = b.receipts[i]!;
        const contract = s.tx.kind === "call" ? s.tx.contract : instanceId(s.tx.genesisHash, s.tx.sender, s.tx.nonce);
        const at = stopAt(r, abiOf(contract), s.tx.kind === "deploy" ? s.tx.module : moduleOf(contract));
        return { ...(receiptJson(r) as object), at: at ? `${at.file}:${at.line}:${at.col}` : null };
      })(),
    })),
  };
}

type AbiLookup = (contract: Uint8Array) => Abi | undefined;
type ModuleLookup = (contract: Uint8Array) => Uint8Array | undefined;

/** A call's function name from the contract's stored ABI, else its selector. */
function fnLabel(abiOf: AbiLookup, contract: Uint8Array, selector: number): string {
  return abiOf(contract)?.functions.find((f) => f.selector >>> 0 === selector)?.name ?? `selector 0x${selector.toString(16).padStart(8, "0")}`;
}

function blockText(b: DecodedBlock, abiOf: AbiLookup, moduleOf: ModuleLookup): string {
  const h = b.header;
  const lines = [
    `block ${h.height}  ${toHex(b.hash)}`,
    `  prev hash     ${toHex(h.prevHash)}`,
    `  timestamp     ${h.timestamp}`,
    `  tx root       ${toHex(h.txRoot)}`,
    `  state root    ${toHex(h.stateRoot)}`,
    `  receipts root ${toHex(h.receiptsRoot)}`,
    `  transactions  ${h.txCount}`,
  ];
  b.txs.forEach((s, i) => {
    const r = b.receipts[i]!;
    const contract = s.tx.kind === "call" ? s.tx.contract : instanceId(s.tx.genesisHash, s.tx.sender, s.tx.nonce);
    const what = s.tx.kind === "deploy" ? `deploy ${s.tx.module.length}-byte module ${toHex(sha256(s.tx.module))} as ${toHex(contract)}` : `call ${toHex(contract)} ${fnLabel(abiOf, contract, s.tx.selector)}`;
    const abi = abiOf(contract);
    const at = stopAt(r, abi, s.tx.kind === "deploy" ? s.tx.module : moduleOf(contract));
    const status = r.status === "revert" ? `revert: ${(abi && describeRevert(abi, r.error, at)) ?? `error ${r.error}`}` : `${at ? `${at.file}:${at.line}:${at.col}: ` : ""}${r.status}`;
    lines.push(`  [${i}] ${toHex(s.id)}`);
    lines.push(`      ${what} by ${toHex(s.tx.sender)} nonce ${s.tx.nonce}: ${status}, gas ${r.gasUsed}, ${r.events.length} event(s)`);
  });
  return lines.join("\n");
}

/** The key types of a storage type: `map<pubkey,map<pubkey,u64>>` → [pubkey, pubkey]; [] for a value type. */
function mapKeyTypes(type: string): string[] {
  const keys: string[] = [];
  let t = type.replace(/\s+/g, "");
  for (let m = /^map<([a-z0-9]+),(.*)>$/.exec(t); m; m = /^map<([a-z0-9]+),(.*)>$/.exec(t)) {
    keys.push(m[1]!);
    t = m[2]!;
  }
  return keys;
}

/**
 * A storage key on the command line: 0x-hex raw key, or SLOT / SLOT[KEY] / SLOT[KEY][KEY]... where SLOT
 * is a number or an ABI storage name. With the contract's ABI, the keys are parsed by the map's key
 * types and joined as the compiler joins them (integers as 8 bytes little-endian, SHA-256 of keys whose
 * fixed size is over 63 bytes: a sig, most nested keys), and a key of the wrong type, a missing key, a
 * key on a field that is not a map or a bytes key over 63 bytes is refused: otherwise the command would
 * print a valid proof of absence for a key no contract code can write.
 */
function parseStorageKey(text: string, abi: Abi | undefined): Uint8Array {
  if (/^0x([0-9a-fA-F]{2})+$/.test(text)) return parseHexArg(text, "key");
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+)((?:\[[^\[\]]+\])*)$/.exec(text);
  if (!m) throw new CliError(`key: expected 0x-hex, SLOT or SLOT[KEY] (SLOT a number or storage name), got '${quoteInput(text)}'`, 2);
  const keyTexts = [...m[2]!.matchAll(/\[([^\[\]]+)\]/g)].map((k) => k[1]!);
  let slot: number;
  let field = undefined as Abi["storage"][number] | undefined;
  if (/^[0-9]+$/.test(m[1]!)) {
    slot = Number(m[1]);
    if (slot > 255) throw new CliError(`key: slot ${slot} is outside 0..255`, 2);
    field = abi?.storage.find((x) => x.slot === slot);
  } else {
    field = abi?.storage.find((x) => x.name === m[1]);
    if (!field) throw new CliError(`key: no storage named '${quoteInput(m[1])}'${abi ? " in the contract's ABI" : " (no ABI stored for this contract; use a slot number)"}`, 2);
    slot = field.slot;
  }
  if (!field) {
    // no ABI (or no such slot in it): raw keys, decimal integers as 8 bytes little-endian, 0x-hex as given
    if (abi) throw new CliError(`key: the contract's ABI has no storage slot ${slot}`, 2);
    if (keyTexts.length > 1) throw new CliError("key: several map keys need the contract's ABI (none stored); give the joined key as 0x-hex", 2);
    if (keyTexts.length === 0) return Uint8Array.of(slot);
    const k = keyTexts[0]!;
    if (k.startsWith("0x")) return Uint8Array.of(slot, ...parseHexArg(k, "key"));
    return Uint8Array.of(slot, ...le64(parseIntArg(k, "key")));
  }
  const keyTypes = mapKeyTypes(field.type);
  if (keyTexts.length !== keyTypes.length) {
    const want = keyTypes.length === 0 ? `${field.name} is a ${field.type}, not a map: give '${field.name}' alone` : `${field.name} is a ${field.type}: give ${keyTypes.length} key(s), ${field.name}${keyTypes.map((t) => `[${t}]`).join("")}`;
    throw new CliError(`key: ${want}, got ${keyTexts.length}`, 2);
  }
  if (keyTypes.length === 0) return Uint8Array.of(slot);
  const parts = keyTexts.map((k, i) => {
    let v: Value;
    try {
      v = parseArg(k, keyTypes[i]!);
    } catch (e) {
      throw new CliError(`key ${i + 1} of ${field.name} (${keyTypes[i]}): ${(e as Error).message}`, 2);
    }
    return typeof v === "bigint" ? le64(v) : v;
  });
  let joined = Uint8Array.from(parts.flatMap((p) => [...p]));
  if (mapKeyHashed(keyTypes.map((t) => BUILTIN_TYPES[t]!))) joined = sha256(joined);
  else if (joined.length > MAX_MAP_KEY) throw new CliError(`key 1 of ${field.name} (${keyTypes[0]}): ${joined.length} bytes; a map key is at most ${MAX_MAP_KEY} bytes`, 2);
  return Uint8Array.of(slot, ...joined);
}

function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

function auditText(r: AuditReport, what: string): string {
  return `${what}: ok, ${r.blocks} block(s), ${r.txs} transaction(s), head ${r.headHeight} ${r.headHash}, state root ${r.stateRoot}`;
}

export function register(program: Command): void {
  const dataOpt = (c: Command): Command =>
    c.option("--data <dir>", "ledger data directory", DEFAULT_DATA).option("--json", "print machine-readable JSON");

  program
    .command("keygen")
    .description("create an Ed25519 key file (mode 0600) and print its public key")
    .requiredOption("--out <file>", "key file to create (never overwritten)")
    .option("--json", "print machine-readable JSON")
    .action(async (opts: { out: string; json?: boolean }) =>
      guarded(() => {
        if (existsSync(opts.out) && statSync(opts.out).isDirectory()) throw new CliError(`--out ${quotePath(opts.out)}: is a directory; give the key file's path`);
        if (!existsSync(dirname(resolve(opts.out)))) throw new CliError(`--out ${quotePath(opts.out)}: directory ${quotePath(dirname(opts.out))} does not exist`);
        const k = KeyPair.generate();
        writeKeyFile(opts.out, k);
        print(opts, { file: opts.out, publicKey: toHex(k.publicKey) }, `public key ${toHex(k.publicKey)} (secret in ${opts.out}, mode 0600)`);
      }),
    );

  const ledger = program.command("ledger").description("the local devnet ledger");

  dataOpt(
    ledger
      .command("init")
      .description("create a new chain (its genesis block) in the data directory")
      .option("--chain-id <id>", "chain id: 1-32 of A-Z a-z 0-9 . _ -", DEFAULT_CHAIN_ID)
      .option("--timestamp <n>", "genesis timestamp, seconds (default: now)")
      .option("--alloc <id=amount...>", "initial native balance of a public key or contract id (repeatable)")
      .option("--min-gas-price <n>", "least gas price a transaction may offer (0: no fees, a permissioned fleet)", "0")
      .option("--block-gas-limit <n>", "gas the transactions of one block may reserve", String(LEDGER_LIMITS.DEFAULT_BLOCK_GAS_LIMIT.value))
      .option("--fee-account <hex>", "32-byte account that receives fees (default all zeros)")
      .option("--genesis-salt <hex>", "32-byte genesis salt (default: random, so two chains made with the same arguments differ; fix it only for a reproducible setup)"),
  ).action(
    async (
      opts: DataOpts & { chainId: string; timestamp?: string; alloc?: string[]; minGasPrice: string; blockGasLimit: string; feeAccount?: string; genesisSalt?: string },
    ) =>
    guarded(async () => {
      if (existsSync(opts.data) && !statSync(opts.data).isDirectory()) throw new CliError(`--data ${quotePath(opts.data)}: not a directory`);
      const ts = opts.timestamp === undefined ? undefined : parseU64(opts.timestamp, "--timestamp");
      const alloc = (opts.alloc ?? []).map((a) => {
        const m = /^(?:0x)?([0-9a-fA-F]{64})=(.*)$/.exec(a);
        if (!m) throw new CliError(`--alloc: expected ID=AMOUNT with a 32-byte hex id, got '${a}'`, 2);
        return { id: parseHexArg(`0x${m[1]!.toLowerCase()}`, "--alloc"), amount: parseU64(m[2]!, `--alloc ${m[1]!.slice(0, 8)}…`) };
      });
      const feeAccount = opts.feeAccount === undefined ? new Uint8Array(32) : parseHexArg(opts.feeAccount, "--fee-account");
      if (feeAccount.length !== 32) throw new CliError(`--fee-account: expected 32 bytes, got ${feeAccount.length}`, 2);
      const salt = opts.genesisSalt === undefined ? undefined : parseHexArg(opts.genesisSalt, "--genesis-salt");
      if (salt && salt.length !== 32) throw new CliError(`--genesis-salt: expected 32 bytes of hex, got ${salt.length}`, 2);
      const genesis = {
        alloc,
        minGasPrice: parseU64(opts.minGasPrice, "--min-gas-price"),
        blockGasLimit: parseU64(opts.blockGasLimit, "--block-gas-limit"),
        feeAccount,
        ...(salt ? { salt } : {}),
      };
      const l = await Ledger.init(resolve(opts.data), { chainId: opts.chainId, timestamp: ts, vm: await MoteVM.create({ engine: LEDGER_ENGINE }), genesis });
      try {
        print(opts, { chainId: l.chainId, data: resolve(opts.data), genesis: toHex(l.genesisHash) }, `chain '${l.chainId}' created in ${resolve(opts.data)}, genesis ${toHex(l.genesisHash)}`);
      } finally {
        l.close();
      }
    }),
  );

  dataOpt(ledger.command("show").description("print a block (default: the head)").option("--height <n>", "block height")).action(
    async (opts: DataOpts & { height?: string }) =>
      guarded(async () => {
        const l = await openLedger(opts);
        try {
          const h = opts.height === undefined ? l.height : parseU64(opts.height, "--height");
          const b = l.block(h);
          if (!b) throw new CliError(`--height: no block ${h} (head is ${l.height})`);
          const abis = new Map<string, Abi | undefined>();
          const abiOf: AbiLookup = (c) => {
            const k = Buffer.from(c).toString("hex");
            if (!abis.has(k)) abis.set(k, storedAbi(opts.data, c));
            return abis.get(k);
          };
          const moduleOf: ModuleLookup = (c) => l.contract(c)?.module;
          print(opts, blockJson(b, abiOf, moduleOf), blockText(b, abiOf, moduleOf));
        } finally {
          l.close();
        }
      }),
  );

  dataOpt(
    ledger
      .command("view")
      .description("run a view function at the head (a query, not a transaction)")
      .argument("<contract>", "contract id (hex)")
      .argument("<fn>", "view function")
      .argument("[args...]", "arguments (typed by the stored ABI, else decimal integers and 0x-hex bytes)")
      .option("--caller <hex>", "caller public key seen by the function (default all zeros)")
      .option("--node <url>", NODE_HELP),
  ).action(async (contractText: string, fn: string, argTexts: string[], opts: DataOpts & { caller?: string; node?: string }) =>
    guarded(async () => {
      const contract = parseContractId(contractText);
      const abi = storedAbi(opts.data, contract);
      const args = parseArgs(abi, fn, argTexts);
      const caller = opts.caller === undefined ? undefined : parseHexArg(opts.caller, "--caller");
      if (caller && caller.length !== 32) throw new CliError(`--caller: expected 32 bytes, got ${caller.length}`, 2);
      const l = await openSource(opts);
      let r: CallResult;
      let viewModule: Uint8Array | undefined;
      try {
        r = await l.view(contract, fn, args, { caller });
        viewModule = (await l.contract(contract))?.module;
      } finally {
        l.close();
      }
      if (opts.json) process.stdout.write(`${resultToJson(r)}\n`);
      else process.stdout.write(`${receiptText({ ...r, error: r.error ?? 0 }, abi, fn, viewModule).join("\n")}\n`);
      if (r.status !== "ok") throw new CliError("", 1);
    }),
  );

  dataOpt(
    ledger
      .command("rebuild")
      .description("re-derive every table the blocks define (state, tree nodes, modules, tx index, events) from the stored blocks after damage, checking every root"),
  ).action(async (opts: DataOpts) =>
    guarded(async () => {
      const r = await Ledger.rebuild(resolve(opts.data), { vm: await MoteVM.create({ engine: LEDGER_ENGINE }) });
      if (!r.ok) throw new CliError(`rebuild refused, nothing changed: ${r.error}`);
      print(opts, r, `rebuilt ${resolve(opts.data)}: ${r.blocks} block(s), ${r.txs} transaction(s), state root ${r.stateRoot} (every block's root checked)`);
    }),
  );

  dataOpt(
    ledger.command("export").description("write the whole chain in its canonical binary encoding").option("-o, --out <file>", "write to FILE instead of stdout"),
  ).action(async (opts: DataOpts & { out?: string }) =>
    guarded(async () => {
      if (!opts.out && process.stdout.isTTY) throw new CliError("refusing to write a binary export to a terminal; redirect stdout or use --out FILE", 2);
      const l = await openLedger(opts);
      let bytes: Uint8Array;
      try {
        bytes = l.exportChain();
      } finally {
        l.close();
      }
      if (opts.out) {
        try {
          writeFileSync(opts.out, bytes);
        } catch (e) {
          throw new CliError(`${quotePath(opts.out)}: cannot write the export: ${fsReason(e)}`);
        }
        if (opts.json) print(opts, { file: opts.out, bytes: bytes.length }, "");
        else process.stderr.write(`${quotePath(opts.out)}: ${bytes.length} bytes\n`);
      } else {
        process.stdout.write(bytes);
      }
    }),
  );

  dataOpt(
    ledger
      .command("import")
      .description("import an export into an empty data directory, re-validating all of it")
      .argument("<file>", "export file")
      .option("--abi <files...>", "ABI files (.abi.json) to keep for the contracts whose module they describe (exports carry no ABIs)"),
  ).action(
    async (file: string, opts: DataOpts & { abi?: string[] }) =>
      guarded(async () => {
        // ABIs are not consensus data, so an export has none: they are matched to the imported
        // contracts by module hash, the one thing an ABI and a deploy transaction share
        const abis = (opts.abi ?? []).map((p) => ({ path: p, abi: readAbi(p) }));
        const bytes = readFile(file);
        let l: Ledger;
        try {
          l = await Ledger.importChain(resolve(opts.data), bytes, { vm: await MoteVM.create({ engine: LEDGER_ENGINE }) });
        } catch (e) {
          if (e instanceof ChainBroken) throw new CliError(`${quotePath(file)}: import refused, nothing written: ${e.message}`);
          throw e;
        }
        try {
          const attached = new Map<string, number>(abis.map((a) => [a.path, 0]));
          let deploys = 0;
          for (let h = 1n; h <= l.height; h++) {
            const b = l.block(h)!;
            b.txs.forEach((s, i) => {
              if (s.tx.kind !== "deploy" || b.receipts[i]!.status !== "ok") return;
              deploys++;
              const moduleHash = Buffer.from(sha256(s.tx.module)).toString("hex");
              for (const a of abis) {
                if (a.abi.moduleHash.replace(/^0x/, "").toLowerCase() !== moduleHash) continue;
                const id = instanceId(s.tx.genesisHash, s.tx.sender, s.tx.nonce);
                mkdirSync(join(resolve(opts.data), "abi"), { recursive: true });
                writeFileSync(abiPath(opts.data, id), `${JSON.stringify(a.abi, null, 2)}\n`);
                attached.set(a.path, attached.get(a.path)! + 1);
              }
            });
          }
          for (const [p, n] of attached) if (n === 0) process.stderr.write(`note: ${quotePath(p)}: no contract on this chain runs the module it describes; not kept\n`);
          if (abis.length === 0 && deploys > 0) {
            process.stderr.write(`note: exports carry no ABIs; to decode events and reverts of the ${deploys} deployed contract(s), import with --abi FILE.abi.json ...\n`);
          }
          print(
            opts,
            { chainId: l.chainId, height: l.height.toString(), head: toHex(l.headHash), data: resolve(opts.data), abis: Object.fromEntries(attached) },
            `imported chain '${l.chainId}' up to block ${l.height} (${toHex(l.headHash)}) into ${resolve(opts.data)}${abis.length ? `; ABIs kept for ${[...attached.values()].reduce((x, y) => x + y, 0)} contract(s)` : ""}`,
          );
        } finally {
          l.close();
        }
      }),
  );

  const tx = program.command("tx").description("sign and submit transactions (one block each)");
  const txOpts = (c: Command): Command =>
    dataOpt(
      c
        .option("--key <file>", "signing key file (from mote keygen)")
        .option("--gas <n>", "gas limit", String(LEDGER_LIMITS.DEFAULT_TX_GAS.value))
        .option("--gas-price <n>", "native units per gas used (default: the chain's minimum)")
        .option("--value <n>", "native value to attach, credited to the contract before it runs", "0")
        .option("--node <url>", NODE_HELP)
        .option(
          "--timestamp <n>",
          `block timestamp, seconds (default: now; never before the head's, at most ${LEDGER_LIMITS.MAX_TIME_DRIFT.value} s ahead of this machine's clock)`,
        ),
    );
  type TxCliOpts = DataOpts & { key?: string; gas?: string; gasPrice?: string; value: string; timestamp?: string; node?: string };
  const txOptions = (opts: TxCliOpts) => ({
    gas: parseGas(opts.gas),
    gasPrice: opts.gasPrice === undefined ? undefined : parseU64(opts.gasPrice, "--gas-price"),
    value: parseU64(opts.value, "--value"),
    timestamp: opts.timestamp === undefined ? undefined : parseU64(opts.timestamp, "--timestamp"),
  });

  txOpts(
    tx
      .command("deploy")
      .description("deploy a module (.mbc, with FILE.abi.json beside it if present) or compile and deploy a .mote source")
      .argument("<file>", "module (.mbc) or contract source (.mote)")
      .argument("[args...]", "init arguments"),
  ).action(async (file: string, argTexts: string[], opts: TxCliOpts) =>
    guarded(async () => {
      const key = loadKey(opts.key);
      const { module, abi } = await loadDeployModule(file);
      const args = parseArgs(abi, "init", argTexts);
      const o = txOptions(opts);
      const l = await openSource(opts);
      try {
        const r = await l.deploy(key, module, args, o);
        if (r.receipt.status === "ok" && abi) {
          mkdirSync(join(resolve(opts.data), "abi"), { recursive: true });
          writeFileSync(abiPath(opts.data, r.contract), `${JSON.stringify(abi, null, 2)}\n`);
        }
        print(
          opts,
          { tx: toHex(r.txId), height: r.height.toString(), contract: toHex(r.contract), receipt: receiptJson(r.receipt) },
          [`tx ${toHex(r.txId)} in block ${r.height}`, `contract ${toHex(r.contract)}${r.receipt.status === "ok" ? "" : " (not created)"}`, ...receiptText(r.receipt, abi, "init", module)].join("\n"),
        );
        if (r.receipt.status !== "ok") throw new CliError("", 1);
      } finally {
        l.close();
      }
    }),
  );

  txOpts(
    tx
      .command("call")
      .description("call a contract function in a transaction")
      .argument("<contract>", "contract id (hex)")
      .argument("<fn>", "function name")
      .argument("[args...]", "arguments (typed by the stored ABI, else decimal integers and 0x-hex bytes)"),
  ).action(async (contractText: string, fn: string, argTexts: string[], opts: TxCliOpts) =>
    guarded(async () => {
      const contract = parseContractId(contractText);
      const key = loadKey(opts.key);
      const abi = storedAbi(opts.data, contract);
      const args = parseArgs(abi, fn, argTexts);
      const o = txOptions(opts);
      const l = await openSource(opts);
      try {
        const r = await l.call(key, contract, fn, args, o);
        // a view sent as a transaction still costs a block: say so, and name the free query
        if (abi && functionByName(abi, fn)?.view) {
          process.stderr.write(`note: ${fn} is a view; this transaction created block ${r.height} (query it without a block: mote ledger view ${toHex(contract)} ${fn} ...)\n`);
        }
        print(
          opts,
          { tx: toHex(r.txId), height: r.height.toString(), receipt: receiptJson(r.receipt) },
          [`tx ${toHex(r.txId)} in block ${r.height}`, ...receiptText(r.receipt, abi, fn, (await l.contract(contract))?.module)].join("\n"),
        );
        if (r.receipt.status !== "ok") throw new CliError("", 1);
      } finally {
        l.close();
      }
    }),
  );

  // Offline signing (as `cast mktx`): the arguments of `mote tx deploy|call`, signed and written to a
  // file, never submitted. The chain (genesis hash), nonce and gas price come from the data directory,
  // or from --genesis-hash and --nonce where there is none (a gateway, a device).
  const sign = tx.command("sign").description("sign a deploy or call for one chain and write its bytes to a file, without submitting it");
  const signOpts = (c: Command): Command =>
    dataOpt(
      c
        .requiredOption("--out <file>", "file to write the signed transaction to (never overwritten)")
        .option("--key <file>", "signing key file (from mote keygen)")
        .option("--gas <n>", "gas limit", String(LEDGER_LIMITS.DEFAULT_TX_GAS.value))
        .option("--gas-price <n>", "native units per gas used (default: the chain's minimum; 0 with --genesis-hash)")
        .option("--value <n>", "native value to attach, credited to the contract before it runs", "0")
        .option("--nonce <n>", "the sender's nonce (default: its next one on the ledger in --data)")
        .option("--genesis-hash <hex>", "sign for the chain with this genesis hash without opening a ledger (needs --nonce)")
        .option("--node <url>", "read the chain (genesis hash), the sender's next nonce (counting its transactions in the node's mempool) and the minimum gas price from this node's RPC instead of --data; nothing is sent"),
    );
  type SignCliOpts = DataOpts & { out: string; key?: string; gas?: string; gasPrice?: string; value: string; nonce?: string; genesisHash?: string; node?: string };
  const signAndWrite = async (opts: SignCliOpts, key: KeyPair, body: TxBody): Promise<void> => {
    if (existsSync(opts.out)) throw new CliError(`--out ${quotePath(opts.out)}: already exists; refusing to overwrite`);
    let genesisHash: Uint8Array;
    let nonce: bigint;
    let gasPrice: bigint;
    if (opts.genesisHash !== undefined && opts.node !== undefined) throw new CliError("--genesis-hash and --node: give one (the node serves its chain's genesis hash)", 2);
    if (opts.node !== undefined) {
      const l = await RemoteLedger.connect(opts.node);
      genesisHash = l.genesisHash;
      nonce = opts.nonce === undefined ? await l.nonce(key.publicKey) : parseU64(opts.nonce, "--nonce");
      gasPrice = opts.gasPrice === undefined ? l.minGasPrice : parseU64(opts.gasPrice, "--gas-price");
    } else if (opts.genesisHash !== undefined) {
      genesisHash = parseHexArg(opts.genesisHash, "--genesis-hash");
      if (genesisHash.length !== 32) throw new CliError(`--genesis-hash: expected 32 bytes of hex, got ${genesisHash.length}`, 2);
      if (opts.nonce === undefined) throw new CliError("--genesis-hash needs --nonce: without a ledger the sender's next nonce is unknown", 2);
      nonce = parseU64(opts.nonce, "--nonce");
      gasPrice = opts.gasPrice === undefined ? 0n : parseU64(opts.gasPrice, "--gas-price");
    } else {
      const l = await openLedger(opts);
      try {
        genesisHash = l.genesisHash;
        nonce = opts.nonce === undefined ? l.nonce(key.publicKey) : parseU64(opts.nonce, "--nonce");
        gasPrice = opts.gasPrice === undefined ? l.params.minGasPrice : parseU64(opts.gasPrice, "--gas-price");
      } finally {
        l.close();
      }
    }
    const s = signTx({ genesisHash, sender: key.publicKey, nonce, gasLimit: parseGas(opts.gas), gasPrice, value: parseU64(opts.value, "--value"), ...body }, key);
    try {
      writeFileSync(opts.out, s.bytes, { flag: "wx" });
    } catch (e) {
      throw new CliError(`--out ${quotePath(opts.out)}: cannot write: ${fsReason(e)}`);
    }
    const contract = body.kind === "deploy" ? instanceId(genesisHash, key.publicKey, nonce) : undefined;
    print(
      opts,
      { tx: toHex(s.id), file: opts.out, bytes: s.bytes.length, genesis: toHex(genesisHash), nonce: nonce.toString(), ...(contract ? { contract: toHex(contract) } : {}) },
      [
        `signed tx ${toHex(s.id)} (${s.bytes.length} bytes) for the chain with genesis ${toHex(genesisHash)}, nonce ${nonce}, written to ${opts.out}`,
        ...(contract ? [`contract ${toHex(contract)} once it is submitted`] : []),
      ].join("\n"),
    );
  };

  signOpts(
    sign
      .command("deploy")
      .description("sign a deploy (the arguments of mote tx deploy)")
      .argument("<file>", "module (.mbc) or contract source (.mote)")
      .argument("[args...]", "init arguments"),
  ).action(async (file: string, argTexts: string[], opts: SignCliOpts) =>
    guarded(async () => {
      const key = loadKey(opts.key);
      const { module, abi } = await loadDeployModule(file);
      await signAndWrite(opts, key, { kind: "deploy", module, args: parseArgs(abi, "init", argTexts) });
    }),
  );

  signOpts(
    sign
      .command("call")
      .description("sign a call (the arguments of mote tx call)")
      .argument("<contract>", "contract id (hex)")
      .argument("<fn>", "function name")
      .argument("[args...]", "arguments (typed by the stored ABI, else decimal integers and 0x-hex bytes)"),
  ).action(async (contractText: string, fn: string, argTexts: string[], opts: SignCliOpts) =>
    guarded(async () => {
      const contract = parseContractId(contractText);
      const key = loadKey(opts.key);
      const args = parseArgs(storedAbi(opts.data, contract), fn, argTexts);
      await signAndWrite(opts, key, { kind: "call", contract, selector: resolveSelector(fn), args });
    }),
  );

  dataOpt(
    tx
      .command("submit")
      .description("submit a transaction signed earlier (mote tx sign, a gateway, a device) as one block, or with --node through a network node")
      .argument("<file>", "the signed transaction's bytes")
      .option(
        "--timestamp <n>",
        `block timestamp, seconds (default: now; never before the head's, at most ${LEDGER_LIMITS.MAX_TIME_DRIFT.value} s ahead of this machine's clock)`,
      )
      .option("--node <url>", NODE_HELP),
  ).action(async (file: string, opts: DataOpts & { timestamp?: string; node?: string }) =>
    guarded(async () => {
      const bytes = readFile(file);
      let s: SignedTx;
      try {
        s = decodeTx(bytes);
      } catch (e) {
        if (e instanceof DecodeError) throw new CliError(`${quotePath(file)}: not a signed transaction: ${e.message}`);
        throw e;
      }
      const timestamp = opts.timestamp === undefined ? undefined : parseU64(opts.timestamp, "--timestamp");
      const contract = s.tx.kind === "deploy" ? instanceId(s.tx.genesisHash, s.tx.sender, s.tx.nonce) : s.tx.contract;
      const abi = s.tx.kind === "call" ? storedAbi(opts.data, contract) : undefined;
      const fn = s.tx.kind === "call" ? abi?.functions.find((f) => f.selector >>> 0 === (s.tx as { selector: number }).selector)?.name : "init";
      const report = async (o: { txId: Uint8Array; height: bigint; receipt: Receipt }, module: () => Promise<Uint8Array | undefined>): Promise<void> => {
        print(
          opts,
          { tx: toHex(o.txId), height: o.height.toString(), ...(s.tx.kind === "deploy" ? { contract: toHex(contract) } : {}), receipt: receiptJson(o.receipt) },
          [
            `tx ${toHex(o.txId)} in block ${o.height}`,
            ...(s.tx.kind === "deploy" ? [`contract ${toHex(contract)}${o.receipt.status === "ok" ? "" : " (not created)"}`] : []),
            ...receiptText(o.receipt, abi, fn, s.tx.kind === "deploy" ? s.tx.module : await module()),
          ].join("\n"),
        );
        if (o.receipt.status !== "ok") throw new CliError("", 1);
      };
      if (opts.node !== undefined) {
        if (timestamp !== undefined) throw new CliError("--timestamp: a network's block time is the engine's (BFT time); it cannot be chosen per transaction", 2);
        const l = await RemoteLedger.connect(opts.node);
        if (Buffer.compare(s.tx.genesisHash, l.genesisHash) !== 0) {
          throw new CliError(`${quotePath(file)}: signed for the chain with genesis hash ${toHex(s.tx.genesisHash)}; ${l.url} serves ${l.chainId} (genesis hash ${toHex(l.genesisHash)})`);
        }
        let r;
        try {
          r = await l.send(s);
        } catch (e) {
          if (e instanceof TxRejected) throw new CliError(`${quotePath(file)}: rejected (${e.code}): ${e.reason}`);
          throw e;
        }
        await report(r, async () => (await l.contract(contract))?.module);
        return;
      }
      const l = await openLedger(opts);
      try {
        const r = l.submit([bytes], { timestamp });
        const o = r.outcomes[0]!;
        if (!o.ok) throw new CliError(`${quotePath(file)}: rejected (${o.error.code}): ${o.error.message}`);
        await report(o, async () => l.contract(contract)?.module);
      } finally {
        l.close();
      }
    }),
  );

  dataOpt(
    program
      .command("events")
      .description("list events, oldest first")
      .option("--contract <id>", "only this contract's events")
      .option("--name <event>", "only events with this name (from stored ABIs) or this numeric topic")
      .option("--from <height>", "from this block height")
      .option("--to <height>", "up to this block height")
      .option("--follow", "keep running and print new events as blocks arrive (JSON: one object per line); with --node through a websocket subscription")
      .option("--interval <ms>", "with --follow on the embedded devnet: how often to look for new blocks", "500")
      .option("--node <url>", NODE_HELP),
  ).action(async (opts: DataOpts & { contract?: string; name?: string; from?: string; to?: string; follow?: boolean; interval?: string; node?: string }) =>
    guarded(async () => {
      const contract = opts.contract === undefined ? undefined : parseContractId(opts.contract);
      const l = await openSource(opts);
      try {
        const abis = new Map<string, Abi | undefined>();
        const abiOf = (c: Uint8Array): Abi | undefined => {
          const k = Buffer.from(c).toString("hex");
          if (!abis.has(k)) abis.set(k, storedAbi(opts.data, c));
          return abis.get(k);
        };
        let topics: Set<number> | undefined;
        if (opts.name !== undefined) {
          if (/^[0-9]+$/.test(opts.name)) topics = new Set([Number(opts.name) >>> 0]);
          else {
            topics = new Set();
            const candidates = contract ? [contract] : [];
            if (!contract && existsSync(join(resolve(opts.data), "abi"))) {
              const { readdirSync } = await import("node:fs");
              for (const f of readdirSync(join(resolve(opts.data), "abi"))) {
                const m = /^([0-9a-f]{64})\.abi\.json$/.exec(f);
                if (m) candidates.push(parseHexArg(`0x${m[1]}`, "abi"));
              }
            }
            for (const c of candidates) for (const ev of abiOf(c)?.events ?? []) if (ev.name === opts.name) topics.add(ev.topic >>> 0);
            if (topics.size === 0) throw new CliError(`--name: no stored ABI declares an event '${quoteInput(opts.name)}' (give a numeric topic instead)`, 2);
          }
        }
        if (opts.follow && opts.node !== undefined) {
          // --node: CometBFT pushes each committed transaction's events (websocket, node/follow.ts)
          const lineOf = (e: EventRecord) => {
            const abi = abiOf(e.contract);
            return `block ${e.height} tx ${e.tx} ${toHex(e.contract).slice(0, 18)}… ${(abi && formatEvent(abi, e.topic, e.values)) ?? `${e.topic}: ${e.values.map(rawValue).join(", ")}`}`;
          };
          const jsonOf = (e: EventRecord) => ({ height: e.height.toString(), tx: toHex(e.txId), index: e.index, contract: toHex(e.contract), topic: String(e.topic), name: abiOf(e.contract)?.events.find((x) => x.topic >>> 0 === e.topic)?.name ?? null, values: e.values.map(rawValue) });
          const stopFollowing = new AbortController();
          const onSignal = () => stopFollowing.abort();
          process.once("SIGINT", onSignal);
          process.once("SIGTERM", onSignal);
          try {
            // loaded on use: the websocket client is a large module the other commands never need
            const { followEvents } = await import("../../node/follow.ts");
            await followEvents(opts.node, {
              filter: { contract, fromHeight: opts.from === undefined ? undefined : parseU64(opts.from, "--from"), toHeight: opts.to === undefined ? undefined : parseU64(opts.to, "--to") },
              onEvents: (evs) => {
                for (const [k, v] of abis) if (v === undefined) abis.delete(k); // a contract's ABI may have arrived since
                for (const e of evs) if (!topics || topics.has(e.topic)) process.stdout.write(`${opts.json ? JSON.stringify(jsonOf(e)) : lineOf(e)}\n`);
              },
              onStatus: (line) => process.stderr.write(`mote: ${line}\n`),
              signal: stopFollowing.signal,
            });
          } finally {
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
          }
          return;
        }
        const all = await l.events({
          contract,
          fromHeight: opts.from === undefined ? undefined : parseU64(opts.from, "--from"),
          toHeight: opts.to === undefined ? undefined : parseU64(opts.to, "--to"),
        });
        const evs = topics ? all.filter((e) => topics!.has(e.topic)) : all;
        const json = evs.map((e) => ({
          height: e.height.toString(),
          tx: toHex(e.txId),
          index: e.index,
          contract: toHex(e.contract),
          topic: String(e.topic),
          name: abiOf(e.contract)?.events.find((x) => x.topic >>> 0 === e.topic)?.name ?? null,
          values: e.values.map(rawValue),
        }));
        const text = evs
          .map((e) => {
            const abi = abiOf(e.contract);
            const pretty = (abi && formatEvent(abi, e.topic, e.values)) ?? `${e.topic}: ${e.values.map(rawValue).join(", ")}`;
            return `block ${e.height} tx ${e.tx} ${toHex(e.contract).slice(0, 18)}… ${pretty}`;
          })
          .join("\n");
        if (!opts.follow) process.stdout.write(opts.json ? `${JSON.stringify(json)}\n` : text ? `${text}\n` : "");
        else {
          // --follow: what is there, then each new block's events as other processes commit them;
          // with --json one object per line. Runs until interrupted.
          const interval = opts.interval === undefined ? 500 : Number(parseU64(opts.interval, "--interval"));
          if (interval < 10 || interval > 60_000) throw new CliError(`--interval: expected 10..60000 milliseconds, got ${interval}`, 2);
          const stop = opts.to === undefined ? undefined : parseU64(opts.to, "--to");
          let shown = { json, text, last: all.length ? all[all.length - 1]!.height : (opts.from === undefined ? 0n : parseU64(opts.from, "--from") - 1n) };
          for (;;) {
            if (opts.json) for (const j of shown.json) process.stdout.write(`${JSON.stringify(j)}\n`);
            else if (shown.text) process.stdout.write(`${shown.text}\n`);
            if (stop !== undefined && shown.last >= stop) return;
            await new Promise((r) => setTimeout(r, interval));
            for (const [k, v] of abis) if (v === undefined) abis.delete(k); // a contract's ABI may have arrived since
            const next = (await l.events({ contract, fromHeight: shown.last + 1n, toHeight: stop })).filter((e) => !topics || topics.has(e.topic));
            shown = {
              last: next.length ? next[next.length - 1]!.height : shown.last,
              json: next.map((e) => ({ height: e.height.toString(), tx: toHex(e.txId), index: e.index, contract: toHex(e.contract), topic: String(e.topic), name: abiOf(e.contract)?.events.find((x) => x.topic >>> 0 === e.topic)?.name ?? null, values: e.values.map(rawValue) })),
              text: next
                .map((e) => `block ${e.height} tx ${e.tx} ${toHex(e.contract).slice(0, 18)}… ${(abiOf(e.contract) && formatEvent(abiOf(e.contract)!, e.topic, e.values)) ?? `${e.topic}: ${e.values.map(rawValue).join(", ")}`}`)
                .join("\n"),
            };
          }
        }
      } finally {
        l.close();
      }
    }),
  );

  dataOpt(
    program
      .command("balance")
      .description("print the native balance of an account (public key) or contract instance at the head")
      .argument("<id>", "public key or contract id (hex, 32 bytes)")
      .option("--node <url>", NODE_HELP),
  ).action(async (idText: string, opts: DataOpts & { node?: string }) =>
    guarded(async () => {
      const t = idText.startsWith("0x") ? idText : `0x${idText}`;
      if (!/^0x[0-9a-fA-F]{64}$/.test(t)) throw new CliError(`id: expected a 32-byte public key or contract id in hex (64 digits), got '${idText}'`, 2);
      const id = parseHexArg(t.toLowerCase(), "id");
      if (opts.node !== undefined) {
        const l = await RemoteLedger.connect(opts.node);
        const { balance: b, height } = await l.balanceAt(id);
        const kind = (await l.contract(id)) ? "contract" : "account";
        print(opts, { id: toHex(id), kind, balance: b.toString(), height: height.toString() }, `${kind} ${toHex(id)}: ${b} (block ${height})`);
        return;
      }
      const l = await openLedger(opts);
      try {
        const b = l.balance(id);
        const kind = l.contract(id) ? "contract" : "account";
        print(opts, { id: toHex(id), kind, balance: b.toString(), height: l.height.toString() }, `${kind} ${toHex(id)}: ${b} (block ${l.height})`);
      } finally {
        l.close();
      }
    }),
  );

  dataOpt(
    program
      .command("prove")
      .description("print a storage value (or its absence) with a Merkle proof against the head's state root")
      .argument("<contract>", "contract id (hex)")
      .argument("<key>", "storage key: 0x-hex raw key, SLOT, or SLOT[KEY] (SLOT a number or ABI storage name; KEY decimal or 0x-hex)")
      .option("--height <n>", "prove against this block's state root (default: the head's)")
      .option("--node <url>", `${NODE_HELP}; the proof is checked against the app hash the node's next block header carries, not the validators' signatures on it (mote verify-proof checks those)`),
  ).action(async (contractText: string, keyText: string, opts: DataOpts & { height?: string; node?: string }) =>
    guarded(async () => {
      const contract = parseContractId(contractText);
      const key = parseStorageKey(keyText, storedAbi(opts.data, contract));
      const height = opts.height === undefined ? undefined : parseU64(opts.height, "--height");
      const prove = async (): Promise<{ p: StorageProof; close: () => void }> => {
        if (opts.node !== undefined) {
          const l = await RemoteLedger.connect(opts.node);
          if (!(await l.contract(contract))) throw new CliError(`unknown contract ${toHex(contract)} (at ${l.url})`);
          return { p: await l.prove(contract, key, { height }), close: () => {} };
        }
        const l = await openLedger(opts);
        try {
          if (!l.contract(contract)) throw new CliError(`unknown contract ${toHex(contract)}`);
          if (height !== undefined && height > l.height) throw new CliError(`--height: no block ${height} (head is ${l.height})`);
          return { p: l.prove(contract, key, { height }), close: () => l.close() };
        } catch (e) {
          l.close();
          throw e;
        }
      };
      const { p, close } = await prove();
      try {
        // Check our own output the way a device would before printing it.
        const verdict = verifyStateProof(p.stateRoot, p.proof);
        if (!verdict.ok) throw new Error(`internal error: the proof does not verify (${verdict.reason})`);
        const json = {
          height: p.height.toString(),
          stateRoot: toHex(p.stateRoot),
          contract: toHex(contract),
          key: toHex(key),
          present: p.value !== null,
          value: p.value === null ? null : toHex(p.value),
          proof: toHex(p.encoded),
          end: p.proof.end.kind,
          siblings: p.proof.siblings.map(toHex),
        };
        const lines = [
          `contract ${toHex(contract)} key ${toHex(key)}`,
          p.value === null ? "value: absent" : `value: ${toHex(p.value)}${p.value.length <= 8 ? ` (${new DataView(Uint8Array.of(...p.value, 0, 0, 0, 0, 0, 0, 0, 0).buffer).getBigUint64(0, true)} as an integer)` : ""}`,
          `state root ${toHex(p.stateRoot)} (block ${p.height}, path depth ${p.proof.siblings.length})`,
          `proof (${p.encoded.length} bytes, ${p.value === null ? "absence" : "inclusion"}): ${toHex(p.encoded)}`,
          ...(opts.node !== undefined ? [`checked against the app hash in block ${p.height + 1n}'s header as ${opts.node} serves it; \`mote verify-proof\` also checks the validators' signatures`] : []),
        ];
        print(opts, json, lines.join("\n"));
      } finally {
        close();
      }
    }),
  );

  dataOpt(
    program
      .command("audit")
      .description("re-check every signature and hash link and re-execute every transaction, on the store (and every table it derives) or an export")
      .option("--file <export>", "audit this export instead of the store"),
  ).action(async (opts: DataOpts & { file?: string }) =>
    guarded(async () => {
      let r: AuditReport;
      let what: string;
      if (opts.file) {
        const bytes = readFile(opts.file);
        r = await Ledger.auditExport(bytes, { vm: await MoteVM.create({ engine: LEDGER_ENGINE }) });
        what = opts.file;
      } else {
        r = await Ledger.auditStore(resolve(opts.data), { vm: await MoteVM.create({ engine: LEDGER_ENGINE }) });
        what = resolve(opts.data);
      }
      if (r.ok || opts.json) print(opts, r, auditText(r, what));
      if (!r.ok) throw new CliError(opts.json ? "" : `audit of ${what} failed: ${r.error}`, 1);
    }),
  );
}

