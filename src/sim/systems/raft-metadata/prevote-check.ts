// Two rules of PreVote (Raft dissertation §9.6), judged where a PreVote request is handled:
//
//   prevote-keeps-term: a server's term is the same after it handles a PreVote request as before
//     ("a server ... does not increment its term" in the pre-vote phase; neither does a server
//     that answers one: otherwise a partitioned server's pre-votes would disrupt the cluster,
//     which is what PreVote exists to prevent).
//   prevote-grant: a server grants a PreVote only to a request whose term is at least its own
//     (a pre-vote for a term the server has already left cannot lead to a real vote from it; etcd
//     rejects it the same way). The other half of §9.6's grant rule — the request's log at least
//     as up to date as the server's (§5.4.1) — is deliberately not judged here: it finds the
//     planted bug vote-without-log-check in a different event than the golden file pins for it
//     (raft-metadata rows must not move on this branch); it belongs with a golden re-pin.
//   Both are the paper's (etcd's raft applies the same rules to MsgPreVote). Our Raft's extra
//   condition — no pre-vote grant while the leader was heard within the minimum election
//   timeout — is not judged here (the lease checks judge the promise it rests on).
//
// Why (issue 12 part 3, run 23): raft.ts's term rule for pre-votes (a higher-term PreVote that
// moves the receiver's term; a stale one answered with a grant) changed only who gets elected
// when, and nothing judged it.
//
// Cost: work only on PreVote requests and their answers (rare). Read-only (messages and views),
// never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = { readonly type: string; readonly term: number; readonly pre?: boolean; readonly granted?: boolean };

export class PreVoteCheck {
  /** The PreVote request delivered in the current event, if it was the event's last delivery
   * (-1: none; a server resumed from a pause gets all its held messages in one event, and any
   * later delivery clears it). */
  to = -1;
  private from = -1;
  private reqTerm = 0;
  /** The receiver's term when the request arrived. */
  private termBefore = 0;
  private pending: string | null = null;

  constructor(private readonly n: number) {}

  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.type !== "vote" || msg.pre !== true || to >= this.n || from >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    this.to = to;
    this.from = from;
    this.reqTerm = msg.term;
    this.termBefore = node.raft.term();
  }

  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.type !== "voteResp" || msg.pre !== true || msg.granted !== true || from !== this.to || to !== this.from || this.pending !== null) return;
    if (this.reqTerm < this.termBefore) {
      this.pending = `prevote-grant at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it granted node ${to}'s PreVote for term ${this.reqTerm}, below its own term ${this.termBefore}`;
    }
  }

  /** afterEvent(w) would report nothing and change nothing (a caller's gate). */
  idle(): boolean {
    return this.to < 0 && this.pending === null;
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld): string | null {
    let v = this.pending;
    this.pending = null;
    if (this.to >= 0) {
      const node = w.nodes[this.to] as MetaServer | null;
      if (v === null && node !== null && node.raft.term() !== this.termBefore) {
        v = `prevote-keeps-term at node ${this.to}, t=${(w.now / 1000).toFixed(3)}ms: handling node ${this.from}'s PreVote request (term ${this.reqTerm}) moved its term from ${this.termBefore} to ${node.raft.term()}`;
      }
      this.to = -1;
    }
    return v;
  }
}
