// When the cluster has converged: every node up, nobody suspects anybody, every node agrees on
// the slot table and on every node's role, each shard's slots have one owner that is a
// primary, every other node is a replica of a primary, and every node's cluster state is ok.
// Returns why not, or null; a reason that starts with "P-FO3:" is about the shape of the
// configuration itself (a shard with two owners, an owner that is not a primary, a primary
// without slots, a replica of a replica) rather than about nodes still down, suspected or
// disagreeing. `crashing`: a node being crashed right now (the world marks it down
// before its onCrash hook), judged as it was.
import type { ValkeyNode } from "../../../impl/failover/valkey/node.js";
import { TOUCHED_NONE } from "../../kernel/world.js";
import { CheckFailure, type AnyWorld } from "../../runner/system.js";
import { S } from "../../../util/time.js";
import type { Shape } from "./options.js";

export function settled(w: AnyWorld, shape: Shape, crashing = -1): string | null {
  const n = shape.topo.servers;
  const nodes: ValkeyNode[] = [];
  for (let i = 0; i < n; i++) {
    const x = w.nodes[i] as ValkeyNode | null;
    if (x === null || (!w.isUp(i) && i !== crashing)) return `node ${i} is not up`;
    nodes.push(x);
  }
  const ref = nodes[0].view;
  for (let i = 0; i < n; i++) {
    const v = nodes[i].view;
    for (let j = 0; j < n; j++) {
      if (v.pfail[j] !== 0 || v.fail[j] !== 0) return `node ${i} suspects node ${j} (${v.fail[j] !== 0 ? "FAIL" : "PFAIL"})`;
      if (v.primaryOf[j] !== nodes[j].view.primaryOf[j]) return `node ${i} thinks node ${j}'s primary is ${v.primaryOf[j]}, node ${j} says ${nodes[j].view.primaryOf[j]}`;
    }
    for (let s = 0; s < v.slots; s++) if (v.owner[s] !== ref.owner[s]) return `nodes 0 and ${i} disagree on the owner of slot ${s} (${ref.owner[s]} / ${v.owner[s]})`;
    if (!nodes[i].clusterOk) return `node ${i}'s cluster state is fail`;
  }
  const ownerOfShard = new Int32Array(shape.shards).fill(-2);
  for (let s = 0; s < ref.slots; s++) {
    const o = ref.owner[s];
    const sh = shape.shardOfSlot[s];
    if (o < 0) return `slot ${s} has no owner`;
    if (ownerOfShard[sh] === -2) ownerOfShard[sh] = o;
    else if (ownerOfShard[sh] !== o) return `P-FO3: shard ${sh} is split between nodes ${ownerOfShard[sh]} and ${o}`;
    if (!nodes[o].isPrimary) return `P-FO3: slot ${s}'s owner ${o} is not a primary`;
  }
  for (let i = 0; i < n; i++) {
    const p = nodes[i].primary;
    if (p < 0 && ref.numSlots[i] === 0) return `P-FO3: node ${i} is a primary without slots`;
    if (p >= 0 && !nodes[p].isPrimary) return `P-FO3: node ${i} replicates node ${p}, which is a replica`;
  }
  return null;
}

/** P-FO2 after convergence: no two primaries share a configEpoch. */
export function epochClash(w: AnyWorld, n: number): string | null {
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = w.nodes[i] as ValkeyNode | null;
    if (x === null || !x.isPrimary) continue;
    const e = x.myConfigEpoch;
    const other = seen.get(e);
    if (other !== undefined) return `primaries ${other} and ${i} share configEpoch ${e} after convergence`;
    seen.set(e, i);
  }
  return null;
}

/** settled() after every event of the liveness phase, at O(N + slots) per event instead of
 * O(N² + N·slots): once the cluster is settled, an event that changed one server k
 * (World.touched) can only have broken what reads k's state (its row of the view, every node's
 * entry for k, its slot table, the shape checks), and a client's event changed no server. Any
 * doubt (a fault, node 0's slot table, a new role, a broken condition) takes the full check,
 * which also gives the reason its usual words. `verify`: run both and throw on a disagreement
 * (tests). */
export class SettledWatch {
  private ok = false;
  /** Each node's role (its own primaryOf entry) when the cluster was last found settled: then
   * every view agreed on it, so an event at k that left k's role alone left k's column and the
   * shape checks alone too, and k's row can be compared with this array, not the other views. */
  private role: Int32Array;

  constructor(
    private readonly shape: Shape,
    private readonly verify = false,
  ) {
    this.role = new Int32Array(shape.topo.servers);
  }

  check(w: AnyWorld): string | null {
    const t = w.touched;
    const fast = this.ok && (t === TOUCHED_NONE || (t > 0 && this.settledAround(w, t)));
    if (fast && !this.verify) return null;
    const why = settled(w, this.shape);
    if (fast && why !== null) throw new Error(`SettledWatch: the incremental check passed after an event at node ${t}, the full one says ${why}`);
    this.ok = why === null;
    if (this.ok) for (let i = 0; i < this.role.length; i++) this.role[i] = (w.nodes[i] as ValkeyNode).view.primaryOf[i];
    return why;
  }

  /** Whether the cluster is still settled, given that it was before an event that changed
   * only server k (k ≥ 1: node 0's slot table is everyone's reference): k's own state only. */
  private settledAround(w: AnyWorld, k: number): boolean {
    const node = w.nodes[k] as ValkeyNode | null;
    if (node === null || !w.isUp(k) || !node.clusterOk) return false;
    const v = node.view;
    const role = this.role;
    // A new role for k: everyone's entry for k and the shape checks need the full check.
    if (v.primaryOf[k] !== role[k]) return false;
    for (let j = 0; j < role.length; j++) if (v.pfail[j] !== 0 || v.fail[j] !== 0 || v.primaryOf[j] !== role[j]) return false;
    const ref = (w.nodes[0] as ValkeyNode).view;
    for (let s = 0; s < v.slots; s++) if (v.owner[s] !== ref.owner[s]) return false;
    return true;
  }
}

/**
 * The liveness phase of both failover designs (Valkey's bus and the lease design): run the
 * world until `check` finds the cluster settled (null) and still settled holdUs later, or until
 * endUs. Returns the virtual µs it settled at, or why it never did: "no convergence ..." — or,
 * for a P-FO3 reason (detection converged and the nodes agree, yet the configuration is not one
 * primary per shard with its replicas after a healed network's whole window), a CheckFailure.
 */
export function runToConvergence(w: AnyWorld, lastHealUs: number, endUs: number, holdUs: number, check: () => string | null): { settledAt: number } | { why: string } {
  let why: string | null = "not run";
  let settledAt = NaN;
  w.runUntil(endUs, () => {
    why = check();
    if (why !== null) {
      settledAt = NaN;
      return false;
    }
    if (settledAt !== settledAt) settledAt = w.now;
    return w.now - settledAt >= holdUs;
  });
  if (why === null) return { settledAt };
  const reason = why as string;
  const after = `${((endUs - lastHealUs) / S).toFixed(0)}s after the final heal`;
  if (reason.startsWith("P-FO3:")) throw new CheckFailure(`${reason} (${after})`, w.now);
  return { why: `no convergence ${after}: ${reason}` };
}
