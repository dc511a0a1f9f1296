// The failover system's planted bugs (FAILURE-DETECTION.md §d and code reading of Valkey's
// cluster_legacy.c), each a flag of the Valkey node and a seed that finds it.
import type { PlantedBug } from "../../runner/system.js";
import type { ValkeyBugs } from "../../../impl/failover/valkey/types.js";
import type { LeaseBugs } from "../../../impl/failover/lease/types.js";

export const BUGS: readonly PlantedBug[] = [
  {
    name: "count-replica-reports",
    description: "FAIL counts failure reports from every sender, replicas included, not only from voting primaries (failure-marking.tcl: slot-less nodes must not count)",
    breaks: "P-FD4 justified FAIL",
    detectingSeed: 1,
  },
  {
    name: "reports-never-expire",
    description: "failure reports are never purged (no 2T validity), so a FAIL can rest on stale reports (redis#2285 is the expiry side of the same rule)",
    breaks: "P-FD4 justified FAIL",
    detectingSeed: 33,
  },
  {
    name: "no-epoch-collision",
    description: "two primaries with the same configEpoch never resolve it (clusterHandleConfigEpochCollision missing); a cluster created with ADDSLOTS starts with every configEpoch 0",
    breaks: "P-FO2 (no two primaries share a configEpoch after convergence)",
    detectingSeed: 1,
  },
  {
    name: "no-chain-fold",
    description: "no sub-replica safeguard: a replica that hears its primary demoted (it became a replica of the new primary) before it hears the new owner's slot claims keeps replicating a replica forever",
    breaks: "P-FO3 (convergence: one primary per shard, every other node its replica)",
    detectingSeed: 2809,
  },
  // The lease design's (`--detector lease`; a run with one of these and no detector runs it).
  {
    name: "lease-from-receive",
    description: "#18a (FAILURE-DETECTION.md §a2): the holder's lease runs from when it sees its renewal committed instead of from the renewal's send time, so a late commit notice stretches the lease past the members' 2L guard",
    breaks: "P-L1 lease disjointness (P-FO4 single writer)",
    detectingSeed: 18,
  },
  {
    name: "no-post-ack-wait",
    description: "#18b (FAILURE-DETECTION.md §a2): shard-log members grant a primaryship takeover without waiting 2L after they last applied the holder's renewal (nor after a restart), so a candidate that missed the holder's heartbeats (and FAILs it early) takes over a live lease",
    breaks: "P-L1 lease disjointness (P-FO4 single writer); or P-FO5, when the old holder's lease ends before the takeover commits but it acknowledged writes after the granters' data was pulled",
    detectingSeed: 45,
  },
  {
    name: "lease-wall-clock",
    description: "#5 (redis#6416, etcd#12291): lease, guard and FAIL deadlines on the wall clock instead of the monotonic clock, so a backward step extends the holder's lease and a forward step ends a member's guard early",
    breaks: "P-L1 lease disjointness (P-L2: clock steps must not extend a lease)",
    detectingSeed: 2,
  },
];

// Not in the catalogue yet: "vote-before-fsync" (the FAILOVER_AUTH_ACK leaves before
// lastVoteEpoch is fsynced; a voter that crashes and restarts can vote again in the same epoch,
// breaking P-FO1). The node has the flag (bugs.voteBeforeFsync); no seed of the default swarm
// has found it yet (it needs a crash inside the fsync window and a second request in that
// epoch), so it waits for a family that aims at it.
const FLAGS: Readonly<Record<string, keyof ValkeyBugs>> = {
  "count-replica-reports": "countReplicaReports",
  "reports-never-expire": "reportsNeverExpire",
  "no-epoch-collision": "noEpochCollision",
  "vote-before-fsync": "voteBeforeFsync",
  "no-chain-fold": "noChainFold",
};

export function valkeyBugs(names: readonly string[]): ValkeyBugs {
  const out: Record<string, boolean> = {};
  for (const n of names) if (FLAGS[n] !== undefined) out[FLAGS[n]] = true;
  return out as ValkeyBugs;
}

// The lease design's flags (src/impl/failover/lease/types.ts LeaseBugs), by bug name.
export const LEASE_FLAGS: Readonly<Record<string, keyof LeaseBugs>> = {
  "lease-from-receive": "leaseFromReceive",
  "no-post-ack-wait": "noPostAckWait",
  "lease-wall-clock": "wallClockLease",
};

export function leaseBugs(names: readonly string[]): LeaseBugs {
  const out: Record<string, boolean> = {};
  for (const n of names) if (LEASE_FLAGS[n] !== undefined) out[LEASE_FLAGS[n]] = true;
  return out as LeaseBugs;
}
