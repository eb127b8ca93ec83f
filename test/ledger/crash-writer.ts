// The writer the crash-safety test kills: appends transactions to a ledger as fast as it can and prints
// "ack <tx id>" only after the block holding it has committed. Usage: crash-writer.ts DIR
import { readFileSync } from "node:fs";
import { assemble } from "../../vm/asm/index.ts";
import { instanceId, KeyPair, Ledger } from "../../ledger/index.ts";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: crash-writer.ts DIR\n");
  process.exit(2);
}
const book = assemble(readFileSync(new URL("programs/book.masm", import.meta.url), "utf8"), "book.masm");
const keys = [1, 2, 3].map((n) => KeyPair.fromSeed(new Uint8Array(32).fill(n)));
let t = 1_700_000_000n;
const ledger = await Ledger.open(dir, { chainId: "crash", clock: () => t++ });
// the instance is keys[0]'s first deploy, its first transaction
const id = instanceId(ledger.genesisHash, keys[0]!.publicKey, 0n);
if (!ledger.contract(id)) {
  const r = ledger.submit([ledger.signDeploy(keys[0]!, book, [1_000_000n])]);
  if (!r.outcomes[0]!.ok) throw new Error("deploy refused");
  process.stdout.write(`ack ${Buffer.from(r.outcomes[0]!.txId).toString("hex")}\n`);
}
for (let round = 0; ; round++) {
  // Alternate one-transaction blocks with three-transaction blocks from different senders.
  const senders = round % 2 === 0 ? [keys[round % 3]!] : keys;
  const txs = senders.map((k) => ledger.signCall(k, id, "put", [new TextEncoder().encode(`k${round % 50}`), BigInt(round)]));
  const r = ledger.submit(txs);
  for (const o of r.outcomes) {
    if (!o.ok) throw new Error(`refused: ${o.error.message}`);
    process.stdout.write(`ack ${Buffer.from(o.txId).toString("hex")}\n`);
  }
}
