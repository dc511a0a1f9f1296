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
}

/** A configuration as it travels in a log entry or a snapshot: voters and learners (non-voting
 * members that are replicated to and never counted), disjoint, each without duplicates. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export const EMPTY_CONF: ConfState = Object.freeze({ voters: Object.freeze([]) as readonly NodeId[], learners: Object.freeze([]) as readonly NodeId[] });

/** A single-server change (dissertation §4.1): one server in or out of the voters per entry. */
export type ConfChange =
  | { readonly kind: "add-learner"; readonly node: NodeId }
  | { readonly kind: "promote"; readonly node: NodeId }
  | { readonly kind: "remove"; readonly node: NodeId };

export function checkConf(c: ConfState): void {
  const seen = new Set<NodeId>();
  for (const id of c.voters) {
    if (seen.has(id)) throw new Error(`raft invariant: node ${id} twice in a configuration`);
    seen.add(id);
  }
  for (const id of c.learners) {
    if (seen.has(id)) throw new Error(`raft invariant: node ${id} twice in a configuration`);
    seen.add(id);
  }
}

/** The configuration after a change, or a reason it does not apply to `c`. */
export function applyConfChange(c: ConfState, ch: ConfChange): ConfState | string {
  const n = ch.node;
  const isV = c.voters.includes(n);
  const isL = c.learners.includes(n);
  switch (ch.kind) {
    case "add-learner":
      if (isV || isL) return `node ${n} is already a member`;
      return { voters: c.voters, learners: [...c.learners, n] };
    case "promote":
      if (!isL) return `node ${n} is not a learner`;
      return { voters: [...c.voters, n], learners: c.learners.filter((x) => x !== n) };
    case "remove":
      if (!isV && !isL) return `node ${n} is not a member`;
      if (isV && c.voters.length === 1) return "cannot remove the last voter";
      return { voters: c.voters.filter((x) => x !== n), learners: c.learners.filter((x) => x !== n) };
  }
}

/** Voters differ by at most one server (the single-server rule that keeps any quorum of the
 * one meeting any quorum of the other). */
export function singleServerApart(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  let d = 0;
  for (const x of a) if (!b.includes(x)) d++;
  for (const x of b) if (!a.includes(x)) d++;
  return d <= 1;
}
