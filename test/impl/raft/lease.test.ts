// Lease arithmetic and bookkeeping (src/impl/raft/lease.ts), without the simulator.
import { describe, expect, it } from "vitest";
import type { RaftOptions } from "../../../src/impl/raft/api.js";
import { DEFAULT_MAX_DRIFT_PPM, ignoresWhileFollowing, leaseDurationUs, leaseMarginUs, ReadLease, withReadMode } from "../../../src/impl/raft/lease.js";

const base: RaftOptions = {
  voters: [0, 1, 2],
  electionMinUs: 150_000,
  electionMaxUs: 300_000,
  heartbeatUs: 50_000,
  preVote: true,
  checkQuorum: true,
  maxInflight: 8,
  maxBatch: 64,
  bugs: new Set(),
  readMode: "lease",
};

describe("lease duration", () => {
  it("is electionMin·(1−ρ)/(1+ρ) minus the margin", () => {
    expect(leaseMarginUs(150_000)).toBe(1_500);
    expect(leaseDurationUs(150_000, 0)).toBe(150_000 - 1_500);
    expect(leaseDurationUs(150_000, 1000)).toBe(Math.floor((150_000 * 0.999) / 1.001) - 1_500); // 148_200
    expect(leaseDurationUs(150_000)).toBe(leaseDurationUs(150_000, DEFAULT_MAX_DRIFT_PPM));
    expect(leaseDurationUs(10_000, 500_000)).toBe(Math.floor(10_000 / 3) - 1_000);
    expect(leaseDurationUs(1_000, 900_000)).toBe(0); // never negative
    expect(() => leaseDurationUs(150_000, -1)).toThrow();
  });

  it("holds the safety inequality for every drift within the bound", () => {
    // Worst case: the leader's clock slow by ρ, a follower's fast by ρ. The leader's lease in
    // real time must end before the follower's promise (electionMin on its clock) does.
    for (const ppm of [0, 100, 500, 1000, 5000, 50_000]) {
      const rho = ppm / 1e6;
      for (const emin of [12_000, 150_000, 1_000_000]) {
        const leaseReal = leaseDurationUs(emin, ppm) / (1 - rho);
        const promiseReal = emin / (1 + rho);
        expect(leaseReal).toBeLessThan(promiseReal);
      }
    }
  });
});

describe("ReadLease", () => {
  it("needs checkQuorum, and withReadMode turns it on", () => {
    expect(() => new ReadLease({ ...base, checkQuorum: false }, 0)).toThrow(/checkQuorum/);
    expect(withReadMode({ ...base, checkQuorum: false }).checkQuorum).toBe(true);
    expect(withReadMode({ ...base, readMode: "read-index", checkQuorum: false }).checkQuorum).toBe(false);
    expect(ReadLease.create({ ...base, readMode: "read-index" }, 0)).toBeNull();
    expect(ReadLease.create({ ...base, readMode: undefined }, 0)).toBeNull();
  });

  it("starts at the send time of the latest round a quorum acknowledged", () => {
    const l = new ReadLease(base, 0);
    const d = l.durationUs;
    expect(l.valid(1, 1_000)).toBe(false);
    l.roundSent(1, 5, 1_000);
    l.roundSent(1, 5, 9_000); // a resend of seq 5: the earliest send counts
    l.roundSent(1, 6, 20_000);
    expect(l.valid(1, 20_000)).toBe(false); // nothing acknowledged yet
    l.confirmed(1, 5);
    expect(l.valid(1, 1_000 + d - 1)).toBe(true);
    expect(l.valid(1, 1_000 + d)).toBe(false);
    l.confirmed(1, 7); // covers seq 6
    expect(l.valid(1, 20_000 + d - 1)).toBe(true);
    expect(l.valid(1, 20_000 + d)).toBe(false);
    expect(l.valid(2, 21_000)).toBe(false); // another term
  });

  it("is per term, and revoked for the rest of a term by a leadership transfer", () => {
    const l = new ReadLease(base, 0);
    l.roundSent(3, 1, 0);
    l.confirmed(3, 1);
    expect(l.valid(3, 10)).toBe(true);
    l.roundSent(4, 2, 100); // a new term forgets the old lease
    expect(l.valid(3, 110)).toBe(false);
    expect(l.valid(4, 110)).toBe(false);
    l.confirmed(3, 2); // an ack counted in a stale term does nothing
    expect(l.valid(4, 110)).toBe(false);
    l.confirmed(4, 2);
    expect(l.valid(4, 110)).toBe(true);
    l.revoke(4);
    l.roundSent(4, 3, 200);
    l.confirmed(4, 3);
    expect(l.valid(4, 210)).toBe(false);
  });

  it("asks for renewal past half the lease, at most once per tenth", () => {
    const l = new ReadLease(base, 0);
    const d = l.durationUs;
    l.roundSent(1, 1, 0);
    l.confirmed(1, 1);
    expect(l.wantsRenewal(d / 4)).toBe(false);
    expect(l.wantsRenewal(d / 2 + 1)).toBe(true);
    l.roundSent(1, 2, d / 2 + 1);
    expect(l.wantsRenewal(d / 2 + 2)).toBe(false);
  });

  it("keeps a restarted node from voting for electionMin after boot", () => {
    const l = new ReadLease(base, 1_000_000);
    expect(l.bootBlackout(1_000_000)).toBe(true);
    expect(l.bootBlackout(1_149_999)).toBe(true);
    expect(l.bootBlackout(1_150_000)).toBe(false);
  });

  it("lists the responses a follower in its lease window ignores", () => {
    for (const t of ["voteResp", "appResp", "hbResp", "snapResp"]) expect(ignoresWhileFollowing(t)).toBe(true);
    for (const t of ["vote", "app", "hb", "snap", "timeoutNow"]) expect(ignoresWhileFollowing(t)).toBe(false);
  });
});
