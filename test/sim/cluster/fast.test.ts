// raft-metadata's event-saving options (issue 12 part 5): livenessStopWhenHealthy and fast
// (= it + raft.coalesceHeartbeats). fast is on by default; off (fast: false, `--no-fast`) is the
// original event model, with more events per seed and the same verdicts.
import { describe, expect, it } from "vitest";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import { livenessWindowUs } from "../../../src/sim/runner/liveness-window.js";

const S = 1_000_000;

describe("livenessStopWhenHealthy / fast", () => {
  it("ends the run once the cluster is healthy and every open operation is answered", () => {
    for (const seed of [1, 2, 3]) {
      const off = runCluster({ seed, timeUs: 10 * S, fast: false });
      const on = runCluster({ seed, timeUs: 10 * S, fast: false, livenessStopWhenHealthy: true });
      expect(on.verdict).toBe("ok");
      expect(off.verdict).toBe("ok");
      const healAt = 10 * S - livenessWindowUs(10 * S);
      expect(on.stats.simulatedUs).toBeGreaterThan(healAt);
      expect(on.stats.simulatedUs).toBeLessThan(off.stats.simulatedUs);
      expect(on.stats.events).toBeLessThan(off.stats.events * 0.8);
      // the same run until the heal: the histories agree on every operation invoked before it
      const before = (ops: typeof on.operations) => ops.filter((o) => o.call < healAt).map((o) => `${o.client}:${o.call}`);
      expect(before(on.operations).length).toBeGreaterThan(100);
      expect(before(on.operations)).toEqual(before(off.operations));
      // every client succeeded after the heal, and nothing was left open at the end
      const okAfter = on.operations.filter((o) => o.status === "ok" && o.ret >= healAt);
      expect(new Set(okAfter.map((o) => o.client % 5)).size).toBe(5);
      expect(on.operations.filter((o) => o.call >= healAt && o.status === "info")).toEqual([]);
    }
  });

  it("fast: coalesced heartbeats too; fewer events than livenessStopWhenHealthy alone, still ok", () => {
    let fast = 0;
    let live = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const a = runCluster({ seed, timeUs: 10 * S, fast: true });
      const b = runCluster({ seed, timeUs: 10 * S, fast: false, livenessStopWhenHealthy: true });
      expect(a.verdict).toBe("ok");
      expect(a.raft.coalesceHeartbeats).toBe(true);
      fast += a.stats.events;
      live += b.stats.events;
    }
    expect(fast).toBeLessThan(live);
  });

  it("is the default, and fast: false is the original model (fewer events with the default)", () => {
    for (const seed of [1, 2]) {
      const dflt = runCluster({ seed, timeUs: 10 * S });
      const on = runCluster({ seed, timeUs: 10 * S, fast: true });
      const off = runCluster({ seed, timeUs: 10 * S, fast: false });
      expect(dflt.traceHash).toBe(on.traceHash);
      expect(off.traceHash).not.toBe(on.traceHash);
      expect(dflt.raft.coalesceHeartbeats).toBe(true);
      expect(off.raft.coalesceHeartbeats).toBeUndefined();
      expect(dflt.stats.events).toBeLessThan(off.stats.events);
    }
  });

  it("still reports a cluster that never becomes healthy", () => {
    for (const fast of [false, true]) {
      const r = runCluster({ seed: 4, timeUs: 6 * S, fast, net: { lossP: 1 }, faults: [] });
      expect(r.verdict).toBe("liveness");
      expect(r.message).toMatch(/no leader/);
    }
  });
});
