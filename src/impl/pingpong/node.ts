// pingpong: the smallest real system on the node contract — the kernel's determinism fixture
// and the template to copy for your own system (with src/sim/systems/pingpong/). Every node
// pings its peers periodically, counts pongs, and persists the pong counter with synced writes;
// after a crash it recovers the counter from its WAL. Pure: all effects go through env.
import type { NodeEnv, NodeId, Recovered, SimNode } from "../node.js";

export type PMsg = { readonly type: "ping"; readonly seq: number } | { readonly type: "pong"; readonly seq: number };
export type PReq = { readonly type: "get" };
export type PRep = { readonly type: "count"; readonly counter: number };
export type PRecord = { readonly counter: number };

export const PING_PERIOD_US = 100_000;

function check(cond: boolean, msg: string): void {
  if (!cond) throw new Error(`pingpong invariant: ${msg}`);
}

export class PingPongNode implements SimNode<PMsg, PReq> {
  private counter: number;
  private durable: number; // highest counter known durable (acknowledged by onPersisted)
  private seq = 0;
  private wakeDeadline = Infinity; // local µs of the next requested tick
  private readonly pendingTokens: number[] = [];
  private readonly pendingCounters: number[] = [];
  /** Pongs received per peer, this incarnation. */
  readonly pongsFrom: Int32Array;

  /** ackBeforeDurable: the planted bug — a pong's counter is reported durable as soon as it is
   * written, without waiting for (or even asking for) the fsync. A crash can then take back a
   * count the node had acknowledged. */
  constructor(
    private readonly env: NodeEnv<PMsg, PRecord, PRep>,
    private readonly servers: number,
    recovered: Recovered<PRecord> | null,
    private readonly bugs: { readonly ackBeforeDurable?: boolean } = {},
    /** false: its own assertions are off (`--sut-asserts off`). */
    private readonly asserts = true,
  ) {
    this.pongsFrom = new Int32Array(servers);
    let c = 0;
    if (recovered !== null) {
      for (let i = 0; i < recovered.corruptFrom; i++) {
        const r = recovered.records[i];
        if (asserts) check(r.counter > c, `WAL counters must increase: ${r.counter} after ${c}`);
        c = r.counter;
      }
    }
    this.counter = c;
    this.durable = c; // everything recovered is on disk
  }

  get counterValue(): number {
    return this.counter;
  }

  get durableCounter(): number {
    return this.durable;
  }

  onTick(now: number): void {
    this.seq++;
    for (let p = 0; p < this.servers; p++) if (p !== this.env.id) this.env.send(p, { type: "ping", seq: this.seq });
    this.armWake(now);
  }

  private armWake(now: number): void {
    this.wakeDeadline = now + PING_PERIOD_US;
    this.env.wakeAt(this.wakeDeadline);
  }

  onMessage(from: NodeId, msg: PMsg, now: number): void {
    // Our clock may have stepped backwards; don't let that silence us for the size of the step.
    if (this.wakeDeadline > now + PING_PERIOD_US) this.armWake(now);
    if (msg.type === "ping") {
      this.env.send(from, { type: "pong", seq: msg.seq });
      return;
    }
    this.pongsFrom[from]++;
    this.counter++;
    if (this.bugs.ackBeforeDurable === true) {
      this.env.persist([{ counter: this.counter }], false);
      this.durable = this.counter;
      return;
    }
    const token = this.env.persist([{ counter: this.counter }], true);
    this.pendingTokens.push(token);
    this.pendingCounters.push(this.counter);
  }

  onClient(client: number, _req: PReq, _now: number): void {
    this.env.reply(client, { type: "count", counter: this.durable });
  }

  onPersisted(token: number, _now: number): void {
    // Tokens complete in order: everything up to `token` is durable.
    while (this.pendingTokens.length > 0 && this.pendingTokens[0] <= token) {
      this.pendingTokens.shift();
      const c = this.pendingCounters.shift()!;
      if (this.asserts) check(c > this.durable, `durable counter went backwards: ${c} after ${this.durable}`);
      this.durable = c;
    }
    if (this.asserts) check(this.durable <= this.counter, "durable counter ahead of counter");
  }
}
