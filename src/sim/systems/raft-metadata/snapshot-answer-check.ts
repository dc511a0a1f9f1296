// snapshot-answer: a follower's answer to an InstallSnapshot chunk says whether it holds the
// snapshot — it asks for a chunk (next >= 0) only while its commit index is below the snapshot's
// index, and acknowledges the snapshot as installed (next = -1) only once its commit index has
// reached it. §7 (InstallSnapshot receiver: "if the snapshot's last included index is already
// covered, reply and stop"; the acknowledgement moves the leader's match index to the snapshot's,
// so a follower that acknowledges one it does not hold is counted for entries it lacks), and
// etcd's handleSnapshot (an already-covered snapshot is answered with the follower's commit
// index, never with a request for more). The chunk protocol (next, one chunk in flight) is ours.
//
// Why (issue 12 part 3): compaction.ts's "already there" branch and the index its answers carry
// could change without a wrong answer — the leader sends the snapshot again, and the run goes on.
//
// Cost: one or two view reads per snapResp sent (rare: a snapshot transfer). Read-only (sends,
// views): never draws or schedules, hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type Answer = { readonly type: string; readonly term: number; readonly index: number; readonly next: number };

/** onSend of a snapResp by `from`; null: fine. */
export function snapshotAnswerFault(w: AnyWorld, from: number, msg: Answer): string | null {
  const node = w.nodes[from] as MetaServer | null;
  if (node === null) return null;
  const c = node.raft.commitIndex();
  // The message head is built only on failure (this runs for every snapshot answer).
  if (msg.next >= 0 && c >= msg.index) return `${at(from, w.now, msg.term)}: it asks for chunk ${msg.next} of the snapshot at ${msg.index}, but its commit index ${c} covers it`;
  if (msg.next < 0 && c < msg.index) return `${at(from, w.now, msg.term)}: it acknowledges the snapshot at ${msg.index} as installed, but its commit index is ${c}`;
  return null;
}

function at(id: number, nowUs: number, term: number): string {
  return `snapshot-answer at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms, term ${term}`;
}
