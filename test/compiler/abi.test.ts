// compiler/abi.ts: argument parsing and value formatting by ABI type, revert and event decoding,
// source-map lookup; and determinism of the whole output.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeRevert, eventByTopic, formatEvent, formatValue, parseArg, sourceAt } from "../../compiler/abi.ts";
import { compileFile } from "../../compiler/index.ts";

describe("parseArg", () => {
  it("parses each type", () => {
    expect(parseArg("18446744073709551615", "u64")).toBe(18446744073709551615n);
    expect(parseArg("-1", "i64")).toBe(18446744073709551615n);
    expect(parseArg("1.5", "fixed")).toBe(98304n);
    expect(parseArg("-0.25", "fixed")).toBe(BigInt.asUintN(64, -16384n));
    expect(parseArg("true", "bool")).toBe(1n);
    expect(parseArg("false", "bool")).toBe(0n);
    expect(parseArg("0xCAFE", "bytes")).toEqual(Uint8Array.from([0xca, 0xfe]));
    expect(parseArg(`0x${"11".repeat(32)}`, "pubkey")).toHaveLength(32);
    expect(parseArg(`0x${"22".repeat(64)}`, "sig")).toHaveLength(64);
  });

  it("rejects bad input with one clear line", () => {
    const bad: [string, string, RegExp][] = [
      ["-1", "u64", /unsigned decimal integer/],
      ["18446744073709551616", "u64", /does not fit in u64/],
      ["9223372036854775808", "i64", /does not fit in i64/],
      ["1e3", "fixed", /decimal number/],
      ["yes", "bool", /true or false/],
      ["0xabc", "bytes", /even number of hex digits/],
      ["0x00", "hash", /a hash is 32 bytes \(64 hex digits\), got 1/],
      [`0x${"00".repeat(32)}`, "sig", /a sig is 64 bytes/],
      ["1", "Device", /cannot parse an argument of type Device/],
    ];
    for (const [text, type, msg] of bad) {
      let err: Error | undefined;
      try {
        parseArg(text, type);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message, `${text} as ${type}`).toMatch(msg);
      expect(err!.message).not.toContain("\n");
    }
  });
});

describe("formatValue", () => {
  it("formats by type", () => {
    expect(formatValue(18446744073709551615n, "u64")).toBe("18446744073709551615");
    expect(formatValue(18446744073709551615n, "i64")).toBe("-1");
    expect(formatValue(98304n, "fixed")).toBe("1.5");
    expect(formatValue(BigInt.asUintN(64, -1n), "fixed")).toBe("-0.0000152587890625");
    expect(formatValue(1n, "bool")).toBe("true");
    expect(formatValue(Uint8Array.from([1, 255]), "bytes")).toBe("0x01ff");
  });
  it("round-trips fixed values through parseArg", () => {
    for (const raw of [0n, 1n, 65535n, 65536n, 123456789n, -98304n, -(2n ** 63n), 2n ** 63n - 1n]) {
      const text = formatValue(BigInt.asUintN(64, raw), "fixed");
      expect(parseArg(text, "fixed")).toBe(BigInt.asUintN(64, raw));
    }
  });
});

describe("metadata", () => {
  const out = compileFile("contracts/token.mote");
  const abi = out.abi!;
  it("decodes reverts to file:line:col: message", () => {
    const id = abi.errors.find((e) => e.message === "insufficient balance")!.id;
    expect(describeRevert(abi, id)).toMatch(/^token\.mote:\d+:5: insufficient balance$/);
    expect(describeRevert(abi, 999)).toBeUndefined();
  });
  it("finds events by topic", () => {
    const t = abi.events.find((e) => e.name === "Transfer")!;
    expect(t.signature).toBe("Transfer(pubkey,pubkey,u64)");
    expect(eventByTopic(abi, t.topic)?.name).toBe("Transfer");
    expect(eventByTopic(abi, t.topic ^ 1)).toBeUndefined();
    expect(formatEvent(abi, t.topic, [new Uint8Array(1), Uint8Array.from([2]), 5n])).toBe("Transfer(from=0x00, to=0x02, amount=5)");
  });
  it("maps pcs to source lines", () => {
    const src = readFileSync("contracts/token.mote", "utf8").split("\n");
    const move = abi.sourceMap.entries.filter((e) => src[e[3] - 1]!.includes("balances[to] += amount"));
    expect(move.length).toBeGreaterThan(0);
    const [func, pc] = move[0]!;
    expect(sourceAt(abi, func, pc + 1)?.line).toBe(move[0]![3]);
  });
});

describe("determinism", () => {
  it("gives byte-identical modules and ABIs for the same input", () => {
    const a = compileFile("contracts/token.mote");
    const b = compileFile("contracts/token.mote");
    expect(Buffer.from(a.module!)).toEqual(Buffer.from(b.module!));
    expect(JSON.stringify(a.abi)).toBe(JSON.stringify(b.abi));
  });
  it("is the same whichever path names the file", () => {
    const abs = compileFile(`${process.cwd()}/contracts/token.mote`);
    expect(Buffer.from(abs.module!)).toEqual(Buffer.from(compileFile("contracts/token.mote").module!));
    expect(abs.abi!.sourceMap.files).toEqual(["token.mote"]);
  });
  it("is the same in another process with another time zone and locale", () => {
    const code = `import { compileFile } from "./compiler/index.ts"; process.stdout.write(Buffer.from(compileFile("contracts/token.mote").module).toString("hex"));`;
    const hex = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      env: { ...process.env, TZ: "Pacific/Kiritimati", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" },
      encoding: "utf8",
    });
    expect(hex).toBe(Buffer.from(compileFile("contracts/token.mote").module!).toString("hex"));
  });
});
