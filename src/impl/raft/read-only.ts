// Linearizable reads (dissertation §6.4, ReadIndex), and the glue for lease reads (§6.4.1; the
// lease itself is lease.ts). A read registered with the leader gets a read index — its commit
// index, once it has committed an entry of its term (before that, -1: the commit index at
// release time) — and a heartbeat round (seq). Once a quorum (the leader included) has
// acknowledged a round with seq >= the read's, no other leader existed when the read was
// registered, so every entry committed by then is at or below the read index: the read may be
// served once the application has applied that far (RaftApp.readReady). Reads are released in
// order; if leadership is lost they all fail (readFailed). In lease mode, a leader holding a
// valid lease answers at once from its commit index (from the next tick, never synchronously).
import { broadcastHeartbeat, sendReadRound } from "./replication.js";
import { NOT_DUE, type RaftState } from "./state.js";

/** Raft.readIndex: register a linearizable read (after the clock reading). */
export function registerRead<C>(r: RaftState<C>, ctx: number, now: number): boolean {
  if (r.curRole !== "leader") return false;
  if (r.bugs.staleLocalRead) {
    // PLANTED BUG stale-local-read: serve from the local commit index without confirming
    // leadership; a deposed leader that has not heard of its successor answers stale data.
    r.readyNow.push({ ctx, index: r.commit, seq: 0 });
    r.readsDueAt = now;
    r.arm(false);
    return true;
  }
  const termCommitted = r.commit >= r.termStart;
  const lease = r.lease;
  const leaseNow = lease === null ? now : r.leaseNow(now);
  if (lease !== null && termCommitted && r.transferee === -1 && lease.valid(r.curTerm, leaseNow)) {
    // Lease read (lease.ts): answered from the commit index at this instant, from the next tick.
    r.readyNow.push({ ctx, index: r.commit, seq: 0 });
    r.readsDueAt = now;
    if (lease.wantsRenewal(leaseNow) && (r.cfg.quorum > 1 || !r.isVoter)) {
      lease.roundSent(r.curTerm, ++r.readSeq, leaseNow);
      broadcastHeartbeat(r);
    }
    r.arm(false);
    return true;
  }
  // PLANTED BUG read-before-term-commit: take the local commit index as the read index even
  // before this leader's no-op committed — it may lag entries committed by earlier leaders.
  const index = termCommitted || r.bugs.readBeforeTermCommit ? r.commit : -1;
  if (r.opts.coalesceHeartbeats === true && (r.cfg.quorum > 1 || !r.isVoter)) {
    // One read round in flight at a time: a read registered while one is out rides the next,
    // which goes out once that one is confirmed (step-leader.ts) or at the next heartbeat tick
    // (replication.ts, heartbeatTick). Either way the round is sent after the read registered,
    // so a quorum's acknowledgement of it confirms leadership after the read, as ReadIndex needs.
    // Any round with a seq above readSeq is sent from now on, so it may serve this read.
    r.reads.push({ ctx, index, seq: r.readSeq + 1 });
    if (r.readRoundOut) r.readRoundWanted = true;
    else sendReadRound(r, now);
    r.arm(false);
    return true;
  }
  const seq = ++r.readSeq;
  r.reads.push({ ctx, index, seq });
  if (lease !== null) lease.roundSent(r.curTerm, seq, leaseNow); // a ReadIndex round renews the lease
  if (r.cfg.quorum <= 1 && r.isVoter) r.readsDueAt = now;
  else broadcastHeartbeat(r);
  r.arm(false);
  return true;
}

/** onTick: deliver the reads answered without a quorum round, and confirmed ones. */
export function releaseDueReads<C>(r: RaftState<C>, now: number): void {
  r.readsDueAt = NOT_DUE;
  const rs = r.readyNow;
  if (rs.length > 0) {
    r.readyNow = [];
    for (const rd of rs) r.app.readReady(rd.ctx, rd.index, now);
  }
  if (r.curRole === "leader" && r.readHead < r.reads.length) processReads(r, now);
}

export function processReads<C>(r: RaftState<C>, now: number): void {
  const termCommitted = r.commit >= r.termStart;
  while (r.readHead < r.reads.length) {
    const rd = r.reads[r.readHead];
    if (!readConfirmed(r, rd.seq)) break;
    if (rd.index < 0 && !termCommitted) break;
    r.readHead++;
    r.app.readReady(rd.ctx, rd.index < 0 ? r.commit : rd.index, now);
    if (r.curRole !== "leader") return;
  }
  if (r.readHead === r.reads.length) {
    r.reads.length = 0;
    r.readHead = 0;
  }
}

/** coalesceHeartbeats, on a heartbeat acknowledgement: once the read round in flight is
 * confirmed, send the one the reads registered meanwhile wait for. */
export function nextReadRound<C>(r: RaftState<C>, now: number): void {
  if (!readConfirmed(r, r.readSeq)) return;
  r.readRoundOut = false;
  if (r.readRoundWanted) sendReadRound(r, now);
}

export function readConfirmed<C>(r: RaftState<C>, seq: number): boolean {
  let acks = 0;
  for (const p of r.cfg.ids) {
    if ((p === r.id || r.prs[p]!.ackedSeq >= seq) && ++acks >= r.cfg.quorum) return true;
  }
  return false;
}

export function failReads<C>(r: RaftState<C>, now: number): void {
  r.readRoundOut = false;
  r.readRoundWanted = false;
  const rs = r.reads;
  const from = r.readHead;
  r.reads = [];
  r.readHead = 0;
  for (let k = from; k < rs.length; k++) r.app.readFailed(rs[k].ctx, now);
}
