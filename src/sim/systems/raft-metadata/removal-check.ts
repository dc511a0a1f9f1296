// removed-server-learns: what a leader owes the servers a configuration change removes, and what
// it owes the cluster when it removes itself.
//   - told: in the step in which the leader's commit index reaches the configuration entry that
//     removed a server, the leader sends that server a heartbeat (carrying the commit index as
//     far as the server holds the log), so that one holding the entry learns it is out and
//     never campaigns again;
//   - let go: from then on, while it leads in that term, it sends that server no append,
//     heartbeat or snapshot (until it is added again);
//   - steps down: a leader whose committed configuration no longer has it as a voter no longer
//     leads at the end of that step;
//   - hands over: when it steps down so and a voter of the new configuration had acknowledged
//     the leader's whole log (in its term), it sends a TimeoutNow first, so the cluster does not
//     wait an election timeout.
// Judged at the leader's own configuration notes (which record the removal), at the end of the
// step that commits it, on the leader's sends, and at its step-down note.
//
// Source: dissertation §4.2.2 (a removed leader steps down once the entry is committed; it may
// hand leadership over first, §3.10) and §4.2.3 (removed servers must not disrupt: ours tells
// them by a heartbeat; etcd leaves it to the application); the heartbeat at commit and the stop
// of replication are our Raft's (step-leader.ts maybeCommit, confchange.ts applyConf, which keeps
// the servers a pending change removes among the peers until it commits).
//
// Why (issue 12): confchange.ts applyConf's "replicate to the servers a pending change removes"
// (133–134) and stepDownRemoved (201–207) only decided whom the leader talks to and when it lets
// go; nothing judged it.
//
// Cost: a flag test per append/heartbeat/snapshot send in a membership run; the rest only on
// configuration notes. Read-only: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import type { LeaderAcks } from "./leader-acks.js";

export class RemovalCheck {
  private readonly n: number;
  /** Per leader: the configuration entry of a pending removal (0: none), its term, the servers
   * it removes (a bit each) and whether it removes the leader itself. */
  private readonly pendIdx: Float64Array;
  private readonly pendTerm: Int32Array;
  private readonly pendMask: Int32Array;
  private readonly pendSelf: Uint8Array;
  /** Per leader: the servers it let go in its term `goneTerm` (a bit each). */
  private readonly goneMask: Int32Array;
  private readonly goneTerm: Int32Array;
  /** Heartbeats sent in this event, a bit per (leader, target): leader * n + target. */
  private readonly hbSent: Uint8Array;
  private hbAny = false;
  /** Leaders with a pending removal (any bit): the afterEvent fast path. */
  private pendingAny = 0;
  /** Learners of each server's configuration as of its last configuration note or leadership. */
  private readonly learners: (readonly number[])[];
  /** The leader that sent a TimeoutNow in this event (-1: none). */
  private tnFrom = -1;
  private pending: string | null = null;

  constructor(n: number, private readonly acks: LeaderAcks) {
    this.n = n;
    this.pendIdx = new Float64Array(n);
    this.pendTerm = new Int32Array(n);
    this.pendMask = new Int32Array(n);
    this.pendSelf = new Uint8Array(n);
    this.goneMask = new Int32Array(n);
    this.goneTerm = new Int32Array(n).fill(-1);
    this.hbSent = new Uint8Array(n * n);
    this.learners = new Array<readonly number[]>(n).fill([]);
  }

  /** `id` became leader: its configuration as it starts to lead. */
  becameLeader(w: AnyWorld, id: number): void {
    const s = w.nodes[id] as MetaServer | null;
    if (s !== null) this.learners[id] = s.raft.learners();
  }

  /** A configuration note of `id` (its configuration changed); `own`: a leader's own new entry. */
  configNoted(w: AnyWorld, id: number, own: boolean): void {
    const r = (w.nodes[id] as MetaServer).raft;
    const prevLearners = this.learners[id];
    const learners = r.learners();
    this.learners[id] = learners;
    if (!own) return;
    const ci = r.configIndex();
    const term = r.term();
    const voters = r.voters();
    let mask = 0;
    for (const v of r.votersAt(ci - 1)) if (!voters.includes(v) && !learners.includes(v)) mask |= 1 << v;
    for (const l of prevLearners) if (!voters.includes(l) && !learners.includes(l)) mask |= 1 << l;
    // A server out of the configuration has no Progress once the change commits, and a new one
    // when added again: what the leader knew of it is gone.
    for (let p = 0; p < this.n; p++) if (p !== id && !voters.includes(p) && !learners.includes(p)) this.acks.forget(id, p, term);
    for (const l of learners) if (!prevLearners.includes(l) && !r.votersAt(ci - 1).includes(l)) {
      this.acks.forget(id, l, term);
      if (this.goneTerm[id] === term) this.goneMask[id] &= ~(1 << l); // added again
    }
    const self = !voters.includes(id);
    this.pendIdx[id] = mask !== 0 || self ? ci : 0;
    this.pendTerm[id] = term;
    this.pendMask[id] = mask & ~(1 << id);
    this.pendSelf[id] = self ? 1 : 0;
    this.recount();
  }

  private recount(): void {
    let k = 0;
    for (let i = 0; i < this.n; i++) if (this.pendIdx[i] > 0) k++;
    this.pendingAny = k;
  }

  /** An append, heartbeat or snapshot chunk sent by `from` to `to`. */
  sentReplication(w: AnyWorld, from: number, to: number, isHeartbeat: boolean): void {
    if (isHeartbeat && this.pendingAny > 0) {
      this.hbSent[from * this.n + to] = 1;
      this.hbAny = true;
    }
    if (this.goneTerm[from] < 0 || (this.goneMask[from] & (1 << to)) === 0 || this.pending !== null) return;
    const r = (w.nodes[from] as MetaServer).raft;
    if (r.role() !== "leader" || r.term() !== this.goneTerm[from]) {
      this.goneTerm[from] = -1;
      return;
    }
    this.pending = `removed-server-learns at node ${from}, t=${(w.now / 1000).toFixed(3)}ms (term ${r.term()}): it sent node ${to} ${isHeartbeat ? "a heartbeat" : "an append or snapshot chunk"}, but its removal is committed (configuration index ${r.configIndex()}, commit ${r.commitIndex()}): a leader lets a removed server go`;
  }

  /** A TimeoutNow sent by `from`. */
  sentTimeoutNow(from: number): void {
    this.tnFrom = from;
  }

  /** Leader `id` noted that it left the configuration and steps down. */
  steppingDown(w: AnyWorld, id: number): void {
    const r = (w.nodes[id] as MetaServer).raft;
    if (this.tnFrom === id || this.pending !== null) return;
    const term = r.term();
    const last = r.lastIndex();
    for (const v of r.voters()) {
      if (v === id || this.acks.lo(id, v, term) < last) continue;
      this.pending = `removed-server-learns at node ${id}, t=${(w.now / 1000).toFixed(3)}ms (term ${term}): it stepped down on leaving the configuration without a TimeoutNow, but voter ${v} had acknowledged its whole log (index ${last}) and could take over at once`;
      return;
    }
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld): string | null {
    this.tnFrom = -1;
    if (this.pending !== null) {
      const p = this.pending;
      this.pending = null;
      this.clearSent();
      return p;
    }
    if (this.pendingAny === 0) return null;
    let why: string | null = null;
    for (let id = 0; id < this.n && why === null; id++) {
      const at = this.pendIdx[id];
      if (at === 0) continue;
      const s = w.nodes[id] as MetaServer | null;
      const r = s === null ? null : s.raft;
      if (r === null || r.term() !== this.pendTerm[id] || r.configIndex() !== at) {
        // Crashed, deposed or a newer entry of its own: that removal is no longer this leader's to finish.
        this.pendIdx[id] = 0;
        continue;
      }
      if (r.commitIndex() < at) continue;
      this.pendIdx[id] = 0;
      const mask = this.pendMask[id];
      for (let p = 0; p < this.n; p++) {
        if ((mask & (1 << p)) === 0 || this.hbSent[id * this.n + p] === 1) continue;
        why = `removed-server-learns at node ${id}, t=${(w.now / 1000).toFixed(3)}ms (term ${r.term()}): its commit index reached ${r.commitIndex()}, past the configuration entry ${at} that removed node ${p}, but it did not tell node ${p} (no heartbeat in that step)`;
        break;
      }
      if (why === null && this.pendSelf[id] === 1 && r.role() === "leader") why = `removed-server-learns at node ${id}, t=${(w.now / 1000).toFixed(3)}ms (term ${r.term()}): its committed configuration (entry ${at}, commit ${r.commitIndex()}) has voters [${r.voters().join(",")}] without it, but it still leads`;
      if (r.role() === "leader") {
        if (this.goneTerm[id] !== r.term()) {
          this.goneTerm[id] = r.term();
          this.goneMask[id] = 0;
        }
        this.goneMask[id] |= mask;
      }
    }
    this.recount();
    this.clearSent();
    return why;
  }

  private clearSent(): void {
    if (!this.hbAny) return;
    this.hbSent.fill(0);
    this.hbAny = false;
  }
}
