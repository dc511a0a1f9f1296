import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MetadataStore, type StoreSnapshot } from "../../../src/impl/metadata/store.js";
import { isStale, isWriteOp, type ApplyResult, type MetaCommand } from "../../../src/impl/metadata/commands.js";
import type { MetaEntry, MetaOp, MetaResult } from "../../../src/impl/metadata/ops.js";

let seqs = new Map<number, number>();
/** A fresh command for client c (next seq). */
function cmd(client: number, op: MetaOp): MetaCommand {
  const seq = (seqs.get(client) ?? 0) + 1;
  seqs.set(client, seq);
  return { client, seq, op };
}

function fresh(opts?: { dedupSessions?: boolean }): MetadataStore {
  seqs = new Map();
  return new MetadataStore(opts);
}

describe("MetadataStore operations", () => {
  it("put creates with version 1 and revision = index, then bumps version", () => {
    const s = fresh();
    expect(s.apply(3, cmd(1, { f: "put", key: "a", value: "x" }))).toEqual({ f: "put", revision: 3 });
    expect(s.get("a")).toEqual({ f: "get", found: true, value: "x", revision: 3, version: 1 });
    expect(s.apply(7, cmd(1, { f: "put", key: "a", value: "y" }))).toEqual({ f: "put", revision: 7 });
    expect(s.get("a")).toEqual({ f: "get", found: true, value: "y", revision: 7, version: 2 });
    expect(s.appliedIndex()).toBe(7);
    s.checkInvariants();
  });

  it("get/exists on absent keys", () => {
    const s = fresh();
    expect(s.get("nope")).toEqual({ f: "get", found: false });
    expect(s.exists("nope")).toEqual({ f: "exists", exists: false });
    s.apply(1, cmd(1, { f: "put", key: "k", value: "v" }));
    expect(s.exists("k")).toEqual({ f: "exists", exists: true });
  });

  it("delete removes and resets version; delete of absent key is a no-op with revision = index", () => {
    const s = fresh();
    s.apply(1, cmd(1, { f: "put", key: "a", value: "1" }));
    s.apply(2, cmd(1, { f: "put", key: "a", value: "2" }));
    expect(s.apply(3, cmd(1, { f: "delete", key: "a" }))).toEqual({ f: "delete", deleted: true, revision: 3 });
    expect(s.get("a")).toEqual({ f: "get", found: false });
    expect(s.apply(4, cmd(1, { f: "delete", key: "a" }))).toEqual({ f: "delete", deleted: false, revision: 4 });
    expect(s.apply(5, cmd(1, { f: "put", key: "a", value: "3" }))).toEqual({ f: "put", revision: 5 });
    expect(s.get("a")).toMatchObject({ found: true, version: 1, revision: 5, value: "3" });
  });

  it("cas succeeds on matching revision and on absent/'absent'", () => {
    const s = fresh();
    expect(s.apply(1, cmd(1, { f: "cas", key: "a", expected: "absent", value: "v1" }))).toEqual({ f: "cas", ok: true, revision: 1 });
    expect(s.get("a")).toMatchObject({ value: "v1", revision: 1, version: 1 });
    expect(s.apply(2, cmd(1, { f: "cas", key: "a", expected: 1, value: "v2" }))).toEqual({ f: "cas", ok: true, revision: 2 });
    expect(s.get("a")).toMatchObject({ value: "v2", revision: 2, version: 2 });
  });

  it("cas fails with the current revision (0 when absent) and changes nothing", () => {
    const s = fresh();
    expect(s.apply(1, cmd(1, { f: "cas", key: "a", expected: 5, value: "x" }))).toEqual({ f: "cas", ok: false, currentRevision: 0 });
    expect(s.get("a")).toEqual({ f: "get", found: false });
    s.apply(2, cmd(1, { f: "put", key: "a", value: "p" }));
    expect(s.apply(3, cmd(1, { f: "cas", key: "a", expected: "absent", value: "x" }))).toEqual({ f: "cas", ok: false, currentRevision: 2 });
    expect(s.apply(4, cmd(1, { f: "cas", key: "a", expected: 1, value: "x" }))).toEqual({ f: "cas", ok: false, currentRevision: 2 });
    expect(s.get("a")).toEqual({ f: "get", found: true, value: "p", revision: 2, version: 1 });
    expect(s.appliedIndex()).toBe(4);
  });

  it("list by prefix is ordered by key (code-unit order)", () => {
    const s = fresh();
    let i = 1;
    for (const k of ["b/2", "a", "b/10", "b/1", "B", "c", "b"]) s.apply(i++, cmd(1, { f: "put", key: k, value: k }));
    expect(s.list("b").items.map((e) => e.key)).toEqual(["b", "b/1", "b/10", "b/2"]);
    expect(s.list("").items.map((e) => e.key)).toEqual(["B", "a", "b", "b/1", "b/10", "b/2", "c"]);
    expect(s.list("zz").items).toEqual([]);
    const r = s.apply(i, cmd(1, { f: "list", prefix: "b/" })) as MetaResult;
    expect(r).toEqual({ f: "list", items: s.list("b/").items });
  });

  it("read() serves read ops and rejects writes", () => {
    const s = fresh();
    s.apply(1, cmd(1, { f: "put", key: "a", value: "v" }));
    expect(s.read({ f: "get", key: "a" })).toEqual(s.get("a"));
    expect(s.read({ f: "exists", key: "a" })).toEqual({ f: "exists", exists: true });
    expect(() => s.read({ f: "put", key: "a", value: "w" })).toThrow(/metadata invariant/);
  });

  it("asserts strictly increasing apply indices; advance() moves over no-ops", () => {
    const s = fresh();
    s.apply(2, cmd(1, { f: "put", key: "a", value: "v" }));
    expect(() => s.apply(2, cmd(1, { f: "put", key: "a", value: "w" }))).toThrow(/metadata invariant/);
    expect(() => s.apply(1, cmd(1, { f: "put", key: "a", value: "w" }))).toThrow(/metadata invariant/);
    s.advance(5);
    expect(s.appliedIndex()).toBe(5);
    expect(() => s.advance(5)).toThrow(/metadata invariant/);
    expect(s.apply(6, cmd(1, { f: "put", key: "a", value: "z" }))).toEqual({ f: "put", revision: 6 });
  });

  it("isWriteOp classifies ops", () => {
    expect(isWriteOp({ f: "put", key: "a", value: "v" })).toBe(true);
    expect(isWriteOp({ f: "cas", key: "a", expected: "absent", value: "v" })).toBe(true);
    expect(isWriteOp({ f: "delete", key: "a" })).toBe(true);
    expect(isWriteOp({ f: "get", key: "a" })).toBe(false);
    expect(isWriteOp({ f: "list", prefix: "" })).toBe(false);
  });
});

describe("client sessions", () => {
  it("a retried command (same seq) returns the cached result and is not re-executed", () => {
    const s = fresh();
    const c: MetaCommand = { client: 9, seq: 1, op: { f: "put", key: "a", value: "v" } };
    const r1 = s.apply(1, c);
    const r2 = s.apply(2, c);
    expect(r2).toBe(r1);
    expect(s.get("a")).toEqual({ f: "get", found: true, value: "v", revision: 1, version: 1 });
    expect(s.appliedIndex()).toBe(2);
    // a retried cas that succeeded keeps reporting success
    const cas: MetaCommand = { client: 9, seq: 2, op: { f: "cas", key: "a", expected: 1, value: "w" } };
    expect(s.apply(3, cas)).toEqual({ f: "cas", ok: true, revision: 3 });
    expect(s.apply(4, cas)).toEqual({ f: "cas", ok: true, revision: 3 });
    expect(s.get("a")).toMatchObject({ value: "w", version: 2, revision: 3 });
  });

  it("a stale command (seq below the last) is not executed and yields the stale marker", () => {
    const s = fresh();
    s.apply(1, { client: 1, seq: 1, op: { f: "put", key: "a", value: "old" } });
    s.apply(2, { client: 1, seq: 2, op: { f: "put", key: "a", value: "new" } });
    const r: ApplyResult = s.apply(3, { client: 1, seq: 1, op: { f: "put", key: "a", value: "old" } });
    expect(isStale(r)).toBe(true);
    expect(r).toEqual({ f: "stale", client: 1, seq: 1, lastSeq: 2 });
    expect(s.get("a")).toMatchObject({ value: "new", version: 2 });
    expect(s.sessionSeq(1)).toBe(2);
  });

  it("sessions are per client", () => {
    const s = fresh();
    s.apply(1, { client: 1, seq: 1, op: { f: "put", key: "a", value: "x" } });
    expect(s.apply(2, { client: 2, seq: 1, op: { f: "put", key: "a", value: "y" } })).toEqual({ f: "put", revision: 2 });
    expect(s.get("a")).toMatchObject({ value: "y", version: 2 });
  });

  it("dedupSessions:false (planted bug) applies a retried write twice", () => {
    const s = fresh({ dedupSessions: false });
    const c: MetaCommand = { client: 9, seq: 1, op: { f: "put", key: "a", value: "v" } };
    expect(s.apply(1, c)).toEqual({ f: "put", revision: 1 });
    expect(s.apply(2, c)).toEqual({ f: "put", revision: 2 });
    expect(s.get("a")).toEqual({ f: "get", found: true, value: "v", revision: 2, version: 2 });
    // and a retried successful cas now reports failure
    const cas: MetaCommand = { client: 9, seq: 2, op: { f: "cas", key: "a", expected: 2, value: "w" } };
    expect(s.apply(3, cas)).toEqual({ f: "cas", ok: true, revision: 3 });
    expect(s.apply(4, cas)).toEqual({ f: "cas", ok: false, currentRevision: 3 });
  });
});

describe("snapshots", () => {
  it("round trip preserves data, sessions and applied index; snapshot is an immutable copy", () => {
    const s = fresh();
    s.apply(1, { client: 1, seq: 1, op: { f: "put", key: "b", value: "1" } });
    s.apply(2, { client: 2, seq: 1, op: { f: "put", key: "a", value: "2" } });
    s.apply(4, { client: 1, seq: 2, op: { f: "cas", key: "b", expected: 1, value: "3" } });
    const snap = s.snapshot();
    expect(Object.isFrozen(snap) && Object.isFrozen(snap.entries) && Object.isFrozen(snap.sessions)).toBe(true);
    expect(snap.appliedIndex).toBe(4);
    expect(snap.entries.map((e) => e.key)).toEqual(["a", "b"]);
    expect(snap.sessions.map((x) => [x.client, x.seq])).toEqual([[1, 2], [2, 1]]);

    // mutate the original after the snapshot: the snapshot must not change
    s.apply(5, { client: 2, seq: 2, op: { f: "delete", key: "a" } });
    expect(snap.entries.map((e) => e.key)).toEqual(["a", "b"]);

    const r = MetadataStore.fromSnapshot(snap);
    expect(r.appliedIndex()).toBe(4);
    expect(r.get("a")).toEqual({ f: "get", found: true, value: "2", revision: 2, version: 1 });
    expect(r.get("b")).toEqual({ f: "get", found: true, value: "3", revision: 4, version: 2 });
    // sessions survive: a retry of client 1 seq 2 is deduplicated
    expect(r.apply(6, { client: 1, seq: 2, op: { f: "cas", key: "b", expected: 1, value: "3" } })).toEqual({ f: "cas", ok: true, revision: 4 });
    expect(r.get("b")).toMatchObject({ version: 2 });
    expect(MetadataStore.fromSnapshot(snap).stateHash()).toBe(MetadataStore.fromSnapshot(snap).stateHash());
  });

  it("fromSnapshot rejects malformed snapshots", () => {
    const e = (key: string, revision: number, version = 1): MetaEntry => ({ key, value: "v", revision, version });
    const bad: StoreSnapshot[] = [
      { appliedIndex: 5, entries: [e("b", 1), e("a", 2)], sessions: [] },
      { appliedIndex: 1, entries: [e("a", 2)], sessions: [] },
      { appliedIndex: 5, entries: [e("a", 2, 0)], sessions: [] },
      { appliedIndex: 5, entries: [], sessions: [{ client: 1, seq: 1, result: { f: "put", revision: 1 } }, { client: 1, seq: 2, result: { f: "put", revision: 2 } }] },
    ];
    for (const s of bad) expect(() => MetadataStore.fromSnapshot(s)).toThrow(/metadata invariant/);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the store agrees with a simple reference implementation of ops.ts + sessions.

interface RefEntry { value: string; revision: number; version: number }

class RefStore {
  kv: Record<string, RefEntry> = {};
  sess: Record<number, { seq: number; result: unknown }> = {};
  constructor(readonly dedup: boolean) {}

  apply(index: number, c: MetaCommand): unknown {
    if (this.dedup) {
      const s = this.sess[c.client];
      if (s && c.seq === s.seq) return s.result;
      if (s && c.seq < s.seq) return { f: "stale", client: c.client, seq: c.seq, lastSeq: s.seq };
      const r = this.exec(index, c.op);
      this.sess[c.client] = { seq: c.seq, result: r };
      return r;
    }
    return this.exec(index, c.op);
  }

  exec(index: number, op: MetaOp): unknown {
    const cur = op.f === "list" ? undefined : this.kv[op.key];
    switch (op.f) {
      case "get":
        return cur ? { f: "get", found: true, ...cur } : { f: "get", found: false };
      case "exists":
        return { f: "exists", exists: cur !== undefined };
      case "list":
        return {
          f: "list",
          items: Object.keys(this.kv).filter((k) => k.startsWith(op.prefix)).sort().map((k) => ({ key: k, ...this.kv[k] })),
        };
      case "put":
        this.kv[op.key] = { value: op.value, revision: index, version: (cur?.version ?? 0) + 1 };
        return { f: "put", revision: index };
      case "delete":
        delete this.kv[op.key];
        return { f: "delete", deleted: cur !== undefined, revision: index };
      case "cas":
        if (cur ? op.expected === cur.revision : op.expected === "absent") {
          this.kv[op.key] = { value: op.value, revision: index, version: (cur?.version ?? 0) + 1 };
          return { f: "cas", ok: true, revision: index };
        }
        return { f: "cas", ok: false, currentRevision: cur?.revision ?? 0 };
    }
  }
}

const keyArb = fc.constantFrom("a", "b", "ab", "b/x");
const opArb: fc.Arbitrary<MetaOp> = fc.oneof(
  fc.record({ f: fc.constant("get" as const), key: keyArb }),
  fc.record({ f: fc.constant("exists" as const), key: keyArb }),
  fc.record({ f: fc.constant("list" as const), prefix: fc.constantFrom("", "a", "b", "b/") }),
  fc.record({ f: fc.constant("put" as const), key: keyArb, value: fc.string({ maxLength: 3 }) }),
  fc.record({ f: fc.constant("delete" as const), key: keyArb }),
  fc.record({
    f: fc.constant("cas" as const),
    key: keyArb,
    expected: fc.oneof(fc.constant("absent" as const), fc.integer({ min: 0, max: 40 })),
    value: fc.string({ maxLength: 3 }),
  }),
);
/** kind: 0 = new seq, 1 = retry the last command, 2 = stale re-delivery of an older command. */
const stepArb = fc.record({
  client: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom(0, 0, 0, 1, 2),
  gap: fc.integer({ min: 1, max: 3 }),
  op: opArb,
  snapshot: fc.boolean(),
});

function runProperty(dedup: boolean) {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
      let store = new MetadataStore({ dedupSessions: dedup });
      const ref = new RefStore(dedup);
      const history = new Map<number, MetaCommand[]>();
      let index = 0;
      for (const st of steps) {
        const past = history.get(st.client) ?? [];
        let c: MetaCommand;
        if (st.kind === 1 && past.length > 0) c = past[past.length - 1]!;
        else if (st.kind === 2 && past.length > 1) c = past[(st.gap - 1) % (past.length - 1)]!;
        else {
          c = { client: st.client, seq: past.length + 1, op: st.op };
          past.push(c);
          history.set(st.client, past);
        }
        index += st.gap;
        const got = store.apply(index, c);
        const want = ref.apply(index, c);
        expect(got).toEqual(want);
        store.checkInvariants();
        if (st.snapshot) store = MetadataStore.fromSnapshot(store.snapshot(), { dedupSessions: dedup });
      }
      expect(store.list("").items).toEqual((ref.exec(index + 1, { f: "list", prefix: "" }) as { items: unknown }).items);
    }),
    { numRuns: 300 },
  );
}

describe("property: store == reference", () => {
  it("with session dedup", () => runProperty(true));
  it("without session dedup (planted bug mode)", () => runProperty(false));
});

describe("MetadataStore session expiry (sessionTtl)", () => {
  const put = (client: number, seq: number, value: string, start?: number): MetaCommand => ({ client, seq, op: { f: "put", key: "k", value }, ...(start !== undefined ? { start } : {}) });
  // Another client's writes fill log indices (its session stays live: one command per entry).
  const fillerSeq = new WeakMap<MetadataStore, number>();
  const filler = (s: MetadataStore, from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      const seq = (fillerSeq.get(s) ?? 0) + 1;
      fillerSeq.set(s, seq);
      expect(s.apply(i, put(9, seq, `f${i}`))).toEqual({ f: "put", revision: i });
    }
  };

  it("a retry within the ttl gets the cached result; after it, the session is expired and nothing executes", () => {
    const s = new MetadataStore({ sessionTtl: 5 });
    expect(s.apply(1, put(1, 1, "a"))).toEqual({ f: "put", revision: 1 });
    filler(s, 2, 5);
    expect(s.apply(6, put(1, 1, "a"))).toEqual({ f: "put", revision: 1 }); // 1 >= 6 - 5: still live
    filler(s, 7, 12);
    expect(s.apply(13, put(1, 1, "a"))).toEqual({ f: "expired", client: 1, seq: 1 });
    expect(s.apply(14, put(1, 2, "b"))).toEqual({ f: "expired", client: 1, seq: 2 }); // not a first command
    expect(s.get("k")).toMatchObject({ value: "f12" }); // neither executed
  });

  it("a new session starts above every seq of the old; an old incarnation's commands never execute again", () => {
    const s = new MetadataStore({ sessionTtl: 5 });
    s.apply(1, put(1, 1, "a"));
    filler(s, 2, 10);
    // The expired session's first command, duplicated late: it must not reopen the session.
    expect(s.apply(11, put(1, 1, "a"))).toEqual({ f: "expired", client: 1, seq: 1 });
    expect(s.apply(12, put(1, 2, "b", 2))).toEqual({ f: "put", revision: 12 }); // the new session
    expect(s.apply(13, put(1, 1, "a"))).toMatchObject({ f: "stale" }); // an older incarnation
    expect(s.apply(14, put(1, 2, "b", 2))).toEqual({ f: "put", revision: 12 }); // a retry: cached
    expect(s.apply(15, put(1, 3, "c", 2))).toEqual({ f: "put", revision: 15 });
    expect(s.get("k")).toMatchObject({ value: "c", revision: 15 });
  });

  it("a session's first command in the log may be above its start (reads use seqs without the log)", () => {
    const s = new MetadataStore({ sessionTtl: 5 });
    expect(s.apply(1, put(1, 3, "a"))).toEqual({ f: "put", revision: 1 }); // seqs 1, 2 were reads
    expect(s.apply(2, put(1, 3, "a"))).toEqual({ f: "put", revision: 1 }); // its retry: cached, not run again (swarm seed 1057)
    expect(s.apply(3, put(1, 2, "z"))).toMatchObject({ f: "stale" });
    filler(s, 4, 8);
    expect(s.apply(9, put(1, 5, "b"))).toEqual({ f: "expired", client: 1, seq: 5 }); // start 1 <= 3: the old session
    expect(s.apply(10, put(1, 8, "c", 6))).toEqual({ f: "put", revision: 10 }); // a new one from 6 on
    expect(s.apply(11, put(1, 5, "b"))).toMatchObject({ f: "stale" });
  });

  it("tombstones survive a snapshot; without a ttl the snapshot format is what it was", () => {
    const s = new MetadataStore({ sessionTtl: 3 });
    s.apply(1, put(1, 1, "a"));
    filler(s, 2, 6);
    const snap = s.snapshot();
    expect(snap.sessions.find((e) => e.client === 1)).toMatchObject({ expired: true, seq: 1, start: 1 });
    const t = MetadataStore.fromSnapshot(snap, { sessionTtl: 3 });
    expect(t.snapshot()).toEqual(snap);
    expect(t.apply(7, put(1, 1, "a"))).toMatchObject({ f: "expired" });
    const plain = new MetadataStore();
    plain.apply(1, put(1, 1, "a"));
    expect(plain.snapshot().sessions).toEqual([{ client: 1, seq: 1, result: { f: "put", revision: 1 } }]);
  });
});
