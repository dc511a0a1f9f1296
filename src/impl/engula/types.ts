// Engula's microunit control plane (seed: engula issue #58, "Roadmap v0.2 - Microunit"; source
// @9901b7c src/server/src/root/{heartbeat,liveness}.rs): the wire messages, WAL records,
// root-group commands, options and note codes shared by the node (node.ts), the control unit
// (control.ts) and the simulator's system (src/sim/systems/engula).
import type { NodeId } from "../node.js";
import type { RaftMessage, RaftRecord } from "../raft/raft.js";

/** The group id of the root group (the control plane's own Raft group). Data groups are 1..G. */
export const ROOT_GROUP = 0;

/** A universe-wide request (`/v1/universe/...` in the seed), as a client sends it to any node. */
export type UniverseOp =
  | { readonly f: "create-unit"; readonly unit: string }
  | { readonly f: "delete-unit"; readonly unit: string }
  | { readonly f: "list-units" }
  | { readonly f: "list-nodes" }
  | { readonly f: "list-members" };

/** A write's result: created/deleted/exists/absent; a read's: the sorted list. */
export type UniverseResult = string | readonly (string | number)[];

export interface UniverseRequest {
  readonly type: "req";
  readonly id: number;
  readonly op: UniverseOp;
}

/** ok: done (a write applied through the root group, a read confirmed by ReadIndex); redirect:
 * ask `to` (-1: this node knows no control unit now; retry elsewhere later); unavailable: the
 * outcome is unknown (leadership lost with the request in flight). */
export type UniverseReply =
  | { readonly type: "rep"; readonly id: number; readonly kind: "ok"; readonly result: UniverseResult }
  | { readonly type: "rep"; readonly id: number; readonly kind: "redirect"; readonly to: NodeId }
  | { readonly type: "rep"; readonly id: number; readonly kind: "unavailable" };

/** One replica's view of its group, piggybacked on heartbeat responses (Engula's heartbeat
 * carries replica states and group descriptors the same way). */
export interface GroupStatus {
  readonly g: number;
  readonly leader: boolean;
  readonly term: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** A configuration change is appended and not yet committed. */
  readonly pending: boolean;
}

/** The root group's replicated commands. */
export type RootCommand =
  | { readonly kind: "join"; readonly node: NodeId; readonly by: NodeId; readonly rid: number }
  /** client: the requesting endpoint; rid: its request id (increasing per client), so a
   * duplicated request is applied once (the network may deliver a message twice). */
  | { readonly kind: "unit"; readonly op: "create" | "delete"; readonly unit: string; readonly client: number; readonly rid: number }
  /** Liveness checkpoint (etcd's lease checkpoint, the fix for etcd#9395): per known node, the
   * time left before it is dead (µs), or -1 when dead. Replicas convert it to their own clock. */
  | { readonly kind: "liveness"; readonly nodes: readonly NodeId[]; readonly remainingUs: readonly number[] };

export type EngulaMessage =
  | { readonly type: "raft"; readonly g: number; readonly m: RaftMessage<RootCommand> }
  /** A node asks to join the universe (Engula's POST /nodes), through any node. */
  | { readonly type: "join"; readonly node: NodeId }
  | { readonly type: "joinResp"; readonly status: "joined" | "redirect"; readonly to: NodeId }
  /** The control unit's heartbeat: it tells the node where the control plane is. */
  | { readonly type: "hb"; readonly seq: number; readonly cu: NodeId; readonly term: number }
  | { readonly type: "hbResp"; readonly seq: number; readonly groups: readonly GroupStatus[] }
  /** A group leader's status pushed to the control unit after a configuration change. */
  | { readonly type: "report"; readonly groups: readonly GroupStatus[] }
  /** The control unit asks a group's leader for one membership change (a cure step). */
  | { readonly type: "cure"; readonly g: number; readonly change: CureChange; readonly expect: ConfView }
  /** A universe request forwarded inside the cluster is never done: nodes redirect clients. */
  | UniverseRequest;

/** The configuration a cure was decided on: the leader carries the change out only if its own
 * is still this one (PD checks a region's conf_ver the same way), so a change decided on a stale
 * report never lands on a configuration it was not meant for. */
export interface ConfView {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** nudge: append an empty entry. Raft promotes a caught-up learner when its match index
 * advances; in a group that takes no writes nothing else advances it after a promotion was
 * refused once (a change pending, no commit in the term yet), so the learner would wait forever. */
export type CureChange = { readonly kind: "add-learner" | "remove" | "nudge"; readonly node: NodeId };

/** WAL records: Raft's records tagged with their group, and the node's own "joined" mark. */
export type EngulaRecord =
  | { readonly g: number; readonly r: RaftRecord<RootCommand> }
  | { readonly g: -1; readonly joined: true };

export interface EngulaBugs {
  /** #12: every new control-plane leader resets the liveness table to a full threshold
   * (Engula's `liveness.reset()` on losing Root leadership; etcd#9395's lease extension). */
  readonly livenessReset?: boolean;
  /** A node answers universe reads from its own root replica's local state instead of
   * redirecting to the control unit (kvrocks-controller PR #183: "Reading data (Get, Exists)
   * directly queries the kv map"). */
  readonly staleLocalRead?: boolean;
  /** A cure removes the dead voter first and adds its replacement in a later round. */
  readonly removeBeforeAdd?: boolean;
}

export interface EngulaOptions {
  readonly servers: number;
  /** Voters of the root group: 1 = the control unit lives on the first node (the seed's v0.2);
   * 3 = on the leader of a root Raft group that the first nodes to join are added to. */
  readonly rootVoters: number;
  /** Data groups (ids 1..groups), each `replicas` voters placed on consecutive nodes. */
  readonly groups: number;
  readonly replicas: number;
  /** Engula's liveness_threshold_sec, heartbeat_timeout_sec and heartbeat interval (its
   * numbers: 30 s, 4 s, 26 s = threshold - timeout). */
  readonly livenessThresholdUs: number;
  readonly heartbeatTimeoutUs: number;
  readonly heartbeatIntervalUs: number;
  /** Raft timing of every group (root and data). */
  readonly electionMinUs: number;
  readonly electionMaxUs: number;
  readonly raftHeartbeatUs: number;
  readonly bugs: EngulaBugs;
  readonly asserts: boolean;
}

/** Note codes of the node (NodeEnv.note); Raft's notes of group g are 10 * (g + 1) + code. */
export const EngulaNote = {
  /** a = the node that joined (at the control unit), b = 0 */
  joined: 1,
  /** a = this node became the control unit (1) or stopped being it (0), b = root term */
  controlUnit: 2,
  /** a = node marked dead by the control unit, b = 1 dead / 0 alive again */
  liveness: 3,
  /** a = group, b = cure change code (1 add-learner, 2 remove) * 1000 + node */
  cure: 4,
  /** a = this node's join was accepted (1) */
  joinDone: 5,
} as const;

export const ENGULA_NOTE_NAMES: Readonly<Record<number, string>> = { 1: "joined", 2: "control-unit", 3: "liveness", 4: "cure", 5: "join-done" };

export function raftNoteCode(g: number, code: number): number {
  return 10 * (g + 1) + code;
}
