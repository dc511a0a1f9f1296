// The control unit's group cure (Engula's scheduler: "replace offline voters"), as a pure
// decision over the latest status its group's leader reported and the liveness table: at most
// one Raft membership change per group at a time, each a single-server change (raftsim's Raft:
// src/impl/raft/confchange.ts).
//
// The safe order replaces a dead voter by adding its replacement first (as a learner; Raft
// promotes it once it has caught up) and removing the dead voter only from the larger
// configuration. A removal from an even-sized configuration never costs a live quorum (if at
// most half of the 2k-1 remaining voters are alive, at most k of the 2k were); a removal from an
// odd-sized one can: the planted bug removeBeforeAdd (3 voters -> 2, then a crash of either
// survivor stops the group, where the old 3 with the "dead" voter back would have lived).
import type { NodeId } from "../node.js";
import type { CureChange, GroupStatus } from "./types.js";

export interface CureInput {
  readonly status: GroupStatus;
  readonly replicas: number;
  readonly isDead: (n: NodeId) => boolean;
  /** Joined nodes, in id order. */
  readonly nodes: readonly NodeId[];
  /** Replicas (voters + learners) per node across all groups, for placement. */
  readonly load: (n: NodeId) => number;
  /** The voter this group is replacing (set when its replacement was added), or -1. */
  readonly replacing: NodeId;
  readonly removeBeforeAdd: boolean;
}

/** The next change for a group, or null (nothing to do, or wait for the pending one). */
export function nextCure(x: CureInput): CureChange | null {
  const s = x.status;
  if (s.pending || s.learners.length > 0) return null; // one change at a time; learners are promoted by Raft
  const dead = s.voters.filter((v) => x.isDead(v));
  if (s.voters.length > x.replicas) {
    const victim = x.replacing >= 0 && s.voters.includes(x.replacing) ? x.replacing : dead.length > 0 ? dead[0]! : surplus(s);
    return victim < 0 ? null : { kind: "remove", node: victim };
  }
  if (s.voters.length === x.replicas && dead.length === 0) return null;
  // With half or more of the voters dead the group cannot commit a change: nothing to try.
  if (2 * dead.length >= s.voters.length) return null;
  if (s.voters.length === x.replicas && x.removeBeforeAdd) return { kind: "remove", node: dead[0]! };
  const target = place(x);
  return target < 0 ? null : { kind: "add-learner", node: target };
}

/** A live joined node outside the group with the fewest replicas (lowest id on ties). */
function place(x: CureInput): NodeId {
  let best = -1;
  for (const n of x.nodes) {
    if (x.status.voters.includes(n) || x.status.learners.includes(n) || x.isDead(n)) continue;
    if (best < 0 || x.load(n) < x.load(best)) best = n;
  }
  return best;
}

/** No dead voter in a surplus (the replaced one came back): drop the highest id (a leader that
 * removes itself hands over, dissertation §4.2.2). */
function surplus(s: GroupStatus): NodeId {
  const vs = [...s.voters].sort((a, b) => b - a);
  return vs.length > 0 ? vs[0]! : -1;
}
