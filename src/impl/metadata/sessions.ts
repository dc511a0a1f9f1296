// Client sessions for at-most-once execution of retried commands (Raft dissertation §6.3).
//
// Per session (client id) the table keeps the highest applied seq and its result. Because a
// client has at most one outstanding command, the last result is all that must be cached:
// - seq >  last: a new command; execute it and record (seq, result).
// - seq === last: a retry of the command just applied; answer the cached result, don't execute.
// - seq <  last: a stale duplicate of an older command; don't execute (StaleResult).
//
// The table is replicated state: it is part of the store's snapshot, so every replica makes the
// same dedup decisions. Without expiry sessions live forever. With expiry (the store's
// sessionTtl, §6.3: deterministic, from the log alone) a session with no command in the last
// sessionTtl log entries expires; it stays as a tombstone so that no command of it — a retry,
// or a delayed duplicate of an old command — can ever open it again: each session has a start
// seq, a new one must start above every seq of the old, and a command of an expired session is
// refused (ExpiredResult) without being executed.
import type { StoreResult } from "./ops.js";

export interface SessionEntry {
  readonly client: number;
  /** Highest seq applied for this client. */
  readonly seq: number;
  /** Result of that command. Results are immutable, so sharing them is safe. */
  readonly result: StoreResult;
  /** With expiry: the seq the session began at, the log index of its last command, and whether
   * it has expired (a tombstone). Absent without expiry. */
  readonly start?: number;
  readonly lastIndex?: number;
  readonly expired?: boolean;
}

interface MutableSession {
  seq: number;
  result: StoreResult;
  start: number;
  lastIndex: number;
  expired: boolean;
}

/** What expiry knows of a client's session (undefined: none was ever opened). */
export interface SessionState {
  readonly seq: number;
  readonly start: number;
  readonly expired: boolean;
}

export class SessionTable {
  private readonly sessions = new Map<number, MutableSession>();

  /** Last applied seq for the client, or 0 when the client has no session. */
  lastSeq(client: number): number {
    const s = this.sessions.get(client);
    return s === undefined ? 0 : s.seq;
  }

  /** The cached result when seq is exactly the last applied seq for the client. */
  cached(client: number, seq: number): StoreResult | undefined {
    const s = this.sessions.get(client);
    return s !== undefined && s.seq === seq && !s.expired ? s.result : undefined;
  }

  /** Record that (client, seq) was executed with this result. seq must exceed the last one. */
  record(client: number, seq: number, result: StoreResult, index = 0): void {
    const s = this.sessions.get(client);
    if (s === undefined) {
      this.sessions.set(client, { seq, result, start: 1, lastIndex: index, expired: false });
      return;
    }
    if (seq <= s.seq) {
      throw new Error(`metadata invariant: session ${client} seq ${seq} recorded after ${s.seq}`);
    }
    s.seq = seq;
    s.result = result;
    s.lastIndex = index;
  }

  // --- expiry ---

  state(client: number): SessionState | undefined {
    return this.sessions.get(client);
  }

  /** Open a new session for the client that began at seq `start`, with its first command in
   * the log (seq >= start, executed at `index`), replacing an expired or older one. */
  open(client: number, start: number, seq: number, result: StoreResult, index: number): void {
    const s = this.sessions.get(client);
    if (s !== undefined && start <= s.seq) throw new Error(`metadata invariant: session ${client} reopened at ${start} after seq ${s.seq}`);
    if (seq < start) throw new Error(`metadata invariant: session ${client} opened by seq ${seq} below its start ${start}`);
    this.sessions.set(client, { seq, result, start, lastIndex: index, expired: false });
  }

  /** Expire every live session whose last command is below log index `minIndex`. */
  expireBefore(minIndex: number): void {
    for (const s of this.sessions.values()) if (!s.expired && s.lastIndex < minIndex) s.expired = true;
  }

  // Stryker disable all: no caller in the system (tests only)
  size(): number {
    return this.sessions.size;
  }
  // Stryker restore all

  /** An immutable copy, ordered by client id (deterministic, independent of insertion order). */
  entries(): readonly SessionEntry[] {
    const out: SessionEntry[] = [];
    for (const [client, s] of this.sessions) {
      // Expiry's fields only once a session has them (a table without expiry stays as it was).
      if (s.start === 1 && s.lastIndex === 0 && !s.expired) out.push({ client, seq: s.seq, result: s.result });
      else out.push({ client, seq: s.seq, result: s.result, start: s.start, lastIndex: s.lastIndex, expired: s.expired });
    }
    out.sort((a, b) => a.client - b.client);
    return out;
  }

  static fromEntries(entries: readonly SessionEntry[]): SessionTable {
    const t = new SessionTable();
    for (const e of entries) {
      if (t.sessions.has(e.client)) throw new Error(`metadata invariant: duplicate session ${e.client} in snapshot`);
      t.sessions.set(e.client, { seq: e.seq, result: e.result, start: e.start ?? 1, lastIndex: e.lastIndex ?? 0, expired: e.expired ?? false });
    }
    return t;
  }
}
