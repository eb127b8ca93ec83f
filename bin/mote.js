#!/usr/bin/env node
// The `mote` command: runs the CLI compiled to JavaScript at install (dist/, `npm run build:cli`, which
// `prepare` runs on `npm install` / `npm ci`). It never compiles TypeScript or imports build scripts.
import { existsSync } from "node:fs";

const entry = new URL("../dist/mote.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("mote: the CLI is not built (dist/mote.js missing); run npm run build:cli in the mote package\n");
  process.exit(1);
}
await import(entry.href);
