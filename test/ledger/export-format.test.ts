// The export container (ledger/export.ts) on its own: a version-1 export says why it is refused, an unknown record
// tag in the middle of the blocks names the block it stands for (not the end record), and an end record that
// never came is reported as missing.
import { describe, expect, it } from "vitest";
import { ChainBroken } from "../../ledger/errors.ts";
import { checkExportEnd, encodeExport, EXPORT_VERSION, parseExport } from "../../ledger/export.ts";

const block = (n: number) => ({ hash: new Uint8Array(32).fill(n), bytes: new Uint8Array(10).fill(n) });
// magic (4) + version (1) + chain id length (1) + "audit" (5)
const FIRST_RECORD_AT = 4 + 1 + 1 + 5;

function failure(f: () => unknown): ChainBroken {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChainBroken);
    return e as ChainBroken;
  }
  throw new Error("no ChainBroken thrown");
}

describe("export container", () => {
  it("refuses a version-1 export, saying its transactions are valid on no chain of this version", () => {
    const ex = encodeExport("audit", [block(1)]);
    ex[4] = 1;
    const e = failure(() => parseExport(ex));
    expect(e.message).toBe(
      `export header: unsupported export version 1 at byte 4, expected ${EXPORT_VERSION} (made by a Mote before chain-bound signatures; its transactions are not valid on any chain of this version)`,
    );
    ex[4] = 9;
    expect(failure(() => parseExport(ex)).message).toBe(`export header: unsupported export version 9 at byte 4, expected ${EXPORT_VERSION}`);
  });

  it("an unknown record tag among the blocks names that block, not the end record", () => {
    const ex = encodeExport("audit", [block(1), block(2)]);
    const second = FIRST_RECORD_AT + 1 + 32 + 4 + 10;
    ex[second] = 7;
    const p = parseExport(ex);
    const e = failure(() => [...p.records]);
    expect([e.message, e.height, e.section]).toEqual([`block 1: unknown record tag 7 at byte ${second}`, 1n, null]);
  });

  it("a parse whose records were never read to the end has no end record, and the check says so", () => {
    const p = parseExport(encodeExport("audit", [block(1)]));
    expect(p.end).toBeNull();
    const e = failure(() => checkExportEnd(p, 1, block(1).hash));
    expect([e.message, e.section]).toEqual(["export end record: missing end record", "export end record"]);
    expect([...p.records].length).toBe(1);
    expect(() => checkExportEnd(p, 1, block(1).hash)).not.toThrow();
  });
});
