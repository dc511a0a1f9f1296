// Which AppendEntries rejections a leader acts on: step-leader.ts's staleness rule, restated for
// the checks that judge what the leader does next (prompt-send-check: it must send a new probe;
// probe-bound-check: it counts toward the episode's probes). Read from the leader's progress of
// the follower just before the rejection reaches it.
//   - replicate state: a rejection above match (at or below it answers an append older than an
//     acknowledgement the leader already has);
//   - probe state: the rejection of the index the leader waits on (next - 1); at or below match
//     (the follower lost an entry it acknowledged) only if it answers the newest probe, since a
//     late rejection of an older append (the network reorders) looks the same (seeds 1426 and
//     1909 at 30 s: such rejections backed a leader off below what the follower held).

/** The fields of a leader's Progress (src/impl/raft/progress.ts) the rule reads. */
export interface RejectionProgress {
  readonly replicate: boolean;
  readonly match: number;
  readonly next: number;
  readonly probes: number;
}

/** Whether the leader acts on a rejection of `index` answering the append numbered `probe`. */
export function leaderActsOnRejection(pr: RejectionProgress, index: number, probe: number): boolean {
  if (pr.replicate) return index > pr.match;
  return index === pr.next - 1 && (index > pr.match || probe === pr.probes);
}
