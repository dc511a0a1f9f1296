// Deposed leaders and leader churn (faults.ts): a leader cut from its peers but not from its
// clients, and bursts of leadership transfers within one election timeout.
import { describe, expect, it } from "vitest";
import { RoleCode } from "../../../src/impl/raft/api.js";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import { WORKLOAD_PROFILES } from "../../../src/sim/systems/raft-metadata/swarm.js";
import type { RaftFault } from "../../../src/sim/systems/raft-metadata/faults.js";

const S = 1_000_000;
const MS = 1_000;
const readHeavy = WORKLOAD_PROFILES.find((p) => p.name === "read-heavy")!.workload;

/** Times (µs) at which some node became leader, after `from`. */
function elections(r: ReturnType<typeof runCluster>, from: number): number[] {
  const out: number[] = [];
  for (const rec of r.trace.records()) if (rec.note === "role" && rec.c === RoleCode.leader && rec.t >= from) out.push(rec.t);
  return out;
}

describe("depose-leader", () => {
  const faults: RaftFault[] = [1, 3, 5].map((s) => ({ at: s * S, kind: "depose-leader", durationUs: 1500 * MS }));

  it("cuts the leader from its peers only: its clients still reach it, a new leader is elected, the run is linearizable", () => {
    for (const checkQuorum of [true, false]) {
      const r = runCluster({ seed: 3, timeUs: 8 * S, faults, raft: { checkQuorum }, workload: { ...readHeavy, stickyUs: 1000 * MS }, keepTrace: true });
      expect(r.verdict).toBe("ok");
      expect(elections(r, 1 * S).length).toBeGreaterThanOrEqual(3);
    }
  });

  it("with CheckQuorum off, sticky clients and reads sent to any server, the stale-local-read bug shows", () => {
    let found = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = runCluster({ seed, timeUs: 8 * S, faults, bugs: ["stale-local-read"], raft: { checkQuorum: false }, followerReads: true, workload: { ...readHeavy, stickyUs: 1000 * MS } });
      if (r.verdict === "violation") found++;
    }
    expect(found).toBeGreaterThanOrEqual(5);
  });
});

describe("leader-churn-on", () => {
  it("makes several leaders within one election timeout; the run stays linearizable", () => {
    const r = runCluster({ seed: 2, timeUs: 4 * S, faults: [{ at: 1 * S, kind: "leader-churn-on", event: "elected", times: 5 } satisfies RaftFault], keepTrace: true });
    expect(r.verdict).toBe("ok");
    const e = elections(r, 1 * S);
    expect(e.length).toBeGreaterThanOrEqual(4);
    expect(e[3]! - e[0]!).toBeLessThan(r.raft.electionMinUs); // four leaders within one timeout
  });

  it("is a no-op without a leader to transfer from, and deterministic", () => {
    const f = [{ at: 0, kind: "transfer-leader" } satisfies RaftFault, { at: 1 * S, kind: "leader-churn-on", event: "first-commit", times: 3 } satisfies RaftFault];
    const a = runCluster({ seed: 9, timeUs: 3 * S, faults: f });
    const b = runCluster({ seed: 9, timeUs: 3 * S, faults: f });
    expect(a.verdict).toBe("ok");
    expect(a.traceHash).toBe(b.traceHash);
  });
});
