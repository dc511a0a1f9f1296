// The universe's replicated state, the root group's state machine: the nodes that joined, the
// control plane's members (the seed's GET /members: the root group's intended voters) and the
// units created. Every replica of the root group applies the same committed commands in order;
// the control unit answers universe requests from it (writes once applied, reads after
// ReadIndex), so the answers form one linearizable history.
import type { NodeId } from "../node.js";
import type { RootCommand, UniverseOp, UniverseResult } from "./types.js";

export class Universe {
  readonly nodes: NodeId[] = [];
  readonly members: NodeId[] = [];
  readonly units: string[] = [];
  applied = 0;
  /** Per client endpoint: its latest applied request id and that request's result. */
  private readonly lastReq = new Map<number, { readonly rid: number; readonly result: UniverseResult }>();

  constructor(private readonly rootVoters: number, founder: NodeId) {
    // Bootstrap (`engula node start --init`): the first node is the universe's first node and
    // its first control-plane member.
    this.nodes.push(founder);
    this.members.push(founder);
  }

  /** Apply a committed command; its result for the request that proposed it. */
  apply(index: number, cmd: RootCommand): UniverseResult | null {
    this.applied = index;
    switch (cmd.kind) {
      case "join": {
        if (this.nodes.includes(cmd.node)) return "member";
        insertSorted(this.nodes, cmd.node);
        // The first nodes to join also join the control plane, up to its size.
        if (this.members.length < this.rootVoters) insertSorted(this.members, cmd.node);
        return "joined";
      }
      case "unit": {
        const last = this.lastReq.get(cmd.client);
        if (last !== undefined && cmd.rid <= last.rid) return cmd.rid === last.rid ? last.result : "stale";
        const result = this.applyUnit(cmd.op, cmd.unit);
        this.lastReq.set(cmd.client, { rid: cmd.rid, result });
        return result;
      }
      case "liveness":
        return null;
    }
  }

  private applyUnit(op: "create" | "delete", unit: string): UniverseResult {
    const at = this.units.indexOf(unit);
    if (op === "create") {
      if (at >= 0) return "exists";
      insertSorted(this.units, unit);
      return "created";
    }
    if (at < 0) return "absent";
    this.units.splice(at, 1);
    return "deleted";
  }

  advance(index: number): void {
    this.applied = index;
  }

  read(op: UniverseOp): UniverseResult {
    switch (op.f) {
      case "list-nodes":
        return [...this.nodes];
      case "list-members":
        return [...this.members];
      case "list-units":
        return [...this.units];
      default:
        throw new Error(`universe: ${op.f} is not a read`);
    }
  }
}

export function isRead(op: UniverseOp): boolean {
  return op.f === "list-nodes" || op.f === "list-members" || op.f === "list-units";
}

function insertSorted<T extends string | number>(xs: T[], x: T): void {
  let i = 0;
  while (i < xs.length && xs[i]! < x) i++;
  xs.splice(i, 0, x);
}
