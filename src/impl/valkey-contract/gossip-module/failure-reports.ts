// gossip-module's failure detector: Valkey's legacy bus rules (FAILURE-DETECTION.md §a1 steps
// 3-6), on the module's own PING/PONG.
// - PFAIL: a ping to the node has been pending (no PONG since it was sent) for more than the node
//   timeout T.
// - Failure reports: every PING/PONG carries the sender's flags for every node (a gossip
//   section); a PFAIL or FAIL flag from sender s about node j adds or refreshes s's report on j, a
//   clean flag removes it. Reports are valid for `validityMult` x T.
// - FAIL: local PFAIL plus valid reports that, with this node's own, make a majority of the
//   *cluster's nodes*. Valkey counts only voting primaries (slot owners); the module contract has
//   no primaries — every node is a member of some shard and the Core's roles are invisible to the
//   module — so every node votes. This keeps the majority rule's purpose (a minority side cannot
//   declare the majority FAIL) at the price of a bigger quorum than Valkey's. The node that
//   reaches FAIL broadcasts it (the module sends the FAIL message); receivers set FAIL at once.
// - Clearing: a PONG from the node clears PFAIL and FAIL (Valkey clears a replica's or slot-less
//   primary's FAIL at once; there are no slot owners here).
// Times are this node's local clock. Pure: the module calls it; it sends nothing.
import type { NodeId } from "../../node.js";
import type { MemberState } from "../contract.js";

/** A gossip section entry: [node, 0 clean | 1 PFAIL | 2 FAIL]. */
export type Flag = readonly [NodeId, 0 | 1 | 2];

interface Peer {
  /** Local time of the oldest ping not answered yet (null: none pending). */
  pingSent: number | null;
  lastPong: number;
  pfail: boolean;
  fail: boolean;
}

export class FailureReports {
  private readonly peers = new Map<NodeId, Peer>();
  /** subject -> reporter -> local time of the report's last refresh. */
  private readonly reports = new Map<NodeId, Map<NodeId, number>>();

  constructor(
    private readonly self: NodeId,
    nodes: readonly NodeId[],
    private readonly timeoutUs: number,
    private readonly validityUs: number,
    now: number,
  ) {
    // A (re)started node has heard nobody yet: everyone starts OK with a fresh PONG.
    for (const n of nodes) if (n !== self) this.peers.set(n, { pingSent: null, lastPong: now, pfail: false, fail: false });
  }

  onPingSent(node: NodeId, now: number): void {
    const p = this.peers.get(node);
    if (p !== undefined && p.pingSent === null) p.pingSent = now;
  }

  /** When this node's last PONG from `node` arrived. */
  lastPong(node: NodeId): number {
    return this.peers.get(node)?.lastPong ?? Number.NEGATIVE_INFINITY;
  }

  onPong(node: NodeId, now: number): void {
    const p = this.peers.get(node);
    if (p === undefined) return;
    p.pingSent = null;
    p.lastPong = now;
    p.pfail = false;
    p.fail = false;
  }

  /** A FAIL message: set at once (Valkey: "receivers set FAIL unconditionally"). */
  onFail(node: NodeId): void {
    const p = this.peers.get(node);
    if (p !== undefined) p.fail = true;
  }

  /** A gossip section from `from`: refresh or remove its reports. */
  onGossip(from: NodeId, flags: readonly Flag[], now: number): void {
    if (!this.peers.has(from)) return;
    for (const [j, f] of flags) {
      if (j === this.self || j === from) continue;
      let r = this.reports.get(j);
      if (f === 0) {
        r?.delete(from);
        continue;
      }
      if (r === undefined) this.reports.set(j, (r = new Map()));
      r.set(from, now);
    }
  }

  /** Valid reports on `node` (not counting this node's own judgement). */
  reportCount(node: NodeId, now: number): number {
    let c = 0;
    for (const t of this.reports.get(node)?.values() ?? []) if (now - t <= this.validityUs) c++;
    return c;
  }

  /**
   * Apply the timeout and the quorum rule at `now`; `clusterSize` is the number of voting nodes.
   * Returns the nodes this node has just marked FAIL (the module broadcasts them).
   */
  check(now: number, clusterSize: number): NodeId[] {
    const quorum = Math.floor(clusterSize / 2) + 1;
    const failed: NodeId[] = [];
    for (const [j, p] of this.peers) {
      if (p.pingSent !== null && now - p.pingSent > this.timeoutUs) p.pfail = true;
      if (p.pfail && !p.fail && this.reportCount(j, now) + 1 >= quorum) {
        p.fail = true;
        failed.push(j);
      }
    }
    return failed;
  }

  /** The next local time a pending ping crosses the timeout (Infinity: none). */
  nextEdge(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const p of this.peers.values()) {
      if (p.pingSent === null || p.pfail) continue;
      const edge = p.pingSent + this.timeoutUs + 1;
      if (edge > now && edge < next) next = edge;
    }
    return next;
  }

  state(node: NodeId): MemberState {
    const p = this.peers.get(node);
    if (p === undefined) return "OK";
    return p.fail ? "FAIL" : p.pfail ? "PFAIL" : "OK";
  }

  /** This node's gossip section: its flag for every peer. */
  flags(): Flag[] {
    const out: Flag[] = [];
    for (const [j, p] of this.peers) out.push([j, p.fail ? 2 : p.pfail ? 1 : 0]);
    return out;
  }
}
