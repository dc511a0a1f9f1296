// raft-module's gossip: a cluster bus (node-to-node anti-entropy), not a cluster-wide Raft group.
//
// Why a bus for GLOBAL gossip. The contract makes gossip best effort with no durability, and what
// the Core keeps there — slot routing, addresses, primaryship routing — must keep flowing exactly
// when things are broken: during a shard's failover, in a minority partition (clients of the
// minority still need MOVED targets), while some shard has no quorum. A cluster-wide group would
// make every GLOBAL write wait for a cluster-wide majority, couple all shards' availability to one
// more consensus domain, and add a leader every node's routing depends on, for a guarantee the
// contract does not ask for. The bus costs convergence time (a few gossip rounds) and gives no
// order across keys, which the contract allows.
//
// Conflicts. Each entry carries (c, o): a Lamport counter and the writer's node id. A write takes
// c = local clock + 1; a merge keeps the higher (c, o), lexicographically — deterministic, the same
// winner on every node whatever the arrival order. A delete is a tombstone (value null) so that it
// wins and spreads like a write. Every change of a node's local entry, local or merged, is
// notified to the Core ("never silently update local metadata").
//
// A CAS on gossip can only be local: the expected revision is compared with this node's entry.
// SHARD entries are sent only to the shard's members (the minimum scope), GLOBAL ones to everyone.
import type { NodeId } from "../../node.js";
import { mintRevision, revisionPayload, type GossipScope, type GossipUpdate, type MetadataEntry, type MetadataOp, type Revision, type UpdateResult } from "../contract.js";

/** A gossip entry: value null is a tombstone. */
export interface BusEntry {
  readonly value: string | null;
  readonly c: number;
  readonly o: NodeId;
}

/** A gossip entry's revision payload ("g": gossip; never equal to a shard-log revision). */
interface GossipRev {
  readonly k: "g";
  readonly c: number;
  readonly o: NodeId;
}

/** A member's state as its own shard last reported it (for nodes of other shards). */
export interface StateReport {
  readonly state: "OK" | "PFAIL" | "FAIL";
  readonly c: number;
  readonly by: NodeId;
}

/** A shard's members (its Raft configuration) as a member holding a lease last reported them. */
export interface MembersReport {
  readonly members: readonly NodeId[];
  readonly c: number;
  readonly by: NodeId;
}

export interface BusMessage {
  readonly type: "bus";
  readonly term: 0;
  readonly global: readonly (readonly [string, BusEntry])[];
  /** Empty unless sender and receiver share a shard. */
  readonly shard: readonly (readonly [string, BusEntry])[];
  readonly reports: readonly (readonly [NodeId, StateReport])[];
  readonly members: readonly (readonly [string, MembersReport])[];
}

const newer = (a: { c: number; o?: NodeId; by?: NodeId }, b: { c: number; o?: NodeId; by?: NodeId }): boolean =>
  a.c > b.c || (a.c === b.c && (a.o ?? a.by ?? 0) > (b.o ?? b.by ?? 0));

export class GossipBus {
  private readonly maps: Record<GossipScope, Map<string, BusEntry>> = { SHARD: new Map(), GLOBAL: new Map() };
  readonly reports = new Map<NodeId, StateReport>();
  /** Shard id -> its members as last reported (JoinShard / RemoveFromShard change them). */
  readonly members = new Map<string, MembersReport>();
  private clock = 0;

  constructor(
    private readonly self: NodeId,
    private readonly notify: (u: GossipUpdate, now: number) => void,
  ) {}

  read(scope: GossipScope, key: string): MetadataEntry | null {
    const e = this.maps[scope].get(key);
    if (e === undefined || e.value === null) return null;
    return { key, value: e.value, revision: rev(e) };
  }

  /** The Core's UpdateGossip: all compares against the local view, then all writes, or nothing. */
  update(scope: GossipScope, ops: readonly MetadataOp[], now: number): UpdateResult {
    const map = this.maps[scope];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const cur = map.get(op.key);
      const live = cur !== undefined && cur.value !== null ? cur : undefined;
      if (!matches(live, op.expectedRevision)) return { kind: "conflict", failed: i, current: live === undefined ? null : rev(live) };
    }
    const revisions: (Revision | null)[] = [];
    for (const op of ops) {
      const e: BusEntry = { value: op.value, c: ++this.clock, o: this.self };
      map.set(op.key, e);
      revisions.push(op.value === null ? null : rev(e));
      this.notify({ scope, key: op.key, value: op.value, revision: rev(e) }, now);
    }
    return { kind: "ok", revisions };
  }

  /** Publish this node's judgement of a member of its own shard (only while it holds a lease). */
  report(node: NodeId, state: StateReport["state"]): void {
    const cur = this.reports.get(node);
    if (cur !== undefined && cur.state === state) return; // unchanged: keep its stamp
    this.reports.set(node, { state, c: ++this.clock, by: this.self });
  }

  /** Publish this node's shard's members (only while it holds a lease). */
  reportMembers(shard: string, members: readonly NodeId[]): void {
    const cur = this.members.get(shard);
    if (cur !== undefined && cur.members.length === members.length && cur.members.every((m, i) => m === members[i])) return;
    this.members.set(shard, { members, c: ++this.clock, by: this.self });
  }

  message(sameShard: boolean): BusMessage {
    return {
      type: "bus",
      term: 0,
      global: [...this.maps.GLOBAL],
      shard: sameShard ? [...this.maps.SHARD] : [],
      reports: [...this.reports],
      members: [...this.members],
    };
  }

  merge(m: BusMessage, sameShard: boolean, now: number): void {
    this.mergeScope("GLOBAL", m.global, now);
    if (sameShard) this.mergeScope("SHARD", m.shard, now);
    for (const [node, r] of m.reports) {
      this.clock = Math.max(this.clock, r.c);
      const cur = this.reports.get(node);
      if (cur === undefined || newer(r, cur)) this.reports.set(node, r);
    }
    for (const [shard, r] of m.members) {
      this.clock = Math.max(this.clock, r.c);
      const cur = this.members.get(shard);
      if (cur === undefined || newer(r, cur)) this.members.set(shard, r);
    }
  }

  private mergeScope(scope: GossipScope, entries: readonly (readonly [string, BusEntry])[], now: number): void {
    const map = this.maps[scope];
    for (const [key, e] of entries) {
      this.clock = Math.max(this.clock, e.c);
      const cur = map.get(key);
      if (cur !== undefined && !newer(e, cur)) continue;
      map.set(key, e);
      this.notify({ scope, key, value: e.value, revision: rev(e) }, now);
    }
  }
}

function rev(e: BusEntry): Revision {
  const p: GossipRev = Object.freeze({ k: "g", c: e.c, o: e.o });
  return mintRevision(p);
}

function matches(live: BusEntry | undefined, expected: Revision | null): boolean {
  if (expected === null) return live === undefined;
  if (live === undefined) return false;
  const p = revisionPayload(expected) as Partial<GossipRev> | null;
  return p !== null && typeof p === "object" && p.k === "g" && p.c === live.c && p.o === live.o;
}
