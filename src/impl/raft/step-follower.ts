// A follower's message handling (etcd's stepFollower): the AppendEntries receiver (§5.3: the
// consistency check with fast-backtracking hints, truncation of a conflicting suffix, appending,
// the commit index from the leader; acknowledged once durable, durability.ts), heartbeats
// (commit index up to the follower's match, ReadIndex rounds), InstallSnapshot (compaction.ts),
// votes (election.ts) and TimeoutNow (§3.10: campaign at once, skipping PreVote).
import type { NodeId } from "../node.js";
import type { AppendRequest, AppendResponse, Heartbeat, HeartbeatResponse, RaftMessage } from "./messages.js";
import { handleSnapshot } from "./compaction.js";
import { appendConfAware, applyConf, canCampaign, rescanConfs } from "./confchange.js";
import { clampPendingWrites, persist, respond } from "./durability.js";
import { becomeCandidate, handleVote } from "./election.js";
import { maybeUnfence } from "./fencing.js";
import { fail, type RaftState } from "./state.js";
import { RaftNote } from "./api.js";

export function stepFollower<C>(r: RaftState<C>, from: NodeId, m: RaftMessage<C>, now: number): void {
  switch (m.type) {
    case "vote":
      handleVote(r, from, m, now);
      return;
    case "app":
      handleAppend(r, from, m, now);
      return;
    case "hb":
      handleHeartbeat(r, from, m, now);
      return;
    case "timeoutNow":
      handleTimeoutNow(r, now);
      return;
    case "snap":
      handleSnapshot(r, from, m, now);
      return;
  }
}

/** TimeoutNow from the leader of our term (§3.10): campaign at once, skipping PreVote. */
export function handleTimeoutNow<C>(r: RaftState<C>, now: number): void {
  if (canCampaign(r) && r.fenceTerm < 0) becomeCandidate(r, true, now);
}

export function handleAppend<C>(r: RaftState<C>, from: NodeId, m: AppendRequest<C>, now: number): void {
  r.heardLeader(now);
  r.resetElectionTimer(now);
  r.setLeader(from);
  const off = r.log.snapshotIndex();
  if (m.prevIndex < off) {
    // Our snapshot covers prevIndex: entries up to it are committed, so they are the leader's.
    // Trim the message to start at the snapshot (a rare, delayed or duplicated append).
    const skip = Math.min(off - m.prevIndex, m.entries.length);
    if (skip < off - m.prevIndex) {
      respond(r, from, appResp(r, true, m.prevIndex + m.entries.length, 0, 0, m.probe), true, now);
      return;
    }
    const at = m.entries[skip - 1];
    if (at.index !== off || (at.term !== r.log.snapshotTerm() && r.strict)) fail("leader's log disagrees with our snapshot");
    m = { ...m, prevIndex: off, prevTerm: at.term, entries: m.entries.slice(skip) };
  }
  const last = r.log.lastIndex();
  if (m.prevIndex > last || r.log.termAt(m.prevIndex) !== m.prevTerm) {
    let hintIndex: number;
    let hintTerm: number;
    if (m.prevIndex > last) {
      hintIndex = last;
      hintTerm = 0;
    } else {
      if (m.prevIndex <= r.commit && r.strict) fail("leader's log disagrees with a committed entry");
      hintTerm = r.log.termAt(m.prevIndex);
      let j = m.prevIndex;
      while (j - 1 > r.commit && r.log.termAt(j - 1) === hintTerm) j--;
      hintIndex = j;
    }
    r.env.send(from, appResp(r, false, m.prevIndex, hintIndex, hintTerm, m.probe));
    return;
  }

  const ents = m.entries;
  const n = ents.length;
  if (r.asserts && n > 0 && ents[0].index !== m.prevIndex + 1) fail("AppendEntries entries not contiguous with prevIndex");
  // Skip the prefix we already hold (duplicates and reordered messages are harmless).
  let i = 0;
  while (i < n && ents[i].index <= last && r.log.termAt(ents[i].index) === ents[i].term) i++;
  if (i < n) {
    const fresh = i === 0 ? ents : ents.slice(i);
    const first = fresh[0].index;
    if (first <= last) {
      if (r.bugs.appendKeepsConflicts) {
        // PLANTED BUG append-keeps-conflicts: overwrite in place only where the new entries
        // reach and keep the rest of the old, conflicting suffix.
        for (const e of fresh) {
          if (e.index <= r.log.lastIndex()) r.log.overwrite(e);
          else r.log.append(e);
        }
        if (r.durable >= first) r.durable = first - 1;
        clampPendingWrites(r, first - 1);
        persist(r, [{ kind: "entries", entries: fresh }]);
        rescanConfs(r);
      } else {
        if (first <= r.commit && r.strict) fail("follower append would change a committed entry");
        truncateLocal(r, first);
        for (const e of fresh) appendConfAware(r, e);
        persist(r, [{ kind: "truncate", from: first }, { kind: "entries", entries: fresh }]);
      }
    } else {
      for (const e of fresh) appendConfAware(r, e);
      persist(r, [{ kind: "entries", entries: fresh }]);
    }
    // Only when a configuration entry came or went (no allocation on the common path).
    const top = r.confs.length > 0 ? r.confs[r.confs.length - 1] : r.baseConf;
    if (top.conf !== r.curConf || top.index !== r.curConfIndex) applyConf(r, now);
  }
  const lastNew = m.prevIndex + n;
  const c = m.commit < lastNew ? m.commit : lastNew;
  followerCommitTo(r, c, now);
  // PLANTED BUG ack-before-durable: acknowledge entries that may still be lost in a crash.
  respond(r, from, appResp(r, true, lastNew, 0, 0, m.probe), !r.bugs.ackBeforeDurable, now);
}

export function handleHeartbeat<C>(r: RaftState<C>, from: NodeId, m: Heartbeat, now: number): void {
  r.heardLeader(now);
  r.resetElectionTimer(now);
  r.setLeader(from);
  // The heartbeat's commit is min(leader commit, our match index), and a match index is only
  // as good as the acknowledgement behind it. A node restored from a backup (fenced) may have
  // lost what it acknowledged and hold other entries at those indices again, so it learns its
  // commit index only from appends, whose consistency check has just verified its log.
  // (Found by a 10,000-seed sweep, seed 5248: a restored node "committed" a stale entry.)
  if (r.fenceTerm < 0 || r.bugs.restoreUnfenced) {
    const last = r.log.lastIndex();
    followerCommitTo(r, m.commit < last ? m.commit : last, now);
  }
  const resp: HeartbeatResponse = { type: "hbResp", term: r.curTerm, from: r.id, seq: m.seq, fenced: r.fenceTerm >= 0 };
  r.env.send(from, resp);
}

export function followerCommitTo<C>(r: RaftState<C>, c: number, now: number): void {
  if (r.bugs.commitIndexDecreases) {
    // PLANTED BUG commit-index-decreases: take the leader's value even when it is lower.
    if (c !== r.commit) {
      r.commit = c;
      r.env.note(RaftNote.commit, c, r.curTerm);
      r.applyCommitted(now);
    }
    return;
  }
  if (c > r.commit) {
    r.commitTo(c, now);
    maybeUnfence(r);
  }
}

export function truncateLocal<C>(r: RaftState<C>, from: number): void {
  if (r.asserts && r.curRole === "leader") fail("a leader never truncates its own log");
  r.log.truncateFrom(from);
  // A truncated configuration entry no longer counts: the configuration reverts (§4.1).
  while (r.confs.length > 0 && r.confs[r.confs.length - 1].index >= from) r.confs.pop();
  if (r.durable >= from) r.durable = from - 1;
  clampPendingWrites(r, from - 1);
}

export function appResp<C>(r: RaftState<C>, success: boolean, index: number, hintIndex: number, hintTerm: number, probe: number): AppendResponse {
  return { type: "appResp", term: r.curTerm, from: r.id, success, index, hintIndex, hintTerm, fenced: r.fenceTerm >= 0, probe };
}
