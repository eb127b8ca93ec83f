// The writer the durability test traces: opens (or creates) a ledger in DIR, commits BLOCKS blocks of one call
// each, and writes "ack <height>" to fd 1 with a synchronous write only after each block's commit returned.
// Usage: durability-writer.ts DIR BLOCKS
import { readFileSync, writeSync } from "node:fs";
import { KeyPair, Ledger } from "../../ledger/index.ts";
import { assemble } from "../../vm/asm/index.ts";

const [dir, blocksArg] = process.argv.slice(2);
if (!dir || !blocksArg) {
  process.stderr.write("usage: durability-writer.ts DIR BLOCKS\n");
  process.exit(2);
}
const book = assemble(readFileSync(new URL("programs/book.masm", import.meta.url), "utf8"), "book.masm");
const alice = KeyPair.fromSeed(new Uint8Array(32).fill(1));
let t = 1_700_000_000n;
const ledger = await Ledger.open(dir, { chainId: "durable", create: true, clock: () => t++ });
writeSync(1, "opened\n");
const { contract } = ledger.deploy(alice, book, [1_000_000n]);
writeSync(1, `ack ${ledger.height}\n`);
for (let i = 0; i < Number(blocksArg); i++) {
  const r = ledger.submit([ledger.signCall(alice, contract, "put", [new TextEncoder().encode(`k${i}`), BigInt(i)])]);
  if (!r.outcomes[0]!.ok) throw new Error("call refused");
  writeSync(1, `ack ${ledger.height}\n`);
}
ledger.close();
