// CI sharding end to end: sweep --shard 1/4..4/4 and merge report the same failing seeds as the
// unsharded sweep, with the same exit code; --junit writes well-formed JUnit XML.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { junitXml, mergeReports, parseShard, shardSeeds, xmlEscape } from "../../src/api/shard.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist/src/cli/main.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });

beforeAll(() => {
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  } catch {
    /* type errors elsewhere: emitted anyway */
  }
});

/** A small well-formedness check: one root, tags nest and close, attributes quoted, only the five
 * XML entities (or numeric ones), nothing after the root. Returns the elements by name. */
function parseXml(xml: string): Map<string, { attrs: Record<string, string>; text: string }[]> {
  const els = new Map<string, { attrs: Record<string, string>; text: string }[]>();
  let s = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: { name: string; attrs: Record<string, string>; start: number }[] = [];
  let i = 0;
  let closedRoot = false;
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const text = lt < 0 ? s.slice(i) : s.slice(i, lt);
    if (entity.test(text) || text.includes(">")) throw new Error(`bad text at ${i}: ${text.slice(0, 40)}`);
    if (closedRoot && text.trim() !== "") throw new Error("content after the root");
    if (lt < 0) break;
    const gt = s.indexOf(">", lt);
    if (gt < 0) throw new Error("unclosed tag");
    const tag = s.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const open = stack.pop();
      if (open === undefined || open.name !== tag.slice(1)) throw new Error(`</${tag.slice(1)}> closes ${open?.name}`);
      els.get(open.name)!.at(-1)!.text = s.slice(open.start, lt);
      if (stack.length === 0) closedRoot = true;
    } else {
      if (closedRoot) throw new Error("second root");
      const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)$/.exec(tag);
      if (m === null) throw new Error(`bad tag <${tag}>`);
      const attrs: Record<string, string> = {};
      for (const a of m[2].matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
        if (entity.test(a[2])) throw new Error(`bad attribute ${a[1]}`);
        attrs[a[1]] = a[2];
      }
      if (!els.has(m[1])) els.set(m[1], []);
      els.get(m[1])!.push({ attrs, text: "" });
      if (m[3] === "") stack.push({ name: m[1], attrs, start: gt + 1 });
      else if (stack.length === 0) closedRoot = true;
    }
    i = gt + 1;
  }
  if (stack.length > 0 || !closedRoot) throw new Error("unclosed root");
  return els;
}

describe("shards", () => {
  it("k/n slices are disjoint, deterministic and cover the range", () => {
    const seeds = Array.from({ length: 103 }, (_, i) => i + 1);
    const list = (x: ReturnType<typeof shardSeeds>): number[] => {
      if (!("from" in x)) return [...x];
      const out: number[] = [];
      for (let s = x.from; s <= x.to; s += x.step ?? 1) out.push(s);
      return out;
    };
    const all = [1, 2, 3, 4].flatMap((k) => list(shardSeeds(seeds, parseShard(`${k}/4`))));
    expect(all.sort((a, b) => a - b)).toEqual(seeds);
    expect(list(shardSeeds(seeds, { k: 2, n: 4 })).slice(0, 3)).toEqual([2, 6, 10]);
    // A range stays a range (never built): the same seeds as the list's shards.
    const range = { from: 1, to: 103 };
    for (const k of [1, 2, 3, 4]) expect(list(shardSeeds(range, { k, n: 4 }))).toEqual(list(shardSeeds(seeds, { k, n: 4 })));
    expect(shardSeeds({ from: 1, to: 1e12 }, { k: 3, n: 4 })).toEqual({ from: 3, to: 1e12, step: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "x", "1/2/3"]) expect(() => parseShard(bad)).toThrow();
    expect(() => mergeReports([])).toThrow();
  });

  it("sweep --shard 1/4..4/4 + merge = the unsharded sweep (failing seeds, counts, exit code); --junit parses", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-shard-"));
    const args = ["sweep", "--system", "pingpong", "--bug", "ack-before-durable", "--seeds", "1..40", "--time", "2s", "--jobs", "1", "--no-progress"];
    const whole = cli(...args, "--json");
    expect(whole.status).toBe(1);
    const w = JSON.parse(whole.stdout);
    expect(w.failures.length).toBeGreaterThan(0);
    const files: string[] = [];
    for (let k = 1; k <= 4; k++) {
      const r = cli(...args, "--shard", `${k}/4`, "--json", "--junit", join(dir, `shard-${k}.xml`));
      const f = join(dir, `shard-${k}.json`);
      writeFileSync(f, r.stdout);
      files.push(f);
      expect(JSON.parse(r.stdout).shard).toBe(`${k}/4`);
      parseXml(readFileSync(join(dir, `shard-${k}.xml`), "utf8"));
    }
    const merged = cli("merge", ...files, "--json", "--junit", join(dir, "merged.xml"));
    expect(merged.status).toBe(whole.status);
    const m = JSON.parse(merged.stdout);
    expect(m.failures).toEqual(w.failures);
    expect(m.verdicts).toEqual(w.verdicts);
    expect([m.seeds, m.ran, m.errors]).toEqual([w.seeds, w.ran, w.errors]);
    const xml = parseXml(readFileSync(join(dir, "merged.xml"), "utf8"));
    const cases = xml.get("testcase")!;
    expect(cases.length).toBe(w.failures.length + 1); // the passing seeds, then one per failure
    expect(xml.get("failure")!.length).toBe(w.failures.length);
    expect(xml.get("testsuite")![0].attrs.failures).toBe(String(w.failures.length));
    expect(xml.get("failure")![0].text).toContain(`replay: ${w.failures[0].replay}`.replace(/'/g, "&apos;"));
    const text = cli("merge", ...files);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/merged 4 reports: 40 of 40 seeds/);
    expect(cli("merge", files[0], files[0]).status).toBe(65); // the same shard twice: overlapping seeds
  });

  it("escapes what XML cannot hold", () => {
    const nasty = `a<b>&"c' \u0001 ]]> </failure>`;
    const xml = junitXml({
      seeds: 1, ran: 1, verdicts: { ok: 0, violation: 1, liveness: 0, unknown: 0 }, errors: 0,
      failures: [{ seed: 7, verdict: "violation", message: nasty, replay: `raftsim run --scenario 'x&y' --seed 7` }],
      wallMs: 1, seedsPerMinute: 1, events: 1, simulatedMs: 1, jobs: 1, jobsRequested: 1,
    });
    const els = parseXml(xml);
    expect(els.get("failure")![0].attrs.message).toBe(xmlEscape(`violation: ${nasty}`));
    expect(xml).not.toContain("\u0001");
  });
});
