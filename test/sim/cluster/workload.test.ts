// The workload of issue 12 in the full cluster: follower reads, lists checked against the keys
// they cover, sticky clients, and the swarm's per-seed workload draw.
import { describe, expect, it } from "vitest";
import type { MetaServer } from "../../../src/impl/metadata/server.js";
import { Rng } from "../../../src/sim/kernel/rng.js";
import { checkOperations } from "../../../src/check/linearizability.js";
import { metadataKvRanges } from "../../../src/sim/systems/raft-metadata/model-ranges.js";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import { swarmWorkload, WORKLOAD_PROFILES } from "../../../src/sim/systems/raft-metadata/swarm.js";
import { runSystem } from "../../../src/sim/runner/run.js";
import { raftMetadata } from "../../../src/sim/systems/raft-metadata/system.js";

const S = 1_000_000;
const MS = 1_000;
const profile = (name: string) => WORKLOAD_PROFILES.find((p) => p.name === name)!.workload;

describe("follower reads", () => {
  it("followers serve reads with the leader's read index; the history stays linearizable, lists included", () => {
    let served = 0;
    const o = { seed: 5, timeUs: 3 * S, faults: [], followerReads: true, workload: profile("read-heavy"), inspect: (w: { nodes: readonly unknown[] }) => { served = 0; for (const n of w.nodes) served += (n as MetaServer | null)?.followerReadsServed ?? 0; } };
    const r = runCluster(o);
    expect(r.verdict).toBe("ok");
    expect(served).toBeGreaterThan(50);
    const lists = r.operations.filter((op) => op.input.f === "list" && op.status === "ok");
    expect(lists.length).toBeGreaterThan(20);
    expect(lists.some((op) => op.output!.f === "list" && op.output!.items.length > 0)).toBe(true);
    expect(r.lin).toMatchObject({ verdict: "ok", partitions: 3 }); // "a", "b", and the lists with "d/1", "d/2"
    expect(checkOperations(metadataKvRanges(["d/"]), r.operations)).toMatchObject({ verdict: "ok", unchecked: 0 });
    expect(runCluster(o).traceHash).toBe(r.traceHash);
    const off = runCluster({ ...o, followerReads: false });
    expect(off.verdict).toBe("ok");
    expect(off.traceHash).not.toBe(r.traceHash);
  });

  it("under a leader cut from its peers, sticky clients and follower reads stay linearizable", () => {
    const faults = [
      { at: 1 * S, kind: "isolate-leader" as const },
      { at: 2 * S, kind: "heal" as const },
    ];
    for (const checkQuorum of [true, false]) {
      const r = runCluster({ seed: 7, timeUs: 4 * S, faults, followerReads: true, raft: { checkQuorum }, workload: { ...profile("ranges"), stickyUs: 1000 * MS } });
      expect(r.verdict).toBe("ok");
    }
  });

  it("a follower read forwarded while the local clock reads below zero is answered or expired", () => {
    // Swarm seeds 446, 532, 570 and every-fault 489: clock-offset faults put a server's local
    // clock below zero, and a follower read it forwarded then carried a negative forwardedAt —
    // which the server took for its own -1 marker, dropping the leader's answer and never
    // expiring the read (found by deposed-reads-failed). At the end of the run no follower read
    // forwarded at a negative local time may still wait. (A follower read is expired only on a
    // tick, so one whose answer was lost can wait past electionMin while heartbeats keep its
    // server's election timer from firing: swarm seed 532 ends with one — not judged here.)
    for (const [seed, everyFamily] of [[446, false], [532, false], [489, true]] as const) {
      let stuck = -1;
      const inspect = (w: { nodes: readonly unknown[]; localNow: (id: number) => number }) => {
        stuck = 0;
        w.nodes.forEach((n, id) => {
          const s = n as { reads: Map<number, { index: number; forwarded?: boolean; forwardedAt: number }> } | null;
          if (s === null) return;
          for (const r of s.reads.values()) {
            const follower = r.forwarded ?? (r.forwardedAt < 0 && r.forwardedAt !== -1);
            if (follower && r.index < 0 && r.forwardedAt < 0) stuck++;
          }
        });
      };
      const r = runSystem(raftMetadata, { seed, timeUs: 10 * S, sutAsserts: false, everyFamily, inspect: inspect as never });
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      expect(stuck, `seed ${seed}`).toBe(0);
    }
  });

  it("the stale-local-read bug shows through follower reads too", () => {
    // A deposed leader answers read-index requests from its own commit index.
    let found = false;
    for (let seed = 1; seed <= 30 && !found; seed++) {
      const r = runCluster({ seed, timeUs: 4 * S, bugs: ["stale-local-read"], followerReads: true, raft: { checkQuorum: false }, workload: { ...profile("read-heavy"), stickyUs: 1000 * MS }, faults: [{ at: 1 * S, kind: "partition-halves", side: [0, 1] }, { at: 3 * S, kind: "heal" }] });
      found = r.verdict === "violation";
    }
    expect(found).toBe(true);
  });
});

describe("the swarm's workload draw", () => {
  it("draws every profile, follower reads, sticky clients and CheckQuorum off in a real share of seeds", () => {
    const counts = new Map<string, number>();
    let fr = 0;
    let sticky = 0;
    let cqOff = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const d = swarmWorkload(Rng.root(seed).fork("workload-mix"));
      counts.set(d.profile, (counts.get(d.profile) ?? 0) + 1);
      if (d.followerReads) fr++;
      if ((d.workload.stickyUs ?? 0) > 0) sticky++;
      if (d.checkQuorumOff) cqOff++;
    }
    for (const p of WORKLOAD_PROFILES) expect(counts.get(p.name) ?? 0).toBeGreaterThan(40);
    for (const n of [fr, sticky, cqOff]) expect(n).toBeGreaterThan(80);
    let anywhere = 0;
    for (let seed = 1; seed <= 400; seed++) if (swarmWorkload(Rng.root(seed).fork("workload-mix")).workload.readsAnywhere === true) anywhere++;
    expect(anywhere).toBeGreaterThan(80);
  });

  it("the read-heavy profile reads at least 80% of the time", () => {
    const m = profile("read-heavy").mix!;
    const reads = m.get + (m.exists ?? 0) + (m.list ?? 0);
    expect(reads / (reads + m.put + m.delete + m.cas)).toBeGreaterThanOrEqual(0.8);
  });
});

describe("the new options in scenario files", () => {
  it("followerReads, listPrefix and sticky round-trip through a scenario file (shrink writes them)", async () => {
    const { scenarioYaml } = await import("../../../src/api/shrunk-scenario.js");
    const { parseScenarioText, scenarioBlock } = await import("../../../src/api/scenarios.js");
    const { getSystem } = await import("../../../src/sim/systems/index.js");
    const sys = getSystem("raft-metadata");
    const options = { raft: { checkQuorum: false }, followerReads: true, workload: { ...profile("ranges"), stickyUs: 300 * MS } };
    const text = scenarioYaml(sys, { seed: 1, timeUs: 2 * S, faults: [], options }, { name: "w", description: "", expect: "ok" });
    expect(text).toMatch(/followerReads: true/);
    expect(text).toMatch(/listPrefix: d\//);
    expect(text).toMatch(/sticky: 300ms/);
    const sc = parseScenarioText(text, "w.yaml");
    expect(scenarioBlock(sc).options(sc)).toMatchObject(options);
  });
});

describe("asynchronous apply", () => {
  it("writes are answered only once the store applied them, applyDelayUs after commit; runs stay linearizable under faults", () => {
    const delay = 40 * MS;
    const sync = runCluster({ seed: 4, timeUs: 3 * S, faults: [] });
    const r = runCluster({ seed: 4, timeUs: 3 * S, faults: [], applyDelayUs: delay });
    expect(r.verdict).toBe("ok");
    const latency = (rr: typeof r, f: string) => rr.operations.filter((o) => o.status === "ok" && o.input.f === f).map((o) => o.ret - o.call);
    expect(Math.min(...latency(r, "put"))).toBeGreaterThanOrEqual(delay);
    expect(Math.min(...latency(sync, "put"))).toBeLessThan(delay / 4);
    expect(runCluster({ seed: 4, timeUs: 3 * S, faults: [], applyDelayUs: delay }).traceHash).toBe(r.traceHash);
    // A read waits for apply too: reads right after a write see it (the run is linearizable), and
    // some reads take at least the delay (their read index was not applied yet).
    expect(Math.max(...latency(r, "get"))).toBeGreaterThanOrEqual(delay / 2);
  });

  it("a server Raft no longer wakes (removed from the configuration) does not tick in a loop (seed 10 of the swarm did)", () => {
    const faults = [{ at: 1 * S, kind: "member-remove" as const, node: 0, readdUs: 0 }, { at: 1 * S, kind: "member-remove" as const, node: 4, readdUs: 0 }];
    for (const applyDelayUs of [undefined, 10 * MS]) {
      const r = runCluster({ seed: 3, timeUs: 4 * S, faults, applyDelayUs });
      expect(r.verdict, r.message ?? "").toBe("ok");
      expect(r.members?.voters.length).toBeLessThan(5);
    }
  });

  it("is linearizable with crashes, snapshots, follower reads and lists; zero delay is still a step of its own", () => {
    for (const applyDelayUs of [0, 2 * MS, 50 * MS]) {
      for (let seed = 1; seed <= 6; seed++) {
        const r = runCluster({ seed, timeUs: 6 * S, applyDelayUs, followerReads: seed % 2 === 0, raft: { snapshotEvery: 16, snapshotChunk: 1 }, workload: profile(seed % 3 === 0 ? "ranges" : "balanced"), families: ["crash", "partition", "timed", "clock", "pause"] });
        expect(r.verdict, `seed ${seed} delay ${applyDelayUs}: ${r.message}`).toBe("ok");
      }
    }
  });
});

describe("session expiry", () => {
  it("clients whose sessions expire open new ones; the history stays linearizable", () => {
    let expired = 0;
    let reopened = 0;
    let sawAny = false;
    for (let seed = 1; seed <= 4; seed++) {
      const r = runCluster({
        seed, timeUs: 6 * S, sessionTtl: 20, workload: { stickyUs: 1000 * MS }, families: ["partition", "crash", "timed"],
        inspect: (w: { nodes: readonly unknown[] }) => {
          for (const n of w.nodes) {
            const m = n as MetaServer | null;
            if (m === null) continue;
            for (const e of m.store.snapshot().sessions) {
              sawAny = true;
              if (e.expired === true) expired++;
              if ((e.start ?? 1) > 1) reopened++;
            }
          }
        },
      });
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
    expect(sawAny).toBe(true);
    expect(expired + reopened).toBeGreaterThan(0);
  });
});
