// Two rules of a leader's ReadIndex reads that no safety check sees (a read answered late, or
// never, is still linearizable; issue 12 part 3: read-only.ts's latency and deposition paths
// survived every check):
//
//   read-round-due: a read pending at a leader has its heartbeat round out within a bound. Once
//     a read is the oldest pending one at a leader, within 2 × heartbeatUs the leader has sent a
//     heartbeat whose round (seq) covers it — or, a leader that is its own quorum, has released
//     it; a read answered without a round (a lease read, read-only.ts's readyNow) is released
//     within the same bound. A voter alone owes the release only once the read's index is known
//     (it had one, or the leader has committed an entry of its term: read-served's premise, and
//     read-only.ts's processReads): before that the read waits for the leader's own fsync of its
//     no-op, which a disk stall holds for as long as it lasts (every-fault seeds 5201 and 6450
//     failed here on a voter alone whose disk was stalled). Such a read is timed from the first
//     look at which its index is known. Source: dissertation §6.4 step 3 ("the leader sends a
//     new round of heartbeats"; etcd's ReadIndex broadcasts at once). The bound is ours: with
//     coalesced heartbeats one round is in flight at a time and a read registered meanwhile
//     rides the next, sent when that one is confirmed or at the next heartbeat tick, so within
//     one heartbeat interval on the leader's clock (drift is at most 10%: 2× leaves room). Whether the round
//     is then answered depends on the network; once a quorum acknowledges it, read-served
//     (read-round-check.ts) requires the release in that step — together they bound a read's
//     latency at a leader with a working quorum. A fault event (a pause, a crash, a clock step,
//     a partition) restarts every clock of this rule: it judges stretches without faults; a
//     paused leader (it can send nothing) owes nothing until it resumes (seed 47817).
//   deposed-reads-failed: in the step in which a leader stops leading, every ReadIndex read it
//     holds is failed — none left in its queue, and none of its server's reads (its clients',
//     or other servers' follower reads) left waiting for a read index, beyond the lease reads
//     already answered (released at the next tick). Source: etcd's server fails pending
//     linearizable reads with ErrLeaderChanged when leadership changes; the dissertation §6.4
//     has a deposed leader's reads fail rather than wait for a round that can no longer confirm
//     it. Otherwise a client waits out its timeout on a server that will never answer.
//
// The pending reads are the leader's view (read-only.ts's queue: the code judged is the queue's
// bookkeeping, not the view), the rounds are read on the wire (onSend of heartbeats). Read-only,
// never draws or schedules: hash-neutral. Per event: one byte read unless the touched node leads;
// a leader is looked at no more than once per quarter of the bound (its queue head and two
// numbers): a read that became the oldest between two looks is timed from the later one, so the
// bound a correct leader must meet only grows, and a late one is caught a quarter later at most.
import { RoleCode } from "../../../impl/raft/api.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { NodeStatus, TOUCHED_ALL } from "../../kernel/world.js";

type WireHeartbeat = { readonly term: number; readonly seq: number };

export class ReadLatencyCheck {
  /** Per node: 1 while it leads (from role notes). */
  private readonly leading: Uint8Array;
  /** Per node: 1 if it stopped leading in the current event (judged after it). */
  private readonly deposed: Uint8Array;
  private depositions = 0;
  /** Per node: the highest round seq it sent in a heartbeat, and in which term. */
  private readonly sentSeq: Float64Array;
  private readonly sentTerm: Float64Array;
  /** Per node: the oldest pending read as last seen (its identity), since when, in which term. */
  private readonly head: unknown[];
  private readonly headSince: Float64Array;
  private readonly headTerm: Float64Array;
  /** Per node: the reads answered without a round, awaiting release (the array's identity: it
   * is replaced when released), and since when. */
  private readonly ready: unknown[];
  private readonly readySince: Float64Array;
  private readonly boundUs: number;
  /** Per node: the earliest instant of its next look (see the header). */
  private readonly nextLook: Float64Array;

  constructor(private readonly n: number, heartbeatUs: number) {
    this.leading = new Uint8Array(n);
    this.deposed = new Uint8Array(n);
    this.sentSeq = new Float64Array(n);
    this.sentTerm = new Float64Array(n).fill(-1);
    this.head = new Array<unknown>(n).fill(null);
    this.headSince = new Float64Array(n);
    this.headTerm = new Float64Array(n);
    this.ready = new Array<unknown>(n).fill(null);
    this.readySince = new Float64Array(n);
    this.boundUs = 2 * heartbeatUs;
    this.nextLook = new Float64Array(n);
  }

  /** onNote, a role note: whether `id` leads from now on. */
  roleNoted(id: number, code: number): void {
    if (id >= this.n) return;
    const leads = code === RoleCode.leader ? 1 : 0;
    if (this.leading[id] === 1 && leads === 0 && this.deposed[id] === 0) {
      this.deposed[id] = 1;
      this.depositions++;
    }
    this.leading[id] = leads;
    this.nextLook[id] = 0;
    this.head[id] = null;
    this.ready[id] = null;
  }

  /** onSend of a heartbeat: the read round it carries. */
  sentHeartbeat(from: number, msg: WireHeartbeat): void {
    if (from >= this.n) return;
    if (this.sentTerm[from] !== msg.term) {
      this.sentTerm[from] = msg.term;
      this.sentSeq[from] = msg.seq;
    } else if (msg.seq > this.sentSeq[from]) this.sentSeq[from] = msg.seq;
  }

  /** A node crashed or was rebuilt (a fault event): it leads no more, its reads went with it. */
  private forget(id: number): void {
    this.leading[id] = 0;
    this.head[id] = null;
    this.ready[id] = null;
  }

  /** afterEvent(w, touched) for the event of server `touched` (≥ 0) at `now` would judge nothing
   * and change nothing: no deposition to judge, and the server is not leading or not due for a
   * look (a caller's gate, inlined where a call is not). */
  idle(now: number, touched: number): boolean {
    return this.depositions === 0 && touched >= 0 && (this.leading[touched] === 0 || now < this.nextLook[touched]);
  }

  afterEvent(w: AnyWorld, touched: number): string | null {
    if (this.depositions > 0) {
      const why = this.judgeDepositions(w);
      if (why !== null) return why;
    }
    if (touched >= 0) {
      if (this.leading[touched] === 0 || w.now < this.nextLook[touched]) return null;
      this.nextLook[touched] = w.now + this.boundUs / 4;
      return this.judgeLeader(w, touched);
    }
    if (touched !== TOUCHED_ALL) return null;
    // A fault: every clock of read-round-due starts again (see the header).
    for (let i = 0; i < this.n; i++) {
      if (w.nodes[i] === null) this.forget(i);
      this.head[i] = null;
      this.ready[i] = null;
      this.nextLook[i] = 0;
    }
    return null;
  }

  private judgeDepositions(w: AnyWorld): string | null {
    for (let i = 0; i < this.n && this.depositions > 0; i++) {
      if (this.deposed[i] === 0) continue;
      this.deposed[i] = 0;
      this.depositions--;
      const node = w.nodes[i] as MetaServer | null;
      if (node === null) continue;
      const raft = node.raft;
      if (raft.role() === "leader") continue; // led again within the event
      const queued = raft.reads.length - raft.readHead;
      const waiting = node.readsAwaitingRaft() - raft.readyNow.length;
      if (queued > 0 || waiting > 0) {
        return `deposed-reads-failed at node ${i}, t=${(w.now / 1000).toFixed(3)}ms, term ${raft.term()}: it stopped leading with ${queued} ReadIndex read(s) still queued and ${waiting > 0 ? waiting : 0} of its server's read(s) waiting for a read index, not failed`;
      }
    }
    return null;
  }

  private judgeLeader(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    if (w.status[id] !== NodeStatus.up) {
      // Paused: it receives nothing, ticks not either (world.ts), so it can send no round and
      // release nothing; an event can still touch it (a deferred delivery or tick: seed 47817,
      // a leader paused with a read that its next heartbeat tick would have sent). The pause is
      // a fault: its reads are timed from the first look after it resumes (a fault event too).
      this.head[id] = null;
      this.ready[id] = null;
      return null;
    }
    const raft = node.raft;
    const now = w.now;
    const rs = raft.readyNow;
    if (rs.length === 0) this.ready[id] = null;
    else if (this.ready[id] !== rs) {
      this.ready[id] = rs;
      this.readySince[id] = now;
    } else if (now - this.readySince[id] > this.boundUs) {
      return `read-round-due at node ${id}, t=${(now / 1000).toFixed(3)}ms, term ${raft.term()}: ${rs.length} read(s) answered without a round (lease) not released for ${((now - this.readySince[id]) / 1000).toFixed(3)}ms (bound ${(this.boundUs / 1000).toFixed(3)}ms)`;
    }
    if (raft.readHead >= raft.reads.length) {
      this.head[id] = null;
      return null;
    }
    const rd = raft.reads[raft.readHead];
    const term = raft.term();
    // A leader that is its own quorum (a voter alone in its configuration) needs no round.
    const ownQuorum = raft.cfg.quorum <= 1 && raft.voters().includes(id);
    if (rd.index < 0 && ownQuorum && raft.commitIndex() < raft.termStart) {
      // Its read index is not known yet: it waits for the leader's first commit of its term,
      // which for a voter alone is its own fsync of its no-op (a disk stall holds it: every-fault
      // seeds 5201, 6450). Not due: timed from the first look at which the index is known.
      this.head[id] = null;
      return null;
    }
    if (this.head[id] !== rd || this.headTerm[id] !== term) {
      this.head[id] = rd;
      this.headSince[id] = now;
      this.headTerm[id] = term;
      return null;
    }
    if (now - this.headSince[id] <= this.boundUs) return null;
    if (!ownQuorum && this.sentTerm[id] === term && this.sentSeq[id] >= rd.seq) return null;
    return `read-round-due at node ${id}, t=${(now / 1000).toFixed(3)}ms, term ${term}: its oldest pending read (round ${rd.seq}) has waited ${((now - this.headSince[id]) / 1000).toFixed(3)}ms (bound ${(this.boundUs / 1000).toFixed(3)}ms) ${ownQuorum ? "unreleased, though the leader is its own quorum" : `and no heartbeat of that round went out (highest sent: ${this.sentTerm[id] === term ? this.sentSeq[id] : "none this term"})`}`;
  }
}
