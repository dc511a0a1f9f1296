// Two things a leader owes in the step in which a message reaches it, judged on the wire:
//
//   leader-answers-prevote: a leader that is delivered a PreVote answers it (a rejection: it
//     leads) in that step — except a PreVote for a term above its own while CheckQuorum is on,
//     which the CheckQuorum lease ignores without an answer (§9.6 with §6.2's lease; etcd's Step
//     drops such a MsgPreVote while in lease, and answers every other one it handles, a leader
//     with a reject). A PreVote is answered at once (it changes no durable state), so an
//     unanswered one is lost for good: the precandidate learns nothing until its election
//     timer fires again.
//     Source: the Raft dissertation §9.6 (PreVote), etcd raft.go Step/stepLeader (a leader
//     handles MsgPreVote/MsgVote of its term by rejecting it).
//   leader-transfers-on-catch-up: a leader that is transferring leadership to a server and
//     hears that server acknowledge, in its term, its last entry (an AppendEntries success that
//     raises what the leader knows of the target's log to the leader's last index) sends the
//     target a TimeoutNow in that step (dissertation §3.10 step 2: once the target is caught up
//     "the prior leader sends a TimeoutNow request to the target server"; etcd stepLeader's
//     MsgAppResp: `if m.From == r.leadTransferee && pr.Match == r.raftLog.lastIndex()`).
//     A target that catches up after the request otherwise waits for the transfer to time out.
//     Whether the acknowledgement raises the leader's match is read from the leader's progress
//     of the target just before it handles it (as prompt-send-check.ts does).
//   leader-sends-requested-chunk (ours: the chunked InstallSnapshot of replication.ts; etcd sends
//     a snapshot whole): a leader that hears a follower ask for chunk c of the snapshot transfer it
//     is running to that follower (the request's index is the transfer's, the follower still
//     probing and still needing a snapshot: its next entry compacted away) sends it a snapshot
//     chunk in that step — chunk c (chunk 0 past the end) of that snapshot, or the start of a
//     newer one. One chunk is in flight at a time, so a request left unanswered stalls the
//     transfer until a heartbeat answer restarts it. Whether the request is current is read from
//     the leader's progress of the follower just before it handles it (as prompt-send-check.ts).
//
// Why (issue 12 part 3): step-leader.ts's `case "vote"` (a leader that drops a vote request of
// its term) and its TimeoutNow on a late catch-up (line 60) changed only when an election or a
// transfer happened, and its chunk-request branch (lines 118–124) only how long a snapshot
// transfer took; nothing judged them (run 29 survivors).
//
// Cost: work only on PreVote deliveries, voteResp and TimeoutNow sends (rare), and on append
// answers delivered to a leader that is transferring (a field read otherwise). Read-only
// (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

type WireMsg = { readonly type: string; readonly term: number; readonly pre?: boolean; readonly success?: boolean; readonly index?: number };

export class LeaderAnswersCheck {
  /** Per leader * n + precandidate: PreVotes delivered in this event and not yet answered. */
  private readonly owed: Uint16Array;
  private owedCount = 0;
  /** The leader that owes a TimeoutNow by the end of this event (-1: none), its target and term. */
  private tnLeader = -1;
  private tnTarget = -1;
  private tnTerm = 0;
  private tnIndex = 0;
  /** The leader that owes a snapshot chunk by the end of this event (-1: none), to whom, which. */
  private chLeader = -1;
  private chTo = -1;
  private chIndex = 0;
  private chChunk = 0;

  constructor(private readonly n: number) {
    this.owed = new Uint16Array(n * n);
  }

  /** onDeliver of a vote request (PreVote or not), before the receiver handles it. */
  deliveredVote(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.pre !== true || to >= this.n || from >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (raft.role() !== "leader") return;
    // The CheckQuorum lease: a higher-term PreVote is ignored (raft.ts step).
    if (msg.term > raft.term() && raft.opts.checkQuorum) return;
    this.owed[to * this.n + from]++;
    this.owedCount++;
  }

  /** onSend of a voteResp. */
  sentVoteResp(from: number, to: number, msg: WireMsg): void {
    if (this.owedCount === 0 || msg.pre !== true || from >= this.n || to >= this.n) return;
    const k = from * this.n + to;
    if (this.owed[k] === 0) return;
    this.owed[k]--;
    this.owedCount--;
  }

  /** onDeliver of an append answer, before the receiver handles it. */
  deliveredAppendAnswer(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.success !== true || to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    // One field read for the common case: no transfer to this sender.
    if (raft.transferTarget() !== from || raft.role() !== "leader" || msg.term !== raft.term()) return;
    const pr = raft.prs[from];
    const last = raft.log.lastIndex();
    if (pr === undefined || msg.index! <= pr.match || msg.index !== last) return;
    this.tnLeader = to;
    this.tnTarget = from;
    this.tnTerm = msg.term;
    this.tnIndex = last;
  }

  /** onDeliver of a snapshot answer, before the receiver handles it. */
  deliveredSnapshotAnswer(w: AnyWorld, from: number, to: number, msg: WireMsg & { readonly next?: number }): void {
    if (msg.next! < 0 || to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (raft.role() !== "leader" || msg.term !== raft.term()) return;
    const pr = raft.prs[from];
    if (pr === undefined || msg.index !== pr.snapIndex || pr.replicate || pr.next > raft.log.snapshotIndex()) return;
    this.chLeader = to;
    this.chTo = from;
    this.chIndex = msg.index!;
    this.chChunk = msg.next!;
  }

  /** onSend of a snapshot chunk. */
  sentChunk(from: number, to: number, msg: { readonly index: number; readonly chunk: number; readonly total: number }): void {
    if (from !== this.chLeader || to !== this.chTo) return;
    if (msg.index !== this.chIndex || msg.chunk === (this.chChunk < msg.total ? this.chChunk : 0)) this.chLeader = -1;
  }

  /** onSend of a TimeoutNow. */
  sentTimeoutNow(from: number, to: number): void {
    if (from === this.tnLeader && to === this.tnTarget) this.tnLeader = -1;
  }

  /** Whether afterEvent has anything to judge (small enough to be inlined at the call). */
  pending(): boolean {
    return this.owedCount > 0 || this.tnLeader >= 0 || this.chLeader >= 0;
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    if (this.owedCount === 0 && this.tnLeader < 0 && this.chLeader < 0) return null;
    // A fault (crash, restart, restore, pause) ends every obligation: start afresh.
    if (touched === TOUCHED_ALL) return this.clear();
    let why: string | null = null;
    if (this.owedCount > 0) {
      for (let k = 0; k < this.owed.length && why === null; k++) {
        if (this.owed[k] === 0) continue;
        const leader = Math.floor(k / this.n);
        why = `leader-answers-prevote at node ${leader}, t=${(w.now / 1000).toFixed(3)}ms: it led when node ${k % this.n}'s PreVote reached it and sent no answer in that step (a leader rejects every PreVote it does not ignore under the CheckQuorum lease; §9.6, etcd)`;
      }
    }
    if (why === null && this.tnLeader >= 0) {
      const node = w.nodes[this.tnLeader] as MetaServer | null;
      const raft = node === null ? null : node.raft;
      // Still the leader of that term, still transferring to the target: it owed the TimeoutNow.
      if (raft !== null && raft.role() === "leader" && raft.term() === this.tnTerm && raft.transferTarget() === this.tnTarget) {
        why = `leader-transfers-on-catch-up at node ${this.tnLeader}, t=${(w.now / 1000).toFixed(3)}ms, term ${this.tnTerm}: transferring leadership to node ${this.tnTarget}, it heard it acknowledge its last entry ${this.tnIndex} and sent it no TimeoutNow in that step (dissertation §3.10; etcd stepLeader)`;
      }
    }
    if (why === null && this.chLeader >= 0) {
      why = `leader-sends-requested-chunk at node ${this.chLeader}, t=${(w.now / 1000).toFixed(3)}ms: node ${this.chTo} asked for chunk ${this.chChunk} of the snapshot at ${this.chIndex} the leader is sending it, and the leader sent no such chunk (nor a newer snapshot) in that step (ours: replication.ts's chunked InstallSnapshot, one chunk in flight)`;
    }
    this.clear();
    return why;
  }

  private clear(): null {
    if (this.owedCount > 0) this.owed.fill(0);
    this.owedCount = 0;
    this.tnLeader = -1;
    this.chLeader = -1;
    return null;
  }
}
