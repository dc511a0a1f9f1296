// gossip-module's shard log as each member holds it: the committed writes ("txns") it knows, and
// the key -> entry state they produce. There is no log order here — that is what makes the module
// "less correct" than a Raft log. Every txn carries a stamp (epoch, writer): the writer took the
// epoch as max seen + 1 (Valkey's configEpoch bump), so along one key's CAS chain stamps strictly
// increase, and a member can apply txns in any arrival order:
// - an op whose key already holds a newer stamp is superseded: skipped;
// - an op whose base (its expected revision) is newer than the key's local stamp is missing its
//   predecessor: the whole txn is deferred until the predecessor arrives (so a Core never sees a
//   txn applied on top of a state it was not written against, and a txn is applied whole);
// - otherwise the op applies. Two committed writes on one base (possible only when the protocol's
//   locks were outrun: writes.ts) collide; the higher (epoch, node id) wins on every member,
//   whatever the arrival order — the legacy bus's epoch collision rule, made deterministic.
// Deletes are tombstones (value null) so that they take part in the ordering.
// Each writer numbers its commits 1, 2, 3 ... (cs): a member's knowledge is a vector of the highest
// contiguous number per writer, which is what anti-entropy exchanges (missing()).
import type { NodeId } from "../../node.js";

/** An epoch stamp: a write's identity and its place in its key's order. */
export interface Stamp {
  readonly e: number;
  readonly n: NodeId;
}

export interface TxnWrite {
  readonly key: string;
  /** null: delete. */
  readonly value: string | null;
  /** The expected revision's stamp; null: insert (the key must be absent). */
  readonly base: Stamp | null;
  /** The key's stamp in the writer's state when it proposed (a tombstone's too; null: never
   * written there): a member with an older one is behind the writer and must not vote conflict. */
  readonly seen: Stamp | null;
}

/** A shard-log write as proposed; once committed its writer gives it a commit number `cs`. */
export interface Txn {
  readonly id: string;
  readonly e: number;
  readonly n: NodeId;
  readonly writes: readonly TxnWrite[];
  /** The writer's commit number (0: not committed). */
  readonly cs: number;
}

export interface LogEntry {
  readonly value: string | null;
  readonly e: number;
  readonly n: NodeId;
}

/** A change to tell the Core about (value null: deleted). */
export interface LogChange {
  readonly key: string;
  readonly value: string | null;
  readonly stamp: Stamp;
}

/** >0: a after b; 0: same; <0: a before b. (epoch, node id), lexicographically. */
export function cmpStamp(a: Stamp, b: Stamp): number {
  return a.e !== b.e ? a.e - b.e : a.n - b.n;
}

export class EpochLog {
  private readonly entries = new Map<string, LogEntry>();
  private readonly byId = new Map<string, Txn>();
  /** writer -> cs -> txn, and the highest contiguous cs per writer. */
  private readonly byWriter = new Map<NodeId, Map<number, Txn>>();
  private readonly contiguous = new Map<NodeId, number>();
  private readonly topCs = new Map<NodeId, number>();
  /** Committed txns whose predecessors have not arrived yet, oldest first. */
  private deferred: Txn[] = [];
  /** The highest epoch seen anywhere (commits; the module adds proposals). */
  maxEpoch = 0;

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** A key's live entry (null: absent or deleted). */
  get(key: string): LogEntry | null {
    const e = this.entries.get(key);
    return e === undefined || e.value === null ? null : e;
  }

  /** Every live key, sorted (for replaying the state to a fresh Core). */
  live(): { key: string; entry: LogEntry }[] {
    const out: { key: string; entry: LogEntry }[] = [];
    for (const [key, entry] of this.entries) if (entry.value !== null) out.push({ key, entry });
    return out.sort((a, b) => cmpStamp(a.entry, b.entry) || (a.key < b.key ? -1 : 1));
  }

  deferredCount(): number {
    return this.deferred.length;
  }

  /**
   * The compare of an update against this member's state: null if every op's base is the key's
   * current live stamp (null base: the key is absent); else the first failing op and the key's
   * current stamp. A base of "bad" (a foreign or malformed revision) never matches.
   */
  compare(writes: readonly { readonly key: string; readonly base: Stamp | null | "bad" }[]): { failed: number; current: Stamp | null } | null {
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      const live = this.get(w.key);
      const ok = w.base === null ? live === null : w.base !== "bad" && live !== null && cmpStamp(live, w.base) === 0;
      if (!ok) return { failed: i, current: live === null ? null : { e: live.e, n: live.n } };
    }
    return null;
  }

  /** Is this member behind some op's base: the key's stamp here (deleted or not) older than the
   * expected revision? Then a compare here would fail only for want of a write it has not received. */
  behind(writes: readonly { readonly key: string; readonly base: Stamp | null | "bad"; readonly seen?: Stamp | null }[]): boolean {
    return writes.some((w) => {
      const cur = this.entries.get(w.key);
      const older = (s: Stamp): boolean => cur === undefined || cmpStamp(cur, s) < 0;
      return (w.base !== null && w.base !== "bad" && older(w.base)) || (w.seen !== undefined && w.seen !== null && older(w.seen));
    });
  }

  /** A key's stamp here, a tombstone's too (null: never written here). */
  stampOf(key: string): Stamp | null {
    const e = this.entries.get(key);
    return e === undefined ? null : { e: e.e, n: e.n };
  }

  /**
   * Record a committed txn and apply what can be applied: it, then any deferred txn it unblocks.
   * Returns the changes applied, in application order, grouped per txn (one group = one atomic
   * notification to the Core).
   */
  commit(t: Txn): LogChange[][] {
    if (this.byId.has(t.id)) return [];
    if (t.cs <= 0) throw new Error(`epoch-log: txn ${t.id} committed without a commit number`);
    this.byId.set(t.id, t);
    let w = this.byWriter.get(t.n);
    if (w === undefined) this.byWriter.set(t.n, (w = new Map()));
    w.set(t.cs, t);
    if (t.cs > (this.topCs.get(t.n) ?? 0)) this.topCs.set(t.n, t.cs);
    let c = this.contiguous.get(t.n) ?? 0;
    while (w.has(c + 1)) c++;
    this.contiguous.set(t.n, c);
    if (t.e > this.maxEpoch) this.maxEpoch = t.e;
    const groups: LogChange[][] = [];
    const g = this.tryApply(t);
    if (g === null) {
      this.deferred.push(t);
      return groups;
    }
    if (g.length > 0) groups.push(g);
    // Each application may unblock deferred txns; loop until none applies.
    for (let progress = true; progress && this.deferred.length > 0; ) {
      progress = false;
      const still: Txn[] = [];
      for (const d of this.deferred) {
        const dg = this.tryApply(d);
        if (dg === null) still.push(d);
        else {
          progress = true;
          if (dg.length > 0) groups.push(dg);
        }
      }
      this.deferred = still;
    }
    return groups;
  }

  /** This member's knowledge: writer -> highest contiguous commit number. */
  vector(): [NodeId, number][] {
    return [...this.contiguous].sort((a, b) => a[0] - b[0]);
  }

  /** The committed txns a member with knowledge `v` lacks (by commit number, per writer). Runs
   * on every PING from a shard peer: it walks only the numbers above the peer's, not the log. */
  missing(v: readonly (readonly [NodeId, number])[]): Txn[] {
    const known = new Map(v);
    const out: Txn[] = [];
    for (const writer of [...this.byWriter.keys()].sort((a, b) => a - b)) {
      const txns = this.byWriter.get(writer)!;
      const top = this.topCs.get(writer)!;
      for (let cs = (known.get(writer) ?? 0) + 1; cs <= top; cs++) {
        const t = txns.get(cs);
        if (t !== undefined) out.push(t);
      }
    }
    return out;
  }

  /** The changes `t` makes here (possibly none: all superseded), or null: a predecessor is missing. */
  private tryApply(t: Txn): LogChange[] | null {
    const stamp: Stamp = { e: t.e, n: t.n };
    const apply: TxnWrite[] = [];
    for (const w of t.writes) {
      const cur = this.entries.get(w.key);
      if (cur !== undefined && cmpStamp(cur, stamp) >= 0) continue; // superseded (or applied)
      // A write against a base this member has not seen yet waits for it. An insert needs no
      // predecessor: whatever older entry is here, the writer saw the key absent or deleted.
      if (w.base !== null && (cur === undefined || cmpStamp(cur, w.base) < 0)) return null;
      apply.push(w);
    }
    const changes: LogChange[] = [];
    for (const w of apply) {
      this.entries.set(w.key, { value: w.value, e: t.e, n: t.n });
      changes.push({ key: w.key, value: w.value, stamp });
    }
    return changes;
  }
}
