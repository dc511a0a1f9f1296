// Planted bugs (RaftOptions.bugs): real mechanisms from Raft's history, off unless switched on
// for a run. Each is checked at exactly the spot where the real bug lived; each site is marked
// "PLANTED BUG". With any bug on, the assertions that the bug could trip are skipped (strict is
// false) so that the simulator's external checkers find the violation instead.
//
// The set of names is resolved once, when a Raft node is built, into plain booleans: Set
// lookups stay off the hot path.
import type { RaftBugName } from "./api.js";

export interface BugFlags {
  readonly commitPreviousTerm: boolean;
  readonly voteWithoutLogCheck: boolean;
  readonly voteNotPersisted: boolean;
  readonly countStaleVote: boolean;
  readonly appendKeepsConflicts: boolean;
  readonly commitIndexDecreases: boolean;
  readonly staleLocalRead: boolean;
  readonly readBeforeTermCommit: boolean;
  readonly ackBeforeDurable: boolean;
  readonly restoreUnfenced: boolean;
  readonly snapshotInstallDropsNewer: boolean;
  readonly membershipConcurrent: boolean;
  readonly membershipBeforeTermCommit: boolean;
  readonly leaseOnWallClock: boolean;
  /** No bug on: assert the safety properties that a planted bug would break. */
  readonly strict: boolean;
}

export function resolveBugFlags(b: ReadonlySet<RaftBugName>): BugFlags {
  return {
    commitPreviousTerm: b.has("commit-previous-term"),
    voteWithoutLogCheck: b.has("vote-without-log-check"),
    voteNotPersisted: b.has("vote-not-persisted"),
    countStaleVote: b.has("count-stale-vote"),
    appendKeepsConflicts: b.has("append-keeps-conflicts"),
    commitIndexDecreases: b.has("commit-index-decreases"),
    staleLocalRead: b.has("stale-local-read"),
    readBeforeTermCommit: b.has("read-before-term-commit"),
    ackBeforeDurable: b.has("ack-before-durable"),
    restoreUnfenced: b.has("restore-unfenced"),
    snapshotInstallDropsNewer: b.has("snapshot-install-drops-newer"),
    membershipConcurrent: b.has("membership-concurrent-changes"),
    membershipBeforeTermCommit: b.has("membership-before-term-commit"),
    leaseOnWallClock: b.has("lease-on-wall-clock"),
    strict: b.size === 0,
  };
}
