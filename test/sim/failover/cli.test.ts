// The failover system through the command line: --detector on run, replay and sweep, the
// detector and failover blocks of `run --json`, and `bugs --json` rows naming their system.
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, cli } from "../../support/cli.js";

beforeAll(buildCli, 120_000);

describe("raftsim --system failover", () => {
  it("run --detector gossip --json prints the detector and failover measurements, and a replay that matches", () => {
    const r = cli("run", "--system", "failover", "--detector", "gossip", "--seed", "3", "--time", "10s", "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.verdict).toBe("ok");
    expect(j.detector).toMatchObject({ name: "gossip", falseSuspicions: expect.any(Number) });
    for (const k of ["tdP50Ms", "tdP99Ms"]) expect(k in j.detector).toBe(true);
    for (const k of ["p50Ms", "p99Ms", "dualWritableMs", "lostAckedWrites", "epochCollisions"]) expect(k in j.failover).toBe(true);
    expect(j.replay).toContain("--system failover --detector gossip --seed 3");
    const again = cli(...j.replay.replace(/^raftsim /, "").split(" "));
    expect(again.code, again.err).toBe(0);
  });

  it("an unknown detector, or --detector on a system without detectors, is a usage error", () => {
    const a = cli("run", "--system", "failover", "--detector", "nope", "--seed", "1");
    expect(a.code).toBe(64);
    expect(a.err).toContain('unknown detector "nope" for system failover; known detectors: gossip, timeout, phi, swim, oracle, lease');
    expect(cli("sweep", "--system", "failover", "--detector", "nope", "--seeds", "1..2").code).toBe(64);
    expect(cli("run", "--detector", "gossip", "--seed", "1").code).toBe(64);
  });

  it("sweep --detector gossip runs and carries the flag into replay lines", () => {
    const r = cli("sweep", "--system", "failover", "--detector", "gossip", "--bug", "no-epoch-collision", "--seeds", "1..2", "--jobs", "1", "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.verdicts.violation).toBe(2);
    expect(j.failures[0].replay).toContain("--detector gossip");
  });

  it("replay --at 5s --json shows each node's role, shard, epochs, offset, PFAIL/FAIL view and minority flag", () => {
    const r = cli("replay", "--system", "failover", "--seed", "5", "--time", "10s", "--at", "5s", "--json");
    expect(r.code, r.err).toBe(0);
    const at = JSON.parse(r.out).at[0];
    expect(at.atMs).toBe(5000);
    const up = at.nodes.filter((n: { status: string }) => n.status === "up");
    expect(up.length).toBeGreaterThan(0);
    for (const n of up) {
      for (const k of ["role", "primary", "shard", "configEpoch", "currentEpoch", "lastVoteEpoch", "offset", "pfail", "fail", "minority", "clusterOk"]) expect(n, `node ${n.node} ${k}`).toHaveProperty(k);
      expect(["primary", "replica"]).toContain(n.role);
      expect(n.pfail).toMatch(/^(-|\d+(,\d+)*)$/);
    }
  });

  it("bugs --json rows name their system", () => {
    const r = cli("bugs", "--system", "failover", "--json");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { system: string; name: string; detectingSeed: number }[];
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const b of rows) expect(b.system).toBe("failover");
  });
});
