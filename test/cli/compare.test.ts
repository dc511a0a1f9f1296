// End-to-end: `raftsim compare` through the built CLI: help, the table, --json, exit codes,
// and one-line errors for bad input (no stack traces). Also the metrics `raftsim run` prints.
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";

import { BIN, buildCli, cli } from "../support/cli.js";

beforeAll(() => {
  buildCli();
  expect(existsSync(BIN)).toBe(true);
});

describe("raftsim compare", () => {
  it("--help documents the flags and the exit codes", () => {
    const r = cli("compare", "--help");
    expect(r.code).toBe(0);
    for (const f of ["--variants", "--detectors", "--seeds", "--families", "--every-fault", "--calibrate", "--jobs", "--json"]) expect(r.out).toContain(f);
    expect(r.out).toMatch(/Exit codes: 0 .*64 bad usage/s);
    expect(r.out).toContain("65 the variants ran different fault schedules");
  });

  it("prints one table, variant × family, and --json rows with detector and metrics", () => {
    const t = cli("compare", "--system", "failover", "--detectors", "gossip,oracle", "--seeds", "1..2", "--families", "partition,swarm", "--time", "5s", "--jobs", "1", "--no-progress");
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/^raftsim compare: system failover, 2 seeds per cell, 5s each; same schedule verified on 4 \(family, seed\) pairs/);
    const lines = t.out.split("\n");
    const head = lines.find((l) => l.startsWith("family"))!;
    for (const c of ["variant", "seeds", "viol", "T_D ms", "failover ms", "unavail ms", "false fo", "W2 ms", "lost acks", "collisions", "msgs/node/s"]) expect(head).toContain(c);
    expect(lines.filter((l) => /^(partition|swarm)\s+(gossip|oracle)\s+2\s/.test(l))).toHaveLength(4);
    const j = cli("compare", "--system", "failover", "--detectors", "gossip,oracle", "--seeds", "1..2", "--families", "partition", "--time", "5s", "--jobs", "1", "--json");
    expect(j.code, j.err).toBe(0);
    const rows = (JSON.parse(j.out) as { rows: { variant: string; detector: string; family: string; seeds: number; violations: number; tdP50Ms: { p50: number | null } }[] }).rows;
    expect(rows.map((r) => [r.variant, r.detector, r.family, r.seeds])).toEqual([
      ["gossip", "gossip", "partition", 2],
      ["oracle", "oracle", "partition", 2],
    ]);
  });

  it("bad input: a usage error (64) naming the field, never a stack trace", () => {
    const cases: [string[], RegExp][] = [
      [["--system", "failover", "--detectors", "gossip,nope", "--seeds", "1..2"], /^raftsim: variants: unknown variant "nope" of system failover; known: gossip, timeout, phi, swim, oracle/],
      [["--system", "failover", "--families", "tsunami", "--seeds", "1..2"], /^raftsim: families: unknown fault family "tsunami" of system failover/],
      [["--system", "failover"], /required option '--seeds <A\.\.B>'/],
      [["--system", "pingpong", "--seeds", "1..2"], /system pingpong defines no variants/],
      [["--system", "pingpong", "--detectors", "a", "--seeds", "1..2"], /--detectors: system pingpong has no detector families/],
      [["--system", "failover", "--variants", "gossip", "--detectors", "phi", "--seeds", "1..2"], /--detectors is another name for --variants: give one/],
      [["--system", "failover", "--seeds", "1..2", "--calibrate", "-3"], /--calibrate/],
    ];
    for (const [args, msg] of cases) {
      const r = cli("compare", ...args, "--jobs", "1", "--no-progress");
      expect(r.code, `${args.join(" ")}: ${r.err}`).toBe(64);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});

describe("raftsim run --system failover: measured metrics", () => {
  it("the human output has a median/p99/max table; --json has qos, unavailability, traffic, metrics", () => {
    const t = cli("run", "--system", "failover", "--seed", "4", "--time", "10s");
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain("measured (true simulated time; n = samples):");
    for (const m of ["T_D ms", "crash-to-failover ms", "T_MR ms", "T_M ms", "1 - P_A (per pair)", "unavailable ms (per shard)", "msgs/node/s (all)", "bytes/node/s (bus + detector)"]) expect(t.out).toContain(m);
    const j = cli("run", "--system", "failover", "--seed", "4", "--time", "10s", "--json");
    const d = JSON.parse(j.out) as Record<string, Record<string, unknown>>;
    expect(d.detector).toMatchObject({ tdP50Ms: expect.anything(), tdP99Ms: expect.anything(), tdMaxMs: expect.anything() });
    for (const k of ["p50Ms", "p99Ms", "maxMs", "dualWritableMs", "lostAckedWrites", "epochCollisions", "failoversOfLivePrimary"]) expect(d.failover).toHaveProperty(k);
    expect(d.qos).toMatchObject({ mistakes: expect.any(Number), tmrMs: { n: expect.any(Number) }, tmMs: { n: expect.any(Number) }, pa: { pairs: 72 } });
    expect((d.unavailability as { perShardMs: number[] }).perShardMs).toHaveLength(3);
    expect((d.traffic as { wire: { busHeader: number } }).wire.busHeader).toBe(2256);
    expect(Object.keys(d.metrics)).toContain("T_D ms (crash to suspicion, per observer)");
  });

  it("sweep --json aggregates the compare columns over seeds", () => {
    const r = cli("sweep", "--system", "failover", "--seeds", "1..3", "--time", "5s", "--jobs", "1", "--json");
    expect(r.code, r.err).toBe(0);
    const m = (JSON.parse(r.out) as { metrics: Record<string, { seeds: number; p50: number | null; max: number | null }> }).metrics;
    expect(m.msgsPerNodeS.seeds).toBe(3);
    expect(m.epochCollisions).toMatchObject({ seeds: 3 });
  });
});
