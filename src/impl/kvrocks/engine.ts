// The controller's storage-engine interface, as the seed (kvrocks-controller PR #183) describes
// it: get and exists read; set and delete write (the embedded engine through Raft's propose and
// commit channel); list by prefix; leader-change notifications; isReady; close. Two engines
// implement it: embedded-engine.ts (a Raft group among the controllers) and external-engine.ts
// (a client of the etcd-like store node). Every call is asynchronous: `done` is called exactly
// once, with the store's result, "not-leader" (definitely not executed) or "unavailable"
// (outcome unknown).
import type { EmbedReply } from "../embed/group.js";
import type { MetaOp, Revision } from "../metadata/ops.js";

export type EngineReply = EmbedReply;
export type EngineDone = (r: EngineReply, now: number) => void;

export interface StorageEngine {
  readonly kind: "embedded" | "external";
  get(key: string, now: number, done: EngineDone): void;
  exists(key: string, now: number, done: EngineDone): void;
  set(key: string, value: string, now: number, done: EngineDone): void;
  delete(key: string, now: number, done: EngineDone): void;
  /** Compare-and-set on the key's revision (etcd Txn; the embedded store's cas). */
  cas(key: string, expected: Revision | "absent", value: string, now: number, done: EngineDone): void;
  list(prefix: string, now: number, done: EngineDone): void;
  /** Is this controller the leader, as the engine tells it now? */
  isLeader(): boolean;
  /** The leadership epoch (Raft term, or the leader key's revision); -1 when not leading. */
  epoch(): number;
  /** Called with (leading, epoch) whenever isLeader() or epoch() changes. */
  onLeaderChange(cb: (leading: boolean, epoch: number, now: number) => void): void;
  /** Confirm leadership with a quorum (ReadIndex round / live session). `done(until)`: leading
   * is certain until local monotonic time `until` (NaN: not confirmed). */
  confirm(now: number, done: (until: number, now: number) => void): void;
  isReady(): boolean;
  close(): void;
  /** The host's inputs (messages of the engine, ticks); false: not the engine's message. */
  onMessage(from: number, msg: unknown, now: number): boolean;
  onTick(now: number): void;
  onPersisted(token: number, now: number): void;
}

/** One MetaOp through an engine (the controller's history records these). */
export function runOp(e: StorageEngine, op: MetaOp, now: number, done: EngineDone): void {
  switch (op.f) {
    case "get": return e.get(op.key, now, done);
    case "exists": return e.exists(op.key, now, done);
    case "put": return e.set(op.key, op.value, now, done);
    case "delete": return e.delete(op.key, now, done);
    case "cas": return e.cas(op.key, op.expected, op.value, now, done);
    case "list": return e.list(op.prefix, now, done);
  }
}
