// The voter configuration, kept in one place so that joint consensus (two voter sets, a quorum
// in each) and learners (replicated to, never counted) can be added here later without touching
// the protocol code: callers only ask "is this a voter", "who do I replicate to" and "what index
// / how many acks does a quorum reach".
import type { NodeId } from "../node.js";

export class VoterSet {
  readonly ids: readonly NodeId[];
  readonly quorum: number;
  /** Largest id + 1: per-peer state lives in arrays indexed by node id (ids are small ints). */
  readonly idBound: number;
  private readonly scratch: number[];

  constructor(ids: readonly NodeId[]) {
    if (ids.length === 0) throw new Error("raft invariant: empty voter set");
    const seen = new Set<NodeId>();
    let bound = 0;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0) throw new Error(`raft invariant: bad node id ${id}`);
      if (seen.has(id)) throw new Error(`raft invariant: duplicate voter ${id}`);
      seen.add(id);
      if (id + 1 > bound) bound = id + 1;
    }
    this.ids = ids.slice();
    this.quorum = (ids.length >> 1) + 1;
    this.idBound = bound;
    this.scratch = new Array<number>(ids.length).fill(0);
  }

  has(id: NodeId): boolean {
    return this.ids.includes(id);
  }

  /** The highest index that a quorum of voters has reached; valueOf(id) gives each voter's index. */
  committedIndex(valueOf: (id: NodeId) => number): number {
    const s = this.scratch;
    const n = this.ids.length;
    for (let k = 0; k < n; k++) {
      const v = valueOf(this.ids[k]);
      // insertion sort, descending (n is small)
      let j = k;
      while (j > 0 && s[j - 1] < v) {
        s[j] = s[j - 1];
        j--;
      }
      s[j] = v;
    }
    return s[this.quorum - 1];
  }

  /** Whether the voters for which yes(id) holds form a quorum. */
  isQuorum(yes: (id: NodeId) => boolean): boolean {
    let c = 0;
    for (const id of this.ids) if (yes(id) && ++c >= this.quorum) return true;
    return false;
  }
}
