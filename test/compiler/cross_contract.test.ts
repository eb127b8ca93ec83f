// Reading another contract's storage by its module id: through an imported contract's source and
// through an `extern contract` layout; writing it is a compile error.
import { beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { MemoryStateStore, MoteVM } from "../../vm/host/index.ts";
import { moduleId } from "../../vm/spec/module.ts";
import { KEYS } from "./annotated.ts";

const registry = `
struct Device { kind: u64, active: bool }
contract Registry {
  storage operator: pubkey;
  storage devices: map<pubkey, Device>;
  init() { operator = caller(); }
  pub fn register(d: pubkey, kind: u64) {
    require(caller() == operator, "only the operator");
    devices[d] = Device { kind: kind, active: true };
  }
  pub fn revoke(d: pubkey) { devices[d].active = false; }
}`;

const reader = `
import "registry.mote";
contract Reader {
  pub view fn active(reg: hash, d: pubkey) -> bool { return Registry(reg).devices[d].active; }
  pub view fn kind(reg: hash, d: pubkey) -> u64 { return Registry(reg).devices[d].kind; }
  pub view fn operator_of(reg: hash) -> pubkey { return Registry(reg).operator; }
}`;

const externReader = `
struct Device { kind: u64, active: bool }
extern contract Registry {
  storage operator: pubkey;
  storage devices: map<pubkey, Device>;
}
contract Reader2 {
  pub view fn kind(reg: hash, d: pubkey) -> u64 { return Registry(reg).devices[d].kind; }
}`;

const files: Record<string, string> = { "registry.mote": registry };
let vm: MoteVM;
beforeAll(async () => {
  vm = await MoteVM.create();
});

describe("cross-contract reads", () => {
  it("reads a registry's storage through its id, live", () => {
    const reg = compileSource(registry, "registry.mote");
    const rd = compileSource(reader, "reader.mote", (p) => files[p]);
    const rd2 = compileSource(externReader, "reader2.mote");
    expect([...reg.diagnostics, ...rd.diagnostics, ...rd2.diagnostics]).toEqual([]);
    const store = new MemoryStateStore();
    const id = moduleId(reg.module!);
    const dev = KEYS.carol!;
    const at = (m: Uint8Array, fn: string, args: (bigint | Uint8Array)[]) => vm.call(m, fn, args, { store, caller: KEYS.alice! });
    expect(at(reg.module!, "init", []).status).toBe("ok");
    expect(at(rd.module!, "active", [id, dev]).returns).toEqual([0n]);
    expect(at(reg.module!, "register", [dev, 7n]).status).toBe("ok");
    expect(at(rd.module!, "active", [id, dev]).returns).toEqual([1n]);
    expect(at(rd.module!, "kind", [id, dev]).returns).toEqual([7n]);
    expect(at(rd2.module!, "kind", [id, dev]).returns).toEqual([7n]);
    expect(at(rd.module!, "operator_of", [id]).returns).toEqual([KEYS.alice]);
    expect(at(reg.module!, "revoke", [dev]).status).toBe("ok");
    expect(at(rd.module!, "active", [id, dev]).returns).toEqual([0n]);
    expect(at(rd.module!, "kind", [id, dev]).returns).toEqual([7n]);
    // an unknown contract id reads as never written
    expect(at(rd.module!, "kind", [new Uint8Array(32), dev]).returns).toEqual([0n]);
  });

  it("refuses to write another contract's storage", () => {
    const bad = reader.replace("return Registry(reg).devices[d].active;", "Registry(reg).devices[d].active = false; return true;");
    const out = compileSource(bad, "reader.mote", (p) => files[p]);
    expect(out.diagnostics.map((d) => [d.code, d.message])).toEqual([["E0046", "cannot write to the storage of contract `Registry`"]]);
  });
});
