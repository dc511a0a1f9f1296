// The control unit's liveness table (Engula @9901b7c src/server/src/root/liveness.rs): a node
// is dead once `now > last_success + liveness_threshold`. Times are the control unit's local
// monotonic clock.
//
// Engula resets the table whenever Root leadership changes (`liveness.reset()`), so a new
// leader starts every node's window afresh: with leader changes more often than the threshold
// a crashed node is never declared dead (FAILURE-DETECTION.md §d #12; etcd#9395, leases that
// never expire under frequent leader changes). The fix here is etcd's (lease checkpoints,
// etcd PR #9924): the leader replicates, every heartbeat round, how long each node has left;
// each replica converts that to its own clock when it applies it (apply time + remaining), so
// a new leader continues the old leader's windows, giving a node at most one heartbeat timeout
// of grace after the takeover (time to reach it once) instead of a full threshold.
import type { NodeId } from "../node.js";

export class LivenessTable {
  /** Per node: local µs after which it is dead (-Infinity: dead). */
  private readonly expiry = new Map<NodeId, number>();
  /** From the replicated checkpoints, on this replica's clock. */
  private readonly checkpoint = new Map<NodeId, number>();

  constructor(private readonly thresholdUs: number, private readonly graceUs: number) {}

  /** A heartbeat to `n` succeeded at local time `now`. */
  success(n: NodeId, now: number): void {
    this.expiry.set(n, now + this.thresholdUs);
  }

  /** A node the control unit newly knows of (joined): a full window to reach it. */
  know(n: NodeId, now: number): void {
    if (!this.expiry.has(n)) this.expiry.set(n, now + this.thresholdUs);
  }

  isDead(n: NodeId, now: number): boolean {
    const e = this.expiry.get(n);
    return e !== undefined && now > e;
  }

  /** The earliest expiry still ahead of `now` (a wake-up to notice a death promptly), or NaN. */
  nextExpiry(now: number): number {
    let at = Number.NaN;
    for (const e of this.expiry.values()) if (e >= now && !(at <= e)) at = e;
    return at;
  }

  known(): NodeId[] {
    return [...this.expiry.keys()].sort((a, b) => a - b);
  }

  /** The time left per node for a checkpoint (-1: dead). */
  remaining(nodes: readonly NodeId[], now: number): number[] {
    return nodes.map((n) => {
      const e = this.expiry.get(n);
      if (e === undefined) return -1;
      return now > e ? -1 : e - now;
    });
  }

  /** A checkpoint applied on this replica at local time `now`. */
  applyCheckpoint(nodes: readonly NodeId[], remainingUs: readonly number[], now: number): void {
    for (let i = 0; i < nodes.length; i++) this.checkpoint.set(nodes[i]!, remainingUs[i]! < 0 ? -Infinity : now + remainingUs[i]!);
  }

  /** This replica became the control unit at local `now`, knowing `nodes`. reset=true is
   * Engula's liveness.reset() (the planted bug #12): a full threshold for every node. */
  takeOver(nodes: readonly NodeId[], now: number, reset: boolean): void {
    this.expiry.clear();
    for (const n of nodes) {
      if (reset) {
        this.expiry.set(n, now + this.thresholdUs);
        continue;
      }
      // No checkpoint names it (it joined after the last one this replica received): when it
      // was last heard of is unknown, so only the grace (it answers the first round or is dead).
      const cp = this.checkpoint.get(n) ?? -Infinity;
      this.expiry.set(n, Math.max(cp, now + this.graceUs));
    }
  }
}
