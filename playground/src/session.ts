// The playground's engine, without the page: compiles a contract with the compiler the CLI uses, runs it
// on vm/build/mote.wasm through the VM host (vm/host) against in-memory state, and describes each call
// (result, events, gas, where a revert happened) in the words `mote run` uses. Runs in a browser and in Node.
import { sha256 } from "@noble/hashes/sha2.js";
import * as ed from "@noble/ed25519";
import { describeRevert, formatEvent, formatValue, functionNames, locateStop, parseArg, sourceAnnotator, type Abi, type AbiFunction } from "../../compiler/abi.ts";
import { compileSource, type Diagnostic } from "../../compiler/index.ts";
import { selectorOf } from "../../vm/spec/module.ts";
import { disassemble } from "../../vm/asm/index.ts";
import { MemoryStateStore, MoteVM, type Value } from "../../vm/host/index.ts";

/** Named accounts, as the contract-test helper derives them: seed = SHA-256("mote-test-account:" + name). */
export const ACCOUNTS = ["alice", "bob", "carol", "dave"] as const;
export type AccountName = (typeof ACCOUNTS)[number];

export function accountKey(name: string): Uint8Array {
  return ed.getPublicKey(sha256(new TextEncoder().encode(`mote-test-account:${name}`)));
}

const hex = (b: Uint8Array): string => `0x${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;

export interface CompileView {
  diagnostics: Diagnostic[];
  ok: boolean;
  size?: number;
  disassembly?: string;
  abi?: Abi;
}

export interface CallView {
  fn: string;
  caller: string;
  status: string;
  gasUsed: number;
  /** The returned value, formatted by its ABI type. */
  result?: string;
  events: string[];
  /** For a call that did not end ok: "file:line:col: message" (a revert) or the VM status, with its place. */
  error?: string;
  /** Where it stopped, in the source. */
  at?: { file: string; line: number; col: number };
}

export class Playground {
  private store = new MemoryStateStore();
  private module?: Uint8Array;
  private abi?: Abi;
  private deployed = false;
  private calls = 0;

  private constructor(
    private readonly vm: MoteVM,
    /** Files an `import` may name (the examples and their libraries), by path. */
    private readonly files: Record<string, string>,
  ) {}

  static async create(wasm: Uint8Array<ArrayBuffer>, files: Record<string, string>): Promise<Playground> {
    return new Playground(await MoteVM.create({ wasm }), files);
  }

  /** Compiles `source` as the file `file` (its imports resolved among the known files); resets the state. */
  compile(source: string, file: string): CompileView {
    const read = (path: string): string | undefined => (path === file ? source : this.files[path]);
    const out = compileSource(source, file, read);
    const ok = out.module !== undefined && out.abi !== undefined && !out.diagnostics.some((d) => d.severity === "error");
    this.store = new MemoryStateStore();
    this.deployed = false;
    this.calls = 0;
    if (!ok) {
      this.module = undefined;
      this.abi = undefined;
      return { diagnostics: out.diagnostics, ok: false };
    }
    this.module = out.module!;
    this.abi = out.abi!;
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
    const annotate = sourceAnnotator(this.abi, (f) => read(dir + f));
    const disassembly = disassemble(this.module, {
      funcNames: functionNames(this.abi),
      exportNames: new Map(this.abi.functions.map((f) => [selectorOf(f.name), f.name])),
      annotate,
    });
    return { diagnostics: out.diagnostics, ok: true, size: this.module.length, disassembly, abi: this.abi };
  }

  get isDeployed(): boolean {
    return this.deployed;
  }

  /** The public functions a form can call (init only before deployment). */
  functions(): AbiFunction[] {
    return (this.abi?.functions ?? []).filter((f) => (f.name === "init") !== this.deployed);
  }

  /** Parses a typed argument; a pubkey may be given as an account name. */
  private arg(text: string, type: string, size: number | undefined, name: string): Value {
    const t = text.trim();
    if (type === "pubkey" && (ACCOUNTS as readonly string[]).includes(t)) return accountKey(t);
    try {
      return parseArg(t, type, size);
    } catch (e) {
      throw new Error(`argument \`${name}\`: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Calls a public function (or, before deployment, `init`, which deploys) as `caller`. Throws an Error
   * naming the argument when one does not parse; a call that reverts is a CallView, not an exception.
   */
  call(fn: string, args: string[], caller: AccountName | string = "alice"): CallView {
    if (!this.module || !this.abi) throw new Error("compile a contract first");
    const f = this.abi.functions.find((x) => x.name === fn);
    const hasInit = this.abi.functions.some((x) => x.name === "init");
    if (!f) throw new Error(`no public function \`${fn}\``);
    if (fn !== "init" && hasInit && !this.deployed) throw new Error("deploy first: run init");
    if (args.length !== f.params.length) throw new Error(`\`${fn}\` takes ${f.params.length} argument(s), got ${args.length}`);
    const values = f.params.map((p, i) => this.arg(args[i] ?? "", p.type, p.size, p.name));
    this.calls++;
    const r = this.vm.call(this.module, fn, values, {
      store: this.store,
      caller: accountKey(caller),
      timestamp: 1_700_000_000n + BigInt(this.calls),
      height: BigInt(this.calls),
    });
    if (fn === "init" && r.status === "ok") this.deployed = true;
    if (!hasInit) this.deployed = true;
    const view: CallView = {
      fn,
      caller,
      status: r.status,
      gasUsed: r.gasUsed,
      events: r.events.map((e) => formatEvent(this.abi!, e.topic, e.values) ?? `event 0x${(e.topic >>> 0).toString(16)} ${e.values.map((v) => (v instanceof Uint8Array ? hex(v) : v.toString())).join(", ")}`),
    };
    if (r.status === "ok" && f.returns && r.returns[0] !== undefined) view.result = formatValue(r.returns[0], f.returns);
    if (r.status !== "ok") {
      const at = locateStop(this.abi, this.module, r.stopOffset);
      if (at) view.at = at;
      const where = at ? `${at.file}:${at.line}:${at.col}: ` : "";
      view.error = r.status === "revert" && r.error !== null ? (describeRevert(this.abi, r.error, at) ?? `${where}revert ${r.error}`) : `${where}${r.status}`;
    }
    return view;
  }
}
