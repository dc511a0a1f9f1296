// Quorums (etcd's quorum package): who the voters are, what index a majority of them has
// reached (commitment, §5.3), whether a majority answered yes (CheckQuorum, §6.2), and how an
// election stands (§5.2: etcd's VoteResult). Kept in one place so that joint consensus (two
// voter sets, a quorum in each) and learners (replicated to, never counted) can be added here
// later without touching the protocol code: callers only ask "is this a voter", "who do I
// replicate to" and "what index / how many acks does a quorum reach".
import type { NodeId } from "../node.js";

/** A voter's recorded answer in the current election, per node id (Raft.votes). */
export const VOTE_NONE = 0;
export const VOTE_GRANTED = 1;
export const VOTE_REJECTED = 2;

/** How an election stands (etcd's quorum.VoteResult). */
export type VoteResult = typeof VOTE_PENDING | typeof VOTE_WON | typeof VOTE_LOST;
/** Neither a quorum of grants nor a quorum of rejections yet. */
export const VOTE_PENDING = 0;
export const VOTE_WON = 1;
export const VOTE_LOST = 2;

export class VoterSet {
  readonly ids: readonly NodeId[];
  readonly quorum: number;
  /** Largest id + 1: per-peer state lives in arrays indexed by node id (ids are small ints). */
  readonly idBound: number;
  private readonly scratch: number[];

  constructor(ids: readonly NodeId[]) {
    // An empty set is the configuration of a server that has not joined yet (or never learned
    // one): it is in no quorum and never campaigns. Quorum 1 of nothing is never reached.
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
    if (n === 0) return 0;
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

  /** The election's outcome given each node's answer (votes[id]: VOTE_NONE / _GRANTED /
   * _REJECTED); only the voters count. Won takes precedence over lost. */
  voteResult(votes: readonly number[]): VoteResult {
    let yes = 0;
    let no = 0;
    for (const p of this.ids) {
      const v = votes[p];
      if (v === VOTE_GRANTED) yes++;
      else if (v === VOTE_REJECTED) no++;
    }
    if (yes >= this.quorum) return VOTE_WON;
    if (no >= this.quorum) return VOTE_LOST;
    return VOTE_PENDING;
  }
}
