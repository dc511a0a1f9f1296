// --no-fast: raft-metadata's original event model from the command line (the fast one is the
// default). run, replay and sweep take it; it is --system-options '{"fast":false}' by another
// name, a sweep's replay lines repeat it, and a system without a fast mode refuses it.
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
    const dflt = JSON.parse(cli("sweep", "--seeds", "1..1", "--jobs", "1", "--bug", "commit-index-decreases", "--json").out);
    expect(dflt.failures[0].replay).not.toMatch(/fast/);
  });

  it("a system without a fast mode refuses it, naming the flag", () => {
    const r = cli("run", "--system", "pingpong", "--seed", "1", "--time", "1s", "--no-fast");
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/--no-fast: only raft-metadata has a fast mode \(system pingpong\)/);
    const s = cli("sweep", "--system", "pingpong", "--seeds", "1..1", "--no-fast");
    expect(s.code).toBe(64);
  });
});
