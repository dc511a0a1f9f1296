// The failover system's node snapshot (SystemRun.inspectNode, `raftsim replay --at`): one
// Valkey-like node's role, shard, epochs, replication offset, cluster state and its view of the
// other nodes (PFAIL / FAIL). Read-only: it only reads the node's fields.
import type { ValkeyNode } from "../../../impl/failover/valkey/node.js";
import { shardOf } from "../../../impl/failover/valkey/types.js";
import type { AnyWorld, NodeField } from "../../runner/system.js";

function list(xs: ArrayLike<number>, self: number): string {
  const out: number[] = [];
  for (let j = 0; j < xs.length; j++) if (j !== self && xs[j] !== 0) out.push(j);
  return out.length === 0 ? "-" : out.join(",");
}

export function inspectValkey(w: AnyWorld, id: number): Readonly<Record<string, NodeField>> | null {
  const n = w.nodes[id] as ValkeyNode | null;
  if (n === null) return null;
  const v = n.view;
  return {
    role: n.isPrimary ? "primary" : "replica",
    primary: n.isPrimary ? null : n.primary,
    shard: shardOf(n.topo, id),
    slots: v.numSlots[id],
    configEpoch: n.myConfigEpoch,
    currentEpoch: n.currentEpoch,
    lastVoteEpoch: n.lastVoteEpoch,
    offset: n.kv.offset,
    clusterOk: n.clusterOk,
    minority: n.inMinority,
    writable: n.isWritable,
    pfail: list(v.pfail, id),
    fail: list(v.fail, id),
    electionEpoch: n.election.authSent ? n.election.authEpoch : null,
  };
}
