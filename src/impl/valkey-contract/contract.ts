// The Valkey "Modular Clustering" contract (valkey-rfc PR #35, ModularClustering.md; summarised in
// docs/valkey-contract.md): the boundary between the Core (the data plane: slots, replication,
// clients) and a Clustering module (membership, metadata, failure detection). Typed here so that
// modules can be written against it, run in raftsim's deterministic worlds, and checked by the
// conformance suite (src/api/valkey-conformance).
//
// Shape. The RFC's C API is callbacks both ways (ClusterOps the Core calls; VM_ClusterProvider*
// functions the module calls). Here it is a pure state machine in the style of src/impl/node.ts:
// - the host drives the module with onMessage / onTick / onPersisted, each carrying the node's
//   LOCAL time in microseconds; every network, disk, timer and randomness effect goes through the
//   NodeEnv the host hands the module (ModuleContext.env), so the module runs in the simulator;
// - the Core calls the module's commands (joinCluster, updateShardLog, ...) with its local time
//   and a callback that the module calls exactly once, later or at once;
// - the module calls the Core through CoreCallbacks (membership, gossip and shard-log
//   notifications, the heartbeat and clusterDown), never by returning values.
// Nothing here imports a module: raft-module (./raft-module) is one implementation.
// Section references: the seed copy of the RFC (PR #35 review excerpts) numbers only §4.2 "Remote
// Failure" and §5 "Cluster Formation and Operation Details" (§5.7: failover by primaryship CAS);
// other parts are cited by their names and quoted phrases.
import type { NodeEnv, NodeId, Recovered } from "../node.js";

// ---- membership (RFC "Membership": push-based) -------------------------------------------

/** A shard's id, chosen by the operator (the RFC's shard_id). */
export type ShardId = string;

/**
 * A member's health as the module judges it (RFC §4.2 "Remote Failure"):
 * - OK: healthy;
 * - PFAIL: locally unhealthy, not yet canonically so ("not strictly needed, but client visible";
 *   the review asks to drop it);
 * - FAIL: canonically unhealthy: the Core may fail over away from it.
 */
export type MemberState = "OK" | "PFAIL" | "FAIL";

export interface MemberInfo {
  readonly nodeId: NodeId;
  readonly address: string;
  readonly state: MemberState;
}

export interface ShardMembership {
  readonly shardId: ShardId;
  readonly members: readonly MemberInfo[];
}

/**
 * What VM_ClusterProviderUpdateMembership pushes: the whole membership, every time ("The Core
 * does not pull or poll"). Shards and members in a stable order (shards as configured, members by
 * node id) so that two pushes of the same membership compare equal.
 */
export interface ClusterMembership {
  readonly shards: readonly ShardMembership[];
}

/** Where a node is placed when the cluster is formed (the operator's input, not the RFC's). */
export interface ShardPlan {
  readonly shardId: ShardId;
  readonly members: readonly { readonly nodeId: NodeId; readonly address: string }[];
}

/** The cluster as configured at formation: every node is a member of exactly one shard. */
export interface ClusterPlan {
  readonly shards: readonly ShardPlan[];
}

/** The answer to JoinCluster / RemoveFromCluster / JoinShard / RemoveFromShard (RFC: these
 * "answer through callbacks"). */
export type CommandResult = { readonly kind: "ok" } | { readonly kind: "error"; readonly reason: string };

// ---- metadata (RFC "Metadata": two namespaces, CAS on an opaque revision) ----------------

declare const REVISION: unique symbol;

/**
 * The module's revision of a metadata key: opaque to the Core (RFC: `void *expected_revision`,
 * "details left to the Module (e.g. in Raft, it may include both term and index)"; the review asks
 * for an opaque type, not void*). The brand stops the Core from building or comparing one; it may
 * only keep it and hand it back as an expected revision. A module mints its revisions with
 * `mintRevision` and reads them back with `revisionPayload`; they must be plain immutable data
 * (they travel in messages and logs of the simulated world).
 */
export type Revision = { readonly [REVISION]: "valkey-module-revision" };

/** For module authors: wrap a plain, immutable value as an opaque Revision. */
export function mintRevision(payload: unknown): Revision {
  return payload as Revision;
}

/** For module authors: the value a Revision was minted from (the Core never calls this). */
export function revisionPayload(r: Revision): unknown {
  return r as unknown;
}

/**
 * One metadata operation: `{key, value, expected_revision}`. expectedRevision null means "insert"
 * (the key must be absent); otherwise the key's current revision must be exactly it, or "the
 * Module must fail the operation". value null deletes the key (under the same compare); the RFC
 * does not say how a key is removed, and the Core needs it (e.g. to clear a FENCED marker).
 */
export interface MetadataOp {
  readonly key: string;
  readonly value: string | null;
  readonly expectedRevision: Revision | null;
}

/** A key as the module holds it locally. */
export interface MetadataEntry {
  readonly key: string;
  readonly value: string;
  readonly revision: Revision;
}

/**
 * The outcome of an update (a list of ops applied atomically: "multi-op updates are atomic"):
 * - ok: every op was applied; `revisions[i]` is key i's new revision (null for a delete);
 * - conflict: a compare failed (a stale revision, an insert of a present key): NOTHING was
 *   applied; `failed` is the first failing op, `current` that key's revision as the module knows
 *   it (null: absent or unknown);
 * - unavailable: outcome unknown (shard log: proposed, then no answer; it may yet apply);
 * - rejected: definitely not applied (malformed, not a member, no leader known).
 */
export type UpdateResult =
  | { readonly kind: "ok"; readonly revisions: readonly (Revision | null)[] }
  | { readonly kind: "conflict"; readonly failed: number; readonly current: Revision | null }
  | { readonly kind: "unavailable" }
  | { readonly kind: "rejected"; readonly reason: string };

/**
 * Gossip propagation scope (RFC UpdateGossip): SHARD reaches at least the shard's members,
 * GLOBAL every node. "Minimum guarantees": a module may spread wider, so the Core keeps
 * shard-gossiped keys globally unique (prefix them with the shard or node id).
 */
export type GossipScope = "SHARD" | "GLOBAL";

/** A gossip entry the Core is told about; value null: the key was deleted (a tombstone won). */
export interface GossipUpdate {
  readonly scope: GossipScope;
  readonly key: string;
  readonly value: string | null;
  readonly revision: Revision;
}

/** A shard-log change the Core is told about, in log order; value null: the key was deleted. */
export interface ShardLogUpdate {
  readonly key: string;
  readonly value: string | null;
  readonly revision: Revision | null;
}

export type Done<T> = (result: T, now: number) => void;

// ---- the two directions ----------------------------------------------------------------------

/**
 * Module -> Core (the RFC's VM_ClusterProvider* calls). Every call carries the node's local time.
 */
export interface CoreCallbacks {
  /** VM_ClusterProviderUpdateMembership: the whole membership, pushed whenever it changes. */
  updateMembership(m: ClusterMembership, now: number): void;
  /**
   * NotifyGossipUpdate: the local value of a gossip key changed (a remote write arrived, a
   * conflict was resolved, or the Core's own update was applied). Gossip "must never silently
   * update local metadata": every change of what readGossip returns is notified, with the winner.
   */
  notifyGossipUpdate(u: GossipUpdate, now: number): void;
  /**
   * The shard log as applied on this node: the changes of one or more log entries, in log order
   * (an atomic multi-op update arrives in one call). After a restart the module first replays its
   * whole recovered state through this call: the restarted Core knows nothing.
   */
  notifyShardLogUpdate(changes: readonly ShardLogUpdate[], now: number): void;
  /**
   * VM_ClusterProviderClusterHeartbeat(ttl): the Core may consider itself OK (serve as a healthy
   * member, e.g. accept writes as primary) for at most `ttlUs` of its local time from `now`. A
   * module that uses the heartbeat as a lease must only send it with a quorum behind it.
   */
  clusterHeartbeat(ttlUs: number, now: number): void;
  /** VM_ClusterProviderClusterDown: the local OK state ends now, before any TTL. */
  clusterDown(now: number): void;
}

/**
 * Core -> module (the RFC's ClusterOps), plus the host's inputs. M: the module's messages.
 */
export interface ClusteringModule<M = unknown> {
  /** The host's inputs (src/impl/node.ts's SimNode without clients). */
  onMessage(from: NodeId, msg: M, now: number): void;
  onTick(now: number): void;
  onPersisted(token: number, now: number): void;

  /** The RFC's membership commands; answered through `done`. */
  joinCluster(nodeId: NodeId, address: string, shardId: ShardId, now: number, done: Done<CommandResult>): void;
  removeFromCluster(nodeId: NodeId, now: number, done: Done<CommandResult>): void;
  joinShard(nodeId: NodeId, shardId: ShardId, now: number, done: Done<CommandResult>): void;
  removeFromShard(nodeId: NodeId, shardId: ShardId, now: number, done: Done<CommandResult>): void;

  /**
   * UpdateGossip: best effort, no durability. The expected revisions are checked against this
   * node's local view (a gossip CAS can only be local); concurrent writes elsewhere are resolved
   * by the module deterministically, and every node is notified of the winner.
   */
  updateGossip(scope: GossipScope, ops: readonly MetadataOp[], now: number, done: Done<UpdateResult>): void;
  /**
   * UpdateShardLog: "durable on success" with "quorum semantics": ok only once the update is
   * committed by a quorum of the shard, and every member applies it in the same order.
   */
  updateShardLog(ops: readonly MetadataOp[], now: number, done: Done<UpdateResult>): void;

  /** This node's local view (no network): what the Core was last notified of. */
  readGossip(scope: GossipScope, key: string): MetadataEntry | null;
  readShardLog(key: string): MetadataEntry | null;
  /**
   * Optional (not in the RFC; added for issue 15 part 5): the keys as a linearizable read of the
   * shard log has them (e.g. Raft's ReadIndex), answered once through `done` — `unavailable`
   * when no quorum answered. A Core that needs a revision no older than the last committed write
   * uses it; a module without it leaves the Core its local view (readShardLog).
   */
  readShardLogConsistent?(keys: readonly string[], now: number, done: Done<ConsistentRead>): void;
}

/** The answer to readShardLogConsistent: the entries in the order asked (null: absent). */
export type ConsistentRead =
  | { readonly kind: "ok"; readonly entries: readonly (MetadataEntry | null)[] }
  | { readonly kind: "unavailable" };

/** What a module is built from: the node's env (its only effects), the Core to call, its
 * recovered disk (null on a first start), the cluster plan and the local time. */
export interface ModuleContext<M = unknown, R = unknown> {
  readonly id: NodeId;
  readonly env: NodeEnv<M, R, never>;
  readonly core: CoreCallbacks;
  readonly recovered: Recovered<R> | null;
  readonly plan: ClusterPlan;
  readonly now: number;
}

export type ModuleFactory<M = unknown, R = unknown> = (ctx: ModuleContext<M, R>) => ClusteringModule<M>;

/** The shard a node is placed in by the plan (undefined: none). */
export function shardOf(plan: ClusterPlan, node: NodeId): ShardPlan | undefined {
  return plan.shards.find((s) => s.members.some((m) => m.nodeId === node));
}
