// `raftsim shrink` end to end: the JSON it prints, the scenario file it writes (which `raftsim
// run --scenario` runs to the expected verdict), the refusal of a passing run, and the shrink
// command a sweep prints next to each failure's replay command.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, cli } from "../support/cli.js";

beforeAll(buildCli);
const dir = mkdtempSync(join(tmpdir(), "raftsim-shrink-"));

describe("raftsim shrink", () => {
  it("shrinks a planted bug's run, writes a scenario that reproduces it, prints the JSON figures", () => {
    const out = join(dir, "stale-vote.yaml");
    const r = cli("shrink", "--seed", "150", "--time", "10s", "--bug", "count-stale-vote", "--budget", "30s", "--out", out, "--json", "--no-progress");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.failure).toEqual({ verdict: "violation", check: "election-legitimacy" });
    for (const k of ["faults", "clients", "ops", "simulatedMs", "events"]) {
      expect(typeof j.before[k]).toBe("number");
      expect(typeof j.after[k]).toBe("number");
    }
    expect(j.after.events).toBeLessThan(j.before.events);
    expect(j.after.faults).toBeLessThan(j.before.faults);
    expect(j.scenario).toBe(out);
    expect(j.scenarioReproduces).toBe(true);
    expect(j.replay).toMatch(/^raftsim replay --seed 150 --time \S+ --scenario \S+ --expect-hash [0-9a-f]{16}$/);
    const text = readFileSync(out, "utf8");
    expect(text).toMatch(/^expect: violation$/m);
    expect(text).toMatch(/^ {2}- count-stale-vote$/m);
    const run = cli("run", "--scenario", out, "--json");
    expect(run.code).toBe(0); // the verdict the scenario expects
    const rj = JSON.parse(run.out);
    expect(rj.verdict).toBe("violation");
    expect(rj.message).toMatch(/^election-legitimacy /);
    expect(rj.stats.events).toBe(j.after.events);
    // The replay command it printed holds.
    expect(cli(...j.replay.replace(/^raftsim /, "").split(" ")).code).toBe(0);
  });

  it("text output and progress on stderr; pingpong too", () => {
    const out = join(dir, "pp.yaml");
    const r = cli("shrink", "--system", "pingpong", "--seed", "1", "--time", "10s", "--bug", "ack-before-durable", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/before +\d+/);
    expect(r.out).toMatch(/after +\d+/);
    expect(r.out).toContain("checked: violation, as it expects");
    expect(r.err).toMatch(/raftsim shrink: seed 1: \w+ +tried \d+, kept \d+/);
    expect(cli("run", "--scenario", out).code).toBe(0);
  });

  it("a passing run has nothing to shrink (exit 65); bad flags are usage errors", () => {
    const r = cli("shrink", "--seed", "1", "--time", "2s", "--out", join(dir, "none.yaml"), "--no-progress");
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/does not fail/);
    expect(cli("shrink", "--time", "2s").code).toBe(64);
    expect(cli("shrink", "--seed", "1", "--bug", "nope").code).toBe(64);
  });

  it("a sweep prints the shrink command next to each failure's replay command", () => {
    const r = cli("sweep", "--seeds", "1..1", "--time", "10s", "--bug", "commit-index-decreases", "--json", "--no-progress");
    const f = JSON.parse(r.out).failures[0];
    expect(f.replay).toBe("raftsim run --seed 1 --time 10s --bug commit-index-decreases");
    expect(f.shrink).toBe("raftsim shrink --seed 1 --time 10s --bug commit-index-decreases");
    const text = cli("sweep", "--seeds", "1..1", "--time", "10s", "--bug", "commit-index-decreases", "--no-progress");
    expect(text.out).toMatch(/\n {4}replay: raftsim run --seed 1 --time 10s --bug commit-index-decreases\n {4}shrink: raftsim shrink --seed 1 --time 10s --bug commit-index-decreases\n/);
  });
});

describe("raftsim sweep --save-failures / raftsim corpus", () => {
  it("a sweep saves each failure shrunk; the corpus reruns it (exit 0), and a tampered entry fails it (exit 1)", () => {
    const file = join(dir, "corpus.jsonl");
    const s = cli("sweep", "--seeds", "1..2", "--time", "10s", "--bug", "commit-index-decreases", "--save-failures", file, "--shrink-budget", "20s", "--json", "--no-progress");
    expect(s.code).toBe(1);
    const failing = JSON.parse(s.out).failures.length;
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines.length).toBe(failing);
    const e = JSON.parse(lines[0]!);
    expect(e).toMatchObject({ system: "raft-metadata", flags: { time: "10s", bugs: ["commit-index-decreases"], everyFault: false, scenario: null }, expect: { verdict: "violation", check: "state-machine-safety" }, withoutBugs: "ok" });
    expect(e.run.faults.at(-1).kind).toBe("heal-all");
    const ok = cli("corpus", file);
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toMatch(/^ok {4}\S+:1 raft-metadata seed \d+ \(bug commit-index-decreases\): violation: state-machine-safety; without the bug: ok/m);
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, JSON.stringify({ ...e, expect: { verdict: "violation", check: "election-safety" } }) + "\n");
    const r = cli("corpus", bad, "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ entries: 1, failed: 1, results: [{ ok: false, got: "violation: state-machine-safety" }] });
  });

  it("the shipped corpus passes; a malformed file is exit 65, a missing one 74", () => {
    const r = cli("corpus", "test/data/corpus.jsonl");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/(\d+) of \1 entries behave as recorded\n$/);
    const junk = join(dir, "junk.jsonl");
    writeFileSync(junk, "{oops\n");
    expect(cli("corpus", junk).code).toBe(65);
    expect(cli("corpus", join(dir, "absent.jsonl")).code).toBe(74);
  });
});
