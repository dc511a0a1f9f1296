// The checks of what a server keeps across a restart and a backup restore (vote-kept-check.ts,
// fence-end-check.ts; snapshot-ack-check.ts; a fenced server's answer flags are answer-fenced-check.ts's answer-fenced-flag), wired to the world's hooks as one, so that system.ts registers them in
// one place. Each throws nothing itself: a violation comes back as a message, which system.ts
// turns into a CheckFailure. Read-only: hash-neutral.
import { NOTE_UNFENCED } from "../../../impl/raft/state.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";
import { FenceEndCheck } from "./fence-end-check.js";
import { snapshotAckFault } from "./snapshot-ack-check.js";
import { VoteKeptCheck } from "./vote-kept-check.js";

type VoteMsg = { readonly term: number; readonly pre: boolean };
type VoteAnswer = { readonly term: number; readonly pre: boolean; readonly granted: boolean };
type SnapshotAnswer = { readonly term: number; readonly index: number; readonly next: number };

export class PersistenceChecks {
  private readonly votes: VoteKeptCheck;
  private readonly fences: FenceEndCheck;
  /** A violation seen on a send, reported after the event. */
  private pending: string | null = null;
  /** Whether afterEvent has anything to do after an event that is not a fault: a violation
   * pending, an unfenced note to judge, or a fenced server to watch (rare: restores). system.ts
   * reads it so that an ordinary event costs one field read. */
  due = false;

  constructor(n: number) {
    this.votes = new VoteKeptCheck(n);
    this.fences = new FenceEndCheck(n);
  }

  /** onSend of a vote request (PreVote or not). */
  sentVote(from: number, msg: VoteMsg): void {
    if (!msg.pre) this.votes.askedVote(from, msg.term);
  }

  /** onSend of a vote answer (PreVote or not). */
  sentVoteResp(from: number, to: number, msg: VoteAnswer): void {
    if (msg.granted && !msg.pre) this.votes.grantedVote(from, to, msg.term);
  }

  /** onSend of a snapshot answer. */
  sentSnapshotAnswer(w: AnyWorld, from: number, msg: SnapshotAnswer): void {
    if (this.pending === null) this.pending = snapshotAckFault(w, from, msg);
    if (this.pending !== null) this.due = true;
  }

  /** The world's onNote of a custom note (a = its code). */
  noted(id: number, a: number): void {
    if (a === NOTE_UNFENCED) {
      this.fences.unfenceNoted(id);
      this.due = true;
    }
  }

  /** After a fault event (TOUCHED_ALL), or another event while `due`; null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    const sent = this.pending;
    this.pending = null;
    if (sent !== null) return sent;
    const why = touched === TOUCHED_ALL ? (this.votes.afterFault(w) ?? this.fences.afterFault(w)) : this.fences.afterEvent(w, touched);
    this.due = this.fences.watching > 0;
    return why;
  }
}
