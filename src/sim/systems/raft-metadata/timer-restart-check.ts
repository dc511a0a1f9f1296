// Two rules about when a server's election timer starts over, judged on role notes and vote
// requests (issue 12: raft.ts becomeFollower's timer restart — 396–408 — and step()'s
// higher-term RequestVote branch — 297, 307 — survived every check: a timer restarted or kept
// wrongly changes only when the next election begins, which no check bounded):
//
//   deposed-leader-waits: a server that stops leading starts no election of its own timer (a
//     PreVote round or an unforced RequestVote) within the minimum election timeout of stepping
//     down. Figure 2: a follower becomes candidate only when an election timeout elapses without
//     hearing from a leader or granting a vote; a leader runs no election timer, so a deposed
//     leader's timeout is counted from when it became a follower (etcd's becomeFollower resets
//     electionElapsed). One that campaigned at once would disrupt the leader that deposed it.
//   vote-request-keeps-timer: a RequestVote that the server does not grant, and any PreVote
//     request, leave a non-leader's election deadline where it was (Figure 2: the timeout
//     restarts only on hearing from the current leader or granting a vote; §9.6: a PreVote
//     changes no state). Ours in one respect: etcd restarts the timer on every step to a higher
//     term; our Raft keeps it on a higher-term RequestVote (raft.ts, step(): otherwise a
//     candidate that cannot win holds back the servers that can — seed 43933).
//
// Times are the server's Raft time (its MonotonicTime of the local clock, the time its election
// deadline is kept in), so clock steps and drift change nothing here. A restart is a new node
// object and forgets the step-down (the new incarnation draws its own timer at boot).
//
// Cost: work only on role notes, vote requests and the deliveries of TimeoutNow and vote
// answers (all rare), and after an event that delivered a vote request. Read-only (views,
// never draws or schedules): hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { RoleCode } from "../../../impl/raft/api.js";
import type { AnyWorld } from "../../runner/system.js";

type VoteMsg = { readonly term: number; readonly pre?: boolean };

const FOLLOWER: number = RoleCode.follower;
const LEADER: number = RoleCode.leader;
const PRECANDIDATE: number = RoleCode.precandidate;
const CANDIDATE: number = RoleCode.candidate;

export class TimerRestartCheck {
  /** Per server: 1 while its last role note was leader. */
  private readonly leading: Uint8Array;
  /** Per server: its Raft time when it last stopped leading (NaN: never), and its node object
   * then (a restart since forgets it). */
  private readonly downAt: Float64Array;
  private readonly downNode: unknown[];
  /** The server a TimeoutNow or vote answer was delivered to in this event (-1: none): a
   * campaign it starts now is forced, or a precandidate's win, not one of its own timer. */
  private forcedTo = -1;
  /** The vote request delivered in this event: receiver (-1: none), sender, PreVote, its term;
   * the receiver's election deadline, term and vote before it. */
  private voteTo = -1;
  private voteFrom = -1;
  private votePre = false;
  private voteTerm = 0;
  private deadlineBefore = 0;
  private pending: string | null = null;

  constructor(
    private readonly n: number,
    private readonly electionMinUs: number,
  ) {
    this.leading = new Uint8Array(n);
    this.downAt = new Float64Array(n).fill(NaN);
    this.downNode = new Array<unknown>(n).fill(null);
  }

  /** A role note of server `id` (code = RoleCode). */
  roleNoted(w: AnyWorld, id: number, code: number): void {
    if (id >= this.n) return;
    if (code === LEADER) {
      this.leading[id] = 1;
      return;
    }
    const wasLeading = this.leading[id] === 1;
    this.leading[id] = 0;
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return;
    const r = node.raft;
    if (code === FOLLOWER) {
      if (wasLeading) {
        this.downAt[id] = r.clock.peek(w.localNow(id));
        this.downNode[id] = node;
      }
      return;
    }
    if ((code !== PRECANDIDATE && code !== CANDIDATE) || id === this.forcedTo || this.pending !== null) return;
    if (this.downNode[id] !== node) return;
    const since = r.clock.peek(w.localNow(id)) - this.downAt[id];
    if (since < this.electionMinUs) {
      this.pending = `deposed-leader-waits at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: it became ${code === CANDIDATE ? "candidate" : "precandidate"} of term ${r.curTerm} ${(since / 1000).toFixed(3)}ms (its Raft clock) after it stopped leading, within the minimum election timeout ${(this.electionMinUs / 1000).toFixed(3)}ms, without a TimeoutNow`;
    }
  }

  /** The delivery of a TimeoutNow or a vote answer to `to`, before it handles it. */
  deliveredForcing(to: number): void {
    this.forcedTo = to;
  }

  /** The delivery of a vote request (RequestVote or PreVote) to `to`, before it handles it. */
  deliveredVote(w: AnyWorld, from: number, to: number, msg: VoteMsg): void {
    if (to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null || node.raft.curRole === "leader") return;
    this.voteTo = to;
    this.voteFrom = from;
    this.votePre = msg.pre === true;
    this.voteTerm = msg.term;
    this.deadlineBefore = node.raft.electionDeadline;
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.forcedTo < 0 && this.voteTo < 0 && this.pending === null;
  }

  /** After every event (`only`: the server it touched, or TOUCHED_NONE / TOUCHED_ALL, both
   * negative); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    this.forcedTo = -1;
    const to = this.voteTo;
    if (to >= 0) {
      this.voteTo = -1;
      // Only an event that ran this server alone (a fault event may replay a paused server's
      // messages, appends among them, which restart the timer rightly).
      if (only === to && this.pending === null) this.judgeVote(w, to);
    }
    const p = this.pending;
    this.pending = null;
    return p;
  }

  private judgeVote(w: AnyWorld, to: number): void {
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const r = node.raft;
    const d = r.electionDeadline;
    if (d === this.deadlineBefore) return;
    if (!this.votePre && r.vote === this.voteFrom && r.curTerm === this.voteTerm) return; // granted: restarts
    this.pending = `vote-request-keeps-timer at node ${to}, t=${(w.now / 1000).toFixed(3)}ms: a ${this.votePre ? "PreVote" : "RequestVote"} request from node ${this.voteFrom} for term ${this.voteTerm}, ${this.votePre ? "" : "not granted, "}moved its election deadline from ${this.deadlineBefore}µs to ${d}µs (now ${r.curRole} of term ${r.curTerm})`;
  }
}
