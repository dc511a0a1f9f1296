// The Kvrocks controller system's shared definitions: the node id layout, the cluster topology
// the controllers keep in their storage engine and push to the data nodes, the messages between
// controllers, data nodes and the external store, the options (timing, fixes) and planted bugs.
//
// Node ids (servers): 0 .. C-1 are the controllers; C .. C+D-1 the data nodes, shard s being
// C + s(R+1) .. C + s(R+1) + R with the first its initial master; C+D is the etcd-like store
// node of the external engine (present with either engine, idle with the embedded one, so both
// engines run on the same number of servers and so on the same generated fault schedules).
import type { MetaOp, MetaResult } from "../metadata/ops.js";

export interface Layout {
  readonly controllers: number;
  readonly shards: number;
  readonly replicas: number;
  /** Hash slots (keys map to slots, slots to shards in contiguous ranges). */
  readonly slots: number;
}

export function dataNodes(l: Layout): number {
  return l.shards * (l.replicas + 1);
}

export function storeNode(l: Layout): number {
  return l.controllers + dataNodes(l);
}

export function serversOf(l: Layout): number {
  return storeNode(l) + 1;
}

export function isController(l: Layout, id: number): boolean {
  return id >= 0 && id < l.controllers;
}

export function isDataNode(l: Layout, id: number): boolean {
  return id >= l.controllers && id < storeNode(l);
}

/** The shard a data node belongs to (shards never change membership, only their master). */
export function shardOfNode(l: Layout, id: number): number {
  return Math.floor((id - l.controllers) / (l.replicas + 1));
}

export function shardOfSlot(l: Layout, slot: number): number {
  return Math.floor((slot * l.shards) / l.slots);
}

export interface ShardTopo {
  readonly master: number;
  readonly replicas: readonly number[];
}

/** The cluster as the controllers store it (one key) and push it (CLUSTERX SETNODES). */
export interface Topology {
  readonly version: number;
  readonly shards: readonly ShardTopo[];
}

export function initialTopology(l: Layout): Topology {
  const shards: ShardTopo[] = [];
  for (let s = 0; s < l.shards; s++) {
    const first = l.controllers + s * (l.replicas + 1);
    const replicas: number[] = [];
    for (let r = 1; r <= l.replicas; r++) replicas.push(first + r);
    shards.push({ master: first, replicas });
  }
  return { version: 1, shards };
}

export function encodeTopology(t: Topology): string {
  return JSON.stringify(t);
}

export function decodeTopology(s: string): Topology | null {
  try {
    const t = JSON.parse(s) as Topology;
    return typeof t.version === "number" && Array.isArray(t.shards) ? t : null;
  } catch {
    return null;
  }
}

/** The engine key of the cluster topology. */
export const TOPOLOGY_KEY = "/kvrocks/cluster/c1";
/** The engine key of the controller leadership (external engine). */
export const LEADER_KEY = "/kvrocks/leader";

// ---- messages -------------------------------------------------------------------------------

/** Controller -> data node. epoch: the sender's leadership epoch (Raft term, or the revision of
 * its leader key); -1 from a controller that probes only to vote (not the leader). */
export type ControlMsg =
  | { readonly type: "probe"; readonly seq: number; readonly epoch: number }
  | { readonly type: "grant"; readonly epoch: number; readonly sentAt: number }
  | { readonly type: "topo"; readonly epoch: number; readonly topo: Topology };

/** Data node -> controller: CLUSTER INFO / INFO replication. sentAt: the node's own monotonic
 * time when it answered (a lease grant for this answer runs from it). */
export type InfoMsg = { readonly type: "info"; readonly seq: number; readonly version: number; readonly master: boolean; readonly offset: number; readonly sentAt: number };

/** Data node <-> data node: asynchronous replication. */
export type ReplMsg =
  | { readonly type: "repl"; readonly from: number; readonly key: string; readonly token: string }
  | { readonly type: "psync"; readonly offset: number }
  | { readonly type: "fullsync"; readonly offset: number; readonly data: readonly (readonly [string, string])[] };

/** Controller <-> controller: the leader asks its peers whether they see a master down. */
export type VoteMsg =
  | { readonly type: "voteReq"; readonly id: number; readonly node: number; readonly epoch: number }
  | { readonly type: "voteRep"; readonly id: number; readonly yes: boolean };

/** Operations of the external store: the metadata ops plus etcd-style leases and campaigns. */
export type StoreOp =
  | { readonly f: "grant"; readonly ttlUs: number }
  | { readonly f: "keepalive"; readonly lease: number }
  /** Put key=value bound to the lease if the key is absent; else report who holds it. */
  | { readonly f: "campaign"; readonly key: string; readonly value: string; readonly lease: number }
  | { readonly f: "meta"; readonly op: MetaOp };

export type StoreResult =
  | { readonly f: "grant"; readonly lease: number }
  | { readonly f: "keepalive"; readonly alive: boolean }
  | { readonly f: "campaign"; readonly won: boolean; readonly holder: string; readonly revision: number }
  | { readonly f: "meta"; readonly result: MetaResult };

export type StoreMsg =
  | { readonly type: "sreq"; readonly id: number; readonly op: StoreOp }
  | { readonly type: "srep"; readonly id: number; readonly r: StoreResult };

// ---- options --------------------------------------------------------------------------------

export type EngineKind = "embedded" | "external";

/** The fixes the kvrocks-controller project has discussed (all on: "fixed"). */
export interface Fixes {
  /** #392/#396: unanimous votes of the peer controllers before a failover. */
  readonly votes: boolean;
  /** #374: act only while leadership is confirmed by a quorum (ReadIndex round, or a live
   * session measured from the keepalive's send time), and wait out the predecessor. */
  readonly quorumCheck: boolean;
  /** #374: demote the old master (push it the new topology) before the others. */
  readonly demote: boolean;
  /** #374: UpdateCluster as a real CAS on the topology's revision. */
  readonly casUpdate: boolean;
  /** kvrocks #3380/#3397, controller #386/#387: the master accepts writes only under a lease
   * renewed by the probe. */
  readonly lease: boolean;
}

export const ALL_FIXES: Fixes = { votes: true, quorumCheck: true, demote: true, casUpdate: true, lease: true };
export const NO_FIXES: Fixes = { votes: false, quorumCheck: false, demote: false, casUpdate: false, lease: false };

export interface KvrocksBugs {
  /** #8 kvrocks-controller#329: the leader alone decides a failover (no peer votes). */
  readonly singleObserver?: boolean;
  /** #9 store.go UpdateCluster: read, compare (stored > new rejects), then a blind write. */
  readonly blindUpdate?: boolean;
  /** #10 PR #183: the controller reads the topology from its local map (no ReadIndex). */
  readonly localRead?: boolean;
  /** #17 failover/cluster.go: tasks removed while ranging over them; a queued master skipped
   * and dropped. */
  readonly rangeMutation?: boolean;
  /** etcd clientv3 lease.go: the session's deadline measured from the keepalive response's
   * receipt, not from the request's send. */
  readonly sessionFromReceipt?: boolean;
}

export interface Timing {
  /** Probe period (kvrocks ping_interval_seconds 3). */
  readonly probeUs: number;
  /** Misses before a failover task (max_ping_count 5). */
  readonly maxMisses: number;
  /** etcd session TTL (6 s). */
  readonly sessionTtlUs: number;
  readonly keepaliveUs: number;
  /** The master's write lease. */
  readonly leaseUs: number;
  /** How long a confirmed leadership lasts (embedded: from a ReadIndex round's send). */
  readonly leadershipUs: number;
  /** Clock-rate bound the lease arithmetic allows for (ppm). */
  readonly driftPpm: number;
  /** Engine request deadline. */
  readonly requestUs: number;
  /** How long the leader waits for its peers' votes. */
  readonly voteUs: number;
}

export const DEFAULT_TIMING: Timing = {
  probeUs: 3_000_000,
  maxMisses: 5,
  sessionTtlUs: 6_000_000,
  keepaliveUs: 2_000_000,
  leaseUs: 8_000_000,
  leadershipUs: 3_000_000,
  driftPpm: 2_000,
  requestUs: 1_000_000,
  voteUs: 1_000_000,
};

export interface ControllerOptions {
  readonly layout: Layout;
  readonly engine: EngineKind;
  /** Embedded: reads through ReadIndex (true) or from the local map (the seed's way). */
  readonly readIndex: boolean;
  readonly fixes: Fixes;
  readonly bugs: KvrocksBugs;
  readonly timing: Timing;
  readonly asserts: boolean;
}

/** Note codes (NodeEnv.note) the observer watches. */
export const KN = {
  /** controller: a: epoch acting from now (leader and allowed to act), b: 1 acting / 0 not. */
  acting: 1,
  /** store/engine: the topology key committed: a = version, b = revision. */
  committed: 2,
  /** data node: a write accepted, a = shard, b = offset. */
  write: 3,
  /** data node: topology adopted, a = version, b = 1 master / 0 replica. */
  adopted: 4,
  /** controller: a failover task queued for node a (b = misses). */
  queued: 5,
  /** controller: a promotion written: a = shard, b = new master. */
  promoted: 6,
  /** controller: the engine made it leader (b = 1) or not (b = 0), a = epoch. */
  leading: 7,
  /** controller: an UpdateCluster begins (a = the version it writes). */
  updating: 8,
} as const;

export const KVROCKS_NOTE_NAMES: Readonly<Record<number, string>> = {
  1: "acting",
  2: "committed",
  3: "write",
  4: "adopted",
  5: "queued",
  6: "promoted",
  7: "leading",
  8: "updating",
};

/** Embedded Raft notes are passed on above this base. */
export const RAFT_NOTE_BASE = 100;
