// lease-read-served (ours: what lease mode is for, src/impl/raft/lease.ts and read-only.ts's
// registerRead; dissertation §6.4.1 "the leader would use the lease to avoid the heartbeat
// round"): a lease-mode leader that holds a valid read lease, has committed an entry of its term
// and is not transferring leadership answers a read from its lease — it never queues it for a
// ReadIndex heartbeat round. The lease checks (lease-check.ts) judge the lease itself (its
// safety, its length, that it is held); this judges that reads use it: a leader that falls back
// to ReadIndex with a valid lease is ReadIndex with extra steps, one heartbeat round slower per
// read, and nothing else sees it (the read is still linearizable).
//
// Judged after every event that ran a lease-mode leader: a read registered for a round is seen
// as a new element at the end of its queue of ReadIndex reads (Raft.reads; a lease read goes to
// readyNow instead). The conditions are read after the event, when they are what they were at
// the registration: an event that registers a read (a client request, a forwarded read) neither
// confirms a round, nor commits, nor starts a transfer. Fault events (which may replay a paused
// server's deferred requests among other things) only resynchronise.
//
// Why (issue 12): read-only.ts's lease branch (its conditions, the commit test it shares with
// ReadIndex) survived every check: a read that took the slow path was as correct as a fast one.
//
// Read-only (views), never draws or schedules: hash-neutral. Per event: a few field reads of the
// one server it ran, in lease-mode runs only.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";

export class LeaseReadCheck {
  /** Per server: the last element of its ReadIndex queue after the last event that ran it. */
  private readonly last: unknown[];

  constructor(private readonly n: number) {
    this.last = new Array<unknown>(n).fill(undefined);
  }

  /** After every event (`only`: the server it ran, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    if (only === TOUCHED_NONE) return null;
    if (only === TOUCHED_ALL) {
      for (let i = 0; i < this.n; i++) this.last[i] = this.tail(w, i);
      return null;
    }
    if (only >= this.n) return null;
    const before = this.last[only];
    const now = this.tail(w, only);
    this.last[only] = now;
    if (now === undefined || now === before) return null;
    const r = (w.nodes[only] as MetaServer).raft;
    if (r.curRole !== "leader" || r.commit < r.termStart || r.transferee !== -1) return null;
    const left = r.readLeaseAt(w.localNow(only));
    if (left === null || left <= 0) return null;
    return `lease-read-served at node ${only}, t=${(w.now / 1000).toFixed(3)}ms, term ${r.curTerm}: it queued a read for a ReadIndex round (seq ${(now as { seq: number }).seq}) while it held a valid read lease (${left}µs left), had committed an entry of its term (commit ${r.commit} >= ${r.termStart}) and was not transferring leadership`;
  }

  /** The last element of server `id`'s ReadIndex queue (undefined: none, or no server). */
  private tail(w: AnyWorld, id: number): unknown {
    const s = w.nodes[id] as MetaServer | null;
    if (s === null) return undefined;
    const rs = s.raft.reads;
    return rs.length > s.raft.readHead ? rs[rs.length - 1] : undefined;
  }
}
