// durable-overclaim, durable-underclaim, durable-beyond-log, durable-lag, append-answered and self-send (src/sim/systems/raft-metadata/durable-index-check.ts):
// the rules on a stand-in world (every case that must pass and must fail, paused and pending
// fsyncs included), then whole runs of correct servers and of servers broken on purpose (patched
// here, in this process only) in how they keep their durable index or answer themselves.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { NodeStatus, TOUCHED_ALL, TOUCHED_NONE } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { DurableIndexCheck } from "../../../src/sim/systems/raft-metadata/durable-index-check.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patchRaft = prototypePatcher(Raft.prototype);

interface Stand {
  durable: number;
  last: number;
  completed: number;
  pending: number;
  status: number;
  up: boolean;
  /** The disk's WAL (all of it durable unless `durableLength` says less) and snapshot file. */
  wal: unknown[];
  durableLength?: number;
  /** The durable snapshot file's index and term (term 1 unless given). */
  snapshotIndex?: number;
  snapshotTerm?: number;
  /** The log's terms by index above its snapshot (term 1 where not given), and its snapshot. */
  logTerms?: Record<number, number>;
  logSnap?: number;
  logSnapTerm?: number;
  inc: number;
  term?: number;
}

const entries = (from: number, to: number, term = 1): unknown => ({ kind: "entries", entries: Array.from({ length: to - from + 1 }, (_, k) => ({ index: from + k, term })) });

/** A world of one server whose account, log and disk are the fields of `s`. */
function world(s: Stand): AnyWorld {
  const raft = {
    durableIndex: () => s.durable,
    lastIndex: () => s.last,
    term: () => s.term ?? 3,
    snapshotIndex: () => s.logSnap ?? 0,
    snapshotTerm: () => s.logSnapTerm ?? 0,
    entry: (i: number) => (i > (s.logSnap ?? 0) && i <= s.last ? { index: i, term: s.logTerms?.[i] ?? 1 } : undefined),
  };
  const disk = {
    get fsyncsCompleted() { return s.completed; },
    get pendingFsyncs() { return s.pending; },
    walStart: 0,
    get durableLength() { return s.durableLength ?? s.wal.length; },
    contents: () => s.wal,
    durableFile: (name: string) => (name === "snapshot" && s.snapshotIndex !== undefined ? { index: s.snapshotIndex, term: s.snapshotTerm ?? 1 } : undefined),
  };
  return {
    now: 1500,
    get nodes() {
      return [s.up ? { raft } : null];
    },
    disks: [disk],
    get status() {
      return Uint8Array.of(s.status);
    },
    incarnation: () => s.inc,
    restores: Int32Array.of(0),
  } as unknown as AnyWorld;
}

describe("durable-index rules on a stand-in world", () => {
  /** `answersStaleLeader`: PreVote or CheckQuorum on. */
  const fresh = (answersStaleLeader = false): { s: Stand; w: AnyWorld; c: DurableIndexCheck } => {
    const s: Stand = { durable: 5, last: 5, completed: 0, pending: 0, status: NodeStatus.up, up: true, wal: [{ kind: "hs", term: 1, vote: 0 }, entries(1, 5)], inc: 0 };
    const w = world(s);
    const c = new DurableIndexCheck(1, answersStaleLeader);
    // The world's first look, before any event (it judges every node, as a fault event does).
    expect(c.afterEvent(w, TOUCHED_ALL)).toBeNull();
    return { s, w, c };
  };

  /** fresh(), then entries 6-7 at term 2 written, durable on both sides and claimed (7@2). */
  /** The disk completes fsyncs up to WAL position `upTo`, `pending` left. */
  const complete = (s: Stand, upTo: number, pending: number): void => {
    s.durableLength = upTo;
    s.pending = pending;
    s.completed++;
  };
  const atTerm2 = (last = 7): { s: Stand; w: AnyWorld; c: DurableIndexCheck } => {
    const f = fresh();
    f.s.wal.push(entries(6, last, 2));
    f.s.durable = last;
    f.s.last = last;
    const terms: Record<number, number> = {};
    for (let i = 6; i <= last; i++) terms[i] = 2;
    f.s.logTerms = terms;
    f.s.completed = 1;
    expect(f.c.afterEvent(f.w, 0)).toBeNull();
    return f;
  };

  it("passes an account equal to the log once every fsync completed", () => {
    const { s, w, c } = fresh();
    s.completed = 1;
    expect(c.afterEvent(w, 0)).toBeNull();
    expect(c.afterEvent(w, TOUCHED_ALL)).toBeNull();
    expect(c.afterEvent(w, TOUCHED_NONE)).toBeNull();
  });

  it("passes an account behind the log while an fsync is pending, or with no completion this event", () => {
    const { s, w, c } = fresh();
    s.last = 8;
    s.pending = 1;
    s.completed = 1;
    expect(c.afterEvent(w, 0)).toBeNull(); // completed, but another write is pending
    s.pending = 0;
    expect(c.afterEvent(w, 0)).toBeNull(); // nothing completed since the last look
  });

  it("passes a paused server that has not heard of its completion yet, and a crashed one", () => {
    const { s, w, c } = fresh();
    s.last = 8;
    s.completed = 1;
    s.status = NodeStatus.paused;
    expect(c.afterEvent(w, 0)).toBeNull();
    s.completed = 2;
    s.status = NodeStatus.down;
    s.up = false;
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("fails an account behind the log after the last fsync completed", () => {
    const { s, w, c } = fresh();
    s.last = 8;
    s.completed = 3;
    expect(c.afterEvent(w, 0)).toBe("durable-lag at node 0, t=1.500ms: its disk completed every fsync, yet its durable index is 5, below its last index 8");
    s.completed = 4;
    expect(c.afterEvent(w, TOUCHED_ALL)).toMatch(/^durable-lag at node 0/);
  });

  it("fails an account past the log, with or without a completion", () => {
    const { s, w, c } = fresh();
    s.durable = 9;
    expect(c.afterEvent(w, 0)).toBe("durable-beyond-log at node 0, t=1.500ms: its durable index is 9, past its last index 5");
    s.pending = 2;
    expect(c.afterEvent(w, TOUCHED_ALL)).toMatch(/^durable-beyond-log at node 0/);
  });

  it("passes an account the durable records or the snapshot file cover, and a truncation followed by a rewrite", () => {
    const { s, w, c } = fresh();
    expect(c.afterEvent(w, 0)).toBeNull();
    s.wal.push(entries(6, 9), { kind: "truncate", from: 8 }, entries(8, 8));
    s.durable = 8;
    s.last = 8;
    s.completed = 1;
    expect(c.afterEvent(w, 0)).toBeNull();
    s.snapshotIndex = 20;
    s.durable = 20;
    s.last = 20;
    s.completed = 2;
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("fails an account past what the disk holds durably: records not yet durable, a truncated tail", () => {
    const { s, w, c } = fresh();
    expect(c.afterEvent(w, 0)).toBeNull();
    s.wal.push(entries(6, 9));
    s.durableLength = 2; // the entries 6-9 are written, not yet durable
    s.durable = 9;
    s.last = 9;
    s.completed = 1;
    expect(c.afterEvent(w, 0)).toBe("durable-overclaim at node 0, t=1.500ms: its durable index is 9, but its disk holds its log durably only up to 5");
    s.durableLength = undefined;
    s.wal.push({ kind: "truncate", from: 7 });
    s.last = 9;
    s.completed = 2;
    expect(c.afterEvent(w, 0)).toMatch(/^durable-overclaim at node 0, .*durable index is 9, but its disk holds its log durably only up to 6$/);
  });

  it("durable-overclaim by term: fails an entry rewritten at the durable index whose rewrite is not yet durable", () => {
    const { s, w, c } = atTerm2();
    // A new leader's append conflicts at 7: truncate from 7, write 7@3, the fsync pending; the
    // server (buggy) keeps claiming 7 durable. A crash now would recover 7@2.
    s.wal.push({ kind: "truncate", from: 7 }, entries(7, 7, 3));
    s.durableLength = s.wal.length - 2;
    s.logTerms = { 6: 2, 7: 3 };
    s.pending = 1;
    expect(c.afterEvent(w, 0)).toBe("durable-overclaim at node 0, t=1.500ms: its durable index is 7, its log has term 3 there, but its disk holds term 2 there durably");
    s.completed = 2; // another write completed, the rewrite still pending: read again, same verdict
    expect(c.afterEvent(w, 0)).toMatch(/^durable-overclaim at node 0, .*durable index is 7, its log has term 3 there, but its disk holds term 2 there durably$/);
  });

  it("durable-overclaim by term: passes the rewrite once durable, and an account below it while pending", () => {
    const { s, w, c } = atTerm2();
    s.wal.push({ kind: "truncate", from: 7 }, entries(7, 8, 3));
    s.durableLength = s.wal.length - 2;
    s.logTerms = { 6: 2, 7: 3, 8: 3 };
    s.last = 8;
    s.durable = 6; // the correct server: truncating from 7 lowers its account to 6
    s.pending = 1;
    expect(c.afterEvent(w, 0)).toBeNull();
    s.durableLength = undefined; // the rewrite's fsync completes
    s.pending = 0;
    s.completed = 2;
    s.durable = 8;
    expect(c.afterEvent(w, 0)).toBeNull();
    s.durable = 7; // the rewritten index itself, now durable at term 3 on both sides
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("durable-overclaim by term: the snapshot file's term at its index, unknown below it, records above it", () => {
    const { s, w, c } = fresh();
    // The WAL dropped up to a snapshot at 20 (term 2), its new segment's base 21-22 at term 2.
    s.wal = [{ kind: "hs", term: 2, vote: 0 }, entries(21, 22, 2), { kind: "truncate", from: 23 }];
    s.snapshotIndex = 20;
    s.snapshotTerm = 2;
    s.logSnap = 20;
    s.logSnapTerm = 2;
    s.logTerms = { 21: 2, 22: 2 };
    s.last = 22;
    s.durable = 22;
    s.inc = 1; // a restart: the WAL read again from its start
    expect(c.afterEvent(w, TOUCHED_ALL)).toBeNull();
    s.durable = 20;
    expect(c.afterEvent(w, 0)).toBeNull();
    s.durable = 12; // below both snapshots: no term on either side, not compared
    expect(c.afterEvent(w, 0)).toBeNull();
    s.logSnapTerm = 3; // the log's snapshot at 20 has another term than the file
    s.durable = 20;
    expect(c.afterEvent(w, 0)).toMatch(/^durable-overclaim at node 0, .*durable index is 20, its log has term 3 there, but its disk holds term 2 there durably$/);
    s.logSnapTerm = 2;
    s.logTerms = { 21: 2, 22: 4 };
    s.durable = 22;
    expect(c.afterEvent(w, 0)).toMatch(/^durable-overclaim at node 0, .*durable index is 22, its log has term 4 there, but its disk holds term 2 there durably$/);
  });

  it("durable-underclaim: fails an account below what a completed fsync made durable, while a later write is pending", () => {
    const { s, w, c } = fresh();
    s.wal.push(entries(6, 8), entries(9, 9));
    s.durableLength = s.wal.length - 1; // 6-8 durable, 9 written and pending
    s.last = 9;
    s.pending = 1;
    s.completed = 1;
    s.durable = 8; // the correct server: its write up to 8 completed
    expect(c.afterEvent(w, 0)).toBeNull();
    s.completed = 2; // the server that dropped that completion (a queue reset before it drained)
    s.durable = 5;
    expect(c.afterEvent(w, 0)).toBe("durable-underclaim at node 0, t=1.500ms: its disk completed an fsync and holds its log durably up to 8 (term 1 there on both), yet its durable index is 5");
  });

  it("durable-underclaim: passes an account below a conflict whose rewrite is pending, a paused server, and no completion", () => {
    const { s, w, c } = atTerm2(8);
    // A conflicting append from 7: truncate and rewrite 7-8 at term 3, pending; an older write
    // completes meanwhile. The disk holds 8@2, the log 8@3: the account stays at 6.
    s.wal.push({ kind: "truncate", from: 7 }, entries(7, 8, 3));
    s.durableLength = s.wal.length - 2;
    s.logTerms = { 6: 2, 7: 3, 8: 3 };
    s.durable = 6;
    s.pending = 1;
    s.completed = 2;
    expect(c.afterEvent(w, 0)).toBeNull();
    // The rewrite's fsync completes, a later write still pending: the disk now holds the log's
    // 8@3, so 6 is an under-claim.
    s.wal.push({ kind: "hs", term: 4, vote: -1 });
    s.durableLength = s.wal.length - 1;
    s.completed = 3;
    expect(c.afterEvent(w, 0)).toMatch(/^durable-underclaim at node 0, .*durably up to 8 \(term 3 there on both\), yet its durable index is 6$/);
    s.status = NodeStatus.paused; // a paused server hears of its completions when it resumes
    s.completed = 4;
    expect(c.afterEvent(w, 0)).toBeNull();
    s.status = NodeStatus.up;
    expect(c.afterEvent(w, 0)).toBeNull(); // no completion since the last look
  });

  it("durable-underclaim: an account below the entries a pending rewrite keeps (another term at c, the truncation at 7 pending: 6 is owed)", () => {
    const { s, w, c } = atTerm2(8);
    // 9@2 is written (pending), then a conflicting append from 7 truncates and rewrites 7-8 at
    // term 3 (pending). 9's write completes: the disk holds 9@2, the log 8@3 and no 9, so c is
    // the log's last, 8, where the terms differ; below the truncation, 6 is the same on both.
    s.wal.push(entries(9, 9, 2));
    const afterNine = s.wal.length;
    s.wal.push({ kind: "truncate", from: 7 }, entries(7, 8, 3));
    s.durableLength = afterNine;
    s.logTerms = { 6: 2, 7: 3, 8: 3 };
    s.pending = 1;
    s.completed = 2;
    s.durable = 6; // clamped to 6 by the truncation: correct
    expect(c.afterEvent(w, 0)).toBeNull();
    s.durable = 5; // an account that fell below what the truncation kept
    s.completed = 3;
    expect(c.afterEvent(w, 0)).toBe("durable-underclaim at node 0, t=1.500ms: its disk completed an fsync and holds its log durably up to 6 (term 2 there on both), yet its durable index is 5");
    // No truncation pending and another term at c (the log's entry unknown to the disk's
    // records): nothing is owed.
    s.wal.splice(afterNine);
    s.wal.push(entries(7, 8, 3));
    s.completed = 4;
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("durable-underclaim: passes a suffix truncated and rewritten back to what the disk holds while the truncation is pending (seed 2411)", () => {
    // Seed 2411, node 4 (durable 1-7, 7@2 here; 1-48, 43@11 there) resumes from a pause into a
    // burst: a term bump (A), an append from a new leader truncating from 7 and writing 7@3 (B),
    // another term bump (C), then the old leader's append truncating from 7 again and writing
    // 7@2 back (D). Its log holds 7@2 again, its account is 6 (truncating lowered it and every
    // write queued before it).
    const { s, w, c } = atTerm2();
    s.wal.push({ kind: "hs", term: 3, vote: -1 }); // A
    const afterA = s.wal.length;
    s.wal.push({ kind: "truncate", from: 7 }, entries(7, 7, 3)); // B
    const afterB = s.wal.length;
    s.wal.push({ kind: "hs", term: 4, vote: -1 }); // C
    const afterC = s.wal.length;
    s.wal.push({ kind: "truncate", from: 7 }, entries(7, 7, 2)); // D
    const afterD = s.wal.length;
    s.wal.push(entries(8, 8, 4)); // E: a later append, pending throughout
    s.last = 8;
    s.logTerms = { 6: 2, 7: 2, 8: 4 };
    s.durable = 6;
    s.pending = 5;
    s.durableLength = afterA - 1;
    expect(c.afterEvent(w, 0)).toBeNull();
    // A completes: the disk holds 7@2 durably, as the log does, but B's truncation is pending.
    // (The check asked for 7 here, and 7 is an over-claim once B completes, below.)
    complete(s, afterA, 4); // completion 2
    expect(c.afterEvent(w, 0)).toBeNull();
    // B completes: the disk holds 7@3, the log 7@2: the account must stay below 7.
    complete(s, afterB, 3); // completion 3
    expect(c.afterEvent(w, 0)).toBeNull();
    s.durable = 7;
    expect(c.afterEvent(w, 0)).toMatch(/^durable-overclaim at node 0, .*durable index is 7, its log has term 2 there, but its disk holds term 3 there durably$/);
    s.durable = 6;
    complete(s, afterC, 2); // completion 4
    expect(c.afterEvent(w, 0)).toBeNull();
    // D completes, no truncation pending any more, E pending: the disk holds 7@2 again, 6 is
    // an under-claim now.
    complete(s, afterD, 1); // completion 5
    expect(c.afterEvent(w, 0)).toBe("durable-underclaim at node 0, t=1.500ms: its disk completed an fsync and holds its log durably up to 7 (term 2 there on both), yet its durable index is 6");
  });

  it("durable-underclaim: a truncation pending above what completed does not lower the requirement", () => {
    // Durable 1-8; 9 written (A), 10 written (B), then truncated from 10 and 10@3 written (C),
    // all pending. A completes: the disk holds 9 as the log does, C's truncation is above it.
    const { s, w, c } = fresh();
    s.wal.push(entries(6, 8));
    s.durable = 8;
    s.last = 8;
    s.completed = 1;
    expect(c.afterEvent(w, 0)).toBeNull();
    s.wal.push(entries(9, 9));
    const afterA = s.wal.length;
    s.wal.push(entries(10, 10), { kind: "truncate", from: 10 }, entries(10, 10, 3));
    s.last = 10;
    s.logTerms = { 10: 3 };
    s.durableLength = afterA;
    s.pending = 2;
    s.completed = 2;
    expect(c.afterEvent(w, 0)).toBe("durable-underclaim at node 0, t=1.500ms: its disk completed an fsync and holds its log durably up to 9 (term 1 there on both), yet its durable index is 8");
    s.durable = 9;
    s.completed = 3;
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("reads the disk again from the start after a restart", () => {
    const { s, w, c } = fresh();
    expect(c.afterEvent(w, 0)).toBeNull();
    s.wal = [entries(1, 3)]; // a restart recovered a shorter WAL (a torn record cut)
    s.inc = 1;
    s.durable = 5;
    expect(c.afterEvent(w, TOUCHED_ALL)).toMatch(/^durable-overclaim at node 0, .*only up to 3$/);
  });

  it("append-answered: an append delivered and answered, or a stale heartbeat without PreVote or CheckQuorum, is owed nothing", () => {
    const { s, w, c } = fresh();
    c.delivered(w, 0, { type: "app", term: 3 });
    c.answered(0);
    c.delivered(w, 0, { type: "hb", term: 3 }); // answered by a heartbeat response: not counted
    c.delivered(w, 0, { type: "app", term: 2 }); // stale, PreVote and CheckQuorum off: no answer due
    c.delivered(w, 0, { type: "readReq", term: 9 });
    s.completed = 1;
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("append-answered: fails an append unanswered once every fsync completed, and a stale chunk with CheckQuorum on", () => {
    const { s, w, c } = fresh();
    c.delivered(w, 0, { type: "app", term: 4 });
    s.pending = 1;
    s.completed = 1;
    expect(c.afterEvent(w, 0)).toBeNull(); // its answer may wait for the pending write
    s.pending = 0;
    s.completed = 2;
    expect(c.afterEvent(w, 0)).toBe("append-answered at node 0, t=1.500ms: its disk completed every fsync, yet 1 AppendEntries delivered to it is unanswered");
    const cq = fresh(true); // CheckQuorum on
    cq.c.delivered(cq.w, 0, { type: "snap", term: 1 });
    cq.s.completed = 3;
    expect(cq.c.afterEvent(cq.w, 0)).toMatch(/^append-answered at node 0/);
  });

  it("append-answered: a crash, or a restore in one event, forgives what the server owed", () => {
    const { s, w, c } = fresh();
    c.delivered(w, 0, { type: "app", term: 3 });
    s.inc = 1; // crashed and restarted (a backup restore) within one fault event
    s.completed = 1;
    expect(c.afterEvent(w, TOUCHED_ALL)).toBeNull();
    c.delivered(w, 0, { type: "app", term: 3 });
    s.up = false;
    expect(c.afterEvent(w, TOUCHED_ALL)).toBeNull();
    s.up = true;
    s.completed = 2;
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("fails a message a server sends itself, and only that", () => {
    const { w, c } = fresh();
    expect(c.sent(w, 1, 2, "app")).toBeNull();
    expect(c.sent(w, 3, 3, "voteResp")).toBe("self-send at node 3, t=1.500ms: it sent a voteResp to itself over the network");
  });
});

describe("durable-index rules on whole runs", () => {
  it("passes correct servers: swarm and every fault family (pauses, crashes, restores), assertions off", () => {
    for (const seed of [1, 2, 3, 4, 5, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("passes seeds 2411 and 5821 at 10 s: a node truncated and rewritten back to its durable entry in one burst (durable-underclaim's false alarm)", () => {
    // Both were found by the default sweep past its 2,000 seeds (4001..10000 found 5821).
    for (const seed of [2411, 5821]) {
      for (const sutAsserts of [true, false]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts }).result;
        expect(r.verdict, `seed ${seed}, asserts ${sutAsserts ? "on" : "off"}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("a server that never hears of its fsyncs (its durable index stays where it started)", () => {
    patchRaft("onPersisted", (orig) => function (this: Patchable, ...a: unknown[]) {
      if (this.id !== 0) return orig.apply(this, a);
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^durable-lag at node 0, t=[\d.]+ms: its disk completed every fsync, yet its durable index is \d+, below its last index \d+$/);
  });

  it("a server that counts its pending writes durable one write early", () => {
    // At each fsync's completion the server takes the index of the next write still pending
    // (the planted bug's shape: a truncated write's index clamped to the wrong one).
    patchRaft("onPersisted", (orig) => function (this: Patchable & { wHead: number; wIndex: number[]; durable: number }, ...a: unknown[]) {
      orig.apply(this, a);
      if (this.wHead < this.wIndex.length && this.wIndex[this.wHead] > this.durable) this.durable = this.wIndex[this.wHead];
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^durable-overclaim at node \d+, t=[\d.]+ms: its durable index is \d+, but its disk holds its log durably only up to \d+$/);
  });

  it("a server that keeps its durable index over a rewritten suffix before the rewrite's fsync", () => {
    // When a conflicting append truncates its log (not a snapshot install), the server keeps
    // the account it had (capped at its new last index) instead of lowering it below the
    // truncation: it claims the new entries at the old indexes durable while their write is
    // pending. The index rule alone passed this on seeds 1-10 (the disk holds those indexes,
    // at the old terms).
    patchRaft("onMessage", (orig) => function (this: Patchable & { durable: number; log: { lastIndex(): number; snapshotIndex(): number } }, ...a: unknown[]) {
      const before = this.durable;
      const snap = this.log.snapshotIndex();
      const out = orig.apply(this, a);
      if (this.durable < before && this.log.snapshotIndex() === snap) {
        const last = this.log.lastIndex();
        this.durable = before < last ? before : last;
      }
      return out;
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^durable-overclaim at node \d+, t=[\d.]+ms: its durable index is \d+, its log has term \d+ there, but its disk holds term \d+ there durably$/);
  });

  it("a server that drops the writes still queued behind a completed one", () => {
    // At a completion that leaves two writes or more pending, the server empties its write
    // queue (the mutant that resets the queue before it drained): their completions raise
    // nothing. The first of them completes with the other still pending, which durable-lag
    // (every fsync done) does not judge.
    patchRaft("onPersisted", (orig) => function (this: Patchable & { wHead: number; wTokens: number[]; wIndex: number[] }, ...a: unknown[]) {
      orig.apply(this, a);
      if (this.wTokens.length - this.wHead >= 2) {
        this.wTokens.length = 0;
        this.wIndex.length = 0;
        this.wHead = 0;
      }
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^durable-underclaim at node \d+, t=[\d.]+ms: its disk completed an fsync and holds its log durably up to \d+ \(term \d+ there on both\), yet its durable index is \d+$/);
  });

  it("a server that counts one entry more durable than its log holds", () => {
    patchRaft("onPersisted", (orig) => function (this: Patchable & { log: { lastIndex(): number } }, ...a: unknown[]) {
      orig.apply(this, a);
      this.durable = this.log.lastIndex() + 1;
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^durable-beyond-log at node \d+/);
  });

  it("a server that drops the answers waiting for its writes", () => {
    // Every tenth fsync completion on node 1 empties the queue of messages waiting for durability
    // before they are sent (the mutants that reset that queue before it is drained).
    let n = 0;
    patchRaft("onPersisted", (orig) => function (this: Patchable & { id: number; deferred: unknown[]; dHead: number }, ...a: unknown[]) {
      if (this.id === 1 && ++n % 10 === 0) {
        this.deferred.length = 0;
        this.dHead = 0;
      }
      return orig.apply(this, a);
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^append-answered at node 1, t=[\d.]+ms: its disk completed every fsync, yet \d+ AppendEntries delivered to it (is|are) unanswered$/);
  });

  it("a server that answers its own vote request over the network", () => {
    // The candidate's vote for itself (deferred until its term and vote are durable) goes out
    // through the host instead of being stepped locally.
    patchRaft("step", (orig) => function (this: Patchable & { id: number; env: { send(to: number, m: unknown): void } }, ...a: unknown[]) {
      const [from, msg] = a as [number, { type: string }];
      if (from === this.id && msg.type === "voteResp") return this.env.send(this.id, msg);
      return orig.apply(this, a);
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^self-send at node \d+, t=[\d.]+ms: it sent a voteResp to itself over the network$/);
  });
});
