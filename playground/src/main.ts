// The playground page: a CodeMirror 6 editor with the compiler's diagnostics inline, a compile button
// showing size, ABI and disassembly, and a form that calls the contract's functions with typed
// arguments against in-browser state (playground/src/session.ts). The source and the example it came
// from live in the URL's hash (deflate-compressed, base64url), so a link shares them.
import { EditorView, basicSetup } from "codemirror";
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, hoverTooltip, type DecorationSet } from "@codemirror/view";
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import type { Diagnostic } from "../../compiler/index.ts";
import { analyze, hover, type Analysis } from "../../lsp/analysis.ts";
import { ACCOUNTS, Playground, type CallView } from "./session.ts";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const DEFAULT_EXAMPLE = "contracts/token.mote";

// -- the URL: #f=<file>&s=<deflated source, base64url> ----------------------------------------------
async function pack(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpack(s: string): Promise<string> {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

async function saveToUrl(file: string, text: string): Promise<void> {
  history.replaceState(null, "", `#f=${encodeURIComponent(file)}&s=${await pack(text)}`);
}

async function loadFromUrl(): Promise<{ file: string; text: string } | undefined> {
  const h = new URLSearchParams(location.hash.slice(1));
  const s = h.get("s");
  if (!s) return undefined;
  try {
    return { file: h.get("f") ?? "contracts/scratch.mote", text: await unpack(s) };
  } catch {
    return undefined;
  }
}

// -- the stopped line: a revert's source line, marked in the editor -----------------------------------
const markLine = StateEffect.define<number | null>();
const stoppedLine = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (e.is(markLine)) {
        if (e.value === null) return Decoration.none;
        const line = tr.state.doc.line(Math.min(Math.max(1, e.value), tr.state.doc.lines));
        return Decoration.set([Decoration.line({ class: "cm-stopped-line" }).range(line.from)]);
      }
    }
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

async function start(): Promise<void> {
  const [wasm, files] = await Promise.all([
    fetch("mote.wasm").then(async (r) => new Uint8Array(await r.arrayBuffer())),
    fetch("examples.json").then((r) => r.json() as Promise<Record<string, string>>),
  ]);
  const pg = await Playground.create(wasm, files);
  let file = DEFAULT_EXAMPLE;

  const toCm = (view: EditorView, d: Diagnostic): CmDiagnostic => {
    const doc = view.state.doc;
    const pos = (line: number, col: number): number => {
      const l = doc.line(Math.min(Math.max(1, line), doc.lines));
      return Math.min(l.from + Math.max(0, col - 1), l.to);
    };
    const from = pos(d.line, d.col);
    return { from, to: Math.max(from, pos(d.endLine, d.endCol)), severity: d.severity, message: `${d.code}: ${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`, source: "mote" };
  };
  const showProblems = (ds: Diagnostic[]): void => {
    $("problems").replaceChildren(
      ...ds.map((d) => {
        const p = document.createElement("div");
        p.className = `problem ${d.severity}`;
        p.textContent = `${d.file.split("/").pop()}:${d.line}:${d.col}: ${d.severity}[${d.code}]: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ""}`;
        return p;
      }),
    );
  };
  const read = (path: string, text: string): string | undefined => (path === file ? text : files[path]);
  /** The language server's view of the text (lsp/analysis.ts), from the last check that parsed: for hover. */
  let analysis: Analysis | undefined;

  const view = new EditorView({
    parent: $("editor"),
    extensions: [
      basicSetup,
      lintGutter(),
      stoppedLine,
      linter(
        (v) => {
          const text = v.state.doc.toString();
          const checked = analyze(text, file, (p) => read(p, text));
          if (checked.analysis.files.length > 0) analysis = checked.analysis;
          const ds = checked.diagnostics.filter((d) => d.file === file);
          showProblems(ds);
          return ds.map((d) => toCm(v, d));
        },
        { delay: 300 },
      ),
      // hover: what the language server answers (the type of a name, a builtin's doc)
      hoverTooltip((v, pos) => {
        if (!analysis || analysis.text !== v.state.doc.toString()) return null;
        const line = v.state.doc.lineAt(pos);
        const h = hover(analysis, { line: line.number, col: pos - line.from + 1 });
        if (!h) return null;
        return {
          pos,
          create: () => {
            const dom = document.createElement("pre");
            dom.className = "mote-hover";
            dom.textContent = h.markdown.replace(/```mote\n|```/g, "").trim();
            return { dom };
          },
        };
      }),
    ],
  });
  const setText = (text: string): void => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });

  // examples
  const select = $<HTMLSelectElement>("examples");
  for (const name of Object.keys(files).filter((f) => !f.includes("/lib/"))) {
    const o = document.createElement("option");
    o.value = name;
    o.textContent = name.replace(/^contracts\//, "");
    select.append(o);
  }
  select.addEventListener("change", () => {
    file = select.value;
    setText(files[file] ?? "");
    resetOutput();
  });
  for (const a of ACCOUNTS) {
    const o = document.createElement("option");
    o.value = a;
    o.textContent = a;
    $("caller").append(o);
  }

  const resetOutput = (): void => {
    $("size").textContent = "not compiled";
    $("abi").textContent = "";
    $("disasm").textContent = "";
    $("results").replaceChildren();
    $("fn").replaceChildren();
    $("args").replaceChildren();
    $<HTMLButtonElement>("call").disabled = true;
    view.dispatch({ effects: markLine.of(null) });
  };

  const fillForm = (): void => {
    const fnSelect = $<HTMLSelectElement>("fn");
    const keep = fnSelect.value;
    fnSelect.replaceChildren(
      ...pg.functions().map((f) => {
        const o = document.createElement("option");
        o.value = f.name;
        o.textContent = `${f.name}${f.view ? " (view)" : ""}`;
        return o;
      }),
    );
    if (Array.from(fnSelect.options).some((o) => o.value === keep)) fnSelect.value = keep;
    $("call-title").textContent = pg.isDeployed ? "Call" : "Deploy (init)";
    fillArgs();
    $<HTMLButtonElement>("call").disabled = fnSelect.options.length === 0;
  };
  const fillArgs = (): void => {
    const f = pg.functions().find((x) => x.name === $<HTMLSelectElement>("fn").value);
    $("args").replaceChildren(
      ...(f?.params ?? []).map((p) => {
        const l = document.createElement("label");
        const input = document.createElement("input");
        input.name = p.name;
        input.dataset.type = p.type;
        input.placeholder = p.type === "pubkey" ? "alice, bob, … or 0x…" : p.type === "bool" ? "true / false" : p.type === "u64" || p.type === "i64" ? "decimal" : `${p.type} (0x…)`;
        l.append(`${p.name}: ${p.type}`, input);
        return l;
      }),
    );
  };
  $("fn").addEventListener("change", fillArgs);

  const compile = async (): Promise<void> => {
    const text = view.state.doc.toString();
    await saveToUrl(file, text);
    resetOutput();
    const c = pg.compile(text, file);
    showProblems(c.diagnostics.filter((d) => d.file === file));
    if (!c.ok) {
      const errors = c.diagnostics.filter((d) => d.severity === "error").length;
      $("size").textContent = `${errors} error${errors === 1 ? "" : "s"}: not compiled`;
      return;
    }
    $("size").textContent = `${c.abi!.contract}: ${c.size} bytes, ${c.abi!.functions.length} public function(s)`;
    $("abi").textContent = JSON.stringify(c.abi, (k, v: unknown) => (k === "sourceMap" ? undefined : v), 2);
    $("disasm").textContent = c.disassembly ?? "";
    fillForm();
  };
  $("compile").addEventListener("click", () => void compile());

  const showResult = (r: CallView): void => {
    const li = document.createElement("li");
    li.className = r.status === "ok" ? "ok" : "failed";
    const head = document.createElement("div");
    head.textContent = `${r.fn} as ${r.caller}: ${r.status}, gas ${r.gasUsed}${r.result !== undefined ? ` → ${r.result}` : ""}`;
    li.append(head);
    for (const e of r.events) {
      const d = document.createElement("div");
      d.className = "event";
      d.textContent = `event ${e}`;
      li.append(d);
    }
    if (r.error) {
      const d = document.createElement("div");
      d.className = "revert";
      d.textContent = r.error;
      const at = r.at;
      if (at) {
        const go = (): void => {
          const line = view.state.doc.line(Math.min(at.line, view.state.doc.lines));
          view.dispatch({ selection: { anchor: Math.min(line.from + at.col - 1, line.to) }, effects: [markLine.of(at.line), EditorView.scrollIntoView(line.from, { y: "center" })] });
        };
        d.addEventListener("click", go);
        go();
      }
      li.append(d);
    }
    $("results").prepend(li);
  };

  $("call-form").addEventListener("submit", (e) => {
    e.preventDefault();
    $("call-error").textContent = "";
    const fn = $<HTMLSelectElement>("fn").value;
    const args = Array.from($("args").querySelectorAll("input"), (i) => i.value);
    try {
      const wasDeployed = pg.isDeployed;
      showResult(pg.call(fn, args, $<HTMLSelectElement>("caller").value));
      if (pg.isDeployed !== wasDeployed) fillForm();
    } catch (err) {
      $("call-error").textContent = err instanceof Error ? err.message : String(err);
    }
  });

  $("share").addEventListener("click", async () => {
    await saveToUrl(file, view.state.doc.toString());
    try {
      await navigator.clipboard.writeText(location.href);
      $("status").textContent = "link copied";
    } catch {
      $("status").textContent = "link in the address bar";
    }
  });

  const fromUrl = await loadFromUrl();
  if (fromUrl) file = fromUrl.file;
  if (files[file] !== undefined) select.value = file;
  setText(fromUrl?.text ?? files[file] ?? "");
  document.body.dataset.ready = "true";
  $("status").textContent = "ready";
}

start().catch((e: unknown) => {
  $("status").textContent = `failed to start: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.ready = "failed";
});
