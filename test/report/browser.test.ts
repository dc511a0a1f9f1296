// The flight recorder in a real browser: every planted bug's shrunk corpus run (test/data/
// corpus.jsonl), replayed with its bug on and drawn, opened from a file:// URL in headless
// Chromium (Debian's `chromium`, driven by playwright-core; nothing downloads a browser). Each
// report must draw one timeline per node, mark its failure (the unlinearizable operations, or
// the broken invariant), change its visible range when zoomed, log no error and ask the network
// for nothing. History values that are HTML or script must show as text and run nothing. A
// 50,000-event run must redraw a zoom or a pan quickly. With RAFTSIM_EXAMPLES=1 it also
// writes reports/examples/report-screenshot.png and an example report (npm run report:example).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport, getSystem, runSystem, type RunResult } from "../../src/api/index.js";
import { entryRunOptions, parseCorpus, type CorpusEntry } from "../../src/api/corpus.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CHROMIUM = process.env.RAFTSIM_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
const WRITE_EXAMPLES = process.env.RAFTSIM_EXAMPLES === "1";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const CORPUS = parseCorpus(readFileSync(join(ROOT, "test/data/corpus.jsonl"), "utf8"), "test/data/corpus.jsonl").map((c) => c.entry);

interface Hook {
  nodes: number;
  failure: string;
  timelines(): number[];
  marked(): { unlinearizable: number[]; prefix: number };
  visibleRange(): [number, number];
  zoom(f: number, at?: number): void;
  pan(dt: number): void;
  setRange(a: number, b: number): void;
  drawNow(): number;
  arrows(): { drawn: number; inView: number };
}
declare const window: { raftsimReport: Hook };
declare const document: { querySelectorAll(s: string): { length: number }; getElementById(id: string): { textContent: string; dataset: Record<string, string> } | null };
declare function requestAnimationFrame(f: () => void): void;
declare const performance: { now(): number };

// Never skipped quietly in CI: there the browser is part of the suite (.ci/run installs it).
it.runIf(!HAVE_CHROMIUM && IN_CI)(`chromium is installed at ${CHROMIUM} (CI installs Debian's chromium)`, () => {
  expect.fail(`no browser at ${CHROMIUM}: .ci/run installs Debian's chromium with apt-get`);
});
if (!HAVE_CHROMIUM && !IN_CI) console.warn(`test/report/browser.test.ts: SKIPPED — no browser at ${CHROMIUM} (apt-get install chromium, or set RAFTSIM_CHROMIUM)`);

describe.skipIf(!HAVE_CHROMIUM)("flight recorder reports in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "raftsim-report-"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a report from a file:// URL; collects console errors, page errors, dialogs and
   * every request that is not the report itself (each is aborted). */
  async function open(html: string, name: string): Promise<{ page: Page; url: string; errors: string[]; dialogs: string[]; requests: string[] }> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [], dialogs: string[] = [], requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("request", (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.route("**/*", (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url);
    await page.waitForFunction(() => window.raftsimReport !== undefined, undefined, { timeout: 10_000 });
    return { page, url, errors, dialogs, requests };
  }
  const frame = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => r())));

  function corpusRun(e: CorpusEntry): RunResult {
    return runSystem(getSystem(e.system), { ...entryRunOptions(e), keepTrace: true });
  }
  const label = (e: CorpusEntry) => `${e.system}/${e.run.bugs.join("+")} (seed ${e.seed})`;

  it.each(CORPUS.map((e) => [label(e), e] as const))("%s: every node has a timeline, the failure is marked, zoom moves the range", async (_, e) => {
    const r = corpusRun(e);
    expect(r.verdict).toBe(e.expect.verdict);
    const html = buildReport(r, { timeUs: e.run.timeUs, bugs: e.run.bugs, servers: e.run.servers, clients: e.run.clients, commands: [["rerun the corpus", "raftsim corpus test/data/corpus.jsonl"]] });
    const { page, errors, dialogs, requests } = await open(html, `${e.system}-${e.run.bugs.join("+")}-${e.seed}`);
    try {
      const hook = await page.evaluate(() => ({ nodes: window.raftsimReport.nodes, timelines: window.raftsimReport.timelines(), marked: window.raftsimReport.marked(), failure: window.raftsimReport.failure }));
      // One timeline per node, each with something drawn on it if the node noted anything (a
      // kvrocks-controller replica that never adopted a topology, or its store node when the
      // engine is embedded, notes nothing); one label per node.
      expect(hook.nodes).toBe(e.run.servers);
      expect(hook.timelines).toHaveLength(e.run.servers);
      const active = new Set<number>();
      for (const rec of r.trace.records()) if (rec.kind === "note") active.add(rec.a);
      // A system that notes nothing (pingpong) still has every node drawn (messages, ticks).
      hook.timelines.forEach((n, node) => {
        if (active.size === 0 || active.has(node)) expect(n, `node ${node}`).toBeGreaterThan(0);
      });
      expect(await page.locator(".row-label[data-node]").count()).toBe(e.run.servers);
      // The failure is marked: its message, and for a history that cannot be linearized the
      // operations that cannot follow the longest linearizable prefix.
      expect(await page.locator("#failure").getAttribute("data-kind")).toBe(e.expect.check === "linearizability" ? "linearizability" : e.expect.verdict === "liveness" ? "liveness" : "invariant");
      expect(await page.locator("#failure-message").textContent()).toContain(r.message!);
      if (e.expect.check === "linearizability") {
        const want = r.lin!.counterexample!.parts.flatMap((p) => p.cannotFollow.map((b) => b.index)).sort((a, b) => a - b);
        expect(want.length).toBeGreaterThan(0);
        expect([...hook.marked.unlinearizable].sort((a, b) => a - b)).toEqual(want);
        expect(hook.marked.prefix).toBeGreaterThan(0);
        const listed = await page.locator(".op-unlinearizable").evaluateAll((els) => els.map((el) => Number((el as unknown as { dataset: { index: string } }).dataset.index)));
        expect(listed.sort((a, b) => a - b)).toEqual(want);
      } else {
        expect(await page.locator("#last-events li").count()).toBeGreaterThan(0);
      }
      // Zoom changes the visible range (the hook, then the page's own range read-out).
      const before = await page.evaluate(() => window.raftsimReport.visibleRange());
      await page.evaluate(() => window.raftsimReport.zoom(0.25));
      await frame(page);
      const after = await page.evaluate(() => window.raftsimReport.visibleRange());
      expect(after[1] - after[0]).toBeLessThan((before[1] - before[0]) * 0.3);
      expect(Number(await page.locator("#range").getAttribute("data-t1")) - Number(await page.locator("#range").getAttribute("data-t0"))).toBeCloseTo(after[1] - after[0], 0);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("zooms with the wheel and pans by dragging, as a user does", async () => {
    const e = CORPUS.find((c) => c.run.bugs.includes("commit-previous-term"))!;
    const { page, errors } = await open(buildReport(corpusRun(e), { timeUs: e.run.timeUs, bugs: e.run.bugs }), "input");
    try {
      const box = (await page.locator("#canvas").boundingBox())!;
      const range = () => page.evaluate(() => window.raftsimReport.visibleRange());
      const r0 = await range();
      await page.mouse.move(box.x + box.width / 2, box.y + 60);
      await page.mouse.wheel(0, -400);
      await frame(page);
      const r1 = await range();
      expect(r1[1] - r1[0]).toBeLessThan((r0[1] - r0[0]) * 0.8);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 200, box.y + 60, { steps: 4 });
      await page.mouse.up();
      await frame(page);
      const r2 = await range();
      expect(r2[0]).toBeLessThan(r1[0]);
      expect(r2[1] - r2[0]).toBeCloseTo(r1[1] - r1[0], 0);
      await page.locator("#zoom-fit").click();
      await frame(page);
      expect(await range()).toEqual(r0);
      // Zoomed in far enough, messages are drawn as arrows.
      await page.locator("#zoom-failure").click();
      await frame(page);
      const arrows = await page.evaluate(() => window.raftsimReport.arrows());
      expect(arrows.drawn).toBeGreaterThan(0);
      const shot = await page.screenshot();
      expect(shot.length).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("shows HTML and script in history values and messages as text, and runs none of it", async () => {
    const SCRIPT = "</script><script>alert(1)</script>";
    const IMG = "<img src=x onerror=alert(1)>";
    const e = CORPUS.find((c) => c.run.bugs.includes("stale-local-read"))!;
    const real = corpusRun(e);
    const ops = real.operations.map((op, i) => (i === 0 ? { ...op, input: { f: "put", key: SCRIPT, value: IMG } } : op));
    const cx = real.lin!.counterexample!;
    const first = cx.parts[0].cannotFollow[0];
    const evil: RunResult = {
      ...real,
      message: `${SCRIPT} ${IMG} \u2028 & "quotes"`,
      operations: ops,
      lin: { ...real.lin!, counterexample: { parts: [{ ...cx.parts[0], partition: SCRIPT, cannotFollow: [{ ...first, description: `${IMG} ${SCRIPT}` }] }] } },
    };
    const html = buildReport(evil, { timeUs: e.run.timeUs, bugs: [IMG], scenarioRef: SCRIPT, title: `${SCRIPT}${IMG}` });
    // The data cannot close its element: no raw "<" in the embedded JSON.
    const json = html.slice(html.indexOf('id="raftsim-data">') + 18, html.indexOf("</script>", html.indexOf('id="raftsim-data">')));
    expect(json).not.toMatch(/[<>\u2028]/);
    const { page, errors, dialogs, requests } = await open(html, "xss");
    try {
      await page.waitForTimeout(200);
      expect(dialogs).toEqual([]);
      expect(await page.evaluate(() => document.querySelectorAll("script").length)).toBe(2);
      expect(await page.evaluate(() => document.querySelectorAll("img").length)).toBe(0);
      expect(await page.locator("#failure-message").textContent()).toContain(`${SCRIPT} ${IMG}`);
      expect(await page.locator(".op-unlinearizable").first().textContent()).toContain(`${IMG} ${SCRIPT}`);
      expect(await page.locator(".cx-part h3").first().textContent()).toContain(JSON.stringify(SCRIPT));
      expect(await page.title()).toBe(`${SCRIPT}${IMG}`);
      expect(await page.locator("#meta").textContent()).toContain(IMG);
      expect(await page.locator("#commands").textContent()).toContain(SCRIPT.replace(/'/g, ""));
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("stays smooth on a 50,000-event run: a zoom or pan redraw well under the budget", async () => {
    const t0 = performance.now();
    // fast: false, the original event model: about twice the events of the default.
    const r = runSystem(getSystem("raft-metadata"), { seed: 1, timeUs: 25_000_000, keepTrace: true, options: { fast: false } });
    const simMs = performance.now() - t0;
    expect(r.stats.events).toBeGreaterThanOrEqual(50_000);
    const t1 = performance.now();
    const html = buildReport(r, { timeUs: 25_000_000 });
    const buildMs = performance.now() - t1;
    const t2 = performance.now();
    const { page, errors } = await open(html, "big");
    const loadMs = performance.now() - t2;
    try {
      const m = await page.evaluate(() => {
        const h = window.raftsimReport;
        const times: number[] = [];
        const first = h.drawNow();
        const [a, b] = h.visibleRange();
        // Zoom in step by step towards the middle, pan, zoom back out: each redraw timed.
        for (let i = 0; i < 12; i++) {
          h.zoom(0.6, (a + b) / 2);
          times.push(h.drawNow());
        }
        for (let i = 0; i < 8; i++) {
          const [c, d] = h.visibleRange();
          h.pan((d - c) / 3);
          times.push(h.drawNow());
        }
        for (let i = 0; i < 12; i++) {
          h.zoom(1 / 0.6);
          times.push(h.drawNow());
        }
        h.setRange(a, b);
        times.push(h.drawNow());
        const sorted = [...times].sort((x, y) => x - y);
        return { first, median: sorted[sorted.length >> 1], p90: sorted[Math.floor(sorted.length * 0.9)], max: sorted[sorted.length - 1] };
      });
      // The same as a user sees it: a zoom, then the frame it is painted in (rAF-throttled).
      const frames = await page.evaluate(async () => {
        const h = window.raftsimReport;
        const out: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t = performance.now();
          h.zoom(i < 5 ? 0.7 : 1 / 0.7);
          // The viewer's redraw is queued first, so this callback runs right after it, same frame.
          await new Promise<void>((r) => requestAnimationFrame(() => r()));
          out.push(performance.now() - t);
        }
        return out.sort((x, y) => x - y);
      });
      console.log(
        `50k-event report: zoom call to its redrawn frame (includes waiting for the frame) median ${frames[5].toFixed(1)} ms, max ${frames[9].toFixed(1)} ms`,
      );
      console.log(
        `50k-event report: ${r.stats.events} events (${r.trace.count} trace records), ${(html.length / 1024).toFixed(0)} KiB; simulate ${simMs.toFixed(0)} ms, build ${buildMs.toFixed(0)} ms, open ${loadMs.toFixed(0)} ms; ` +
          `redraw full ${m.first.toFixed(1)} ms, zoom/pan median ${m.median.toFixed(1)} ms, p90 ${m.p90.toFixed(1)} ms, max ${m.max.toFixed(1)} ms`,
      );
      // Generous so a busy machine cannot flake it; the figures above are what it really takes.
      expect(m.max).toBeLessThan(500);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it.runIf(WRITE_EXAMPLES)("writes the example report and its screenshot (reports/examples/)", async () => {
    const e = CORPUS.find((c) => c.run.bugs.includes("stale-local-read"))!;
    const html = buildReport(corpusRun(e), { timeUs: e.run.timeUs, bugs: e.run.bugs, servers: e.run.servers, clients: e.run.clients, title: "raftsim raft-metadata seed 1, shrunk: violation (linearizability), bug stale-local-read" });
    const file = join(ROOT, "reports/examples/report-stale-local-read.html");
    writeFileSync(file, html);
    expect(statSync(file).size).toBeLessThan(300_000);
    const { page, errors } = await open(html, "example");
    try {
      await page.setViewportSize({ width: 1024, height: 900 });
      await frame(page);
      const png = join(ROOT, "reports/examples/report-screenshot.png");
      await page.screenshot({ path: png, fullPage: true });
      console.log(`wrote ${file} (${statSync(file).size} bytes) and ${png} (${statSync(png).size} bytes)`);
      expect(statSync(png).size).toBeLessThan(200_000);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
