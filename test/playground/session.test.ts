// The playground's engine in Node (the browser test runs the same code in Chromium): compile the token,
// deploy it, transfer, read the event and the gas, and see a revert located at its source line.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { compileSource } from "../../compiler/index.ts";
import { WASM_PATH } from "../../vm/host/index.ts";
import { accountKey, Playground } from "../../playground/src/session.ts";
import { exampleFiles } from "../../scripts/build-playground.ts";

it("compiles, deploys, calls and locates a revert with the CLI's compiler and VM", async () => {
  const files = exampleFiles();
  const file = "contracts/token.mote";
  const pg = await Playground.create(new Uint8Array(readFileSync(WASM_PATH)), files);
  const c = pg.compile(files[file]!, file);
  expect(c.ok).toBe(true);
  expect(c.size).toBe(compileSource(files[file]!, file).module!.length);
  expect(c.disassembly).toContain("transfer");
  expect(pg.functions().map((f) => f.name)).toEqual(["init"]);
  expect(() => pg.call("transfer", ["bob", "1"])).toThrow(/deploy first/);
  expect(pg.call("init", ["1000"], "alice").status).toBe("ok");
  const t = pg.call("transfer", ["bob", "10"], "alice");
  expect(t.status).toBe("ok");
  const bobHex = Buffer.from(accountKey("bob")).toString("hex");
  expect(t.events).toEqual([expect.stringMatching(new RegExp(`^Transfer\\(from=0x[0-9a-f]{64}, to=0x${bobHex}, amount=10\\)$`))]);
  expect(t.gasUsed).toBeGreaterThan(0);
  expect(pg.call("balance_of", ["bob"]).result).toBe("10");
  const bad = pg.call("transfer", ["carol", "11"], "bob");
  expect(bad.status).toBe("revert");
  const line = files[file]!.split("\n").findIndex((l) => l.includes('"insufficient balance"')) + 1;
  expect(bad.error).toBe(`token.mote:${line}:5: insufficient balance`);
  expect(bad.at).toEqual({ file: "token.mote", line, col: 5 });
  expect(() => pg.call("transfer", ["0x12", "1"])).toThrow(/argument `to`: a pubkey is 32 bytes/);
});

it("resolves an example's imports among the bundled files and reports diagnostics of broken code", async () => {
  const files = exampleFiles();
  const pg = await Playground.create(new Uint8Array(readFileSync(WASM_PATH)), files);
  expect(pg.compile(files["contracts/sensor_attestation.mote"]!, "contracts/sensor_attestation.mote").ok).toBe(true);
  const broken = pg.compile("contract C { pub fn f() { let x = ; } }", "contracts/scratch.mote");
  expect(broken.ok).toBe(false);
  expect(broken.diagnostics[0]).toMatchObject({ code: "E0002", line: 1 });
});
