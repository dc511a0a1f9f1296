// answer-fenced-flag (ours: fencing.ts, "responses carry the flag (appResp, hbResp, snapResp,
// voteResp); leaders discount flagged responses"): every answer a server sends says truly whether
// it is fenced — restored from a backup and not caught up since. A fenced server's answers must
// say so (a leader that counted them could commit, or stay leader, on acknowledgements of entries
// the server lost in the restore), and an answer says so only from a server that was restored
// at some point (only a restore fences; one that unfenced since may still send an answer it
// made while fenced: durability.ts holds answers until the disk catches up).
//
// fenced-no-vote (ours: fencing.ts, "campaigning and voting check fenceTerm"; election.ts: "a
// fenced node grants nothing, in any term"): a fenced server sends no vote request (PreVote or
// not) and grants no vote or PreVote — what it would vote with is a log it may have lost part of.
//
// fenced-heartbeat-commit (ours: step-follower.ts handleHeartbeat, found by a 10,000-seed sweep,
// seed 5248): a fenced server does not take a commit index from a heartbeat — a heartbeat's
// commit is min(leader commit, the match the server acknowledged), and a restored server may hold
// other entries at those indexes again; only an append, whose consistency check has just
// verified its log, tells it what is committed.
//
// Why (issue 12 part 3): the `fenced` field of appResp (step-follower.ts appResp), of hbResp
// (handleHeartbeat) and of voteResp (election.ts voteResp) survived every check: a leader trusts
// the flag, and so did the checks that judge what a leader counts.
//
// Cost: one comparison per answer sent; a view read only for a server that was ever restored.
// Read-only (messages, views and the world's restore counts): never draws or schedules,
// hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type Answer = { readonly type: string; readonly term: number; readonly fenced: boolean };

/** What a server's answer `msg` says falsely about its fencing; null: it says the truth. */
export function answerFencedFault(w: AnyWorld, from: number, msg: Answer): string | null {
  if (w.restores[from] === 0) {
    // Never restored: never fenced.
    if (msg.fenced) return `answer-fenced-flag at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: its ${msg.type} of term ${msg.term} says it is fenced, but it was never restored from a backup`;
    return null;
  }
  if (msg.fenced) return null;
  const node = w.nodes[from] as MetaServer | null;
  if (node === null || !node.raft.fenced()) return null;
  return `answer-fenced-flag at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: its ${msg.type} of term ${msg.term} says it is not fenced, but it is (restored from a backup, not caught up)`;
}

/** What is wrong with a fenced server's vote request or grant `msg`; null: fine (or not fenced). */
export function fencedVoteFault(w: AnyWorld, from: number, msg: { readonly type: string; readonly term: number; readonly pre?: boolean; readonly granted?: boolean }): string | null {
  if (w.restores[from] === 0 || (msg.type === "voteResp" && msg.granted !== true)) return null;
  const node = w.nodes[from] as MetaServer | null;
  if (node === null || !node.raft.fenced()) return null;
  const what = msg.type === "vote" ? `sent a ${msg.pre === true ? "PreVote" : "RequestVote"} for term ${msg.term}` : `granted a ${msg.pre === true ? "PreVote" : "vote"} for term ${msg.term}`;
  return `fenced-no-vote at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it ${what} while fenced (restored from a backup, not caught up)`;
}

/** The first fault seen on a send in the current event, reported after it. */
export class AnswerFencedCheck {
  private pending: string | null = null;
  /** The fenced server a heartbeat was delivered to in this event (-1: none), its commit before. */
  private hbTo = -1;
  private hbCommit = 0;

  /** onSend of an appResp, hbResp, snapResp or voteResp. */
  onSend(w: AnyWorld, from: number, msg: Answer): void {
    if (this.pending === null && from < w.restores.length) this.pending = answerFencedFault(w, from, msg);
  }

  /** onSend of a vote request or a voteResp (a voteResp: before onSend above, so that a fenced grant is named as such). */
  onVote(w: AnyWorld, from: number, msg: { readonly type: string; readonly term: number; readonly pre?: boolean; readonly granted?: boolean }): void {
    if (this.pending === null && from < w.restores.length) this.pending = fencedVoteFault(w, from, msg);
  }

  /** onDeliver of a heartbeat, before the receiver handles it: a fenced receiver's commit index. */
  deliveredHeartbeat(w: AnyWorld, to: number): void {
    this.hbTo = -1;
    if (to >= w.restores.length || w.restores[to] === 0) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null || !node.raft.fenced()) return;
    this.hbTo = to;
    this.hbCommit = node.raft.commitIndex();
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.hbTo < 0 && this.pending === null;
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld): string | null {
    const p = this.pending;
    this.pending = null;
    const to = this.hbTo;
    if (to < 0) return p;
    this.hbTo = -1;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null || node.raft.commitIndex() <= this.hbCommit) return p;
    return `fenced-heartbeat-commit at node ${to}, t=${(w.now / 1000).toFixed(3)}ms: fenced (restored from a backup, not caught up), it moved its commit index from ${this.hbCommit} to ${node.raft.commitIndex()} on a heartbeat`;
  }
}
