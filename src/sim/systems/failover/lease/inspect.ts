// A lease node's snapshot (SystemRun.inspectNode, `raftsim replay --at`): its shard, the
// primaryship it has applied, its lease, its FAIL and candidacy state, its data and its shard
// log's Raft state. Read-only.
import type { LeaseNode } from "../../../../impl/failover/lease/node.js";
import type { AnyWorld, NodeField } from "../../../runner/system.js";

export function inspectLease(w: AnyWorld, id: number): Readonly<Record<string, NodeField>> | null {
  const n = w.nodes[id] as LeaseNode | null;
  if (n === null) return null;
  const raft = n.log.group.server.raft;
  const now = w.localNow(id);
  return {
    shard: n.shard,
    role: n.holdsLease(now) ? "primary" : n.isHolder ? "holder (no lease)" : "replica",
    holder: n.holder,
    holderEpoch: n.holderEpoch,
    revision: n.lastRev,
    leaseLeftMs: n.isHolder ? Math.max(0, Math.round((n.leaseFrom + n.opts.leaseUs - n.clk(now)) / 100) / 10) : null,
    failed: n.failed,
    candidacy: n.phase === 0 ? null : `round ${n.round} phase ${n.phase}`,
    dataEpoch: n.dataEpoch,
    offset: n.kv.offset,
    commitOffset: n.isHolder ? n.commitOffset : null,
    synced: n.synced,
    logRole: raft.role(),
    logTerm: raft.term(),
    logLeader: raft.leader(),
    logApplied: raft.appliedIndex(),
  };
}
