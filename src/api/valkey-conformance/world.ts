// A small deterministic world for running Clustering modules (src/impl/valkey-contract) under the
// conformance suite: hosts with a module and a recording Core each, a network with seeded
// latency and cuts, disks with fsync latency that lose unsynced records on a crash, per-node
// clock offsets, crash and restart. Same seed, same run.
//
// Why not raftsim's System contract and kernel World: the suite must run on a module alone,
// before any Core, workload, model or fault schedule exists for it, and its checks are scripted
// experiments (crash this node, write while it is down, look at the Core at its first
// heartbeat) rather than swarm runs judged afterwards. The kernel's world would bring in a
// system record (clients, observers, liveness, history) to drive a dozen calls. This harness is
// the same shape as the embedded-group test's (test/impl/embed/group.test.ts) with seeded
// streams (src/sim/kernel/rng.ts, listed in src/sim/runner/seeds.ts). Randomness: latency per
// message, clock offsets, each incarnation's ImplRng, and (when asked for) message loss,
// duplication and delay spikes. A partition drops messages sent across it; those already in
// flight arrive. Not modelled: clock drift and jumps, torn writes, pauses.
import type { NodeEnv, NodeId, Recovered } from "../../impl/node.js";
import type { ClusteringModule, ClusterMembership, ClusterPlan, CoreCallbacks, GossipScope, GossipUpdate, ModuleFactory, Revision, ShardLogUpdate } from "../../impl/valkey-contract/contract.js";
import { Rng } from "../../sim/kernel/rng.js";

export const MS = 1000;
const MAX_EVENTS_AT_ONE_INSTANT = 100_000;

interface Ev {
  readonly at: number;
  readonly seq: number;
  readonly kind: "msg" | "tick" | "sync";
  readonly to: NodeId;
  readonly from: NodeId;
  readonly msg?: unknown;
  /** tick: the host's tick generation; sync: the fsync token. */
  readonly token: number;
  /** The receiver's incarnation when queued (ticks and syncs of a dead incarnation are dropped). */
  readonly inc: number;
}

/** What the Core of one incarnation was told, with true times. */
export class CoreRecord implements CoreCallbacks {
  membership: ClusterMembership | null = null;
  readonly gossip: Record<GossipScope, Map<string, { value: string | null; revision: Revision }>> = { SHARD: new Map(), GLOBAL: new Map() };
  readonly shardLog = new Map<string, { value: string; revision: Revision }>();
  /** Every shard-log notification, in order (one entry per call). */
  readonly shardLogCalls: { at: number; changes: readonly ShardLogUpdate[] }[] = [];
  readonly heartbeats: { at: number; ttlUs: number }[] = [];
  readonly downs: number[] = [];
  /** True time the Core's OK state ends (-1: never OK). */
  okUntil = -1;
  /** Called after each heartbeat (checks hook here). */
  onHeartbeat: ((rec: CoreRecord) => void) | null = null;

  constructor(private readonly clock: () => number) {}

  updateMembership(m: ClusterMembership): void {
    this.membership = m;
  }

  notifyGossipUpdate(u: GossipUpdate): void {
    this.gossip[u.scope].set(u.key, { value: u.value, revision: u.revision });
  }

  notifyShardLogUpdate(changes: readonly ShardLogUpdate[]): void {
    this.shardLogCalls.push({ at: this.clock(), changes });
    for (const c of changes) {
      if (c.value === null) this.shardLog.delete(c.key);
      else this.shardLog.set(c.key, { value: c.value, revision: c.revision! });
    }
  }

  clusterHeartbeat(ttlUs: number): void {
    const at = this.clock();
    this.heartbeats.push({ at, ttlUs });
    // The Core may be OK until now + ttl; a later, shorter TTL does not shorten a promise made.
    this.okUntil = Math.max(this.okUntil, at + ttlUs);
    this.onHeartbeat?.(this);
  }

  clusterDown(): void {
    const at = this.clock();
    this.downs.push(at);
    this.okUntil = Math.min(this.okUntil, at);
  }

  isOk(now: number): boolean {
    return now < this.okUntil;
  }

  /** A member's state as this Core was last told (undefined: not in the membership). */
  stateOf(node: NodeId): string | undefined {
    for (const s of this.membership?.shards ?? []) for (const m of s.members) if (m.nodeId === node) return m.state;
    return undefined;
  }
}

export class Host {
  up = true;
  tickGen = 0;
  private token = 0;
  private readonly volatile: { token: number; recs: readonly unknown[] }[] = [];
  readonly core: CoreRecord;
  module!: ClusteringModule;

  constructor(
    private readonly w: ConformanceWorld,
    readonly id: NodeId,
    readonly inc: number,
    readonly durable: unknown[],
    readonly files: Map<string, unknown>,
  ) {
    this.core = new CoreRecord(() => w.now);
  }

  start(factory: ModuleFactory, recovered: Recovered<unknown> | null): void {
    const w = this.w;
    const env: NodeEnv<unknown, unknown, never> = {
      id: this.id,
      rng: w.rngFor(this.id, this.inc),
      send: (to, msg) => w.send(this.id, to, msg),
      persist: (recs, sync) => {
        const t = ++this.token;
        this.volatile.push({ token: t, recs });
        if (sync) w.push({ at: w.now + w.fsyncUs, kind: "sync", to: this.id, from: this.id, token: t, inc: this.inc });
        return t;
      },
      // Files are taken as durable at once (raft-module writes none: no compaction in embed).
      writeFile: (name, data) => void this.files.set(name, data),
      renameFile: (from, to) => {
        if (this.files.has(from)) this.files.set(to, this.files.get(from));
        this.files.delete(from);
      },
      deleteFile: (name) => void this.files.delete(name),
      syncFile: () => {
        const t = ++this.token;
        w.push({ at: w.now + w.fsyncUs, kind: "sync", to: this.id, from: this.id, token: t, inc: this.inc });
        return t;
      },
      rotateWal: () => 0,
      dropWalBefore: () => {},
      reply: () => {
        throw new Error("conformance world: a module has no clients to reply to");
      },
      wakeAt: (local) => {
        this.tickGen++;
        w.push({ at: Math.max(w.toTrue(this.id, local), w.now), kind: "tick", to: this.id, from: this.id, token: this.tickGen, inc: this.inc });
      },
      note: () => {},
    };
    this.module = factory({ id: this.id, env, core: this.core, recovered, plan: w.plan, now: w.local(this.id) });
  }

  onSync(token: number): void {
    while (this.volatile.length > 0 && this.volatile[0]!.token <= token) this.durable.push(...this.volatile.shift()!.recs);
    this.module.onPersisted(token, this.w.local(this.id));
  }
}

export interface WorldOptions {
  readonly seed: number;
  readonly plan: ClusterPlan;
  readonly factory: ModuleFactory<any, any>;
  /** One-way message latency bounds (default 1-4 ms). */
  readonly latencyUs?: readonly [number, number];
  /** fsync latency (default 1 ms). */
  readonly fsyncUs?: number;
  /** Share of messages lost (default 0; drawn only when above 0, so default runs are unchanged). */
  readonly lossRate?: number;
  /** Share of messages delivered twice, the copy with its own latency (default 0). */
  readonly dupRate?: number;
  /** Share of messages delayed by `spikeUs` on top of their latency (default 0): slow links,
   * late acknowledgements. */
  readonly spikeRate?: number;
  readonly spikeUs?: number;
}

export class ConformanceWorld {
  now = 0;
  private seq = 0;
  private readonly heap: Ev[] = [];
  readonly hosts = new Map<NodeId, Host>();
  /** Every incarnation's Core record, oldest first, per node. */
  readonly history = new Map<NodeId, CoreRecord[]>();
  private readonly cut = new Set<string>();
  private readonly offsets = new Map<NodeId, number>();
  private readonly net: Rng;
  private readonly root: Rng;
  readonly plan: ClusterPlan;
  readonly fsyncUs: number;
  private readonly latency: readonly [number, number];
  private readonly factory: ModuleFactory;
  private readonly lossRate: number;
  private readonly dupRate: number;
  private readonly spikeRate: number;
  private readonly spikeUs: number;
  private sameInstant = 0;
  /** Called with each new incarnation's Core before its module is built. */
  onNewCore: ((core: CoreRecord, id: NodeId) => void) | null = null;
  /** Called after every event (checks that must hold at every instant hook here). */
  afterEvent: (() => void) | null = null;

  constructor(o: WorldOptions) {
    this.root = Rng.root(o.seed).fork("valkey-conformance");
    this.net = this.root.fork("vc-net");
    const clocks = this.root.fork("vc-clocks");
    this.plan = o.plan;
    this.fsyncUs = o.fsyncUs ?? MS;
    this.latency = o.latencyUs ?? [MS, 4 * MS];
    this.factory = o.factory as ModuleFactory;
    this.lossRate = o.lossRate ?? 0;
    this.dupRate = o.dupRate ?? 0;
    this.spikeRate = o.spikeRate ?? 0;
    this.spikeUs = o.spikeUs ?? 0;
    for (const [name, v] of [["lossRate", this.lossRate], ["dupRate", this.dupRate], ["spikeRate", this.spikeRate]] as const) {
      if (!(v >= 0 && v < 1)) throw new RangeError(`conformance world: ${name} must be in [0, 1), got ${v}`);
    }
    for (const id of this.nodes()) this.offsets.set(id, clocks.int(0, 1_000_000) * 1000);
    for (const id of this.nodes()) this.boot(id, 0, [], new Map(), null);
  }

  nodes(): NodeId[] {
    return this.plan.shards.flatMap((s) => s.members.map((m) => m.nodeId));
  }

  shardMembers(node: NodeId): NodeId[] {
    return this.plan.shards.find((s) => s.members.some((m) => m.nodeId === node))!.members.map((m) => m.nodeId);
  }

  host(id: NodeId): Host {
    return this.hosts.get(id)!;
  }

  /** The live Core of a node (its current incarnation's). */
  core(id: NodeId): CoreRecord {
    return this.host(id).core;
  }

  local(id: NodeId): number {
    return this.now + this.offsets.get(id)!;
  }

  toTrue(id: NodeId, local: number): number {
    return local - this.offsets.get(id)!;
  }

  rngFor(id: NodeId, inc: number): Rng {
    return this.root.fork(`vc-node/${id}/${inc}`);
  }

  push(e: Omit<Ev, "seq">): void {
    const ev: Ev = { ...e, seq: this.seq++ };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Ev | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  send(from: NodeId, to: NodeId, msg: unknown): void {
    // A cut drops what is sent across it; what was already in flight still arrives.
    if (this.isCut(from, to)) return;
    if (this.lossRate > 0 && this.net.float() < this.lossRate) return;
    this.push({ at: this.now + this.delay(), kind: "msg", to, from, msg, token: 0, inc: -1 });
    if (this.dupRate > 0 && this.net.float() < this.dupRate) this.push({ at: this.now + this.delay(), kind: "msg", to, from, msg, token: 0, inc: -1 });
  }

  private delay(): number {
    const [lo, hi] = this.latency;
    const d = this.net.int(lo, hi);
    return this.spikeRate > 0 && this.net.float() < this.spikeRate ? d + this.spikeUs : d;
  }

  /** Run events up to true time `until` (inclusive); the clock ends there. */
  run(until: number): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.at > until) break;
      const e = this.pop()!;
      // A module that keeps waking itself at the same instant would never let time pass.
      this.sameInstant = e.at === this.now ? this.sameInstant + 1 : 0;
      if (this.sameInstant > MAX_EVENTS_AT_ONE_INSTANT) throw new Error(`conformance world: over ${MAX_EVENTS_AT_ONE_INSTANT} events at ${e.at / MS} ms (a wake-up loop in the module?)`);
      this.now = e.at;
      const h = this.hosts.get(e.to)!;
      if (!h.up) continue;
      if (e.kind === "msg") {
        h.module.onMessage(e.from, e.msg, this.local(e.to));
      } else if (e.kind === "tick") {
        if (e.inc !== h.inc || e.token !== h.tickGen) continue;
        h.module.onTick(this.local(e.to));
      } else {
        if (e.inc !== h.inc) continue;
        h.onSync(e.token);
      }
      this.afterEvent?.();
    }
    this.now = Math.max(this.now, until);
  }

  /** Run until `pred` holds (checked after each millisecond of true time) or `budgetUs` passes. */
  runUntil(pred: () => boolean, budgetUs: number): boolean {
    const end = this.now + budgetUs;
    while (this.now < end) {
      if (pred()) return true;
      this.run(this.now + MS);
    }
    return pred();
  }

  /** Cut (or heal) the links between two groups of nodes, both ways. */
  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    for (const x of a) for (const y of b) if (x !== y) this.cut.add(`${Math.min(x, y)}-${Math.max(x, y)}`);
  }

  healAll(): void {
    this.cut.clear();
  }

  isCut(a: NodeId, b: NodeId): boolean {
    return this.cut.has(`${Math.min(a, b)}-${Math.max(a, b)}`);
  }

  /** Stop a node: unsynced disk writes are lost, its module and Core are gone. */
  crash(id: NodeId): void {
    this.host(id).up = false;
  }

  /** Start a node again from its durable records (a new module and a new, empty Core). */
  restart(id: NodeId): void {
    const old = this.host(id);
    const recovered: Recovered<unknown> = { records: [...old.durable], corruptFrom: old.durable.length, files: new Map(old.files) };
    this.boot(id, old.inc + 1, old.durable, old.files, recovered);
  }

  private boot(id: NodeId, inc: number, durable: unknown[], files: Map<string, unknown>, recovered: Recovered<unknown> | null): void {
    const h = new Host(this, id, inc, durable, files);
    this.hosts.set(id, h);
    const list = this.history.get(id) ?? [];
    list.push(h.core);
    this.history.set(id, list);
    this.onNewCore?.(h.core, id);
    h.start(this.factory, recovered);
  }
}

function before(a: Ev, b: Ev): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
