// The failover system's lease design (`--detector lease`): a calm run, a crash failed over
// within its bound, the planted bugs found by the harness's checks (with the system's own
// assertions off) and clean without them, checks that must fail, and the lease-only family.
import { describe, expect, it } from "vitest";
import { runSystem, type RunResult } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/api/systems.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";
import { LEASE_ONLY } from "../../../src/sim/systems/failover/lease-families.js";

const S = 1_000_000;
const failover = getSystem("failover");

interface Fo { p50Ms: number | null; maxMs: number | null; failovers: number; checked: number; boundMs: number; lostAckedWrites: number | null; ackedWrites: number | null; serves: number }
interface Fd { falseFails: number; checked: { crashes: number }; boundMs: number; tdP50Ms: number | null }

function run(seed: number, faults: readonly FaultAction[] | undefined, options: object = {}, timeUs = 20 * S, bugs: string[] = []): RunResult & { fo: Fo; fd: Fd } {
  const r = runSystem(failover, { seed, timeUs, sutAsserts: false, ...(faults !== undefined ? { faults } : {}), options: { detector: "lease", ...options }, bugs });
  return Object.assign(r, { fo: r.details.failover as Fo, fd: r.details.detector as Fd });
}

const CRASH: FaultAction[] = [{ at: 5 * S, kind: "crash-leader", downUs: 8 * S }];
/** #18a: the holder (node 0) hears late that its renewal committed, then is cut off. */
const LATE_NEWS: FaultAction[] = [
  { at: 3 * S, kind: "clog", from: 1, to: 0, durationUs: 2 * S },
  { at: 3 * S, kind: "clog", from: 2, to: 0, durationUs: 2 * S },
  { at: 3.4 * S, kind: "cut-one-way", from: 0, to: 1 },
  { at: 3.4 * S, kind: "cut-one-way", from: 0, to: 2 },
  { at: 5.02 * S, kind: "isolate", node: 0 },
  { at: 7 * S, kind: "heal" },
];
/** #18b: the holder's heartbeats to node 1 are dropped; node 2 (the shard log's leader on
 * this seed) still applies its renewals. */
const STARVED: FaultAction[] = [{ at: 3 * S, kind: "cut-one-way", from: 0, to: 1 }, { at: 6.4 * S, kind: "heal" }];
/** #5: the holder's clock steps back an hour, then it is isolated. */
const STEP_BACK: FaultAction[] = [{ at: 3 * S, kind: "clock-jump", node: 0, us: -3_600 * S }, { at: 3.2 * S, kind: "isolate", node: 0 }, { at: 12 * S, kind: "heal" }];

describe("failover --detector lease", () => {
  it("is a detector of the failover system; a lease bug alone runs the lease design, with another detector it is an error", () => {
    expect(failover.detectors).toContain("lease");
    expect(failover.families.map((f) => f.name)).toContain("lease-stress");
    const r = runSystem(failover, { seed: 1, timeUs: 5 * S, faults: [], bugs: ["no-post-ack-wait"] });
    expect((r.details.detector as { name: string }).name).toBe("lease");
    expect(() => runSystem(failover, { seed: 1, timeUs: 5 * S, faults: [], bugs: ["no-post-ack-wait"], options: { detector: "gossip" } })).toThrow(/lease-design bug; it needs --detector lease/);
  });

  it("a calm run: one primary per shard, writes acknowledged, no violation, no FAIL, same seed same trace", () => {
    const r = run(3, []);
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect(r.fd.falseFails).toBe(0);
    expect(r.fo.failovers).toBe(0);
    expect(r.fo.ackedWrites).toBeGreaterThan(50);
    expect(r.fo.lostAckedWrites).toBe(0);
    expect(run(3, []).traceHash).toBe(r.traceHash);
  });

  it("a crashed holder is FAILed within B_D and replaced within B_F (P-FD1 and P-FO6 checked)", () => {
    for (const seed of [1, 2, 3]) {
      const r = run(seed, CRASH);
      expect(r.verdict, r.message ?? "").toBe("ok");
      expect(r.fo.checked).toBe(1);
      expect(r.fd.checked.crashes).toBe(1);
      expect(r.fo.p50Ms!).toBeLessThanOrEqual(r.fo.boundMs);
      expect(r.fo.p50Ms!).toBeGreaterThan(1_500); // a lease design pays about 2L per failover
      expect(r.fd.tdP50Ms!).toBeLessThanOrEqual(r.fd.boundMs);
      expect(r.fo.lostAckedWrites).toBe(0);
    }
  });

  it("replay --at shows a lease node's fields", () => {
    const r = runSystem(failover, { seed: 1, timeUs: 6 * S, faults: [], options: { detector: "lease" }, snapshotsAt: [4 * S] });
    const nodes = r.snapshots![0].nodes;
    const n0 = nodes.find((n) => n.node === 0)!.fields;
    expect(n0).toMatchObject({ shard: 0, role: "primary", holder: 0 });
    expect(nodes.find((n) => n.node === 1)!.fields).toMatchObject({ role: "replica", holder: 0, synced: true });
  });

  const cases: [string, FaultAction[]][] = [["lease-from-receive", LATE_NEWS], ["no-post-ack-wait", STARVED], ["lease-wall-clock", STEP_BACK]];
  for (const [bug, sched] of cases) {
    it(`${bug}: its schedule breaks P-L1 with the bug and passes without it`, () => {
      const bad = run(1, sched, {}, 20 * S, [bug]);
      expect(bad.verdict).toBe("violation");
      expect(bad.message).toMatch(/^P-L1: nodes \d and \d both hold a lease on shard 0/);
      const good = run(1, sched);
      expect(good.verdict, good.message ?? "").toBe("ok");
    });
  }

  for (const b of failover.bugs.filter((x) => ["lease-from-receive", "no-post-ack-wait", "lease-wall-clock"].includes(x.name))) {
    it(`${b.name}: the swarm's seed ${b.detectingSeed} finds it with the assertions off, and passes without it`, () => {
      const bad = runSystem(failover, { seed: b.detectingSeed!, timeUs: 10 * S, bugs: [b.name], sutAsserts: false });
      expect(bad.verdict).toBe("violation");
      expect(bad.families).toContain("lease-stress");
      const good = runSystem(failover, { seed: b.detectingSeed!, timeUs: 10 * S, sutAsserts: false, options: { detector: "lease" } });
      expect(good.verdict, good.message ?? "").toBe("ok");
    });
  }

  it("checks that must fail: a guard and FAIL timer shorter than the lease break P-L1; detection and failover bounds below the design's break P-FD1 and P-FO6", () => {
    // The holder is cut off; the others FAIL it and stop refusing after L/2, inside its lease.
    const short = run(1, [{ at: 3 * S, kind: "isolate-leader" }, { at: 8 * S, kind: "heal" }], { lease: { failAfterMult: 0.5, refuseMult: 0.5 } });
    expect(short.verdict).toBe("violation");
    expect(short.message).toMatch(/^P-L1/);
    const tight = run(1, CRASH, { checkLease: { leaseUs: 400_000 } });
    expect(tight.verdict).toBe("violation");
    // B_D (2L + election) goes first: the FAIL is due before the new holder is.
    expect(tight.message).toMatch(/^P-FD1: node \d neither FAILed crashed holder \d nor applied a new holder within 1800ms/);
    // Candidates that wait up to 6 s before asking for grants, judged by the default design's
    // bound: detection is on time, the failover is not (on some seeds).
    const slow = [1, 2, 3, 4, 5].map((seed) => run(seed, CRASH, { lease: { candidateJitterUs: 6 * S }, checkLease: { candidateJitterUs: 200_000 } }));
    for (const r of slow) if (r.verdict !== "ok") expect(r.message).toMatch(/^P-FO6: holder \d of shard \d crashed at [\d.]+ms and no new holder within 3550ms/);
    expect(slow.filter((r) => r.verdict === "violation").length).toBeGreaterThan(0);
  });

  it("the lease-stress family's actions run only in lease runs", () => {
    const seed = 7;
    const lease = runSystem(failover, { seed, timeUs: 10 * S, options: { detector: "lease" } });
    const gossip = runSystem(failover, { seed, timeUs: 10 * S });
    expect(lease.families).toContain("lease-stress");
    expect(gossip.faults.some((a) => a.kind === LEASE_ONLY)).toBe(false);
    expect(lease.faults.some((a) => a.kind === LEASE_ONLY)).toBe(false);
    expect(lease.faults.length).toBeGreaterThan(gossip.faults.length);
  });
});
