// SettledWatch: the liveness phase's incremental "settled" check (one server's row and column
// after an event that touched it) agrees with the full check on runs with swarm faults, and its
// verify mode catches a state change at a server the event did not touch.
import { describe, expect, it } from "vitest";
import { ClusterView } from "../../../src/impl/failover/valkey/view.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { runSystem } from "../../../src/sim/runner/run.js";
import { shapeFor } from "../../../src/sim/systems/failover/options.js";
import { settled, SettledWatch } from "../../../src/sim/systems/failover/settled.js";
import { getSystem } from "../../../src/sim/systems/index.js";

const S = 1_000_000;

/** Three servers (one shard) in a hand-made world: just what settled() reads. */
function fakeWorld() {
  const shape = shapeFor(3, { replicas: 2, slots: 4 });
  const nodes = [0, 1, 2].map((id) => {
    const view = new ClusterView(shape.topo);
    return { view, clusterOk: true, get isPrimary() { return view.primaryOf[id] < 0; }, get primary() { return view.primaryOf[id]; } };
  });
  const w = { nodes, touched: TOUCHED_ALL, isUp: () => true } as unknown as AnyWorld & { touched: number };
  return { shape, nodes, w };
}

describe("SettledWatch", () => {
  it("agrees with the full check after every liveness event of runs with swarm faults (verify mode)", () => {
    const failover = getSystem("failover");
    let livenessRuns = 0;
    const cases = [1, 2, 3, 4, 5, 6].map((seed) => ({ seed, detector: "gossip" }));
    for (const detector of ["timeout", "phi", "swim", "oracle"]) for (const seed of [1, 2]) cases.push({ seed, detector });
    for (const { seed, detector } of cases) {
      const r = runSystem(failover, { seed, timeUs: 20 * S, options: { detector, verifySettledWatch: true } });
      expect(r.message ?? "", `${detector} seed ${seed}`).not.toContain("SettledWatch");
      expect(["ok", "liveness", "violation"]).toContain(r.verdict);
      if (r.verdict !== "violation") livenessRuns++;
    }
    expect(livenessRuns).toBeGreaterThan(0);
  });

  it("answers as settled() does, event by event, on a hand-made world", () => {
    const { shape, nodes, w } = fakeWorld();
    const watch = new SettledWatch(shape, true);
    expect(watch.check(w)).toBeNull();
    w.touched = 1;
    expect(watch.check(w)).toBeNull();
    nodes[2].view.pfail[0] = 1; // node 2 suspects node 0, and the event was node 2's
    w.touched = 2;
    expect(watch.check(w)).toBe(settled(w, shape));
    expect(watch.check(w)).toMatch(/^node 2 suspects node 0/);
    nodes[2].view.pfail[0] = 0;
    expect(watch.check(w)).toBeNull();
    nodes[1].clusterOk = false;
    w.touched = 1;
    expect(watch.check(w)).toBe("node 1's cluster state is fail");
  });

  it("verify mode throws when a server changed that the event did not touch (the fast path's premise)", () => {
    const { shape, nodes, w } = fakeWorld();
    const quiet = new SettledWatch(shape);
    const strict = new SettledWatch(shape, true);
    expect(quiet.check(w)).toBeNull();
    expect(strict.check(w)).toBeNull();
    nodes[2].view.primaryOf[1] = -1; // node 2 now takes node 1 for a primary ...
    w.touched = TOUCHED_NONE; // ... during an event said to touch no server
    expect(quiet.check(w)).toBeNull(); // the fast path trusts `touched`
    expect(() => strict.check(w)).toThrow(/SettledWatch: the incremental check passed/);
    w.touched = 2; // the event that did change node 2 is seen
    expect(quiet.check(w)).toMatch(/node 2 thinks node 1.s primary is -1/);
  });
});
