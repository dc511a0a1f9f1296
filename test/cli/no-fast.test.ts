// --no-fast: raft-metadata's original event model from the command line (the fast one is the
// default). run, replay, sweep and shrink take it; it is --system-options '{"fast":false}' by
// another name, a sweep's replay and shrink lines repeat it, and a system without a fast mode
// refuses it.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, cli } from "../support/cli.js";

describe("--no-fast", () => {
  beforeAll(buildCli, 120_000);

  it("run: another trace than the default, the same as system option fast: false, and replayable", () => {
    const dflt = JSON.parse(cli("run", "--seed", "2", "--time", "3s", "--json").out);
    const off = JSON.parse(cli("run", "--seed", "2", "--time", "3s", "--no-fast", "--json").out);
    const opt = JSON.parse(cli("run", "--seed", "2", "--time", "3s", "--system-options", '{"fast":false}', "--json").out);
    expect(dflt.verdict).toBe("ok");
    expect(off.verdict).toBe("ok");
    expect(off.traceHash).not.toBe(dflt.traceHash);
    expect(opt.traceHash).toBe(off.traceHash);
    expect(off.replay).toMatch(/--system-options '\{"fast":false\}'/);
    const again = cli("replay", "--seed", "2", "--time", "3s", "--no-fast", "--expect-hash", off.traceHash);
    expect(again.code, again.err).toBe(0);
  });

  it("sweep: the replay lines of failures repeat it", () => {
    const r = cli("sweep", "--seeds", "1..1", "--jobs", "1", "--bug", "commit-index-decreases", "--no-fast", "--json");
    const rep = JSON.parse(r.out);
    expect(rep.failures.length).toBe(1);
    expect(rep.failures[0].replay).toMatch(/--system-options '\{"fast":false\}'/);
    expect(rep.failures[0].shrink).toMatch(/ --no-fast$/);
    const dflt = JSON.parse(cli("sweep", "--seeds", "1..1", "--jobs", "1", "--bug", "commit-index-decreases", "--json").out);
    expect(dflt.failures[0].replay).not.toMatch(/fast/);
    expect(dflt.failures[0].shrink).not.toMatch(/fast/);
  });

  it("shrink: shrinks the original model's run (not the fast one) and writes a scenario that keeps it", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-nofast-"));
    const args = ["shrink", "--seed", "1", "--time", "10s", "--bug", "commit-index-decreases", "--budget", "20s", "--no-progress", "--json"];
    const off = cli(...args, "--no-fast", "--out", join(dir, "off.yaml"));
    expect(off.code, off.err).toBe(0);
    const on = cli(...args, "--out", join(dir, "on.yaml"));
    expect(on.code, on.err).toBe(0);
    const [r, d] = [JSON.parse(off.out), JSON.parse(on.out)];
    // The run it started from is the --no-fast run of the seed: the sweep's run, event for event.
    const run = JSON.parse(cli("run", "--seed", "1", "--time", "10s", "--bug", "commit-index-decreases", "--no-fast", "--json").out);
    expect(r.before.events).toBe(run.stats.events);
    expect(r.before.events).not.toBe(d.before.events);
    expect(r.scenarioReproduces).toBe(true);
    const yaml = readFileSync(join(dir, "off.yaml"), "utf8");
    expect(yaml).toMatch(/^ {2}fast: false$/m);
    expect(yaml).toMatch(/^# Written by: raftsim shrink .* --no-fast$/m);
    expect(readFileSync(join(dir, "on.yaml"), "utf8")).not.toMatch(/fast/);
  });

  it("a system without a fast mode refuses it, naming the flag", () => {
    const r = cli("run", "--system", "pingpong", "--seed", "1", "--time", "1s", "--no-fast");
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/--no-fast: only raft-metadata has a fast mode \(system pingpong\)/);
    const s = cli("sweep", "--system", "pingpong", "--seeds", "1..1", "--no-fast");
    expect(s.code).toBe(64);
    const k = cli("shrink", "--system", "pingpong", "--seed", "1", "--no-fast");
    expect(k.code).toBe(64);
    expect(k.err).toMatch(/--no-fast: only raft-metadata/);
  });
});
