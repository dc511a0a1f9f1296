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
    detectingSeed: 70,
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
    detectingSeed: 25,
  },
  {
    name: "wall-clock-deadlines",
    description: "the node's deadlines run on the wall clock: a step back of an hour (F8) is not absorbed, so the minority rejoin delay, the writable delay, FAIL clearing and election retries stall for an hour (redis#6416, etcd#12291)",
    breaks: "P-FD2 eventual accuracy (the cluster does not converge after the heal)",
    detectingSeed: 17,
  },
  {
    name: "replica-fail-sticks",
    description: "a PONG from a FAIL replica (or slot-less primary) never clears its FAIL flag; only a slot-owning primary's 2T undo is kept (clearNodeFailureIfNeeded's first rule missing)",
    breaks: "P-FD2 eventual accuracy (a restarted or healed replica stays FAIL everywhere)",
    detectingSeed: 4,
  },
  {
    name: "no-minority-rule",
    description: "no clusterUpdateState minority rule: a primary split from the majority with a replica keeps acknowledging writes for as long as the split lasts (Jepsen's Redis Sentinel result)",
    breaks: "P-FO4 on the minority side (a primary cut off from a majority acknowledges writes past B_D)",
    detectingSeed: 94,
  },
  {
    name: "replica-counts-itself",
    description: "markNodeAsFailingIfNeeded adds 1 for the local node even when it is a replica, not only when it is a voting primary: a replica marks FAIL one report short of a quorum",
    breaks: "P-FD4 justified FAIL",
    detectingSeed: 2,
  },
  {
    name: "primary-fail-sticks",
    description: "a slot-owning primary's FAIL is never undone: after a split that failed nobody over (its replicas were on its side), the healed primary stays FAIL everywhere and the cluster state stays fail (clearNodeFailureIfNeeded's 2T undo missing)",
    breaks: "P-FD2 eventual accuracy (no convergence after the heal)",
    detectingSeed: 53,
  },
  {
    name: "reports-ignore-flags",
    description: "every gossip entry about a node refreshes the sender's failure report, clean or flagged (processGossip's PFAIL/FAIL flag test missing): a voting primary's routine word about a live node counts towards its FAIL",
    breaks: "P-FD4 justified FAIL (a report from a primary that never flagged the node)",
    detectingSeed: 1,
  },
  // The lease design's (`--detector lease`; a run with one of these and no detector runs it).
  {
    name: "lease-from-receive",
    description: "#18a (FAILURE-DETECTION.md §a2): the holder's lease runs from when it sees its renewal committed instead of from the renewal's send time, so a late commit notice stretches the lease past the members' 2L guard",
    breaks: "P-L1 lease disjointness (P-FO4 single writer)",
    detectingSeed: 47,
  },
  {
    name: "no-post-ack-wait",
    description: "#18b (FAILURE-DETECTION.md §a2): shard-log members grant a primaryship takeover without waiting 2L after they last applied the holder's renewal (nor after a restart), so a candidate that missed the holder's heartbeats (and FAILs it early) takes over a live lease",
    breaks: "P-L1 lease disjointness (P-FO4 single writer); or P-FO5, when the old holder's lease ends before the takeover commits but it acknowledged writes after the granters' data was pulled",
    detectingSeed: 2,
  },
  {
    name: "lease-wall-clock",
    description: "#5 (redis#6416, etcd#12291): lease, guard and FAIL deadlines on the wall clock instead of the monotonic clock, so a backward step extends the holder's lease and a forward step ends a member's guard early",
    breaks: "P-L1 lease disjointness (P-L2: clock steps must not extend a lease)",
    detectingSeed: 2,
  },
];

// Flags of the node that are not in the catalogue (so not switchable by --bug): the default
// 10 s swarm does not find them, and the catalogue holds only what it finds.
// - "vote-before-fsync" (the FAILOVER_AUTH_ACK leaves before lastVoteEpoch is fsynced; a voter
//   that crashes and restarts can vote again in the same epoch, breaking P-FO1) needs a crash
//   inside the fsync window and then a second candidate asking in that same epoch; a
//   candidate's epoch reaches every node with the next header (about 100 ms), and the
//   restarted voter no longer holds the primary FAIL (flags are not saved), so it refuses; no
//   family has made that happen.
// - "stale-auth-epoch" (§d #16, valkey#2169: the auth request carries the primary's
//   configEpoch as the replica saw it when it attached, so voters that know a newer slot epoch
//   refuse) only delays a failover forever, which only P-FO6 sees; P-FO6's deadline is about
//   5 s after a crash in a settled cluster (settled at about 2 s), and a 10 s run heals at
//   6.7 s, restarting the primary, which disarms it.
// - "gossip-no-pfail" (the PFAIL half of §d #3: gossip carries only its random entries, which
//   skip PFAIL nodes, so no report is made and nothing is ever FAIL) is caught by the
//   FAIL-everywhere part of P-FD1 wherever that is armed (lone-primary-crash alone: 20 of 20
//   seeds), but it is armed only for a crash in a settled, calm cluster, which the generic
//   families (each on in half the seeds, over the whole fault phase) leave in about 1 seed in
//   400: none of seeds 1..1000.
const FLAGS: Readonly<Record<string, keyof ValkeyBugs>> = {
  "count-replica-reports": "countReplicaReports",
  "reports-never-expire": "reportsNeverExpire",
  "no-epoch-collision": "noEpochCollision",
  "vote-before-fsync": "voteBeforeFsync",
  "no-chain-fold": "noChainFold",
  "wall-clock-deadlines": "wallClockDeadlines",
  "replica-fail-sticks": "replicaFailSticks",
  "no-minority-rule": "noMinorityRule",
  "stale-auth-epoch": "staleAuthEpoch",
  "gossip-no-pfail": "gossipNoPfail",
  "primary-fail-sticks": "primaryFailSticks",
  "reports-ignore-flags": "reportsIgnoreFlags",
  "replica-counts-itself": "replicaCountsItself",
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
