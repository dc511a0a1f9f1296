// Raft as a pure state machine, in the style of etcd's raft.go: inputs are onMessage / onTick /
// onPersisted / propose / readIndex / transferLeadership, each carrying the node's local time;
// every effect goes out through env (send, persist, wakeAt, note) or app (apply, readReady,
// readFailed). Follows the extended Raft paper and Ongaro's dissertation: PreVote (§9.6),
// CheckQuorum + leader lease on votes (§4.2.3, §6.2), ReadIndex (§6.4), leadership transfer
// (§3.10), fast conflict backtracking, Figure-8 commit rule.
//
// This file is the node as the rest of the program sees it: the constructor, the read-only
// view (RaftView), the inputs, and Step — the term rule (§5.1), applied once to every message,
// then the handler of the node's role (etcd's step function: step-follower.ts,
// step-candidate.ts, step-leader.ts; selected by setRole). Also here: the role, leader, term
// and vote changes every part goes through, commitment and apply, and the timers. The rest is
// one file per topic, as etcd's raft package is split:
//   state.ts        the fields (a base class: the topic files take the node without importing
//                   this file, so there are no import cycles)
//   election.ts     campaigns, PreVote, RequestVote, becoming (pre)candidate and leader
//   replication.ts  AppendEntries / heartbeats / snapshots out, under the leader's flow control
//   confchange.ts   membership: single-server changes, learners, a removed leader
//   quorum.ts       voter sets, commit index and election tally
//   read-only.ts    ReadIndex and lease reads
//   compaction.ts   snapshots: taking, saving, installing, recovery on restart
//   durability.ts   durable before reply
//   fencing.ts      a node restored from a backup (and why the rules are safe)
//   bug-flags.ts    planted bugs
import type { NodeEnv, NodeId, Recovered } from "../node.js";
import type { ConfState, RaftApp, RaftEntry, RaftOptions, RaftView, Role } from "./api.js";
import { RaftNote, RoleCode } from "./api.js";
import { resolveBugFlags } from "./bug-flags.js";
import { fixedShapeOptions } from "./options-shape.js";
import { maybeScheduleSnapshot, recover, snapshotsDurable, takeSnapshot } from "./compaction.js";
import { appendLocal, canCampaign, checkConf, confAt, confChange, type ConfChange } from "./confchange.js";
import { persist, releaseDeferred, writesDurable } from "./durability.js";
import { campaign, voteResp } from "./election.js";
import { ignoresWhileFollowing, ReadLease } from "./lease.js";
import { RaftLog } from "./log.js";
import type { RaftMessage } from "./messages.js";
import { Progress } from "./progress.js";
import { VOTE_NONE, VoterSet } from "./quorum.js";
import { failReads, registerRead, releaseDueReads } from "./read-only.js";
import type { RaftRecord } from "./records.js";
import { broadcastHeartbeat, heartbeatTick, quorumActive, sendAppend, sendTimeoutNow } from "./replication.js";
import type { RaftSnapshot } from "./snapshot.js";
import { fail, NOT_DUE, RaftState } from "./state.js";
import { poll, stepCandidate } from "./step-candidate.js";
import { appResp, stepFollower } from "./step-follower.js";
import { maybeCommit, stepLeader } from "./step-leader.js";

export type { RaftMessage } from "./messages.js";
export type { RaftRecord } from "./records.js";

export { NOTE_CONFIG, NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN, NOTE_STEP_DOWN_REMOVED, NOTE_UNFENCED } from "./state.js";

export class Raft<C> extends RaftState<C> implements RaftView<C> {
  constructor(
    id: NodeId,
    given: RaftOptions,
    env: NodeEnv<RaftMessage<C>, RaftRecord<C>, unknown>,
    app: RaftApp<C>,
    recovered: Recovered<RaftRecord<C>> | null,
    now: number,
  ) {
    super();
    const opts = fixedShapeOptions(given);
    this.stepFn = stepFollower; // curRole starts as "follower" (state.ts)
    if (!(opts.electionMinUs > 0 && opts.electionMaxUs >= opts.electionMinUs)) fail("bad election timeout range");
    if (!(opts.heartbeatUs > 0)) fail("bad heartbeat interval");
    if (!(opts.maxBatch >= 1)) fail("maxBatch must be >= 1");
    now = this.readClock(now);
    this.preRound = Math.floor(now); // see RaftState.preRound
    this.id = id;
    this.opts = opts;
    this.env = env;
    this.app = app;
    const initial: ConfState = { voters: opts.voters, learners: [] };
    checkConf(initial);
    this.baseConf = { index: 0, conf: initial };
    this.curConf = initial;
    this.cfg = new VoterSet(opts.voters);
    this.isVoter = this.cfg.has(id);
    this.promoteLag = opts.promoteLag ?? 16;
    this.bugs = resolveBugFlags(opts.bugs);
    this.snapshotEvery = opts.snapshotEvery ?? 0;
    this.snapshotChunk = opts.snapshotChunk ?? 16;
    if (!(this.snapshotEvery >= 0 && this.snapshotChunk >= 1)) fail("bad snapshot settings");
    this.asserts = opts.asserts !== false;
    this.strict = this.bugs.strict && this.asserts;
    this.log = new RaftLog<C>(this.strict, this.asserts);
    this.lease = ReadLease.create(opts, this.leaseNow(now));

    const bound = Math.max(this.cfg.idBound, id + 1);
    this.votes = new Array<number>(bound).fill(VOTE_NONE);
    this.prs = new Array<Progress | undefined>(bound).fill(undefined);
    for (const p of this.cfg.ids) if (p !== id) this.prs[p] = new Progress(p, opts.maxInflight);
    for (const p of this.cfg.ids) if (p !== id) this.peers.push(p);

    if (recovered !== null) recover(this, recovered, now);
    env.note(RaftNote.role, RoleCode.follower, this.curTerm);
    this.resetElectionTimer(now);
    this.arm(true);
  }

  // ======================================================================================
  // RaftView
  // ======================================================================================

  role(): Role {
    return this.curRole;
  }
  term(): number {
    return this.curTerm;
  }
  votedFor(): NodeId {
    return this.vote;
  }
  leader(): NodeId {
    return this.lead;
  }
  commitIndex(): number {
    return this.commit;
  }
  appliedIndex(): number {
    return this.applied;
  }
  firstIndex(): number {
    return this.log.firstIndex();
  }
  lastIndex(): number {
    return this.log.lastIndex();
  }
  entry(i: number): RaftEntry<C> | undefined {
    return this.log.entry(i);
  }
  durableIndex(): number {
    return this.durable;
  }
  snapshotIndex(): number {
    return this.log.snapshotIndex();
  }
  snapshotTerm(): number {
    return this.log.snapshotTerm();
  }
  fenced(): boolean {
    return this.fenceTerm >= 0;
  }
  /** The latest snapshot this node holds (tests and tools). */
  latestSnapshot(): RaftSnapshot | null {
    return this.snap;
  }
  voters(): readonly NodeId[] {
    return this.cfg.ids;
  }
  learners(): readonly NodeId[] {
    return this.curConf.learners;
  }
  configIndex(): number {
    return this.curConfIndex;
  }
  votersAt(i: number): readonly NodeId[] {
    return confAt(this, i).voters;
  }
  /** Whether the latest configuration entry is still uncommitted (a change is in progress). */
  confChangePending(): boolean {
    return this.curConfIndex > this.commit;
  }
  /** The leases at local clock reading `local`, read without changing anything (tools):
   * quorumLease — CheckQuorum's promise (heard from a leader within electionMin, or just
   * restarted in lease mode: no vote for another candidate now), null without CheckQuorum;
   * readLeaseUs — a lease-mode leader's time left to answer reads locally, null outside lease
   * mode. */
  leaseView(local: number): { readonly quorumLease: boolean | null; readonly readLeaseUs: number | null } {
    return { quorumLease: this.quorumLeaseAt(local), readLeaseUs: this.readLeaseAt(local) };
  }
  /** leaseView's quorumLease without an object (the harness's lease checks read it after every
   * event). */
  quorumLeaseAt(local: number): boolean | null {
    return this.opts.checkQuorum ? this.inLease(this.clock.peek(local)) : null;
  }
  /** leaseView's readLeaseUs without an object. */
  readLeaseAt(local: number): number | null {
    return this.lease === null ? null : this.curRole === "leader" ? this.lease.remainingUs(this.curTerm, this.leaseNow(this.clock.peek(local))) : 0;
  }
  /** The transfer target while a leadership transfer is in progress, else -1. */
  transferTarget(): NodeId {
    return this.transferee;
  }

  // ======================================================================================
  // Inputs
  // ======================================================================================

  propose(data: C, now: number): { index: number; term: number } | null {
    now = this.readClock(now);
    if (this.curRole !== "leader" || this.transferee !== -1) return null;
    const e: RaftEntry<C> = { index: this.log.lastIndex() + 1, term: this.curTerm, data };
    appendLocal(this, e);
    for (const p of this.peers) sendAppend(this, p, false);
    this.arm(false);
    return { index: e.index, term: e.term };
  }

  /** Propose a single-server configuration change (dissertation §4.1). Refused (a reason is
   * returned) unless this node leads, has committed an entry of its term (the 2015 fix: an
   * earlier leader's uncommitted change may still be in some logs) and no other change is
   * uncommitted. The new configuration takes effect here at once, as it will on every server
   * that appends the entry. */
  proposeConfChange(ch: ConfChange, now: number): { index: number; term: number } | string {
    this.readClock(now);
    return confChange(this, ch);
  }

  /** Register a linearizable read. Never calls back synchronously: readReady / readFailed come
   * from a later input (a single-voter or stale-local-read answer comes from a tick at `now`). */
  readIndex(ctx: number, now: number): boolean {
    now = this.readClock(now);
    return registerRead(this, ctx, now);
  }

  transferLeadership(to: NodeId, now: number): boolean {
    now = this.readClock(now);
    if (this.curRole !== "leader" || to === this.id || !this.cfg.has(to)) return false;
    if (this.transferee === to) return true;
    this.transferee = to;
    this.transferDeadline = now + this.opts.electionMinUs;
    if (this.lease !== null) this.lease.revoke(this.curTerm); // TimeoutNow forces votes past the lease
    const pr = this.prs[to]!;
    if (pr.match === this.log.lastIndex()) sendTimeoutNow(this, to);
    else sendAppend(this, to, true);
    this.arm(false);
    return true;
  }

  onTick(now: number): void {
    now = this.readClock(now);
    if (now >= this.snapDueAt) {
      this.snapDueAt = NOT_DUE;
      takeSnapshot(this);
    }
    if (this.readsDueAt !== NOT_DUE) releaseDueReads(this, now);
    if (this.curRole === "leader") {
      if (this.opts.checkQuorum && now >= this.checkQuorumDeadline) {
        this.checkQuorumDeadline = now + this.opts.electionMinUs;
        if (!quorumActive(this)) {
          this.becomeFollower(this.curTerm, -1, now);
          this.arm(true);
          return;
        }
      }
      if (this.transferee !== -1 && now >= this.transferDeadline) this.transferee = -1; // abort
      if (now >= this.heartbeatDeadline) {
        this.heartbeatDeadline = now + this.opts.heartbeatUs;
        if (this.opts.coalesceHeartbeats === true) heartbeatTick(this, now);
        else broadcastHeartbeat(this);
      }
    } else if (canCampaign(this) && now >= this.electionDeadline) {
      // A fenced node never campaigns: it waits for a leader of a term above fenceTerm.
      if (this.fenceTerm >= 0) this.resetElectionTimer(now);
      // Lease mode: the promise covers our own candidacy too (no vote for ourselves either). The
      // election timer runs on the wall clock, which a forward step fires early; the promise
      // runs on the lease clock. Without steps the timer never fires inside the promise.
      else if (this.lease !== null && this.inLease(now)) this.resetElectionTimer(now);
      else campaign(this, false, now);
    }
    this.arm(true);
  }

  onPersisted(token: number, now: number): void {
    now = this.readClock(now);
    writesDurable(this, token);
    snapshotsDurable(this, token, now);
    releaseDeferred(this, token, now);
    if (this.curRole === "leader") maybeCommit(this, now);
    this.arm(false);
  }

  onMessage(from: NodeId, m: RaftMessage<C>, now: number): void {
    now = this.readClock(now);
    this.step(from, m, now);
    this.arm(false);
  }

  // ======================================================================================
  // Step: term handling, then dispatch (etcd's Step)
  // ======================================================================================

  step(from: NodeId, m: RaftMessage<C>, now: number): void {
    if (m.term > this.curTerm) {
      if (m.type === "vote" && !m.force && this.inLease(now)) {
        // CheckQuorum leader lease: a node that heard from a live leader within the minimum
        // election timeout ignores (pre)votes from others, so a partitioned node cannot disrupt.
        return;
      }
      // Lease reads: nor does a follower in that window take a higher term from a response.
      if (this.lease !== null && this.curRole === "follower" && ignoresWhileFollowing(m.type) && this.inLease(now)) return;
      if (m.type === "vote" && m.pre) {
        // a prevote never changes our term
      } else if (m.type === "voteResp" && m.pre && m.granted) {
        // a granted prevote carries the term we would campaign in; not a real term
      } else if (m.type === "app" || m.type === "hb" || m.type === "timeoutNow" || m.type === "snap") {
        this.becomeFollower(m.term, from, now);
      } else if (m.type === "vote") {
        // A RequestVote of a higher term moves us to its term but does not restart our election
        // timer (Figure 2: a follower times out unless it hears from the current leader or
        // GRANTS a vote; handleVote restarts the timer on a grant). Restarting it on every
        // request (etcd's becomeFollower) lets a candidate that cannot win — its log is behind a
        // majority's — hold back the servers that can: each of its failed elections re-draws
        // their timeouts, so an electable server must out-draw it afresh every round (seed
        // 43933, PreVote off: nodes whose logs were behind timed out first in all nine rounds
        // after the heal, no leader for 3.6 s). A (pre)candidate keeps the timer its campaign
        // started; a deposed leader has none running, so it starts one.
        this.becomeFollower(m.term, -1, now, false);
      } else {
        this.becomeFollower(m.term, -1, now);
      }
    } else if (m.term < this.curTerm) {
      if ((this.opts.checkQuorum || this.opts.preVote) && (m.type === "app" || m.type === "hb" || m.type === "snap")) {
        // Tell a stale leader about the newer term (otherwise, with PreVote/CheckQuorum, a node
        // with a higher term that nobody will vote for could stay stuck, etcd #5451).
        this.env.send(from, appResp(this, false, 0, 0, 0, 0));
      } else if (m.type === "vote" && m.pre) {
        this.env.send(from, voteResp(this, this.curTerm, true, false, m.round));
      } else if (
        this.bugs.countStaleVote &&
        m.type === "voteResp" &&
        !m.pre &&
        m.granted &&
        this.curRole === "candidate"
      ) {
        // PLANTED BUG count-stale-vote: a grant from an earlier election is counted for this one.
        poll(this, from, true, now);
      }
      return;
    }

    // Same term: the role's handler (stepFollower, stepCandidate or stepLeader; see setRole).
    this.stepFn(this, from, m, now);
  }

  /** Recently heard from a leader (CheckQuorum lease); a leader is always in its own lease. */
  recentlyHeardLeader(now: number): boolean {
    if (this.lead === -1) return false;
    if (this.curRole === "leader") return true;
    return now - this.lastLeaderContact < this.opts.electionMinUs;
  }

  private inLease(now: number): boolean {
    if (!this.opts.checkQuorum) return false;
    if (this.lease === null) return this.recentlyHeardLeader(now);
    // Lease mode: the promise the leader's lease rests on, timed on the lease clock.
    const t = this.leaseNow(now);
    return this.heardLeaderWithin(t) || this.lease.bootBlackout(t);
  }

  /** recentlyHeardLeader on the lease clock (`t` = leaseNow). */
  private heardLeaderWithin(t: number): boolean {
    if (this.lead === -1) return false;
    if (this.curRole === "leader") return true;
    return t - this.lastLeaderContactLease < this.opts.electionMinUs;
  }

  // ======================================================================================
  // Commit and apply
  // ======================================================================================

  commitTo(c: number, now: number): void {
    if (this.asserts && c <= this.commit) fail("commit index must increase");
    if (this.asserts && c > this.log.lastIndex()) fail(`commit ${c} beyond last index ${this.log.lastIndex()}`);
    this.commit = c;
    this.env.note(RaftNote.commit, c, this.curTerm);
    this.applyCommitted(now);
  }

  applyCommitted(now: number): void {
    if (this.applying) return;
    this.applying = true;
    try {
      while (this.applied < this.commit) {
        const e = this.log.entry(this.applied + 1);
        if (e === undefined) {
          if (this.strict) fail(`committed entry ${this.applied + 1} missing`);
          break;
        }
        this.applied++;
        this.app.apply(e, now);
      }
    } finally {
      this.applying = false;
    }
    if (this.asserts && this.applied > this.commit && !this.bugs.commitIndexDecreases) fail("applied beyond commit");
    maybeScheduleSnapshot(this, now);
  }

  // ======================================================================================
  // Role, leader, term and vote; timers
  // ======================================================================================

  /** Follow `leader` (-1: none known) in `term` (§5.1: a higher term always makes us a
   * follower; also a candidate that meets its term's leader, a leader that loses CheckQuorum or
   * leaves the configuration). The other role changes are in election.ts. */
  becomeFollower(term: number, leader: NodeId, now: number, restartTimer = true): void {
    const wasLeader = this.curRole === "leader";
    const termChanged = term !== this.curTerm;
    if (termChanged) this.setTermAndVote(term, -1);
    if (this.curRole !== "follower" || termChanged) this.setRole("follower");
    this.setLeader(leader);
    this.transferee = -1;
    if (restartTimer || wasLeader) this.resetElectionTimer(now);
    // Kept timer: the timeout is drawn all the same and dropped, so the node's random stream
    // stays where it was and a step-down followed by a grant (which restarts the timer) draws
    // exactly as before.
    else this.env.rng.int(this.opts.electionMinUs, this.opts.electionMaxUs);
    if (wasLeader) failReads(this, now);
  }
  /** The only place the role changes; it selects the role's step function with it (etcd's
   * become* set r.step; here become* live in election.ts and raft.ts and all come through). */
  setRole(r: Role): void {
    this.curRole = r;
    this.stepFn = r === "leader" ? stepLeader : r === "follower" ? stepFollower : stepCandidate;
    this.env.note(RaftNote.role, RoleCode[r], this.curTerm);
  }

  setLeader(l: NodeId): void {
    if (l !== this.lead) {
      this.lead = l;
      this.env.note(RaftNote.leader, l, this.curTerm);
    }
  }

  setTermAndVote(term: number, vote: NodeId): void {
    if (this.asserts && term < this.curTerm) fail("term must never decrease");
    if (this.asserts && term === this.curTerm && this.vote !== -1 && vote !== this.vote) fail("two votes in one term");
    this.curTerm = term;
    this.vote = vote;
    // PLANTED BUG vote-not-persisted: the vote never reaches the disk.
    persist(this, [{ kind: "hs", term, vote: this.bugs.voteNotPersisted ? -1 : vote }]);
  }

  resetElectionTimer(now: number): void {
    this.electionDeadline = now + this.env.rng.int(this.opts.electionMinUs, this.opts.electionMaxUs);
  }

  /** Every input's local time goes through here (see monotonic.ts). A backward step moves
   * where our deadlines fall on the local clock, so the wake-up is asked for again at once —
   * an input that does not otherwise re-arm (a client request) must not leave it stale. */
  private readClock(local: number): number {
    const now = this.clock.read(local);
    if (this.clock.takeStep()) this.arm(true);
    return now;
  }

  arm(force: boolean): void {
    let d: number;
    if (this.curRole === "leader") {
      d = this.heartbeatDeadline;
      if (this.opts.checkQuorum && this.checkQuorumDeadline < d) d = this.checkQuorumDeadline;
      if (this.transferee !== -1 && this.transferDeadline < d) d = this.transferDeadline;
    } else if (canCampaign(this)) {
      d = this.electionDeadline;
    } else {
      d = Number.POSITIVE_INFINITY;
    }
    if (this.readsDueAt < d) d = this.readsDueAt;
    if (this.snapDueAt < d) d = this.snapDueAt;
    if (d === Number.POSITIVE_INFINITY) return;
    const local = this.clock.toLocal(d);
    if (force || local !== this.armedAt) {
      this.armedAt = local;
      this.env.wakeAt(local);
    }
  }
}

