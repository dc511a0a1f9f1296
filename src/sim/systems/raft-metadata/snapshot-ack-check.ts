// snapshot-ack-durable: a follower acknowledges a snapshot (a snapResp with next = -1, which
// moves the leader's match index to the snapshot's index) only once what it acknowledges is
// durable — its durable snapshot file is at or past that index, or its durable log reaches it.
// Raft paper Figure 13 (InstallSnapshot receiver: save the snapshot file, then reply) and
// Figure 2 (persistent state is on stable storage before responding to RPCs); etcd persists a
// snapshot before the follower's answer. A follower that answers first and then crashes has been
// counted toward commitment for entries it no longer holds.
//
// Why (issue 12 part 3, compaction.ts): the acknowledgement of an installed snapshot, and of one
// already covered by the commit index, could go out before its write was durable without a
// wrong answer in a run where no crash fell into that window.
//
// The follower's durable log is its own account (RaftView.durableIndex, advanced by its fsync
// completions); the snapshot file is read off the disk's durable files.
//
// Cost: one view read and one map lookup per snapshot acknowledgement (rare: the end of a
// snapshot transfer). Read-only: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { SNAPSHOT_FILE } from "../../../impl/raft/snapshot.js";
import type { AnyWorld } from "../../runner/system.js";

/** onSend of a snapResp by `from`; null: fine. */
export function snapshotAckFault(w: AnyWorld, from: number, msg: { readonly term: number; readonly index: number; readonly next: number }): string | null {
  if (msg.next >= 0) return null;
  const node = w.nodes[from] as MetaServer | null;
  if (node === null) return null;
  const durable = node.raft.durableIndex();
  if (durable >= msg.index) return null;
  const file = w.disks[from].durableFile(SNAPSHOT_FILE) as { readonly index: number } | undefined;
  if (file !== undefined && file.index >= msg.index) return null;
  return `snapshot-ack-durable at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: it acknowledges the snapshot at ${msg.index}, but its durable log ends at ${durable} and its durable snapshot file is at ${file === undefined ? "none" : file.index}`;
}
