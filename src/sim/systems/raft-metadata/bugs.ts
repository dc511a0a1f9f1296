// The registry of planted bugs. Each is a real mechanism from Raft's history, off by default,
// switched on per run with `--bug NAME`. `breaks` names what should catch it.
import type { RaftBugName } from "../../../impl/raft/api.js";

export type ServerBugName = "no-session-dedup";
export type BugName = RaftBugName | ServerBugName;

export interface BugInfo {
  readonly name: BugName;
  readonly description: string;
  readonly breaks: string;
  /** A seed of the default 10 s swarm run that finds it (raftsim sweep --bug NAME
   * --stop-on-first); the same seed passes without the bug. Pinned by the planted-bug test and
   * the golden file. */
  readonly detectingSeed: number;
}

export const BUGS: readonly BugInfo[] = [
  {
    name: "commit-previous-term",
    description: "A leader commits an entry of an earlier term by counting replicas (Raft paper, Figure 8).",
    breaks: "state-machine-safety, linearizability (acknowledged write lost)",
    detectingSeed: 2,
  },
  {
    name: "vote-without-log-check",
    description: "A vote is granted without checking that the candidate's log is at least as up to date.",
    breaks: "leader-completeness, state-machine-safety",
    detectingSeed: 2,
  },
  {
    name: "vote-not-persisted",
    description: "Term and vote are not made durable before the vote reply, so a restarted node votes twice in a term.",
    breaks: "election-safety",
    detectingSeed: 1,
  },
  {
    name: "count-stale-vote",
    description: "A candidate counts a granted vote from an older term toward its current election.",
    breaks: "election-safety",
    detectingSeed: 17,
  },
  {
    name: "append-keeps-conflicts",
    description: "A follower appends new entries without deleting the conflicting suffix of its log.",
    breaks: "log-matching, state-machine-safety",
    detectingSeed: 2,
  },
  {
    name: "commit-index-decreases",
    description: "A follower lowers its commit index to a smaller leaderCommit.",
    breaks: "state-machine-safety (commit index monotonic)",
    detectingSeed: 1,
  },
  {
    name: "stale-local-read",
    description: "Reads are served from the local state without ReadIndex quorum confirmation (stale read from a deposed leader).",
    breaks: "linearizability (read-index-quorum-round sees it first)",
    detectingSeed: 1,
  },
  {
    name: "read-before-term-commit",
    description: "ReadIndex serves reads before the new leader has committed an entry of its own term.",
    breaks: "linearizability",
    detectingSeed: 7,
  },
  {
    name: "ack-before-durable",
    description: "A follower acknowledges appended entries before they are fsynced.",
    breaks: "commit-durable, linearizability after crashes that lose unsynced writes",
    detectingSeed: 1,
  },
  {
    name: "restore-unfenced",
    description: "A node restored from an older backup votes and acknowledges at once, with the votes and entries it forgot (the restore marker is ignored).",
    breaks: "commit-durable, vote-once, leader-completeness (under snapshot-restore faults)",
    detectingSeed: 7,
  },
  {
    name: "snapshot-install-drops-newer",
    description: "A follower installing a snapshot discards its whole log, including entries after the snapshot that match (and that it acknowledged).",
    breaks: "commit-durable, leader-completeness (acknowledged entries vanish)",
    detectingSeed: 93,
  },
  {
    name: "membership-concurrent-changes",
    description: "The leader accepts a second single-server configuration change while one is still uncommitted: two changes in a row can take the voters two servers away from the committed configuration, whose quorums need not meet (dissertation §4.1).",
    breaks: "state-machine-safety, leader-completeness, linearizability (under membership churn: a double removal, then the leader cut off with one voter)",
    detectingSeed: 3,
  },
  {
    name: "membership-before-term-commit",
    description: "A new leader proposes a configuration change before it has committed an entry of its own term: an earlier leader's uncommitted change may survive in some logs, and the two changes together have disjoint majorities (Ongaro, raft-dev 2015).",
    breaks: "election-safety, state-machine-safety, leader-completeness (under protocol-timed membership churn right after elections)",
    detectingSeed: 6,
  },
  {
    name: "lease-on-wall-clock",
    description: "Lease reads are timed on the wall clock Raft's timers read (made non-decreasing) instead of the monotonic clock: a forward NTP step on a follower ends its promise to the leader (no vote, no campaign for electionMin) early, a wall clock stepped back after a pause hides the pause from the leader, and a deposed leader serves stale reads while another leads.",
    breaks: "lease-use, lease-safety, linearizability (judged on the monotonic clock, a lease that a wall step cut short or stretched; a stale lease read; under wall-clock steps in lease mode)",
    detectingSeed: 25,
  },
  {
    name: "no-session-dedup",
    description: "A retried client command is applied twice (no client-session de-duplication).",
    breaks: "session-state (the store keeps no sessions; a replica's store differs from the reference replay of the log), session-answer, linearizability (version counts a write twice; a retried cas reports failure after succeeding)",
    detectingSeed: 1,
  },
];

export function findBug(name: string): BugInfo | undefined {
  return BUGS.find((b) => b.name === name);
}
