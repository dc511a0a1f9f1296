// A tiny in-test harness: Raft instances exchanging messages through one FIFO queue, a fake
// disk per node whose writes become durable when the test says (or at once with autoSync), a
// seeded rng, and explicit time. No simulator involved.
import type { ImplRng, NodeEnv, NodeId, NoteKind } from "../../../src/impl/node.js";
import type { RaftApp, RaftBugName, RaftEntry, RaftOptions } from "../../../src/impl/raft/api.js";
import { Raft, type RaftMessage, type RaftRecord } from "../../../src/impl/raft/raft.js";

export type Msg = RaftMessage<string>;
export type Rec = RaftRecord<string>;

export function mulberry32(seed: number): ImplRng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { float: next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

export function options(voters: readonly NodeId[], over: Partial<RaftOptions> = {}, bugs: RaftBugName[] = []): RaftOptions {
  return {
    voters,
    electionMinUs: 1000,
    electionMaxUs: 2000,
    heartbeatUs: 100,
    preVote: true,
    checkQuorum: true,
    maxInflight: 4,
    maxBatch: 8,
    bugs: new Set(bugs),
    ...over,
  };
}

export interface Sent {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msg: Msg;
}

export class TestNode implements RaftApp<string> {
  raft!: Raft<string>;
  up = true;
  durable: Rec[] = [];
  pending: { token: number; recs: readonly Rec[] }[] = [];
  token = 0;
  wake = 0;
  applied: RaftEntry<string>[] = [];
  ready: [number, number][] = [];
  failed: number[] = [];
  notes: [NoteKind, number, number][] = [];
  readonly env: NodeEnv<Msg, Rec, unknown>;

  constructor(
    readonly net: Net,
    readonly id: NodeId,
    readonly opts: RaftOptions,
  ) {
    const rng = mulberry32(id * 7919 + net.seed);
    this.env = {
      id,
      rng,
      send: (to, msg) => {
        net.sent.push({ from: id, to, msg });
        net.queue.push({ from: id, to, msg });
      },
      persist: (recs, sync) => {
        if (!sync) throw new Error("raft must persist with sync=true");
        const token = ++this.token;
        this.pending.push({ token, recs });
        return token;
      },
      reply: () => {},
      wakeAt: (t) => {
        this.wake = t;
      },
      note: (kind, a, b) => {
        this.notes.push([kind, a, b]);
      },
    };
  }

  start(withDisk: boolean): void {
    this.applied = [];
    this.raft = new Raft<string>(this.id, this.opts, this.env, this, withDisk ? { records: this.durable, corruptFrom: this.durable.length } : null, this.net.now);
  }

  sync(): void {
    if (this.pending.length === 0 || !this.up) return;
    const last = this.pending[this.pending.length - 1].token;
    for (const p of this.pending) this.durable.push(...p.recs);
    this.pending = [];
    this.raft.onPersisted(last, this.net.now);
  }

  /** Crash (unsynced writes lost) and restart from the durable records. */
  restart(): void {
    this.pending = [];
    this.start(true);
  }

  log(): number[] {
    const out: number[] = [];
    for (let i = this.raft.firstIndex(); i <= this.raft.lastIndex(); i++) out.push(this.raft.entry(i)!.term);
    return out;
  }

  apply(entry: RaftEntry<string>): void {
    this.applied.push(entry);
  }
  readReady(ctx: number, index: number): void {
    this.ready.push([ctx, index]);
  }
  readFailed(ctx: number): void {
    this.failed.push(ctx);
  }
}

export class Net {
  now = 0;
  readonly nodes = new Map<NodeId, TestNode>();
  queue: Sent[] = [];
  /** Every message ever sent, for assertions. */
  sent: Sent[] = [];
  autoSync = true;
  /** Return true to drop a message. */
  drop: (s: Sent) => boolean = () => false;
  private readonly cuts = new Set<string>();

  constructor(
    ids: readonly NodeId[],
    over: Partial<RaftOptions> = {},
    bugs: RaftBugName[] = [],
    readonly seed = 1,
    disks?: Map<NodeId, Rec[]>,
  ) {
    for (const id of ids) {
      const n = new TestNode(this, id, options(ids, over, bugs));
      const d = disks?.get(id);
      if (d) n.durable = d.slice();
      this.nodes.set(id, n);
      n.start(d !== undefined);
    }
  }

  node(id: NodeId): TestNode {
    return this.nodes.get(id)!;
  }
  raft(id: NodeId): Raft<string> {
    return this.node(id).raft;
  }

  isolate(id: NodeId): void {
    for (const o of this.nodes.keys()) {
      if (o === id) continue;
      this.cuts.add(`${id}>${o}`);
      this.cuts.add(`${o}>${id}`);
    }
  }
  heal(): void {
    this.cuts.clear();
  }

  syncAll(): void {
    for (const n of this.nodes.values()) n.sync();
  }

  /** Deliver until quiet (bounded). Returns the number of messages delivered. */
  deliver(limit = 100_000): number {
    let count = 0;
    for (;;) {
      if (this.autoSync) this.syncAll();
      const s = this.queue.shift();
      if (s === undefined) return count;
      if (++count > limit) throw new Error("harness: message storm");
      const to = this.nodes.get(s.to);
      if (!to || !to.up || !this.nodes.get(s.from)?.up) continue;
      if (this.cuts.has(`${s.from}>${s.to}`) || this.drop(s)) continue;
      to.raft.onMessage(s.from, s.msg, this.now);
    }
  }

  /** Fire node id's requested wake-up (time moves forward to it if needed). */
  fire(id: NodeId): void {
    const n = this.node(id);
    if (n.wake > this.now) this.now = n.wake;
    n.raft.onTick(this.now);
  }

  /** Advance time step by step, ticking every node whose wake time has come, delivering. */
  run(untilUs: number, stepUs = 50): void {
    while (this.now < untilUs) {
      this.now = Math.min(untilUs, this.now + stepUs);
      for (const n of this.nodes.values()) if (n.up && n.wake <= this.now) n.raft.onTick(this.now);
      this.deliver();
    }
  }

  /** Make `id` leader: fire its timeout and deliver. */
  elect(id: NodeId): void {
    this.fire(id);
    this.deliver();
    if (this.raft(id).role() !== "leader") throw new Error(`harness: ${id} did not become leader (${this.raft(id).role()})`);
  }

  leaders(): NodeId[] {
    const out: NodeId[] = [];
    for (const n of this.nodes.values()) if (n.up && n.raft.role() === "leader") out.push(n.id);
    return out;
  }
}

/** WAL records for a log with the given terms (index 1..n) and hard state. */
export function diskOf(terms: readonly number[], term: number, vote = -1): Rec[] {
  const entries = terms.map((t, k) => ({ index: k + 1, term: t, data: `e${k + 1}t${t}` }));
  return [{ kind: "hs", term, vote }, { kind: "entries", entries }];
}
