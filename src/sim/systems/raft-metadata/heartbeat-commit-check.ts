// heartbeat-commit-bound: the commit index a leader's heartbeat carries is at most the leader's
// own commit index and at most what the recipient acknowledged to it in its term (an
// AppendEntries success or a finished snapshot delivered to the leader). A heartbeat carries no
// entries and no prevIndex, so the follower cannot check that its log matches the leader's up to
// that index: a commit index past what it acknowledged may commit entries of its own that the
// leader never had, and one past the leader's commit index tells it of a commit that has not
// happened.
// Source: etcd raft.go sendHeartbeat ("The leader MUST NOT forward the follower's commit to an
// unmatched index": commit = min(pr.Match, raftLog.committed)); Figure 2's leaderCommit is
// carried by AppendEntries, whose consistency check makes it safe. Ours: every heartbeat, the
// ones a ReadIndex round sends and the one that tells a removed server it is out
// (step-leader.ts maybeCommit), too.
//
// catch-up-on-heartbeat-answer (same file, the other half of a heartbeat's round trip): a leader
// that hears a heartbeat answer of its term from a member that has not acknowledged its last
// entry (on the wire, in its term) sends it an AppendEntries or a snapshot chunk in that step —
// the answer ends any wait (probeSent) and frees a pipeline slot, so flow control always allows
// one: an append lost on the way is re-sent within a heartbeat interval even if no new entry
// comes. Source: etcd raft.go stepLeader MsgHeartbeatResp (`if pr.Match <
// r.raftLog.lastIndex() { r.sendAppend(m.From) }`, which sends an empty append if need be).
//
// Why (issue 12 part 3): the removal heartbeat's commit (step-leader.ts line 157,
// `r.commit < pr.match ? r.commit : pr.match`) and the catch-up append of a heartbeat answer
// (line 110, `sendAppend(r, from, true)`) were never judged.
//
// "Acknowledged" is read off the wire (an upper bound of the leader's Progress.match, which only
// an acknowledgement raises), the leader's commit index off its view as it sends. Read-only,
// never draws or schedules: hash-neutral. Cost: per append/snapshot answer delivered, two typed
// array reads; per heartbeat sent, two reads and a view read.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = { readonly type: string; readonly term: number; readonly commit?: number; readonly index?: number; readonly success?: boolean; readonly next?: number };

export class HeartbeatCommitCheck {
  /** Per leader * n + follower: the term of `hi` (-1: none) and the highest index acknowledged in it. */
  private readonly term: Float64Array;
  private readonly hi: Float64Array;

  /** The leader that owes member `owedTo` an append or chunk by the end of this event (-1: none). */
  private owedBy = -1;
  private owedTo = -1;
  private owedAcked = 0;
  private owedLast = 0;

  constructor(private readonly n: number) {
    this.term = new Float64Array(n * n).fill(-1);
    this.hi = new Float64Array(n * n);
  }

  /** onDeliver of a heartbeat answer, before the receiver handles it. */
  deliveredHeartbeatAnswer(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (from >= this.n || to >= this.n) return;
    const k = to * this.n + from;
    const acked = this.term[k] === msg.term ? this.hi[k] : 0;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    const last = raft.log.lastIndex();
    if (acked >= last || raft.role() !== "leader" || raft.term() !== msg.term || raft.prs[from] === undefined) return;
    this.owedBy = to;
    this.owedTo = from;
    this.owedAcked = acked;
    this.owedLast = last;
  }

  /** onSend of an append or snapshot chunk. */
  sentEntries(from: number, to: number): void {
    if (from === this.owedBy && to === this.owedTo) this.owedBy = -1;
  }

  /** Whether afterEvent has anything to judge (small enough to be inlined at the call). */
  pending(): boolean {
    return this.owedBy >= 0;
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    if (this.owedBy < 0) return null;
    const by = this.owedBy;
    this.owedBy = -1;
    // A fault event (a resumed server handles its held messages in one) is not judged.
    if (touched !== by) return null;
    return `catch-up-on-heartbeat-answer at node ${by}, t=${(w.now / 1000).toFixed(3)}ms: node ${this.owedTo} answered its heartbeat having acknowledged at most ${this.owedAcked} of its ${this.owedLast} entries in this term, and the leader sent it no append or snapshot chunk in that step (etcd stepLeader MsgHeartbeatResp)`;
  }

  /** onDeliver of an append or snapshot answer from `from` to `to`. */
  answerDelivered(from: number, to: number, msg: WireMsg): void {
    if (from >= this.n || to >= this.n) return;
    if (msg.type === "appResp" ? msg.success !== true : msg.next! >= 0) return;
    const k = to * this.n + from;
    if (msg.term > this.term[k]) {
      this.term[k] = msg.term;
      this.hi[k] = msg.index!;
    } else if (msg.term === this.term[k] && msg.index! > this.hi[k]) this.hi[k] = msg.index!;
  }

  /** onSend of a heartbeat; null: fine. */
  sentHeartbeat(w: AnyWorld, from: number, to: number, msg: WireMsg): string | null {
    if (msg.commit! <= 0 || from >= this.n || to >= this.n) return null;
    const k = from * this.n + to;
    const acked = this.term[k] === msg.term ? this.hi[k] : 0;
    if (msg.commit! <= acked) {
      const node = w.nodes[from] as MetaServer | null;
      if (node === null || msg.commit! <= node.raft.commitIndex()) return null;
      return `heartbeat-commit-bound at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: its heartbeat to node ${to} carries commit ${msg.commit!}, above its own commit index ${node.raft.commitIndex()}`;
    }
    return `heartbeat-commit-bound at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: its heartbeat to node ${to} carries commit ${msg.commit!}, but node ${to} acknowledged at most ${acked} to it in this term (a heartbeat has no consistency check: etcd's sendHeartbeat sends min(match, committed))`;
  }
}
