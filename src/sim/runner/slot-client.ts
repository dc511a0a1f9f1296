// What the sharded systems' clients (failover, kvrocks-controller, valkey) share: a closed-loop
// actor that routes each request by the slot table it last saw (as created, then what MOVED
// answers taught it), with one request in flight under a deadline. A request unanswered by its
// deadline is indeterminate ("info"): the client forgets that slot's route (the next request goes
// to any node, which redirects it) and continues under a new process id, as a history checker
// requires of a client that cannot know whether its operation took effect. Each system keeps
// its own request kinds, replies and backoffs in a subclass.
import type { Actor, ActorEnv } from "../kernel/world.js";

/** The one request in flight: its history handle, the slot it is routed by, its deadline. */
export interface SlotPending<Req> {
  readonly h: number;
  readonly req: Req;
  readonly slot: number;
  redirects: number;
  readonly deadline: number;
}

/** The recorder's one call this class makes (the system's history recorder). */
export interface InfoCloser {
  close(h: number, kind: "info", output: undefined, now: number): void;
}

export abstract class SlotRoutedClient<Req, P extends SlotPending<Req> = SlotPending<Req>> implements Actor {
  /** slot -> the node last known to own it; -1: unknown. */
  protected readonly route: Int32Array;
  protected process: number;
  protected seq = 0;
  protected reqId = 0;
  protected pending: P | null = null;

  constructor(
    protected readonly env: ActorEnv,
    initialOwner: readonly number[],
    private readonly think_: { readonly thinkMinUs: number; readonly thinkMaxUs: number },
    private readonly closer: InfoCloser,
  ) {
    this.route = Int32Array.from(initialOwner);
    this.process = env.id * 1_000_000;
    env.setTimer(env.now() + env.rng.int(0, think_.thinkMaxUs));
  }

  abstract onMessage(from: number, msg: unknown, now: number): void;

  /** Issue the next operation (it sets `pending` and a timer at its deadline). */
  protected abstract start(now: number): void;

  /** A node to send to when the slot's owner is unknown (one random draw). */
  protected abstract anyNode(): number;

  onTimer(now: number): void {
    const p = this.pending;
    if (p !== null) {
      if (now < p.deadline) return this.env.setTimer(p.deadline);
      this.closer.close(p.h, "info", undefined, now);
      this.route[p.slot] = -1;
      this.pending = null;
      this.process++;
      return this.think(now, 0);
    }
    this.start(now);
  }

  /** Send to the slot's known owner, else to any node. */
  protected send(req: Req, slot: number): void {
    let to = this.route[slot]!;
    if (to < 0) to = this.anyNode();
    this.env.send(to, req);
  }

  protected think(now: number, extra: number): void {
    this.env.setTimer(now + extra + this.env.rng.int(this.think_.thinkMinUs, this.think_.thinkMaxUs));
  }
}
