// Child process of import-kill.test.ts: imports the export file argv[2] into the directory argv[3],
// printing "start" before and "done" after, so the parent can SIGKILL it at any point in between.
import { readFileSync } from "node:fs";
import { Ledger } from "../../ledger/index.ts";

const [file, dir] = process.argv.slice(2);
if (!file || !dir) {
  console.error("usage: import-writer.ts EXPORT DIR");
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(file));
console.log("start");
const l = await Ledger.importChain(dir, bytes);
l.close();
console.log("done");
