// The checks of who leads, whom a server follows, which configuration it uses, how a leader
// confirms it still leads before a read, how PreVotes are answered and when a server snapshots
// (config-check.ts, follow-check.ts, transfer-check.ts, read-index-check.ts, prevote-check.ts,
// snapshot-policy-check.ts), wired to the world's hooks as one, so
// that system.ts registers them in one place. Each throws nothing itself: a violation comes back
// as a message, which system.ts turns into a CheckFailure. Read-only: hash-neutral.
import type { AnyWorld } from "../../runner/system.js";
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

  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.type === "hb" || msg.type === "readResp") return this.reads.onSend(w, from, to, msg);
    if (msg.type === "voteResp") this.prevotes.onSend(w, from, to, msg);
    if (this.pending !== null || (msg.type !== "timeoutNow" && msg.type !== "vote" && msg.type !== "appResp" && msg.type !== "snapResp")) return;
    this.pending = this.transfer.onSend(w, from, to, msg);
  }

  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.follow.onDeliver(w, from, to, msg);
    this.transfer.onDeliver(from, to, msg);
    this.config.onDeliver(to, msg);
    if (msg.type === "hbResp" || msg.type === "readReq") this.reads.onDeliver(w, from, to, msg);
    else if (msg.type === "vote") this.prevotes.onDeliver(w, from, to, msg);
  }

  /** The world's onNote: a snapshot taken (NOTE_SNAPSHOT_TAKEN, b = its index). */
  snapshotTaken(w: AnyWorld, id: number, index: number): void {
    this.snapshots.taken(w, id, index);
  }

  /** After every event (World.touched: a node, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    const sent = this.pending;
    this.pending = null;
    return sent ?? this.reads.afterEvent() ?? this.follow.afterEvent(w, touched) ?? this.config.afterEvent(w, touched) ?? this.transfer.afterEvent(w, touched) ?? this.snapshots.afterEvent(w, touched) ?? this.prevotes.afterEvent(w);
  }
}
