// Replays every saved fuzz case in test/regressions/*.json forever: each must pass the whole oracle
// (and agree between the Node host and mote-host when it is built), and give its pinned results.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MoteVM } from "../../vm/host/index.ts";
import { replayCase } from "../fuzz/replay.ts";
import { firmwareHostAvailable } from "../fuzz/differential.ts";
import type { CaseFile } from "../fuzz/case-file.ts";

const DIR = import.meta.dirname;
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const BOTH = firmwareHostAvailable();

describe(`regressions (${FILES.length} cases${BOTH ? ", both hosts" : ", Node host only: mote-host not built"})`, () => {
  it("has cases to replay", () => {
    expect(FILES.length).toBeGreaterThan(0);
  });
  for (const name of FILES) {
    it(name.replace(/\.json$/, ""), async () => {
      const file = JSON.parse(readFileSync(join(DIR, name), "utf8")) as CaseFile;
      expect(typeof file.what, `${name}: 'what' says what broke`).toBe("string");
      const vm = await MoteVM.create();
      const r = replayCase(vm, file, name, { differential: BOTH });
      expect(r.findings, `${name}: ${file.what}`).toEqual([]);
      expect(r.divergences, `${name}: hosts differ`).toEqual([]);
      if (file.expect) expect(r.results).toEqual(file.expect);
    });
  }
});
