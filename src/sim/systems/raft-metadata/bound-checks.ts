// The checks that bound when things happen rather than what is committed (issue 12's liveness
// survivors of raft.ts and confchange.ts): stale-term-answer (stale-term-check.ts),
// election-timeout-respected, leader-stickiness and checkquorum-step-down
// (leader-contact-check.ts), non-voter-never-campaigns (campaign-check.ts) and
// transfer-completes (transfer-complete-check.ts), wired to the world's hooks as one so that
// system.ts registers them with one line per hook. A violation comes back as a message, which
// system.ts turns into a CheckFailure. Read-only (messages, views, clocks): hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";
import { RoleCode } from "../../../impl/raft/api.js";
import { campaignForbidden } from "./campaign-check.js";
import { LeaderContactCheck } from "./leader-contact-check.js";
import { StaleTermCheck } from "./stale-term-check.js";
import { TransferCompleteCheck } from "./transfer-complete-check.js";

const PRECANDIDATE: number = RoleCode.precandidate;
const CANDIDATE: number = RoleCode.candidate;
const LEADER: number = RoleCode.leader;

type WireMsg = { readonly type: string; readonly term?: number; readonly force?: boolean; readonly pre?: boolean; readonly granted?: boolean; readonly success?: boolean };
type Termed = WireMsg & { readonly term: number };

export interface BoundOptions {
  readonly electionMinUs: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
}

export class BoundChecks {
  private readonly stale: StaleTermCheck;
  private readonly contact: LeaderContactCheck;
  private readonly transfer: TransferCompleteCheck;
  /** The current event's last delivery (receiver -1: none). */
  private evTo = -1;
  private evType = "";
  /** A violation seen on a send, reported after the event. */
  private pending: string | null = null;

  constructor(private readonly n: number, o: BoundOptions) {
    this.stale = new StaleTermCheck(o.checkQuorum || o.preVote);
    this.contact = new LeaderContactCheck(n, o.electionMinUs, o.checkQuorum);
    this.transfer = new TransferCompleteCheck(n, o.electionMinUs);
  }

  /** Every server-to-server delivery, before the receiver handles it. */
  delivered(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (from >= this.n) return;
    this.contact.deliveredAny(w, from, to);
    this.transfer.delivered(w.now, from, to, msg.type);
    const t = msg.type;
    this.evTo = to;
    this.evType = t;
    if (t === "app" || t === "hb" || t === "snap") {
      const own = (w.nodes[to] as MetaServer).raft.term();
      this.stale.delivered(w.now, from, to, msg as Termed, own);
      this.contact.deliveredLeaderMsg(w, from, to, (msg as Termed).term, own);
    } else if (t === "vote") {
      const own = (w.nodes[to] as MetaServer).raft.term();
      this.stale.delivered(w.now, from, to, msg as Termed, own);
      this.contact.deliveredVote(w, from, to, msg as Termed, own);
    } else if (t === "appResp") {
      this.stale.other();
      this.transfer.ackDelivered(from, (msg as Termed).term, msg.success === true, (msg as { index?: number }).index ?? 0);
    } else if (t === "voteResp" || t === "timeoutNow") {
      // Rare: their stale copies must get no answer.
      this.stale.delivered(w.now, from, to, msg as Termed, (w.nodes[to] as MetaServer).raft.term());
    } else this.stale.other();
  }

  /** onSend of an appResp. */
  sentAppResp(from: number, to: number, msg: WireMsg): void {
    this.stale.sent(from, to, msg as Termed);
    this.transfer.ackSent(from, to);
  }

  /** onSend of a voteResp. */
  sentVoteResp(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.stale.sent(from, to, msg as Termed);
    this.contact.sentVoteResp(w, from, to, msg as Termed);
  }

  /** A role note (RaftNote.role, code = RoleCode): an election starts at a (pre)candidate note. */
  roleNoted(w: AnyWorld, id: number, code: number): void {
    if (code === LEADER) {
      this.contact.becameLeader(w, id);
      return;
    }
    if (code !== PRECANDIDATE && code !== CANDIDATE) return;
    if (this.pending === null) this.pending = campaignForbidden(w, id, code === CANDIDATE ? "candidate" : "precandidate");
    // Forced by a TimeoutNow, or a precandidate's win: not a campaign of its own timer.
    const byMessage = this.evTo === id && (this.evType === "timeoutNow" || this.evType === "voteResp");
    if (!byMessage) this.contact.campaigned(w, id, code === PRECANDIDATE);
  }

  /** A window fault asked `leader` to transfer in the middle of an event (faults.ts,
   * onWindowTransfer): a new request, as a "transfer-leader" fault is. Swarm seed 3720: a
   * snapshot race re-asked leader 2 (to node 1, then node 3 again) 73 ms after the fault's
   * request, which restarted its transfer deadline; judged from the fault's, transfer-completes
   * called the transfer never aborted. */
  windowTransfer(w: AnyWorld, leader: number, target: number, before: number): void {
    this.transfer.asked(w, leader, true, target, before);
  }

  /** A fault of raft-metadata's own kinds ran (faults.ts); args as it returned them;
   * transferBefore: the leader's transfer target before a transfer request (-1: none). */
  faultRan(w: AnyWorld, kind: string, args: readonly number[], transferBefore: number): void {
    if (kind === "transfer-leader" || (kind === "member-change-transfer" && args[1] >= 0)) this.transfer.asked(w, args[0], kind === "transfer-leader", args[1], transferBefore);
  }

  /** afterEvent(w, only) for the event of server `only` (≥ 0) at `now` would report nothing and
   * change nothing: no delivery in it, nothing pending, and each part's own gate closed (a
   * caller's gate: most events that deliver nothing). */
  idle(now: number, only: number): boolean {
    return only >= 0 && this.evTo === -1 && this.pending === null && this.contact.touchIdle(now, only) && this.stale.idle() && this.contact.idle() && this.transfer.idle();
  }

  /** After every event (`only`: the server it touched, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    this.evTo = -1;
    const all = only === TOUCHED_ALL;
    if (all) this.contact.fault(w);
    else if (only >= 0) this.contact.touched(w, only);
    const sent = this.pending;
    this.pending = null;
    if (sent !== null) return sent;
    // In the same order as ever; each check is called only when its own gate says it may have
    // something to report (most events: none of them).
    if (!this.stale.idle()) {
      const why = this.stale.afterEvent();
      if (why !== null) return why;
    }
    if (!this.contact.idle()) {
      const why = this.contact.take(w);
      if (why !== null) return why;
    }
    return only === TOUCHED_NONE || this.transfer.idle() ? null : this.transfer.afterEvent(w, all);
  }
}
