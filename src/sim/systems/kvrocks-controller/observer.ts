// The kvrocks-controller system's online checks, fed by the nodes' notes, the messages they send
// and the world's crashes (never by the controllers' own verdicts).
//
// Hard (CheckFailure):
//   P-KC1 one active controller: a controller acts on the data nodes (a leader probe, a lease
//         grant, a topology push) with epoch e only while no controller of a higher epoch has
//         taken over — for the external engine "taken over" is being elected (the store gave it
//         the leader key: a session measured from its keepalive's send time ends first); for the
//         embedded engine it is starting to act (a successor waits out the predecessor's last
//         ReadIndex confirmation). Hard with the quorumCheck fix; counted (split-brain events)
//         either way.
//   P-KC2 committed topology versions strictly increase in commit (revision) order, and every
//         pushed topology was committed in the engine before it was pushed.
//   P-FO4 with the lease fix: no write accepted by a node while another node of its shard could
//         accept writes (master in its own topology, under a live lease, up). Without the fix the
//         dual-writable window is measured (W2).
//   P-FO6 bounded failover: a master that crashes in a calm cluster (no cut, no clog, no loss
//         above 1%, every controller and the shard's other nodes up, no leadership change) is
//         replaced in the committed topology within (K+1)P + P + vote + margin.
//   P-FO7 (with the votes fix) no failover of a master that was up and that some controller
//         reached over clean links (no cut, no clog, loss at most 1%) for the whole detection
//         window; counted as false failovers without the fix.
import type { DataNode } from "../../../impl/kvrocks/data-node.js";
import type { Controller } from "../../../impl/kvrocks/controller.js";
import type { StoreNode } from "../../../impl/kvrocks/store-node.js";
import { KN, decodeTopology, encodeTopology, isController, isDataNode, shardOfNode, storeNode, type ControlMsg, type EngineKind, type Fixes, type Layout, type Timing, type Topology } from "../../../impl/kvrocks/types.js";
import type { FaultAction } from "../../faults/index.js";
import { NodeStatus } from "../../kernel/world.js";
import { CheckFailure, type AnyWorld } from "../../runner/system.js";

const MS = 1_000;

interface Armed {
  readonly node: number;
  readonly shard: number;
  readonly at: number;
  readonly deadline: number;
}

export class KvObserver {
  private w!: AnyWorld;
  private readonly committed = new Map<number, { version: number; value: string }>();
  private readonly byVersion = new Map<number, string>();
  private maxVersion = 0;
  private latest: Topology | null = null;
  /** Per epoch: when its controller was elected, and when it first acted. */
  private readonly elected = new Map<number, number>();
  private readonly actingSince = new Map<number, number>();
  private readonly lastBad: Float64Array;
  private readonly badSpans: [number, number][] = [];
  private readonly lossyFrom: number;
  private readonly crashedAt = new Map<number, number>();
  private armed: Armed[] = [];
  private lastEventAt = 0;
  private readonly dual: Uint8Array;
  private lastLeaderChange = Number.NEGATIVE_INFINITY;
  // Measured.
  splitBrain = 0;
  stalePushes = 0;
  dualWritableUs = 0;
  dualWrites = 0;
  falseFailovers = 0;
  failovers = 0;
  readonly failoverUs: number[] = [];
  fo6Checked = 0;
  fo7Checked = 0;

  constructor(
    private readonly l: Layout,
    private readonly engine: EngineKind,
    private readonly fixes: Fixes,
    private readonly timing: Timing,
    actions: readonly FaultAction[],
  ) {
    this.lastBad = new Float64Array(l.controllers * (storeNode(l) - l.controllers)).fill(0);
    this.dual = new Uint8Array(l.shards);
    let lossy = Number.POSITIVE_INFINITY;
    for (const a of actions) {
      if (a.kind === "clog") this.badSpans.push([a.at, a.at + (a as { durationUs: number }).durationUs]);
      if (a.kind === "net" && ((a as { lossP?: number }).lossP ?? 0) > 0.01) lossy = Math.min(lossy, a.at);
    }
    this.lossyFrom = lossy;
    this.latest = null;
  }

  attach(w: AnyWorld): void {
    this.w = w;
  }

  /** The detection window: K+1 probe periods and a margin. */
  private get windowUs(): number {
    return (this.timing.maxMisses + 1) * this.timing.probeUs + 2_000 * MS;
  }

  private get boundUs(): number {
    return (this.timing.maxMisses + 2) * this.timing.probeUs + this.timing.voteUs + 3_000 * MS;
  }

  private noisy(from: number, to: number): boolean {
    if (to >= this.lossyFrom) return true;
    for (const [a, b] of this.badSpans) if (a <= to && b >= from) return true;
    return false;
  }

  onNote(id: number, code: number, a: number, b: number): void {
    const now = this.w.now;
    switch (code) {
      case KN.committed: return this.onCommitted(id, a, b, now);
      case KN.leading:
        if (b === 1 && !this.elected.has(a)) this.elected.set(a, now);
        this.lastLeaderChange = now;
        return;
      case KN.acting:
        if (b === 1 && !this.actingSince.has(a)) this.actingSince.set(a, now);
        this.lastLeaderChange = now;
        return;
      case KN.write: return this.onWrite(id, a, now);
      default: return;
    }
  }

  private onCommitted(id: number, version: number, rev: number, now: number): void {
    if (this.committed.has(rev)) return;
    const value = id === storeNode(this.l) ? (this.w.nodes[id] as StoreNode).topologyValue() : (this.w.nodes[id] as Controller).committedValue();
    if (value === null) return;
    for (const [r, c] of this.committed) {
      if ((r < rev && c.version >= version) || (r > rev && c.version <= version)) {
        throw new CheckFailure(`P-KC2: committed topology versions do not strictly increase: version ${c.version} at revision ${r}, version ${version} at revision ${rev}`, now);
      }
    }
    this.committed.set(rev, { version, value });
    this.byVersion.set(version, value);
    if (version > this.maxVersion) {
      const prev = this.latest;
      this.maxVersion = version;
      this.latest = decodeTopology(value);
      if (prev !== null && this.latest !== null) {
        for (let s = 0; s < this.l.shards; s++) {
          const old = prev.shards[s]!.master;
          if (this.latest.shards[s]!.master !== old) this.onFailover(old, s, now);
        }
      }
    }
  }

  private onFailover(old: number, shard: number, now: number): void {
    this.failovers++;
    const c = this.crashedAt.get(old);
    if (c !== undefined) this.failoverUs.push(now - c);
    this.armed = this.armed.filter((x) => x.shard !== shard);
    // P-FO7: was `old` up, and reached by some controller over clean links, for the window?
    const w = this.w;
    if (w.status[old] !== NodeStatus.up || now < this.windowUs) return;
    const since = now - this.windowUs;
    const downAt = this.crashedAt.get(old);
    if (downAt !== undefined && downAt > since) return;
    if (this.noisy(since, now)) return;
    const d = old - this.l.controllers;
    const n = storeNode(this.l) - this.l.controllers;
    let reached = -1;
    for (let c = 0; c < this.l.controllers; c++) if (this.lastBad[c * n + d]! <= since) reached = c;
    if (reached < 0) return;
    this.fo7Checked++;
    if (this.fixes.votes && this.l.controllers > 1) {
      throw new CheckFailure(`P-FO7: master ${old} of shard ${shard} failed over while up and reached by controller ${reached} over clean links for ${(this.windowUs / 1e6).toFixed(0)} s`, now);
    }
    this.falseFailovers++;
  }

  private onWrite(id: number, shard: number, now: number): void {
    const w = this.w;
    for (let j = this.l.controllers; j < storeNode(this.l); j++) {
      if (j === id || shardOfNode(this.l, j) !== shard || w.status[j] !== NodeStatus.up) continue;
      if (!(w.nodes[j] as DataNode).writable(w.localNow(j))) continue;
      this.dualWrites++;
      if (this.fixes.lease) throw new CheckFailure(`P-FO4: node ${id} accepted a write for shard ${shard} while node ${j} held a write lease as master`, now);
    }
  }

  onSend(from: number, to: number, msg: unknown): void {
    if (!isController(this.l, from) || !isDataNode(this.l, to)) return;
    const m = msg as ControlMsg;
    if (m.type === "probe" && m.epoch < 0) return;
    const now = this.w.now;
    const e = m.epoch;
    let taken = false;
    const from2 = this.engine === "external" ? this.elected : this.actingSince;
    for (const [e2, t] of from2) if (e2 > e && t <= now) taken = true;
    if (taken) {
      this.splitBrain++;
      if (this.fixes.quorumCheck) throw new CheckFailure(`P-KC1: controller ${from} acted (${m.type} to ${to}) with epoch ${e} after a controller of a higher epoch took over`, now);
    }
    if (m.type === "topo") {
      const v = this.byVersion.get(m.topo.version);
      if (v !== encodeTopology(m.topo)) throw new CheckFailure(`P-KC2: controller ${from} pushed topology version ${m.topo.version} to ${to}, which the engine never committed${v === undefined ? "" : " (a different topology was)"}`, now);
      if (m.topo.version < this.maxVersion) this.stalePushes++;
    }
  }

  onCrash(id: number): void {
    const now = this.w.now;
    if (!isDataNode(this.l, id)) return;
    this.crashedAt.set(id, now);
    const t = this.latest;
    const s = shardOfNode(this.l, id);
    if (t !== null && t.shards[s]!.master === id && now - this.lastLeaderChange > this.windowUs) this.armed.push({ node: id, shard: s, at: now, deadline: now + this.boundUs });
  }

  afterEvent(w: AnyWorld): void {
    const now = w.now;
    const dt = now - this.lastEventAt;
    this.lastEventAt = now;
    const C = this.l.controllers;
    const first = C;
    const n = storeNode(this.l) - first;
    const net = w.net;
    for (let c = 0; c < C; c++) {
      const cUp = w.status[c] === NodeStatus.up;
      for (let d = 0; d < n; d++) {
        const node = first + d;
        if (!cUp || w.status[node] !== NodeStatus.up || net.isCut(c, node) || net.isCut(node, c)) this.lastBad[c * n + d] = now;
      }
    }
    // W2: time with two writable nodes in a shard.
    const writable = new Uint8Array(this.l.shards);
    for (let d = 0; d < n; d++) {
      const node = first + d;
      if (w.status[node] === NodeStatus.up && (w.nodes[node] as DataNode).writable(w.localNow(node))) writable[shardOfNode(this.l, node)]!++;
    }
    for (let s = 0; s < this.l.shards; s++) {
      if (this.dual[s] === 1) this.dualWritableUs += dt;
      this.dual[s] = writable[s]! >= 2 ? 1 : 0;
    }
    if (this.armed.length > 0) this.checkArmed(w, now);
  }

  private checkArmed(w: AnyWorld, now: number): void {
    const calm = !w.net.anyCut && !this.noisy(now - this.windowUs, now) && now - this.lastLeaderChange > 0;
    const keep: Armed[] = [];
    for (const a of this.armed) {
      let ok = calm && w.status[a.node] !== NodeStatus.up && this.lastLeaderChange < a.at;
      for (let c = 0; c < this.l.controllers && ok; c++) if (w.status[c] !== NodeStatus.up) ok = false;
      const per = this.l.replicas + 1;
      const base = this.l.controllers + a.shard * per;
      for (let j = base; j < base + per && ok; j++) if (j !== a.node && w.status[j] !== NodeStatus.up) ok = false;
      if (!ok) continue;
      if (now >= a.deadline) {
        this.fo6Checked++;
        if (this.latest !== null && this.latest.shards[a.shard]!.master === a.node) {
          throw new CheckFailure(`P-FO6: master ${a.node} of shard ${a.shard} crashed at ${(a.at / 1e6).toFixed(3)} s in a calm cluster and is still master ${((now - a.at) / 1e6).toFixed(1)} s later (bound ${(this.boundUs / 1e6).toFixed(0)} s)`, now);
        }
        continue;
      }
      keep.push(a);
    }
    this.armed = keep;
  }

  latestTopology(): Topology | null {
    return this.latest;
  }
}
