// A tiny deterministic host for detector tests: true time in µs, per-node linear clocks
// (local = offset + rate·true), a network with a delay function and a drop predicate, crashes.
// Not the simulator: just enough to drive the pure detectors through their message protocols.
import type { NodeId } from "../../../../src/impl/node.js";
import type { Detector, FdEvent, FdEventKind } from "../../../../src/impl/failover/detectors/types.js";

export interface Clock {
  rate: number;
  offsetUs: number;
}

export interface TrueEvent extends FdEvent {
  readonly trueUs: number;
}

export interface NetOptions<M> {
  delayUs?: (from: NodeId, to: NodeId, trueUs: number, msg: M) => number;
  drop?: (from: NodeId, to: NodeId, trueUs: number, msg: M) => boolean;
  clocks?: Map<NodeId, Clock>;
}

interface Delivery<M> {
  at: number;
  order: number;
  from: NodeId;
  to: NodeId;
  msg: M;
}

export class MiniNet<M> {
  now = 0;
  readonly events: TrueEvent[] = [];
  readonly crashed = new Set<NodeId>();
  /** Extra per-node delay on handling (a "slow" node: deliveries to it are late). */
  readonly slow = new Map<NodeId, number>();
  sent = 0;
  private queue: Delivery<M>[] = [];
  private order = 0;

  constructor(
    readonly nodes: Map<NodeId, Detector<M>>,
    private readonly opts: NetOptions<M> = {},
  ) {}

  local(node: NodeId, t = this.now): number {
    const c = this.opts.clocks?.get(node);
    return c === undefined ? t : Math.floor(c.offsetUs + c.rate * t);
  }

  private toTrue(node: NodeId, localUs: number): number {
    const c = this.opts.clocks?.get(node);
    if (c === undefined) return localUs;
    let t = Math.ceil((localUs - c.offsetUs) / c.rate);
    while (this.local(node, t) < localUs) t++;
    return t;
  }

  private flush(id: NodeId): void {
    const d = this.nodes.get(id)!;
    d.drainTo({
      send: (to, msg) => {
        this.sent++;
        if (this.opts.drop?.(id, to, this.now, msg) === true) return;
        const delay = (this.opts.delayUs?.(id, to, this.now, msg) ?? 1000) + (this.slow.get(to) ?? 0);
        this.push({ at: this.now + delay, order: this.order++, from: id, to, msg });
      },
      event: (kind: FdEventKind, observer, target, atLocalUs) => this.events.push({ kind, observer, target, atLocalUs, trueUs: this.now }),
    });
  }

  private push(d: Delivery<M>): void {
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1].at > d.at || (this.queue[i - 1].at === d.at && this.queue[i - 1].order > d.order))) i--;
    this.queue.splice(i, 0, d);
  }

  /** Inject a message as if `from` had sent it now. */
  inject(from: NodeId, to: NodeId, msg: M, delayUs = 0): void {
    this.push({ at: this.now + delayUs, order: this.order++, from, to, msg });
  }

  run(untilUs: number): void {
    for (;;) {
      let next = this.queue.length > 0 ? this.queue[0].at : Number.POSITIVE_INFINITY;
      let who: NodeId | undefined;
      for (const [id, d] of this.nodes) {
        if (this.crashed.has(id)) continue;
        const w = d.nextWakeUs();
        if (!Number.isFinite(w)) continue;
        const t = Math.max(this.now, this.toTrue(id, w));
        if (t < next) {
          next = t;
          who = id;
        }
      }
      if (next > untilUs) {
        this.now = untilUs;
        return;
      }
      this.now = next;
      if (who !== undefined) {
        this.nodes.get(who)!.tick(this.local(who));
        this.flush(who);
        continue;
      }
      const d = this.queue.shift()!;
      if (this.crashed.has(d.to)) continue;
      const node = this.nodes.get(d.to);
      if (node === undefined) continue;
      node.onMessage(d.from, d.msg, this.local(d.to));
      this.flush(d.to);
    }
  }

  eventsOf(kind: FdEventKind, observer?: NodeId, target?: NodeId): TrueEvent[] {
    return this.events.filter((e) => e.kind === kind && (observer === undefined || e.observer === observer) && (target === undefined || e.target === target));
  }
}
