// The client <-> server wire protocol of the metadata service, shared by the server node
// (src/impl/server.ts) and the simulated clients (src/sim/workload).
//
// How a server answers (the client relies on these meanings):
// - ok:          the command was executed (a write applied from the log, a read served after
//                ReadIndex), with its result. A session-dedup cache hit is also "ok".
// - not-leader:  the command was definitely NOT executed by this server for this request:
//                it was never proposed (or never registered for ReadIndex). leaderHint is the
//                leader this server believes in, -1 if unknown.
// - unavailable: outcome unknown: the command may or may not take effect (e.g. proposed, then
//                leadership lost; a proposal overwritten; too many pending requests — the
//                latter is in fact "not executed", but clients treat it conservatively).
// - session-expired: the command's session has expired (sessions.ts); it was not executed now,
//                an earlier attempt may have been. The client opens a new session.
// A stale command (seq below the session's last applied seq, see commands.ts) gets no reply:
// its client has already moved on.
import type { MetaOp, MetaResult, StoreOp, StoreResult } from "./ops.js";

/** start: with session expiry, the seq the client's current session began at (absent: 1). */
export type ClientRequest = { readonly client: number; readonly seq: number; readonly op: MetaOp; readonly start?: number };

/** A request that may carry a txn (StoreOp): what the server accepts. raft-metadata's clients
 * send ClientRequest (single-key ops only); embedded groups (src/impl/embed) may send txns. */
export type StoreRequest = { readonly client: number; readonly seq: number; readonly op: StoreOp; readonly start?: number };

export type ServerReply =
  | { readonly kind: "ok"; readonly client: number; readonly seq: number; readonly result: StoreResult }
  | { readonly kind: "not-leader"; readonly client: number; readonly seq: number; readonly leaderHint: number }
  | { readonly kind: "unavailable"; readonly client: number; readonly seq: number; readonly leaderHint: number }
  | { readonly kind: "session-expired"; readonly client: number; readonly seq: number };
