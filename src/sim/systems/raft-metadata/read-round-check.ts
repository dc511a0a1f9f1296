// Two promptness rules of ReadIndex reads at a leader, judged after every event that touched it
// (issue 12 part 3: step-leader.ts's read-round bookkeeping — serving reads when a round is
// confirmed, sending the next round — survived every check: a read served late is still
// linearizable, so only a rule about *when* sees it):
//
//   read-served: in a step in which a heartbeat answer of its term reaches the leader or its
//     commit index moves, if the oldest pending read's heartbeat round has been acknowledged by
//     a quorum of voters (the leader and every voter whose heartbeat answer of this term with
//     seq >= the read's was delivered to it, not fenced) and its read index is known (it had
//     one, or this leader has committed an entry of its term), the leader releases it in that
//     same step (dissertation §6.4: "once the leader has received a majority of
//     acknowledgements … the read can be processed"; read-only.ts's processReads). An answer of
//     an earlier term is dropped unread (raft.ts, step): it obliges nothing (seed 33658).
//   read-round: with coalesceHeartbeats (ours: one round in flight), reads that wait for a round
//     not yet sent never wait once the round in flight is confirmed — the leader sends the next
//     round in the step of the heartbeat answer that confirms it (read-only.ts, nextReadRound).
//
// The acknowledgements are counted on the wire (onDeliver); the pending reads, their rounds and
// the leader's read sequence are the leader's view (read-only.ts's queue — not the replication
// or step-leader code this judges). A fenced answer confirms nothing (fencing.ts). An answer
// counts for the leader's Progress of the sender that it reached (the object, as pair-epoch.ts
// keys a pair): one from a server the leader tracked no Progress for is dropped unread, and a
// server removed and added back gets a new Progress that has seen no round yet (confchange.ts,
// ours) — without this, membership-churn seed 5 counted an answer of round 177 that reached the
// leader while node 0 was out of its configuration (dropped unread), and failed read-served at
// t=4849.987 ms once node 0 was added back.
//
// Read-only, never draws or schedules: hash-neutral. Per event: a look at the touched leader's
// read queue; the quorum count only when a read is pending.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

type WireMsg = { readonly type: string; readonly term: number; readonly seq?: number; readonly fenced?: boolean };

export class ReadRoundCheck {
  /** Per leader * n + voter: the highest round seq the voter acknowledged, and in which term. */
  private readonly acked: Float64Array;
  private readonly ackedTerm: Float64Array;
  /** Per leader * n + voter: the leader's Progress object the acknowledgement reached. */
  private readonly ackedBy: unknown[];
  /** Per node, in the current event: 1, a heartbeat answer was delivered to it; 2, an append or
   * snapshot answer (the steps in which a leader's commit index moves). */
  private readonly answered: Uint8Array;
  /** Per node, in the current event: the sender of the heartbeat answer delivered to it. */
  private readonly answeredBy: Int32Array;
  /** Per node, in the current event: its commit index and configuration index before the
   * first answer delivered to it (the world calls onDeliver before the node handles it). A
   * commit index read after an earlier judged event would be stale: the leader's own fsync
   * moves it too, in events that deliver no answer (swarm seed 6656). */
  private readonly commitBefore: Float64Array;
  private readonly confBefore: Float64Array;
  /** How many nodes' `answered` flags are set: with none, afterEvent has nothing to judge,
   * whatever the event touched (most events deliver no answer). */
  private marked = 0;

  constructor(private readonly n: number) {
    this.acked = new Float64Array(n * n);
    this.ackedTerm = new Float64Array(n * n).fill(-1);
    this.ackedBy = new Array<unknown>(n * n).fill(undefined);
    this.answered = new Uint8Array(n);
    this.answeredBy = new Int32Array(n);
    this.commitBefore = new Float64Array(n);
    this.confBefore = new Float64Array(n);
  }

  /** The world's onDeliver: a heartbeat answer reaching `to` (or an answer that may move its
   * commit index: the only steps in which a leader's commit moves). Called before `to` handles
   * it, so `to`'s Progress of `from` is the one the answer will reach. */
  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    const t = msg.type;
    if (from >= this.n || to >= this.n) return;
    if (t === "appResp" || t === "snapResp") {
      if (this.answered[to] === 0) this.mark(w, to);
      this.answered[to] |= 2;
      return;
    }
    if (t !== "hbResp") return;
    // An answer of another term than the receiver's never reaches a leader's Progress: Raft's
    // step drops one of a lower term, and one of a higher term deposes the receiver. It obliges
    // nothing and acknowledges nothing (seed 33658: a term-1 answer reaching the term-3 leader
    // was taken for the step that must serve a read a promotion had just confirmed).
    const node = w.nodes[to] as MetaServer | null;
    if (node === null || node.raft.term() !== msg.term) return;
    if (this.answered[to] === 0) this.mark(w, to);
    this.answered[to] |= 1;
    this.answeredBy[to] = from;
    if (msg.fenced === true) return;
    const pr = node.raft.prs[from];
    if (pr === undefined) return;
    const k = to * this.n + from;
    if (this.ackedTerm[k] !== msg.term || this.ackedBy[k] !== pr) {
      this.ackedTerm[k] = msg.term;
      this.ackedBy[k] = pr;
      this.acked[k] = 0;
    }
    if (msg.seq! > this.acked[k]) this.acked[k] = msg.seq!;
  }

  /** The first answer delivered to `to` in this event: what its state was before it. */
  private mark(w: AnyWorld, to: number): void {
    this.marked++;
    const node = w.nodes[to] as MetaServer | null;
    this.commitBefore[to] = node === null ? -1 : node.raft.commitIndex();
    this.confBefore[to] = node === null ? -1 : node.raft.configIndex();
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.marked === 0;
  }

  afterEvent(w: AnyWorld, touched: number): string | null {
    // Most events deliver no answer to anyone: one field read, nothing else.
    if (this.idle()) return null;
    if (touched >= 0) return this.answered[touched] === 0 ? null : this.leader(w, touched);
    if (touched !== TOUCHED_ALL) return null;
    for (let i = 0; i < this.n; i++) {
      const why = this.leader(w, i);
      if (why !== null) return why;
    }
    return null;
  }

  /** Whether a quorum of the leader's voters acknowledged round `seq` in `term`. */
  private confirmed(id: number, term: number, voters: readonly number[], prs: readonly unknown[], quorum: number, seq: number): boolean {
    let acks = 0;
    for (const p of voters) {
      const k = id * this.n + p;
      if ((p === id || (p < this.n && this.ackedTerm[k] === term && this.acked[k] >= seq && this.ackedBy[k] === prs[p])) && ++acks >= quorum) return true;
    }
    return false;
  }

  private leader(w: AnyWorld, id: number): string | null {
    const flags = this.answered[id];
    if (flags === 0) return null;
    this.answered[id] = 0;
    this.marked--;
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const raft = node.raft;
    const committed = raft.commitIndex() !== this.commitBefore[id];
    if (raft.readHead >= raft.reads.length) return null;
    // Judged only in the steps that oblige the leader: a heartbeat answer reached it (the
    // acknowledgement that may complete a quorum), or an answer moved its commit index (the
    // read index may have become known). A quorum completed by a configuration change alone is
    // served at the next heartbeat answer — so is one completed by a configuration change made
    // in this step (a learner promoted on its append answer, confchange.ts maybePromote, with
    // the read's round already acknowledged by it: swarm seed 6656).
    // A heartbeat answer from a server the leader tracks no progress for (removed from its
    // configuration) is dropped unread (step-leader.ts: `pr === undefined`): it obliges nothing.
    // Seen on swarm seeds 264 and 900 once membership changes met the window faults.
    const answered = (flags & 1) !== 0 && raft.prs[this.answeredBy[id]] !== undefined;
    if (!answered && !committed) return null;
    if (raft.configIndex() !== this.confBefore[id]) return null;
    if (raft.readHead >= raft.reads.length || raft.role() !== "leader") return null;
    const term = raft.term();
    const voters = raft.voters();
    const quorum = raft.cfg.quorum;
    // A leader that is its own quorum serves its reads at the next tick (read-only.ts: readsDueAt).
    if (quorum <= 1) return null;
    const rd = raft.reads[raft.readHead];
    if ((rd.index >= 0 || raft.commitIndex() >= raft.termStart) && this.confirmed(id, term, voters, raft.prs, quorum, rd.seq)) {
      return `read-served at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: the oldest pending read (round ${rd.seq}) is acknowledged by a quorum and its read index is known, but the leader did not release it in this step`;
    }
    if (!answered || raft.opts.coalesceHeartbeats !== true) return null;
    const newest = raft.reads[raft.reads.length - 1];
    if (newest.seq > raft.readSeq && this.confirmed(id, term, voters, raft.prs, quorum, raft.readSeq)) {
      return `read-round at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: reads wait for round ${newest.seq}, the round in flight (${raft.readSeq}) is acknowledged by a quorum, and the leader sent no new round in this step`;
    }
    return null;
  }
}
