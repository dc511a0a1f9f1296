// An embedded Raft group: raftsim's Raft and metadata store (src/impl/metadata/server.ts) run
// as a component *inside* a node of another system — a shard's log beside a data plane (the
// Valkey RFC's raft-module, the lease failover design), a controller's storage engine (the
// Kvrocks controller), the root group of a control plane (Engula). Several groups may share
// one host node; each is told apart by its group id.
//
// The host owns the node's one NodeEnv. This adapter gives the server a NodeEnv of its own that
// - wraps its messages in a GroupEnvelope {type: "grp", g, m} (the host routes envelopes of
//   group g to this adapter's onMessage);
// - tags its WAL records {g, r} (one WAL per node; splitRecovered picks a group's records back
//   out on restart) and prefixes its file names with "g<id>/";
// - hands its wake-ups to the host through a callback (NodeEnv.wakeAt keeps only the latest
//   request: see wake-mux.ts);
// - turns client replies into callbacks: the host's own logic asks the store with request().
// Requests made on a node that is not the group's leader are forwarded to the leader it knows
// (embedReq/embedRep inside the envelope); every request has a deadline after which its
// callback gets "unavailable" (outcome unknown), so a lost leader never leaves a caller waiting.
//
// Sessions: each request runs on a "lane", a client session id drawn from the host's rng when
// the lane is opened (two draws: about 2^51 values, so incarnations and nodes never share one),
// with one outstanding command per lane as the store's session rules require. A restarted node
// opens new lanes, so a command of an earlier incarnation can never be answered to a new one.
// Keep the server's session dedup on (ServerOptions.dedupSessions): it is what makes a late
// command of a reused lane stale instead of executed twice.
//
// Not supported: log compaction (snapshotEvery). The WAL is shared with the host and the other
// groups, so one component may not drop segments the others still need; the constructor
// refuses the option.
import type { NodeEnv, NodeId, Recovered } from "../node.js";
import { MetaServer, type ServerMessage, type ServerOptions, type ServerRecord } from "../metadata/server.js";
import type { StoreRequest, ServerReply } from "../metadata/protocol.js";
import type { StoreOp, StoreResult } from "../metadata/ops.js";

/** A request forwarded to the leader: run `op` on session `client` with `seq`. */
export interface EmbedRequest {
  readonly type: "embedReq";
  readonly term: 0;
  readonly id: number;
  readonly client: number;
  readonly seq: number;
  readonly op: StoreOp;
}

/** The leader's answer to an EmbedRequest (its ServerReply as it would go to a client). */
export interface EmbedResponse {
  readonly type: "embedRep";
  readonly term: 0;
  readonly id: number;
  readonly reply: ServerReply;
}

export type GroupMessage = ServerMessage | EmbedRequest | EmbedResponse;

/** What travels between hosts for group g. */
export interface GroupEnvelope {
  readonly type: "grp";
  readonly g: number;
  readonly m: GroupMessage;
}

/** A WAL record of group g. */
export interface GroupRecord {
  readonly g: number;
  readonly r: ServerRecord;
}

export type EmbedReply =
  | { readonly kind: "ok"; readonly result: StoreResult }
  /** Not executed: this node is not the leader and knows none to forward to (-1), or the node
   * it asked is not the leader either (its hint). */
  | { readonly kind: "not-leader"; readonly leader: NodeId }
  /** Outcome unknown: proposed then leadership lost, or no answer before the deadline. */
  | { readonly kind: "unavailable" };

export interface EmbedOptions {
  /** The group id: envelopes, WAL records and file names carry it. */
  readonly group: number;
  /** The server's options (its Raft voters, timing, read mode). snapshotEvery must be unset. */
  readonly server: ServerOptions;
  /** A request's deadline, local µs after it is made (forwarded or local). */
  readonly timeoutUs: number;
  /** Raft's notes are passed to the host as noteBase + code; undefined: dropped. */
  readonly noteBase?: number;
}

type Done = (r: EmbedReply, now: number) => void;

interface Pending {
  readonly lane: Lane | null; // null: a request forwarded to us by another node
  readonly done: Done | null;
  readonly deadline: number;
  /** Forwarded to us: who asked, and its request id. */
  readonly from: NodeId;
  readonly remoteId: number;
}

interface Lane {
  readonly client: number;
  seq: number;
}

/** Every record and file of group g from a host's recovered disk, in order (null: none). */
export function splitRecovered(all: Recovered<unknown> | null, g: number): Recovered<ServerRecord> | null {
  if (all === null) return null;
  const records: ServerRecord[] = [];
  let corruptFrom = -1;
  const n = Math.min(all.corruptFrom, all.records.length);
  for (let i = 0; i < all.records.length; i++) {
    const rec = all.records[i] as Partial<GroupRecord> | null;
    if (rec === null || typeof rec !== "object" || rec.g !== g || rec.r === undefined) continue;
    if (i >= n && corruptFrom < 0) corruptFrom = records.length;
    records.push(rec.r);
  }
  const prefix = filePrefix(g);
  let files: Map<string, unknown> | undefined;
  if (all.files !== undefined) {
    for (const [name, data] of all.files) {
      if (!name.startsWith(prefix)) continue;
      files ??= new Map();
      files.set(name.slice(prefix.length), data);
    }
  }
  return { records, corruptFrom: corruptFrom < 0 ? records.length : corruptFrom, ...(files === undefined ? {} : { files }) };
}

function filePrefix(g: number): string {
  return `g${g}/`;
}

export class EmbeddedGroup {
  readonly server: MetaServer;
  private readonly pending = new Map<number, Pending>();
  private nextEndpoint = 1;
  private readonly idle: Lane[] = [];
  private raftWake = Number.NaN;
  private asked = Number.NaN;
  /** The earliest request deadline (NaN: none pending); recomputed when it passes. */
  private firstDeadline = Number.NaN;
  /** The local time of the call in progress: the server's reply callback carries no time. */
  private lastNow = 0;

  /**
   * `host` is the node's own env; `wake(localUs)` asks the host to call onTick at that local
   * time (NaN: no wake-up needed) — the latest call wins. `recovered` is the host's whole
   * recovered disk (splitRecovered picks this group's part) or null on a first start.
   */
  constructor(
    readonly id: NodeId,
    private readonly o: EmbedOptions,
    private readonly host: NodeEnv<any, any, any>,
    private readonly wake: (localUs: number) => void,
    recovered: Recovered<unknown> | null,
    now: number,
  ) {
    if (o.server.raft.snapshotEvery !== undefined) throw new Error("embedded group: log compaction (snapshotEvery) is not supported: the WAL is shared with the host");
    if (!(o.timeoutUs > 0)) throw new Error(`embedded group: timeoutUs must be positive, got ${o.timeoutUs}`);
    this.lastNow = now;
    this.server = new MetaServer(id, o.server, this.serverEnv(), splitRecovered(recovered, o.group), now);
  }

  get group(): number {
    return this.o.group;
  }

  /** Is this node the group's leader (as far as it knows)? */
  isLeader(): boolean {
    return this.server.raft.role() === "leader";
  }

  /** The leader this node knows (-1: none). */
  leader(): NodeId {
    return this.server.raft.leader();
  }

  /**
   * Run a store operation through the group: locally when this node leads, else forwarded to
   * the leader it knows. `done` is called exactly once (perhaps synchronously, with
   * "not-leader" when no leader is known). Reads are linearizable (the server's ReadIndex, or
   * its lease when the Raft read mode says so); for a read of this node's possibly stale local
   * state, read `server.store` directly.
   */
  request(op: StoreOp, now: number, done: Done): void {
    this.lastNow = now;
    const lane = this.idle.pop() ?? this.openLane();
    lane.seq++;
    const deadline = now + this.o.timeoutUs;
    if (this.isLeader()) {
      const ep = this.nextEndpoint++;
      this.pending.set(ep, { lane, done, deadline, from: -1, remoteId: 0 });
      this.noteDeadline(deadline);
      const req: StoreRequest = { client: lane.client, seq: lane.seq, op };
      this.server.onClient(ep, req, now);
      return;
    }
    const leader = this.leader();
    if (leader < 0 || leader === this.id) {
      this.idle.push(lane);
      done({ kind: "not-leader", leader: -1 }, now);
      return;
    }
    const ep = this.nextEndpoint++;
    this.pending.set(ep, { lane, done, deadline, from: -1, remoteId: 0 });
    this.noteDeadline(deadline);
    const m: EmbedRequest = { type: "embedReq", term: 0, id: ep, client: lane.client, seq: lane.seq, op };
    this.send(leader, m);
  }

  onMessage(from: NodeId, m: GroupMessage, now: number): void {
    this.lastNow = now;
    if (m.type === "embedReq") {
      const ep = this.nextEndpoint++;
      this.pending.set(ep, { lane: null, done: null, deadline: now + this.o.timeoutUs, from, remoteId: m.id });
      this.noteDeadline(now + this.o.timeoutUs);
      this.server.onClient(ep, { client: m.client, seq: m.seq, op: m.op }, now);
    } else if (m.type === "embedRep") {
      this.settle(m.id, m.reply, now);
    } else {
      this.server.onMessage(from, m, now);
    }
  }

  onPersisted(token: number, now: number): void {
    this.lastNow = now;
    this.server.onPersisted(token, now);
  }

  /** The host's tick for this group (when it asked for one, or any later time). */
  onTick(now: number): void {
    this.lastNow = now;
    this.asked = Number.NaN;
    this.raftWake = Number.NaN;
    this.server.onTick(now);
    if (this.firstDeadline <= now) this.expire(now);
    this.rewake();
  }

  private openLane(): Lane {
    const hi = this.host.rng.int(0, (1 << 20) - 1);
    const lo = this.host.rng.int(0, 0x7fffffff);
    return { client: hi * 0x80000000 + lo + 1, seq: 0 };
  }

  private send(to: NodeId, m: GroupMessage): void {
    const env: GroupEnvelope = { type: "grp", g: this.o.group, m };
    this.host.send(to, env);
  }

  /** The server answered endpoint `ep`. */
  private onReply(ep: number, reply: ServerReply, now: number): void {
    const p = this.pending.get(ep);
    if (p === undefined) return;
    if (p.lane === null) {
      this.pending.delete(ep);
      const m: EmbedResponse = { type: "embedRep", term: 0, id: p.remoteId, reply };
      this.send(p.from, m);
      return;
    }
    this.settle(ep, reply, now);
  }

  private settle(ep: number, reply: ServerReply, now: number): void {
    const p = this.pending.get(ep);
    if (p === undefined || p.done === null) return; // late: already expired
    this.pending.delete(ep);
    this.idle.push(p.lane!);
    p.done(toEmbed(reply), now);
  }

  private noteDeadline(d: number): void {
    if (!(this.firstDeadline <= d)) {
      this.firstDeadline = d;
      this.rewake();
    }
  }

  /** Answer "unavailable" to every request past its deadline (forwarded ones: drop them). */
  private expire(now: number): void {
    let next = Number.NaN;
    const due: number[] = [];
    for (const [ep, p] of this.pending) {
      if (p.deadline <= now) due.push(ep);
      else if (!(next <= p.deadline)) next = p.deadline;
    }
    this.firstDeadline = next;
    for (const ep of due) {
      const p = this.pending.get(ep)!;
      this.pending.delete(ep);
      if (p.done === null) continue;
      // The lane may be reused: if the expired command is applied after the lane's next one,
      // the store finds it stale (a lower seq) and does not execute it; if before, it ran, which
      // "unavailable" (outcome unknown) allows.
      this.idle.push(p.lane!);
      p.done({ kind: "unavailable" }, now);
    }
  }

  private rewake(): void {
    let at = this.raftWake;
    if (this.firstDeadline === this.firstDeadline && !(at <= this.firstDeadline)) at = this.firstDeadline;
    if (at !== this.asked && !(at !== at && this.asked !== this.asked)) {
      this.asked = at;
      this.wake(at);
    }
  }

  private serverEnv(): NodeEnv<ServerMessage, ServerRecord, ServerReply> {
    const h = this.host;
    const g = this.o.group;
    const prefix = filePrefix(g);
    const noteBase = this.o.noteBase;
    return {
      id: h.id,
      rng: h.rng,
      send: (to, m) => this.send(to, m),
      persist: (records, sync) => {
        const tagged: GroupRecord[] = [];
        for (const r of records) tagged.push({ g, r });
        return h.persist(tagged, sync);
      },
      writeFile: (name, data) => h.writeFile(prefix + name, data),
      renameFile: (from, to) => h.renameFile(prefix + from, prefix + to),
      deleteFile: (name) => h.deleteFile(prefix + name),
      syncFile: () => h.syncFile(),
      rotateWal: () => h.rotateWal(),
      dropWalBefore: () => {
        throw new Error("embedded group: dropWalBefore without compaction");
      },
      // The server answers from inside its own calls; `now` is not passed to reply, so the
      // callbacks get the time of the call that produced the answer (kept in lastNow).
      reply: (ep, rep) => this.onReply(ep, rep, this.lastNow),
      wakeAt: (local) => {
        this.raftWake = local;
        this.rewake();
      },
      note: (code, a, b) => {
        if (noteBase !== undefined) h.note(noteBase + code, a, b);
      },
    };
  }

}

function toEmbed(r: ServerReply): EmbedReply {
  switch (r.kind) {
    case "ok": return { kind: "ok", result: r.result };
    case "not-leader": return { kind: "not-leader", leader: r.leaderHint };
    default: return { kind: "unavailable" };
  }
}
