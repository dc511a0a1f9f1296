// timeout-now-campaigns (dissertation §3.10: "the target server … begins a new election" when it
// receives TimeoutNow; etcd's stepFollower on MsgTimeoutNow → hup(campaignTransfer)): a follower
// delivered a TimeoutNow of its term (or of a higher term, which it first takes, following the
// sender), that is a voter of its configuration and not fenced, has started that election by the
// end of the step — it is a candidate (or, alone in its configuration, the leader) of the next
// term. A (pre)candidate ignores TimeoutNow (etcd does too), and a fenced server does not campaign
// at all (fencing.ts); neither is judged.
//
// Why (issue 12 part 3): step-follower.ts's TimeoutNow case (the case label, its guard
// `canCampaign(r) && r.fenceTerm < 0`) survived every check: a target that never campaigned
// only let the transfer time out, and transfer-completes judges the outcome only for a target
// that was caught up over working links until the deadline, which the reduced sweep rarely has.
//
// Cost: work only on TimeoutNow deliveries (rare): a few view reads before and after the step.
// Read-only (messages and views): never draws or schedules, hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = { readonly type: string; readonly term: number };

export class TimeoutNowCheck {
  /** The server a TimeoutNow was delivered to in this event (-1: none), and what it was before. */
  private to = -1;
  private msgTerm = 0;
  private termBefore = 0;
  private followerBefore = false;

  constructor(private readonly n: number) {}

  /** onDeliver of a TimeoutNow, before the receiver handles it. */
  delivered(w: AnyWorld, to: number, msg: WireMsg): void {
    this.to = -1;
    if (to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    this.to = to;
    this.msgTerm = msg.term;
    this.termBefore = node.raft.term();
    this.followerBefore = node.raft.role() === "follower";
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.to < 0;
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld): string | null {
    const id = this.to;
    if (id < 0) return null;
    this.to = -1;
    // A TimeoutNow of a lower term is stale; one of the server's own term reaches a campaign only
    // from a follower (a higher term makes it a follower of that term first).
    if (this.msgTerm < this.termBefore || (this.msgTerm === this.termBefore && !this.followerBefore)) return null;
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const r = node.raft;
    if (r.fenced() || !r.voters().includes(id)) return null;
    // Lease mode may keep a follower from taking a higher term from some messages (lease.ts's
    // ignoresWhileFollowing), never from a TimeoutNow; a server still below the message's term
    // did not take it, and is judged as not campaigning all the same.
    const role = r.role();
    if ((role === "candidate" || role === "leader") && r.term() === this.msgTerm + 1) return null;
    return `timeout-now-campaigns at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: it was delivered a TimeoutNow for term ${this.msgTerm} as a voter, unfenced ${this.followerBefore ? "follower" : "server"} of term ${this.termBefore}, and is ${role} of term ${r.term()} after the step, not a candidate of term ${this.msgTerm + 1}`;
  }
}
