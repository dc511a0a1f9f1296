// Client sessions for at-most-once execution of retried commands (Raft dissertation §6.3).
//
// Per session (client id) the table keeps the highest applied seq and its result. Because a
// client has at most one outstanding command, the last result is all that must be cached:
// - seq >  last: a new command; execute it and record (seq, result).
// - seq === last: a retry of the command just applied; answer the cached result, don't execute.
// - seq <  last: a stale duplicate of an older command; don't execute (StaleResult).
//
// The table is replicated state: it is part of the store's snapshot, so every replica makes the
// same dedup decisions. Session expiry (and therefore a bound on the table's size) is out of
// scope: sessions live forever, which is fine for simulations with a bounded set of clients.
import type { MetaResult } from "./ops.js";

export interface SessionEntry {
  readonly client: number;
  /** Highest seq applied for this client. */
  readonly seq: number;
  /** Result of that command. Results are immutable, so sharing them is safe. */
  readonly result: MetaResult;
}

interface MutableSession {
  seq: number;
  result: MetaResult;
}

export class SessionTable {
  private readonly sessions = new Map<number, MutableSession>();

  /** Last applied seq for the client, or 0 when the client has no session. */
  lastSeq(client: number): number {
    const s = this.sessions.get(client);
    return s === undefined ? 0 : s.seq;
  }

  /** The cached result when seq is exactly the last applied seq for the client. */
  cached(client: number, seq: number): MetaResult | undefined {
    const s = this.sessions.get(client);
    return s !== undefined && s.seq === seq ? s.result : undefined;
  }

  /** Record that (client, seq) was executed with this result. seq must exceed the last one. */
  record(client: number, seq: number, result: MetaResult): void {
    const s = this.sessions.get(client);
    if (s === undefined) {
      this.sessions.set(client, { seq, result });
      return;
    }
    if (seq <= s.seq) {
      throw new Error(`metadata invariant: session ${client} seq ${seq} recorded after ${s.seq}`);
    }
    s.seq = seq;
    s.result = result;
  }

  size(): number {
    return this.sessions.size;
  }

  /** An immutable copy, ordered by client id (deterministic, independent of insertion order). */
  entries(): readonly SessionEntry[] {
    const out: SessionEntry[] = [];
    for (const [client, s] of this.sessions) out.push({ client, seq: s.seq, result: s.result });
    out.sort((a, b) => a.client - b.client);
    return out;
  }

  static fromEntries(entries: readonly SessionEntry[]): SessionTable {
    const t = new SessionTable();
    for (const e of entries) {
      if (t.sessions.has(e.client)) throw new Error(`metadata invariant: duplicate session ${e.client} in snapshot`);
      t.sessions.set(e.client, { seq: e.seq, result: e.result });
    }
    return t;
  }
}
