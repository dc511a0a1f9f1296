// Three rules about how long a server goes without hearing from a leader, each timed on the
// clock the rule is stated on (the server's own local clock for a follower's timer; for a
// leader's step-down, virtual time scaled by its clock's current drift), judged on deliveries,
// role notes and the answers sent:
//
//   election-timeout-respected: a server does not start an election (send a PreVote or a
//     RequestVote that is not forced by a TimeoutNow) within the minimum election timeout of receiving an AppendEntries, heartbeat or snapshot chunk of its term or newer
//     (Figure 2 / §5.2: "if election timeout elapses without receiving AppendEntries RPC from
//     current leader ... convert to candidate"; the timeout is drawn from
//     [electionMin, electionMax] and restarted on every such message). Any mode.
//   leader-stickiness: with CheckQuorum on, a server that received such a message from the
//     leader it still follows within the minimum election timeout grants no
//     PreVote and no RequestVote that is not forced (dissertation §4.2.3: "if a server receives a
//     RequestVote request within the minimum election timeout of hearing from a current leader,
//     it does not update its term or grant its vote"; etcd's lease-based vote refusal under
//     CheckQuorum, §9.6's PreVote the same; a TimeoutNow's forced election is the exception).
//     Nor does a leader (etcd: a leader is always within its own lease).
//   checkquorum-step-down: with CheckQuorum on, a leader that has received nothing from the
//     voters of a quorum of its configuration (itself counted if it is one) for two minimum
//     election timeouts (plus the drift bound) is no longer leader (dissertation §6.2: "a leader
//     steps down if an election timeout elapses without a successful round of heartbeats to a
//     majority of its cluster"; ours checks every electionMin, so a silence of up to 2 ×
//     electionMin can pass before the check that sees it).
//   The first two are the paper's; the bound of the third (2 × electionMin) is our Raft's
//   schedule of the paper's rule.
//
// A server's clock step (a clock-jump or offset fault) or restart forgets what it heard: a step
// moves its timers on the local clock, and a restarted server starts with no leader.
//
// Why (issue 12): raft.ts's recentlyHeardLeader (336–343, 16 survivors of run 23), the
// CheckQuorum step-down in onTick (239) and the timer rules changed only when an election
// happens, which no check bounded.
//
// Cost: on every delivery of an append, heartbeat or snapshot chunk, a local-clock read and three
// stores; on every server-to-server delivery one store (the leader's contact times); on vote
// requests and grants (rare) a few reads; the quorum count at most once per quarter election
// timeout per leader, on events of that leader. Read-only: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = { readonly type: string; readonly term: number; readonly force?: boolean; readonly pre?: boolean; readonly granted?: boolean };


export class LeaderContactCheck {
  /** Per server: its own clock's reading when it last received an append/heartbeat/chunk of its
   * term or newer, NaN: none since its last clock step or restart; the term and the sender. */
  private readonly heardAt: Float64Array;
  private readonly heardTerm: Float64Array;
  private readonly heardFrom: Int32Array;
  /** Per server: its clock's steps so far and its node object, as last seen at a fault. */
  private readonly stepped: Float64Array;
  private readonly seen: unknown[];
  /** Per server: up (1) or paused/crashed (0) at the last fault event. */
  private readonly wasUp: Uint8Array;
  /** lastFrom[to * n + from]: virtual time of the last delivery from `from` to `to`. */
  private readonly lastFrom: Float64Array;
  /** Per server: no step-down judgement before this virtual time (a clock step, a restart), and
   * the next time its quorum contact is counted. */
  private readonly judgeFrom: Float64Array;
  private readonly nextCount: Float64Array;
  /** Per server: the configuration index its last count used (a new configuration restarts the
   * bound: "a quorum of its configuration" is of the new one from then on). */
  private readonly confSeen: Float64Array;
  /** The vote request being handled: receiver (-1: none), sender, forced, and the receiver's
   * term and leader before it. */
  private voteTo = -1;
  private voteFrom = -1;
  private voteForced = false;
  private voteTermBefore = 0;
  private voteLeaderBefore = -1;
  private voteBefore = -1;
  private voteReqPre = false;
  private voteReqTerm = 0;
  private pending: string | null = null;
  /** Per server: the step-down bound in virtual time at its clock's current drift. */
  private readonly quorumSilenceUs: Float64Array;
  private readonly ppm: Float64Array;

  constructor(
    private readonly n: number,
    private readonly electionMinUs: number,
    private readonly checkQuorum: boolean,
  ) {
    this.heardAt = new Float64Array(n).fill(NaN);
    this.heardTerm = new Float64Array(n);
    this.heardFrom = new Int32Array(n).fill(-1);
    this.stepped = new Float64Array(n);
    this.seen = new Array<unknown>(n).fill(null);
    this.wasUp = new Uint8Array(n).fill(1);
    this.lastFrom = new Float64Array(n * n).fill(Number.NEGATIVE_INFINITY);
    this.judgeFrom = new Float64Array(n);
    this.nextCount = new Float64Array(n);
    this.confSeen = new Float64Array(n).fill(-1);
    this.ppm = new Float64Array(n);
    this.quorumSilenceUs = new Float64Array(n).fill(this.silence(0));
  }

  /** Every server-to-server delivery (before the receiver handles it). */
  deliveredAny(w: AnyWorld, from: number, to: number): void {
    this.lastFrom[to * this.n + from] = w.now;
    if (this.voteTo >= 0) this.voteDecided(w);
  }

  /** A delivery of an append, heartbeat or snapshot chunk to `to`, whose term was `ownTerm`. */
  deliveredLeaderMsg(w: AnyWorld, from: number, to: number, msgTerm: number, ownTerm: number): void {
    if (msgTerm < ownTerm) return;
    this.heardAt[to] = w.localNow(to);
    this.heardTerm[to] = msgTerm;
    this.heardFrom[to] = from;
  }

  /** A delivery of a vote request to `to` (after deliveredAny). */
  deliveredVote(w: AnyWorld, from: number, to: number, msg: WireMsg, ownTerm: number): void {
    if (this.voteTo >= 0) this.voteDecided(w);
    const r = (w.nodes[to] as MetaServer).raft;
    this.voteTo = to;
    this.voteFrom = from;
    this.voteForced = msg.force === true;
    this.voteReqPre = msg.pre === true;
    this.voteReqTerm = msg.term;
    this.voteTermBefore = ownTerm;
    this.voteLeaderBefore = r.leader();
    this.voteBefore = r.votedFor();
  }

  /** Server `id` became (pre)candidate (its role note) on its own timer: not forced by a
   * TimeoutNow and not a precandidate's win (whose campaign began at its PreVote). Judged when
   * the role changes, not when the requests leave: a candidate's requests wait for its term and
   * vote to be durable, and may leave after it has heard from a new leader. */
  campaigned(w: AnyWorld, id: number, pre: boolean): void {
    if (this.pending !== null) return;
    const since = w.localNow(id) - this.heardAt[id];
    if (since < this.electionMinUs) {
      this.pending = `election-timeout-respected at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: it became ${pre ? "precandidate" : "candidate"} ${(since / 1000).toFixed(3)}ms (its own clock) after a term-${this.heardTerm[id]} append/heartbeat from node ${this.heardFrom[id]}, within the minimum election timeout ${(this.electionMinUs / 1000).toFixed(3)}ms, without a TimeoutNow`;
    }
  }

  /** onSend of a voteResp: a PreVote grant (answered at once; a real vote is judged at the end of
   * the event, voteDecided, since its answer waits for the vote to be durable). */
  sentVoteResp(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.pre !== true || msg.granted !== true || from !== this.voteTo || to !== this.voteFrom) return;
    this.judgeGrant(w, from, "PreVote", msg.term);
  }

  /** After the event that delivered a vote request: did the receiver give its vote? */
  private voteDecided(w: AnyWorld): void {
    const to = this.voteTo;
    this.voteTo = -1;
    if (this.voteReqPre) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const r = node.raft;
    if (r.votedFor() !== this.voteFrom || r.term() !== this.voteReqTerm) return;
    if (this.voteTermBefore === this.voteReqTerm && this.voteBefore === this.voteFrom) return; // given before
    this.judgeGrant(w, to, "vote", this.voteReqTerm);
  }

  /** `from`: the server that granted (the vote request's receiver). */
  private judgeGrant(w: AnyWorld, from: number, what: string, term: number): void {
    if (!this.checkQuorum || this.voteForced || this.pending !== null) return;
    if (this.voteLeaderBefore === from) {
      // It led that term when the request came: a leader is always within its own lease.
      this.pending = `leader-stickiness at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it granted node ${this.voteFrom} a ${what} for term ${term} while leading term ${this.voteTermBefore} (CheckQuorum on, the request not forced)`;
      return;
    }
    if (this.heardFrom[from] !== this.voteLeaderBefore || this.heardTerm[from] !== this.voteTermBefore) return;
    const since = w.localNow(from) - this.heardAt[from];
    if (since < this.electionMinUs) {
      this.pending = `leader-stickiness at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it granted node ${this.voteFrom} a ${what} for term ${term} ${(since / 1000).toFixed(3)}ms (its own clock) after hearing from its leader node ${this.heardFrom[from]} of term ${this.heardTerm[from]}, within the minimum election timeout ${(this.electionMinUs / 1000).toFixed(3)}ms (CheckQuorum on, the request not forced)`;
    }
  }

  /** A fault event: a server whose clock stepped or that was replaced forgets its contacts; one
   * paused, crashed or resumed is not judged for a step-down until a whole silence bound later
   * (a paused server runs no timer, and messages to it wait). */
  fault(w: AnyWorld): void {
    const now = w.now;
    for (let i = 0; i < this.n; i++) {
      const up = w.isUp(i) ? 1 : 0;
      if (up !== this.wasUp[i] || up === 0) {
        this.wasUp[i] = up;
        this.holdOff(i, now + this.quorumSilenceUs[i]);
      }
      const c = w.clocks[i];
      // A drift change (scenarios drift clocks far past the swarm's ±1000 ppm) rescales the bound.
      const ppm = c.driftPpm;
      if (ppm !== this.ppm[i]) {
        this.ppm[i] = ppm;
        this.quorumSilenceUs[i] = this.silence(ppm);
        this.holdOff(i, now + this.quorumSilenceUs[i]);
      }
      const s = c.local(now) - c.monotonic(now);
      const node = w.nodes[i];
      if (s !== this.stepped[i] || node !== this.seen[i]) {
        // A backward step delays the server's armed wake-up by its size (monotonic.ts: the
        // wake-up is re-asked only at its next input, and an isolated leader has none).
        const back = s < this.stepped[i] ? this.stepped[i] - s : 0;
        this.stepped[i] = s;
        this.seen[i] = node;
        this.heardAt[i] = NaN;
        this.heardFrom[i] = -1;
        this.holdOff(i, now + this.quorumSilenceUs[i] + back);
      }
    }
  }

  /** After an event that touched server `id` (id >= 0). */
  touched(w: AnyWorld, id: number): void {
    // A delivery to a paused server touches it too (the message waits): not judged while paused.
    if (this.touchIdle(w.now, id) || this.pending !== null || !w.isUp(id)) return;
    this.nextCount[id] = w.now + this.electionMinUs / 4;
    const node = w.nodes[id] as MetaServer | null;
    if (node === null || node.raft.role() !== "leader") return;
    const ci = node.raft.configIndex();
    if (ci !== this.confSeen[id]) {
      this.confSeen[id] = ci;
      this.holdOff(id, w.now + this.quorumSilenceUs[id]);
      return;
    }
    const voters = node.raft.voters();
    const since = w.now - this.quorumSilenceUs[id];
    let heard = 0;
    for (const v of voters) if (v === id || (v < this.n && this.lastFrom[id * this.n + v] >= since)) heard++;
    if (heard * 2 > voters.length) return;
    this.pending = `checkquorum-step-down at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${node.raft.term()}: it still leads, but in the last ${(this.quorumSilenceUs[id] / 1000).toFixed(3)}ms it received messages from only ${heard} of its ${voters.length} voters [${voters.join(",")}] (itself counted if a voter), not a quorum`;
  }

  /** Server `id` became leader: a new leader is owed a whole silence bound before the
   * step-down rule judges it (§6.2 counts an election timeout of the leader's own; our Raft's
   * first CheckQuorum round is electionMin after it takes office and counts only what it heard
   * since). Without this, the window reached back before the election: swarm seeds 2782 and
   * 5708 failed 100–200 ms into a term whose votes had taken 213 and 477 ms to gather, the
   * earliest vote just outside the window. */
  becameLeader(w: AnyWorld, id: number): void {
    this.holdOff(id, w.now + this.quorumSilenceUs[id]);
  }

  /** No step-down judgement of `id` before `until` (never shortens an earlier hold: a drift change
   * after a backward step must not cut the step's delay short, swarm seed 561). */
  private holdOff(id: number, until: number): void {
    if (until > this.judgeFrom[id]) this.judgeFrom[id] = until;
  }

  /** 2 × electionMin on a clock drifting `ppm` (a slow one: a fast clock's is not shortened), in
   * virtual time, with 1% to spare (a wake-up armed before a drift change keeps its old virtual
   * time; a bound scaled down for a fast clock was crossed by swarm seed 561), plus 2 ms for the
   * tick that runs the check (it is armed for the deadline itself). */
  private silence(ppm: number): number {
    return ((2 * this.electionMinUs) / (1 + Math.min(ppm, 0) / 1e6)) * 1.01 + 2_000;
  }

  /** take(w) would report nothing and change nothing (a caller's gate). */
  idle(): boolean {
    return this.voteTo < 0 && this.pending === null;
  }

  /** touched(w, id) would return at once (the first of its own tests: a caller's gate, a call
   * less on most events — the next count is a quarter of electionMin away). */
  touchIdle(now: number, id: number): boolean {
    return !this.checkQuorum || now < this.nextCount[id] || now < this.judgeFrom[id];
  }

  take(w: AnyWorld): string | null {
    if (this.voteTo >= 0) this.voteDecided(w);
    const p = this.pending;
    this.pending = null;
    return p;
  }
}
