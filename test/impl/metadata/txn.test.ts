// The store's multi-op txn (ops.ts: TxnOp): all compares first, then every write at the txn's
// index, or nothing at all; raft-metadata never sends one, so its behaviour is untouched.
import { describe, expect, it } from "vitest";
import { MetadataStore } from "../../../src/impl/metadata/store.js";
import type { StoreOp } from "../../../src/impl/metadata/ops.js";

let seq = 0;
const run = (s: MetadataStore, index: number, op: StoreOp) => s.apply(index, { client: 1, seq: ++seq, op });

describe("metadata store txn", () => {
  it("applies every write at one revision when all compares hold", () => {
    const s = new MetadataStore();
    run(s, 1, { f: "put", key: "a", value: "1" });
    const r = run(s, 2, { f: "txn", ops: [{ key: "a", expected: 1, value: "2" }, { key: "b", expected: "absent", value: "x" }] });
    expect(r).toEqual({ f: "txn", ok: true, revision: 2 });
    expect(s.get("a")).toMatchObject({ found: true, value: "2", revision: 2, version: 2 });
    expect(s.get("b")).toMatchObject({ found: true, value: "x", revision: 2, version: 1 });
  });

  it("changes nothing when any compare fails, and names the first failing op", () => {
    const s = new MetadataStore();
    run(s, 1, { f: "put", key: "a", value: "1" });
    const r = run(s, 2, { f: "txn", ops: [{ key: "b", expected: "absent", value: "x" }, { key: "a", expected: 7, value: "2" }] });
    expect(r).toEqual({ f: "txn", ok: false, failed: 1, currentRevision: 1 });
    expect(s.get("b").found).toBe(false);
    expect(s.get("a")).toMatchObject({ value: "1", revision: 1 });
    // Only the session table and applied index moved: the keys are as before.
    expect(s.list("").items).toEqual([{ key: "a", value: "1", revision: 1, version: 1 }]);
  });

  it("an insert (absent) fails on a present key; value null deletes under a compare", () => {
    const s = new MetadataStore();
    run(s, 1, { f: "put", key: "a", value: "1" });
    expect(run(s, 2, { f: "txn", ops: [{ key: "a", expected: "absent", value: "z" }] })).toEqual({ f: "txn", ok: false, failed: 0, currentRevision: 1 });
    expect(run(s, 3, { f: "txn", ops: [{ key: "a", expected: 1, value: null }] })).toEqual({ f: "txn", ok: true, revision: 3 });
    expect(s.get("a").found).toBe(false);
    expect(run(s, 4, { f: "txn", ops: [{ key: "a", expected: 1, value: "again" }] })).toEqual({ f: "txn", ok: false, failed: 0, currentRevision: 0 });
  });

  it("refuses a txn that names one key twice", () => {
    const s = new MetadataStore();
    expect(run(s, 1, { f: "txn", ops: [{ key: "a", expected: "absent", value: "1" }, { key: "a", expected: "absent", value: "2" }] })).toEqual({ f: "txn", ok: false, failed: 1, currentRevision: -1 });
    expect(s.size()).toBe(0);
  });

  it("a retried txn returns its cached result (sessions) and is not executed twice", () => {
    const s = new MetadataStore();
    const op: StoreOp = { f: "txn", ops: [{ key: "a", expected: "absent", value: "1" }] };
    const first = s.apply(1, { client: 9, seq: 1, op });
    const again = s.apply(2, { client: 9, seq: 1, op });
    expect(again).toBe(first);
    expect(s.get("a")).toMatchObject({ revision: 1, version: 1 });
  });
});
