// Where PreVote sits in a campaign, judged on the wire (the Raft dissertation §9.6; etcd's
// campaign()):
//
//   prevote-before-vote (§9.6: "a candidate would first ask other servers whether its log was
//     up-to-date enough to get their vote. Only if the candidate believed it could get votes from
//     a majority of the cluster would it increment its term and start a normal election"): with
//     PreVote on, a server sends an unforced RequestVote for term t only after the voters of a
//     quorum of its configuration (itself counted if it is one) sent it PreVote grants for t
//     in one PreVote round, its latest for t (prevote-rule.ts: a grant echoes its round's
//     number, VoteRequest.round). A grant of an earlier round says nothing of the voter now (it
//     may have heard from a leader since), nor does a grant for t − 1 say anything of t: before
//     the round number our Raft's precandidate counted both (swarm seed 166, every-fault seed 56
//     of an older build; this check then accepted any round's grants, and grants for t − 1).
//     Counted on the grants sent, not delivered: a necessary condition. For this check a round
//     starts at the server's first PreVote request sent with its number, and is won once its
//     grants make a quorum of the server's voters as they are then: a RequestVote that a
//     stalled disk held back (durability.ts defers it until the candidate's vote is durable)
//     may leave after a configuration change, or after SLOTS newer terms' rounds, whose
//     memory then no longer covers its term (not judged).
//   prevote-off (ours: PreVote is a per-cluster option): with PreVote off, no server sends a
//     PreVote request.
//   prevote-unforced (§3.10 with §9.6; etcd's campaignTransfer skips the pre-vote): a PreVote
//     request is never marked forced, and a server that was delivered a TimeoutNow does not start
//     a PreVote round in that step — the transfer's election is a real one at once, which is what
//     lets it pass the followers' leader stickiness.
//   prevote-same-term (§9.6: a PreVote is granted only where the real vote could be; etcd's
//     canVote): a server that already voted for another server in its current term, or follows
//     a leader of it, grants no PreVote for that same term to any server but the one it voted
//     for (etcd: `r.Vote == m.From` may always be granted — every-fault seed 2775: node 0,
//     which had voted for node 1 in term 6 and followed it, granted node 1's PreVote for 6);
//     a PreVote for a higher term is another matter: the server would move to that term and
//     could vote in it.
//
// Why (issue 12): election.ts's choice between a PreVote round and a real election (campaign,
// becomePreCandidate's single-voter shortcut, the PreVote request's force flag) changed only who
// gets elected when; no check looked at the order of a campaign's messages.
//
// Cost: work only on vote requests, PreVote grants and TimeoutNow deliveries (rare). Read-only
// (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = { readonly type: string; readonly term: number; readonly pre?: boolean; readonly force?: boolean; readonly granted?: boolean; readonly round?: number };

/** Bit masks of granters hold node ids below this. */
const MASK_IDS = 31;
/** Terms remembered per server. A stalled disk holds a candidate's RequestVotes while it goes
 * on campaigning: they leave in a burst at the stall's end, for every term it campaigned in
 * meanwhile (swarm seed 31 with disk stalls: terms 29 to 52 in 1.4 s). */
const SLOTS = 16;

export class PreVoteOrderCheck {
  /** Per server, for its last few terms (slot server * SLOTS + term % SLOTS): the term, its
   * latest PreVote round for it (the round's number, VoteRequest.round) and who sent it PreVote
   * grants in that round (bit mask). A candidate's RequestVotes leave once its vote is durable,
   * which may be after it started the PreVote round for the next term (another slot). */
  private readonly slotTerm: Float64Array;
  private readonly slotRound: Float64Array;
  private readonly granted: Int32Array;
  /** Per slot: 1 once the round's grants made a quorum of the server's voters as they were
   * then. A RequestVote held back by a stalled disk may leave after a configuration change
   * that removed the server or its granters (swarm seed 61 with disk stalls). */
  private readonly won: Uint8Array;
  /** The PreVote request being handled (receiver -1: none): its sender and the receiver's term,
   * vote and leader before it. */
  private voteTo = -1;
  private voteFrom = -1;
  private termBefore = 0;
  private voteBefore = -1;
  private leadBefore = -1;
  /** The server a TimeoutNow was delivered to in the current event (-1: none). */
  private timeoutTo = -1;
  private pending: string | null = null;

  constructor(
    private readonly n: number,
    private readonly preVote: boolean,
  ) {
    this.slotTerm = new Float64Array(n * SLOTS).fill(-1);
    this.slotRound = new Float64Array(n * SLOTS).fill(-1);
    this.granted = new Int32Array(n * SLOTS);
    this.won = new Uint8Array(n * SLOTS);
  }

  /** Who sent server `id` PreVote grants for `term` in its latest round for it (bit mask);
   * -1 when unknown: the slot was taken by a newer term's round (the server has campaigned for
   * SLOTS terms more since; its RequestVote for `term` is one its disk held back that long). */
  private grantsFor(id: number, term: number): number {
    const k = id * SLOTS + (term % SLOTS);
    const t = this.slotTerm[k];
    return t === term ? this.granted[k] : t > term ? -1 : 0;
  }

  /** onSend of a vote request (PreVote or not). */
  sentVote(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (from >= this.n || this.pending !== null) return;
    // The message head is built only on failure (this runs for every vote request).
    if (msg.pre === true) {
      if (!this.preVote) this.pending = `prevote-off ${at(from, w.now)}: it sent node ${to} a PreVote request for term ${msg.term}, but PreVote is off`;
      else if (msg.force === true) this.pending = `prevote-unforced ${at(from, w.now)}: it sent node ${to} a PreVote request for term ${msg.term} marked forced (only a transfer's real RequestVote is)`;
      else if (from === this.timeoutTo) this.pending = `prevote-unforced ${at(from, w.now)}: it was delivered a TimeoutNow and started a PreVote round (term ${msg.term}) instead of a real election`;
      // A new round (a request with another number, or for another term) starts a new tally.
      const k = from * SLOTS + (msg.term % SLOTS);
      if (this.slotTerm[k] !== msg.term || this.slotRound[k] !== msg.round) {
        this.slotTerm[k] = msg.term;
        this.slotRound[k] = msg.round ?? -1;
        this.granted[k] = 0;
        this.won[k] = 0;
      }
      return;
    }
    if (!this.preVote || msg.force === true) return;
    const node = w.nodes[from] as MetaServer | null;
    if (node === null) return;
    const voters = node.raft.voters();
    const mask = this.grantsFor(from, msg.term);
    if (mask < 0 || this.won[from * SLOTS + (msg.term % SLOTS)] === 1) return;
    const yes = quorumCount(voters, from, mask);
    if (yes * 2 <= voters.length) {
      this.pending = `prevote-before-vote ${at(from, w.now)}: it sent node ${to} an unforced RequestVote for term ${msg.term}, but only ${yes} of its ${voters.length} voters [${voters.join(",")}] (itself counted if a voter) granted it a PreVote for that term in its latest PreVote round, not a quorum`;
    }
  }

  /** onDeliver of a vote request, before the receiver handles it. */
  deliveredVote(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.voteTo = -1;
    if (msg.pre !== true || to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    this.voteTo = to;
    this.voteFrom = from;
    this.termBefore = node.raft.term();
    this.voteBefore = node.raft.votedFor();
    this.leadBefore = node.raft.leader();
  }

  /** onSend of a vote response: PreVote grants are counted per receiver, term and round. */
  sentVoteResp(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.pre !== true || msg.granted !== true || to >= this.n) return;
    if (from === this.voteTo && to === this.voteFrom && msg.term === this.termBefore && this.pending === null && this.voteBefore !== to && (this.voteBefore !== -1 || this.leadBefore !== -1)) {
      this.pending = `prevote-same-term at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it granted node ${to} a PreVote for its own term ${msg.term}, in which it ${this.leadBefore !== -1 ? `follows leader ${this.leadBefore}` : `voted for node ${this.voteBefore}`}`;
    }
    if (from >= MASK_IDS) return;
    // Only a grant of the receiver's latest round for the term: one of an earlier round, or for a
    // term whose slot a newer term took, is dropped.
    const k = to * SLOTS + (msg.term % SLOTS);
    if (this.slotTerm[k] === msg.term && this.slotRound[k] === msg.round) {
      this.granted[k] |= 1 << from;
      const node = w.nodes[to] as MetaServer | null;
      if (node !== null && this.won[k] === 0) {
        const voters = node.raft.voters();
        if (quorumCount(voters, to, this.granted[k]) * 2 > voters.length) this.won[k] = 1;
      }
    }
  }

  /** onDeliver of a TimeoutNow. */
  deliveredTimeoutNow(to: number): void {
    this.timeoutTo = to;
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.timeoutTo < 0 && this.voteTo < 0 && this.pending === null;
  }

  /** After every event; null: fine. */
  afterEvent(): string | null {
    this.timeoutTo = -1;
    this.voteTo = -1;
    const p = this.pending;
    this.pending = null;
    return p;
  }
}

/** How many of `voters` are `self` or granted (bit mask). */
function quorumCount(voters: readonly number[], self: number, mask: number): number {
  let yes = 0;
  for (const v of voters) if (v === self || (v < MASK_IDS && ((mask >>> v) & 1) === 1)) yes++;
  return yes;
}

function at(id: number, nowUs: number): string {
  return `at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms`;
}
