// The Raft module's public surface, shared by the Raft implementation (src/impl/raft) and the
// server node that composes Raft with the metadata store (src/impl/server.ts).
import type { NodeId } from "../node.js";

/** A configuration as it travels in a log entry or a snapshot: voters and learners (non-voting
 * members that are replicated to and never counted), disjoint, each without duplicates. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** A log entry. data === null is the no-op a new leader appends at the start of its term, or a
 * configuration entry (conf set): the whole configuration from this index on (§4.1: a server
 * uses the latest configuration in its log, committed or not). The application ignores both. */
export interface RaftEntry<C> {
  readonly index: number;
  readonly term: number;
  readonly data: C | null;
  readonly conf?: ConfState;
}

/** Planted bugs: real mechanisms from Raft's history, off unless switched on for a run. */
export type RaftBugName =
  | "commit-previous-term" // count replicas for an entry of an earlier term (Figure 8)
  | "vote-without-log-check" // grant a vote without the log up-to-date check
  | "vote-not-persisted" // reply to a vote before term/vote are durable
  | "count-stale-vote" // count a vote reply from an older term
  | "append-keeps-conflicts" // follower appends without deleting a conflicting suffix
  | "commit-index-decreases" // follower lets leaderCommit lower its commit index
  | "stale-local-read" // readIndex answers at once from local commit, no quorum check
  | "read-before-term-commit" // readIndex served before the leader commits an entry of its term
  | "ack-before-durable" // append ack sent before the entries are fsynced
  | "restore-unfenced" // a node restored from a backup votes and acks with state it forgot
  | "snapshot-install-drops-newer" // InstallSnapshot discards matching entries after the snapshot
  | "membership-concurrent-changes" // a second config change while one is uncommitted
  | "membership-before-term-commit" // a config change before the leader committed its term's entry
  | "lease-on-wall-clock"; // lease reads timed on the wall clock (which steps), not the monotonic one

export interface RaftOptions {
  /** The initial voters (used until the log or a snapshot holds a configuration). Node ids are
   * small integers. Empty: a server waiting to join (it never campaigns). */
  readonly voters: readonly NodeId[];
  /** A learner is promoted once its match index is within this many entries of the leader's
   * last index (dissertation §4.2.1; default 16). */
  readonly promoteLag?: number;
  readonly electionMinUs: number;
  readonly electionMaxUs: number;
  readonly heartbeatUs: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Bound on unacknowledged AppendEntries per follower. */
  readonly maxInflight: number;
  /** Bound on entries per AppendEntries. */
  readonly maxBatch: number;
  /** Take a snapshot (and compact the log) once this many applied entries follow the last
   * one; 0 or absent: never. */
  readonly snapshotEvery?: number;
  /** Bound on items (store entries, sessions) per InstallSnapshot chunk; passed to the app. */
  readonly snapshotChunk?: number;
  readonly bugs: ReadonlySet<RaftBugName>;
  /** How a leader confirms a linearizable read (default "read-index"): a heartbeat round per
   * read (ReadIndex, §6.4), or locally while it holds a lease (§6.4.1; see lease.ts). Lease
   * mode needs checkQuorum on. */
  readonly readMode?: ReadMode;
  /** The clock-drift bound lease reads rely on, in ppm (default 1000; see lease.ts). */
  readonly maxDriftPpm?: number;
  /** false: the code's own assertions are off (`--sut-asserts off`): it carries on where an
   * assertion would have thrown, as production code built without them would, so that only the
   * harness's checks can find a bug. Configuration checks at construction stay on. Default true. */
  readonly asserts?: boolean;
  /** Fewer heartbeats (default false; moves trace hashes): the periodic heartbeat skips a
   * follower the leader already sent an append, snapshot chunk or heartbeat within the current
   * interval (each resets its election timer and its CheckQuorum/PreVote lease clock as a
   * heartbeat does, and its response marks it active as a heartbeat response does), and
   * ReadIndex reads share heartbeat rounds: at most one read round is in flight; reads
   * registered meanwhile all ride the next round, sent when it is confirmed (or at the next
   * heartbeat tick). See replication.ts (heartbeatTick) and read-only.ts. */
  readonly coalesceHeartbeats?: boolean;
}

/** Callbacks from Raft into the application (the metadata server). */
export interface RaftApp<C> {
  /** Committed entries, in index order, each exactly once per process lifetime. */
  apply(entry: RaftEntry<C>, now: number): void;
  /** A read registered with readIndex(ctx) is safe to serve once applied index >= index. */
  readReady(ctx: number, index: number, now: number): void;
  /** A read registered with readIndex(ctx) will never be confirmed (leadership lost). */
  readFailed(ctx: number, now: number): void;
  /** The state machine at the applied index, in chunks of at most maxItems items each (chunk 0
   * may be a header). Immutable once returned. */
  snapshot(maxItems: number): readonly unknown[];
  /** Replace the state machine by a snapshot's (its applied index becomes `index`). */
  restore(chunks: readonly unknown[], index: number, now: number): void;
}

export type Role = "follower" | "precandidate" | "candidate" | "leader";

/** Read-only view used by the online invariant checkers and the trace. */
export interface RaftView<C> {
  readonly id: NodeId;
  role(): Role;
  term(): number;
  votedFor(): NodeId; // -1 when none
  leader(): NodeId; // -1 when unknown
  commitIndex(): number;
  appliedIndex(): number;
  firstIndex(): number; // snapshot index + 1
  /** Last index and term covered by the snapshot (0, 0 when none). */
  snapshotIndex(): number;
  snapshotTerm(): number;
  /** Restored from a backup and not yet caught up: neither votes nor counts (see fencing.ts). */
  fenced(): boolean;
  lastIndex(): number;
  /** The entry at index i, or undefined if outside [firstIndex, lastIndex]. */
  entry(i: number): RaftEntry<C> | undefined;
  /** Highest index known durable on this node's disk. */
  durableIndex(): number;
  /** The configuration in effect: the latest in the log (committed or not), else the
   * snapshot's, else the initial one; and the index of the entry that set it (0: initial). */
  voters(): readonly NodeId[];
  learners(): readonly NodeId[];
  configIndex(): number;
  /** The voters in effect at log index i (the latest configuration at or below it). */
  votersAt(i: number): readonly NodeId[];
}

/** How reads are served: ReadIndex (a quorum round) or a leader lease (see lease.ts). */
export const READ_MODES = ["read-index", "lease"] as const;
export type ReadMode = (typeof READ_MODES)[number];

/** Raft's note codes (NodeEnv.note): the trace records them under these numbers. */
export const RaftNote = {
  /** a = role code (RoleCode), b = term */
  role: 1,
  /** a = leader id or -1, b = term */
  leader: 2,
  /** a = commit index, b = term */
  commit: 3,
  /** a = applied index, b = 0 */
  apply: 4,
  /** a = one of the NOTE_* codes in state.ts, b = its argument */
  custom: 5,
} as const;

/** Trace names of the note codes (System.noteNames). */
export const RAFT_NOTE_NAMES: Readonly<Record<number, string>> = { 1: "role", 2: "leader", 3: "commit", 4: "apply", 5: "custom" };

export const RoleCode = { follower: 0, candidate: 1, leader: 2, precandidate: 3, learner: 4 } as const;
