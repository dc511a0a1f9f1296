// Snapshots (§7): once snapshotEvery applied entries follow the last snapshot, the next tick
// takes one at the applied index (never inside an apply callback, so every committed entry is
// seen by the host before it can be compacted away), compacts the in-memory log and writes it
// through the disk (see snapshot.ts: rotate the WAL, base records, write tmp, rename, fsync;
// once durable, older WAL segments are dropped). A follower whose next entry was compacted is
// sent InstallSnapshot in chunks, one in flight at a time; it installs only a snapshot newer
// than its commit index and keeps the entries after the snapshot if its log has the snapshot's
// last entry (same index and term), as §7 says. Restart: snapshot file, then the WAL.
//
// Here: scheduling and taking a snapshot (compacting the log), saving it, the follower's side
// of InstallSnapshot (assembling chunks, installing), and recovery on restart. The leader's
// side is replication.ts (sendSnapshot) and step-leader.ts (handleSnapshotResponse).
import type { NodeId, Recovered } from "../node.js";
import type { InstallSnapshot, SnapshotResponse } from "./messages.js";
import type { RaftRecord } from "./records.js";
import { asSnapshot, RESTORED_FILE, SNAPSHOT_FILE, SNAPSHOT_TMP, type RaftSnapshot } from "./snapshot.js";
import { applyConf, confAt, rescanConfs } from "./confchange.js";
import { clampPendingWrites, respond, track } from "./durability.js";
import { maybeUnfence, readRestoreMarker } from "./fencing.js";
import { fail, NOT_DUE, NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN, type RaftState } from "./state.js";
import { RaftNote } from "./api.js";

export function maybeScheduleSnapshot<C>(r: RaftState<C>, now: number): void {
  if (r.snapshotEvery <= 0 || r.snapDueAt !== NOT_DUE || r.saving.length > 0) return;
  if (r.applied - r.log.snapshotIndex() < r.snapshotEvery) return;
  r.snapDueAt = now; // taken from the next tick, outside any apply callback
}

/** Snapshot the state machine at the applied index and compact the log up to it. */
export function takeSnapshot<C>(r: RaftState<C>): void {
  const idx = r.applied;
  if (idx <= r.log.snapshotIndex() || r.saving.length > 0) return;
  if (r.asserts && idx > r.log.lastIndex()) fail("applied beyond the log");
  const s: RaftSnapshot = {
    kind: "raft-snapshot",
    index: idx,
    term: r.log.termAt(idx),
    voters: confAt(r, idx).voters,
    learners: confAt(r, idx).learners,
    chunks: r.app.snapshot(r.snapshotChunk),
  };
  if (s.chunks.length < 1) fail("a snapshot has at least one chunk");
  r.snap = s;
  r.log.compact(idx);
  r.baseConf = { index: idx, conf: { voters: s.voters, learners: s.learners ?? [] } };
  r.confs = r.confs.filter((c) => c.index > idx);
  saveSnapshot(r, s);
  r.env.note(RaftNote.custom, NOTE_SNAPSHOT_TAKEN, idx);
}

/** Write a snapshot durably: new WAL segment starting with a base (hard state, the entries
 * after the snapshot, a truncation after them), the file written under a temporary name and
 * renamed, one fsync; when it completes (onPersisted) older segments are dropped. */
export function saveSnapshot<C>(r: RaftState<C>, s: RaftSnapshot): void {
  const boundary = r.env.rotateWal();
  // Entries first, then a truncation past them: a crash may keep any prefix of these unsynced
  // records, and no prefix may cut a durable entry. "truncate from s.index+1" first lost
  // acknowledged entries when a crash kept it without the entries record (seed 17275).
  const last = r.log.lastIndex();
  const base: RaftRecord<C>[] = [{ kind: "hs", term: r.curTerm, vote: r.bugs.voteNotPersisted ? -1 : r.vote }];
  if (last > s.index) base.push({ kind: "entries", entries: r.log.slice(s.index + 1, last) });
  base.push({ kind: "truncate", from: last + 1 });
  r.env.persist(base, false);
  r.env.writeFile(SNAPSHOT_TMP, s);
  r.env.renameFile(SNAPSHOT_TMP, SNAPSHOT_FILE);
  const token = r.env.syncFile();
  track(r, token);
  r.saving.push({ token, boundary });
}

export function snapResp<C>(r: RaftState<C>, index: number, next: number): SnapshotResponse {
  return { type: "snapResp", term: r.curTerm, from: r.id, index, next, fenced: r.fenceTerm >= 0 };
}

/** Follower: assemble chunks in order; install the whole snapshot once complete. */
export function handleSnapshot<C>(r: RaftState<C>, from: NodeId, m: InstallSnapshot, now: number): void {
  r.heardLeader(now);
  r.resetElectionTimer(now);
  r.setLeader(from);
  if (m.index <= r.commit) {
    // Already there (a delayed or duplicated chunk): nothing to install.
    r.incoming = null;
    respond(r, from, snapResp(r, m.index, -1), true, now);
    return;
  }
  if (m.chunk === 0) {
    if (!(m.total >= 1)) fail("InstallSnapshot with no chunks");
    r.incoming = { index: m.index, term: m.snapTerm, leaderTerm: m.term, voters: m.voters, learners: m.learners ?? [], chunks: new Array<unknown>(m.total), next: 0 };
  }
  const inc = r.incoming;
  const same = inc !== null && inc.index === m.index && inc.term === m.snapTerm && inc.leaderTerm === m.term && inc.chunks.length === m.total;
  if (!same || m.chunk !== inc.next) {
    // Out of order (loss, duplication, another snapshot): ask for the chunk we need.
    r.env.send(from, snapResp(r, m.index, same ? inc.next : 0));
    return;
  }
  inc.chunks[inc.next++] = m.data;
  if (inc.next < inc.chunks.length) {
    r.env.send(from, snapResp(r, m.index, inc.next));
    return;
  }
  r.incoming = null;
  installSnapshot(r, { kind: "raft-snapshot", index: inc.index, term: inc.term, voters: inc.voters, learners: inc.learners, chunks: inc.chunks }, now);
  // Acknowledged once the snapshot (and every write before it) is durable.
  respond(r, from, snapResp(r, m.index, -1), true, now);
}

export function installSnapshot<C>(r: RaftState<C>, s: RaftSnapshot, now: number): void {
  if (s.index <= r.commit) return;
  if (r.asserts && r.curRole === "leader") fail("a leader never installs a snapshot");
  const oldCommit = r.commit;
  // §7: if the log has the snapshot's last entry (same index and term), keep what follows it.
  // PLANTED BUG snapshot-install-drops-newer: discard the whole log regardless, including
  // entries after the snapshot that this node may already have acknowledged.
  if (!r.bugs.snapshotInstallDropsNewer && r.log.termAt(s.index) === s.term) {
    r.log.compact(s.index);
  } else {
    r.log.reset(s.index, s.term);
    // What survives a crash before the new snapshot is durable: the old state, whose entries
    // past the old commit index may be the conflicting ones just discarded.
    if (r.durable > oldCommit) r.durable = oldCommit;
    clampPendingWrites(r, oldCommit);
  }
  r.snap = s;
  r.baseConf = { index: s.index, conf: { voters: s.voters, learners: s.learners ?? [] } };
  rescanConfs(r);
  applyConf(r, now);
  r.app.restore(s.chunks, s.index, now);
  r.applied = s.index;
  r.commit = s.index;
  r.env.note(RaftNote.commit, s.index, r.curTerm);
  r.env.note(RaftNote.custom, NOTE_SNAPSHOT_INSTALLED, s.index);
  saveSnapshot(r, s);
  maybeUnfence(r);
}

/** onPersisted: snapshots now durable — the WAL segments before their base can go. */
export function snapshotsDurable<C>(r: RaftState<C>, token: number, now: number): void {
  let dropped = false;
  while (r.saving.length > 0 && r.saving[0].token <= token) {
    r.env.dropWalBefore(r.saving.shift()!.boundary);
    dropped = true;
  }
  if (dropped) maybeScheduleSnapshot(r, now);
}

/** Restart: the snapshot file, the restore marker (fencing.ts), then every WAL record left
 * (up to the first corrupt one). */
export function recover<C>(r: RaftState<C>, recovered: Recovered<RaftRecord<C>>, now: number): void {
  const sf = recovered.files?.get(SNAPSHOT_FILE);
  if (sf !== undefined) {
    const snap = asSnapshot(sf);
    r.snap = snap;
    r.baseConf = { index: snap.index, conf: { voters: snap.voters, learners: snap.learners ?? [] } };
    r.log.reset(snap.index, snap.term);
    r.app.restore(snap.chunks, snap.index, now);
    r.commit = snap.index;
    r.applied = snap.index;
  }
  const mk = recovered.files?.get(RESTORED_FILE);
  if (mk !== undefined) readRestoreMarker(r, mk);
  const n = Math.min(recovered.corruptFrom, recovered.records.length);
  for (let i = 0; i < n; i++) {
    const rec = recovered.records[i];
    if (rec.kind === "hs") {
      if (r.asserts && rec.term < r.curTerm) fail("WAL hard state term decreases");
      r.curTerm = rec.term;
      r.vote = rec.vote;
    } else {
      r.log.replay(rec);
    }
  }
  if (r.log.lastTerm() > r.curTerm && r.strict) fail("recovered log has an entry from a future term");
  r.durable = r.log.lastIndex();
  rescanConfs(r);
  applyConf(r, now);
}
