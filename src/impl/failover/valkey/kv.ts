// The data plane of one Valkey node: a tiny key-value store (APPEND and GET) with asynchronous
// replication. A primary applies a write, acknowledges it at once and streams it to its
// replicas with its replication offset; a replica applies the stream in offset order and asks
// for a full sync (psync, answered by a snapshot) when it has a gap or a new primary. The AOF
// is written without fsync (appendfsync everysec): a crash may lose its tail.
import type { DataRecord } from "./types.js";

export class ReplicatedKv {
  readonly data = new Map<string, string>();
  /** Replication offset: writes applied (a primary's master_repl_offset). */
  offset = 0;
  /** Out-of-order stream entries by their `from` offset (the sim's network reorders). */
  private readonly stash = new Map<number, { key: string; token: string }>();

  /** Rebuild from the AOF records (recovered in order). */
  static recover(records: readonly DataRecord[]): ReplicatedKv {
    const kv = new ReplicatedKv();
    for (const r of records) {
      if (r.t === "w") {
        kv.data.set(r.key, (kv.data.get(r.key) ?? "") + r.token);
        kv.offset = r.offset;
      } else {
        kv.data.clear();
        for (const [k, v] of r.data) kv.data.set(k, v);
        kv.offset = r.offset;
      }
    }
    return kv;
  }

  get(key: string): string {
    return this.data.get(key) ?? "";
  }

  /** Apply one write at the next offset; returns the AOF record. */
  apply(key: string, token: string): DataRecord {
    this.data.set(key, this.get(key) + token);
    this.offset++;
    return { t: "w", key, token, offset: this.offset };
  }

  /** A stream entry from the primary that follows offset `from`. Returns the records applied
   * (in order) and whether there is a gap left (entries stashed, waiting for a missing one). */
  receive(from: number, key: string, token: string): { applied: DataRecord[]; gap: boolean } {
    const applied: DataRecord[] = [];
    if (from < this.offset) return { applied, gap: this.stash.size > 0 }; // a duplicate
    if (from > this.offset) {
      this.stash.set(from, { key, token });
      return { applied, gap: true };
    }
    applied.push(this.apply(key, token));
    for (let next = this.stash.get(this.offset); next !== undefined; next = this.stash.get(this.offset)) {
      this.stash.delete(this.offset);
      applied.push(this.apply(next.key, next.token));
    }
    for (const k of [...this.stash.keys()]) if (k < this.offset) this.stash.delete(k);
    return { applied, gap: this.stash.size > 0 };
  }

  /** Replace everything with a primary's snapshot (full sync). */
  load(offset: number, data: readonly (readonly [string, string])[]): DataRecord {
    this.data.clear();
    for (const [k, v] of data) this.data.set(k, v);
    this.offset = offset;
    this.stash.clear();
    return { t: "snap", offset, data };
  }

  snapshot(): (readonly [string, string])[] {
    return [...this.data.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  get stashed(): number {
    return this.stash.size;
  }
}
