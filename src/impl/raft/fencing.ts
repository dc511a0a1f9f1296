// Fencing (snapshot restore). An operator may restore a node's disk from an older backup; it
// then writes the marker RESTORED holding fenceTerm = the highest term in any node's durable
// state at that moment. The node forgot votes it cast (all in terms <= fenceTerm: a candidate
// makes its term durable before asking) and entries it acknowledged (which leaders may have
// counted toward commitment, before the crash or — from a stale progress — after it). A node
// that starts with the marker is fenced until its commit index reaches an entry of a term
// above fenceTerm (received from a leader of such a term). While fenced it
//   - never campaigns and never grants a vote or a prevote, in ANY term,
//   - flags its append / snapshot / heartbeat / vote responses as fenced, and leaders count
//     those toward nothing: not commitment (Progress.cmatch), not ReadIndex rounds, not
//     CheckQuorum activity (it may still be a term behind and follow a deposed leader).
// Why no votes at all, and not only "no votes in terms <= fenceTerm": an entry committed with
// its (now forgotten) acknowledgement in term t <= fenceTerm is held by only quorum-1 others;
// were it to vote in a term above fenceTerm with its older log, a candidate lacking the entry
// could win with it plus quorum-1 nodes that lack it too (5 nodes: e committed by {L, A, N};
// N restored; L down; B wins term fenceTerm+1 with votes of B, C and N). Without its vote, any
// election quorum Q' (q nodes among the n-k not fenced, k fenced) meets the q-k genuine holders
// left of every commit quorum: (q-k) + q - (n-k) = 2q-n >= 1. That includes commits that
// counted its acknowledgement after the restore through a leader's stale progress: those
// leaders have terms <= fenceTerm. Why unfencing needs an entry of a term above fenceTerm at
// its commit index: such a leader L' was elected without it, so L' holds every entry committed
// in terms <= fenceTerm, all below L's first entry of its term; holding L's log up to that
// entry, the node holds them too, and its term (> fenceTerm) rules out a second vote in any
// term it may have voted in. Catching up with a leader of term fenceTerm is not enough: that
// leader may still commit entries counting the node's stale pre-restore acknowledgement.
// Liveness: a fenced node stays fenced under a stable leader of term fenceTerm until the next
// election; the nemesis never restores a node when that would leave fewer than a quorum of
// unfenced nodes.
//
// Where the rules live: the marker is read on restart (readRestoreMarker, from compaction.ts's
// recovery); campaigning and voting check fenceTerm (raft.ts onTick, election.ts handleVote,
// step-follower.ts TimeoutNow); responses carry the flag (appResp, hbResp, snapResp, voteResp);
// leaders discount flagged responses (step-leader.ts, via isFencedMessage and the fenced field
// of each response); a fenced follower takes its commit index only from appends
// (step-follower.ts handleHeartbeat); and maybeUnfence ends it once the commit index allows.
import type { RaftMessage } from "./messages.js";
import { asRestoreMarker, RESTORED_FILE } from "./snapshot.js";
import { track } from "./durability.js";
import { fail, NOTE_UNFENCED, type RaftState } from "./state.js";
import { RaftNote } from "./api.js";

/** Whether a message says its sender is fenced (restored from a backup, not caught up). */
export function isFencedMessage<C>(m: RaftMessage<C>): boolean {
  switch (m.type) {
    case "appResp":
    case "hbResp":
    case "snapResp":
    case "voteResp":
      return m.fenced;
    default:
      return false;
  }
}

/** Restart with the RESTORED marker `mk` on disk: fenced from now on. */
export function readRestoreMarker<C>(r: RaftState<C>, mk: unknown): void {
  if (r.bugs.restoreUnfenced) {
    // PLANTED BUG restore-unfenced: ignore the marker (and drop it) — the restored node
    // votes and acknowledges at once with the state it forgot.
    r.env.deleteFile(RESTORED_FILE);
  } else {
    r.fenceTerm = asRestoreMarker(mk).fenceTerm;
    if (r.asserts && r.fenceTerm < 0) fail("negative fence term");
  }
}

/** Unfence once the commit index holds an entry of a term above fenceTerm (see above):
 * delete the marker durably (a crash before that only fences the node again). */
export function maybeUnfence<C>(r: RaftState<C>): void {
  if (r.fenceTerm < 0 || r.commit <= 0) return;
  if (r.log.termAt(r.commit) <= r.fenceTerm) return;
  r.fenceTerm = -1;
  r.env.deleteFile(RESTORED_FILE);
  track(r, r.env.syncFile());
  r.env.note(RaftNote.custom, NOTE_UNFENCED, r.curTerm);
}
