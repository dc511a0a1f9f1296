// A kvrocks controller (apache/kvrocks-controller @7ca006b controller/probe and failover, as
// FAILURE-DETECTION.md §a6 reads them) on a pluggable storage engine. The leader (the engine's)
// reads the cluster topology every probe round, probes every data node every 3 s, queues a
// failover task for a master at every 5th consecutive miss (count % max_ping_count == 0),
// and in its failover step promotes the replica with the largest replication offset, bumps the
// version, writes the topology through the engine and pushes it to the data nodes; it also
// pushes the topology to any node that reports an older version, and (lease fix) answers a
// master's probe reply with a write-lease grant.
//
// Fix options: votes (every controller probes; the leader fails a master over only if every
// peer also counts it down), quorumCheck (act only while the engine confirms leadership, and
// after taking over wait until the predecessor's confirmation and any lease it granted have run
// out), demote (the old master is pushed the new topology first), casUpdate (UpdateCluster as a
// CAS on the revision read), lease (see data-node.ts; a master is not replaced before the last
// grant it got has run out).
import type { NodeEnv, Recovered, SimNode } from "../node.js";
import type { MetaOp, MetaResult } from "../metadata/ops.js";
import type { ServerOptions } from "../metadata/server.js";
import { MonotonicTime } from "../raft/monotonic.js";
import { WakeMux } from "../embed/wake-mux.js";
import { runOp, type EngineReply, type StorageEngine } from "./engine.js";
import { EmbeddedEngine } from "./embedded-engine.js";
import { ExternalEngine } from "./external-engine.js";
import { KN, TOPOLOGY_KEY, dataNodes, decodeTopology, encodeTopology, initialTopology, storeNode, type ControllerOptions, type InfoMsg, type StoreMsg, type Topology, type VoteMsg } from "./types.js";

/** Where the controller's engine operations go (the harness records them as a history). */
export interface OpSink {
  invoke(controller: number, op: MetaOp): number;
  complete(handle: number, reply: EngineReply): void;
}

const TICK_US = 250_000;
const MARGIN_US = 200_000;

type Outcome = "retain" | "done";

export class Controller implements SimNode<unknown, never> {
  readonly engine: StorageEngine;
  private readonly mux: WakeMux;
  private readonly engineSlot: number;
  private readonly loopSlot: number;
  private readonly mono = new MonotonicTime();
  private readonly first: number;
  private readonly n: number;
  leading = false;
  epoch = -1;
  private actingFrom = Number.POSITIVE_INFINITY;
  private confirmedUntil = Number.NaN;
  private confirming = false;
  private nextConfirm = 0;
  private acting = false;
  /** The topology as last read (or written) and its revision (0: absent). */
  topo: Topology | null = null;
  private topoRev = 0;
  private reading = false;
  private writing = false;
  private nextRound = 0;
  private seq = 0;
  private readonly awaiting: Int32Array;
  readonly misses: Int32Array;
  private readonly offset: Float64Array;
  private readonly fresh: Uint8Array;
  private readonly lastGrant: Float64Array;
  /** Queued failover tasks (data node ids), in queue order. */
  readonly tasks: number[] = [];
  /** Vote rounds in progress, by the master they are about. */
  private readonly votes = new Map<number, { id: number; yes: number; no: number; deadline: number; result: boolean | null }>();
  private nextVoteId = 1;
  private lastCommittedRev = 0;

  constructor(
    private readonly env: NodeEnv<unknown, unknown, never>,
    private readonly o: ControllerOptions,
    raft: ServerOptions["raft"],
    recovered: Recovered<unknown> | null,
    now: number,
    private readonly sink: OpSink | null,
  ) {
    const L = o.layout;
    this.first = L.controllers;
    this.n = dataNodes(L);
    this.awaiting = new Int32Array(this.n).fill(-1);
    this.misses = new Int32Array(this.n);
    this.offset = new Float64Array(this.n);
    this.fresh = new Uint8Array(this.n);
    this.lastGrant = new Float64Array(this.n).fill(Number.NEGATIVE_INFINITY);
    this.mono.read(now);
    this.mux = new WakeMux((l) => env.wakeAt(l));
    this.engineSlot = this.mux.slot();
    this.loopSlot = this.mux.slot();
    const wake = (l: number) => this.mux.set(this.engineSlot, l);
    if (o.engine === "embedded") {
      const server: ServerOptions = { raft, dedupSessions: true, maxPending: 64, asserts: o.asserts };
      this.engine = new EmbeddedEngine(env.id, server, env, wake, recovered, now, o.readIndex && !o.bugs.localRead, o.timing.leadershipUs, o.timing.requestUs);
    } else {
      this.engine = new ExternalEngine(
        { self: env.id, store: storeNode(L), timing: o.timing, quorumCheck: o.fixes.quorumCheck, sessionFromReceipt: o.bugs.sessionFromReceipt === true, idBase: env.rng.int(0, (1 << 30) - 1) * 1024 + 1 },
        (to, m: StoreMsg) => env.send(to, m),
        wake,
        now,
      );
    }
    this.engine.onLeaderChange((leading, epoch, t) => this.leaderChanged(leading, epoch, t));
    this.mux.set(this.loopSlot, now + TICK_US);
  }

  onMessage(from: number, msg: unknown, now: number): void {
    if (this.engine.onMessage(from, msg, now)) return this.after(now);
    const m = msg as InfoMsg | VoteMsg;
    const t = this.mono.read(now);
    if (m.type === "info") this.onInfo(from, m, t);
    else if (m.type === "voteReq") {
      const i = m.node - this.first;
      // Yes once this peer counts K-1 misses: its probe rounds are not in phase with the
      // leader's, so at the leader's K-th miss a peer that sees the same outage has K-1 or K.
      const yes = i >= 0 && i < this.n && this.o.fixes.votes && this.misses[i]! >= this.o.timing.maxMisses - 1;
      this.env.send(from, { type: "voteRep", id: m.id, yes } satisfies VoteMsg);
    } else if (m.type === "voteRep") {
      let v = null;
      for (const x of this.votes.values()) if (x.id === m.id) v = x;
      if (v !== null && v.result === null) {
        if (m.yes) v.yes++;
        else v.no++;
        if (v.no > 0) v.result = false;
        else if (v.yes >= this.o.layout.controllers - 1) v.result = true;
        // A decided vote goes on at once, not at the next round.
        if (v.result !== null && this.topo !== null && !this.reading) this.failoverStep(now);
      }
    }
    this.after(now);
  }

  onTick(now: number): void {
    this.mux.fire(now, (slot) => {
      if (slot === this.engineSlot) this.engine.onTick(now);
      else this.loop(now);
    });
    this.after(now);
  }

  onClient(): void {}

  onPersisted(token: number, now: number): void {
    this.engine.onPersisted(token, now);
    this.after(now);
  }

  /** Could this controller act (probe as leader, grant, push, fail over) at monotonic t? */
  private canAct(t: number): boolean {
    if (!this.leading || t < this.actingFrom) return false;
    return !this.o.fixes.quorumCheck || this.confirmedUntil > t;
  }

  private after(now: number): void {
    const t = this.mono.read(now);
    const a = this.canAct(t);
    if (a !== this.acting) {
      this.acting = a;
      this.env.note(KN.acting, this.epoch, a ? 1 : 0);
    }
    this.noteCommits();
  }

  private noteCommits(): void {
    if (this.engine.kind === "embedded") {
      // Commits of the topology key, as this controller's store applies them (the observer
      // collects them from every controller; the first to apply one reports it).
      const r = (this.engine as EmbeddedEngine).localGet(TOPOLOGY_KEY);
      if (r.found && r.revision > this.lastCommittedRev) {
        this.lastCommittedRev = r.revision;
        const topo = decodeTopology(r.value);
        if (topo !== null) this.env.note(KN.committed, topo.version, r.revision);
      }
    }
  }

  /** The committed topology this controller's store holds (embedded; observer's use). */
  committedValue(): string | null {
    if (this.engine.kind !== "embedded") return null;
    const r = (this.engine as EmbeddedEngine).localGet(TOPOLOGY_KEY);
    return r.found ? r.value : null;
  }

  private leaderChanged(leading: boolean, epoch: number, now: number): void {
    const t = this.mono.read(now);
    this.leading = leading;
    this.epoch = epoch;
    this.confirmedUntil = Number.NaN;
    this.tasks.length = 0;
    this.votes.clear();
    this.topo = null;
    this.env.note(KN.leading, epoch, leading ? 1 : 0);
    if (!leading) {
      this.actingFrom = Number.POSITIVE_INFINITY;
      return;
    }
    const T = this.o.timing;
    let wait = 0;
    if (this.o.fixes.quorumCheck) {
      // The predecessor may act until its last confirmation's end, and its last grant may
      // run a lease past that.
      wait = (this.engine.kind === "embedded" ? T.leadershipUs : 0) + (this.o.fixes.lease ? T.leaseUs : 0);
      wait = wait + Math.ceil((wait * 2 * T.driftPpm) / 1e6) + MARGIN_US;
    }
    this.actingFrom = t + wait;
    this.nextRound = t;
    this.misses.fill(0);
    this.awaiting.fill(-1);
  }

  private loop(now: number): void {
    const t = this.mono.read(now);
    const T = this.o.timing;
    this.mux.set(this.loopSlot, now + TICK_US);
    if (this.leading && this.o.fixes.quorumCheck && !this.confirming && t >= this.nextConfirm) {
      this.confirming = true;
      this.nextConfirm = t + TICK_US * 2;
      this.engine.confirm(now, (until, t2) => {
        this.confirming = false;
        if (until === until) this.confirmedUntil = Math.max(this.confirmedUntil === this.confirmedUntil ? this.confirmedUntil : 0, until);
        this.after(t2);
      });
    }
    for (const v of this.votes.values()) if (v.result === null && t >= v.deadline) v.result = false;
    if (t < this.nextRound) return;
    this.nextRound = t + T.probeUs;
    const leaderRound = this.canAct(t);
    if (!leaderRound && !(this.o.fixes.votes && !this.o.bugs.singleObserver)) return;
    this.probeRound(t, leaderRound);
    if (leaderRound) this.readTopology(now);
  }

  private probeRound(t: number, leader: boolean): void {
    const T = this.o.timing;
    for (let i = 0; i < this.n; i++) {
      const node = this.first + i;
      if (this.awaiting[i]! >= 0) {
        this.misses[i]!++;
        this.fresh[i] = 0;
        // kvrocks: `count % max_ping_count == 0` makes the node a failover task (masters only).
        if (leader && this.misses[i]! % T.maxMisses === 0 && this.topo !== null && this.isMasterInTopo(node) && !this.tasks.includes(node)) {
          this.tasks.push(node);
          this.env.note(KN.queued, node, this.misses[i]!);
        }
      }
      this.awaiting[i] = ++this.seq;
      this.env.send(node, { type: "probe", seq: this.seq, epoch: leader ? this.epoch : -1 });
    }
  }

  private isMasterInTopo(node: number): boolean {
    return this.topo !== null && this.topo.shards.some((s) => s.master === node);
  }

  private onInfo(from: number, m: InfoMsg, t: number): void {
    const i = from - this.first;
    if (i < 0 || i >= this.n || this.awaiting[i] !== m.seq) return;
    this.awaiting[i] = -1;
    this.misses[i] = 0;
    this.fresh[i] = 1;
    this.offset[i] = m.offset;
    if (!this.canAct(t) || this.topo === null) return;
    if (m.version < this.topo.version) this.push(from, this.topo);
    else if (this.o.fixes.lease && m.master && this.isMasterInTopo(from) && m.version === this.topo.version) {
      this.lastGrant[i] = t;
      this.env.send(from, { type: "grant", epoch: this.epoch, sentAt: m.sentAt });
    }
  }

  private push(to: number, topo: Topology): void {
    this.noteCommits(); // a write answered in this step is applied here: report it before pushing
    this.env.send(to, { type: "topo", epoch: this.epoch, topo });
  }

  private op(op: MetaOp, now: number, done: (r: EngineReply, now: number) => void): void {
    const h = this.sink === null ? -1 : this.sink.invoke(this.env.id, op);
    runOp(this.engine, op, now, (r, t) => {
      if (this.sink !== null) this.sink.complete(h, r);
      done(r, t);
    });
  }

  private readTopology(now: number): void {
    if (this.reading || this.writing) return;
    this.reading = true;
    const epoch = this.epoch;
    this.op({ f: "get", key: TOPOLOGY_KEY }, now, (r, t) => {
      this.reading = false;
      if (r.kind !== "ok" || this.epoch !== epoch || !this.leading) return;
      const g = r.result as Extract<MetaResult, { f: "get" }>;
      if (!g.found) return this.bootstrap(t);
      const topo = decodeTopology(g.value);
      if (topo === null) return;
      this.topo = topo;
      this.topoRev = g.revision;
      this.failoverStep(t);
    });
  }

  /** The first leader writes the initial topology (version 1, as the data nodes start). */
  private bootstrap(now: number): void {
    this.writing = true;
    this.op({ f: "cas", key: TOPOLOGY_KEY, expected: "absent", value: encodeTopology(initialTopology(this.o.layout)) }, now, () => {
      this.writing = false;
    });
  }

  private failoverStep(now: number): void {
    const t = this.mono.read(now);
    if (!this.canAct(t) || this.writing) return;
    if (this.o.bugs.rangeMutation) {
      // #17: the handled task is removed from the slice being ranged over, so the next one is
      // skipped; the round then trims the handled count off the front again, dropping it.
      const n = this.tasks.length;
      let handled = 0;
      for (let i = 0; i < n; i++) {
        const node = this.tasks[i];
        if (node === undefined) break;
        if (this.handle(node, now) === "done") {
          this.tasks.splice(i, 1);
          handled++;
        }
      }
      this.tasks.splice(0, handled);
      return;
    }
    for (const node of [...this.tasks]) if (this.handle(node, now) === "done") this.tasks.splice(this.tasks.indexOf(node), 1);
  }

  private handle(node: number, now: number): Outcome {
    const t = this.mono.read(now);
    const T = this.o.timing;
    const i = node - this.first;
    const topo = this.topo!;
    const s = topo.shards.findIndex((x) => x.master === node);
    if (s < 0 || this.misses[i] === 0) return "done"; // failed over already, or answered again
    if (this.writing) return "retain";
    if (this.o.fixes.votes && !this.o.bugs.singleObserver && this.o.layout.controllers > 1) {
      const v = this.votes.get(node);
      if (v === undefined) {
        const id = this.nextVoteId++;
        this.votes.set(node, { id, yes: 0, no: 0, deadline: t + T.voteUs, result: null });
        for (let c = 0; c < this.o.layout.controllers; c++) if (c !== this.env.id) this.env.send(c, { type: "voteReq", id, node, epoch: this.epoch } satisfies VoteMsg);
        return "retain";
      }
      if (v.result === null) return "retain";
      this.votes.delete(node);
      if (!v.result) return "done"; // a peer still sees it: no failover (re-queued at the next 5 misses)
    }
    if (this.o.fixes.lease && t < this.lastGrant[i]! + T.leaseUs + Math.ceil((T.leaseUs * 2 * T.driftPpm) / 1e6) + MARGIN_US) return "retain";
    let best = -1;
    for (const r of topo.shards[s]!.replicas) {
      const j = r - this.first;
      if (this.fresh[j] === 1 && (best < 0 || this.offset[j]! > this.offset[best - this.first]!)) best = r;
    }
    if (best < 0) return "retain";
    const shards = topo.shards.map((x, k) => (k === s ? { master: best, replicas: [...x.replicas.filter((r) => r !== best), node] } : x));
    const next: Topology = { version: topo.version + 1, shards };
    this.writing = true;
    this.update(next, now, (ok, t2) => {
      this.writing = false;
      if (!ok || !this.canAct(this.mono.read(t2))) return;
      this.topo = next;
      this.env.note(KN.promoted, s, best);
      if (this.o.fixes.demote) this.push(node, next);
      for (let d = 0; d < this.n; d++) if (this.first + d !== node || !this.o.fixes.demote) this.push(this.first + d, next);
      // Other queued masters go on now, on the topology just written.
      this.failoverStep(t2);
    });
    return "done";
  }

  /** UpdateCluster: a CAS on the revision read (fix), or read, compare, blind write (#9). */
  private update(next: Topology, now: number, done: (ok: boolean, now: number) => void): void {
    const value = encodeTopology(next);
    this.env.note(KN.updating, next.version, 0);
    if (this.o.fixes.casUpdate && !this.o.bugs.blindUpdate) {
      this.op({ f: "cas", key: TOPOLOGY_KEY, expected: this.topoRev, value }, now, (r, t) => {
        const ok = r.kind === "ok" && (r.result as { ok?: boolean }).ok === true;
        if (ok) this.topoRev = (r.result as { revision: number }).revision;
        done(ok, t);
      });
      return;
    }
    this.op({ f: "get", key: TOPOLOGY_KEY }, now, (r, t) => {
      if (r.kind !== "ok") return done(false, t);
      const g = r.result as Extract<MetaResult, { f: "get" }>;
      const cur = g.found ? decodeTopology(g.value) : null;
      // store.go: "the cluster has been updated by others" only when stored > new; equal passes.
      if (cur !== null && cur.version > next.version) return done(false, t);
      this.op({ f: "put", key: TOPOLOGY_KEY, value }, t, (r2, t2) => done(r2.kind === "ok", t2));
    });
  }
}
