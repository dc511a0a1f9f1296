// The flight recorder without a browser: the page's safety properties (escaped data, a CSP
// that allows only its own script and style), what the model holds, that keeping the trace
// moves no hash, and the CLI's --report / --reports flags and their errors.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport, getSystem, NoTraceError, reportData, runSystem, simulate } from "../../src/api/index.js";
import { scriptSafeJson } from "../../src/api/report/index.js";
import { buildCli, cli } from "../support/cli.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "raftsim-report-cli-"));
  buildCli();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the report page", () => {
  it("embeds its data so that no value can end the element or start markup", () => {
    const s = scriptSafeJson({ a: "</script><script>alert(1)</script>", b: "<img src=x onerror=alert(1)> & \u2028\u2029" });
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(s)).toEqual({ a: "</script><script>alert(1)</script>", b: "<img src=x onerror=alert(1)> & \u2028\u2029" });
  });

  it("allows by its CSP exactly its own inline script and style, and no network", () => {
    const r = simulate({ system: "pingpong", seed: 1, timeUs: 2_000_000, bugs: ["ack-before-durable"], keepTrace: true }).result;
    const html = buildReport(r, { timeUs: 2_000_000, bugs: ["ack-before-durable"] });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).toContain("connect-src 'none'");
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    const hash = createHash("sha256").update(scripts[0]).digest("base64");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(csp).toContain(`style-src 'sha256-${createHash("sha256").update(style).digest("base64")}'`);
    expect(html).not.toMatch(/https?:\/\//);
    // Same run, same bytes.
    expect(buildReport(simulate({ system: "pingpong", seed: 1, timeUs: 2_000_000, bugs: ["ack-before-durable"], keepTrace: true }).result, { timeUs: 2_000_000, bugs: ["ack-before-durable"] })).toBe(html);
  });

  it("needs the trace: a run without it is refused with a clear error", () => {
    const r = simulate({ system: "pingpong", seed: 1, timeUs: 1_000_000 }).result;
    expect(() => buildReport(r, { timeUs: 1_000_000 })).toThrow(NoTraceError);
  });

  it("keeping the trace for a report moves no trace hash", () => {
    for (const seed of [1, 2, 3]) {
      const a = runSystem(getSystem("raft-metadata"), { seed, timeUs: 3_000_000 });
      const b = runSystem(getSystem("raft-metadata"), { seed, timeUs: 3_000_000, keepTrace: true });
      expect(b.traceHash).toBe(a.traceHash);
    }
  });

  it("draws Raft's lanes, the kernel's records and the client history", () => {
    const r = runSystem(getSystem("raft-metadata"), { seed: 1, timeUs: 3_000_000, keepTrace: true, everyFamily: true });
    const d = reportData(r, { timeUs: 3_000_000, everyFault: true });
    expect(d.nodes).toBe(5);
    expect(d.clients).toBe(5);
    expect(d.lanes.map((l) => l.name)).toEqual(["role", "term", "leader", "commit", "clock"]);
    for (let n = 0; n < 5; n++) expect(d.series.some((s) => s.node === n && s.lane === 0 && s.t.length > 0)).toBe(true);
    const leaders = d.series.filter((s) => s.lane === 0).flatMap((s) => s.v).filter((v) => v === 2);
    expect(leaders.length).toBeGreaterThan(0);
    expect(d.msgs.t0.length).toBeGreaterThan(100);
    for (let i = 1; i < d.msgs.t0.length; i++) expect(d.msgs.t0[i]).toBeGreaterThanOrEqual(d.msgs.t0[i - 1]);
    for (let i = 0; i < d.msgs.t0.length; i++) expect(d.msgs.t1[i]).toBeGreaterThanOrEqual(d.msgs.t0[i]);
    expect(d.ops.call.length).toBe(r.operations.length);
    expect(d.marks.t.length).toBeGreaterThan(0);
    expect(d.meta.commands.map((c) => c[0])).toEqual(["replay"]);
    expect(d.meta.commands[0][1]).toBe(`raftsim replay --seed 1 --time 3s --every-fault --expect-hash ${r.traceHash}`);
  });

  it("splits a lane by an argument: one row per value (an observer's view of each peer)", () => {
    const raft = getSystem("raft-metadata");
    // Raft's custom notes (a = sub-code, b = argument) read as a per-sub-code lane, as a failure
    // detector's "suspicion of node c is d" notes would be.
    const sys = { ...raft, recorder: { lanes: [{ name: "custom", note: 5, value: "d" as const, kind: "step" as const, splitBy: "c" as const }] } };
    const r = runSystem(raft, { seed: 1, timeUs: 3_000_000, keepTrace: true, everyFamily: true, options: { fast: false } });
    const d = reportData(r, { timeUs: 3_000_000, system: sys });
    const split = d.series.filter((s) => s.lane === 0);
    expect(split.length).toBeGreaterThan(0);
    for (const s of split) expect(s.key).not.toBeNull();
    const notes = [...r.trace.records()].filter((e) => e.kind === "note" && e.b === 5);
    expect(new Set(split.map((s) => `${s.node}/${s.key}`))).toEqual(new Set(notes.map((e) => `${e.a}/${e.c}`)));
  });
});

describe("raftsim run|replay --report, sweep --reports", () => {
  it("run --report writes the page and says where; replay too", () => {
    const file = join(dir, "run.html");
    const r = cli("run", "--system", "pingpong", "--seed", "1", "--time", "3s", "--bug", "ack-before-durable", "--report", file);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`report:     ${file}`);
    const html = readFileSync(file, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("raftsim shrink --system pingpong --seed 1 --time 3s --bug ack-before-durable");
    const file2 = join(dir, "replay.html");
    const j = cli("replay", "--system", "pingpong", "--seed", "1", "--time", "3s", "--bug", "ack-before-durable", "--report", file2, "--json");
    expect(JSON.parse(j.out).report).toBe(file2);
    expect(readFileSync(file2, "utf8")).toBe(html);
  });

  it("each command's --help names its report flag", () => {
    expect(cli("run", "--help").out).toMatch(/--report <file\.html>/);
    expect(cli("replay", "--help").out).toMatch(/--report <file\.html>/);
    expect(cli("shrink", "--help").out).toMatch(/--report <file\.html>/);
    const sweep = cli("sweep", "--help").out;
    expect(sweep).toMatch(/--reports <dir>/);
    expect(sweep).toMatch(/--reports-max <n>/);
  });

  it("a report path that cannot be written fails at once, naming the option (exit 74)", () => {
    const missing = cli("run", "--system", "pingpong", "--seed", "1", "--time", "1s", "--report", join(dir, "no-such-dir", "r.html"));
    expect(missing.code).toBe(74);
    expect(missing.err).toMatch(/--report: cannot write: no directory/);
    expect(missing.err).not.toMatch(/\n\s+at /);
    const isDir = cli("run", "--system", "pingpong", "--seed", "1", "--time", "1s", "--report", dir);
    expect(isDir.code).toBe(74);
    expect(isDir.err).toMatch(/--report: cannot write: is a directory/);
  });

  it("sweep --reports draws every failing seed, up to --reports-max, and creates the directory", () => {
    const out = join(dir, "sweep", "reports");
    const r = cli("sweep", "--system", "pingpong", "--bug", "ack-before-durable", "--seeds", "1..6", "--time", "3s", "--jobs", "1", "--no-progress", "--reports", out, "--reports-max", "2");
    expect(r.code).toBe(1);
    const failing = [...r.out.matchAll(/seed (\d+): violation/g)].map((m) => Number(m[1]));
    expect(failing.length).toBeGreaterThan(2);
    const files = readdirSync(out).sort();
    expect(files).toEqual(failing.slice(0, 2).map((s) => `seed-${s}.html`).sort());
    expect(r.out).toContain(`    report: ${join(out, `seed-${failing[0]}.html`)}`);
    expect(r.err).toContain(`wrote 2 of ${failing.length} reports (--reports-max 2)`);
    // The report's replay line insists on the hash the rerun gave: the sweep's own run.
    const html = readFileSync(join(out, `seed-${failing[0]}.html`), "utf8");
    const hash = /--expect-hash ([0-9a-f]{16})/.exec(html)![1];
    const replay = cli("replay", "--system", "pingpong", "--seed", String(failing[0]), "--time", "3s", "--bug", "ack-before-durable", "--expect-hash", hash);
    expect(replay.code).toBe(1); // the violation, not a mismatch (that would say so on stderr)
    expect(replay.err).not.toContain("MISMATCH");
  });

  it("an experiment scenario has no run to draw: --report is a usage error (64)", () => {
    const r = cli("run", "--scenario", "figure16", "--report", join(dir, "fig.html"));
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/is an experiment: .*--report/);
    expect(existsSync(join(dir, "fig.html"))).toBe(false);
  });

  it("sweep --reports onto a file fails before the sweep (exit 74)", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const r = cli("sweep", "--system", "pingpong", "--seeds", "1..2", "--time", "1s", "--no-progress", "--reports", file);
    expect(r.code).toBe(74);
    expect(r.err).toMatch(/--reports: cannot create the directory/);
    expect(r.out).toBe("");
    mkdirSync(join(dir, "ok"));
    expect(existsSync(join(dir, "ok"))).toBe(true);
  });
});
