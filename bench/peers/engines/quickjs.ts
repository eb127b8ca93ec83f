// The QuickJS peer: quickjs-emscripten (QuickJS compiled to wasm) running bench/peers/quickjs/workloads.js;
// SHA-256 and ed25519 are host functions backed by @noble, as for Mote and Lua.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as ed from "@noble/ed25519";
import { sha256 } from "@noble/hashes/sha2.js";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";
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

export async function createQuickJS(): Promise<PeerEngine> {
  const require = createRequire(import.meta.url);
  const { getQuickJS } = require("quickjs-emscripten") as typeof import("quickjs-emscripten");
  const ctx: QuickJSContext = (await getQuickJS()).newContext();
  const host = (name: string, f: (...args: string[]) => QuickJSHandle): void => {
    const h = ctx.newFunction(name, (...args: QuickJSHandle[]) => f(...args.map((a) => ctx.getString(a))));
    ctx.setProp(ctx.global, name, h);
    h.dispose();
  };
  host("sha256_hex", (h) => ctx.newString(hex(sha256(unhex(h)))));
  host("ed25519_verify_hex", (pk, msg, sig) => {
    let ok = false;
    try {
      ok = ed.verify(unhex(sig), unhex(msg), unhex(pk), { zip215: false });
    } catch {
      ok = false;
    }
    return ok ? ctx.true : ctx.false;
  });
  const file = "bench/peers/quickjs/workloads.js";
  ctx.unwrapResult(ctx.evalCode(readFileSync(join(root, file), "utf8"), file)).dispose();
  const fns = new Map<string, QuickJSHandle>();
  for (const name of ["fib", "sum", "sha_chain", "token_init", "transfer", "balance_of", "attest_init", "register", "submit", "observe", "chain_of", "nonce_of", "mean_of", "variance_of"]) {
    fns.set(name, ctx.getProp(ctx.global, name));
  }

  /** Calls a workload function with numbers and strings; returns its result (a number or string). */
  const call = (name: string, ...args: (number | string)[]): number | string => {
    const argv = args.map((a) => (typeof a === "number" ? ctx.newNumber(a) : ctx.newString(a)));
    const r = ctx.callFunction(fns.get(name)!, ctx.undefined, ...argv);
    for (const a of argv) a.dispose();
    if (r.error) {
      const err = ctx.dump(r.error) as { message?: string };
      r.error.dispose();
      throw new PeerError("quickjs", name, err.message ?? "threw");
    }
    const v = ctx.dump(r.value) as unknown;
    r.value.dispose();
    if (typeof v !== "number" && typeof v !== "string" && v !== undefined) throw new PeerError("quickjs", name, `unexpected result ${String(v)}`);
    return v ?? 0;
  };
  const num = (v: number | string, what: string): bigint => {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new PeerError("quickjs", what, `expected an integer, got ${String(v)}`);
    return BigInt(v);
  };
  const acct = accounts.map(hex);
  const dev = devices.map((d) => hex(d.pubkey));
  const format = moteFormat(PEER_CONTRACT_ID);
  let signed: (SignedReading & { sigHex: string })[] = [];
  let now = 0;
  const refuses = (r: SignedReading, sig: string, reason: string): boolean => {
    try {
      call("submit", dev[r.device]!, Number(r.nonce), Number(r.value), Number(r.timestamp), sig);
      return false;
    } catch (e) {
      return (e as Error).message.includes(reason);
    }
  };

  return {
    name: "quickjs",
    title: "QuickJS (quickjs-emscripten, wasm)",
    notes: ["byte strings cross the JS boundary as hex; SHA-256 and ed25519 are host functions (@noble)", "token and attest: one call from JS per transaction"],
    async fib(n) {
      return num(call("fib", n), "fib");
    },
    async sum(n) {
      return num(call("sum", n), "loop");
    },
    async shaChain(seed, n) {
      return unhex(String(call("sha_chain", hex(seed), n)));
    },
    token: {
      async reset() {
        call("token_init", acct[0]!, Number(TOKEN_FUNDING) * TOKEN_ACCOUNTS);
        for (let i = 1; i < TOKEN_ACCOUNTS; i++) call("transfer", acct[0]!, acct[i]!, Number(TOKEN_FUNDING));
      },
      async run(list) {
        for (const t of list) call("transfer", acct[t.from]!, acct[t.to]!, Number(t.amount));
      },
      async balances() {
        return acct.map((a) => num(call("balance_of", a), "token_transfer"));
      },
    },
    attest: {
      async prepare(list: readonly Reading[]) {
        now = Number(blockTime(list));
        signed = signReadings(list, format).map((r) => ({ ...r, sigHex: hex(r.sig) }));
      },
      async reset() {
        call("attest_init", hex(PEER_CONTRACT_ID), now);
        for (const d of dev) call("register", d);
      },
      async run() {
        for (const r of signed) {
          call("submit", dev[r.device]!, Number(r.nonce), Number(r.value), Number(r.timestamp), r.sigHex);
          call("observe", dev[r.device]!);
        }
      },
      async heads() {
        return dev.map((d) => unhex(String(call("chain_of", d))));
      },
      async nonces() {
        return dev.map((d) => num(call("nonce_of", d), "attest"));
      },
      async guard() {
        return { means: dev.map((d) => num(call("mean_of", d), "attest")), variances: dev.map((d) => num(call("variance_of", d), "attest")) };
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
      for (const h of fns.values()) h.dispose();
      ctx.dispose();
    },
  };
}
