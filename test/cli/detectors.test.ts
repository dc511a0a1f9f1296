// End-to-end: `raftsim detectors` through the built CLI.
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";

import { BIN, buildCli, cli } from "../support/cli.js";

beforeAll(() => {
  buildCli();
  expect(existsSync(BIN)).toBe(true);
});

interface Info {
  name: string;
  description: string;
  kind: string;
  params: { name: string; default: unknown; doc: string; source: string }[];
  systems: { system: string; default: boolean }[];
}

describe("raftsim detectors", () => {
  it("--json lists gossip and the five point-to-point detectors with parameters, sources and systems", () => {
    const r = cli("detectors", "--json");
    expect(r.code, r.err).toBe(0);
    const all = JSON.parse(r.out) as Info[];
    expect(all.map((d) => d.name)).toEqual(["gossip", "timeout", "phi", "swim", "lease", "oracle"]);
    for (const d of all) {
      expect(d.description.length).toBeGreaterThan(20);
      expect(d.params.length).toBeGreaterThan(0);
      for (const p of d.params) expect(p.source.length).toBeGreaterThan(3);
    }
    const gossip = all.find((d) => d.name === "gossip")!;
    expect(gossip.kind).toBe("cluster-bus");
    expect(gossip.systems).toContainEqual({ system: "failover", default: true });
    expect(gossip.params.find((p) => p.name === "nodeTimeoutMs")?.default).toBe(15000);
    const timeout = all.find((d) => d.name === "timeout")!;
    expect(timeout.kind).toBe("point-to-point");
    expect(timeout.params.find((p) => p.name === "maxMisses")?.default).toBe(5);
    for (const name of ["timeout", "phi", "swim", "oracle"]) expect(all.find((d) => d.name === name)!.systems).toEqual([{ system: "failover", default: false }]);
    expect(all.find((d) => d.name === "lease")!.systems).toEqual([{ system: "failover", default: false }]);
    // No system but failover names a detector.
    for (const d of all) for (const s of d.systems) expect(s.system).toBe("failover");
  });

  it("prints a table without --json, and --help documents the command", () => {
    const r = cli("detectors");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gossip +Valkey's cluster bus/m);
    expect(r.out).toContain("runs in: failover (default)");
    expect(r.out).toMatch(/^phi +Phi accrual/m);
    const h = cli("detectors", "--help");
    expect(h.code).toBe(0);
    expect(h.out).toContain("--json");
    expect(cli("--help").out).toContain("detectors");
  });
});
