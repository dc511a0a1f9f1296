// read-round-due and deposed-reads-failed (src/sim/systems/raft-metadata/read-latency-check.ts):
// a pending read's heartbeat round goes out within 2 × heartbeatUs (a leader that is its own
// quorum, once the read's index is known, or a read answered without a round, releases it within
// that bound), and a leader that stops leading fails every read it holds. On views built here
// (each rule must fail and must pass), on correct runs, and on broken leaders (patched here, in
// this process only).
import { describe, expect, it } from "vitest";
import { RoleCode } from "../../../src/impl/raft/api.js";
import { Raft } from "../../../src/impl/raft/raft.js";
import { MetaServer } from "../../../src/impl/metadata/server.js";
import { simulate } from "../../../src/api/simulate.js";
import { ReadLatencyCheck } from "../../../src/sim/systems/raft-metadata/read-latency-check.js";
import { NodeStatus, TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const HB = 50_000;
const patchRaft = prototypePatcher(Raft.prototype);
const patchServer = prototypePatcher(MetaServer.prototype);

type Read = { seq: number; index: number };
/** Node 0 in `role` of term 2, voters as given, its read queue, lease reads and server's waiting
 * reads; its commit index and its term's first index (default: an entry of its term committed). */
function world(now: number, o: { reads?: Read[]; readyNow?: unknown[]; role?: string; voters?: number[]; waiting?: number; commit?: number; termStart?: number; paused?: boolean }): AnyWorld {
  const voters = o.voters ?? [0, 1, 2];
  const commit = o.commit ?? 5;
  const raft = { role: () => o.role ?? "leader", term: () => 2, voters: () => voters, cfg: { quorum: Math.floor(voters.length / 2) + 1 }, reads: o.reads ?? [], readHead: 0, readyNow: o.readyNow ?? [], commitIndex: () => commit, termStart: o.termStart ?? 5 };
  const status = Uint8Array.of(o.paused === true ? NodeStatus.paused : NodeStatus.up, NodeStatus.down, NodeStatus.down);
  return { now, status, nodes: [{ raft, readsAwaitingRaft: () => o.waiting ?? 0 }, null, null] } as unknown as AnyWorld;
}
const hb = (seq: number) => ({ term: 2, seq });

describe("read latency at a leader", () => {
  it("read-round-due: the oldest pending read's round must go out within 2 heartbeat intervals", () => {
    const c = new ReadLatencyCheck(3, HB);
    c.roleNoted(0, RoleCode.leader);
    const reads = [{ seq: 4, index: 5 }];
    c.sentHeartbeat(0, hb(3)); // a round before the read's
    expect(c.afterEvent(world(1_000, { reads }), 0)).toBeNull(); // first seen
    expect(c.afterEvent(world(1_000 + 2 * HB, { reads }), 0)).toBeNull(); // at the bound
    // A leader is looked at no more than once per quarter of the bound (25 ms here).
    expect(c.afterEvent(world(1_001 + 2 * HB, { reads }), 0)).toBeNull();
    expect(c.afterEvent(world(1_000 + 2 * HB + HB / 2, { reads }), 0)).toBe("read-round-due at node 0, t=126.000ms, term 2: its oldest pending read (round 4) has waited 125.000ms (bound 100.000ms) and no heartbeat of that round went out (highest sent: 3)");
    // The round went out: the read may wait for its answers (read-served judges those).
    c.sentHeartbeat(0, hb(4));
    expect(c.afterEvent(world(1_000 + 10 * HB, { reads }), 0)).toBeNull();
    // A round of an older term covers nothing.
    const d = new ReadLatencyCheck(3, HB);
    d.roleNoted(0, RoleCode.leader);
    d.sentHeartbeat(0, { term: 1, seq: 9 });
    expect(d.afterEvent(world(0, { reads }), 0)).toBeNull();
    expect(d.afterEvent(world(3 * HB, { reads }), 0)).toMatch(/^read-round-due at node 0, .*\(highest sent: none this term\)$/);
  });

  it("read-round-due: a new oldest read, a fault, or a follower restart the clock", () => {
    const c = new ReadLatencyCheck(3, HB);
    c.roleNoted(0, RoleCode.leader);
    expect(c.afterEvent(world(0, { reads: [{ seq: 4, index: 5 }] }), 0)).toBeNull();
    // Another read object is the oldest now (the first was released): its own clock.
    expect(c.afterEvent(world(3 * HB, { reads: [{ seq: 5, index: 5 }] }), 0)).toBeNull();
    const reads = [{ seq: 6, index: 5 }];
    expect(c.afterEvent(world(3 * HB, { reads }), 0)).toBeNull();
    expect(c.afterEvent(world(4 * HB, { reads }), TOUCHED_ALL)).toBeNull(); // a fault
    expect(c.afterEvent(world(5 * HB, { reads }), 0)).toBeNull();
    expect(c.afterEvent(world(6 * HB, { reads }), 0)).toBeNull();
    expect(c.afterEvent(world(7 * HB + 1, { reads }), 0)).toMatch(/^read-round-due at node 0/);
    // A node that does not lead is not judged.
    const f = new ReadLatencyCheck(3, HB);
    expect(f.afterEvent(world(0, { reads }), 0)).toBeNull();
    expect(f.afterEvent(world(9 * HB, { reads }), 0)).toBeNull();
  });

  it("read-round-due: a leader that is its own quorum must release, and lease reads too", () => {
    const c = new ReadLatencyCheck(3, HB);
    c.roleNoted(0, RoleCode.leader);
    const reads = [{ seq: 1, index: 5 }];
    c.sentHeartbeat(0, hb(1)); // a heartbeat round is no excuse for a voter alone
    expect(c.afterEvent(world(0, { reads, voters: [0] }), 0)).toBeNull();
    expect(c.afterEvent(world(3 * HB, { reads, voters: [0] }), 0)).toMatch(/^read-round-due at node 0, .* unreleased, though the leader is its own quorum$/);
    const d = new ReadLatencyCheck(3, HB);
    d.roleNoted(0, RoleCode.leader);
    const ready = [{ ctx: 1, index: 5, seq: 0 }];
    expect(d.afterEvent(world(0, { readyNow: ready }), 0)).toBeNull();
    expect(d.afterEvent(world(2 * HB, { readyNow: ready }), 0)).toBeNull();
    // Released (a new array) and another one pending: its own clock.
    expect(d.afterEvent(world(3 * HB, { readyNow: [{ ctx: 2, index: 6, seq: 0 }] }), 0)).toBeNull();
    expect(d.afterEvent(world(3 * HB + HB / 2, { readyNow: ready }), 0)).toBeNull();
    expect(d.afterEvent(world(5 * HB + HB / 2 + 1, { readyNow: ready }), 0)).toBe("read-round-due at node 0, t=275.001ms, term 2: 1 read(s) answered without a round (lease) not released for 100.001ms (bound 100.000ms)");
  });

  it("read-round-due: a voter alone owes the release only once the read index is known", () => {
    // Every-fault seeds 5201 and 6450: a voter alone, its disk stalled, holds reads registered
    // before its no-op (index -1) for as long as the stall lasts — the commit of its term is its
    // own fsync. Not late: the read is timed from the first look at which its index is known.
    const c = new ReadLatencyCheck(3, HB);
    c.roleNoted(0, RoleCode.leader);
    const reads = [{ seq: 1, index: -1 }];
    const alone = { reads, voters: [0], commit: 4, termStart: 5 };
    expect(c.afterEvent(world(0, alone), 0)).toBeNull();
    expect(c.afterEvent(world(3 * HB, alone), 0)).toBeNull();
    expect(c.afterEvent(world(9 * HB, alone), 0)).toBeNull();
    // The no-op committed (commit = termStart) and the read is still held: due from this look.
    const known = { reads, voters: [0], commit: 5, termStart: 5 };
    expect(c.afterEvent(world(10 * HB, known), 0)).toBeNull();
    expect(c.afterEvent(world(12 * HB, known), 0)).toBeNull(); // at the bound
    expect(c.afterEvent(world(12 * HB + HB / 2, known), 0)).toBe("read-round-due at node 0, t=625.000ms, term 2: its oldest pending read (round 1) has waited 125.000ms (bound 100.000ms) unreleased, though the leader is its own quorum");
    // A read that had its index at registration is owed within the bound, whatever the commit index.
    const d = new ReadLatencyCheck(3, HB);
    d.roleNoted(0, RoleCode.leader);
    const had = { reads: [{ seq: 1, index: 3 }], voters: [0], commit: 4, termStart: 5 };
    expect(d.afterEvent(world(0, had), 0)).toBeNull();
    expect(d.afterEvent(world(3 * HB, had), 0)).toMatch(/^read-round-due at node 0, .* unreleased, though the leader is its own quorum$/);
    // With followers the round is owed all the same: an unknown index is no excuse for it.
    const e = new ReadLatencyCheck(3, HB);
    e.roleNoted(0, RoleCode.leader);
    const three = { reads, commit: 4, termStart: 5 };
    expect(e.afterEvent(world(0, three), 0)).toBeNull();
    expect(e.afterEvent(world(3 * HB, three), 0)).toMatch(/^read-round-due at node 0, .*\(highest sent: none this term\)$/);
  });

  it("passes every-fault seeds 5201 and 6450 at 10 s: a voter alone holds reads while its disk stall holds its no-op (read-round-due's false alarm)", () => {
    // Found by the every-fault sweep 5001..10000 with assertions off; both failed with them on too.
    for (const seed of [5201, 6450]) {
      for (const sutAsserts of [true, false]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts, everyFamily: true }).result;
        expect(r.verdict, `seed ${seed}, asserts ${sutAsserts ? "on" : "off"}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("read-round-due: a paused leader owes nothing until it resumes", () => {
    // Seed 47817: node 0 paused with a read its next heartbeat tick would have sent a round
    // for; a deferred delivery or tick touched it while paused, and the pause was timed.
    const c = new ReadLatencyCheck(3, HB);
    c.roleNoted(0, RoleCode.leader);
    const reads = [{ seq: 57, index: 5 }];
    c.sentHeartbeat(0, hb(56));
    expect(c.afterEvent(world(0, { reads, paused: true }), 0)).toBeNull();
    expect(c.afterEvent(world(3 * HB, { reads, paused: true }), 0)).toBeNull();
    expect(c.afterEvent(world(9 * HB, { reads, paused: true, readyNow: [{}] }), 0)).toBeNull();
    // Resumed (a fault event) and up: timed from its first look, and due within the bound.
    expect(c.afterEvent(world(10 * HB, { reads }), TOUCHED_ALL)).toBeNull();
    expect(c.afterEvent(world(10 * HB, { reads }), 0)).toBeNull();
    expect(c.afterEvent(world(12 * HB, { reads }), 0)).toBeNull(); // at the bound
    expect(c.afterEvent(world(12 * HB + HB / 2, { reads }), 0)).toBe("read-round-due at node 0, t=625.000ms, term 2: its oldest pending read (round 57) has waited 125.000ms (bound 100.000ms) and no heartbeat of that round went out (highest sent: 56)");
    // A pause also restarts a clock that ran before it, even without a fault event in between.
    const d = new ReadLatencyCheck(3, HB);
    d.roleNoted(0, RoleCode.leader);
    expect(d.afterEvent(world(0, { reads }), 0)).toBeNull();
    expect(d.afterEvent(world(HB, { reads, paused: true }), 0)).toBeNull();
    expect(d.afterEvent(world(2 * HB, { reads }), 0)).toBeNull();
    expect(d.afterEvent(world(4 * HB, { reads }), 0)).toBeNull();
    expect(d.afterEvent(world(4 * HB + HB / 2, { reads }), 0)).toMatch(/^read-round-due at node 0, .*has waited 125.000ms/);
  });

  it("passes seed 47817 at 10 s with assertions on and off (a leader paused with a read waiting for its next round: read-round-due's false alarm)", () => {
    // Found by the sweep 20001..50000 with assertions off; it failed with them on too.
    for (const sutAsserts of [true, false]) {
      const r = simulate({ seed: 47817, timeUs: 10 * S, sutAsserts }).result;
      expect(r.verdict, `asserts ${sutAsserts ? "on" : "off"}: ${r.message}`).toBe("ok");
    }
  });

  it("deposed-reads-failed: a leader that stops leading fails every read it holds", () => {
    const c = new ReadLatencyCheck(3, HB);
    c.roleNoted(0, RoleCode.leader);
    c.roleNoted(0, RoleCode.follower);
    expect(c.afterEvent(world(7_000, { role: "follower", reads: [{ seq: 3, index: 5 }] }), 0)).toBe("deposed-reads-failed at node 0, t=7.000ms, term 2: it stopped leading with 1 ReadIndex read(s) still queued and 0 of its server's read(s) waiting for a read index, not failed");
    c.roleNoted(0, RoleCode.leader);
    c.roleNoted(0, RoleCode.follower);
    expect(c.afterEvent(world(7_000, { role: "follower", waiting: 2, readyNow: [{}] }), 0)).toMatch(/^deposed-reads-failed at node 0, .* 0 ReadIndex read\(s\) still queued and 1 of its server's read\(s\) waiting/);
    // Failed, or only lease reads left (released at the next tick): fine.
    c.roleNoted(0, RoleCode.leader);
    c.roleNoted(0, RoleCode.follower);
    expect(c.afterEvent(world(7_000, { role: "follower", waiting: 1, readyNow: [{}] }), 0)).toBeNull();
    // A candidate that steps down never led: nothing to judge, whatever its state.
    c.roleNoted(1, RoleCode.candidate);
    c.roleNoted(1, RoleCode.follower);
    expect(c.afterEvent(world(7_000, { role: "follower", reads: [{ seq: 3, index: 5 }] }), 0)).toBeNull();
  });

  it("passes correct runs", () => {
    for (const seed of [1, 2, 3, 4]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader that registers reads on a round it never sends", () => {
    patchRaft("readIndex", (orig) => function (this: Patchable, ...a: unknown[]) {
      const ok = orig.apply(this, a);
      const reads = this.reads as { seq: number }[];
      if (ok === true && reads.length > 0) reads[reads.length - 1].seq += 1_000;
      return ok;
    });
    // Without coalesced heartbeats (`fast: false`): with them, read-round (read-round-check.ts)
    // sees the same leader first — a confirmed round and no next one.
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false, systemOptions: { fast: false } }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^read-round-due at node \d+, t=[\d.]+ms, term \d+: its oldest pending read \(round \d+\) has waited [\d.]+ms \(bound [\d.]+ms\) and no heartbeat of that round went out/);
  });

  it("fails a leader that keeps its reads when deposed, and a server that never fails them", () => {
    patchRaft("becomeFollower", (orig) => function (this: Patchable, ...a: unknown[]) {
      const reads = this.reads;
      const head = this.readHead;
      orig.apply(this, a);
      this.reads = reads;
      this.readHead = head;
    });
    const r = simulate({ seed: 3, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^deposed-reads-failed at node \d+, t=[\d.]+ms, term \d+: it stopped leading with [1-9]\d* ReadIndex read\(s\) still queued/);
  });

  it("fails a server that drops a deposed leader's failed reads without answering", () => {
    patchServer("readFailed", () => function () {});
    const r = simulate({ seed: 3, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^deposed-reads-failed at node \d+, t=[\d.]+ms, term \d+: it stopped leading with 0 ReadIndex read\(s\) still queued and [1-9]\d* of its server's read\(s\) waiting/);
  });
});
