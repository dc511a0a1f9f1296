// leader-sends: AppendEntries, heartbeats, snapshot chunks and TimeoutNow are sent only by a
// node that is, at the moment of sending, the leader of the term the message carries (§5.1:
// "the leader … issues AppendEntries RPCs"; Figure 2's rules for followers and candidates send
// none; §3.10 of the dissertation: TimeoutNow comes from the leader transferring). A node that
// stepped down in the middle of a step — a leader removed by the configuration change it just
// committed, or deposed by an apply callback — must stop there (issue 12 part 3: step-leader.ts's
// `if (r.curRole !== "leader") return` after maybeCommit survived every check: a follower
// sending appends of its old term is answered by followers as if a leader had, so nothing
// else looks).
//
// Read-only (the sender's view at the send), never draws or schedules: hash-neutral; one type
// test per send.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

export function leaderOnlySend(w: AnyWorld, from: number, msg: { readonly type: string; readonly term: number }): string | null {
  const t = msg.type;
  if (t !== "app" && t !== "hb" && t !== "snap" && t !== "timeoutNow") return null;
  const node = w.nodes[from] as MetaServer | null;
  if (node === null) return null; // not a server of this system (or already gone): nothing to read
  const raft = node.raft;
  if (raft.role() === "leader" && raft.term() === msg.term) return null;
  return `leader-sends at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: sent ${t === "timeoutNow" ? "a TimeoutNow" : t === "snap" ? "a snapshot chunk" : t === "hb" ? "a heartbeat" : "an AppendEntries"} of term ${msg.term} as ${raft.role()} of term ${raft.term()}`;
}
