// Raft wire messages. Plain immutable objects: created once, never mutated after env.send (the
// host may deliver the same object twice and never copies it). Every message carries the
// sender's term and id; `type` is a string literal so traces stay readable and dispatch is a
// switch on an interned string.
import type { NodeId } from "../node.js";
import type { RaftEntry } from "./api.js";

/** RequestVote (pre=false) or PreVote (pre=true, term = the precandidate's term + 1). */
export interface VoteRequest {
  readonly type: "vote";
  readonly term: number;
  readonly from: NodeId;
  readonly pre: boolean;
  readonly lastIndex: number;
  readonly lastTerm: number;
  /** Election started by TimeoutNow (leadership transfer): bypasses the leader-lease check. */
  readonly force: boolean;
  /** A PreVote's round number (RaftState.preRound: a precandidate numbers its rounds
   * consecutively; several rounds can ask for the same term). Echoed in the answer, so that the precandidate
   * counts only answers to its current round (step-candidate.ts), not a late one to an earlier
   * round from a voter that may since have heard from a leader. 0 in a RequestVote. */
  readonly round: number;
}

export interface VoteResponse {
  readonly type: "voteResp";
  /** For a granted prevote: the request's term; otherwise the voter's term. */
  readonly term: number;
  readonly from: NodeId;
  readonly pre: boolean;
  readonly granted: boolean;
  /** Sent by a fenced node (restored from a backup): counts toward nothing. */
  readonly fenced: boolean;
  /** The answered request's round (VoteRequest.round), granted or not: a PreVote round's number,
   * 0 in a RequestVote's answer (whose term alone says which election it answers). */
  readonly round: number;
}

/** AppendEntries. entries are contiguous from prevIndex + 1 (possibly empty). */
export interface AppendRequest<C> {
  readonly type: "app";
  readonly term: number;
  readonly from: NodeId;
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly RaftEntry<C>[];
  readonly commit: number;
  /** A probe's number, counted per follower by its leader from 1 (Progress.probes), or -1 for an
   * append pipelined in replicate state. Echoed in the answer, so that the leader can tell an
   * answer to its newest probe from a late one to an older append (step-leader.ts). */
  readonly probe: number;
}

export interface AppendResponse {
  readonly type: "appResp";
  readonly term: number;
  readonly from: NodeId;
  readonly success: boolean;
  /** success: last index known to match (prevIndex + entries.length); reject: the rejected prevIndex
   * (0 for a bare "your term is stale" reply, which the leader ignores). */
  readonly index: number;
  /** Fast backtracking hint on reject. hintTerm = 0: the follower's log ends at hintIndex.
   * Otherwise hintTerm is the follower's term at the rejected index and hintIndex the first index
   * the follower holds with that term (bounded below by its commit index + 1). */
  readonly hintIndex: number;
  readonly hintTerm: number;
  /** Sent by a fenced node: not counted toward commitment, reads or CheckQuorum. */
  readonly fenced: boolean;
  /** The answered append's probe number (AppendRequest.probe; 0 in a bare stale-term reply). */
  readonly probe: number;
}

/** Heartbeat. commit = min(leader commit, the follower's match index) as in etcd. seq identifies
 * the ReadIndex round: an ack of seq s confirms leadership for every read registered with seq <= s. */
export interface Heartbeat {
  readonly type: "hb";
  readonly term: number;
  readonly from: NodeId;
  readonly commit: number;
  readonly seq: number;
}

export interface HeartbeatResponse {
  readonly type: "hbResp";
  readonly term: number;
  readonly from: NodeId;
  readonly seq: number;
  /** Sent by a fenced node: confirms no ReadIndex round and no CheckQuorum activity. */
  readonly fenced: boolean;
}

/** InstallSnapshot, one chunk. The leader sends chunk k only after the follower asked for it
 * (next = k in its last SnapshotResponse), so at most one chunk per follower is in flight. */
export interface InstallSnapshot {
  readonly type: "snap";
  readonly term: number;
  readonly from: NodeId;
  readonly index: number; // last included index
  readonly snapTerm: number; // last included term
  readonly voters: readonly NodeId[];
  /** Learners at the snapshot index (absent: none). */
  readonly learners?: readonly NodeId[];
  readonly chunk: number;
  readonly total: number;
  readonly data: unknown;
}

export interface SnapshotResponse {
  readonly type: "snapResp";
  readonly term: number;
  readonly from: NodeId;
  readonly index: number;
  /** The chunk wanted next, or -1: done — the follower holds everything up to index (installed
   * and durable, or its commit index was already there). */
  readonly next: number;
  readonly fenced: boolean;
}

/** Leadership transfer: the target starts an election at once, skipping PreVote and the lease. */
export interface TimeoutNow {
  readonly type: "timeoutNow";
  readonly term: number;
  readonly from: NodeId;
}

export type RaftMessage<C> =
  | VoteRequest
  | VoteResponse
  | AppendRequest<C>
  | AppendResponse
  | Heartbeat
  | HeartbeatResponse
  | TimeoutNow
  | InstallSnapshot
  | SnapshotResponse;

export type RaftMessageType = RaftMessage<unknown>["type"];
