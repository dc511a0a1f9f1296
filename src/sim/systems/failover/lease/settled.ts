// When a lease-design cluster has converged: every node up, and in every shard exactly one
// node holds a lease, every member has applied that node as the holder, and every replica has
// synced its data from it. Returns why not, or null. A reason starting "P-FO3:" is about the
// configuration itself (two holders of one shard in the members' applied state).
import type { LeaseNode } from "../../../../impl/failover/lease/node.js";
import type { LeaseTopology } from "../../../../impl/failover/lease/types.js";
import type { AnyWorld } from "../../../runner/system.js";

export function leaseSettled(w: AnyWorld, topo: LeaseTopology): string | null {
  for (let i = 0; i < topo.servers; i++) if (w.nodes[i] === null || !w.isUp(i)) return `node ${i} is not up`;
  const shards = topo.servers / topo.size;
  for (let s = 0; s < shards; s++) {
    let holder = -1;
    for (let j = s * topo.size; j < (s + 1) * topo.size; j++) {
      const n = w.nodes[j] as LeaseNode;
      if (!n.holdsLease(w.localNow(j))) continue;
      if (holder >= 0) return `P-FO3: nodes ${holder} and ${j} both hold shard ${s}'s lease`;
      holder = j;
    }
    if (holder < 0) return `shard ${s} has no lease holder`;
    for (let j = s * topo.size; j < (s + 1) * topo.size; j++) {
      const n = w.nodes[j] as LeaseNode;
      if (n.holder !== holder) return `node ${j} has applied holder ${n.holder} for shard ${s}, the lease is ${holder}'s`;
      if (j !== holder && !n.synced) return `node ${j} has not synced from holder ${holder}`;
    }
  }
  return null;
}
