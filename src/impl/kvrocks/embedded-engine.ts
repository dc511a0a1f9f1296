// The embedded engine (kvrocks-controller PR #183): an etcd-raft node among the controllers,
// here raftsim's Raft + metadata store hosted as an embedded group (src/impl/embed). Writes go
// through propose and the commit channel (the group's request, answered once applied). Reads
// are the seed's: straight from the local kv map — or, with the ReadIndex option, through a
// ReadIndex round on the leader (forwarded when this controller is not the leader). The leader
// is Raft's; its epoch the Raft term. confirm() runs a ReadIndex round: it succeeds only if
// this node led a quorum after the call was made, so leadership is certain from the call's
// time until a successor can have been elected: `leadershipUs` later at the earliest, given the
// successor waits that long before acting (controller.ts).
import { EmbeddedGroup, type GroupEnvelope } from "../embed/group.js";
import type { NodeEnv, Recovered } from "../node.js";
import type { MetaResult } from "../metadata/ops.js";
import type { ServerOptions } from "../metadata/server.js";
import type { EngineDone, StorageEngine } from "./engine.js";
import { RAFT_NOTE_BASE } from "./types.js";

const GROUP = 1;
/** A key no one writes: a linearizable read of it is a pure ReadIndex round. */
const PROBE_KEY = "/kvrocks/leader-check";

export class EmbeddedEngine implements StorageEngine {
  readonly kind = "embedded" as const;
  readonly group: EmbeddedGroup;
  private listeners: ((leading: boolean, epoch: number, now: number) => void)[] = [];
  private wasLeader = false;
  private lastEpoch = -1;
  private closed = false;

  constructor(
    id: number,
    server: ServerOptions,
    host: NodeEnv<any, any, any>,
    wake: (localUs: number) => void,
    recovered: Recovered<unknown> | null,
    now: number,
    private readonly readIndex: boolean,
    private readonly leadershipUs: number,
    requestUs: number,
  ) {
    this.group = new EmbeddedGroup(id, { group: GROUP, server, timeoutUs: requestUs, noteBase: RAFT_NOTE_BASE }, host, wake, recovered, now);
  }

  get(key: string, now: number, done: EngineDone): void {
    if (this.readIndex) return this.request({ f: "get", key }, now, done);
    // The seed: "Reading data (Get, Exists) directly queries the kv map".
    const r: MetaResult = this.group.server.store.get(key);
    done({ kind: "ok", result: r }, now);
  }

  exists(key: string, now: number, done: EngineDone): void {
    if (this.readIndex) return this.request({ f: "exists", key }, now, done);
    done({ kind: "ok", result: this.group.server.store.exists(key) }, now);
  }

  set(key: string, value: string, now: number, done: EngineDone): void {
    this.request({ f: "put", key, value }, now, done);
  }

  delete(key: string, now: number, done: EngineDone): void {
    this.request({ f: "delete", key }, now, done);
  }

  cas(key: string, expected: number | "absent", value: string, now: number, done: EngineDone): void {
    this.request({ f: "cas", key, expected, value }, now, done);
  }

  list(prefix: string, now: number, done: EngineDone): void {
    if (this.readIndex) return this.request({ f: "list", prefix }, now, done);
    done({ kind: "ok", result: this.group.server.store.list(prefix) }, now);
  }

  /** A read of the local map whatever the option (bug #10 reads this way). */
  localGet(key: string): Extract<MetaResult, { f: "get" }> {
    return this.group.server.store.get(key);
  }

  isLeader(): boolean {
    return !this.closed && this.group.isLeader();
  }

  epoch(): number {
    return this.isLeader() ? this.group.server.raft.term() : -1;
  }

  onLeaderChange(cb: (leading: boolean, epoch: number, now: number) => void): void {
    this.listeners.push(cb);
  }

  confirm(now: number, done: (until: number, now: number) => void): void {
    if (!this.isLeader()) return done(Number.NaN, now);
    const term = this.group.server.raft.term();
    const sent = now;
    this.group.request({ f: "get", key: PROBE_KEY }, now, (r, t) => {
      // Answered by our own ReadIndex only if we still lead the same term.
      const ok = r.kind === "ok" && this.isLeader() && this.group.server.raft.term() === term;
      done(ok ? sent + this.leadershipUs : Number.NaN, t);
    });
  }

  isReady(): boolean {
    return !this.closed && this.group.leader() >= 0;
  }

  close(): void {
    this.closed = true;
  }

  onMessage(from: number, msg: unknown, now: number): boolean {
    const m = msg as GroupEnvelope;
    if (m.type !== "grp" || m.g !== GROUP) return false;
    this.group.onMessage(from, m.m, now);
    this.checkLeader(now);
    return true;
  }

  onTick(now: number): void {
    this.group.onTick(now);
    this.checkLeader(now);
  }

  onPersisted(token: number, now: number): void {
    this.group.onPersisted(token, now);
    this.checkLeader(now);
  }

  private request(op: Parameters<EmbeddedGroup["request"]>[0], now: number, done: EngineDone): void {
    this.group.request(op, now, done);
  }

  /** Leader-change notifications (the seed's leaderChangeCh, from Raft's SoftState). */
  checkLeader(now: number): void {
    const leading = this.isLeader();
    const e = this.epoch();
    if (leading === this.wasLeader && e === this.lastEpoch) return;
    this.wasLeader = leading;
    this.lastEpoch = e;
    for (const cb of this.listeners) cb(leading, e, now);
  }
}
