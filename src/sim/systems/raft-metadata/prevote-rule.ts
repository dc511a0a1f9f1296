// Which PreVote answers a precandidate counts: step-candidate.ts's answersRound, restated for the
// checks that judge a precandidate's tally (vote-lost-check: a quorum of counted rejections must
// end the round; prevote-order-check: a real election needs a quorum of counted grants). A
// precandidate of term t numbers its PreVote rounds (RaftState.preRound; every round asks for
// t + 1) and counts an answer only if it echoes the current round's number (VoteResponse.round)
// and carries the term that answer must have:
//   - a grant: t + 1, the term the round asks for (a grant of t is from a round when the
//     precandidate's term was t − 1);
//   - a rejection: t, the voter's term (a higher one deposes the precandidate by the term rule,
//     a lower one is dropped by it).
// A late answer to an earlier round at the same term has the same term and a lower round: before
// the round number, it was counted (swarm seed 166 of an older build).

/** The fields of a PreVote answer (messages.ts VoteResponse, pre = true) the rule reads. */
export interface PreVoteAnswer {
  readonly term: number;
  readonly granted?: boolean;
  readonly round?: number;
}

/** Whether a precandidate of `term` in PreVote round `round` counts `answer`. */
export function precandidateCounts(term: number, round: number, answer: PreVoteAnswer): boolean {
  return answer.round === round && answer.term === (answer.granted === true ? term + 1 : term);
}
