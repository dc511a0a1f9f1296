// The replicated metadata store: the deterministic state machine Raft applies committed entries
// to (the Kvrocks controller's embedded storage; the Valkey RFC's metadata with an expected
// revision). Semantics follow ops.ts exactly; the choices ops.ts leaves open are:
//
// - revision of a delete result = the index of the delete entry, whether or not the key
//   existed (deleted:false). It is always > every revision the key ever had, so a checker can
//   treat it as "some index after the previous write" and need not predict it exactly.
// - Reads applied through the log (get/exists/list) go through sessions like writes do; they
//   change nothing but appliedIndex.
// - Sessions (sessions.ts): a command whose seq equals the session's last applied seq returns
//   the cached result without executing; a lower seq returns a StaleResult (commands.ts) and
//   executes nothing. With { dedupSessions: false } (planted bug "no-session-dedup") every
//   command is executed, so a retried write is applied twice.
// - list(prefix) is ordered by key in UTF-16 code-unit order (`<`), never localeCompare, so
//   the order does not depend on the host's locale.
// - Entries without a command (the leader's no-op, config changes) should be reported with
//   advance(index) so appliedIndex() matches Raft's applied index (ReadIndex waits on it).
import { FNV_OFFSET, fnv1a, fnvStep } from "../../util/hash.js";
import type { ApplyResult, ExpiredResult, MetaCommand, StaleResult } from "./commands.js";
import type { MetaEntry, MetaOp, MetaResult, Revision, StoreOp, StoreResult, TxnOp, TxnResult } from "./ops.js";
import { SessionTable, type SessionEntry } from "./sessions.js";

export interface StoreOptions {
  /** Default true. false = planted bug "no-session-dedup". */
  readonly dedupSessions?: boolean;
  /** Default true. false: the store's own apply-time assertions are off (`--sut-asserts off`). */
  readonly asserts?: boolean;
  /** Session expiry (sessions.ts): a session with no command in the last sessionTtl log entries
   * expires. Undefined or 0: sessions never expire. */
  readonly sessionTtl?: number;
}

/** A plain, immutable copy of the store's state, for log compaction and InstallSnapshot. */
export interface StoreSnapshot {
  readonly appliedIndex: number;
  /** Ordered by key (code-unit order). */
  readonly entries: readonly MetaEntry[];
  /** Ordered by client id. */
  readonly sessions: readonly SessionEntry[];
}

type GetResult = Extract<MetaResult, { f: "get" }>;
type ExistsResult = Extract<MetaResult, { f: "exists" }>;
type ListResult = Extract<MetaResult, { f: "list" }>;

const NOT_FOUND: GetResult = Object.freeze({ f: "get", found: false } as const);
const EXISTS_TRUE: ExistsResult = Object.freeze({ f: "exists", exists: true } as const);
const EXISTS_FALSE: ExistsResult = Object.freeze({ f: "exists", exists: false } as const);

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class MetadataStore {
  private readonly kv: Map<string, MetaEntry>;
  private sessions: SessionTable;
  private applied: number;
  readonly dedupSessions: boolean;
  private readonly asserts: boolean;
  private readonly sessionTtl: number;

  constructor(opts: StoreOptions = {}) {
    this.kv = new Map();
    this.sessions = new SessionTable();
    this.applied = 0;
    // Stryker disable next-line all: the only caller (server.ts) always passes dedupSessions (false for the planted bug only), so the default is never read
    this.dedupSessions = opts.dedupSessions ?? true;
    // Stryker disable next-line all: whether the store's own assertions run; the sweep switches them off, and a mutant that switches them on changes nothing, since in a correct run they never fire
    this.asserts = opts.asserts !== false;
    this.sessionTtl = opts.sessionTtl ?? 0;
  }

  /** Index of the last applied (or advanced-over) log entry; 0 initially. */
  appliedIndex(): number {
    return this.applied;
  }

  // Stryker disable all: no caller in the system; only the harness's inspect tool shows it, and nothing judges that
  /** Number of present keys. */
  size(): number {
    return this.kv.size;
  }
  // Stryker restore all

  /** Apply the committed command at `index`. Indices must strictly increase (gaps allowed:
   * entries without a command need not be reported, though advance() is preferred). */
  apply(index: number, cmd: MetaCommand<StoreOp>): ApplyResult {
    this.checkIndex(index);
    this.applied = index;
    if (this.dedupSessions && this.sessionTtl > 0) return this.applyExpiring(index, cmd);
    if (this.dedupSessions) {
      const last = this.sessions.lastSeq(cmd.client);
      if (cmd.seq <= last) {
        const cached = this.sessions.cached(cmd.client, cmd.seq);
        if (cached !== undefined) return cached;
        const stale: StaleResult = { f: "stale", client: cmd.client, seq: cmd.seq, lastSeq: last };
        return stale;
      }
      const result = this.execute(index, cmd.op);
      this.sessions.record(cmd.client, cmd.seq, result);
      return result;
    }
    return this.execute(index, cmd.op);
  }

  /** apply() with session expiry (sessions.ts). */
  private applyExpiring(index: number, cmd: MetaCommand<StoreOp>): ApplyResult {
    this.sessions.expireBefore(index - this.sessionTtl);
    const s = this.sessions.state(cmd.client);
    const start = cmd.start ?? 1;
    if (s === undefined || s.expired || start > s.start) {
      // A new session: it starts above every seq of the one before (reads, served without the
      // log, use seqs too, so its first command in the log may be above its start).
      if (cmd.seq < start || (s !== undefined && start <= s.seq)) {
        const expired: ExpiredResult = { f: "expired", client: cmd.client, seq: cmd.seq };
        return expired;
      }
      const result = this.execute(index, cmd.op);
      this.sessions.open(cmd.client, start, cmd.seq, result, index);
      return result;
    }
    if (start < s.start || cmd.seq < s.seq) {
      const stale: StaleResult = { f: "stale", client: cmd.client, seq: cmd.seq, lastSeq: s.seq };
      return stale;
    }
    if (cmd.seq === s.seq) return this.sessions.cached(cmd.client, cmd.seq)!;
    const result = this.execute(index, cmd.op);
    this.sessions.record(cmd.client, cmd.seq, result, index);
    return result;
  }

  /** Move appliedIndex over an entry that carries no command (no-op, conf change). */
  advance(index: number): void {
    this.checkIndex(index);
    this.applied = index;
  }

  get(key: string): GetResult {
    const e = this.kv.get(key);
    if (e === undefined) return NOT_FOUND;
    return { f: "get", found: true, value: e.value, revision: e.revision, version: e.version };
  }

  exists(key: string): ExistsResult {
    return this.kv.has(key) ? EXISTS_TRUE : EXISTS_FALSE;
  }

  /** Present entries whose key starts with prefix, ordered by key. */
  list(prefix: string): ListResult {
    const items: MetaEntry[] = [];
    for (const e of this.kv.values()) if (e.key.startsWith(prefix)) items.push(e);
    items.sort((a, b) => compareKeys(a.key, b.key));
    return { f: "list", items };
  }

  /** Serve a read op from the local map (ReadIndex path). Throws for writes. */
  read(op: StoreOp): MetaResult {
    switch (op.f) {
      case "get":
        return this.get(op.key);
      case "exists":
        return this.exists(op.key);
      case "list":
        return this.list(op.prefix);
      // Stryker disable all: the server calls read() only for read ops (isReadOp), so this guard is never reached
      default:
        throw new Error(`metadata invariant: read() called with write op ${op.f}`);
      // Stryker restore all
    }
  }

  // Stryker disable all: no caller in the system (tests only)
  /** The session's last applied seq (0 when none). For servers and tests. */
  sessionSeq(client: number): number {
    return this.sessions.lastSeq(client);
  }
  // Stryker restore all

  snapshot(): StoreSnapshot {
    const entries = Array.from(this.kv.values());
    entries.sort((a, b) => compareKeys(a.key, b.key));
    return Object.freeze({
      appliedIndex: this.applied,
      entries: Object.freeze(entries),
      sessions: Object.freeze(this.sessions.entries()),
    });
  }

  static fromSnapshot(s: StoreSnapshot, opts: StoreOptions = {}): MetadataStore {
    const store = new MetadataStore(opts);
    let prev: string | undefined;
    for (const e of s.entries) {
      if (prev !== undefined && compareKeys(prev, e.key) >= 0) {
        throw new Error(`metadata invariant: snapshot keys not strictly ordered at "${e.key}"`);
      }
      prev = e.key;
      if (e.revision < 1 || e.revision > s.appliedIndex || e.version < 1) {
        throw new Error(`metadata invariant: snapshot entry ${e.key} rev ${e.revision} ver ${e.version} at applied ${s.appliedIndex}`);
      }
      store.kv.set(e.key, e);
    }
    store.sessions = SessionTable.fromEntries(s.sessions);
    store.applied = s.appliedIndex;
    return store;
  }

  // Stryker disable all: no caller in the system (tests and tools only): a mutant here changes no run, so no harness check can judge it
  /** Full O(n) invariant check, for tests and online checkers. */
  checkInvariants(): void {
    for (const [key, e] of this.kv) {
      if (e.key !== key) throw new Error(`metadata invariant: entry under ${key} names ${e.key}`);
      if (e.version < 1) throw new Error(`metadata invariant: present key ${key} has version ${e.version}`);
      if (e.revision < 1 || e.revision > this.applied) {
        throw new Error(`metadata invariant: key ${key} revision ${e.revision} outside [1, ${this.applied}]`);
      }
    }
  }
  // Stryker restore all

  // Stryker disable all: called only by the harness (raft-metadata's state-check.ts), never by the system: a mutant here weakens the judge, not the judged, and cannot make a correct system fail (as ops.ts, which the stryker config leaves unmutated for the same reason)
  /** 32-bit FNV-1a over keys, values, revisions, versions and sessions, in a canonical order.
   * Equal states give equal hashes; for state-machine-safety checks across replicas. O(n log n). */
  stateHash(): number {
    let h = FNV_OFFSET;
    const mixNum = (n: number): void => {
      h = fnvStep(h, n & 0xffff);
      h = fnvStep(h, (n / 0x10000) & 0xffff);
    };
    const mixStr = (s: string): void => {
      h = fnv1a(s, h);
      mixNum(s.length);
    };
    const snap = this.snapshot();
    mixNum(snap.appliedIndex);
    for (const e of snap.entries) {
      mixStr(e.key);
      mixStr(e.value);
      mixNum(e.revision);
      mixNum(e.version);
    }
    for (const s of snap.sessions) {
      mixNum(s.client);
      mixNum(s.seq);
    }
    return h >>> 0;
  }
  // Stryker restore all

  // --- internals ---

  private checkIndex(index: number): void {
    // Stryker disable next-line EqualityOperator,LogicalOperator,BooleanLiteral,BlockStatement: the store's own assertion, gated by this.asserts, which the mutation sweep switches off (sutAsserts: false, so only the harness judges): a mutant inside the condition is never evaluated, one that evaluates it anyway (||) finds it false, since the asserted property holds, and an empty block throws nothing either way (ConditionalExpression stays: the whole test `true` throws on every call, which the sweep sees)
    if (this.asserts && (!Number.isSafeInteger(index) || index <= this.applied)) {
      throw new Error(`metadata invariant: apply index ${index} not above applied index ${this.applied}`);
    }
  }

  private execute(index: number, op: StoreOp): StoreResult {
    switch (op.f) {
      case "txn":
        return this.txn(index, op);
      // Stryker disable all: reads are never applied through the log — the server serves them by ReadIndex, lease or follower read and proposes only writes (server.ts onClient, isReadOp) — so these labels are never matched
      case "get":
      case "exists":
      case "list":
        return this.read(op);
      // Stryker restore all
      case "put":
        return { f: "put", revision: this.write(index, op.key, op.value) };
      case "delete": {
        const deleted = this.kv.delete(op.key);
        return { f: "delete", deleted, revision: index };
      }
      case "cas": {
        const cur = this.kv.get(op.key);
        const matches = cur === undefined ? op.expected === "absent" : op.expected === cur.revision;
        if (!matches) return { f: "cas", ok: false, currentRevision: cur === undefined ? 0 : cur.revision };
        return { f: "cas", ok: true, revision: this.write(index, op.key, op.value) };
      }
    }
  }

  /** All compares, then all writes at `index` (ops.ts: TxnOp). */
  private txn(index: number, op: TxnOp): TxnResult {
    const seen = new Set<string>();
    for (let i = 0; i < op.ops.length; i++) {
      const w = op.ops[i]!;
      if (seen.has(w.key)) return { f: "txn", ok: false, failed: i, currentRevision: -1 };
      seen.add(w.key);
      const cur = this.kv.get(w.key);
      const matches = cur === undefined ? w.expected === "absent" : w.expected === cur.revision;
      if (!matches) return { f: "txn", ok: false, failed: i, currentRevision: cur === undefined ? 0 : cur.revision };
    }
    for (const w of op.ops) {
      if (w.value === null) this.kv.delete(w.key);
      else this.write(index, w.key, w.value);
    }
    return { f: "txn", ok: true, revision: index };
  }

  private write(index: number, key: string, value: string): Revision {
    const prev = this.kv.get(key);
    const version = prev === undefined ? 1 : prev.version + 1;
    // Stryker disable next-line EqualityOperator,LogicalOperator,BooleanLiteral,BlockStatement: the store's own assertion, gated by this.asserts, which the mutation sweep switches off (sutAsserts: false, so only the harness judges): a mutant inside the condition is never evaluated, one that evaluates it anyway (||) finds it false, since the asserted property holds, and an empty block throws nothing either way (ConditionalExpression stays: the whole test `true` throws on every call, which the sweep sees)
    if (this.asserts && prev !== undefined && prev.revision >= index) {
      throw new Error(`metadata invariant: key ${key} revision ${prev.revision} not below write index ${index}`);
    }
    const e: MetaEntry = { key, value, revision: index, version };
    this.kv.set(key, e);
    return e.revision;
  }
}
