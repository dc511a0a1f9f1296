// A Valkey-like cluster node (legacy cluster bus, pinned to valkey @55bbbe09 semantics; see
// /work/shared/FAILURE-DETECTION.md §a1): options, messages, durable records, note codes.
// Every constant of the bus is a parameter. Times in the node are its local µs; options are in
// ms as Valkey's config gives them.
import { fnv1a } from "../../../util/hash.js";
import type { FdMsg } from "../detectors/types.js";

export interface ValkeyBugs {
  /** FAIL counts failure reports from any sender (replicas too), not only voting primaries. */
  readonly countReplicaReports?: boolean;
  /** Failure reports are never purged (no 2T validity). */
  readonly reportsNeverExpire?: boolean;
  /** Two primaries with the same configEpoch never resolve the collision. */
  readonly noEpochCollision?: boolean;
  /** The vote (FAILOVER_AUTH_ACK) is sent before lastVoteEpoch is fsynced. */
  readonly voteBeforeFsync?: boolean;
  /** Replica rank ignores the replication offset (rank by node id only). */
  readonly rankIgnoresOffset?: boolean;
  /** No sub-replica safeguard: a replica whose primary turned replica keeps following it. */
  readonly noChainFold?: boolean;
  /** Deadlines on the wall clock: a clock step backwards is not absorbed (no monotonic clock). */
  readonly wallClockDeadlines?: boolean;
  /** A PONG never clears the FAIL flag of a replica or slot-less primary (§a1 step 6 missing). */
  readonly replicaFailSticks?: boolean;
  /** A slot-owning primary's FAIL is never undone, not even after 2T (§a1 step 6's second rule missing). */
  readonly primaryFailSticks?: boolean;
  /** No minority rule: a primary that cannot reach a majority of voting primaries stays ok. */
  readonly noMinorityRule?: boolean;
  /** The auth request carries the primary's configEpoch as the replica saw it when it attached. */
  readonly staleAuthEpoch?: boolean;
  /** Gossip carries only the random entries, not every node in PFAIL: no failure reports. */
  readonly gossipNoPfail?: boolean;
  /** Every gossip entry refreshes a failure report, clean or flagged (the flag test missing). */
  readonly reportsIgnoreFlags?: boolean;
  /** A replica counts itself towards the FAIL quorum, as a voting primary does. */
  readonly replicaCountsItself?: boolean;
}

export interface ValkeyOptions {
  /** cluster-node-timeout T, ms (Valkey default 15000; its tests use 3000). */
  readonly nodeTimeoutMs: number;
  /** cluster-ping-interval P, ms; 0 means T/2 (Valkey's default; its tests use 100). */
  readonly pingIntervalMs: number;
  /** clusterCron period C, ms (100: "10 times every second"). */
  readonly cronMs: number;
  /** Random nodes looked at every 10th cron for the oldest-pong ping (5). */
  readonly randomPingSample: number;
  /** CLUSTER_FAIL_REPORT_VALIDITY_MULT (2). */
  readonly failReportValidityMult: number;
  /** CLUSTER_FAIL_UNDO_TIME_MULT (2). */
  readonly failUndoTimeMult: number;
  /** CLUSTER_OPERATION_TIMEOUT, ms (2000): floor of the election timeout. */
  readonly operationTimeoutMs: number;
  /** CLUSTER_MIN/MAX_REJOIN_DELAY, ms (500 / 5000). */
  readonly minRejoinDelayMs: number;
  readonly maxRejoinDelayMs: number;
  /** CLUSTER_WRITABLE_DELAY, ms (2000): a primary refuses writes this long after boot. */
  readonly writableDelayMs: number;
  /** cluster-replica-validity-factor (10; 0 = always eligible). */
  readonly replicaValidityFactor: number;
  /** repl-ping-replica-period, ms (10000). */
  readonly replPingReplicaPeriodMs: number;
  /** Election delay: fixed part, random part (exclusive), per rank, ms (500, 500, 1000). */
  readonly electionFixedMs: number;
  readonly electionRandomMs: number;
  readonly electionRankMs: number;
  /** @55bbbe09: a voter refuses replicas of a primary for 2T after voting for one (#1356 removed it). */
  readonly votedTimeRule: boolean;
  /** cluster-require-full-coverage (yes). */
  readonly requireFullCoverage: boolean;
  /** Minimum gossip entries per PING/PONG (3; the code takes max(3, N/10)). */
  readonly gossipMin: number;
  /** A replica re-asks its primary for a full sync at most this often, ms. */
  readonly resyncRetryMs: number;
  /** appendfsync everysec: the AOF is fsynced this often, ms (writes are acknowledged before). */
  readonly aofFsyncMs: number;
  readonly bugs: ValkeyBugs;
}

export const DEFAULT_VALKEY_OPTIONS: ValkeyOptions = {
  nodeTimeoutMs: 15_000,
  pingIntervalMs: 0,
  cronMs: 100,
  randomPingSample: 5,
  failReportValidityMult: 2,
  failUndoTimeMult: 2,
  operationTimeoutMs: 2_000,
  minRejoinDelayMs: 500,
  maxRejoinDelayMs: 5_000,
  writableDelayMs: 2_000,
  replicaValidityFactor: 10,
  replPingReplicaPeriodMs: 10_000,
  electionFixedMs: 500,
  electionRandomMs: 500,
  electionRankMs: 1_000,
  votedTimeRule: true,
  requireFullCoverage: true,
  gossipMin: 3,
  resyncRetryMs: 1_000,
  aofFsyncMs: 1_000,
  bugs: {},
};

/** Valkey's own test settings: T = 3 s, P = 100 ms. */
export const VALKEY_TEST_SETTINGS: Partial<ValkeyOptions> = { nodeTimeoutMs: 3_000, pingIntervalMs: 100 };

/** The cluster as it was created (CLUSTER ADDSLOTS + MEET + REPLICATE): static membership. */
export interface Topology {
  readonly servers: number;
  readonly slots: number;
  /** Slot -> the node that owns it at creation. */
  readonly initialOwner: readonly number[];
  /** Node -> its primary at creation (-1: a primary). */
  readonly initialPrimaryOf: readonly number[];
}

/** The slot of a key (Valkey: CRC16 mod 16384; here FNV-1a mod slots). */
export function keySlot(key: string, slots: number): number {
  return (fnv1a(key) >>> 0) % slots;
}

/** Gossip flags (the PFAIL and FAIL bits of a gossip entry). */
export const G_PFAIL = 1;
export const G_FAIL = 2;

/** The header every cluster-bus message carries (clusterMsg). For a replica, configEpoch and
 * slots are its primary's (clusterBuildMessageHdr). */
export interface Header {
  readonly currentEpoch: number;
  readonly configEpoch: number;
  /** -1: the sender is a primary. */
  readonly primaryOf: number;
  /** Replication offset (a primary's own, a replica's processed one). */
  readonly offset: number;
  readonly slots: readonly number[];
}

export interface GossipEntry {
  readonly node: number;
  readonly flags: number;
}

export type BusMsg =
  | { readonly type: "ping" | "pong"; readonly hdr: Header; readonly gossip: readonly GossipEntry[] }
  | { readonly type: "fail"; readonly hdr: Header; readonly node: number }
  | { readonly type: "authReq"; readonly hdr: Header }
  | { readonly type: "authAck"; readonly hdr: Header }
  | { readonly type: "update"; readonly hdr: Header; readonly node: number; readonly configEpoch: number; readonly slots: readonly number[] };

/** The replication link (not the bus: it does not count as bus traffic). */
export type ReplMsg =
  | { readonly type: "repl"; readonly from: number; readonly key: string; readonly token: string }
  | { readonly type: "psync"; readonly offset: number }
  | { readonly type: "fullsync"; readonly offset: number; readonly data: readonly (readonly [string, string])[] };

/** A hosted failure detector's message (`--detector timeout|phi|swim`), on the cluster bus. */
export type FdBusMsg = { readonly type: "fd"; readonly m: FdMsg };

export type ValkeyMsg = BusMsg | ReplMsg | FdBusMsg;

/** Client requests: GET, and APPEND of a unique token (so a lost write is visible). */
export type KvReq =
  | { readonly type: "get"; readonly id: number; readonly key: string }
  | { readonly type: "append"; readonly id: number; readonly key: string; readonly token: string };

export type KvRep =
  | { readonly type: "ok"; readonly id: number; readonly value?: string }
  | { readonly type: "moved"; readonly id: number; readonly slot: number; readonly node: number }
  | { readonly type: "down"; readonly id: number };

/** nodes.conf: the cluster configuration a node saves (epochs, roles, slot owners). */
export interface ConfRecord {
  readonly t: "conf";
  readonly currentEpoch: number;
  readonly lastVoteEpoch: number;
  /** Per node: its configEpoch and primary (-1: primary), as this node knows them. */
  readonly configEpochs: readonly number[];
  readonly primaryOf: readonly number[];
  readonly owner: readonly number[];
}

/** The AOF: one write, or a full sync that replaced the data set. */
export type DataRecord =
  | { readonly t: "w"; readonly key: string; readonly token: string; readonly offset: number }
  | { readonly t: "snap"; readonly offset: number; readonly data: readonly (readonly [string, string])[] };

/** A hosted SWIM detector's incarnation (a restart starts above the largest saved one). */
export interface IncRecord {
  readonly t: "inc";
  readonly inc: number;
}

export type ValkeyRecord = ConfRecord | DataRecord | IncRecord;

/** Note codes (NodeEnv.note): what the checkers and fault targets watch. */
export const VN = {
  /** a = target, b = 1 set / 0 cleared. */
  pfail: 1,
  /** a = target, b = 1 originated here, 2 learnt from a FAIL message, 0 cleared. */
  fail: 2,
  /** A failure report added or refreshed: a = target, b = reporter. */
  report: 3,
  /** A failure report deleted (clean gossip): a = target, b = reporter. */
  reportDel: 4,
  /** Role: a = primary (-1: I am a primary), b = configEpoch. */
  role: 5,
  /** Election started (auth request sent): a = epoch, b = rank. */
  election: 6,
  /** Election won: a = epoch, b = the rank it ran with (the slots are taken already). */
  win: 7,
  /** Writability: a = first owned slot (-1), b = 1 writable / 0 not. */
  writable: 8,
  /** configEpoch bumped by collision resolution: a = new configEpoch, b = the other node. */
  collision: 9,
  /** currentEpoch or lastVoteEpoch changed (noted after the input that changed it):
   * a = currentEpoch, b = lastVoteEpoch. */
  epoch: 10,
  /** At boot: a = the node's shard (its group in the topology as created), b = 0. */
  shard: 11,
  /** Cluster state changed: a = 1 ok / 0 fail, b = 1 among the minority / 0. */
  state: 12,
  /** A vote granted (FAILOVER_AUTH_ACK queued): a = epoch, b = the candidate. */
  vote: 13,
} as const;

export const VALKEY_NOTE_NAMES: Readonly<Record<number, string>> = {
  1: "pfail",
  2: "fail",
  3: "report",
  4: "report-del",
  5: "role",
  6: "election",
  7: "win",
  8: "writable",
  9: "epoch-collision",
  10: "epoch",
  11: "shard",
  12: "state",
  13: "vote",
};

/** A node's shard: the index of its group (initial primary and its replicas) in the topology. */
export function shardOf(topo: Topology, id: number): number {
  const p = topo.initialPrimaryOf[id] < 0 ? id : topo.initialPrimaryOf[id];
  let s = 0;
  for (let i = 0; i < p; i++) if (topo.initialPrimaryOf[i] < 0) s++;
  return s;
}
