// A tiny in-test harness: Raft instances exchanging messages through one FIFO queue, a fake
// disk per node whose writes become durable when the test says (or at once with autoSync), a
// seeded rng, and explicit time. No simulator involved.
import type { ImplRng, NodeEnv, NodeId } from "../../../src/impl/node.js";
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
  /** Absolute position of durable[0] (records before it were dropped with dropWalBefore). */
  walBase = 0;
  /** Durable named files; volatile ones are `files` (file ops become durable with sync()). */
  dfiles = new Map<string, unknown>();
  files = new Map<string, unknown>();
  pending: { token: number; recs: readonly Rec[]; fops: (() => void)[] }[] = [];
  /** Every dropWalBefore call (tests). */
  drops: number[] = [];
  token = 0;
  wake = 0;
  applied: RaftEntry<string>[] = [];
  ready: [number, number][] = [];
  failed: number[] = [];
  /** Notes as (code, a, b): RaftNote codes. */
  notes: [number, number, number][] = [];
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
      persist: (recs, _sync) => {
        const token = ++this.token;
        this.pending.push({ token, recs, fops: [] });
        return token;
      },
      writeFile: (name, data) => {
        this.files.set(name, data);
        this.fileOp(() => this.dfiles.set(name, data));
      },
      renameFile: (from, to) => {
        if (!this.files.has(from)) throw new Error(`harness: rename of missing ${from}`);
        this.files.set(to, this.files.get(from));
        this.files.delete(from);
        this.fileOp(() => {
          this.dfiles.set(to, this.dfiles.get(from));
          this.dfiles.delete(from);
        });
      },
      deleteFile: (name) => {
        this.files.delete(name);
        this.fileOp(() => this.dfiles.delete(name));
      },
      syncFile: () => {
        const token = ++this.token;
        this.pending.push({ token, recs: [], fops: [] });
        return token;
      },
      rotateWal: () => {
        let n = this.walBase + this.durable.length;
        for (const p of this.pending) n += p.recs.length;
        return n;
      },
      dropWalBefore: (b) => {
        const k = b - this.walBase;
        if (k < 0 || k > this.durable.length) throw new Error(`harness: dropping non-durable WAL records (${k})`);
        this.durable.splice(0, k);
        this.walBase = b;
        this.drops.push(b);
      },
      reply: () => {},
      wakeAt: (t) => {
        this.wake = t;
      },
      note: (code, a, b) => {
        this.notes.push([code, a, b]);
      },
    };
  }

  /** A file operation, ordered after the writes issued so far. */
  private fileOp(f: () => void): void {
    if (this.pending.length === 0) this.pending.push({ token: this.token, recs: [], fops: [] });
    this.pending[this.pending.length - 1].fops.push(f);
  }

  start(withDisk: boolean): void {
    this.applied = [];
    this.state = [];
    this.files = new Map(this.dfiles);
    this.raft = new Raft<string>(
      this.id,
      this.opts,
      this.env,
      this,
      withDisk ? { records: this.durable, corruptFrom: this.durable.length, files: new Map(this.dfiles) } : null,
      this.net.now,
    );
  }

  sync(): void {
    if (this.pending.length === 0 || !this.up) return;
    const last = this.pending[this.pending.length - 1].token;
    const ps = this.pending;
    this.pending = [];
    for (const p of ps) {
      this.durable.push(...p.recs);
      for (const f of p.fops) f();
    }
    if (last > 0) this.raft.onPersisted(last, this.net.now);
  }

  /** Crash (unsynced writes lost) and restart from the durable records. */
  restart(): void {
    this.pending = [];
    this.start(true);
  }

  /** The state machine: the data of every applied entry (or restored from a snapshot). */
  state: string[] = [];
  /** Snapshots restored (index), for assertions. */
  restored: number[] = [];

  snapshot(maxItems: number): readonly unknown[] {
    const out: unknown[] = [{ n: this.state.length }];
    for (let i = 0; i < this.state.length; i += maxItems) out.push(this.state.slice(i, i + maxItems));
    return out;
  }

  restore(chunks: readonly unknown[], index: number): void {
    const st: string[] = [];
    for (let k = 1; k < chunks.length; k++) st.push(...(chunks[k] as string[]));
    if (st.length !== (chunks[0] as { n: number }).n) throw new Error("harness: snapshot chunks incomplete");
    this.state = st;
    this.restored.push(index);
  }

  log(): number[] {
    const out: number[] = [];
    for (let i = this.raft.firstIndex(); i <= this.raft.lastIndex(); i++) out.push(this.raft.entry(i)!.term);
    return out;
  }

  apply(entry: RaftEntry<string>): void {
    this.applied.push(entry);
    if (entry.data !== null) this.state.push(entry.data);
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
    this.over = over;
    this.bugs = bugs;
    for (const id of ids) {
      const n = new TestNode(this, id, options(ids, over, bugs));
      const d = disks?.get(id);
      if (d) n.durable = d.slice();
      this.nodes.set(id, n);
      n.start(d !== undefined);
    }
  }

  private readonly over: Partial<RaftOptions>;
  private readonly bugs: RaftBugName[];

  /** Add a server that starts with the given initial voters ([]: waiting to join). */
  addNode(id: NodeId, voters: readonly NodeId[] = []): TestNode {
    const n = new TestNode(this, id, options(voters, this.over, this.bugs));
    this.nodes.set(id, n);
    n.start(false);
    return n;
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
