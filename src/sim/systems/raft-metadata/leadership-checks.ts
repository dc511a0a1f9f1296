// The checks of who leads, whom a server follows, which configuration it uses, how a leader
// confirms it still leads before a read, how PreVotes are answered and when a server snapshots
// (config-check.ts, follow-check.ts, transfer-check.ts, read-index-check.ts, prevote-check.ts,
// snapshot-policy-check.ts), wired to the world's hooks as one, so
// that system.ts registers them in one place. Each throws nothing itself: a violation comes back
// as a message, which system.ts turns into a CheckFailure. Read-only: hash-neutral.
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_NONE } from "../../kernel/world.js";
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

  constructor(n: number) {
    this.config = new ConfigCheck(n);
    this.follow = new FollowCheck(n);
    this.transfer = new TransferCheck(n);
    this.reads = new ReadIndexCheck(n);
    this.snapshots = new SnapshotPolicyCheck(n);
    this.prevotes = new PreVoteCheck(n);
  }

  // The world's hooks: one read of the message's type, and only the checks that judge that type
  // are called (these run on every message; most messages concern none of them).
  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    const t = msg.type;
    if (t === "appResp" || t === "snapResp") this.transfer.acked(from, to, msg);
    else if (t === "hb" || t === "readResp") this.reads.onSend(w, from, to, msg);
    else if (t === "voteResp") this.prevotes.onSend(w, from, to, msg);
    else if ((t === "timeoutNow" || t === "vote") && this.pending === null) this.pending = this.transfer.onSend(w, from, to, msg);
  }

  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    const t = msg.type;
    // A resumed server gets its held messages in one event: a PreVote is judged alone or not at all.
    if (t !== "vote") this.prevotes.to = -1;
    if (t === "app" || t === "snap") {
      this.follow.delivered(from, to, msg.term);
      this.config.onDeliver(to, msg);
    } else if (t === "hb") this.follow.delivered(from, to, msg.term);
    else if (t === "hbResp" || t === "readReq") this.reads.onDeliver(w, from, to, msg);
    else if (t === "vote") this.prevotes.onDeliver(w, from, to, msg);
    else if (t === "timeoutNow") this.transfer.onDeliver(from, to, msg);
  }

  /** The world's onNote: a snapshot taken (NOTE_SNAPSHOT_TAKEN) or installed, b = its index. */
  snapshotNoted(w: AnyWorld, id: number, index: number, installed: boolean): void {
    this.snapshots.noted(w, id, index, installed);
  }

  /** After every event (World.touched: a node, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    const sent = this.pending;
    this.pending = null;
    const read = this.reads.afterEvent();
    // A client's event (TOUCHED_NONE) delivers nothing to a server and notes nothing: only the
    // sends above can have something to report.
    if (touched === TOUCHED_NONE) return sent ?? read;
    return sent ?? read ?? this.follow.afterEvent(w, touched) ?? this.config.afterEvent(w, touched) ?? this.transfer.afterEvent(w, touched) ?? this.snapshots.afterEvent(w, touched) ?? this.prevotes.afterEvent(w);
  }
}
