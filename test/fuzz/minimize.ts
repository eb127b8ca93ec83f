// Shrinks a failing case before it is saved: fewer calls, fewer state entries, and a delta-debugging
// pass (ddmin) over the module bytes, keeping each cut only while the same failure still shows.
import { fromHex, toHex } from "../../vm/host/store.ts";
import type { CaseFile } from "./case-file.ts";

/** Zeller's ddmin over a list: removes chunks, halving the chunk size, while `fails` holds. */
export function ddminList<T>(input: readonly T[], fails: (xs: T[]) => boolean, budget = 3000): { items: T[]; tries: number } {
  let cur = [...input];
  let n = 2;
  let tries = 0;
  while (cur.length >= 2 && tries < budget) {
    const chunk = Math.ceil(cur.length / n);
    let reduced = false;
    for (let start = 0; start < cur.length && tries < budget; start += chunk) {
      const cand = [...cur.slice(0, start), ...cur.slice(start + chunk)];
      tries++;
      if (fails(cand)) {
        cur = cand;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return { items: cur, tries };
}

/** ddmin over bytes, then each remaining byte lowered toward 0 where the failure allows (easier to read). */
export function ddmin(input: Uint8Array, fails: (b: Uint8Array) => boolean, budget = 3000): Uint8Array {
  const { items, tries: used } = ddminList([...input], (xs) => fails(Uint8Array.from(xs)), budget);
  let cur = Uint8Array.from(items);
  let tries = used;
  for (let i = 0; i < cur.length && tries < budget; i++) {
    for (const v of [0, 1]) {
      if (cur[i]! <= v) break;
      const cand = cur.slice();
      cand[i] = v;
      tries++;
      if (fails(cand)) {
        cur = cand;
        break;
      }
    }
  }
  return cur;
}

/** Shrinks a source text: whole lines first, then characters. */
export function minimizeSource(text: string, fails: (t: string) => boolean, budget = 4000): string {
  if (!fails(text)) return text;
  const lines = ddminList(text.split("\n"), (ls) => fails(ls.join("\n")), budget / 2).items.join("\n");
  return ddminList([...lines], (cs) => fails(cs.join("")), budget / 2).items.join("");
}

/** Minimizes a case file under `fails`; the result still fails (or is the input unchanged). */
export function minimizeCase(file: CaseFile, fails: (f: CaseFile) => boolean): CaseFile {
  let cur: CaseFile = structuredClone(file);
  if (!fails(cur)) return file;
  // 1. calls: the smallest prefix-free subset that still fails, one removal at a time
  for (let i = cur.calls.length - 1; i >= 0 && cur.calls.length > 1; i--) {
    const cand = { ...cur, calls: cur.calls.filter((_, k) => k !== i) };
    if (fails(cand)) cur = cand;
  }
  // 2. state entries
  for (const c of Object.keys(cur.state)) {
    for (const k of Object.keys(cur.state[c] ?? {})) {
      const st = structuredClone(cur.state);
      delete st[c]![k];
      if (Object.keys(st[c]!).length === 0) delete st[c];
      const cand = { ...cur, state: st };
      if (fails(cand)) cur = cand;
    }
  }
  // 3. arguments: empty byte strings and zero integers where the failure allows
  cur.calls.forEach((c, i) => {
    c.args.forEach((a, k) => {
      const simpler = a.startsWith("0x") ? "0x" : "0";
      if (a === simpler) return;
      const calls = structuredClone(cur.calls);
      calls[i]!.args[k] = simpler;
      const cand = { ...cur, calls };
      if (fails(cand)) cur = cand;
    });
  });
  // 4. module bytes
  const bytes = ddmin(fromHex(cur.module), (b) => fails({ ...cur, module: "0x" + toHex(b) }));
  cur = { ...cur, module: "0x" + toHex(bytes) };
  return cur;
}
