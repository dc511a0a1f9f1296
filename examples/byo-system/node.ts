// A chain-replicated register: the node code. Three servers form a fixed chain
// head (0) → middle (1) → tail (2). Writes enter at the head and flow down the chain; the tail
// answers the client once the write is durable there, and serves reads. Every node persists a
// write (fsync) before it passes it on, so an acknowledged write is durable on every replica.
// Lost messages are resent: a node re-sends its latest write downstream until its successor
// acknowledges that write as durable.
//
// Pure node code against raftsim's node contract: inputs arrive as method calls carrying the
// node's local time; every effect (send, persist, reply, timers) goes through `env`. No Date,
// no Math.random, no I/O, no timers of its own.
import type { NodeEnv, NodeId, Recovered, SimNode } from "raftsim";

/** Client → head: write; client → tail: read. */
export type Req = { readonly type: "write"; readonly id: number; readonly value: number } | { readonly type: "read"; readonly id: number };
/** Node → client. */
export type Rep = { readonly type: "ok"; readonly id: number; readonly value?: number | null };
/** Node → successor: a write; successor → predecessor: durable up to `version`. */
export type Msg =
  | { readonly type: "put"; readonly version: number; readonly value: number; readonly client: number; readonly id: number }
  | { readonly type: "ack"; readonly version: number };
/** One write-ahead-log record: the register's latest write. */
export type Rec = { readonly version: number; readonly value: number; readonly client: number; readonly id: number };

export const RESEND_US = 20_000;

export interface Bugs {
  /** THE PLANTED BUG: the tail takes a write as durable as soon as it arrives — it answers the
   * client, acks upstream and serves it to reads — before its fsync completes. A crash of the
   * tail in that window loses a write the client was told is done: after the restart the tail
   * serves the older value, and nobody resends the lost one. */
  readonly tailAcksBeforeDurable?: boolean;
}

export class ChainNode implements SimNode<Msg, Req> {
  private latest: Rec = { version: 0, value: 0, client: -1, id: -1 }; // written (maybe not durable)
  private durable = 0; // highest version durable here
  private durableValue: number | null = null; // what reads see (the tail)
  private ackedBySuccessor = 0; // highest version the successor says is durable
  private answered = 0; // the tail: highest version it told a client is done
  private readonly pending = new Map<number, Rec>(); // persist token → record
  private readonly isHead: boolean;
  private readonly isTail: boolean;

  constructor(
    private readonly env: NodeEnv<Msg, Rec, Rep>,
    private readonly servers: number,
    recovered: Recovered<Rec> | null,
    private readonly bugs: Bugs = {},
  ) {
    this.isHead = env.id === 0;
    this.isTail = env.id === servers - 1;
    // After a crash: the last intact record is the register's state.
    if (recovered !== null && recovered.corruptFrom > 0) {
      const last = recovered.records[recovered.corruptFrom - 1];
      this.latest = last;
      this.durable = last.version;
      this.durableValue = last.value;
    }
    this.env.wakeAt(0); // start the resend timer
  }

  onClient(client: number, req: Req, _now: number): void {
    if (req.type === "read") {
      if (this.isTail) this.env.reply(client, { type: "ok", id: req.id, value: this.durableValue });
      return; // reads go to the tail; elsewhere the client times out and tries again
    }
    if (!this.isHead) return;
    // The head orders writes: the next version, persisted before it is passed on.
    this.write({ version: this.latest.version + 1, value: req.value, client, id: req.id });
  }

  onMessage(from: NodeId, msg: Msg, _now: number): void {
    if (msg.type === "ack") {
      if (from === this.env.id + 1 && msg.version > this.ackedBySuccessor) this.ackedBySuccessor = msg.version;
      return;
    }
    if (from !== this.env.id - 1) return;
    if (msg.version <= this.durable) {
      this.env.send(from, { type: "ack", version: this.durable }); // a resend: we have it already
      return;
    }
    if (msg.version <= this.latest.version) return; // being persisted
    this.write(msg);
  }

  private write(r: Rec): void {
    this.latest = r;
    const token = this.env.persist([r], true);
    this.pending.set(token, r);
    if (this.isTail && this.bugs.tailAcksBeforeDurable === true) {
      // BUG: the tail takes the write as durable (and acknowledges it) before its fsync completes.
      this.durable = r.version;
      this.durableValue = r.value;
      this.done(r);
    }
  }

  onPersisted(token: number, _now: number): void {
    // Tokens complete in order: everything up to `token` is durable.
    for (const [t, r] of this.pending) {
      if (t > token) break;
      this.pending.delete(t);
      if (r.version <= this.durable) continue;
      this.durable = r.version;
      this.durableValue = r.value;
      this.done(r);
    }
  }

  /** A write is durable here: pass it on (or, at the tail, answer the client), ack upstream. */
  private done(r: Rec): void {
    if (!this.isHead) this.env.send(this.env.id - 1, { type: "ack", version: r.version });
    if (this.isTail) {
      this.answered = Math.max(this.answered, r.version);
      if (r.client >= 0) this.env.reply(r.client, { type: "ok", id: r.id });
    } else this.env.send(this.env.id + 1, { type: "put", ...r });
  }

  onTick(now: number): void {
    // Resend our latest durable write until the successor has it.
    if (!this.isTail && this.durable > this.ackedBySuccessor && this.durable === this.latest.version) this.env.send(this.env.id + 1, { type: "put", ...this.latest });
    this.env.wakeAt(now + RESEND_US);
  }

  /** For the system's observers: the highest version this node holds as durable, and (the
   * tail) the highest it acknowledged to a client. */
  get version(): number {
    return this.durable;
  }
  get acknowledged(): number {
    return this.answered;
  }
}
