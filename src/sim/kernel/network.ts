// Simulated network between endpoints 0..E-1 (servers 0..N-1, client actors N..E-1).
// Links are one-way and array-indexed (from*E+to). A message is scheduled for delivery with
// a latency drawn per copy, so jitter reorders; it may be lost or duplicated at send time.
// Partition semantics (Jepsen-like): a message is dropped if its link is cut when it is sent
// OR when it arrives — a cut also kills what is in flight. Clogging holds a link's messages
// until a time T and then releases them (in send order, each still with its own latency).
// Messages are never copied: duplicates share one object.
import { assert, fail } from "./assert.js";
import { Ev } from "./events.js";
import type { Rng } from "./rng.js";
import type { Scheduler } from "./scheduler.js";
import { DropReason, T, type Trace } from "./trace.js";

export interface NetConfig {
  /** Median one-way latency in µs. */
  latencyMedianUs: number;
  /** Lognormal sigma: 0 = constant latency, ~1 = heavy tail. */
  latencySigma: number;
  /** Probability a message is lost. */
  lossP: number;
  /** Probability a message is delivered twice. */
  dupP: number;
}

export const defaultNetConfig: NetConfig = { latencyMedianUs: 1_000, latencySigma: 0.4, lossP: 0, dupP: 0 };

/** A copy of c in one literal: the same keys in the same order whatever c's origin (a scenario,
 * the swarm, the default, a spread), each field a double from its first store (NaN). A net
 * fault that turns a loss of 0 into 0.05 then stores into a field that already holds doubles:
 * the object keeps its hidden class, and the functions that read it (send, with what it
 * inlines) keep their optimised code. Without this, each such field's first fractional value
 * in a worker changed the map, deoptimised them and had them compiled again. */
export function fixedNetConfig(c: NetConfig): NetConfig {
  const o: NetConfig = { latencyMedianUs: NaN, latencySigma: NaN, lossP: NaN, dupP: NaN };
  o.latencyMedianUs = c.latencyMedianUs;
  o.latencySigma = c.latencySigma;
  o.lossP = c.lossP;
  o.dupP = c.dupP;
  return o;
}

export class Network {
  readonly endpoints: number;
  readonly servers: number;
  cfg: NetConfig;
  delivered = 0;
  dropped = 0;
  sent = 0;
  private readonly cut: Uint8Array; // 1 = link from→to cut
  private readonly clogUntil: Float64Array; // link held until this virtual time
  /** Per destination: extra µs before it handles each message delivered to it (slow message
   * processing, the failover system's "slow-node" fault; 0: none, the default, which adds no
   * draw and no time, so runs without the fault are unchanged). */
  private readonly slowUs: Float64Array;
  private cutCount = 0;

  constructor(
    servers: number,
    clients: number,
    private readonly sched: Scheduler,
    private readonly rng: Rng,
    private readonly trace: Trace,
    readonly keyOf: (msg: unknown) => number,
    cfg: NetConfig = defaultNetConfig,
  ) {
    assert(servers >= 1 && clients >= 0, "network: need at least one server");
    this.servers = servers;
    this.endpoints = servers + clients;
    this.cut = new Uint8Array(this.endpoints * this.endpoints);
    this.clogUntil = new Float64Array(this.endpoints * this.endpoints);
    this.slowUs = new Float64Array(this.endpoints);
    this.cfg = fixedNetConfig(cfg);
  }

  send(from: number, to: number, msg: unknown): void {
    const E = this.endpoints;
    if (!(from >= 0 && from < E && to >= 0 && to < E)) fail(`network: bad endpoint ${from}->${to}`);
    const now = this.sched.now;
    const link = from * E + to;
    this.sent++;
    // The message's trace key, computed once: it rides in the delivery event's slot (messages
    // are never changed in flight, so it is what keyOf would give at delivery or drop).
    const key = this.keyOf(msg);
    if (this.cut[link] !== 0) return this.dropKeyed(from, to, key, DropReason.cut, now);
    const cfg = this.cfg;
    if (cfg.lossP > 0 && this.rng.chance(cfg.lossP)) return this.dropKeyed(from, to, key, DropReason.loss, now);
    const copies = cfg.dupP > 0 && this.rng.chance(cfg.dupP) ? 2 : 1;
    const held = this.clogUntil[link];
    const slow = this.slowUs[to];
    for (let i = 0; i < copies; i++) {
      let at = now + this.rng.latencyUs(cfg.latencyMedianUs, cfg.latencySigma);
      if (slow > 0) at += slow;
      if (held > at) at = held;
      this.sched.push(at, Ev.deliver, from, to, msg, key);
    }
    this.trace.add(T.send, now, from, to, key, copies);
  }

  /** Called by the world when a delivery event fires (key: the message's trace key, from its
   * slot); false (and traced) if the link is cut now. */
  admit(from: number, to: number, key: number): boolean {
    if (this.cut[from * this.endpoints + to] !== 0) {
      this.dropKeyed(from, to, key, DropReason.cut, this.sched.now);
      return false;
    }
    return true;
  }

  drop(from: number, to: number, msg: unknown, reason: number, now: number): void {
    this.dropKeyed(from, to, this.keyOf(msg), reason, now);
  }

  /** drop() with the message's trace key already known. */
  dropKeyed(from: number, to: number, key: number, reason: number, now: number): void {
    this.dropped++;
    this.trace.add(T.drop, now, from, to, key, reason);
  }

  isCut(from: number, to: number): boolean {
    return this.cut[from * this.endpoints + to] !== 0;
  }

  get anyCut(): boolean {
    return this.cutCount > 0;
  }

  cutOneWay(from: number, to: number): void {
    if (from === to) return;
    const l = from * this.endpoints + to;
    if (this.cut[l] === 0) { this.cut[l] = 1; this.cutCount++; }
  }

  cutBoth(a: number, b: number): void {
    this.cutOneWay(a, b);
    this.cutOneWay(b, a);
  }

  /** Restore every link (clogs stay until they expire or are cleared). */
  heal(): void {
    this.cut.fill(0);
    this.cutCount = 0;
  }

  unclogAll(): void {
    this.clogUntil.fill(0);
  }

  /** Slow message processing at `node`: everything delivered to it from now on is handled
   * `us` later (0: back to normal). Models a CPU-starved process (Lifeguard's "slow message
   * processing"); its own timers still fire on time. */
  setSlow(node: number, us: number): void {
    assert(node >= 0 && node < this.endpoints && Number.isFinite(us) && us >= 0, `network: bad slow-node ${node} ${us}us`);
    this.slowUs[node] = us;
  }

  get anySlow(): boolean {
    for (let i = 0; i < this.endpoints; i++) if (this.slowUs[i] > 0) return true;
    return false;
  }

  clearSlow(): void {
    this.slowUs.fill(0);
  }

  /** Hold messages sent on from→to until untilUs. */
  clog(from: number, to: number, untilUs: number): void {
    const l = from * this.endpoints + to;
    if (this.clogUntil[l] < untilUs) this.clogUntil[l] = untilUs;
  }

  /** Cut a server off from every other endpoint (servers and clients), both ways. */
  isolate(node: number): void {
    for (let j = 0; j < this.endpoints; j++) if (j !== node) this.cutBoth(node, j);
  }

  /** Restore every link to and from one endpoint (other cuts stay). */
  reconnect(node: number): void {
    const E = this.endpoints;
    for (let j = 0; j < E; j++) {
      for (const l of [node * E + j, j * E + node]) {
        if (this.cut[l] !== 0) {
          this.cut[l] = 0;
          this.cutCount--;
        }
      }
    }
  }

  /** Cut every server link between `side` and the other servers, both ways. */
  partition(side: readonly number[]): void {
    const inSide = this.serverMask(side);
    for (let i = 0; i < this.servers; i++)
      for (let j = 0; j < this.servers; j++) if (inSide[i] !== inSide[j]) this.cutOneWay(i, j);
  }

  /** Two random halves of the servers (the first half gets the smaller part). */
  splitRandomHalves(rng: Rng): number[] {
    const ids = rng.shuffle(range(this.servers));
    const side = ids.slice(0, Math.floor(this.servers / 2));
    this.partition(side);
    return side;
  }

  /** Jepsen's majorities ring: in ring `order`, each server sees only its nearest neighbours,
   * forming a majority that overlaps others' majorities but no two agree on the whole view. */
  majoritiesRing(order: readonly number[] = range(this.servers)): void {
    const n = order.length;
    assert(n === this.servers, "majoritiesRing: order must list every server");
    const half = Math.floor(n / 2); // neighbours each side so that the view (self + 2·k) ≥ majority
    const k = Math.ceil(half / 2);
    for (let x = 0; x < n; x++)
      for (let y = 0; y < n; y++) {
        const dist = Math.min((x - y + n) % n, (y - x + n) % n);
        if (dist > k) this.cutOneWay(order[x], order[y]);
      }
  }

  /** Two sides that cannot talk, plus one bridge node that talks to both. */
  bridge(side: readonly number[], bridgeNode: number): void {
    const inSide = this.serverMask(side);
    for (let i = 0; i < this.servers; i++)
      for (let j = 0; j < this.servers; j++)
        if (i !== bridgeNode && j !== bridgeNode && inSide[i] !== inSide[j]) this.cutOneWay(i, j);
  }

  private serverMask(side: readonly number[]): Uint8Array {
    const m = new Uint8Array(this.servers);
    for (const s of side) {
      assert(s >= 0 && s < this.servers, `partition: ${s} is not a server`);
      m[s] = 1;
    }
    return m;
  }
}

export function range(n: number): number[] {
  const r = new Array<number>(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}
