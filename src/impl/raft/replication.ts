// Log replication, the sending side (§5.3; etcd's sendAppend / bcastHeartbeat): the leader
// keeps one Progress per follower (progress.ts) and sends AppendEntries from its next index
// under flow control — one probe at a time, or a pipeline of at most maxInflight appends in
// replicate state — or, when the entries a follower needs were compacted away, the latest
// snapshot in chunks (§7, one chunk in flight). Heartbeats carry min(commit, the follower's
// match index) and the ReadIndex round (seq). What the leader does with the answers is
// step-leader.ts; the follower's side is step-follower.ts.
import type { NodeId } from "../node.js";
import type { RaftEntry } from "./api.js";
import type { AppendRequest, Heartbeat, InstallSnapshot } from "./messages.js";
import type { Progress } from "./progress.js";
import { fail, type RaftState } from "./state.js";

const NO_ENTRIES: readonly RaftEntry<never>[] = Object.freeze([]);

/** Send AppendEntries from pr.next if flow control allows. Returns whether a message went out. */
export function sendAppend<C>(r: RaftState<C>, to: NodeId, allowEmpty: boolean): boolean {
  const pr = r.prs[to];
  if (pr === undefined) return false;
  if (pr.next <= r.log.snapshotIndex()) return sendSnapshot(r, to, pr);
  if (pr.replicate ? pr.inflightFull() : pr.probeSent) return false;
  const last = r.log.lastIndex();
  // Stryker disable next-line LogicalOperator: the guard's `&& -> ||` evaluates the asserted condition, which is the negation of a property every correct run keeps (the test suite runs these assertions on), so it is false and nothing throws; the operand's own mutants are the assertion-guards ignorer's (stryker-ignorers.mjs)
  if (r.asserts && (pr.next > last + 1 || pr.next <= pr.match)) fail(`progress next ${pr.next} out of range (match ${pr.match}, last ${last})`);
  let hi = pr.next + r.opts.maxBatch - 1;
  if (hi > last) hi = last;
  const count = hi - pr.next + 1;
  if (count === 0 && !allowEmpty && pr.replicate) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.termAt(prevIndex);
  // Stryker disable next-line LogicalOperator: the guard's `&& -> ||` evaluates the asserted condition, which is the negation of a property every correct run keeps (the test suite runs these assertions on), so it is false and nothing throws; the operand's own mutants are the assertion-guards ignorer's (stryker-ignorers.mjs)
  if (r.asserts && prevTerm < 0) fail("leader lacks the entry before next");
  const msg: AppendRequest<C> = {
    type: "app",
    term: r.curTerm,
    from: r.id,
    prevIndex,
    prevTerm,
    entries: count > 0 ? r.log.slice(pr.next, hi) : NO_ENTRIES,
    commit: r.commit,
    probe: pr.replicate ? -1 : ++pr.probes,
  };
  if (pr.replicate) {
    if (count > 0) {
      pr.next = hi + 1;
      pr.addInflight(hi);
    }
  } else {
    pr.probeSent = true;
  }
  pr.contacted = true;
  const known = r.commit < hi ? r.commit : hi;
  if (known > pr.sentCommit) pr.sentCommit = known;
  r.env.send(to, msg);
  return true;
}

/** Leader: send the follower the next chunk of the snapshot its transfer started with, or of
 * the latest snapshot if none is under way (one chunk in flight). */
export function sendSnapshot<C>(r: RaftState<C>, to: NodeId, pr: Progress): boolean {
  const latest = r.snap;
  if (latest === null || (r.asserts && latest.index !== r.log.snapshotIndex())) fail("compacted log without its snapshot");
  if (pr.replicate) pr.becomeProbe(pr.next);
  if (pr.probeSent) return false;
  // A transfer under way goes on with its own snapshot to the end, even if a newer one was taken
  // meanwhile (etcd sends one whole snapshot): restarting from chunk 0 at every new snapshot
  // never finishes while snapshots come faster than a transfer takes. Its index still covers
  // next (a done or an acknowledgement ends the transfer first).
  const going = pr.snapshot;
  const s = going !== null && going.index === pr.snapIndex && going.index >= pr.next ? going : latest;
  if (pr.snapIndex !== s.index) {
    pr.snapIndex = s.index;
    pr.snapChunk = 0;
    pr.snapshot = s;
  }
  if (pr.snapChunk >= s.chunks.length) pr.snapChunk = 0;
  const msg: InstallSnapshot = {
    type: "snap",
    term: r.curTerm,
    from: r.id,
    index: s.index,
    snapTerm: s.term,
    voters: s.voters,
    learners: s.learners,
    chunk: pr.snapChunk,
    total: s.chunks.length,
    data: s.chunks[pr.snapChunk],
  };
  pr.probeSent = true;
  pr.contacted = true;
  r.env.send(to, msg);
  return true;
}

export function broadcastHeartbeat<C>(r: RaftState<C>): void {
  for (const p of r.peers) sendHeartbeat(r, p);
}

function sendHeartbeat<C>(r: RaftState<C>, p: NodeId): void {
  const pr = r.prs[p]!;
  pr.contacted = true;
  const hb: Heartbeat = {
    type: "hb",
    term: r.curTerm,
    from: r.id,
    commit: r.commit < pr.match ? r.commit : pr.match,
    seq: r.readSeq,
  };
  if (hb.commit > pr.sentCommit) pr.sentCommit = hb.commit;
  r.env.send(p, hb);
}

/** coalesceHeartbeats: the leader's periodic heartbeat. A follower that was sent an append,
 * snapshot chunk or heartbeat since the last tick, and the commit index it can take, is
 * skipped: that message reset its election timer and its lease clock (lastLeaderContact) as
 * this heartbeat would, and its answer marks it active for CheckQuorum. So a follower hears
 * from the leader at least every two intervals (electionMin is at least three), and learns a
 * commit index within two. A read round the pending reads want goes to every follower. */
export function heartbeatTick<C>(r: RaftState<C>, now: number): void {
  if (r.readRoundWanted) sendReadRound(r, now);
  else {
    for (const p of r.peers) {
      const pr = r.prs[p]!;
      // Skipped only if it was also sent the commit index it can take now (a commit is not
      // pushed with an empty append under this option: step-leader.ts, maybeCommit).
      if (!pr.contacted || pr.sentCommit < (r.commit < pr.match ? r.commit : pr.match)) sendHeartbeat(r, p);
    }
  }
  for (const p of r.peers) r.prs[p]!.contacted = false;
}

/** coalesceHeartbeats: a new ReadIndex round to every follower; it serves every read
 * registered before it (their seq is this round's). */
export function sendReadRound<C>(r: RaftState<C>, now: number): void {
  const seq = ++r.readSeq;
  r.readRoundWanted = false;
  r.readRoundOut = true;
  if (r.lease !== null) r.lease.roundSent(r.curTerm, seq, r.leaseNow(now)); // a ReadIndex round renews the lease
  broadcastHeartbeat(r);
}

export function sendTimeoutNow<C>(r: RaftState<C>, to: NodeId): void {
  r.env.send(to, { type: "timeoutNow", term: r.curTerm, from: r.id });
}

/** CheckQuorum (§6.2): whether a quorum was heard from since the last round; starts a new one. */
export function quorumActive<C>(r: RaftState<C>): boolean {
  const ok = r.cfg.isQuorum((p) => p === r.id || r.prs[p]!.recentActive);
  for (const p of r.peers) r.prs[p]!.recentActive = false;
  return ok;
}
