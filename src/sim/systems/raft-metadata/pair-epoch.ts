// The epoch of a (leader, follower) pair that a wire check keeps state for: the leader's term,
// the follower's incarnation and restore count (a restarted or restored follower may have lost
// entries), and the leader's Progress object for it (a follower removed from the configuration
// and added back gets a new one: confchange.ts, ours). A check starts its per-pair state afresh
// when any of them moves, and ignores messages of an older term.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

/** enter()'s answers. */
export const PAIR_OLDER = -1;
export const PAIR_SAME = 0;
export const PAIR_NEW = 1;

export class PairEpochs {
  /** The pair's term (-1: none yet), indexed leader * n + follower. */
  readonly term: Float64Array;
  private readonly gen: Float64Array;
  private readonly view: unknown[];

  constructor(size: number) {
    this.term = new Float64Array(size).fill(-1);
    this.gen = new Float64Array(size);
    this.view = new Array<unknown>(size).fill(undefined);
  }

  /** Pair k = (leader, f) at `term`: PAIR_OLDER for an older term's message, PAIR_SAME while
   * the epoch holds, PAIR_NEW when it moved on (recorded: the caller resets its state). */
  enter(w: AnyWorld, leader: number, f: number, k: number, term: number): number {
    if (term < this.term[k]) return PAIR_OLDER;
    const gen = w.incarnation(f) * 65_536 + w.restores[f];
    const node = w.nodes[leader] as MetaServer | null;
    const view = node === null ? undefined : node.raft.prs[f];
    if (this.term[k] === term && this.gen[k] === gen && this.view[k] === view) return PAIR_SAME;
    this.term[k] = term;
    this.gen[k] = gen;
    this.view[k] = view;
    return PAIR_NEW;
  }
}
