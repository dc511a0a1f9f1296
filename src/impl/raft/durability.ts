// Durable before reply (dissertation §3.8, §10.2.1): hard state (term, vote) and entries are
// persisted with sync=true. Messages whose meaning is "I have durably done X" (vote grants and
// rejections after a term bump, candidate vote requests, append acknowledgements) are queued
// with the token of the latest write and sent from onPersisted once that token is durable. The
// leader counts its own log for commitment only up to its durable index (Raft.durable, see
// matchOf); its AppendEntries go out in parallel with its own write (§10.2.1).
//
// Bookkeeping: every write's token with the log index that is durable once it is (fsyncs
// complete in order, so a write's durability implies all earlier ones), and the deferred
// messages in token order. Both are queues with a head index, reset when drained.
import type { NodeId } from "../node.js";
import type { RaftMessage } from "./messages.js";
import type { RaftRecord } from "./records.js";
import { fail, type RaftState } from "./state.js";

/** A drained queue (wTokens/wIndex, deferred) is reset to empty only at this length. */
const QUEUE_RESET = 64;

/** Track a write (persist or a file sync) whose durability makes the log durable up to its
 * current last index. */
export function track<C>(r: RaftState<C>, token: number): void {
  const n = r.wTokens.length;
  if (r.asserts && n > r.wHead && token <= r.wTokens[n - 1]) fail("persist tokens must increase");
  r.wTokens.push(token);
  r.wIndex.push(r.log.lastIndex());
}

export function persist<C>(r: RaftState<C>, records: RaftRecord<C>[]): void {
  track(r, r.env.persist(records, true));
}

/** Send now, or — if needDurable and a write is still in flight — once every write so far is
 * durable. Messages to ourselves are stepped locally. */
export function respond<C>(r: RaftState<C>, to: NodeId, msg: RaftMessage<C>, needDurable: boolean, now: number): void {
  if (needDurable && r.wHead < r.wTokens.length) {
    r.deferred.push({ token: r.wTokens[r.wTokens.length - 1], to, msg });
  } else {
    deliver(r, to, msg, now);
  }
}

function deliver<C>(r: RaftState<C>, to: NodeId, msg: RaftMessage<C>, now: number): void {
  if (to === r.id) r.step(to, msg, now);
  else r.env.send(to, msg);
}

/** Entries past `max` were dropped from the log: no pending write makes them durable. */
export function clampPendingWrites<C>(r: RaftState<C>, max: number): void {
  for (let k = r.wHead; k < r.wIndex.length; k++) if (r.wIndex[k] > max) r.wIndex[k] = max;
}

/** onPersisted, first part: every write up to `token` is durable; advance the durable index. */
export function writesDurable<C>(r: RaftState<C>, token: number): void {
  while (r.wHead < r.wTokens.length && r.wTokens[r.wHead] <= token) {
    const d = r.wIndex[r.wHead++];
    if (d < r.durable && r.strict) fail("durable index decreased");
    r.durable = d;
  }
  // Drained: start over at 0 only once the queue has grown long. Setting an array's length is a
  // runtime call and shrinks its store, which the next push grows again; every fsync drains
  // it. The entries below the head are never read (every reader starts at wHead).
  if (r.wHead === r.wTokens.length && r.wHead >= QUEUE_RESET) {
    r.wTokens.length = 0;
    r.wIndex.length = 0;
    r.wHead = 0;
  }
  if (r.asserts && r.durable > r.log.lastIndex()) fail("durable index beyond last index");
}

/** onPersisted: send the messages that waited for writes up to `token`. */
export function releaseDeferred<C>(r: RaftState<C>, token: number, now: number): void {
  // Deferred messages, in token order. Handling one may defer more (always with a larger,
  // not yet durable token), so the loop re-reads the length.
  while (r.dHead < r.deferred.length && r.deferred[r.dHead].token <= token) {
    const d = r.deferred[r.dHead++];
    deliver(r, d.to, d.msg, now);
  }
  // As writesDurable's queue: reset only once long (the few messages below the head are kept
  // alive a little longer, never sent again).
  if (r.dHead === r.deferred.length && r.dHead >= QUEUE_RESET) {
    r.deferred.length = 0;
    r.dHead = 0;
  }
}
