// Raft as a pure state machine, in the style of etcd's raft.go: inputs are onMessage / onTick /
// onPersisted / propose / readIndex / transferLeadership, each carrying the node's local time;
// every effect goes out through env (send, persist, wakeAt, note) or app (apply, readReady,
// readFailed). Follows the extended Raft paper and Ongaro's dissertation: PreVote (§9.6),
// CheckQuorum + leader lease on votes (§4.2.3, §6.2), ReadIndex (§6.4), leadership transfer
// (§3.10), fast conflict backtracking, Figure-8 commit rule.
//
// Durability before replies: durability.ts.
//
// Snapshots and log compaction (§7): compaction.ts.
//
// Fencing after a restore from a backup: fencing.ts. Planted bugs: bug-flags.ts. The node's
// fields: state.ts (a base class, so that the per-topic files need not import this one).
import type { NodeEnv, NodeId, Recovered } from "../node.js";
import { RoleCode } from "../node.js";
import type { ConfState, RaftApp, RaftEntry, RaftOptions, RaftView, Role } from "./api.js";
import { applyConf, appendLocal, canCampaign, checkConf, confAt, confChange, rescanConfs, appendConfAware, type ConfChange } from "./confchange.js";
import { broadcastHeartbeat, quorumActive, sendAppend, sendTimeoutNow } from "./replication.js";
import { handleAppendResponse, handleHeartbeatResponse, handleSnapshotResponse, maybeCommit } from "./step-leader.js";
import { failReads, registerRead, releaseDueReads } from "./read-only.js";
import { handleSnapshot, maybeScheduleSnapshot, recover, snapshotsDurable, takeSnapshot } from "./compaction.js";
import { resolveBugFlags } from "./bug-flags.js";
import { VOTE_GRANTED, VOTE_LOST, VOTE_NONE, VOTE_REJECTED, VOTE_WON, VoterSet } from "./quorum.js";
import { RaftLog } from "./log.js";
import { ignoresWhileFollowing, ReadLease } from "./lease.js";
import type {
  AppendRequest,
  AppendResponse,
  Heartbeat,
  HeartbeatResponse,
  RaftMessage,
  VoteRequest,
  VoteResponse,
} from "./messages.js";
import { Progress } from "./progress.js";
import type { RaftRecord } from "./records.js";
import { clampPendingWrites, persist, releaseDeferred, respond, writesDurable } from "./durability.js";
import { isFencedMessage, maybeUnfence } from "./fencing.js";
import { fail, RaftState } from "./state.js";
import type { RaftSnapshot } from "./snapshot.js";

export type { RaftMessage } from "./messages.js";
export type { RaftRecord } from "./records.js";

export { NOTE_CONFIG, NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN, NOTE_STEP_DOWN_REMOVED, NOTE_UNFENCED } from "./state.js";

export class Raft<C> extends RaftState<C> implements RaftView<C> {
  constructor(
    id: NodeId,
    opts: RaftOptions,
    env: NodeEnv<RaftMessage<C>, RaftRecord<C>, unknown>,
    app: RaftApp<C>,
    recovered: Recovered<RaftRecord<C>> | null,
    now: number,
  ) {
    super();
    if (!(opts.electionMinUs > 0 && opts.electionMaxUs >= opts.electionMinUs)) fail("bad election timeout range");
    if (!(opts.heartbeatUs > 0)) fail("bad heartbeat interval");
    if (!(opts.maxBatch >= 1)) fail("maxBatch must be >= 1");
    now = this.readClock(now);
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
    this.strict = this.bugs.strict;
    this.log = new RaftLog<C>(this.strict);
    this.lease = ReadLease.create(opts, now);

    const bound = Math.max(this.cfg.idBound, id + 1);
    this.votes = new Array<number>(bound).fill(VOTE_NONE);
    this.prs = new Array<Progress | undefined>(bound).fill(undefined);
    for (const p of this.cfg.ids) if (p !== id) this.prs[p] = new Progress(p, opts.maxInflight);
    for (const p of this.cfg.ids) if (p !== id) this.peers.push(p);

    if (recovered !== null) recover(this, recovered, now);
    env.note("role", RoleCode.follower, this.curTerm);
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
    if (this.snapDueAt >= 0 && now >= this.snapDueAt) {
      this.snapDueAt = -1;
      takeSnapshot(this);
    }
    if (this.readsDueAt >= 0) releaseDueReads(this, now);
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
        broadcastHeartbeat(this);
      }
    } else if (canCampaign(this) && now >= this.electionDeadline) {
      // A fenced node never campaigns: it waits for a leader of a term above fenceTerm.
      if (this.fenceTerm >= 0) this.resetElectionTimer(now);
      else this.campaign(false, now);
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
      } else {
        this.becomeFollower(m.term, -1, now);
      }
    } else if (m.term < this.curTerm) {
      if ((this.opts.checkQuorum || this.opts.preVote) && (m.type === "app" || m.type === "hb" || m.type === "snap")) {
        // Tell a stale leader about the newer term (otherwise, with PreVote/CheckQuorum, a node
        // with a higher term that nobody will vote for could stay stuck, etcd #5451).
        this.env.send(from, this.appResp(false, 0, 0, 0));
      } else if (m.type === "vote" && m.pre) {
        this.env.send(from, this.voteResp(this.curTerm, true, false));
      } else if (
        this.bugs.countStaleVote &&
        m.type === "voteResp" &&
        !m.pre &&
        m.granted &&
        this.curRole === "candidate"
      ) {
        // PLANTED BUG count-stale-vote: a grant from an earlier election is counted for this one.
        this.poll(from, true, now);
      }
      return;
    }

    if (this.curRole === "leader") {
      const pr = this.prs[from];
      // A fenced node's messages show no CheckQuorum activity (PLANTED BUG restore-unfenced
      // never sets the flag).
      if (pr !== undefined) {
        const fenced = isFencedMessage(m);
        if (!fenced) pr.recentActive = true;
        if (m.type === "appResp" || m.type === "hbResp" || m.type === "snapResp") pr.fenced = fenced;
      }
    }

    switch (m.type) {
      case "vote":
        this.handleVote(from, m, now);
        return;
      case "voteResp":
        if ((this.curRole === "precandidate" && m.pre) || (this.curRole === "candidate" && !m.pre && m.term === this.curTerm)) {
          this.poll(from, m.granted, now);
        }
        return;
      case "app":
        if (this.curRole === "leader") return; // two leaders in one term: only under planted bugs
        if (this.curRole !== "follower") this.becomeFollower(this.curTerm, from, now);
        this.handleAppend(from, m, now);
        return;
      case "hb":
        if (this.curRole === "leader") return;
        if (this.curRole !== "follower") this.becomeFollower(this.curTerm, from, now);
        this.handleHeartbeat(from, m, now);
        return;
      case "appResp":
        if (this.curRole === "leader") handleAppendResponse(this, from, m, now);
        return;
      case "hbResp":
        if (this.curRole === "leader") handleHeartbeatResponse(this, from, m, now);
        return;
      case "timeoutNow":
        if (this.curRole === "follower" && canCampaign(this) && this.fenceTerm < 0) this.becomeCandidate(true, now);
        return;
      case "snap":
        if (this.curRole === "leader") return;
        if (this.curRole !== "follower") this.becomeFollower(this.curTerm, from, now);
        handleSnapshot(this, from, m, now);
        return;
      case "snapResp":
        if (this.curRole === "leader") handleSnapshotResponse(this, from, m, now);
        return;
    }
  }

  /** Recently heard from a leader (CheckQuorum lease); a leader is always in its own lease. */
  recentlyHeardLeader(now: number): boolean {
    if (this.lead === -1) return false;
    if (this.curRole === "leader") return true;
    return now - this.lastLeaderContact < this.opts.electionMinUs;
  }

  private inLease(now: number): boolean {
    return this.opts.checkQuorum && (this.recentlyHeardLeader(now) || (this.lease !== null && this.lease.bootBlackout(now)));
  }

  // ======================================================================================
  // Elections
  // ======================================================================================

  private campaign(force: boolean, now: number): void {
    if (this.opts.preVote && !force) this.becomePreCandidate(now);
    else this.becomeCandidate(force, now);
  }

  private becomePreCandidate(now: number): void {
    if (this.curRole === "leader") fail("leader cannot become precandidate");
    this.setRole("precandidate");
    this.setLeader(-1);
    this.resetElectionTimer(now);
    this.votes.fill(VOTE_NONE);
    this.votes[this.id] = VOTE_GRANTED; // counted only if we are a voter (poll iterates voters)
    if (this.cfg.quorum <= 1 && this.isVoter) {
      this.becomeCandidate(false, now);
      return;
    }
    const req: VoteRequest = {
      type: "vote",
      term: this.curTerm + 1,
      from: this.id,
      pre: true,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      force: false,
    };
    for (const p of this.cfg.ids) if (p !== this.id) this.env.send(p, req);
  }

  private becomeCandidate(force: boolean, now: number): void {
    if (this.curRole === "leader") fail("leader cannot become candidate");
    this.setTermAndVote(this.curTerm + 1, this.id);
    this.setRole("candidate");
    this.setLeader(-1);
    this.resetElectionTimer(now);
    this.votes.fill(VOTE_NONE);
    const req: VoteRequest = {
      type: "vote",
      term: this.curTerm,
      from: this.id,
      pre: false,
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      force,
    };
    // Requests and our own vote count only once term+vote are durable: otherwise a crash could
    // forget the self-vote and let this node vote for someone else in the same term.
    for (const p of this.cfg.ids) if (p !== this.id) respond(this, p, req, true, now);
    respond(this, this.id, this.voteResp(this.curTerm, false, true), true, now);
  }

  private handleVote(from: NodeId, m: VoteRequest, now: number): void {
    // m.term >= curTerm here (a real vote with a higher term already moved us to it).
    // A fenced node grants nothing, in any term (see "Fencing").
    const canVote =
      this.fenceTerm < 0 &&
      (this.vote === from || (this.vote === -1 && this.lead === -1) || (m.pre && m.term > this.curTerm));
    const lastTerm = this.log.lastTerm();
    // PLANTED BUG vote-without-log-check: skip the election restriction (§5.4.1).
    const upToDate =
      this.bugs.voteWithoutLogCheck ||
      m.lastTerm > lastTerm ||
      (m.lastTerm === lastTerm && m.lastIndex >= this.log.lastIndex());
    // PreVote (§9.6): no prevote while we have heard from a leader within the minimum timeout.
    const leaseOk = !m.pre || m.force || !this.recentlyHeardLeader(now);
    // PLANTED BUG vote-not-persisted: reply without waiting for the hard state to be durable.
    const waitDurable = !this.bugs.voteNotPersisted;
    if (canVote && upToDate && leaseOk) {
      if (m.pre) {
        this.env.send(from, this.voteResp(m.term, true, true));
      } else {
        if (this.curRole === "candidate" || this.curRole === "leader") fail("granting a vote while candidate/leader");
        if (this.curRole === "precandidate") this.becomeFollower(this.curTerm, -1, now);
        this.setTermAndVote(this.curTerm, from);
        this.resetElectionTimer(now);
        respond(this, from, this.voteResp(this.curTerm, false, true), waitDurable, now);
      }
    } else {
      respond(this, from, this.voteResp(this.curTerm, m.pre, false), !m.pre && waitDurable, now);
    }
  }

  private poll(from: NodeId, granted: boolean, now: number): void {
    if (!this.cfg.has(from)) return;
    if (this.votes[from] === VOTE_NONE) this.votes[from] = granted ? VOTE_GRANTED : VOTE_REJECTED;
    const res = this.cfg.voteResult(this.votes);
    if (res === VOTE_WON) {
      if (this.curRole === "precandidate") this.becomeCandidate(false, now);
      else this.becomeLeader(now);
    } else if (res === VOTE_LOST) {
      this.becomeFollower(this.curTerm, -1, now);
    }
  }

  becomeFollower(term: number, leader: NodeId, now: number): void {
    const wasLeader = this.curRole === "leader";
    const termChanged = term !== this.curTerm;
    if (termChanged) this.setTermAndVote(term, -1);
    if (this.curRole !== "follower" || termChanged) this.setRole("follower");
    this.setLeader(leader);
    this.transferee = -1;
    this.resetElectionTimer(now);
    if (wasLeader) failReads(this, now);
  }

  private becomeLeader(now: number): void {
    if (this.curRole !== "candidate") fail("only a candidate becomes leader");
    if (this.vote !== this.id) fail("leader did not vote for itself");
    this.setRole("leader");
    this.setLeader(this.id);
    this.transferee = -1;
    applyConf(this, now); // a pending change: replicate to the members it removes too
    const next = this.log.lastIndex() + 1;
    for (const p of this.peers) this.prs[p]!.reset(next);
    this.reads.length = 0;
    this.readHead = 0;
    this.termStart = next;
    appendLocal(this, { index: next, term: this.curTerm, data: null });
    this.checkQuorumDeadline = now + this.opts.electionMinUs;
    this.heartbeatDeadline = now + this.opts.heartbeatUs;
    for (const p of this.peers) sendAppend(this, p, true);
  }

  // ======================================================================================
  // Follower side of replication
  // ======================================================================================

  private handleAppend(from: NodeId, m: AppendRequest<C>, now: number): void {
    this.lastLeaderContact = now;
    this.resetElectionTimer(now);
    this.setLeader(from);
    const off = this.log.snapshotIndex();
    if (m.prevIndex < off) {
      // Our snapshot covers prevIndex: entries up to it are committed, so they are the leader's.
      // Trim the message to start at the snapshot (a rare, delayed or duplicated append).
      const skip = Math.min(off - m.prevIndex, m.entries.length);
      if (skip < off - m.prevIndex) {
        respond(this, from, this.appResp(true, m.prevIndex + m.entries.length, 0, 0), true, now);
        return;
      }
      const at = m.entries[skip - 1];
      if (at.index !== off || (at.term !== this.log.snapshotTerm() && this.strict)) fail("leader's log disagrees with our snapshot");
      m = { ...m, prevIndex: off, prevTerm: at.term, entries: m.entries.slice(skip) };
    }
    const last = this.log.lastIndex();
    if (m.prevIndex > last || this.log.termAt(m.prevIndex) !== m.prevTerm) {
      let hintIndex: number;
      let hintTerm: number;
      if (m.prevIndex > last) {
        hintIndex = last;
        hintTerm = 0;
      } else {
        if (m.prevIndex <= this.commit && this.strict) fail("leader's log disagrees with a committed entry");
        hintTerm = this.log.termAt(m.prevIndex);
        let j = m.prevIndex;
        while (j - 1 > this.commit && this.log.termAt(j - 1) === hintTerm) j--;
        hintIndex = j;
      }
      this.env.send(from, this.appResp(false, m.prevIndex, hintIndex, hintTerm));
      return;
    }

    const ents = m.entries;
    const n = ents.length;
    if (n > 0 && ents[0].index !== m.prevIndex + 1) fail("AppendEntries entries not contiguous with prevIndex");
    // Skip the prefix we already hold (duplicates and reordered messages are harmless).
    let i = 0;
    while (i < n && ents[i].index <= last && this.log.termAt(ents[i].index) === ents[i].term) i++;
    if (i < n) {
      const fresh = i === 0 ? ents : ents.slice(i);
      const first = fresh[0].index;
      if (first <= last) {
        if (this.bugs.appendKeepsConflicts) {
          // PLANTED BUG append-keeps-conflicts: overwrite in place only where the new entries
          // reach and keep the rest of the old, conflicting suffix.
          for (const e of fresh) {
            if (e.index <= this.log.lastIndex()) this.log.overwrite(e);
            else this.log.append(e);
          }
          if (this.durable >= first) this.durable = first - 1;
          clampPendingWrites(this, first - 1);
          persist(this, [{ kind: "entries", entries: fresh }]);
          rescanConfs(this);
        } else {
          if (first <= this.commit && this.strict) fail("follower append would change a committed entry");
          this.truncateLocal(first);
          for (const e of fresh) appendConfAware(this, e);
          persist(this, [{ kind: "truncate", from: first }, { kind: "entries", entries: fresh }]);
        }
      } else {
        for (const e of fresh) appendConfAware(this, e);
        persist(this, [{ kind: "entries", entries: fresh }]);
      }
      // Only when a configuration entry came or went (no allocation on the common path).
      const top = this.confs.length > 0 ? this.confs[this.confs.length - 1] : this.baseConf;
      if (top.conf !== this.curConf || top.index !== this.curConfIndex) applyConf(this, now);
    }
    const lastNew = m.prevIndex + n;
    const c = m.commit < lastNew ? m.commit : lastNew;
    this.followerCommitTo(c, now);
    // PLANTED BUG ack-before-durable: acknowledge entries that may still be lost in a crash.
    respond(this, from, this.appResp(true, lastNew, 0, 0), !this.bugs.ackBeforeDurable, now);
  }

  private handleHeartbeat(from: NodeId, m: Heartbeat, now: number): void {
    this.lastLeaderContact = now;
    this.resetElectionTimer(now);
    this.setLeader(from);
    // The heartbeat's commit is min(leader commit, our match index), and a match index is only
    // as good as the acknowledgement behind it. A node restored from a backup (fenced) may have
    // lost what it acknowledged and hold other entries at those indices again, so it learns its
    // commit index only from appends, whose consistency check has just verified its log.
    // (Found by a 10,000-seed sweep, seed 5248: a restored node "committed" a stale entry.)
    if (this.fenceTerm < 0 || this.bugs.restoreUnfenced) {
      const last = this.log.lastIndex();
      this.followerCommitTo(m.commit < last ? m.commit : last, now);
    }
    const resp: HeartbeatResponse = { type: "hbResp", term: this.curTerm, from: this.id, seq: m.seq, fenced: this.fenceTerm >= 0 };
    this.env.send(from, resp);
  }

  private followerCommitTo(c: number, now: number): void {
    if (this.bugs.commitIndexDecreases) {
      // PLANTED BUG commit-index-decreases: take the leader's value even when it is lower.
      if (c !== this.commit) {
        this.commit = c;
        this.env.note("commit", c, this.curTerm);
        this.applyCommitted(now);
      }
      return;
    }
    if (c > this.commit) {
      this.commitTo(c, now);
      maybeUnfence(this);
    }
  }

  private truncateLocal(from: number): void {
    if (this.curRole === "leader") fail("a leader never truncates its own log");
    this.log.truncateFrom(from);
    // A truncated configuration entry no longer counts: the configuration reverts (§4.1).
    while (this.confs.length > 0 && this.confs[this.confs.length - 1].index >= from) this.confs.pop();
    if (this.durable >= from) this.durable = from - 1;
    clampPendingWrites(this, from - 1);
  }


  // ======================================================================================
  // Leader side of replication
  // ======================================================================================









  // ======================================================================================
  // Membership (dissertation ch. 4): single-server changes, learners, leader removal
  // ======================================================================================








  // ======================================================================================
  // Snapshots: taking, saving, sending, installing; fencing
  // ======================================================================================









  // ======================================================================================
  // ReadIndex
  // ======================================================================================




  // ======================================================================================
  // Commit and apply
  // ======================================================================================

  commitTo(c: number, now: number): void {
    if (c <= this.commit) fail("commit index must increase");
    if (c > this.log.lastIndex()) fail(`commit ${c} beyond last index ${this.log.lastIndex()}`);
    this.commit = c;
    this.env.note("commit", c, this.curTerm);
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
    if (this.applied > this.commit && !this.bugs.commitIndexDecreases) fail("applied beyond commit");
    maybeScheduleSnapshot(this, now);
  }

  // ======================================================================================
  // State helpers, durability, timers
  // ======================================================================================

  setRole(r: Role): void {
    this.curRole = r;
    this.env.note("role", RoleCode[r], this.curTerm);
  }

  setLeader(l: NodeId): void {
    if (l !== this.lead) {
      this.lead = l;
      this.env.note("leader", l, this.curTerm);
    }
  }

  setTermAndVote(term: number, vote: NodeId): void {
    if (term < this.curTerm) fail("term must never decrease");
    if (term === this.curTerm && this.vote !== -1 && vote !== this.vote) fail("two votes in one term");
    this.curTerm = term;
    this.vote = vote;
    // PLANTED BUG vote-not-persisted: the vote never reaches the disk.
    persist(this, [{ kind: "hs", term, vote: this.bugs.voteNotPersisted ? -1 : vote }]);
  }

  private voteResp(term: number, pre: boolean, granted: boolean): VoteResponse {
    return { type: "voteResp", term, from: this.id, pre, granted, fenced: this.fenceTerm >= 0 };
  }

  private appResp(success: boolean, index: number, hintIndex: number, hintTerm: number): AppendResponse {
    return { type: "appResp", term: this.curTerm, from: this.id, success, index, hintIndex, hintTerm, fenced: this.fenceTerm >= 0 };
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
    if (this.readsDueAt >= 0 && this.readsDueAt < d) d = this.readsDueAt;
    if (this.snapDueAt >= 0 && this.snapDueAt < d) d = this.snapDueAt;
    if (d === Number.POSITIVE_INFINITY) return;
    const local = this.clock.toLocal(d);
    if (force || local !== this.armedAt) {
      this.armedAt = local;
      this.env.wakeAt(local);
    }
  }
}

