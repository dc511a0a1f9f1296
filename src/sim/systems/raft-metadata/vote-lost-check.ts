// vote-lost-steps-down (etcd's stepCandidate: on quorum.VoteLost a (pre)candidate becomes a
// follower of its term; ours follows it, step-candidate.ts poll): a candidate that the voters of
// a quorum of its configuration rejected in its current election — or a precandidate whose
// PreVote they rejected — is no longer that (pre)candidate of that term after the step that
// delivered the deciding rejection. It cannot win the round any more; staying in it keeps the
// election timer of a lost campaign and, for a candidate, a role in which it follows nobody.
//
// The answers are counted as the (pre)candidate counts them: the first answer of each voter of
// its configuration in the round (a round begins at its (pre)candidate role note), a PreVote
// answer to its current round by a precandidate (prevote-rule.ts: a rejection of its own term
// that echoes the round's number; a late rejection of an earlier round is not counted), a
// RequestVote answer of its term by a candidate. Judged after the event.
//
// Why (issue 12): quorum.ts's VoteResult 'lost' (the rejection count and its quorum test)
// survived every check: a lost election changed only when the next campaign began.
//
// Cost: work only on vote responses and role notes (rare). Read-only (messages and views), never
// draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { RoleCode } from "../../../impl/raft/api.js";
import type { AnyWorld } from "../../runner/system.js";
import { precandidateCounts } from "./prevote-rule.js";

type WireMsg = { readonly type: string; readonly term: number; readonly pre?: boolean; readonly granted?: boolean; readonly round?: number };

const PRECANDIDATE: number = RoleCode.precandidate;
const CANDIDATE: number = RoleCode.candidate;
/** Bit masks hold voter ids below this. */
const MASK_IDS = 31;

export class VoteLostCheck {
  /** Per server, in its current round: the voters whose answer counted, and which rejected. */
  private readonly answered: Int32Array;
  private readonly rejected: Int32Array;
  /** The (pre)candidate a counted answer was delivered to in this event (-1: none), its role and
   * term then. */
  private to = -1;
  private role = "";
  private term = 0;

  constructor(private readonly n: number) {
    this.answered = new Int32Array(n);
    this.rejected = new Int32Array(n);
  }

  /** A role note: a (pre)candidate role begins a round. */
  roleNoted(id: number, code: number): void {
    if (id >= this.n || (code !== PRECANDIDATE && code !== CANDIDATE)) return;
    this.answered[id] = 0;
    this.rejected[id] = 0;
  }

  /** onDeliver of a vote response, before the receiver handles it. */
  delivered(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (to >= this.n || from >= MASK_IDS) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const r = node.raft;
    const role = r.curRole;
    const term = r.curTerm;
    let counts: boolean;
    if (role === "precandidate") counts = msg.pre === true && precandidateCounts(term, r.preRound, msg);
    else if (role === "candidate") counts = msg.pre !== true && msg.term === term;
    else return;
    const bit = 1 << from;
    if (!counts || (this.answered[to] & bit) !== 0 || !r.voters().includes(from)) return;
    this.answered[to] |= bit;
    if (msg.granted !== true) this.rejected[to] |= bit;
    this.to = to;
    this.role = role;
    this.term = term;
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
    const node = w.nodes[id] as MetaServer | null;
    if (node === null || node.raft.curRole !== this.role || node.raft.curTerm !== this.term) return null;
    const voters = node.raft.voters();
    const mask = this.rejected[id];
    let no = 0;
    for (const v of voters) if (v < MASK_IDS && ((mask >>> v) & 1) === 1) no++;
    if (no * 2 <= voters.length) return null;
    return `vote-lost-steps-down at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${this.term}: ${no} of its ${voters.length} voters [${voters.join(",")}] rejected its ${this.role === "precandidate" ? "PreVote" : "election"}, a quorum, yet it is still ${this.role}`;
  }
}
