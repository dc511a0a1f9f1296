// --system-options on run, replay, sweep and compare: a sweep takes the options run takes (its
// seeds then run as `run --system-options` runs them, and its replay lines repeat them), and an
// option the system does not read is refused on every command (exit 64, the name given and the
// system's options listed) instead of being ignored without a word.
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, cli } from "../support/cli.js";

const STARTING = '{"onlineChecks":"starting"}';

describe("--system-options", () => {
  beforeAll(buildCli, 120_000);

  it("sweep: runs each seed with them, and its replay lines repeat them", () => {
    // commit-previous-term at seed 2 is seen only by a check the starting set lacks
    // (test/sim/cluster/online-checks.test.ts): found by default, passed with that set.
    const args = ["sweep", "--seeds", "2..2", "--jobs", "1", "--bug", "commit-previous-term", "--sut-asserts", "off", "--json"];
    const dflt = JSON.parse(cli(...args).out);
    expect(dflt.verdicts.violation).toBe(1);
    expect(dflt.failures[0].message).toMatch(/^commit-current-term/);
    const starting = JSON.parse(cli(...args, "--system-options", STARTING).out);
    expect(starting.verdicts.ok).toBe(1);
    // A failing seed's replay line carries them, and reruns that seed as the sweep ran it.
    const failing = JSON.parse(cli("sweep", "--seeds", "1..1", "--jobs", "1", "--bug", "commit-index-decreases", "--system-options", STARTING, "--json").out);
    expect(failing.failures.length).toBe(1);
    const line = failing.failures[0].replay as string;
    expect(line).toContain(`--system-options '${STARTING}'`);
    const rerun = cli(...line.replace(/^raftsim /, "").replace(/'/g, "").split(" "), "--json");
    expect(rerun.code, rerun.err).not.toBe(64);
    expect(JSON.parse(rerun.out).message).toBe(failing.failures[0].message);
  });

  it("sweep with --no-fast and other options: both apply", () => {
    const failing = JSON.parse(cli("sweep", "--seeds", "1..1", "--jobs", "1", "--bug", "commit-index-decreases", "--no-fast", "--system-options", STARTING, "--json").out);
    expect(failing.failures[0].replay).toContain(`--system-options '{"onlineChecks":"starting","fast":false}'`);
  });

  it("an option the system does not read is refused on run, replay, sweep and compare (exit 64, named)", () => {
    const bad = '{"folowerReads":true}';
    for (const args of [
      ["run", "--seed", "1", "--time", "1s"],
      ["replay", "--seed", "1", "--time", "1s"],
      ["sweep", "--seeds", "1..2", "--jobs", "1"],
      ["compare", "--system", "raft-metadata", "--seeds", "1..2", "--time", "1s"],
    ]) {
      const r = cli(...args, "--system-options", bad);
      expect(r.code, `${args[0]}: ${r.err}`).toBe(64);
      expect(r.err).toContain('system raft-metadata has no option "folowerReads"');
      expect(r.err).toContain("followerReads");
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.out).toBe("");
    }
  });

  it("not JSON, or not an object: refused before anything runs", () => {
    for (const text of ["{fast:false}", "[1]", "3"]) {
      const r = cli("sweep", "--seeds", "1..2", "--jobs", "1", "--system-options", text);
      expect(r.code, r.err).toBe(64);
      expect(r.err).toContain("--system-options");
      expect(r.out).toBe("");
    }
  });
});
