// End-to-end: build once, then run the real CLI in separate processes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/util/duration.js";

import { BIN, buildCli, cli, ROOT } from "../support/cli.js";

beforeAll(() => {
  buildCli();
  expect(existsSync(BIN)).toBe(true);
});

describe("raftsim run / replay", () => {
  it("two processes, same seed → same trace hash; another seed → a different one", () => {
    const a = cli("run", "--seed", "7", "--json");
    const b = cli("run", "--seed", "7", "--json");
    const c = cli("run", "--seed", "8", "--json");
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.out), jb = JSON.parse(b.out), jc = JSON.parse(c.out);
    expect(Object.keys(ja)).toEqual(expect.arrayContaining(["seed", "scenario", "verdict", "traceHash", "stats", "replay"]));
    expect(ja.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(jb.traceHash).toBe(ja.traceHash);
    expect(jc.traceHash).not.toBe(ja.traceHash);
    // the default time (30 s); the fast model (the default) ends the run once the cluster is healthy
    expect(ja.stats.simulatedMs).toBeLessThanOrEqual(30_000);
    expect(ja.stats.simulatedMs).toBeGreaterThan(15_000);
    expect(ja.replay).toBe(`raftsim replay --seed 7 --time 30s --expect-hash ${ja.traceHash}`);
  });

  it("replay passes with the right hash and fails loudly (exit 1) with a wrong one", () => {
    const h = JSON.parse(cli("run", "--seed", "3", "--time", "5s", "--json").out).traceHash;
    expect(cli("replay", "--seed", "3", "--time", "5s", "--expect-hash", h).code).toBe(0);
    const bad = cli("replay", "--seed", "3", "--time", "5s", "--expect-hash", "0000000000000000");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/REPLAY MISMATCH/);
  });

  it("human summary names the hash and the replay command", () => {
    const r = cli("run", "--seed", "9", "--time", "2s");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/trace hash: [0-9a-f]{16}/);
    expect(r.out).toMatch(/raftsim replay --seed 9 --time 2s --expect-hash/);
  });

  it("--scenario FILE and --trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-"));
    const scen = join(dir, "s.yaml");
    writeFileSync(scen, "name: crash-one\ntime: 3s\nfaults:\n  schedule:\n    - { at: 1s, kind: crash, node: 1 }\n    - { at: 1500000, kind: restart, node: 1 }\n");
    const trace = join(dir, "t.jsonl");
    const r = cli("run", "--seed", "1", "--scenario", scen, "--trace", trace, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.scenario).toBe("crash-one");
    // the scenario's time (3 s), ended once healthy after the restart at 1.5 s (the fast model)
    expect(j.stats.simulatedMs).toBeLessThanOrEqual(3_000);
    expect(j.stats.simulatedMs).toBeGreaterThan(1_500);
    expect(j).toMatchObject({ expect: "ok", expectationMet: true });
    const lines = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.some((l) => l.kind === "crash" && l.a === 1)).toBe(true);
    expect(lines.some((l) => l.kind === "deliver")).toBe(true);
    // keeping records does not change the hash
    const r2 = cli("run", "--seed", "1", "--scenario", scen, "--json");
    expect(JSON.parse(r2.out).traceHash).toBe(j.traceHash);
    // the printed replay command reproduces the run, scenario included
    expect(j.replay).toBe(`raftsim replay --seed 1 --time 3s --scenario ${scen} --expect-hash ${j.traceHash}`);
    expect(cli(...(j.replay as string).split(" ").slice(1)).code).toBe(0);

    writeFileSync(scen, "name: bad\nfaults:\n  schedule:\n    - { at: 1s, kind: heal }\n    - { at: 2s, kind: heal }\n    - { at: 2x, kind: heal }\n");
    const bad = cli("run", "--seed", "1", "--scenario", scen);
    expect(bad.code).toBe(65);
    expect(bad.err).toContain(`${scen}: faults.schedule[2].at: expected a duration like "2s"`);
    expect(bad.err).not.toMatch(/\n\s+at /); // no stack trace
    writeFileSync(scen, "name: bad\nfaults: { schedule: [{ at: 5, kind: explode }] }\n");
    expect(cli("run", "--seed", "1", "--scenario", scen).err).toMatch(/faults\.schedule\[0\]\.kind: unknown fault kind/);
  });

  it("--scenario NAME: the scenario's first seed and time; exit 0 when the verdict is the expected one", () => {
    const r = cli("run", "--scenario", "retries-without-dedup");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/verdict:\s+violation/);
    expect(r.out).toMatch(/verdict violation, as the scenario expects/);
    expect(r.out).toMatch(/raftsim replay --seed 1 --time 10s --scenario retries-without-dedup --expect-hash [0-9a-f]{16}/);
    const h = /--expect-hash ([0-9a-f]{16})/.exec(r.out)![1];
    expect(cli("replay", "--scenario", "retries-without-dedup", "--seed", "1", "--time", "10s", "--expect-hash", h).code).toBe(0);
  });

  it("a scenario expecting a violation that gets ok exits 1 and says so", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-"));
    const scen = join(dir, "calm.json");
    writeFileSync(scen, JSON.stringify({ name: "calm", time: "2s", expect: "violation", faults: { schedule: [] } }));
    const r = cli("run", "--scenario", scen, "--seed", "3");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/scenario calm, seed 3: expected a violation, got ok/);
    const j = JSON.parse(cli("run", "--scenario", scen, "--seed", "3", "--json").out);
    expect(j).toMatchObject({ verdict: "ok", expect: "violation", expectationMet: false });
  });

  it("an unknown scenario name lists the available ones (exit 64); `scenarios --json` lists them all", () => {
    const r = cli("run", "--scenario", "no-such-thing");
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/unknown scenario "no-such-thing"; available: .*partition-halves/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const l = cli("scenarios", "--json");
    expect(l.code).toBe(0);
    const list = JSON.parse(l.out) as { name: string; description: string; expect: string; seeds: string }[];
    expect(list.length).toBeGreaterThanOrEqual(12);
    expect(list.find((s) => s.name === "stale-read-without-readindex")).toMatchObject({ expect: "violation" });
    for (const s of list) expect(s.seeds).toMatch(/^\d/);
    expect(cli("scenarios").out).toMatch(/partition-halves\s+expect ok/);
  });

  it("sweep --scenario runs its seeds (or --seeds) and reports expectation matches", () => {
    const r = cli("sweep", "--scenario", "retries-without-dedup", "--seeds", "1..4", "--time", "6s", "--json", "--no-progress");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ scenario: "retries-without-dedup", expect: "violation", seeds: 4, matched: 4, mismatched: 0, failures: [] });
    const all = JSON.parse(cli("sweep", "--scenario", "isolate-leader-on-election", "--time", "5s", "--json", "--no-progress").out);
    expect(all).toMatchObject({ seeds: 20, ran: 20, matched: 20, expect: "ok" });
    // a --time too short for the schedule is a usage error, not a false liveness failure
    const short = cli("sweep", "--scenario", "partition-halves", "--time", "2s", "--no-progress");
    expect(short.code).toBe(64);
    expect(short.err).toMatch(/--time 2s is too short for scenario partition-halves/);
    expect(cli("sweep", "--no-progress").code).toBe(64); // neither --seeds nor --scenario
  });

  it("usage errors exit 64 without a stack trace; --help exits 0", () => {
    for (const args of [["run"], ["run", "--seed", "x"], ["run", "--seed", "1", "--time", "30"], ["run", "--seed", "1", "--bogus"], ["nope"]]) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(64);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    for (const args of [["--help"], ["run", "--help"], ["replay", "--help"]]) {
      const r = cli(...args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage:/);
    }
  });
});

describe("durations", () => {
  it("parses and formats", () => {
    expect(parseDuration("30s")).toBe(30_000_000);
    expect(parseDuration("500ms")).toBe(500_000);
    expect(parseDuration("2m")).toBe(120_000_000);
    expect(parseDuration("1.5s")).toBe(1_500_000);
    expect(parseDuration("250us")).toBe(250);
    expect(() => parseDuration("30")).toThrow(/unit/);
    expect(() => parseDuration("-1s")).toThrow();
    expect(formatDuration(30_000_000)).toBe("30s");
    expect(formatDuration(1_500_000)).toBe("1500ms");
    expect(formatDuration(120_000_000)).toBe("2m");
  });
});

describe("raftsim sweep / bugs / check", () => {
  it("gives the same aggregate whatever --jobs is", () => {
    const summary = (jobs: string) => {
      const r = cli("sweep", "--seeds", "1..12", "--time", "2s", "--jobs", jobs, "--json", "--no-progress");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      return { seeds: j.seeds, ran: j.ran, verdicts: j.verdicts, failures: j.failures, events: j.events, simulatedMs: j.simulatedMs };
    };
    const one = summary("1");
    expect(one.ran).toBe(12);
    expect(one.verdicts.ok).toBe(12);
    expect(summary("2")).toEqual(one);
  });

  it("caps --jobs to the CPUs and batches, with one warning line (--jobs 10000 used to hang)", () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, "sweep", "--seeds", "1..2", "--time", "2s", "--jobs", "10000", "--json", "--no-progress"], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.stderr).toMatch(/^raftsim: --jobs 10000 capped to 1 \(\d+ CPUs? available, 1 batch of up to 10 seeds\)\n$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ran: 2, jobs: 1, jobsRequested: 10000 });
    // The default (the host's CPUs) is capped without a word.
    const d = cli("sweep", "--seeds", "1..2", "--time", "2s", "--no-progress");
    expect(d.code).toBe(0);
    expect(d.err).toBe("");
    expect(d.out).toMatch(/\(\d+ seeds\/min, 1 jobs\)/);
  });

  it("a run that throws is that seed's internal error: reported with its replay line, the sweep goes on, exit 70 (a violation wins)", () => {
    // RAFTSIM_TEST_THROW_SEED is a test hook of src/api/sweep-worker.ts: those seeds' runs throw.
    const env = { ...process.env, RAFTSIM_TEST_THROW_SEED: "5" };
    const sweepWith = (...args: string[]) => spawnSync(process.execPath, [BIN, "sweep", ...args, "--no-progress"], { cwd: ROOT, encoding: "utf8", env });
    const byJobs = ["1", "2"].map((jobs) => {
      const r = sweepWith("--seeds", "1..12", "--time", "2s", "--jobs", jobs, "--json");
      expect(r.status).toBe(70);
      expect(r.stderr).toBe("");
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ seeds: 12, ran: 12, errors: 1, verdicts: { ok: 11, violation: 0, liveness: 0, unknown: 0 } });
      expect(j.failures).toHaveLength(1);
      const f = j.failures[0];
      expect(f).toMatchObject({ seed: 5, verdict: null, replay: "raftsim run --seed 5 --time 2s" });
      // The first stack frame, named ("fn (file:line:col)") or anonymous ("file:line:col").
      expect(f.error).toMatch(/^Error: synthetic failure for seed 5 \(RAFTSIM_TEST_THROW_SEED\) \(at (.+ \()?[^ ]+:\d+:\d+\)?\)$/);
      expect(f.message).toBe(f.error);
      return { failures: j.failures, verdicts: j.verdicts, events: j.events };
    });
    expect(byJobs[1]).toEqual(byJobs[0]);
    const text = sweepWith("--seeds", "1..12", "--time", "2s");
    expect(text.status).toBe(70);
    expect(text.stdout).toMatch(/11 ok, 0 violation, 0 liveness, 0 unknown, 1 internal error\n/);
    expect(text.stdout).toMatch(/\n {2}seed 5: internal error: Error: synthetic failure for seed 5 .*\n {4}replay: raftsim run --seed 5 --time 2s\n/);
    expect(text.stdout + text.stderr).not.toMatch(/\n\s+at /); // no raw stack trace
    // A violation elsewhere in the sweep decides the exit code.
    const bug = sweepWith("--seeds", "1..3", "--bug", "no-session-dedup", "--json");
    expect(bug.status).toBe(1);
    expect(JSON.parse(bug.stdout)).toMatchObject({ errors: 0 });
    const both = spawnSync(process.execPath, [BIN, "sweep", "--seeds", "1..3", "--bug", "no-session-dedup", "--json", "--no-progress"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, RAFTSIM_TEST_THROW_SEED: "2" },
    });
    const jb = JSON.parse(both.stdout);
    expect(jb.errors).toBe(1);
    expect(jb.verdicts.violation).toBeGreaterThan(0);
    expect(both.status).toBe(1);
  });

  it("finds a planted bug, exits 1 and prints the replay command", () => {
    const r = cli("sweep", "--seeds", "1..20", "--bug", "no-session-dedup", "--stop-on-first", "--json", "--no-progress");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.failures).toHaveLength(1);
    expect(j.failures[0].replay).toMatch(/^raftsim run --seed \d+ --time 10s --bug no-session-dedup$/);
    // The replay command reproduces the failure.
    const seed = String(j.failures[0].seed);
    expect(cli("run", "--seed", seed, "--time", "10s", "--bug", "no-session-dedup").code).toBe(1);
  });

  it("rejects an unknown bug or a bad seed range with exit 64", () => {
    expect(cli("sweep", "--seeds", "1..5", "--bug", "nope").code).toBe(64);
    expect(cli("sweep", "--seeds", "9..1").code).toBe(64);
    expect(cli("run", "--seed", "1", "--bug", "nope").code).toBe(64);
  });

  it("lists the planted bugs as JSON", () => {
    const r = cli("bugs", "--json");
    expect(r.code).toBe(0);
    const bugs = JSON.parse(r.out) as { system: string; name: string; description: string; breaks: string; found: { assertsOff: { seed: number; check: string } } | null }[];
    expect(bugs.length).toBeGreaterThanOrEqual(10);
    for (const b of bugs) {
      expect(b.description.length).toBeGreaterThan(10);
      expect(b.system).toBe("raft-metadata");
      expect(b.found?.assertsOff.seed, b.name).toBeGreaterThanOrEqual(1);
      expect(b.found?.assertsOff.check, b.name).toMatch(/^[a-z-]+$/);
    }
  });

  it("checks a history file through the CLI with the documented exit codes", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-check-"));
    const ok = join(dir, "ok.jsonl");
    const bad = join(dir, "bad.jsonl");
    const put = { f: "put", key: "k", value: "v1" };
    const line = JSON.stringify({ client: 0, input: put, call: 0, ret: 1, status: "ok", output: { f: "put", revision: 5 } });
    writeFileSync(ok, line + "\n");
    writeFileSync(bad, line + "\n" + '{"client": 1, "input": \n');
    expect(cli("check", ok).code).toBe(0);
    const r = cli("check", bad);
    expect(r.code).toBe(65);
    expect(r.err).toMatch(/bad\.jsonl:2:\d+: not JSON/);
    expect(r.err).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});
