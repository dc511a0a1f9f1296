// lease-renewal (ours: the renewal rule of src/impl/raft/lease.ts, "a lease read past half its
// lease sends one"): when a lease-mode leader answers a read from its lease, it starts a
// renewal round (a heartbeat round with a new seq) in that step exactly when its lease has less
// than half its length left and it started no round in the last tenth of that length — and
// there is a quorum to ask (another voter, or it is not a voter itself). Without the renewal a
// lease that reads keep using runs out, and every read after it pays a ReadIndex round; with
// renewals on every read a read-heavy leader floods its followers with heartbeat rounds.
//
// Judged after every event that ran a lease-mode server: a lease read is seen as the server's
// list of reads answered without a round (Raft.readyNow) growing, a round as its read seq
// (readSeq) moving; the lease left and the round times are on the lease's own clock
// (Raft.leaseNow). A rule of this Raft (a Raft that renews otherwise fails it): it exists to
// judge lease.ts's wantsRenewal, which no other check sees (lease-use and lease-bound judge the
// lease's length, not whether reads keep it alive).
//
// Read-only (views), never draws or schedules: hash-neutral. Per event: a few reads of the one
// server it ran, in lease-mode runs only.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";

interface Seen {
  server: MetaServer | null;
  /** Raft.readyNow and its length after the last event that ran the server. */
  ready: unknown;
  readyLen: number;
  /** Raft.readSeq then, and when (lease clock) it last moved: the last round's start. */
  seq: number;
  roundAt: number;
}

export class LeaseRenewalCheck {
  private readonly seen: Seen[] = [];

  constructor(private readonly n: number) {
    for (let i = 0; i < n; i++) this.seen.push({ server: null, ready: null, readyLen: 0, seq: 0, roundAt: Number.NEGATIVE_INFINITY });
  }

  /** After every event of a lease-mode run; null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    if (only === TOUCHED_NONE) return null;
    if (only !== TOUCHED_ALL) return this.check(w, only, true);
    // A fault answers no read: only take the servers' state in.
    for (let i = 0; i < this.n; i++) this.check(w, i, false);
    return null;
  }

  private check(w: AnyWorld, id: number, judge: boolean): string | null {
    const s = this.seen[id];
    const h = w.nodes[id] as MetaServer | null;
    if (h === null) {
      s.server = null;
      return null;
    }
    const r = h.raft;
    if (s.server !== h) {
      s.server = h;
      s.ready = r.readyNow;
      s.readyLen = r.readyNow.length;
      s.seq = r.readSeq;
      s.roundAt = Number.NEGATIVE_INFINITY; // a new incarnation's lease has sent no round
      return null;
    }
    const lease = r.lease;
    const rn = r.readyNow;
    let why: string | null = null;
    if (judge && lease !== null && rn === s.ready && rn.length > s.readyLen && r.curRole === "leader") {
      const local = w.clocks[id].local(w.now);
      const t = r.leaseNow(r.clock.peek(local));
      const left = r.readLeaseAt(local) ?? 0;
      const d = lease.durationUs;
      const voters = r.voters();
      const asks = voters.length > 1 || !voters.includes(id);
      const wants = asks && left < d / 2 && t - s.roundAt >= d / 10;
      const renewed = r.readSeq !== s.seq;
      if (wants !== renewed) {
        const since = s.roundAt === Number.NEGATIVE_INFINITY ? "none before" : `the last ${t - s.roundAt}µs ago`;
        why = `lease-renewal at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${r.curTerm}: it answered a read from its lease with ${left}µs of ${d}µs left (round: ${since}) and ${renewed ? "started a renewal round it did not need" : "started no renewal round"}`;
      }
    }
    s.ready = rn;
    s.readyLen = rn.length;
    if (r.readSeq !== s.seq) {
      s.seq = r.readSeq;
      s.roundAt = r.leaseNow(r.clock.peek(w.clocks[id].local(w.now)));
    }
    return why;
  }
}
