// Limits at their exact edge, where off-by-one mutations live: the deepest call allowed and the first refused,
// a byte-string reference ending exactly at the arena's top and one byte past it, and bcat at exactly
// MAX_BYTES_LEN and one byte over. Each case pairs the last accepted input with the first refused one.
import { describe, expect, it } from "vitest";
import { layoutAddresses } from "../../scripts/gen-spec.ts";
import { LIMITS } from "../../vm/spec/limits.ts";
import { prog, run } from "./helpers.ts";

const ARENA = layoutAddresses().find((a) => a.name === "ARENA")!.addr;
const MAX_DEPTH = LIMITS.MAX_CALL_DEPTH.value;
const MAXB = LIMITS.MAX_BYTES_LEN.value;

describe("call depth: MAX_CALL_DEPTH frames, not one more", () => {
  // f(n) recurses n times: n + 1 frames
  const rec = prog("lget0\njz base\nlget0\npush1\nsubu\ncall f\nret\nbase:\npush0\nret", { params: 1 });
  it(`f(${MAX_DEPTH - 1}) uses ${MAX_DEPTH} frames: ok`, async () => {
    expect((await run(rec, [BigInt(MAX_DEPTH - 1)])).status).toBe("ok");
  });
  it(`f(${MAX_DEPTH}) needs ${MAX_DEPTH + 1} frames: call_depth`, async () => {
    expect((await run(rec, [BigInt(MAX_DEPTH)])).status).toBe("call_depth");
  });
});

describe("a byte-string reference must end within the arena's used part", () => {
  // with no byte-string arguments the arena is empty: references may reach up to its start, not past it
  const ref = (addr: number, len: number): bigint => (BigInt(len) << 32n) | BigInt(addr);
  const blen = prog("lget0\nblen\nret", { params: 1 });
  it("a forged reference ending exactly at the arena's top is read", async () => {
    expect(await run(blen, [ref(ARENA - 16, 16)])).toMatchObject({ status: "ok", returns: [16n] });
  });
  it("one byte longer is out of bounds", async () => {
    expect((await run(blen, [ref(ARENA - 16, 17)])).status).toBe("bounds");
  });
  it("starting one byte past the top is out of bounds, even empty", async () => {
    expect((await run(blen, [ref(ARENA + 1, 0)])).status).toBe("bounds");
  });
});

describe("bcat builds at most MAX_BYTES_LEN bytes", () => {
  const half = "0x" + "ab".repeat(MAXB / 2);
  it(`${MAXB / 2} + ${MAXB / 2} bytes: ok, ${MAXB} long`, async () => {
    const m = prog("pushb c0\npushb c0\nbcat\nblen\nret", { consts: [half] });
    expect(await run(m, [])).toMatchObject({ status: "ok", returns: [BigInt(MAXB)] });
  });
  it(`${MAXB / 2} + ${MAXB / 2} + 1 bytes: bounds`, async () => {
    const m = prog("pushb c0\npushb c0\nbcat\npushb c1\nbcat\nblen\nret", { consts: [half, "0x01"] });
    expect((await run(m, [])).status).toBe("bounds");
  });
});
