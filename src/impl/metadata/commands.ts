// What the metadata store's Raft log holds, and what applying it yields.
//
// A MetaCommand is one client operation tagged with its client session: `client` is the
// session id (Raft dissertation §6.3), `seq` the client's sequence number for the operation.
// A client has at most one outstanding command, so seqs of one client increase with each new
// operation, and a retry of the same operation reuses its seq.
import type { MetaOp, StoreOp, StoreResult } from "./ops.js";

/** O: MetaOp for raft-metadata's clients (the default), StoreOp where a txn may be in the log
 * (embedded groups). */
export interface MetaCommand<O extends StoreOp = MetaOp> {
  readonly client: number;
  readonly seq: number;
  readonly op: O;
  /** With session expiry: the seq the client's current session began at (absent: 1). */
  readonly start?: number;
}

/**
 * The outcome of applying a command whose seq is LOWER than the last seq applied for its
 * session: the client has already moved on (it has at most one outstanding command), so the
 * command is not executed and nobody is waiting for its result. A server should send no reply
 * for it (or drop its pending entry silently). `lastSeq` is the session's last applied seq.
 */
export interface StaleResult {
  readonly f: "stale";
  readonly client: number;
  readonly seq: number;
  readonly lastSeq: number;
}

/**
 * The outcome of applying a command of a session that has expired (or a new session's command
 * that is not its first): not executed. The client cannot know whether an earlier attempt of it
 * was, and must open a new session (start above every seq it used).
 */
export interface ExpiredResult {
  readonly f: "expired";
  readonly client: number;
  readonly seq: number;
}

/** What MetadataStore.apply returns: the operation's result, the stale marker, or expired. */
export type ApplyResult = StoreResult | StaleResult | ExpiredResult;

export function isStale(r: ApplyResult): r is StaleResult {
  return r.f === "stale";
}

export function isExpired(r: ApplyResult): r is ExpiredResult {
  return r.f === "expired";
}

/** Operations that change state (and therefore go through the Raft log). */
export function isWriteOp(op: StoreOp): boolean {
  return op.f === "put" || op.f === "delete" || op.f === "cas" || op.f === "txn";
}

/** Operations with no effect on state (served by ReadIndex from the local map). */
export function isReadOp(op: StoreOp): op is Extract<MetaOp, { f: "get" | "exists" | "list" }> {
  return op.f === "get" || op.f === "exists" || op.f === "list";
}
