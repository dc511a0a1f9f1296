// The world host: owns the scheduler, network, disks, clocks and trace, and drives nodes of
// the system under test through the NodeEnv contract (src/impl/node.ts). Nodes are built by a
// factory — at boot with recovered=null, after a crash from their disk only. Client actors
// live on endpoints N..N+C-1 and talk to servers through the same network.
import type { NodeEnv, NodeId, Recovered, SimNode } from "../../impl/node.js";
import { fnv1a } from "../../util/hash.js";
import { assert, fail } from "./assert.js";
import { LocalClock } from "./clock.js";
import { Disk, defaultDiskConfig, type DiskConfig, type LossMode } from "./disk.js";
import { Ev } from "./events.js";
import { Network, defaultNetConfig, fixedNetConfig, type NetConfig } from "./network.js";
import { Rng } from "./rng.js";
import { NO_HANDLE, Scheduler, type EventHandler } from "./scheduler.js";
import { DropReason, T, Trace } from "./trace.js";

/** A timed action the world schedules and hands to its fault executor (src/sim/faults). The
 * kernel knows only when it runs. */
export interface TimedAction {
  readonly at: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

export type NodeFactory<M, Req, R, Rep> = (
  id: NodeId,
  env: NodeEnv<M, R, Rep>,
  recovered: Recovered<R> | null,
) => SimNode<M, Req>;

/** A sim-side participant (a client workload) on endpoint `id` ≥ N. Sees virtual time. */
export interface Actor {
  onMessage(from: number, msg: unknown, nowUs: number): void;
  onTimer(nowUs: number): void;
}

export interface ActorEnv {
  readonly id: number;
  readonly rng: Rng;
  send(to: number, msg: unknown): void;
  /** One timer per actor; the latest call wins. Absolute virtual µs. */
  setTimer(atUs: number): void;
  /** A client event for the trace (numbers only). */
  note(a: number, b: number, c: number): void;
  now(): number;
}

export type ActorFactory = (id: number, env: ActorEnv) => Actor;

export interface WorldOptions<M, Req, R, Rep> {
  seed: number;
  servers: number;
  clients?: number;
  factory: NodeFactory<M, Req, R, Rep>;
  actorFactory?: ActorFactory;
  /** Cheap numeric summary of a message for the trace hash. Default: hash of its type tag. */
  traceKey?: (msg: unknown) => number;
  net?: Partial<NetConfig>;
  disk?: Partial<DiskConfig>;
  /** Max initial |local − virtual| per node, µs. */
  clockOffsetMaxUs?: number;
  /** Hard bound on events for the whole run. */
  budget?: number;
  /** Keep decoded-able trace records (for --trace); the hash is always computed. */
  keepTrace?: boolean;
  /** Online checks: called after every event. Throw to fail the run. */
  afterEachEvent?: (world: World<M, Req, R, Rep>) => void;
  /** Notes from nodes (after they are traced), for checkers and the system's fault targets. */
  onNote?: (node: NodeId, code: number, a: number, b: number) => void;
  /** Names of the system's note codes, for decoded traces (--trace). */
  noteNames?: Readonly<Record<number, string>>;
  /** A node crashed: called first thing, before its object is dropped (fault targets forget it). */
  onCrash?: (node: NodeId) => void;
  /** Executes a fault action when its time comes (src/sim/faults/apply.ts builds one). Without
   * it the world accepts no faults. */
  applyFault?: (world: World<M, Req, R, Rep>, action: TimedAction) => void;
  /** The marker the operator writes when restoring a node's disk from a backup
   * ("snapshot-restore"); null/undefined: none. Called at restore time. */
  restoreMarker?: (world: World<M, Req, R, Rep>, node: NodeId) => { name: string; data: unknown } | null;
  /** Every server-to-server message as it is sent (checkers that watch the protocol). */
  onSend?: (from: NodeId, to: NodeId, msg: M) => void;
  /** Every server-to-server message just before the receiving server handles it (after any
   * pause deferred it; never a dropped one): checkers that need what a node has *heard*, not
   * only what was said, e.g. a bound on a leader's unanswered appends. */
  onDeliver?: (from: NodeId, to: NodeId, msg: M) => void;
  /** Whether a backup restore of `node` may go ahead now (the operator's policy); undefined:
   * always. */
  restoreAllowed?: (world: World<M, Req, R, Rep>, node: NodeId) => boolean;
}

export const NodeStatus = { up: 0, down: 1, paused: 2 } as const;

/** World.touched: the event changed no server (a client's message or timer). */
export const TOUCHED_NONE = -1;
/** World.touched: the event may have changed any server (a fault; before the first event). */
export const TOUCHED_ALL = -2;

export interface WorldStats {
  events: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  simulatedUs: number;
}


/** Default trace key: a hash of msg.type / msg.kind / msg.t if it is a string or number. */
export function defaultTraceKey(msg: unknown): number {
  if (msg === null || typeof msg !== "object") return typeof msg === "number" ? msg | 0 : 0;
  const m = msg as { type?: unknown; kind?: unknown; t?: unknown };
  const tag = m.type ?? m.kind ?? m.t;
  if (typeof tag === "number") return tag | 0;
  if (typeof tag === "string") return fnv1a(tag) | 0;
  return 0;
}

class HostEnv<M, Req, R, Rep> implements NodeEnv<M, R, Rep> {
  constructor(
    private readonly w: World<M, Req, R, Rep>,
    readonly id: NodeId,
    private readonly inc: number,
    readonly rng: Rng,
  ) {}
  private live(): boolean {
    return this.w.incarnation(this.id) === this.inc;
  }
  send(to: NodeId, msg: M): void {
    if (!(to >= 0 && to < this.w.servers)) fail(`node ${this.id} sent to non-server ${to}`);
    if (!this.live()) return;
    if (this.w.onSend !== undefined) this.w.onSend(this.id, to, msg);
    this.w.net.send(this.id, to, msg);
  }
  persist(records: readonly R[], sync: boolean): number {
    if (!(this.live())) fail(`node ${this.id}: persist from a crashed incarnation`);
    const token = this.w.disks[this.id].append(records, sync);
    this.w.trace.add(T.persist, this.w.sched.now, this.id, token, records.length, sync ? 1 : 0);
    return token;
  }
  writeFile(name: string, data: unknown): void {
    if (!this.live()) fail(`node ${this.id}: writeFile from a crashed incarnation`);
    this.w.disks[this.id].writeFile(name, data);
  }
  renameFile(from: string, to: string): void {
    if (!this.live()) fail(`node ${this.id}: renameFile from a crashed incarnation`);
    this.w.disks[this.id].renameFile(from, to);
  }
  deleteFile(name: string): void {
    if (!this.live()) fail(`node ${this.id}: deleteFile from a crashed incarnation`);
    this.w.disks[this.id].deleteFile(name);
  }
  syncFile(): number {
    if (!this.live()) fail(`node ${this.id}: syncFile from a crashed incarnation`);
    const token = this.w.disks[this.id].syncFile();
    this.w.trace.add(T.persist, this.w.sched.now, this.id, token, 0, 2);
    return token;
  }
  rotateWal(): number {
    if (!this.live()) fail(`node ${this.id}: rotateWal from a crashed incarnation`);
    return this.w.disks[this.id].rotateWal();
  }
  dropWalBefore(boundary: number): void {
    if (!this.live()) fail(`node ${this.id}: dropWalBefore from a crashed incarnation`);
    this.w.disks[this.id].dropWalBefore(boundary);
  }
  reply(client: number, reply: Rep): void {
    if (!(client >= this.w.servers && client < this.w.net.endpoints)) fail(`node ${this.id} replied to non-client ${client}`);
    if (this.live()) this.w.net.send(this.id, client, reply);
  }
  wakeAt(localUs: number): void {
    if (this.live()) this.w.setWake(this.id, localUs);
  }
  note(code: number, a: number, b: number): void {
    if (this.live()) this.w.noteFrom(this.id, code, a, b);
  }
  /** The node's monotonic clock (LocalClock.monotonic: drift moves it, steps do not). A read,
   * no event and no draw: hash-neutral. */
  monotonicNow(): number {
    return this.w.clocks[this.id].monotonic(this.w.sched.now);
  }
}

class HostActorEnv implements ActorEnv {
  constructor(private readonly w: World<any, any, any, any>, readonly id: number, readonly rng: Rng) {}
  send(to: number, msg: unknown): void {
    this.w.net.send(this.id, to, msg);
  }
  setTimer(atUs: number): void {
    this.w.setActorTimer(this.id, atUs);
  }
  note(a: number, b: number, c: number): void {
    this.w.trace.add(T.client, this.w.sched.now, this.id, a, b, c);
  }
  now(): number {
    return this.w.sched.now;
  }
}

export class World<M, Req, R, Rep> implements EventHandler {
  readonly seed: number;
  readonly servers: number;
  readonly clients: number;
  readonly rng: Rng;
  readonly sched: Scheduler;
  readonly trace: Trace;
  readonly net: Network;
  readonly disks: Disk<R>[] = [];
  readonly clocks: LocalClock[] = [];
  /** Live node objects (null while crashed). Read-only for checkers. */
  readonly nodes: (SimNode<M, Req> | null)[] = [];
  readonly actors: (Actor | null)[] = [];
  readonly status: Uint8Array;
  /** Backup restores per node so far (checkers reset what the node legitimately forgot). */
  readonly restores: Int32Array;
  afterEachEvent: ((world: World<M, Req, R, Rep>) => void) | undefined;
  /** The server the event being handled could change (what afterEachEvent needs to recheck):
   * a node id, TOUCHED_NONE (a client's event), or TOUCHED_ALL (a fault: any node may change). */
  touched = TOUCHED_ALL;
  onNote: ((node: NodeId, code: number, a: number, b: number) => void) | undefined;
  onCrash: ((node: NodeId) => void) | undefined;
  readonly applyFault: (world: World<M, Req, R, Rep>, action: TimedAction) => void;
  onSend: ((from: NodeId, to: NodeId, msg: M) => void) | undefined;
  onDeliver: ((from: NodeId, to: NodeId, msg: M) => void) | undefined;
  restoreMarker: ((world: World<M, Req, R, Rep>, node: NodeId) => { name: string; data: unknown } | null) | undefined;
  restoreAllowed: ((world: World<M, Req, R, Rep>, node: NodeId) => boolean) | undefined;
  /** The network profile at boot; "heal-all" restores it. */
  readonly baseNet: NetConfig;
  /** Randomness for fault execution (e.g. picking halves when a fault leaves it open). */
  readonly faultRng: Rng;

  private readonly factory: NodeFactory<M, Req, R, Rep>;
  private readonly actorFactory: ActorFactory | undefined;
  private readonly inc: Int32Array;
  private readonly tickHandle: number[];
  private readonly wakeLocal: Float64Array; // NaN = no wake requested
  private readonly tickDeferred: Uint8Array;
  private readonly deferred: { kind: number; a: number; b: number; payload: unknown; c: number }[][];
  private readonly actorTimer: number[];
  private readonly faults: TimedAction[] = [];
  private started = false;
  // Probes (probe()): observers at instants, earliest first; probeHead is the next to fire.
  private readonly probes: { readonly atUs: number; readonly fn: (atUs: number) => void }[] = [];
  private probeHead = 0;

  constructor(opts: WorldOptions<M, Req, R, Rep>) {
    assert(Number.isInteger(opts.servers) && opts.servers >= 1, "world: servers must be ≥ 1");
    this.seed = opts.seed;
    this.servers = opts.servers;
    this.clients = opts.clients ?? 0;
    assert(this.clients === 0 || opts.actorFactory !== undefined, "world: clients need an actorFactory");
    this.rng = Rng.root(opts.seed);
    this.sched = new Scheduler({ budget: opts.budget, seed: opts.seed });
    this.trace = new Trace(opts.keepTrace ?? false, opts.noteNames);
    this.net = new Network(this.servers, this.clients, this.sched, this.rng.fork("network"), this.trace,
      opts.traceKey ?? defaultTraceKey, { ...defaultNetConfig, ...opts.net });
    this.baseNet = fixedNetConfig(this.net.cfg);
    this.factory = opts.factory;
    this.actorFactory = opts.actorFactory;
    this.afterEachEvent = opts.afterEachEvent;
    this.onNote = opts.onNote;
    this.onSend = opts.onSend;
    this.onDeliver = opts.onDeliver;
    this.onCrash = opts.onCrash;
    this.applyFault = opts.applyFault ?? ((_w, a) => fail(`world: a fault (${a.kind}) was scheduled, but the world has no fault executor`));
    this.restoreMarker = opts.restoreMarker;
    this.restoreAllowed = opts.restoreAllowed;
    this.faultRng = this.rng.fork("fault-exec");
    const N = this.servers;
    this.status = new Uint8Array(N);
    this.restores = new Int32Array(N);
    this.inc = new Int32Array(N);
    this.tickHandle = new Array<number>(N).fill(NO_HANDLE);
    this.wakeLocal = new Float64Array(N).fill(NaN);
    this.tickDeferred = new Uint8Array(N);
    this.deferred = [];
    const clockRng = this.rng.fork("clocks");
    const maxOff = opts.clockOffsetMaxUs ?? 1_000_000;
    for (let i = 0; i < N; i++) {
      this.disks.push(new Disk<R>(i, this.sched, this.rng.fork(`disk/${i}`), { ...defaultDiskConfig, ...opts.disk }));
      this.clocks.push(new LocalClock(maxOff > 0 ? clockRng.int(0, maxOff) : 0));
      this.nodes.push(null);
      this.deferred.push([]);
    }
    this.actorTimer = new Array<number>(this.clients).fill(NO_HANDLE);
  }

  /** Boot every server (recovered = null) and actor. Called by the first run if not before. */
  start(): void {
    assert(!this.started, "world: started twice");
    this.started = true;
    for (let i = 0; i < this.servers; i++) this.boot(i, null);
    for (let c = 0; c < this.clients; c++) {
      const id = this.servers + c;
      this.actors.push(this.actorFactory!(id, new HostActorEnv(this, id, this.rng.fork(`actor/${id}`))));
    }
  }

  get now(): number {
    return this.sched.now;
  }

  incarnation(id: NodeId): number {
    return this.inc[id];
  }

  /** A node's local clock reading now. */
  localNow(id: NodeId): number {
    return this.clocks[id].local(this.sched.now);
  }

  isUp(id: NodeId): boolean {
    return this.status[id] === NodeStatus.up;
  }

  stats(): WorldStats {
    return {
      events: this.sched.executed,
      messagesSent: this.net.sent,
      messagesDelivered: this.net.delivered,
      messagesDropped: this.net.dropped,
      simulatedUs: this.sched.now,
    };
  }

  // ---- running ----

  runUntil(tUs: number, stop?: () => boolean): void {
    if (!this.started) this.start();
    this.sched.runUntil(this, tUs, stop);
  }

  runFor(dUs: number, stop?: () => boolean): void {
    this.runUntil(this.sched.now + dUs, stop);
  }

  /** Observe the world at virtual instant atUs (≥ now): fn runs once, seeing the state after
   * every event with time ≤ atUs — just before the first later event, or at flushProbes() if
   * none runs. A probe is a pure observer: it must send, schedule, trace and draw nothing (it
   * is checked: the trace and the event queue must be as it found them), so a run's trace hash
   * is the same with and without probes. */
  probe(atUs: number, fn: (atUs: number) => void): void {
    assert(atUs >= this.sched.now, `world: probe at ${atUs}us is in the past (now ${this.sched.now}us)`);
    let i = this.probes.length;
    while (i > this.probeHead && this.probes[i - 1].atUs > atUs) i--;
    this.probes.splice(i, 0, { atUs, fn });
    this.armProbe();
  }

  /** Run the probes that have not fired (the run ended, or stopped, before a later event);
   * returns their instants. */
  flushProbes(): number[] {
    const fired: number[] = [];
    this.sched.setWatch(Infinity, undefined);
    while (this.probeHead < this.probes.length) {
      fired.push(this.probes[this.probeHead].atUs);
      this.fireProbe();
    }
    return fired;
  }

  private armProbe(): void {
    if (this.probeHead < this.probes.length) this.sched.setWatch(this.probes[this.probeHead].atUs, () => {
      this.fireProbe();
      this.armProbe();
    });
    else this.sched.setWatch(Infinity, undefined);
  }

  private fireProbe(): void {
    const p = this.probes[this.probeHead++];
    const records = this.trace.count, pending = this.sched.pending, now = this.sched.now;
    p.fn(p.atUs);
    assert(this.trace.count === records && this.sched.pending === pending && this.sched.now === now, `world: the probe at ${p.atUs}us changed the run (it must only observe)`);
  }

  /** Add timed fault actions (absolute `at`, ≥ now); returns their events' handles, in order
   * (for cancelFault). */
  scheduleFaults(actions: readonly TimedAction[]): number[] {
    const handles: number[] = [];
    for (const a of actions) {
      this.faults.push(a);
      handles.push(this.sched.push(Math.max(a.at, this.sched.now), Ev.fault, this.faults.length - 1, 0, undefined));
    }
    return handles;
  }

  /** Withdraw a fault action scheduled by scheduleFaults that has not run yet; false (and
   * nothing done) once it has run. */
  cancelFault(handle: number): boolean {
    return this.sched.cancel(handle);
  }

  handle(kind: number, a: number, b: number, payload: unknown, now: number, c: number): void {
    switch (kind) {
      case Ev.deliver:
        this.touched = b < this.servers ? b : TOUCHED_NONE;
        this.deliver(a, b, payload, now, c);
        break;
      case Ev.tick:
        this.touched = a;
        this.tick(a, b, now);
        break;
      case Ev.fsync: {
        this.touched = a;
        this.disks[a].complete(b);
        this.trace.add(T.persisted, now, a, b, 0, 0);
        this.notifyPersisted(a, b, now);
        break;
      }
      case Ev.persistedNotify:
        this.touched = a;
        this.notifyPersisted(a, b, now);
        break;
      case Ev.actorTimer: {
        this.touched = TOUCHED_NONE;
        this.actorTimer[a - this.servers] = NO_HANDLE;
        this.trace.add(T.timer, now, a, 0, 0, 0);
        this.actors[a - this.servers]!.onTimer(now);
        break;
      }
      case Ev.fault:
        this.touched = TOUCHED_ALL;
        this.applyFault(this, this.faults[a]);
        break;
      default:
        assert(false, `world: unknown event kind ${kind}`);
    }
    if (this.afterEachEvent !== undefined) this.afterEachEvent(this);
  }

  /** key: the message's trace key, computed once at send (Network.send). */
  private deliver(from: number, to: number, msg: unknown, now: number, key: number): void {
    if (!this.net.admit(from, to, key)) return;
    if (to >= this.servers) {
      this.net.delivered++;
      this.trace.add(T.deliver, now, from, to, key, 0);
      this.actors[to - this.servers]!.onMessage(from, msg, now);
      return;
    }
    const st = this.status[to];
    if (st === NodeStatus.down) return this.net.dropKeyed(from, to, key, DropReason.down, now);
    if (st === NodeStatus.paused) {
      this.deferred[to].push({ kind: Ev.deliver, a: from, b: to, payload: msg, c: key });
      return;
    }
    this.net.delivered++;
    this.trace.add(T.deliver, now, from, to, key, 0);
    const node = this.nodes[to]!;
    const local = this.clocks[to].local(now);
    if (from >= this.servers) node.onClient(from, msg as Req, local);
    else {
      if (this.onDeliver !== undefined) this.onDeliver(from, to, msg as M);
      node.onMessage(from, msg as M, local);
    }
  }

  private tick(id: number, inc: number, now: number): void {
    if (!(inc === this.inc[id] && this.status[id] !== NodeStatus.down)) fail(`tick for a stale incarnation of ${id}`);
    this.tickHandle[id] = NO_HANDLE;
    if (this.status[id] === NodeStatus.paused) {
      this.tickDeferred[id] = 1;
      return;
    }
    this.wakeLocal[id] = NaN;
    this.trace.add(T.tick, now, id, 0, 0, 0);
    this.nodes[id]!.onTick(this.clocks[id].local(now));
  }

  private notifyPersisted(id: number, token: number, now: number): void {
    const st = this.status[id];
    if (!(st !== NodeStatus.down)) fail(`fsync completion for crashed node ${id}`);
    if (st === NodeStatus.paused) {
      this.deferred[id].push({ kind: Ev.persistedNotify, a: id, b: token, payload: undefined, c: 0 });
      return;
    }
    this.nodes[id]!.onPersisted(token, this.clocks[id].local(now));
  }

  // ---- env callbacks ----

  setWake(id: NodeId, localUs: number): void {
    if (!(Number.isFinite(localUs))) fail(`node ${id}: wakeAt(${localUs})`);
    this.wakeLocal[id] = localUs;
    if (this.status[id] === NodeStatus.paused) {
      this.tickDeferred[id] = 0; // re-armed below on resume from wakeLocal
      this.sched.cancel(this.tickHandle[id]);
      this.tickHandle[id] = NO_HANDLE;
      return;
    }
    this.armTick(id);
  }

  /** The local time node `id` last asked to be woken at and has not been yet (NaN: none). A
   * read for checks: no event, no draw. */
  wakeRequested(id: NodeId): number {
    return this.wakeLocal[id];
  }

  private armTick(id: NodeId): void {
    const w = this.wakeLocal[id];
    if (w !== w) {
      this.sched.cancel(this.tickHandle[id]);
      this.tickHandle[id] = NO_HANDLE;
      return;
    }
    const at = this.clocks[id].toVirtual(w, this.sched.now);
    // Hot: every input re-arms the wake-up. Moved in place, ordered as cancel + push would be.
    this.tickHandle[id] = this.sched.reschedule(this.tickHandle[id], at, Ev.tick, id, this.inc[id], undefined);
  }

  noteFrom(id: NodeId, code: number, a: number, b: number): void {
    this.trace.add(T.note, this.sched.now, id, code, a, b);
    if (this.onNote !== undefined) this.onNote(id, code, a, b);
  }

  setActorTimer(id: number, atUs: number): void {
    const c = id - this.servers;
    // Moved in place when still pending, ordered as cancel + push would be (Scheduler.reschedule).
    this.actorTimer[c] = this.sched.reschedule(this.actorTimer[c], Math.max(atUs, this.sched.now), Ev.actorTimer, id, 0, undefined);
  }

  // ---- process faults ----

  private boot(id: NodeId, recovered: Recovered<R> | null): void {
    const env = new HostEnv(this, id, this.inc[id], this.rng.fork(`node/${id}/${this.inc[id]}`));
    this.status[id] = NodeStatus.up;
    this.nodes[id] = this.factory(id, env, recovered);
    // A node learns its local time from its inputs; one that did not ask for a wake-up while
    // being built is ticked at once so it can start its timers.
    if (this.wakeLocal[id] !== this.wakeLocal[id]) this.setWake(id, this.localNow(id));
  }

  /** Crash: memory lost, node object discarded, fsyncs in flight cancelled, unsynced writes
   * lost per the disk's loss mode; messages to it are dropped on arrival. */
  crash(id: NodeId): void {
    if (this.status[id] === NodeStatus.down) return;
    this.status[id] = NodeStatus.down;
    if (this.onCrash !== undefined) this.onCrash(id);
    this.nodes[id] = null;
    this.inc[id]++;
    this.sched.cancel(this.tickHandle[id]);
    this.tickHandle[id] = NO_HANDLE;
    this.wakeLocal[id] = NaN;
    this.tickDeferred[id] = 0;
    for (const d of this.deferred[id]) if (d.kind === Ev.deliver) this.net.dropKeyed(d.a, id, d.c, DropReason.down, this.sched.now);
    this.deferred[id].length = 0;
    const loss = this.disks[id].crash();
    this.trace.add(T.crash, this.sched.now, id, loss.lost, loss.torn ? 1 : 0, 0);
  }

  /** Restart a crashed node from its disk alone. */
  restart(id: NodeId): void {
    if (this.status[id] !== NodeStatus.down) return;
    const rec = this.disks[id].recover();
    this.trace.add(T.restart, this.sched.now, id, rec.records.length, rec.corruptFrom, 0);
    this.boot(id, rec);
  }

  /** Backup restore (an operator action): the node crashes, its disk is replaced by the durable
   * state it had `back` backups ago (one is taken whenever it drops WAL segments after a
   * durable snapshot; with none yet, its initial empty disk), the restore marker is written,
   * and it restarts. Returns false (and does nothing) when the node is not up. */
  snapshotRestore(id: NodeId, back: number): boolean {
    // A system without a restore procedure (no marker) is never restored: no-op.
    if (this.status[id] === NodeStatus.down || this.restoreMarker === undefined) return false;
    if (this.restoreAllowed !== undefined && !this.restoreAllowed(this, id)) return false;
    const marker = this.restoreMarker(this, id);
    this.crash(id);
    const disk = this.disks[id];
    disk.restore(disk.backup(back), marker);
    this.restores[id]++;
    this.restart(id);
    return true;
  }

  /** Pause: the node receives nothing (deliveries, ticks, fsync notifications are deferred);
   * its clock keeps running and its disk keeps completing fsyncs. */
  pause(id: NodeId): void {
    if (this.status[id] !== NodeStatus.up) return;
    this.status[id] = NodeStatus.paused;
    this.trace.add(T.pause, this.sched.now, id, 0, 0, 0);
  }

  resume(id: NodeId): void {
    if (this.status[id] !== NodeStatus.paused) return;
    this.status[id] = NodeStatus.up;
    this.trace.add(T.resume, this.sched.now, id, 0, 0, 0);
    const now = this.sched.now;
    for (const d of this.deferred[id]) this.sched.push(now, d.kind, d.a, d.b, d.payload, d.c);
    this.deferred[id].length = 0;
    if (this.tickDeferred[id] !== 0) {
      this.tickDeferred[id] = 0;
      this.tickHandle[id] = this.sched.push(now, Ev.tick, id, this.inc[id], undefined);
    } else if (this.tickHandle[id] === NO_HANDLE) {
      this.armTick(id);
    }
  }

  // ---- clock faults (re-arm the node's wake-up: its local deadline maps to a new instant) ----

  clockJump(id: NodeId, deltaUs: number): void {
    this.clocks[id].jump(this.sched.now, deltaUs);
    this.rearm(id);
  }

  clockDrift(id: NodeId, ppm: number): void {
    this.clocks[id].setDrift(this.sched.now, ppm);
    this.rearm(id);
  }

  clockOffset(id: NodeId, offsetUs: number): void {
    this.clocks[id].setOffset(this.sched.now, offsetUs);
    this.rearm(id);
  }

  private rearm(id: NodeId): void {
    if (this.status[id] !== NodeStatus.down && this.tickHandle[id] !== NO_HANDLE) this.armTick(id);
  }

  setLossMode(id: NodeId, mode: LossMode): void {
    this.disks[id].cfg.lossMode = mode;
  }
}
