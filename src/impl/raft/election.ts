// Leader election (§5.2, §5.4.1; dissertation §9.6 PreVote, §3.10 leadership transfer): a
// follower whose election timer fires campaigns — first a PreVote round in the next term, which
// changes no term and no vote, then a real election — and a candidate that polls a quorum of
// grants becomes leader (the tally is step-candidate.ts's poll). handleVote is the RequestVote
// receiver: the election restriction (a candidate's log must be at least as up to date), at
// most one vote per term, made durable before the grant leaves (durability.ts), no prevote
// while a leader was heard from within the minimum election timeout, and none at all while
// fenced (fencing.ts).
import type { NodeId } from "../node.js";
import type { VoteRequest, VoteResponse } from "./messages.js";
import { appendLocal, applyConf } from "./confchange.js";
import { respond } from "./durability.js";
import { VOTE_GRANTED, VOTE_NONE } from "./quorum.js";
import { sendAppend } from "./replication.js";
import { fail, type RaftState } from "./state.js";

/** The election timer fired (or a TimeoutNow forced it): PreVote first unless forced. */
export function campaign<C>(r: RaftState<C>, force: boolean, now: number): void {
  if (r.opts.preVote && !force) becomePreCandidate(r, now);
  else becomeCandidate(r, force, now);
}

export function becomePreCandidate<C>(r: RaftState<C>, now: number): void {
  if (r.asserts && r.curRole === "leader") fail("leader cannot become precandidate");
  r.setRole("precandidate");
  r.preRound++;
  r.setLeader(-1);
  r.resetElectionTimer(now);
  r.votes.fill(VOTE_NONE);
  r.votes[r.id] = VOTE_GRANTED; // counted only if we are a voter (poll iterates voters)
  if (r.cfg.quorum <= 1 && r.isVoter) {
    becomeCandidate(r, false, now);
    return;
  }
  const req: VoteRequest = {
    type: "vote",
    term: r.curTerm + 1,
    from: r.id,
    pre: true,
    lastIndex: r.log.lastIndex(),
    lastTerm: r.log.lastTerm(),
    force: false,
    round: r.preRound,
  };
  for (const p of r.cfg.ids) if (p !== r.id) r.env.send(p, req);
}

export function becomeCandidate<C>(r: RaftState<C>, force: boolean, now: number): void {
  if (r.asserts && r.curRole === "leader") fail("leader cannot become candidate");
  r.setTermAndVote(r.curTerm + 1, r.id);
  r.setRole("candidate");
  r.setLeader(-1);
  r.resetElectionTimer(now);
  r.votes.fill(VOTE_NONE);
  const req: VoteRequest = {
    type: "vote",
    term: r.curTerm,
    from: r.id,
    pre: false,
    lastIndex: r.log.lastIndex(),
    lastTerm: r.log.lastTerm(),
    force,
    round: 0,
  };
  // Requests and our own vote count only once term+vote are durable: otherwise a crash could
  // forget the self-vote and let this node vote for someone else in the same term.
  for (const p of r.cfg.ids) if (p !== r.id) respond(r, p, req, true, now);
  respond(r, r.id, voteResp(r, r.curTerm, false, true, 0), true, now);
}

/** Won the election (§5.2): a no-op of the new term starts replication and, once committed,
 * commits every earlier entry (Figure 8). */
export function becomeLeader<C>(r: RaftState<C>, now: number): void {
  if (r.asserts && r.curRole !== "candidate") fail("only a candidate becomes leader");
  if (r.asserts && r.vote !== r.id) fail("leader did not vote for itself");
  r.setRole("leader");
  r.setLeader(r.id);
  r.transferee = -1;
  applyConf(r, now); // a pending change: replicate to the members it removes too
  const next = r.log.lastIndex() + 1;
  for (const p of r.peers) r.prs[p]!.reset(next);
  r.reads.length = 0;
  r.readHead = 0;
  r.readRoundOut = false;
  r.readRoundWanted = false;
  r.termStart = next;
  appendLocal(r, { index: next, term: r.curTerm, data: null });
  r.checkQuorumDeadline = now + r.opts.electionMinUs;
  r.heartbeatDeadline = now + r.opts.heartbeatUs;
  for (const p of r.peers) sendAppend(r, p, true);
}

export function handleVote<C>(r: RaftState<C>, from: NodeId, m: VoteRequest, now: number): void {
  // m.term >= curTerm here (a real vote with a higher term already moved us to it).
  // A fenced node grants nothing, in any term (see "Fencing").
  const canVote =
    r.fenceTerm < 0 &&
    (r.vote === from || (r.vote === -1 && r.lead === -1) || (m.pre && m.term > r.curTerm));
  const lastTerm = r.log.lastTerm();
  // PLANTED BUG vote-without-log-check: skip the election restriction (§5.4.1).
  const upToDate =
    r.bugs.voteWithoutLogCheck ||
    m.lastTerm > lastTerm ||
    (m.lastTerm === lastTerm && m.lastIndex >= r.log.lastIndex());
  // PreVote (§9.6): no prevote while we have heard from a leader within the minimum timeout.
  const leaseOk = !m.pre || m.force || !r.recentlyHeardLeader(now);
  // PLANTED BUG vote-not-persisted: reply without waiting for the hard state to be durable.
  const waitDurable = !r.bugs.voteNotPersisted;
  if (canVote && upToDate && leaseOk) {
    if (m.pre) {
      r.env.send(from, voteResp(r, m.term, true, true, m.round));
    } else {
      if (r.asserts && (r.curRole === "candidate" || r.curRole === "leader")) fail("granting a vote while candidate/leader");
      if (r.curRole === "precandidate") r.becomeFollower(r.curTerm, -1, now);
      r.setTermAndVote(r.curTerm, from);
      r.resetElectionTimer(now);
      respond(r, from, voteResp(r, r.curTerm, false, true, m.round), waitDurable, now);
    }
  } else {
    respond(r, from, voteResp(r, r.curTerm, m.pre, false, m.round), !m.pre && waitDurable, now);
  }
}

/** A vote answer; `round`: the answered request's (VoteRequest.round), echoed. */
export function voteResp<C>(r: RaftState<C>, term: number, pre: boolean, granted: boolean, round: number): VoteResponse {
  return { type: "voteResp", term, from: r.id, pre, granted, fenced: r.fenceTerm >= 0, round };
}
