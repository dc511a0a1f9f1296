// The failover system's fault schedules (FAILURE-DETECTION.md §e R4 F2-F12, slow message
// processing, and two families aimed at planted bugs), its own fault kinds ("slow-node",
// "primary-fault"), the kernel support they need (slow delivery, 40% clock drift), the node's
// monotonic deadlines, and the checks added with them: P-FO4 on the minority side, P-FD1's
// FAIL-everywhere part, P-FD4's flagged-report rule. Each check has a run that must fail (with
// the bug it exists for) and the same run passing without the bug.
import { describe, expect, it } from "vitest";
import { LocalClock } from "../../../src/sim/kernel/clock.js";
import { runSystem } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/sim/systems/index.js";
import { FAILOVER_FAMILIES } from "../../../src/sim/systems/failover/families.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";
import { probeWorld } from "../helpers.js";

const failover = getSystem("failover");
const S = 1_000_000;
const HOUR = 3_600 * S;

function run(seed: number, faults: readonly FaultAction[] | undefined, bugs: string[] = [], opts: { timeUs?: number; families?: string[]; options?: object } = {}) {
  return runSystem(failover, {
    seed,
    timeUs: opts.timeUs ?? 20 * S,
    ...(faults !== undefined ? { faults } : {}),
    ...(opts.families !== undefined ? { families: opts.families } : {}),
    bugs,
    sutAsserts: false,
    options: opts.options ?? {},
  });
}

describe("failover fault families", () => {
  it("are registered after the generic ones, each drawn from a stream of its own", () => {
    // lease-stress (the lease design's, lease-families.ts) comes last; its actions run in lease runs only.
    const names = failover.families.map((f) => f.name).filter((n) => n !== "lease-stress");
    for (const f of FAILOVER_FAMILIES) {
      expect(names).toContain(f.name);
      expect(f.draw).not.toBe("coin");
    }
    expect(names.slice(-FAILOVER_FAMILIES.length)).toEqual(FAILOVER_FAMILIES.map((f) => f.name));
    for (const k of ["f2-crash-restart", "f3-minority-split", "f4-observer-cut", "f5-one-way-loss", "f6-primary-pause", "f7-observer-pause", "f8-primary-clock", "f9-loss-dup", "f10-two-primaries", "f11-minority-of-primaries", "f12-mass-restart", "slow-processing"]) {
      expect(names).toContain(k);
    }
    expect(failover.faultKinds).toEqual(["slow-node", "primary-fault"]);
  });

  for (const f of FAILOVER_FAMILIES) {
    it(`${f.name}: alone on seeds 1-4, its faults run and every check holds`, () => {
      let actions = 0;
      for (let seed = 1; seed <= 4; seed++) {
        const r = run(seed, undefined, [], { timeUs: 10 * S, families: [f.name] });
        expect(r.families, f.name).toEqual([f.name]);
        actions += r.faults.length - 1; // all but the final heal-all
        expect(r.verdict, `${f.name} seed ${seed}: ${r.message}`).toBe("ok");
      }
      expect(actions, f.name).toBeGreaterThan(0);
    });
  }

  it("primary-fault hits the current primary: a pause of 1.5T fails it over (H3), a split isolates it with a replica", () => {
    const paused = run(1, [{ at: 4 * S, kind: "primary-fault", what: "pause", durationUs: 4_500_000 }]);
    expect(paused.verdict, paused.message ?? "").toBe("ok");
    expect((paused.details.failover as { wins: number }).wins).toBe(1);
    const split = run(1, [{ at: 4 * S, kind: "primary-fault", what: "split", durationUs: 6 * S }]);
    expect(split.verdict, split.message ?? "").toBe("ok");
    expect((split.details.failover as { wins: number }).wins).toBe(1);
  });

  it("rejects a primary-fault it does not know, naming the field", () => {
    expect(run(1, [{ at: 4 * S, kind: "primary-fault", what: "melt" }]).message).toMatch(/unknown what "melt"/);
    expect(run(1, [{ at: 4 * S, kind: "primary-fault", what: "pause" }]).message).toMatch(/field "durationUs" must be a number/);
  });
});

describe("kernel support", () => {
  it("slow-node: messages to a slow node arrive that much later; other links and clearSlow unchanged", () => {
    const { w, node } = probeWorld(1, 3);
    w.net.setSlow(1, 50_000);
    expect(w.net.anySlow).toBe(true);
    node(0).env.send(1, { type: "m", n: 1 });
    node(0).env.send(2, { type: "m", n: 2 });
    w.runUntil(49_999);
    expect(node(1).got).toEqual([]);
    expect(node(2).got.length).toBe(1);
    w.runUntil(51_000);
    expect(node(1).got.length).toBe(1);
    w.net.clearSlow();
    expect(w.net.anySlow).toBe(false);
    node(0).env.send(1, { type: "m", n: 3 });
    w.runFor(1_001);
    expect(node(1).got.length).toBe(2);
  });

  it("clock drift up to 40% (F8), not beyond 50%", () => {
    const c = new LocalClock(0);
    c.setDrift(0, 400_000);
    expect(c.local(1_000_000)).toBe(1_400_000);
    c.setDrift(1_000_000, -400_000);
    expect(c.local(2_000_000)).toBe(2_000_000);
    expect(() => c.setDrift(2_000_000, 600_000)).toThrow(/out of range/);
  });
});

describe("checks added with the families", () => {
  // F3: the primary and one replica split from the rest for 2T.
  const f3: FaultAction[] = [{ at: 4 * S, kind: "primary-fault", what: "split", durationUs: 6 * S }];

  it("P-FO4 (minority side): no-minority-rule keeps acknowledging writes past B_D; the real node stops", () => {
    const bad = run(1, f3, ["no-minority-rule"]);
    expect(bad.verdict).toBe("violation");
    expect(bad.message).toMatch(/^P-FO4: node \d acknowledged a write sent \d+ms after it was cut off from a majority/);
    const good = run(1, f3);
    expect(good.verdict, good.message ?? "").toBe("ok");
    expect((good.details.failover as { minorityAcksChecked: number }).minorityAcksChecked).toBeGreaterThan(0);
  });

  it("P-FD1 (FAIL everywhere): a crashed voting primary is FAIL at every node within T + 2P + 4C + 2 RTT; without PFAIL gossip it never is", () => {
    const crash: FaultAction[] = [{ at: 5 * S, kind: "crash-leader", downUs: 30 * S }];
    const good = run(1, crash);
    expect(good.verdict, good.message ?? "").toBe("ok");
    expect((good.details.detector as { failChecked: number }).failChecked).toBe(1);
    // The flag is the node's (not in the catalogue: the default swarm does not reach it).
    const nopfail = runSystem(failover, { seed: 1, timeUs: 20 * S, faults: crash, bugs: ["gossip-no-pfail"], sutAsserts: false });
    expect(nopfail.verdict).toBe("violation");
    expect(nopfail.message).toMatch(/^P-FD1: node \d does not hold node \d FAIL/);
  });

  it("P-FD4: a report counts only from a primary that flagged the node; reports-ignore-flags FAILs on routine gossip", () => {
    // Replica 4 cut off for 4 s: the primaries flag it and FAIL it legitimately; with the bug a
    // node FAILs it on reports from primaries that only ever sent routine (clean) entries.
    const cut: FaultAction[] = [{ at: 4 * S, kind: "isolate", node: 4 }, { at: 8 * S, kind: "heal" }];
    const bad = run(1, cut, ["reports-ignore-flags"]);
    expect(bad.verdict).toBe("violation");
    expect(bad.message).toMatch(/^P-FD4: node \d marked node 4 FAIL with \d fresh voting-primary report/);
    expect(run(1, cut).verdict).toBe("ok");
  });

  it("deadlines on a monotonic clock: a primary's clock stepped back an hour stalls nothing; wall-clock-deadlines never converges", () => {
    // Primary 0 restarts (it refuses writes for 2 s after boot) and its clock steps back an
    // hour inside that delay: on the wall clock the delay ends an hour later.
    const f8: FaultAction[] = [
      { at: 3 * S, kind: "crash", node: 0 },
      { at: 3_500_000, kind: "restart", node: 0 },
      { at: 4 * S, kind: "clock-jump", node: 0, us: -HOUR },
    ];
    const good = run(1, f8);
    expect(good.verdict, good.message ?? "").toBe("ok");
    const bad = run(1, f8, ["wall-clock-deadlines"]);
    expect(bad.verdict).toBe("liveness");
    expect(bad.message).toMatch(/no convergence/);
  });

  it("the aimed families find their bugs: deaf-replica-failover -> no-chain-fold (P-FO3)", () => {
    const r = run(1, undefined, ["no-chain-fold"], { timeUs: 10 * S, families: ["deaf-replica-failover"] });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^P-FO3: node \d replicates node \d, which is a replica/);
    expect(run(1, undefined, [], { timeUs: 10 * S, families: ["deaf-replica-failover"] }).verdict).toBe("ok");
  });
});
