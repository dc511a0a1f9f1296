// A Kvrocks data node: the failover system's tiny key-value store (APPEND and GET, asynchronous
// replication: src/impl/failover/valkey/kv.ts) under a topology pushed by the controller
// (CLUSTERX SETNODES with a version: a node takes a topology only if its version is higher than
// the one it has). It answers the controller's probes with its version, role and replication
// offset, routes clients by its topology (MOVED), and — with the lease fix — accepts writes as
// master only while it holds a write lease: a grant answers one of its probe replies and runs
// from that reply's send time on its own monotonic clock (so a delayed grant never stretches it),
// for leaseUs; a grant of a lower epoch than one already seen is ignored, and a backward clock
// step drops the lease (it could otherwise outlive the controller's reckoning).
import { ReplicatedKv } from "../failover/valkey/kv.js";
import { keySlot, type DataRecord, type KvRep, type KvReq } from "../failover/valkey/types.js";
import type { NodeEnv, Recovered, SimNode } from "../node.js";
import { MonotonicTime } from "../raft/monotonic.js";
import { KN, initialTopology, shardOfNode, shardOfSlot, type ControlMsg, type InfoMsg, type Layout, type ReplMsg, type Topology } from "./types.js";

export type DataMsg = ControlMsg | InfoMsg | ReplMsg;
export type DataNodeRecord = DataRecord | { readonly t: "topo"; readonly topo: Topology };
type DataEnv = NodeEnv<DataMsg, DataNodeRecord, KvRep>;

export interface DataNodeOptions {
  readonly layout: Layout;
  readonly lease: boolean;
  readonly leaseUs: number;
  /** psync retry interval. */
  readonly resyncUs: number;
}

export class DataNode implements SimNode<DataMsg, KvReq> {
  kv = new ReplicatedKv();
  topo: Topology;
  readonly shard: number;
  private readonly mono = new MonotonicTime();
  /** Monotonic time until which this node may accept writes as master (lease fix). */
  leaseUntil = Number.NEGATIVE_INFINITY;
  private maxEpoch = -1;
  private needSync = false;
  private lastPsync = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly env: DataEnv,
    private readonly o: DataNodeOptions,
    recovered: Recovered<DataNodeRecord> | null,
    now: number,
  ) {
    this.shard = shardOfNode(o.layout, env.id);
    this.topo = initialTopology(o.layout);
    this.mono.read(now);
    if (recovered !== null) {
      const n = Math.min(recovered.corruptFrom, recovered.records.length);
      const data: DataRecord[] = [];
      for (let i = 0; i < n; i++) {
        const r = recovered.records[i]!;
        if (r.t === "topo") {
          if (r.topo.version > this.topo.version) this.topo = r.topo;
        } else data.push(r);
      }
      this.kv = ReplicatedKv.recover(data);
      this.needSync = !this.isMaster;
    }
    this.env.wakeAt(now + o.resyncUs);
  }

  get isMaster(): boolean {
    return this.topo.shards[this.shard]!.master === this.env.id;
  }

  get master(): number {
    return this.topo.shards[this.shard]!.master;
  }

  /** Would this node accept a write at local time `local`? (The observer asks.) */
  writable(local: number): boolean {
    return this.isMaster && (!this.o.lease || this.mono.peek(local) < this.leaseUntil);
  }

  onMessage(from: number, msg: DataMsg, now: number): void {
    const t = this.readClock(now);
    switch (msg.type) {
      case "probe": {
        const info: InfoMsg = { type: "info", seq: msg.seq, version: this.topo.version, master: this.isMaster, offset: this.kv.offset, sentAt: t };
        this.env.send(from, info);
        return;
      }
      case "grant":
        if (msg.epoch < this.maxEpoch || !this.isMaster) return;
        this.maxEpoch = msg.epoch;
        this.leaseUntil = Math.max(this.leaseUntil, msg.sentAt + this.o.leaseUs);
        return;
      case "topo":
        this.maxEpoch = Math.max(this.maxEpoch, msg.epoch);
        this.adopt(msg.topo);
        return;
      case "repl":
        if (from !== this.master || this.isMaster || this.needSync) return;
        this.persistData(this.kv.receive(msg.from, msg.key, msg.token).applied);
        if (this.kv.stashed > 0) this.askSync(t, true);
        return;
      case "psync":
        if (this.isMaster) this.env.send(from, { type: "fullsync", offset: this.kv.offset, data: this.kv.snapshot() });
        return;
      case "fullsync":
        if (from !== this.master || this.isMaster) return;
        this.env.persist([this.kv.load(msg.offset, msg.data)], false);
        this.needSync = false;
        return;
      case "info":
        return;
    }
  }

  onClient(client: number, req: KvReq, now: number): void {
    const t = this.readClock(now);
    const slot = keySlot(req.key, this.o.layout.slots);
    const shard = shardOfSlot(this.o.layout, slot);
    const owner = this.topo.shards[shard]!.master;
    if (owner !== this.env.id) return this.env.reply(client, { type: "moved", id: req.id, slot, node: owner });
    if (this.o.lease && !(t < this.leaseUntil)) return this.env.reply(client, { type: "down", id: req.id });
    if (req.type === "get") return this.env.reply(client, { type: "ok", id: req.id, value: this.kv.get(req.key) });
    const from = this.kv.offset;
    const rec = this.kv.apply(req.key, req.token);
    this.env.persist([rec], false);
    this.env.note(KN.write, this.shard, rec.offset);
    for (const r of this.topo.shards[this.shard]!.replicas) this.env.send(r, { type: "repl", from, key: req.key, token: req.token });
    this.env.reply(client, { type: "ok", id: req.id });
  }

  onTick(now: number): void {
    const t = this.readClock(now);
    if (!this.isMaster && (this.needSync || this.kv.stashed > 0)) this.askSync(t, false);
    this.env.wakeAt(now + this.o.resyncUs);
  }

  onPersisted(): void {}

  private adopt(topo: Topology): void {
    if (topo.version <= this.topo.version) return; // CLUSTERX SETNODES: an older version is refused
    const wasMaster = this.isMaster;
    const oldMaster = this.master;
    this.topo = topo;
    this.env.persist([{ t: "topo", topo }], true);
    this.env.note(KN.adopted, topo.version, this.isMaster ? 1 : 0);
    if (wasMaster && !this.isMaster) this.leaseUntil = Number.NEGATIVE_INFINITY;
    if (!this.isMaster && (wasMaster || this.master !== oldMaster)) {
      this.needSync = true;
      this.askSync(this.mono.peek(0), true);
    }
  }

  private askSync(t: number, now: boolean): void {
    if (!now && t - this.lastPsync < this.o.resyncUs) return;
    this.lastPsync = t;
    this.needSync = true;
    this.env.send(this.master, { type: "psync", offset: this.kv.offset });
  }

  private persistData(recs: DataRecord[]): void {
    if (recs.length > 0) this.env.persist(recs, false);
  }

  /** The monotonic time now; a backward step of the local clock drops the lease. */
  private readClock(now: number): number {
    const t = this.mono.read(now);
    if (this.mono.takeStep()) this.leaseUntil = Number.NEGATIVE_INFINITY;
    return t;
  }
}
