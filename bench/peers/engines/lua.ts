// The Lua 5.4 peer: wasmoon (Lua compiled to wasm) running bench/peers/lua/workloads.lua; SHA-256 and
// ed25519 are host functions backed by @noble, the same libraries the Mote Node host uses.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as ed from "@noble/ed25519";
import { sha256 } from "@noble/hashes/sha2.js";
import { PeerError, type PeerEngine } from "../engine.ts";
import {
  accounts,
  devices,
  hex,
  moteFormat,
  PEER_CONTRACT_ID,
  signReadings,
  TOKEN_ACCOUNTS,
  TOKEN_FUNDING,
  unhex,
  blockTime,
  type Reading,
  type SignedReading,
} from "../workloads.ts";

const root = new URL("../../../", import.meta.url).pathname;

interface LuaEngine {
  doString(src: string): Promise<unknown>;
  global: { get(name: string): (...args: unknown[]) => unknown; set(name: string, v: unknown): void; close(): void };
}

export async function createLua(): Promise<PeerEngine> {
  const require = createRequire(import.meta.url);
  const { LuaFactory } = require("wasmoon") as { LuaFactory: new () => { createEngine(): Promise<LuaEngine> } };
  const lua = await new LuaFactory().createEngine();
  lua.global.set("sha256_hex", (h: string) => hex(sha256(unhex(h))));
  lua.global.set("ed25519_verify_hex", (pk: string, msg: string, sig: string) => {
    try {
      return ed.verify(unhex(sig), unhex(msg), unhex(pk), { zip215: false });
    } catch {
      return false;
    }
  });
  await lua.doString(readFileSync(join(root, "bench/peers/lua/workloads.lua"), "utf8"));
  const fn = (name: string) => lua.global.get(name);
  const fib = fn("fib");
  const sum = fn("sum");
  const shaChain = fn("sha_chain");
  const tokenInit = fn("token_init");
  const transfer = fn("transfer");
  const balanceOf = fn("balance_of");
  const attestInit = fn("attest_init");
  const register = fn("register");
  const submit = fn("submit");
  const observe = fn("observe");
  const chainOf = fn("chain_of");
  const nonceOf = fn("nonce_of");
  const meanOf = fn("mean_of");
  const varianceOf = fn("variance_of");
  let now = 0;
  const acct = accounts.map(hex);
  const dev = devices.map((d) => hex(d.pubkey));
  const format = moteFormat(PEER_CONTRACT_ID);
  let signed: (SignedReading & { sigHex: string })[] = [];
  // wasmoon raises Lua errors as JS exceptions carrying the Lua message.
  const refuses = (r: SignedReading & { sigHex: string }, sig: string, reason: string): boolean => {
    try {
      submit(dev[r.device], Number(r.nonce), Number(r.value), Number(r.timestamp), sig);
      return false;
    } catch (e) {
      return String((e as Error).message).includes(reason);
    }
  };
  const num = (v: unknown, what: string): bigint => {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new PeerError("lua", what, `expected an integer, got ${String(v)}`);
    return BigInt(v);
  };

  return {
    name: "lua",
    title: "Lua 5.4 (wasmoon, wasm)",
    notes: ["byte strings cross the JS boundary as hex; SHA-256 and ed25519 are host functions (@noble)", "token and attest: one call from JS per transaction"],
    async fib(n) {
      return num(fib(n), "fib");
    },
    async sum(n) {
      return num(sum(n), "loop");
    },
    async shaChain(seed, n) {
      return unhex(shaChain(hex(seed), n) as string);
    },
    token: {
      async reset() {
        tokenInit(acct[0], Number(TOKEN_FUNDING) * TOKEN_ACCOUNTS);
        for (let i = 1; i < TOKEN_ACCOUNTS; i++) transfer(acct[0], acct[i], Number(TOKEN_FUNDING));
      },
      async run(list) {
        for (const t of list) transfer(acct[t.from], acct[t.to], Number(t.amount));
      },
      async balances() {
        return acct.map((a) => num(balanceOf(a), "token_transfer"));
      },
    },
    attest: {
      async prepare(list: readonly Reading[]) {
        now = Number(blockTime(list));
        signed = signReadings(list, format).map((r) => ({ ...r, sigHex: hex(r.sig) }));
      },
      async reset() {
        attestInit(hex(PEER_CONTRACT_ID), now);
        for (const d of dev) register(d);
      },
      async run() {
        for (const r of signed) {
          submit(dev[r.device], Number(r.nonce), Number(r.value), Number(r.timestamp), r.sigHex);
          observe(dev[r.device]);
        }
      },
      async heads() {
        return dev.map((d) => unhex(chainOf(d) as string));
      },
      async nonces() {
        return dev.map((d) => num(nonceOf(d), "attest"));
      },
      async guard() {
        return { means: dev.map((d) => num(meanOf(d), "attest")), variances: dev.map((d) => num(varianceOf(d), "attest")) };
      },
      async refusesTampered(index) {
        const r = signed[index]!;
        const sig = r.sig.slice();
        sig[7] ^= 0x10;
        return refuses(r, hex(sig), "bad signature");
      },
      async refusesReplay(index) {
        const r = signed[index]!;
        return refuses(r, r.sigHex, "replayed nonce");
      },
      message: format.message,
      initialHead: format.initialHead,
    },
    dispose() {
      lua.global.close();
    },
  };
}
