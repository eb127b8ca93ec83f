// The playground in a real headless Chromium (Debian's `chromium`, driven by playwright-core): load the
// page, compile the token, hover a builtin, deploy it, call transfer and see its event and gas, call a transfer that
// reverts and see the revert's source line (marked in the editor), see a syntax error inline, and open
// the shared URL. A screenshot goes to test/.artifacts/playground.png. Without Chromium (which .ci/run
// installs) the test is skipped, saying so.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlayground } from "../../scripts/build-playground.ts";
import { servePlayground } from "../../scripts/serve-playground.ts";
import { ROOT } from "../lsp/client.ts";

function findChromium(): string | undefined {
  const given = process.env.MOTE_CHROMIUM;
  if (given) return existsSync(given) ? given : undefined;
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(p)) return p;
  try {
    return execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const chromiumPath = findChromium();
if (!chromiumPath) {
  console.warn("playground browser test SKIPPED: Chromium is not installed (apt-get install chromium; .ci/run installs it), or set MOTE_CHROMIUM");
}

describe.skipIf(!chromiumPath)("playground in headless Chromium", () => {
  const tmp = mkdtempSync(join(tmpdir(), "mote-playground-"));
  let server: Server;
  let url: string;
  // playwright-core's types are loaded with it, only when Chromium is there
  let browser: import("playwright-core").Browser;

  beforeAll(async () => {
    const dir = await buildPlayground(join(tmp, "site"));
    ({ server, url } = await servePlayground(dir, 0));
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath! });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    rmSync(tmp, { recursive: true, force: true });
  });

  it("compiles the token, calls transfer, shows its event, and a revert with its source line", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    expect(await page.inputValue("#examples")).toBe("contracts/token.mote");
    expect(await page.locator("#examples option").count()).toBeGreaterThanOrEqual(7);

    await page.click("#compile");
    await page.waitForFunction(() => document.getElementById("size")!.textContent!.includes("bytes"));
    expect(await page.textContent("#size")).toMatch(/^Token: \d+ bytes, 6 public function\(s\)$/);
    expect(await page.textContent("#disasm")).toContain("transfer");
    expect(JSON.parse((await page.textContent("#abi"))!).contract).toBe("Token");

    // hover over `caller` in init: the builtin's doc, as the language server gives it
    await page.waitForFunction(() => document.querySelector(".cm-gutter-lint") !== null);
    const box = await page.evaluate(() => {
      const line = Array.from(document.querySelectorAll(".cm-line")).find((l) => l.textContent!.includes("owner = caller();"))!;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.textContent!.indexOf("caller");
        if (i < 0) continue;
        const r = document.createRange();
        r.setStart(n, i + 2);
        r.setEnd(n, i + 3);
        const b = r.getBoundingClientRect();
        return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      }
      return null;
    });
    expect(box).not.toBeNull();
    await page.mouse.move(box!.x, box!.y);
    await page.waitForSelector(".cm-tooltip-hover .mote-hover", { timeout: 10_000 });
    expect(await page.textContent(".cm-tooltip-hover .mote-hover")).toContain("the public key that signed the call");
    await page.mouse.move(5, 5);

    // deploy: init(total) as alice
    await page.fill("#args input[name=total]", "1000");
    await page.click("#call");
    await page.waitForFunction(() => document.querySelectorAll("#results li").length === 1);
    expect(await page.textContent("#results li:first-child")).toMatch(/^init as alice: ok, gas \d+/);

    // transfer 10 to bob
    await page.selectOption("#fn", "transfer");
    await page.fill("#args input[name=to]", "bob");
    await page.fill("#args input[name=amount]", "10");
    await page.click("#call");
    await page.waitForFunction(() => document.querySelectorAll("#results li").length === 2);
    const ok = (await page.textContent("#results li:first-child"))!;
    expect(ok).toMatch(/^transfer as alice: ok, gas [1-9]\d*/);
    expect(ok).toMatch(/event Transfer\(from=0x[0-9a-f]{64}, to=0x[0-9a-f]{64}, amount=10\)/);

    // bob has 10; sending 11 reverts at the require in move()
    await page.selectOption("#caller", "bob");
    await page.fill("#args input[name=to]", "carol");
    await page.fill("#args input[name=amount]", "11");
    await page.click("#call");
    await page.waitForFunction(() => document.querySelectorAll("#results li").length === 3);
    const source = (await import("node:fs")).readFileSync(join(ROOT, "contracts", "token.mote"), "utf8");
    const line = source.split("\n").findIndex((l) => l.includes('"insufficient balance"')) + 1;
    expect(await page.textContent("#results li.failed .revert")).toBe(`token.mote:${line}:5: insufficient balance`);
    expect(await page.textContent("#results li.failed")).toContain("transfer as bob: revert");
    // the editor marks the line the call stopped at
    expect(await page.textContent(".cm-stopped-line")).toContain('require(bal >= amount, "insufficient balance");');

    mkdirSync(join(ROOT, "test", ".artifacts"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test", ".artifacts", "playground.png") });

    // the URL holds the source: a new page opened on it shows the same contract
    const shared = page.url();
    expect(shared).toMatch(/#f=contracts%2Ftoken\.mote&s=[A-Za-z0-9_-]+$/);
    const other = await browser.newPage();
    await other.goto(shared);
    await other.waitForSelector("body[data-ready=true]");
    expect(await other.textContent(".cm-content")).toContain("contract Token {");
    await other.close();

    // a syntax error typed into the editor shows inline, with mote check's code
    await page.click(".cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nfn broken( {");
    await page.waitForSelector(".cm-lintRange-error", { timeout: 10_000 });
    expect(await page.textContent("#problems")).toMatch(/error\[E0002\]/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
