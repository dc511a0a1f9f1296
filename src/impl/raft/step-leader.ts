// The leader's message handling (etcd's stepLeader): answers to AppendEntries (advance or back
// off the follower's progress, §5.3, with fast conflict backtracking), to heartbeats (ReadIndex
// rounds, lease renewals, unsticking a full pipeline) and to InstallSnapshot chunks; and the
// commit rule they drive (§5.3-5.4.2, Figure 8: only an entry of the current term is committed
// by counting replicas). A committed configuration change finishes here too (confchange.ts).
import type { NodeId } from "../node.js";
import type { AppendResponse, Heartbeat, HeartbeatResponse, RaftMessage, SnapshotResponse } from "./messages.js";
import { applyConf, maybePromote, stepDownRemoved } from "./confchange.js";
import { handleVote } from "./election.js";
import { isFencedMessage } from "./fencing.js";
import { nextReadRound, processReads } from "./read-only.js";
import { sendAppend, sendTimeoutNow } from "./replication.js";
import { fail, type RaftState } from "./state.js";

export function stepLeader<C>(r: RaftState<C>, from: NodeId, m: RaftMessage<C>, now: number): void {
  const pr = r.prs[from];
  // A fenced node's messages show no CheckQuorum activity (PLANTED BUG restore-unfenced
  // never sets the flag).
  if (pr !== undefined) {
    const fenced = isFencedMessage(m);
    if (!fenced) pr.recentActive = true;
    if (m.type === "appResp" || m.type === "hbResp" || m.type === "snapResp") pr.fenced = fenced;
  }
  switch (m.type) {
    case "vote":
      handleVote(r, from, m, now);
      return;
    case "appResp":
      handleAppendResponse(r, from, m, now);
      return;
    case "hbResp":
      handleHeartbeatResponse(r, from, m, now);
      return;
    case "snapResp":
      handleSnapshotResponse(r, from, m, now);
      return;
    // app, hb, snap of our own term: two leaders in one term, only under planted bugs: ignored.
  }
}

export function handleAppendResponse<C>(r: RaftState<C>, from: NodeId, m: AppendResponse, now: number): void {
  const pr = r.prs[from];
  if (pr === undefined) return;
  if (m.success) {
    // Stryker disable next-line LogicalOperator: the guard's `&& -> ||` evaluates the asserted condition, which is the negation of a property every correct run keeps (the test suite runs these assertions on), so it is false and nothing throws; the operand's own mutants are the assertion-guards ignorer's (stryker-ignorers.mjs)
    if (r.asserts && m.index > r.log.lastIndex()) fail("follower acknowledged an index beyond the leader's log");
    pr.freeTo(m.index);
    // Only acknowledgements from an unfenced node count toward commitment.
    const counted = !m.fenced && m.index > pr.cmatch;
    if (counted) pr.cmatch = m.index;
    if (m.index <= pr.match) {
      if (counted) maybeCommit(r, now);
      return; // stale or duplicate
    }
    pr.match = m.index;
    if (pr.next <= m.index) pr.next = m.index + 1;
    if (!pr.replicate) pr.becomeReplicate();
    maybeCommit(r, now);
    if (r.curRole !== "leader") return;
    if (from === r.transferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, from);
    if (r.curConf.learners.length > 0 && r.curConf.learners.includes(from)) {
      maybePromote(r);
      if (r.curRole !== "leader") return;
    }
    while (sendAppend(r, from, false)) {
      // pipeline until the inflight window is full or the follower is caught up
    }
    return;
  }
  // Rejection. index 0 is a bare "stale term" reply: nothing to learn.
  const rejected = m.index;
  if (rejected === 0) return;
  if (pr.replicate) {
    if (rejected <= pr.match) return; // stale
  } else if (rejected !== pr.next - 1) {
    return; // stale: answers an older probe
  } else if (rejected <= pr.match) {
    // Only the answer to our newest probe can say this: a late rejection of an older append
    // (sent before the follower acknowledged match; the network reorders) looks the same, and
    // taking it for a loss backs off below what the follower holds (seeds 1426, 1909 at 30 s).
    if (m.probe !== pr.probes) return;
    // The follower no longer holds an entry it acknowledged: its disk lost durable data
    // (corruption; or a planted bug such as ack-before-durable). Lower match so that
    // backtracking can make progress instead of re-sending the same probe forever. Safe:
    // match only feeds commitment, and the commit index itself never goes back. Lowered below
    // the hint (the follower's last index, or one below its first entry of the conflicting
    // term), not just below the rejected index: the term skip below neither looks nor jumps
    // below match, so a match of rejected - 1 cost one probe per entry of the term (seed
    // 61628: a follower restored from a backup was probed entry by entry from 94 down to 78).
    let lower = m.hintTerm === 0 ? m.hintIndex : m.hintIndex - 1;
    if (lower > rejected - 1) lower = rejected - 1;
    pr.match = lower < 0 ? 0 : lower;
    if (pr.cmatch > pr.match) pr.cmatch = pr.match;
  }
  let nn: number;
  if (m.hintTerm === 0) {
    nn = m.hintIndex + 1;
  } else {
    // Skip the follower's whole conflicting term: if we hold entries of hintTerm, resume after
    // our last one; otherwise resume at the follower's first index of that term.
    let j = Math.min(rejected, r.log.lastIndex());
    while (j > pr.match && r.log.termAt(j) > m.hintTerm) j--;
    nn = r.log.termAt(j) === m.hintTerm ? j + 1 : m.hintIndex;
  }
  if (nn > rejected) nn = rejected;
  if (nn < pr.match + 1) nn = pr.match + 1;
  pr.becomeProbe(nn);
  sendAppend(r, from, true);
}

export function handleHeartbeatResponse<C>(r: RaftState<C>, from: NodeId, m: HeartbeatResponse, now: number): void {
  const pr = r.prs[from];
  if (pr === undefined) return;
  pr.probeSent = false;
  // A lost append must not stall a full pipeline forever: release one slot per heartbeat ack.
  if (pr.replicate && pr.inflightFull()) pr.freeFirst();
  if (m.seq > pr.ackedSeq && !m.fenced) pr.ackedSeq = m.seq; // a fenced node confirms no read round
  if (r.lease !== null && r.cfg.ids.length > 0) r.lease.confirmed(r.curTerm, r.cfg.committedIndex((p) => (p === r.id ? r.readSeq : r.prs[p]!.ackedSeq)));
  if (pr.match < r.log.lastIndex()) sendAppend(r, from, true);
  if (r.readHead < r.reads.length) processReads(r, now);
  if (r.readRoundOut && r.curRole === "leader") nextReadRound(r, now);
}

export function handleSnapshotResponse<C>(r: RaftState<C>, from: NodeId, m: SnapshotResponse, now: number): void {
  const pr = r.prs[from];
  if (pr === undefined) return;
  if (m.next >= 0) {
    // The follower wants chunk m.next of the snapshot at m.index.
    if (m.index !== pr.snapIndex || pr.replicate || pr.next > r.log.snapshotIndex()) return;
    pr.snapChunk = m.next;
    pr.probeSent = false;
    sendAppend(r, from, true);
    return;
  }
  // Done: the follower holds everything up to m.index.
  // Stryker disable next-line LogicalOperator: the guard's `&& -> ||` evaluates the asserted condition, which is the negation of a property every correct run keeps (the test suite runs these assertions on), so it is false and nothing throws; the operand's own mutants are the assertion-guards ignorer's (stryker-ignorers.mjs)
  if (r.asserts && m.index > r.log.lastIndex()) fail("follower acknowledged a snapshot beyond the leader's log");
  const counted = !m.fenced && m.index > pr.cmatch;
  if (counted) pr.cmatch = m.index;
  if (m.index >= pr.match && !pr.replicate) {
    pr.match = m.index;
    pr.snapIndex = 0;
    pr.becomeProbe(m.index + 1);
  }
  if (counted) maybeCommit(r, now);
  if (r.curRole !== "leader") return;
  sendAppend(r, from, true);
}

export function maybeCommit<C>(r: RaftState<C>, now: number): void {
  const q = r.cfg.committedIndex(r.matchOf);
  if (q <= r.commit) return;
  // Figure 8: only an entry of the current term is committed by counting replicas.
  // PLANTED BUG commit-previous-term: also commit an older-term entry that a majority holds.
  if (r.log.termAt(q) !== r.curTerm && !r.bugs.commitPreviousTerm) return;
  const wasPending = r.curConfIndex > r.commit;
  r.commitTo(q, now);
  if (r.curRole !== "leader") return; // an apply callback may have changed things
  if (wasPending && r.curConfIndex <= r.commit) {
    // The change committed: tell the servers it removed (one heartbeat with the commit index,
    // so one that holds the entry learns it is out and never campaigns again), then stop
    // replicating to them.
    for (const p of r.peers) {
      if (r.cfg.has(p) || r.curConf.learners.includes(p)) continue;
      const pr = r.prs[p]!;
      const hb: Heartbeat = { type: "hb", term: r.curTerm, from: r.id, commit: r.commit < pr.match ? r.commit : pr.match, seq: r.readSeq };
      r.env.send(p, hb);
    }
    applyConf(r, now);
    if (!r.isVoter) {
      stepDownRemoved(r, now);
      return;
    }
    maybePromote(r);
  }
  if (r.readHead < r.reads.length) processReads(r, now);
  // The new commit index goes out at once, in an empty append if need be; coalesceHeartbeats:
  // with the next append or, at the latest, the next heartbeat tick (replication.ts).
  const pushEmpty = r.opts.coalesceHeartbeats !== true;
  for (const p of r.peers) sendAppend(r, p, pushEmpty);
}
