// The external engine's store: one etcd-like node, linearizable because it is one node that
// applies requests in arrival order, with etcd-style leases (grant with a TTL, keepalive,
// keys bound to a lease deleted when it expires) and a campaign (put a key bound to a lease if
// it is absent: concurrency.Election's Campaign). It is reached over the simulated network, so
// it can be cut off from some controllers and not others. Writes are fsynced before they are
// answered (etcd's WAL); leases come back after a restart with their full TTL (etcd's lessor
// recovers leases with a fresh TTL).
import type { NodeEnv, Recovered, SimNode } from "../node.js";
import { MetadataStore } from "../metadata/store.js";
import type { MetaOp, MetaResult } from "../metadata/ops.js";
import { MonotonicTime } from "../raft/monotonic.js";
import { KN, TOPOLOGY_KEY, decodeTopology, type StoreMsg, type StoreOp, type StoreResult } from "./types.js";

export type StoreRecord =
  | { readonly t: "op"; readonly index: number; readonly op: MetaOp }
  | { readonly t: "lease"; readonly id: number; readonly ttlUs: number }
  | { readonly t: "bind"; readonly lease: number; readonly key: string };

type StoreEnv = NodeEnv<StoreMsg, StoreRecord, never>;

interface Lease {
  readonly ttlUs: number;
  expires: number;
}

export class StoreNode implements SimNode<StoreMsg, never> {
  readonly store = new MetadataStore({ dedupSessions: false });
  private index = 0;
  private nextLease = 1;
  private readonly leases = new Map<number, Lease>();
  /** Keys bound to a lease (a later write of the key, or its deletion, unbinds it). */
  private readonly keyLease = new Map<string, number>();
  private readonly mono = new MonotonicTime();
  /** Answers held until the writes before them are durable: token -> replies. */
  private readonly held: { token: number; to: number; msg: StoreMsg }[] = [];
  private lastToken = 0;
  private durable = 0;
  /** Requests already executed, per sender: the network may deliver one twice, and TCP (etcd's
   * gRPC) would not — a duplicated cas would otherwise run again and answer "failed". */
  private readonly seen = new Map<number, Map<number, StoreMsg>>();

  constructor(private readonly env: StoreEnv, recovered: Recovered<StoreRecord> | null, now: number) {
    const t = this.mono.read(now);
    if (recovered !== null) {
      const n = Math.min(recovered.corruptFrom, recovered.records.length);
      for (let i = 0; i < n; i++) {
        const r = recovered.records[i]!;
        if (r.t === "op") {
          this.index = r.index;
          this.store.apply(r.index, { client: 0, seq: 0, op: r.op });
          if (r.op.f !== "get" && r.op.f !== "exists" && r.op.f !== "list") this.keyLease.delete(r.op.key);
        } else if (r.t === "lease") {
          this.leases.set(r.id, { ttlUs: r.ttlUs, expires: t + r.ttlUs });
          this.nextLease = Math.max(this.nextLease, r.id + 1);
        } else this.keyLease.set(r.key, r.lease);
      }
    }
    this.rewake();
  }

  onMessage(from: number, msg: StoreMsg, now: number): void {
    if (msg.type !== "sreq") return;
    let mine = this.seen.get(from);
    if (mine === undefined) this.seen.set(from, (mine = new Map()));
    if (mine.has(msg.id)) return; // a duplicate: the first copy's answer is on its way
    const t = this.mono.read(now);
    this.expire(t);
    const r = this.execute(msg.op, t);
    const rep: StoreMsg = { type: "srep", id: msg.id, r };
    mine.set(msg.id, rep);
    if (mine.size > 256) mine.delete(mine.keys().next().value!);
    // A read or a refused op waits only for writes before it (etcd serves from applied state).
    if (this.lastToken > this.durable) this.held.push({ token: this.lastToken, to: from, msg: rep });
    else this.env.send(from, rep);
    this.rewake();
  }

  onTick(now: number): void {
    this.expire(this.mono.read(now));
    this.rewake();
  }

  onClient(): void {}

  onPersisted(token: number): void {
    this.durable = Math.max(this.durable, token);
    let k = 0;
    while (k < this.held.length && this.held[k]!.token <= this.durable) {
      this.env.send(this.held[k]!.to, this.held[k]!.msg);
      k++;
    }
    this.held.splice(0, k);
  }

  private execute(op: StoreOp, t: number): StoreResult {
    switch (op.f) {
      case "grant": {
        const id = this.nextLease++;
        this.leases.set(id, { ttlUs: op.ttlUs, expires: t + op.ttlUs });
        this.persist({ t: "lease", id, ttlUs: op.ttlUs });
        return { f: "grant", lease: id };
      }
      case "keepalive": {
        const l = this.leases.get(op.lease);
        if (l === undefined) return { f: "keepalive", alive: false };
        l.expires = t + l.ttlUs;
        return { f: "keepalive", alive: true };
      }
      case "campaign": {
        const cur = this.store.get(op.key);
        if (cur.found) return { f: "campaign", won: false, holder: cur.value, revision: cur.revision };
        const l = this.leases.get(op.lease);
        if (l === undefined) return { f: "campaign", won: false, holder: "", revision: 0 };
        const r = this.write({ f: "put", key: op.key, value: op.value });
        this.keyLease.set(op.key, op.lease);
        this.persist({ t: "bind", lease: op.lease, key: op.key });
        return { f: "campaign", won: true, holder: op.value, revision: (r as { revision: number }).revision };
      }
      case "meta": {
        const op2 = op.op;
        if (op2.f === "get" || op2.f === "exists" || op2.f === "list") return { f: "meta", result: this.store.read(op2) };
        return { f: "meta", result: this.write(op2) };
      }
    }
  }

  private write(op: MetaOp): MetaResult {
    const index = ++this.index;
    const r = this.store.apply(index, { client: 0, seq: 0, op }) as MetaResult;
    this.keyLease.delete(op.f === "list" ? "" : op.key);
    this.persist({ t: "op", index, op });
    if ((op.f === "put" || op.f === "cas") && op.key === TOPOLOGY_KEY && (op.f === "put" || (r as { ok?: boolean }).ok === true)) {
      const topo = decodeTopology(op.value);
      if (topo !== null) this.env.note(KN.committed, topo.version, index);
    }
    return r;
  }

  private persist(r: StoreRecord): void {
    this.lastToken = this.env.persist([r], true);
  }

  /** Expired leases: their keys are deleted (the old leader's key goes). */
  private expire(t: number): void {
    for (const [id, l] of this.leases) {
      if (l.expires > t) continue;
      this.leases.delete(id);
      for (const [k, lease] of [...this.keyLease]) if (lease === id) this.write({ f: "delete", key: k });
    }
  }

  private rewake(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const l of this.leases.values()) next = Math.min(next, l.expires);
    if (next < Number.POSITIVE_INFINITY) this.env.wakeAt(next - this.skew());
  }

  private skew(): number {
    // peek(local) = max(local + skew, last); for a large local, it is local + skew.
    const big = 1e15;
    return this.mono.peek(big) - big;
  }

  /** The committed topology value (the observer reads it when the store notes a commit). */
  topologyValue(): string | null {
    const r = this.store.get(TOPOLOGY_KEY);
    return r.found ? r.value : null;
  }
}
