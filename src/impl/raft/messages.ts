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
}

export interface VoteResponse {
  readonly type: "voteResp";
  /** For a granted prevote: the request's term; otherwise the voter's term. */
  readonly term: number;
  readonly from: NodeId;
  readonly pre: boolean;
  readonly granted: boolean;
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
  | TimeoutNow;

export type RaftMessageType = RaftMessage<unknown>["type"];
