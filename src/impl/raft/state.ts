// A Raft node's state: every field of Raft (raft.ts), grouped as in the paper's Figure 2
// (persistent state, volatile state, leader state) plus what this implementation adds
// (membership, snapshots and fencing, timers, reads, durability bookkeeping).
//
// Raft's code is split by topic into files, as etcd's raft package is (the map is at the top
// of raft.ts); the topic files are free functions of a RaftState. Go lets the files of one
// package call each other freely; here a file may only import files below it (no import
// cycles), so the few operations that are called from below — the step entry point, role,
// term and leader changes, commitment, timers — are declared here as abstract methods and
// implemented by Raft.
//
// The fields are public only so that those files can reach them; outside src/impl/raft, use
// Raft's methods and RaftView. Fields without an initializer are set once, by Raft's
// constructor.
import type { NodeEnv, NodeId } from "../node.js";
import type { RaftApp, RaftOptions, Role } from "./api.js";
import type { BugFlags } from "./bug-flags.js";
import type { ConfState } from "./api.js";
import type { ReadLease } from "./lease.js";
import type { RaftLog } from "./log.js";
import type { RaftMessage } from "./messages.js";
import { MonotonicTime } from "./monotonic.js";
import type { Progress } from "./progress.js";
import type { VoterSet } from "./quorum.js";
import type { RaftRecord } from "./records.js";
import type { RaftSnapshot } from "./snapshot.js";

/** "custom" notes (a = code, b = argument), for traces and tools. */
export const NOTE_UNFENCED = 1; // b = term
/** "Nothing due" for readsDueAt and snapDueAt, which hold local clock readings: a local clock
 * reads below zero after a clock-offset fault, so -1 (the marker they had) was a reading too —
 * a snapshot or a read falling due then was taken for none and waited until the clock passed
 * zero (found by the harness's snapshot-due check, swarm seeds 1902 and 2808). Never: no clock
 * reaches it, so "is it due" and "is it the earliest deadline" need no test of the marker. */
export const NOT_DUE = Number.POSITIVE_INFINITY;
export const NOTE_SNAPSHOT_TAKEN = 2; // b = index
export const NOTE_SNAPSHOT_INSTALLED = 3; // b = index
export const NOTE_CONFIG = 4; // b = index of the configuration entry now in effect (0: initial)
export const NOTE_STEP_DOWN_REMOVED = 5; // b = term: a leader left the configuration and stepped down

export function fail(what: string): never {
  throw new Error(`raft invariant: ${what}`);
}

/** A message held back until the write with `token` is durable (durability.ts). */
export interface Deferred<C> {
  readonly token: number;
  readonly to: NodeId;
  readonly msg: RaftMessage<C>;
}

/** A snapshot being received, chunk by chunk. */
export interface IncomingSnapshot {
  readonly index: number;
  readonly term: number;
  readonly leaderTerm: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly chunks: unknown[];
  next: number;
}

/** A configuration entry still in the log (after the snapshot). */
export interface ConfAt {
  readonly index: number;
  readonly conf: ConfState;
}

export interface PendingRead {
  readonly ctx: number;
  /** Read index, or -1 when registered before the leader committed an entry of its term (then
   * the commit index at release time is used, which is >= every index committed before). */
  readonly index: number;
  readonly seq: number;
}

/** A role's message handler (etcd's stepFunc), after the term rule: stepFollower,
 * stepCandidate (precandidates too) or stepLeader. */
export type StepFn<C> = (r: RaftState<C>, from: NodeId, m: RaftMessage<C>, now: number) => void;

export abstract class RaftState<C> {
  id!: NodeId;
  opts!: RaftOptions;
  env!: NodeEnv<RaftMessage<C>, RaftRecord<C>, unknown>;
  app!: RaftApp<C>;
  /** The voters of the configuration in effect (see "Membership"). Replaced on every change. */
  cfg!: VoterSet;
  log!: RaftLog<C>;
  isVoter!: boolean;
  // --- membership: the configuration at the snapshot index (or the initial one), the
  // configuration entries after it in log order, and what is in effect (the latest of them) ---
  baseConf!: ConfAt;
  confs: ConfAt[] = [];
  curConf!: ConfState;
  curConfIndex = 0;
  /** Servers the leader replicates to: voters and learners but us, plus (while the latest
   * configuration entry is uncommitted) the members it removes, so they usually learn of it. */
  peers: NodeId[] = [];
  promoteLag!: number;
  /** Each voter's replicated index for commitment (ours: the durable index). Allocated once. */
  readonly matchOf = (p: NodeId): number => (p === this.id ? this.durable : this.prs[p]!.cmatch);

  /** Planted bugs, resolved once (bug-flags.ts). */
  bugs!: BugFlags;
  /** No bug on and assertions on: assert the safety properties that a planted bug would break. */
  strict!: boolean;
  /** The code's own assertions are on (RaftOptions.asserts); off, only the harness checks. */
  asserts!: boolean;

  // --- persistent state (mirrored in the WAL) ---
  curTerm = 0;
  vote: NodeId = -1;

  // --- volatile state ---
  curRole: Role = "follower";
  /** The handler for curRole's messages; set together with it (Raft.setRole). */
  stepFn!: StepFn<C>;
  lead: NodeId = -1;
  commit = 0;
  applied = 0;
  durable = 0;
  applying = false;

  // --- snapshots and fencing ---
  snapshotEvery!: number;
  snapshotChunk!: number;
  /** The latest snapshot (taken, installed or loaded): what InstallSnapshot sends. */
  snap: RaftSnapshot | null = null;
  /** Local time at which to take a snapshot (NOT_DUE: none due). */
  snapDueAt = NOT_DUE;
  /** Snapshot writes in flight: once `token` is durable, WAL records before `boundary` go. */
  saving: { token: number; boundary: number }[] = [];
  incoming: IncomingSnapshot | null = null;
  /** >= 0 while fenced after a restore (see fencing.ts); -1 otherwise. */
  fenceTerm = -1;

  // --- timers (local microseconds) ---
  electionDeadline = 0;
  heartbeatDeadline = 0;
  checkQuorumDeadline = 0;
  transferDeadline = 0;
  lastLeaderContact = Number.NEGATIVE_INFINITY;
  /** lastLeaderContact on the lease clock (leaseNow): what the lease-mode promise is timed on. */
  lastLeaderContactLease = Number.NEGATIVE_INFINITY;
  armedAt = Number.NaN;

  // --- candidate ---
  votes!: number[];
  /** The current PreVote round's number while precandidate (VoteRequest.round carries it):
   * becomePreCandidate increments it, so an answer of an earlier round at the same term has a
   * lower number. Volatile, and never reset while the process lives; the constructor starts it
   * at the local clock's reading (µs, floored), not 0, so that a restarted node's rounds do not
   * take the numbers of its rounds before the crash (the term, durable, is the same: a late
   * answer to a pre-crash round would look current — 8 answers counted so in swarm and
   * every-fault seeds 1..1000 when every start was 0). A node runs far fewer rounds than µs
   * pass between two starts; only a clock stepped back across a restart could reuse a number. */
  preRound = 0;

  // --- leader ---
  prs!: (Progress | undefined)[];
  transferee: NodeId = -1;
  termStart = 0; // index of this leader's no-op
  readSeq = 0;
  reads: PendingRead[] = [];
  readHead = 0;
  /** Reads answered without a quorum round, delivered from the next tick. */
  readyNow: PendingRead[] = [];
  readsDueAt = NOT_DUE;
  /** coalesceHeartbeats: a read round (seq = readSeq) awaits its quorum; reads registered
   * meanwhile want the next one (read-only.ts). */
  readRoundOut = false;
  readRoundWanted = false;
  /** Lease reads (lease.ts); null in read-index mode. */
  lease!: ReadLease | null;

  // --- durability bookkeeping (durability.ts) ---
  // Writes not yet durable: token and the log index that is durable once it is (fsyncs complete
  // in order, so a write's durability implies all earlier ones).
  wTokens: number[] = [];
  wIndex: number[] = [];
  wHead = 0;
  deferred: Deferred<C>[] = [];
  dHead = 0;
  /** Local clock readings → non-decreasing time (see monotonic.ts); every input goes through it. */
  readonly clock = new MonotonicTime();

  /** The clock lease reads are timed on (lease.ts), µs. In lease mode: the host's monotonic
   * clock, which steps of the wall clock never move (an NTP step backward would otherwise stretch
   * the leader's lease, a step forward cut a follower's promise short); only drift moves it, and
   * the lease allows for drift up to maxDriftPpm. `now` (the wall clock made non-decreasing,
   * monotonic.ts) outside lease mode, on a host without a monotonic clock, or with the planted
   * bug lease-on-wall-clock. */
  leaseNow(now: number): number {
    if (this.opts.readMode !== "lease" || this.bugs.leaseOnWallClock || this.env.monotonicNow === undefined) return now;
    return this.env.monotonicNow();
  }

  /** A message from the leader of our term: restart the clocks the CheckQuorum lease runs on. */
  heardLeader(now: number): void {
    this.lastLeaderContact = now;
    this.lastLeaderContactLease = this.leaseNow(now);
  }

  // --- implemented by Raft (raft.ts) ---
  /** Handle a message (ours too: a deferred self-addressed one is stepped locally). */
  abstract step(from: NodeId, m: RaftMessage<C>, now: number): void;
  abstract setRole(r: Role): void;
  abstract setLeader(l: NodeId): void;
  abstract setTermAndVote(term: number, vote: NodeId): void;
  /** restartTimer false: keep the running election timer (a higher-term RequestVote; a
   * leader always starts one). */
  abstract becomeFollower(term: number, leader: NodeId, now: number, restartTimer?: boolean): void;
  abstract commitTo(c: number, now: number): void;
  abstract applyCommitted(now: number): void;
  abstract resetElectionTimer(now: number): void;
  /** Recently heard from a leader (CheckQuorum lease); a leader is always in its own lease. */
  abstract recentlyHeardLeader(now: number): boolean;
  /** Ask for a wake-up at the earliest deadline (force: even if unchanged). */
  abstract arm(force: boolean): void;
}
