// Check (a) of the valkey system: the shard-log operations the Cores issue, as a history, and the
// model of the contract's revision CAS they are checked against (src/check/linearizability.ts).
//
// Recording: every node's module is wrapped (recordShardLog) so that each updateShardLog and
// readShardLogConsistent is an operation from its call to its answer, in virtual time: ok (with
// the new revisions / the entries read), conflict (a completed "false": the model must find a
// failing compare), unavailable (info: it may have taken effect, or not). Rejected updates
// ("definitely not applied") and unavailable reads are left out.
//
// The model (per shard: the P-compositional part is the shard, since one update may touch
// several keys) is the contract's promise, nothing of any module: a key's revision is opaque, so
// revisions are compared by payload equality; a CAS applies iff every op's expected revision
// equals its key's current one (null: the key is absent); every successful write gives its key a
// revision the key has never had before ("the revision changes on every write", so no stale
// compare can ever pass again: the ABA guard). An indeterminate write leaves a revision the
// checker does not know: it matches any expected revision the key never had before.
import type { Operation } from "../../../check/history.js";
import type { Model } from "../../../check/model.js";
import type { NodeId } from "../../../impl/node.js";
import type { ClusteringModule, ConsistentRead, MetadataOp, UpdateResult } from "../../../impl/valkey-contract/contract.js";
import { revisionPayload, type Revision } from "../../../impl/valkey-contract/contract.js";

export interface LogOpIn {
  readonly shard: string;
  readonly node: NodeId;
  readonly kind: "update" | "read";
  /** update: the ops (revisions as payload strings); read: the keys (value/exp unused). */
  readonly ops: readonly { readonly key: string; readonly value: string | null; readonly exp: string | null }[];
}

/** update ok: the new revisions; read ok: the entries; conflict: the failing op. */
export type LogOpOut =
  | { readonly revs: readonly (string | null)[] }
  | { readonly entries: readonly ({ readonly value: string; readonly rev: string } | null)[] }
  | { readonly failed: number };

export const revString = (r: Revision | null): string | null => (r === null ? null : JSON.stringify(revisionPayload(r)));

/** The recorder: one process per call (a node may have several shard-log calls in flight). */
export class ShardLogHistory {
  readonly ops: Operation<LogOpIn, LogOpOut>[] = [];
  private readonly open = new Map<number, { input: LogOpIn; call: number }>();
  private next = 0;

  invoke(input: LogOpIn, call: number): number {
    const h = this.next++;
    this.open.set(h, { input, call });
    return h;
  }

  close(h: number, status: "ok" | "fail" | "info", output: LogOpOut | undefined, ret: number): void {
    const o = this.open.get(h);
    if (o === undefined) return;
    this.open.delete(h);
    this.ops.push({ client: h, input: o.input, call: o.call, ret: status === "info" ? Infinity : ret, status, output });
  }

  /** Definitely not applied (rejected), or a read that failed: not part of the history. */
  drop(h: number): void {
    this.open.delete(h);
  }

  abandonAll(): void {
    for (const h of [...this.open.keys()]) this.close(h, "info", undefined, 0);
  }
}

/** Wrap a module so its shard-log operations are recorded (the Core sees the same answers). */
export function recordShardLog(m: ClusteringModule, node: NodeId, shard: string, h: ShardLogHistory, now: () => number): ClusteringModule {
  const wrapped: ClusteringModule = {
    onMessage: (f, msg, t) => m.onMessage(f, msg, t),
    onTick: (t) => m.onTick(t),
    onPersisted: (tok, t) => m.onPersisted(tok, t),
    joinCluster: (...a) => m.joinCluster(...a),
    removeFromCluster: (...a) => m.removeFromCluster(...a),
    joinShard: (...a) => m.joinShard(...a),
    removeFromShard: (...a) => m.removeFromShard(...a),
    updateGossip: (...a) => m.updateGossip(...a),
    readGossip: (s, k) => m.readGossip(s, k),
    readShardLog: (k) => m.readShardLog(k),
    updateShardLog(ops: readonly MetadataOp[], t: number, done: (r: UpdateResult, t: number) => void): void {
      const input: LogOpIn = { shard, node, kind: "update", ops: ops.map((o) => ({ key: o.key, value: o.value, exp: revString(o.expectedRevision) })) };
      const x = h.invoke(input, now());
      m.updateShardLog(ops, t, (r, t2) => {
        if (r.kind === "ok") h.close(x, "ok", { revs: r.revisions.map(revString) }, now());
        else if (r.kind === "conflict") h.close(x, "fail", { failed: r.failed }, now());
        else if (r.kind === "unavailable") h.close(x, "info", undefined, now());
        else h.drop(x);
        done(r, t2);
      });
    },
  };
  if (m.readShardLogConsistent !== undefined) {
    const read = m.readShardLogConsistent.bind(m);
    wrapped.readShardLogConsistent = (keys: readonly string[], t: number, done: (r: ConsistentRead, t: number) => void): void => {
      const input: LogOpIn = { shard, node, kind: "read", ops: keys.map((key) => ({ key, value: null, exp: null })) };
      const x = h.invoke(input, now());
      read(keys, t, (r, t2) => {
        if (r.kind === "ok") h.close(x, "ok", { entries: r.entries.map((e) => (e === null ? null : { value: e.value, rev: revString(e.revision)! })) }, now());
        else h.drop(x);
        done(r, t2);
      });
    };
  }
  return wrapped;
}

// ---- the model ----

/** State: per key its value and revision ("?" + n: unknown), and every revision it ever had. */
interface LogState {
  readonly kv: Readonly<Record<string, { readonly v: string; readonly r: string }>>;
  readonly used: Readonly<Record<string, readonly string[]>>;
  readonly unknown: number;
}

type Cmp = "yes" | "no" | "maybe";

function compare(s: LogState, key: string, exp: string | null): Cmp {
  const cur = s.kv[key];
  if (exp === null) return cur === undefined ? "yes" : "no";
  if (cur === undefined) return "no";
  if (cur.r.startsWith("?")) return (s.used[key] ?? []).includes(exp) ? "no" : "maybe";
  return cur.r === exp ? "yes" : "no";
}

function apply(s: LogState, ops: LogOpIn["ops"], revs: readonly (string | null)[] | null): LogState | undefined {
  const kv = { ...s.kv };
  const used = { ...s.used };
  let unknown = s.unknown;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.value === null) {
      delete kv[op.key];
      continue;
    }
    const r = revs === null ? `?${++unknown}` : revs[i];
    if (r === null || r === undefined) return undefined;
    const had = used[op.key] ?? [];
    // The contract: a write's revision is one its key never had.
    if (revs !== null && (had.includes(r) || s.kv[op.key]?.r === r)) return undefined;
    kv[op.key] = { v: op.value, r };
    used[op.key] = revs === null ? had : [...had, r];
  }
  return { kv, used, unknown };
}

export const shardLogModel: Model<LogState, LogOpIn, LogOpOut> = {
  name: "valkey-shard-log",
  failMeans: "completed",
  init: () => ({ kv: {}, used: {}, unknown: 0 }),
  step(s, input, output, status) {
    if (input.kind === "read") {
      if (status !== "ok" || output === undefined || !("entries" in output)) return status === "info" ? undefined : s;
      for (let i = 0; i < input.ops.length; i++) {
        const e = output.entries[i] ?? null;
        const cur = s.kv[input.ops[i]!.key];
        if (e === null ? cur !== undefined : cur === undefined || cur.v !== e.value || (cur.r.startsWith("?") ? (s.used[input.ops[i]!.key] ?? []).includes(e.rev) : cur.r !== e.rev)) return undefined;
      }
      return s;
    }
    const cmps = input.ops.map((o) => compare(s, o.key, o.exp));
    if (status === "fail") return cmps.some((c) => c !== "yes") ? s : undefined;
    if (cmps.some((c) => c === "no")) return undefined;
    if (status === "info") return apply(s, input.ops, null);
    if (output === undefined || !("revs" in output)) return undefined;
    return apply(s, input.ops, output.revs);
  },
  equal: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  hash(s) {
    const str = JSON.stringify(s);
    let h = 0x811c9dc5;
    for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 0x01000193);
    return h >>> 0;
  },
  partition: (i) => i.shard,
  readOnly: (i) => i.kind === "read",
  describeOp(i, o, st) {
    const ops = i.ops.map((x) => (i.kind === "read" ? x.key : `${x.key}:=${x.value ?? "(delete)"} if ${x.exp ?? "absent"}`)).join(", ");
    return `node ${i.node} ${i.kind} [${ops}] -> ${st}${o === undefined ? "" : ` ${JSON.stringify(o)}`}`;
  },
  describeState: (s) => JSON.stringify(s.kv),
};

export type LogOperation = Operation<LogOpIn, LogOpOut>;
