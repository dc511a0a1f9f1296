// The failover system (gossip detector: Valkey's cluster bus) end to end: calm runs, a calm
// primary crash (failover within the bound, Valkey test settings T = 3 s, P = 100 ms), the
// bounded-time checks failing when their bound is too tight, the registry and the options.
import { describe, expect, it } from "vitest";
import { runSystem, type RunResult } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/sim/systems/index.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";

const failover = getSystem("failover");
const S = 1_000_000;

type Fo = { p50Ms: number | null; failovers: number; checked: number; lostAckedWrites: number | null; ackedWrites: number | null; dualWritableMs: number; epochCollisions: number; wins: number };
type Fd = { tdP50Ms: number | null; falseSuspicions: number; falseFails: number; checked: { crashes: number; observers: number }; failChecked: number };

function run(seed: number, faults: readonly FaultAction[] | undefined, options: object = {}, timeUs = 30 * S, bugs: string[] = []): RunResult & { fo: Fo; fd: Fd } {
  const r = runSystem(failover, { seed, timeUs, ...(faults !== undefined ? { faults } : {}), options, bugs });
  return Object.assign(r, { fo: r.details.failover as Fo, fd: r.details.detector as Fd });
}

describe("failover system (gossip)", () => {
  it("is registered with its detector, families and a primary target", () => {
    expect(failover.detectors).toEqual(["gossip", "timeout", "phi", "swim", "oracle", "lease"]);
    expect(failover.targets).toContain("leader");
    expect(failover.families.map((f) => f.name)).toContain("primary-crash");
    expect(failover.defaults).toEqual({ servers: 9, clients: 4 });
  });

  it("a calm run: no suspicion, converged, no write lost, primaries on distinct configEpochs", () => {
    const r = run(1, []);
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect(r.fd.falseSuspicions).toBe(0);
    expect(r.fo.lostAckedWrites).toBe(0);
    expect(r.fo.ackedWrites).toBeGreaterThan(100);
    // A cluster created by ADDSLOTS starts with every configEpoch 0: collisions are resolved.
    expect(r.fo.epochCollisions).toBeGreaterThan(0);
  });

  it("a calm primary crash fails over within T + 2P + 6C + 1000 ms + 2 RTT, checked online", () => {
    for (const seed of [1, 2, 3]) {
      const r = run(seed, [{ at: 5 * S, kind: "crash-leader", downUs: 30 * S }]);
      expect(r.verdict, r.message ?? "").toBe("ok");
      expect(r.fo.failovers).toBe(1);
      expect(r.fo.checked).toBe(1); // P-FO6 was armed
      expect(r.fo.p50Ms!).toBeGreaterThan(3000);
      expect(r.fo.p50Ms!).toBeLessThanOrEqual(4850);
      expect(r.fd.checked).toEqual({ crashes: 1, observers: 8 }); // P-FD1 was armed
      expect(r.fd.failChecked).toBe(1); // and its FAIL-everywhere part
      expect(r.fd.tdP50Ms!).toBeGreaterThan(3000);
      expect(r.fd.tdP50Ms!).toBeLessThanOrEqual(3325);
    }
  });

  it("P-FD1 fails when the bound is tighter than the detector (checkers' T = 2 s, nodes' 3 s)", () => {
    const r = run(1, [{ at: 5 * S, kind: "crash", node: 4 }], { checkWith: { nodeTimeoutMs: 2_000 } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^P-FD1: node \d does not suspect node 4/);
  });

  it("P-FO6 fails when the bound leaves out the election delay", () => {
    const r = run(1, [{ at: 5 * S, kind: "crash-leader", downUs: 30 * S }], { checkWith: { electionFixedMs: 0, electionRandomMs: 0, electionRankMs: 0 } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^P-FO6: shard \d (failed over \d+ms after node \d crashed|not failed over \d+ms after its primary \d crashed)/);
  });

  it("an isolated primary is failed over and rejoins as a replica; the minority rule closes its writes first", () => {
    // Node 0 (shard 0's primary) alone for 8 s: it sees a majority of primaries PFAIL after
    // about T and refuses writes, before the majority side's replica wins (T + FAIL + 0.5-1 s).
    const r = run(5, [{ at: 5 * S, kind: "isolate", node: 0 }, { at: 13 * S, kind: "heal" }]);
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect(r.fo.wins).toBe(1);
    expect(r.fo.lostAckedWrites).toBe(0);
    expect(r.fo.dualWritableMs).toBe(0);
  });

  it("P-FD3 fails a calm run with any suspicion (a node timeout below the network's delay)", () => {
    // PONGs take 150 ms; the timeout is 50 ms: pings are still pending at the next cron.
    const r = runSystem(failover, { seed: 1, timeUs: 5 * S, faults: [], net: { latencyMedianUs: 150_000, latencySigma: 0 }, options: { valkey: { nodeTimeoutMs: 50 } } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^P-FD3: node \d suspects node \d \(PFAIL\) in a calm run/);
  });

  it("checkHistory runs the linearizability checker over the client history (a metric for gossip)", () => {
    const calm = run(2, [], { checkHistory: true }, 5 * S);
    expect((calm.details.failover as { linearizable: string }).linearizable).toBe("ok");
    expect(calm.lin).toBeNull(); // not the run's verdict: Valkey documents that it loses writes
    expect(run(2, [], {}, 5 * S).fo).toMatchObject({ linearizable: null });
  });

  it("the detector option is validated", () => {
    expect(() => run(1, [], { detector: "nope" })).toThrow(/unknown detector "nope"; known detectors: gossip, timeout, phi, swim, oracle, lease/);
    expect(run(1, [], { detector: "gossip" }, 5 * S).verdict).toBe("ok");
  });

  it("the shape is validated: servers in shards of 1 + replicas", () => {
    expect(() => runSystem(failover, { seed: 1, timeUs: 5 * S, servers: 8 })).toThrow(/8 servers do not make shards of 3/);
    expect(runSystem(failover, { seed: 1, timeUs: 5 * S, servers: 6, options: { replicas: 1 }, faults: [] }).verdict).toBe("ok");
  });

  it("is deterministic: one seed, one trace hash", () => {
    const a = runSystem(failover, { seed: 42, timeUs: 10 * S });
    const b = runSystem(failover, { seed: 42, timeUs: 10 * S });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.verdict).toBe(b.verdict);
  });
});
