// The EVM peer: @ethereumjs/evm running bench/peers/sol/*.sol compiled by solc 0.8.37 (bench/evm.ts).
// SHA-256 is the 0x02 precompile; ed25519 has no Ethereum precompile, so one is added here (see below).
import * as ed from "@noble/ed25519";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createEVM, EVMError, type EVM, type EVMRunCallOpts, type ExecResult, type PrecompileInput } from "@ethereumjs/evm";
import { Address, bigIntToUnpaddedBytes, createZeroAddress, generateAddress } from "@ethereumjs/util";
import { compileSolidity, type CompiledContract } from "../../evm.ts";
import { PeerError, type PeerEngine } from "../engine.ts";
import {
  accounts,
  concat,
  devices,
  sha256,
  signReadings,
  TOKEN_ACCOUNTS,
  TOKEN_FUNDING,
  unhex,
  blockTime,
  type AttestFormat,
  type Reading,
  type SignedReading,
} from "../workloads.ts";

/**
 * Where the ed25519 verifier lives. EIP-665 proposed such a precompile (at a price of 2,000 gas) and
 * was never adopted; this address is free in every hardfork @ethereumjs/evm knows. Input: pubkey (32)
 * ++ sig (64) ++ msg; output: a 32-byte 1 or 0 — the same @noble call Mote's Node host makes.
 */
export const ED25519_PRECOMPILE = "0x00000000000000000000000000000000000000ed";
const ED25519_GAS = 2000n;
/** Far above any workload; the bare EVM has no block gas limit to respect. */
const GAS_LIMIT = 10_000_000_000n;

function ed25519Precompile(input: PrecompileInput): ExecResult {
  // As the built-in precompiles do when their price is not covered (evm.js OOGResult).
  if (input.gasLimit < ED25519_GAS) return { returnValue: new Uint8Array(0), executionGasUsed: input.gasLimit, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) };
  const d = input.data;
  let ok = false;
  if (d.length >= 96) {
    try {
      ok = ed.verify(d.subarray(32, 96), d.subarray(96), d.subarray(0, 32), { zip215: false });
    } catch {
      ok = false;
    }
  }
  const out = new Uint8Array(32);
  out[31] = ok ? 1 : 0;
  return { returnValue: out, executionGasUsed: ED25519_GAS };
}

// -- a minimal ABI encoder for the static types these contracts take, plus one trailing `bytes` -------
const word = (v: bigint): Uint8Array => {
  const b = new Uint8Array(32);
  let x = BigInt.asUintN(256, v);
  for (let i = 31; i >= 0 && x > 0n; i--, x >>= 8n) b[i] = Number(x & 0xffn);
  return b;
};
const addressWord = (a: Address): Uint8Array => concat(new Uint8Array(12), a.bytes);
const bytes32 = (b: Uint8Array): Uint8Array => {
  if (b.length !== 32) throw new RangeError("bytes32 needs 32 bytes");
  return b;
};
const dynamicBytes = (b: Uint8Array): Uint8Array => concat(word(BigInt(b.length)), b, new Uint8Array((32 - (b.length % 32)) % 32));
const selectorOf = (c: CompiledContract, signature: string): Uint8Array => {
  const s = c.selectors[signature];
  if (!s) throw new Error(`bench/peers/sol: no function ${signature}`);
  return unhex(s);
};
const errorSelector = (signature: string): string => Buffer.from(keccak_256(new TextEncoder().encode(signature)).subarray(0, 4)).toString("hex");
const be = (v: bigint, bytes: number): Uint8Array => word(v).subarray(32 - bytes);
const toBigInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt("0x" + Buffer.from(b).toString("hex")));

export async function createEvm(): Promise<PeerEngine> {
  const compiled = compileSolidity();
  const contract = (name: string): CompiledContract => {
    const c = compiled[name];
    if (!c) throw new Error(`bench/peers/sol: contract ${name} not found`);
    return c;
  };
  const evm: EVM = await createEVM({ customPrecompiles: [{ address: ED25519_PRECOMPILE, function: ed25519Precompile }] });
  const addr = accounts.map((a) => new Address(a.slice(0, 20)));
  const operator = addr[0]!;

  // The block every call runs in; set once the readings (and so the time they need) are known.
  let block: EVMRunCallOpts["block"];
  const setBlockTime = (t: bigint): void => {
    // The shape of @ethereumjs/evm's own default block (evm.js defaultBlock), with a timestamp.
    const header = { number: 1n, coinbase: createZeroAddress(), timestamp: t, difficulty: 0n, prevRandao: new Uint8Array(32), gasLimit: GAS_LIMIT, baseFeePerGas: undefined, slotNumber: 0n, getBlobGasPrice: () => undefined };
    block = { header } as unknown as EVMRunCallOpts["block"];
  };
  const run = async (caller: Address, to: Address | undefined, data: Uint8Array): Promise<ExecResult> => {
    const r = await evm.runCall({ caller, to, data, gasLimit: GAS_LIMIT, skipBalance: true, block });
    return to === undefined && r.createdAddress ? { ...r.execResult, returnValue: r.createdAddress.bytes } : r.execResult;
  };
  const mustRun = async (workload: string, caller: Address, to: Address | undefined, data: Uint8Array): Promise<Uint8Array> => {
    const r = await run(caller, to, data);
    if (r.exceptionError) throw new PeerError("evm", workload, `${to ? "call" : "deploy"} failed: ${r.exceptionError.error} (revert data 0x${Buffer.from(r.returnValue).toString("hex")})`);
    return r.returnValue;
  };
  const deploy = async (workload: string, name: string, ...args: Uint8Array[]): Promise<Address> =>
    new Address(await mustRun(workload, operator, undefined, concat(unhex(contract(name).creation), ...args)));

  const workloads = contract("Workloads");
  const workloadsAt = await deploy("setup", "Workloads");
  const token = contract("Token");
  const registry = contract("DeviceRegistry");
  const attest = contract("SensorAttestation");
  const guard = contract("AnomalyGuard");

  // Token: deployed by account 0 with the whole supply, which funds the others.
  const tokenAt = await deploy("token_transfer", "Token", word(TOKEN_FUNDING * BigInt(TOKEN_ACCOUNTS)));
  for (let i = 1; i < TOKEN_ACCOUNTS; i++) {
    await mustRun("token_transfer", operator, tokenAt, concat(selectorOf(token, "transfer(address,uint64)"), addressWord(addr[i]!), word(TOKEN_FUNDING)));
  }

  // Attestation: registry, attestation and guard are deployed contracts that read each other through
  // view calls. The attestation and the guard each need the other's address at construction, so the
  // guard's is predicted from the deployer's nonce (CREATE addresses are keccak(rlp(sender, nonce))).
  const registryAt = await deploy("attest", "DeviceRegistry");
  for (const [i, d] of devices.entries()) {
    const location = sha256(new TextEncoder().encode(`site ${i}`));
    await mustRun("attest", operator, registryAt, concat(selectorOf(registry, "register(bytes32,uint64,bytes32)"), bytes32(d.pubkey), word(1n), bytes32(location)));
  }
  const nonce = (await evm.stateManager.getAccount(operator))?.nonce ?? 0n;
  const guardPredicted = new Address(generateAddress(operator.bytes, bigIntToUnpaddedBytes(nonce + 1n)));
  const verifierAt = new Address(unhex(ED25519_PRECOMPILE.slice(2)));
  const attestAt = await deploy("attest", "SensorAttestation", addressWord(verifierAt), addressWord(registryAt), addressWord(guardPredicted));
  const guardAt = await deploy("attest", "AnomalyGuard", addressWord(registryAt), addressWord(attestAt));
  if (!guardAt.equals(guardPredicted)) throw new PeerError("evm", "attest", `guard deployed at ${guardAt.toString()}, predicted ${guardPredicted.toString()}`);
  // Every reset returns here: the state after setup, below one checkpoint of the state manager.
  await evm.stateManager.checkpoint();

  const format: AttestFormat = {
    // abi.encodePacked(address(this), uint64 nonce, int64 value, uint64 timestamp): big-endian, unpadded.
    message: (r) => concat(attestAt.bytes, be(r.nonce, 8), be(r.value, 8), be(r.timestamp, 8)),
    initialHead: new Uint8Array(32),
  };
  let signed: SignedReading[] = [];
  const submitData = (r: SignedReading, sig: Uint8Array): Uint8Array =>
    concat(selectorOf(attest, "submit(bytes32,uint64,int64,uint64,bytes)"), bytes32(devices[r.device]!.pubkey), word(r.nonce), word(r.value), word(r.timestamp), word(160n), dynamicBytes(sig));
  const refusedWith = async (r: SignedReading, sig: Uint8Array, error: string): Promise<boolean> => {
    const res = await run(operator, attestAt, submitData(r, sig));
    return res.exceptionError !== undefined && Buffer.from(res.returnValue).toString("hex") === errorSelector(error);
  };
  const reset = async (): Promise<void> => {
    await evm.stateManager.revert();
    await evm.stateManager.checkpoint();
  };

  return {
    name: "evm",
    title: "EVM (@ethereumjs/evm, solc 0.8.37 -O)",
    notes: [
      "each transfer and reading is a full message call (runCall), as a transaction would make",
      `ed25519: Ethereum has no precompile; the attest workload calls one added at ${ED25519_PRECOMPILE} (EIP-665 style, ${ED25519_GAS} gas) that calls @noble, like Mote's host`,
      "attest: bench/peers/sol DeviceRegistry, SensorAttestation and AnomalyGuard, reading each other through view calls",
    ],
    async fib(n) {
      return toBigInt(await mustRun("fib", operator, workloadsAt, concat(selectorOf(workloads, "fib(uint64)"), word(BigInt(n)))));
    },
    async sum(n) {
      return toBigInt(await mustRun("loop", operator, workloadsAt, concat(selectorOf(workloads, "sum(uint64)"), word(BigInt(n)))));
    },
    async shaChain(seed, n) {
      return mustRun("sha_chain", operator, workloadsAt, concat(selectorOf(workloads, "shaChain(bytes32,uint256)"), bytes32(seed), word(BigInt(n))));
    },
    token: {
      reset,
      async run(list) {
        const sel = selectorOf(token, "transfer(address,uint64)");
        for (const t of list) await mustRun("token_transfer", addr[t.from]!, tokenAt, concat(sel, addressWord(addr[t.to]!), word(t.amount)));
      },
      async balances() {
        const sel = selectorOf(token, "balanceOf(address)");
        const out: bigint[] = [];
        for (const a of addr) out.push(toBigInt(await mustRun("token_transfer", operator, tokenAt, concat(sel, addressWord(a)))));
        return out;
      },
    },
    attest: {
      async prepare(list: readonly Reading[]) {
        setBlockTime(blockTime(list));
        signed = signReadings(list, format);
      },
      reset,
      async run() {
        const observe = selectorOf(guard, "observe(bytes32)");
        for (const r of signed) {
          await mustRun("attest", operator, attestAt, submitData(r, r.sig));
          await mustRun("attest", operator, guardAt, concat(observe, bytes32(devices[r.device]!.pubkey)));
        }
      },
      async heads() {
        const sel = selectorOf(attest, "chainOf(bytes32)");
        const out: Uint8Array[] = [];
        for (const d of devices) out.push(await mustRun("attest", operator, attestAt, concat(sel, bytes32(d.pubkey))));
        return out;
      },
      async nonces() {
        const sel = selectorOf(attest, "nonceOf(bytes32)");
        const out: bigint[] = [];
        for (const d of devices) out.push(toBigInt(await mustRun("attest", operator, attestAt, concat(sel, bytes32(d.pubkey)))));
        return out;
      },
      async guard() {
        const view = async (sig: string): Promise<bigint[]> => {
          const out: bigint[] = [];
          for (const d of devices) out.push(BigInt.asIntN(64, toBigInt(await mustRun("attest", operator, guardAt, concat(selectorOf(guard, sig), bytes32(d.pubkey))))));
          return out;
        };
        return { means: await view("meanOf(bytes32)"), variances: await view("varianceOf(bytes32)") };
      },
      async refusesTampered(index) {
        const r = signed[index]!;
        const sig = r.sig.slice();
        sig[7] ^= 0x10;
        return refusedWith(r, sig, "BadSignature()");
      },
      async refusesReplay(index) {
        return refusedWith(signed[index]!, signed[index]!.sig, "ReplayedNonce()");
      },
      message: (r) => format.message(r),
      initialHead: format.initialHead,
    },
    dispose() {},
  };
}
