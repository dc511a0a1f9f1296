// The checks of who leads, whom a server follows, which configuration it uses, how a leader
// confirms it still leads before a read, how PreVotes are answered and when a server snapshots
// (config-check.ts, follow-check.ts, transfer-check.ts, read-index-check.ts, prevote-check.ts,
// snapshot-policy-check.ts), wired to the world's hooks as one, so
// that system.ts registers them in one place. Each throws nothing itself: a violation comes back
// as a message, which system.ts turns into a CheckFailure. Read-only: hash-neutral.
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";
import { ConfigCheck } from "./config-check.js";
import { FollowCheck } from "./follow-check.js";
import { PreVoteCheck } from "./prevote-check.js";
import { ReadIndexCheck } from "./read-index-check.js";
import { SnapshotPolicyCheck } from "./snapshot-policy-check.js";
import { TransferCheck } from "./transfer-check.js";

type WireMsg = { readonly type: string; readonly term: number; readonly force?: boolean; readonly pre?: boolean; readonly success?: boolean; readonly index?: number; readonly next?: number; readonly entries?: readonly { readonly index: number }[]; readonly seq?: number; readonly fenced?: boolean; readonly ctx?: number; readonly granted?: boolean };

export class LeadershipChecks {
  private readonly config: ConfigCheck;
  private readonly follow: FollowCheck;
  private readonly transfer: TransferCheck;
  private readonly reads: ReadIndexCheck;
  private readonly snapshots: SnapshotPolicyCheck;
  private readonly prevotes: PreVoteCheck;
  /** A violation seen on a send, reported after the event (a send cannot fail the run itself). */
  private pending: string | null = null;

  /** @param initialVoters the voters every member starts with (config-check.ts). */
  constructor(n: number, initialVoters: readonly number[]) {
    this.config = new ConfigCheck(n, initialVoters);
    this.follow = new FollowCheck(n);
    this.transfer = new TransferCheck(n);
    this.reads = new ReadIndexCheck(n);
    this.snapshots = new SnapshotPolicyCheck(n);
    this.prevotes = new PreVoteCheck(n);
  }

  // The world's hooks, one entry per message type (system.ts reads msg.type once and calls the
  // entry of that type): these run on every message, most messages concern none of the checks,
  // and a site that sees one or two message shapes reads their fields faster than one that
  // sees all of them.

  /** onSend of an appResp or snapResp: a follower's acknowledgement. */
  sentAck(from: number, to: number, msg: WireMsg): void {
    this.transfer.acked(from, to, msg);
  }

  /** onSend of a heartbeat or a readResp. */
  sentRead(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.reads.onSend(w, from, to, msg);
  }

  /** onSend of a voteResp. */
  sentVoteResp(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.prevotes.onSend(w, from, to, msg);
  }

  /** onSend of a vote or a timeoutNow. */
  sentVoteOrTimeout(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (this.pending === null) this.pending = this.transfer.onSend(w, from, to, msg);
  }

  // A resumed server gets its held messages in one event: a PreVote is judged alone or not at
  // all, so every delivery but a vote clears the PreVote noted (prevotes.to).

  /** onDeliver of an append or snapshot chunk. */
  deliveredAppend(from: number, to: number, msg: WireMsg): void {
    this.prevotes.to = -1;
    this.follow.delivered(from, to, msg.term);
    this.config.onDeliver(to, msg);
  }

  /** onDeliver of a heartbeat. */
  deliveredHeartbeat(from: number, to: number, msg: WireMsg): void {
    this.prevotes.to = -1;
    this.follow.delivered(from, to, msg.term);
  }

  /** onDeliver of an hbResp or a readReq (to the leader). */
  deliveredToLeader(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.prevotes.to = -1;
    this.reads.onDeliver(w, from, to, msg);
  }

  /** onDeliver of a vote (PreVote or not). */
  deliveredVote(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.prevotes.onDeliver(w, from, to, msg);
  }

  /** onDeliver of a timeoutNow. */
  deliveredTimeoutNow(from: number, to: number, msg: WireMsg): void {
    this.prevotes.to = -1;
    this.transfer.onDeliver(from, to, msg);
  }

  /** onDeliver of any other message (answers the leadership checks do not read). */
  deliveredOther(): void {
    this.prevotes.to = -1;
  }

  /** The world's onNote: a snapshot taken (NOTE_SNAPSHOT_TAKEN) or installed, b = its index. */
  snapshotNoted(w: AnyWorld, id: number, index: number, installed: boolean): void {
    this.snapshots.noted(w, id, index, installed);
  }

  /** After every event (World.touched: a node, TOUCHED_NONE or TOUCHED_ALL); `leads`: the touched
   * server is a leader (the caller reads it once for every check); null: fine. */
  afterEvent(w: AnyWorld, touched: number, leads: boolean): string | null {
    const sent = this.pending;
    this.pending = null;
    const read = this.reads.afterEvent();
    // A client's event (TOUCHED_NONE) delivers nothing to a server and notes nothing: only the
    // sends above can have something to report.
    if (touched === TOUCHED_NONE) return sent ?? read;
    if (sent !== null) return sent;
    if (read !== null) return read;
    const followed = this.follow.afterEvent(w, touched);
    if (followed !== null) return followed;
    if (touched === TOUCHED_ALL) return this.config.afterEvent(w, touched) ?? this.transfer.afterEvent(w, touched) ?? this.snapshots.afterEvent(w, touched) ?? this.prevotes.afterEvent(w);
    // A server's event, in the same order: each check is called only when its own gate (the
    // test its afterEvent starts with) says it may judge something, which most events do not
    // (a call less per check per event).
    if (this.config.due(touched) || leads) {
      const why = this.config.afterEvent(w, touched);
      if (why !== null) return why;
    }
    if (!this.transfer.idle(touched)) {
      const why = this.transfer.afterEvent(w, touched);
      if (why !== null) return why;
    }
    if (!this.snapshots.idle()) {
      const why = this.snapshots.afterEvent(w, touched);
      if (why !== null) return why;
    }
    return this.prevotes.idle() ? null : this.prevotes.afterEvent(w);
  }
}
