// Multi-key transactions in the metadata model (model-ranges.ts) and the checker's joining of the
// parts a txn touches (linearizability.ts): histories a correct store can produce pass, and ones
// that only a store applying a txn non-atomically, ignoring a compare, or naming the wrong
// failing compare can produce fail.
import { describe, expect, it } from "vitest";
import type { Operation } from "../../src/check/history.js";
import { checkOperations } from "../../src/check/linearizability.js";
import type { StoreOp, StoreResult, TxnWrite } from "../../src/impl/metadata/ops.js";
import { metadataKvRanges, RANGE_PART } from "../../src/sim/systems/raft-metadata/model-ranges.js";

type M = Operation<StoreOp, StoreResult>;
const model = metadataKvRanges([]);

function op(client: number, input: StoreOp, call: number, ret: number, output?: StoreResult, status: "ok" | "fail" | "info" = "ok"): M {
  return { client, input, call, ret: status === "info" ? Infinity : ret, status, output: status === "info" ? undefined : output };
}
const put = (c: number, key: string, value: string, call: number, ret: number, revision: number) => op(c, { f: "put", key, value }, call, ret, { f: "put", revision });
const get = (c: number, key: string, call: number, ret: number, value?: string, revision = 0, version = 1) =>
  op(c, { f: "get", key }, call, ret, value === undefined ? { f: "get", found: false } : { f: "get", found: true, value, revision, version });
const w = (key: string, expected: number | "absent", value: string | null): TxnWrite => ({ key, expected, value });
const txnOk = (c: number, ops: TxnWrite[], call: number, ret: number, revision: number) => op(c, { f: "txn", ops }, call, ret, { f: "txn", ok: true, revision });
const txnFail = (c: number, ops: TxnWrite[], call: number, ret: number, failed: number, currentRevision: number) => op(c, { f: "txn", ops }, call, ret, { f: "txn", ok: false, failed, currentRevision });
const txnInfo = (c: number, ops: TxnWrite[], call: number) => op(c, { f: "txn", ops }, call, 0, undefined, "info");
const verdict = (h: M[]) => checkOperations(model, h).verdict;

describe("txn histories that must fail", () => {
  it("a txn applied non-atomically: a read sees one key written and the other not, after it completed", () => {
    const h = [txnOk(0, [w("a", "absent", "x"), w("b", "absent", "x")], 0, 10, 3), get(1, "a", 20, 30, "x", 3), get(1, "b", 40, 50)];
    expect(verdict(h)).toBe("illegal");
    // Each key alone is fine (were they checked apart, it would pass): the txn ties them.
    expect(verdict(h.slice(0, 2))).toBe("ok");
  });

  it("a compare ignored: a txn that succeeds though a key had another revision", () => {
    const h = [put(0, "a", "p", 0, 10, 2), txnOk(1, [w("a", "absent", "x"), w("b", "absent", "x")], 20, 30, 5)];
    expect(verdict(h)).toBe("illegal");
    expect(verdict([put(0, "a", "p", 0, 10, 2), txnOk(1, [w("a", 2, "x"), w("b", "absent", "x")], 20, 30, 5)])).toBe("ok");
  });

  it("the wrong compare named as failing, or the wrong current revision", () => {
    const base = [put(0, "a", "p", 0, 10, 2)];
    const ops = [w("a", 2, "x"), w("b", 7, "x")];
    // a holds (revision 2), b fails (absent: currentRevision 0).
    expect(verdict([...base, txnFail(1, ops, 20, 30, 1, 0)])).toBe("ok");
    expect(verdict([...base, txnFail(1, ops, 20, 30, 0, 2)])).toBe("illegal");
    expect(verdict([...base, txnFail(1, ops, 20, 30, 1, 3)])).toBe("illegal");
    // A failed txn changed something: a later read sees its write.
    expect(verdict([...base, txnFail(1, ops, 20, 30, 1, 0), get(2, "a", 40, 50, "x", 31)])).toBe("illegal");
  });

  it("writes at one revision: a txn's keys all get the txn's revision, the version counted per key", () => {
    const t = txnOk(0, [w("a", "absent", "x"), w("b", "absent", "y")], 0, 10, 4);
    expect(verdict([t, get(1, "a", 20, 30, "x", 4), get(1, "b", 20, 30, "y", 4)])).toBe("ok");
    expect(verdict([t, get(1, "b", 20, 30, "y", 5)])).toBe("illegal");
    expect(verdict([put(0, "a", "p", 0, 5, 2), txnOk(0, [w("a", 2, "x"), w("b", "absent", "y")], 6, 10, 4), get(1, "a", 20, 30, "x", 4, 1)])).toBe("illegal");
  });

  it("a txn that deletes: the key is absent after it", () => {
    const h = [put(0, "a", "p", 0, 10, 2), txnOk(1, [w("a", 2, null), w("b", "absent", "x")], 20, 30, 5)];
    expect(verdict([...h, get(2, "a", 40, 50)])).toBe("ok");
    expect(verdict([...h, get(2, "a", 40, 50, "p", 2)])).toBe("illegal");
  });
});

describe("txn histories that must pass", () => {
  it("an indeterminate txn either took effect on every key or on none", () => {
    const t = txnInfo(0, [w("a", "absent", "x"), w("b", "absent", "x")], 0);
    expect(verdict([t, get(1, "a", 20, 30, "x", 9), get(1, "b", 40, 50, "x", 9)])).toBe("ok");
    expect(verdict([t, get(1, "a", 20, 30), get(1, "b", 40, 50)])).toBe("ok");
    // ...never on one only
    expect(verdict([t, get(1, "a", 20, 30, "x", 9), get(1, "b", 40, 50)])).toBe("illegal");
  });

  it("concurrent txns on shared keys order either way", () => {
    const h = [
      txnOk(0, [w("a", "absent", "x"), w("b", "absent", "x")], 0, 30, 3),
      txnFail(1, [w("b", "absent", "y"), w("a", "absent", "y")], 5, 25, 0, 3),
      get(2, "b", 40, 50, "x", 3),
    ];
    expect(verdict(h)).toBe("ok");
  });

  it("a key named twice fails at its second occurrence with revision -1", () => {
    const ops = [w("a", "absent", "x"), w("a", "absent", "y")];
    expect(verdict([txnFail(0, ops, 0, 10, 1, -1)])).toBe("ok");
    expect(verdict([txnOk(0, ops, 0, 10, 3)])).toBe("illegal");
  });
});

describe("partitioning: a txn joins the parts of its keys", () => {
  it("every key a txn touches, transitively, is one part; other keys stay apart", () => {
    const h = [
      txnOk(0, [w("a", "absent", "x"), w("b", "absent", "x")], 0, 10, 3),
      txnOk(1, [w("b", 3, "y"), w("c", "absent", "y")], 20, 30, 5),
      put(2, "d", "z", 0, 10, 4),
      get(3, "a", 40, 50, "x", 3),
    ];
    const r = checkOperations(model, h);
    expect(r.verdict).toBe("ok");
    expect(r.partitions).toBe(2); // a + b + c, and d
    expect(r.ops).toBe(4);
    expect(r.unchecked).toBe(0);
  });

  it("a txn over a listed prefix and another key joins the range part", () => {
    const m = metadataKvRanges(["d/"]);
    expect(m.partition!({ f: "txn", ops: [w("d/1", "absent", "x"), w("a", "absent", "x")] })).toEqual([RANGE_PART, "a"]);
    expect(m.partition!({ f: "txn", ops: [w("d/1", "absent", "x"), w("d/2", "absent", "x")] })).toBe(RANGE_PART);
  });

  it("the counterexample names the joined part", () => {
    const h = [txnOk(0, [w("a", "absent", "x"), w("b", "absent", "x")], 0, 10, 3), get(1, "b", 40, 50)];
    const r = checkOperations(model, h);
    expect(r.verdict).toBe("illegal");
    expect(r.counterexample?.parts.map((p) => p.partition)).toEqual(["a + b"]);
  });
});
