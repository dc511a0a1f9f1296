// The direct lease checks (src/sim/systems/raft-metadata/lease-check.ts): correct lease reads
// pass them; a node whose lease is broken on purpose — patched here, in this process only — is
// caught by the check that judges that part of the lease's reasoning.
import { afterEach, describe, expect, it } from "vitest";
import { ReadLease } from "../../../src/impl/raft/lease.js";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";

const S = 1_000_000;
const MS = 1_000;
const LEASE = { readMode: "lease" } as const;
const READ_HEAVY = { mix: { get: 60, put: 1, delete: 0, cas: 0 } };

/** As in lease.test.ts: node X's clock slow by `ppm`, the others fast, X cut off, healed. */
function driftEpisodes(ppm: number): FaultAction[] {
  const f: FaultAction[] = [];
  for (let k = 0; k < 12; k++) {
    const X = k % 5;
    const t = 1 * S + k * 1.5 * S;
    for (let i = 0; i < 5; i++) f.push({ at: t, kind: "clock-drift", node: i, ppm: i === X ? -ppm : ppm });
    f.push({ at: t + 100 * MS, kind: "partition-halves", side: [X] });
    f.push({ at: t + 1200 * MS, kind: "heal" });
  }
  return f;
}

type Patchable = Record<string, unknown>;
const proto = ReadLease.prototype as unknown as Patchable;
const saved = new Map<string, unknown>();
function patch(name: string, f: (orig: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown): void {
  const orig = proto[name] as (...a: unknown[]) => unknown;
  saved.set(name, orig);
  proto[name] = f(orig);
}
const raftProto = Raft.prototype as unknown as Patchable;
const savedStep = raftProto.step;
afterEach(() => {
  for (const [k, v] of saved) proto[k] = v;
  saved.clear();
  raftProto.step = savedStep;
});

describe("lease checks", () => {
  it("pass correct lease reads, faults or not", () => {
    for (const seed of [1, 2, 3]) {
      const r = runCluster({ seed, timeUs: 3 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
    // Drift at the bound, leaders cut off: a new leader is elected after the old lease ended.
    const r = runCluster({ seed: 1, timeUs: 8 * S, faults: driftEpisodes(1000), raft: { ...LEASE, electionMinUs: 1000 * MS, electionMaxUs: 1050 * MS, heartbeatUs: 333 * MS }, workload: READ_HEAVY });
    expect(r.verdict, r.message ?? "").toBe("ok");
  });

  it("lease-use: a leader that never takes its lease (reads would all need a ReadIndex round)", () => {
    patch("valid", () => () => false);
    const r = runCluster({ seed: 1, timeUs: 3 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-use at node \d+/);
  });

  it("lease-use does not expect a lease from a round begun in an earlier term (seed 2499)", () => {
    // Leader 0 of term 1, the only voter, began rounds 21 and 22 with no heartbeat (a quorum of
    // one); it added voter 3, lost CheckQuorum and won term 2 with 3's vote. Term 2's heartbeats
    // carry seq 22, which first reaches the wire then, and 3 acknowledges it: lease.ts counts a
    // round only in the term it was begun in, so no lease follows until a round of term 2 is
    // begun, and that is correct (check 4 used to expect one).
    const r = simulate({ seed: 2499, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict, r.message ?? "").toBe("ok");
  });

  it("lease-bound: a lease 2 ms longer than its round allows, though no second leader ever appears", () => {
    patch("confirmed", (orig) => function (this: Patchable, ...a: unknown[]) {
      orig.apply(this, a);
      if ((this.validUntil as number) > Number.NEGATIVE_INFINITY) this.validUntil = (this.validUntil as number) + 2 * MS;
    });
    const r = runCluster({ seed: 1, timeUs: 3 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-bound at node \d+/);
    // Without the direct checks the same run passes: nothing else sees it.
    const blind = runCluster({ seed: 1, timeUs: 3 * S, faults: [], raft: LEASE, workload: READ_HEAVY, leaseCheck: false });
    expect(blind.verdict).toBe("ok");
  });

  it("lease-bound: a lease from a round no quorum acknowledged", () => {
    // Every round confirmed the moment it is sent.
    patch("roundSent", (orig) => function (this: Patchable, ...a: unknown[]) {
      orig.apply(this, a);
      (this.confirmed as (t: unknown, s: unknown) => void)(a[0], a[1]);
    });
    const r = runCluster({ seed: 1, timeUs: 3 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-bound at node \d+/);
  });

  it("lease-promise: a leader whose followers' clocks run 10% fast holds its lease past their promise", () => {
    const r = runCluster({ seed: 1, timeUs: 20 * S, faults: driftEpisodes(100_000), raft: { ...LEASE, electionMinUs: 1000 * MS, electionMaxUs: 1050 * MS, heartbeatUs: 333 * MS }, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-promise at node \d+.*bound not to vote/);
  });

  it("lease-follower: a follower that takes a higher term from a stale response inside its lease", () => {
    // As if lease.ts's ignoresWhileFollowing answered false: the follower adopts the term of a
    // higher-term reply (to a message it sent as an earlier leader) with no leader.
    raftProto.step = function (this: Raft<unknown> & Patchable, from: number, m: { type: string; term: number }, now: number) {
      if (this.lease !== null && this.curRole === "follower" && m.term > this.curTerm && ["voteResp", "appResp", "hbResp", "snapResp"].includes(m.type) && this.recentlyHeardLeader(now)) {
        this.becomeFollower(m.term, -1, now);
        return;
      }
      (savedStep as (f: number, m: unknown, n: number) => void).call(this, from, m, now);
    };
    // Seed 5: the first of the default swarm (fast default) whose run shows it to this check.
    let r;
    try {
      r = simulate({ seed: 5, timeUs: 10 * S, sutAsserts: false }).result;
    } finally {
      raftProto.step = savedStep;
    }
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-follower at node \d+/);
    expect(simulate({ seed: 5, timeUs: 10 * S, sutAsserts: false }).result.verdict).toBe("ok");
  });

  it("lease-transfer: a leader that keeps its lease after a leadership transfer began", () => {
    patch("revoke", () => () => undefined);
    const r = simulate({ seed: 5, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-transfer at node \d+/);
  });

  it("lease-boot: a node that votes for a higher term right after it (re)started", () => {
    patch("bootBlackout", () => () => false);
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-boot at node \d+/);
  });
});
