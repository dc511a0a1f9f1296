// A (pre)candidate's message handling (etcd's stepCandidate, for both): it counts vote
// responses (poll: the tally is quorum.ts's voteResult) and changes role on the outcome — a
// precandidate that wins its PreVote round campaigns for real, a candidate that wins becomes
// leader, and either one that loses (a quorum rejected) returns to follower; a precandidate
// counts only the answers to its current PreVote round (answersRound). Any AppendEntries,
// heartbeat, snapshot or TimeoutNow of its term comes from that term's leader (§5.2): it becomes
// its follower and handles the message as one. TimeoutNow too: a precandidate is still in the
// leader's term, and the leader sends it once, when the target has caught up (§3.10); dropped,
// the transfer could only time out (seed 1103 at 30 s: node 2 was in its PreVote round when
// leader 0's TimeoutNow came, kept campaigning, became a follower at the next heartbeat, and
// node 0 still led when its transfer deadline passed).
import type { NodeId } from "../node.js";
import type { RaftMessage, VoteResponse } from "./messages.js";
import { handleSnapshot } from "./compaction.js";
import { becomeCandidate, becomeLeader, handleVote } from "./election.js";
import { VOTE_GRANTED, VOTE_LOST, VOTE_NONE, VOTE_REJECTED, VOTE_WON } from "./quorum.js";
import { handleAppend, handleHeartbeat, handleTimeoutNow } from "./step-follower.js";
import type { RaftState } from "./state.js";

export function stepCandidate<C>(r: RaftState<C>, from: NodeId, m: RaftMessage<C>, now: number): void {
  switch (m.type) {
    case "vote":
      handleVote(r, from, m, now);
      return;
    case "voteResp":
      if (r.curRole === "precandidate" ? m.pre && answersRound(r, m) : !m.pre && m.term === r.curTerm) {
        poll(r, from, m.granted, now);
      }
      return;
    case "app":
      r.becomeFollower(r.curTerm, from, now);
      handleAppend(r, from, m, now);
      return;
    case "hb":
      r.becomeFollower(r.curTerm, from, now);
      handleHeartbeat(r, from, m, now);
      return;
    case "snap":
      r.becomeFollower(r.curTerm, from, now);
      handleSnapshot(r, from, m, now);
      return;
    case "timeoutNow":
      r.becomeFollower(r.curTerm, from, now);
      handleTimeoutNow(r, now);
      return;
  }
}

/** A PreVote answer to the current round: it echoes the round's number, and a grant carries the
 * term the round asks for (ours + 1; a rejection: the voter's term, ours — a higher one deposed
 * us in step, a lower one was dropped there). Rounds at the same term ask for the same term, so
 * the term alone cannot tell a late answer to an earlier round (swarm seed 166 of an older
 * build: a grant from a voter that has heard from a leader since filled the new round's tally
 * and the precandidate won a PreVote quorum it did not have, one needless term bump); nor a
 * grant of our term (a round from when our term was one lower), which step passes here too. */
function answersRound<C>(r: RaftState<C>, m: VoteResponse): boolean {
  return m.round === r.preRound && m.term === (m.granted ? r.curTerm + 1 : r.curTerm);
}

/** Record a voter's answer (the first one counts) and act on the election's outcome. */
export function poll<C>(r: RaftState<C>, from: NodeId, granted: boolean, now: number): void {
  if (!r.cfg.has(from)) return;
  if (r.votes[from] === VOTE_NONE) r.votes[from] = granted ? VOTE_GRANTED : VOTE_REJECTED;
  const res = r.cfg.voteResult(r.votes);
  if (res === VOTE_WON) {
    if (r.curRole === "precandidate") becomeCandidate(r, false, now);
    else becomeLeader(r, now);
  } else if (res === VOTE_LOST) {
    r.becomeFollower(r.curTerm, -1, now);
  }
}
