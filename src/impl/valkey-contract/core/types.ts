// The Valkey-like Core's wire types, options, planted bugs and note codes (core.ts, host.ts).
// The Core sits on the modular-clustering contract (../contract.ts) and nothing else of a module:
// the shard log holds slot ownership and primaryship, GLOBAL gossip the slot routing and
// addresses, SHARD gossip the replication offsets.
import type { ImplRng, NodeId } from "../../node.js";
import type { DataRecord } from "../../failover/valkey/types.js";

/** The Core's effects (the host wraps the node's env). */
export interface CoreEnv {
  readonly rng: ImplRng;
  sendData(to: NodeId, msg: DataMsg): void;
  persist(records: readonly CoreRecord[], sync: boolean): number;
  reply(client: number, rep: CoreRep): void;
  note(code: number, a: number, b: number): void;
}

/** Shard-log keys (one log per shard, so plain names). */
export const K = {
  /** The primaryship holder: a node id, nothing else (the RFC's `primaryship := me`). */
  primary: "primary",
  /** The primaryship epoch: a counter bumped by every takeover, in the same update; it orders
   * the data sets of successive primaries (Raft's last log term, for the data). */
  epoch: "epoch",
  /** The shard's slot range "lo-hi". */
  slots: "slots",
  /** A manual failover's marker: the fencing replica's id. While present the primary accepts
   * no writes; the takeover deletes it, a timed-out failover reverts it by CAS. */
  fenced: "fenced",
} as const;

/** GLOBAL gossip: the slot route of a shard ("primary:epoch:lo-hi"); a node's address. */
export const routeKey = (shard: string): string => `route/${shard}`;
export const addrKey = (node: number): string => `addr/${node}`;
/** SHARD gossip: a node's replication state ("epoch:offset", "epoch:offset:f" once fenced). */
export const offsetKey = (node: number): string => `offset/${node}`;

// ---- clients ----------------------------------------------------------------------------------

export type CoreReq =
  | { readonly type: "get"; readonly id: number; readonly key: string }
  /** APPEND token to key; wait: WAIT-style, answered once a majority of the shard (the primary
   * included) holds it durably. */
  | { readonly type: "append"; readonly id: number; readonly key: string; readonly token: string; readonly wait: boolean }
  /** CLUSTER FAILOVER [FORCE] given to a node: a replica fences its primary and takes over. */
  | { readonly type: "failover"; readonly id: number; readonly force: boolean };

export type CoreRep =
  | { readonly type: "ok"; readonly id: number; readonly value?: string }
  | { readonly type: "moved"; readonly id: number; readonly slot: number; readonly node: number }
  /** CLUSTERDOWN / TRYAGAIN: nothing was done. */
  | { readonly type: "down"; readonly id: number }
  | { readonly type: "err"; readonly id: number; readonly reason: string };

// ---- node to node (the data plane; the module's messages are wrapped by the host) --------------

export type DataMsg =
  /** The replication stream of primary epoch e: the write after offset `from`. */
  | { readonly type: "repl"; readonly e: number; readonly from: number; readonly key: string; readonly token: string }
  | { readonly type: "psync"; readonly e: number }
  | { readonly type: "fullsync"; readonly e: number; readonly de: number; readonly offset: number; readonly data: readonly (readonly [string, string])[] }
  /** A replica's durable offset in data epoch de (WAIT). */
  | { readonly type: "ack"; readonly de: number; readonly offset: number }
  /** A new primary of epoch e asks for the members' data state; the answer. */
  | { readonly type: "probe"; readonly e: number }
  | { readonly type: "probeRep"; readonly e: number; readonly de: number; readonly offset: number }
  /** ... and pulls the best member's data set. */
  | { readonly type: "fetch"; readonly e: number };

/** What the Core writes to the node's WAL (beside the module's records): the AOF, fsynced. */
export type CoreRecord = DataRecord | { readonly t: "de"; readonly de: number };

// ---- options ----------------------------------------------------------------------------------

export interface CoreBugs {
  /** A restarted holder serves at once, from its recovered shard log, without a heartbeat. */
  readonly restartNoLease?: boolean;
  /** WAIT counts a replica once the stream is sent to it, not once it acknowledged it. */
  readonly waitBeforeReplicas?: boolean;
  /** A timed-out manual failover never reverts its FENCED marker (and no one clears it). */
  readonly fencedNeverReverted?: boolean;
  /** The heartbeat TTL kept as an expiry on the wall clock (which clock steps move), not the
   * monotonic one, and trusted alone (clusterDown ignored). */
  readonly wallClockTtl?: boolean;
  /** A node accepts writes for a slot GLOBAL gossip routes to it (with a valid heartbeat),
   * without asking the shard log who holds the primaryship. */
  readonly gossipAuthority?: boolean;
  /** The new primary serves as soon as its takeover CAS succeeds, before pulling the
   * majority's data (WAIT-acknowledged writes of the old primary may be missing). */
  readonly noCatchUp?: boolean;
}

export interface CoreOptions {
  /** L: the module's heartbeat TTL (the new primary's wait is leaseWaitMult x L). */
  readonly leaseUs: number;
  /** true: a new primary waits leaseWaitMult x L after its takeover CAS succeeded before it
   * serves (FAILURE-DETECTION §a2 "Gap": the old primary's lease may still run). */
  readonly leaseWait: boolean;
  readonly leaseWaitMult: number;
  /** Where the takeover's expected revisions come from: the local view, or a consistent read
   * (readShardLogConsistent; a module without it: local). */
  readonly readMode: "local" | "consistent";
  /** How long a manual failover waits for the primary's final offset before it reverts. */
  readonly manualTimeoutUs: number;
  /** A primary clears a FENCED marker it has seen this long (its fencer is gone). */
  readonly fenceStaleUs: number;
  /** SHARD gossip of the replication offset, every this long. */
  readonly offsetGossipUs: number;
  /** The replica ranking delay per better-placed replica (Valkey's failover rank). */
  readonly rankDelayUs: number;
  readonly retryUs: number;
  readonly bugs: CoreBugs;
}

export const DEFAULT_CORE_OPTIONS: CoreOptions = Object.freeze({
  leaseUs: 400_000,
  leaseWait: true,
  leaseWaitMult: 2,
  readMode: "local",
  manualTimeoutUs: 1_000_000,
  fenceStaleUs: 3_000_000,
  offsetGossipUs: 100_000,
  rankDelayUs: 50_000,
  retryUs: 100_000,
  bugs: Object.freeze({}),
}) as CoreOptions;

// ---- notes (the harness's observers read them; codes 1-19) ------------------------------------

export const CN = {
  /** A takeover (automatic: a = 0, manual: 1, restart re-claim: 2) committed: b = the epoch. */
  takeover: 1,
  /** The node starts serving writes as primary: a = epoch. */
  serving: 2,
  /** A takeover CAS conflicted (a: 0 auto, 1 manual), b = the attempt. */
  casConflict: 3,
  /** A shard-log update answered unavailable or rejected: retried. */
  casRetry: 4,
  /** A FENCED marker written (a = 1) or reverted (a = 0). */
  fence: 5,
  /** A write accepted: a = key slot, b = 1 if WAIT. */
  accept: 6,
} as const;

export const CORE_NOTE_NAMES: Readonly<Record<number, string>> = {
  1: "takeover",
  2: "serving",
  3: "cas-conflict",
  4: "cas-retry",
  5: "fence",
  6: "accept",
};
