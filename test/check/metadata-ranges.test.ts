// metadata-kv-ranges: a list must be linearizable with the writes to every key it covers.
import { describe, expect, it } from "vitest";
import type { Operation } from "../../src/check/history.js";
import { checkOperations } from "../../src/check/linearizability.js";
import type { MetaEntry, MetaOp, MetaResult } from "../../src/impl/metadata/ops.js";
import { metadataKvRanges, RANGE_PART } from "../../src/sim/systems/raft-metadata/model-ranges.js";

type M = Operation<MetaOp, MetaResult>;
const model = metadataKvRanges(["d/"]);

function op(client: number, input: MetaOp, call: number, ret: number, output?: MetaResult, status: "ok" | "fail" | "info" = "ok"): M {
  return { client, input, call, ret: status === "info" ? Infinity : ret, status, output: status === "info" ? undefined : output };
}
const put = (c: number, key: string, value: string, call: number, ret: number, revision: number) => op(c, { f: "put", key, value }, call, ret, { f: "put", revision });
const putInfo = (c: number, key: string, value: string, call: number) => op(c, { f: "put", key, value }, call, 0, undefined, "info");
const del = (c: number, key: string, call: number, ret: number, revision: number, deleted = true) => op(c, { f: "delete", key }, call, ret, { f: "delete", deleted, revision });
const item = (key: string, value: string, revision: number, version = 1): MetaEntry => ({ key, value, revision, version });
const list = (c: number, call: number, ret: number, items: MetaEntry[], prefix = "d/") => op(c, { f: "list", prefix }, call, ret, { f: "list", items });
const verdict = (h: M[]) => checkOperations(model, h).verdict;

describe("metadata-kv-ranges: lists that must fail", () => {
  it("a list that misses an acknowledged write completed before it began", () => {
    expect(verdict([put(0, "d/1", "x", 0, 10, 5), list(1, 20, 30, [])])).toBe("illegal");
    // The same list concurrent with the write may miss it.
    expect(verdict([put(0, "d/1", "x", 0, 25, 5), list(1, 20, 30, [])])).toBe("ok");
  });

  it("a list that shows a value that was never written", () => {
    expect(verdict([put(0, "d/1", "x", 0, 10, 5), list(1, 20, 30, [item("d/1", "y", 5)])])).toBe("illegal");
    expect(verdict([list(1, 20, 30, [item("d/2", "z", 3)])])).toBe("illegal");
    // ...or a written value with a revision or version it never had
    expect(verdict([put(0, "d/1", "x", 0, 10, 5), list(1, 20, 30, [item("d/1", "x", 6)])])).toBe("illegal");
    expect(verdict([put(0, "d/1", "x", 0, 10, 5), list(1, 20, 30, [item("d/1", "x", 5, 2)])])).toBe("illegal");
  });

  it("a list that shows two keys in states no single instant had", () => {
    // d/1 is written before d/2's write begins: no instant has d/2 and not d/1.
    const h = [put(0, "d/1", "a", 0, 10, 5), put(0, "d/2", "b", 20, 30, 6), list(1, 0, 40, [item("d/2", "b", 6)])];
    expect(verdict(h)).toBe("illegal");
    // d/1 is deleted only after d/2 was written: an empty list after d/1's write is never right,
    // though d/1 alone is absent (after its delete) and d/2 alone is absent (before its write)
    // at some instant of the list's interval.
    const h2 = [put(0, "d/1", "a", 0, 10, 4), put(0, "d/2", "b", 20, 30, 5), del(0, "d/1", 40, 50, 7), list(1, 11, 60, [])];
    expect(verdict(h2)).toBe("illegal");
    // Each key's own history is fine: only the list ties them together.
    expect(verdict(h.slice(0, 2))).toBe("ok");
    expect(verdict([...h2.slice(0, 3), list(1, 11, 60, [item("d/2", "b", 5)])])).toBe("ok");
  });

  it("a list out of key order, or one that shows a key outside its prefix", () => {
    const h = [put(0, "d/1", "a", 0, 10, 5), put(0, "d/2", "b", 20, 30, 6)];
    expect(verdict([...h, list(1, 40, 50, [item("d/2", "b", 6), item("d/1", "a", 5)])])).toBe("illegal");
    expect(verdict([...h, list(1, 40, 50, [item("d/1", "a", 5), item("d/2", "b", 6)], "d/1")])).toBe("illegal");
  });
});

describe("metadata-kv-ranges: lists that must pass", () => {
  it("a list sees the writes that completed before it and concurrent ones either way", () => {
    const h = [put(0, "d/1", "a", 0, 10, 5), put(2, "d/2", "b", 15, 35, 6), list(1, 20, 30, [item("d/1", "a", 5)]), list(3, 20, 30, [item("d/1", "a", 5), item("d/2", "b", 6)])];
    expect(verdict(h)).toBe("ok");
  });

  it("a list pins an indeterminate write's revision, and a later get must agree", () => {
    const get = (c: number, call: number, ret: number, revision: number) => op(c, { f: "get", key: "d/1" }, call, ret, { f: "get", found: true, value: "a", revision, version: 1 });
    const h = [putInfo(0, "d/1", "a", 0), list(1, 20, 30, [item("d/1", "a", 9)]), get(2, 40, 50, 9)];
    expect(verdict(h)).toBe("ok");
    expect(verdict([...h.slice(0, 2), get(2, 40, 50, 8)])).toBe("illegal");
  });

  it("keys outside every listed prefix stay parts of their own; lists of a sub-prefix are placed", () => {
    const h = [put(0, "a", "x", 0, 10, 1), put(1, "b", "y", 0, 10, 2), put(2, "d/1", "z", 0, 10, 3), list(3, 20, 30, [item("d/1", "z", 3)]), list(3, 40, 50, [], "d/2")];
    const r = checkOperations(model, h);
    expect(r).toMatchObject({ verdict: "ok", partitions: 3, unchecked: 0 });
    expect(model.partition!({ f: "get", key: "d/9" })).toBe(RANGE_PART);
    expect(model.partition!({ f: "list", prefix: "" })).toBeUndefined(); // covers keys outside the part
  });

  it("deletes: a list after a delete omits the key", () => {
    const h = [put(0, "d/1", "a", 0, 10, 5), del(0, "d/1", 20, 30, 7), list(1, 40, 50, [])];
    expect(verdict(h)).toBe("ok");
    expect(verdict([...h.slice(0, 2), list(1, 40, 50, [item("d/1", "a", 5)])])).toBe("illegal");
  });

  it("agrees with metadata-kv on histories without lists", async () => {
    const { metadataKv } = await import("../../src/sim/models/metadata-kv.js");
    const cas = (c: number, expected: number | "absent", call: number, ret: number, out: MetaResult) => op(c, { f: "cas", key: "d/k", expected, value: "z" }, call, ret, out);
    const good = [put(0, "d/k", "a", 0, 1, 3), putInfo(1, "d/k", "b", 2), cas(2, 3, 10, 11, { f: "cas", ok: false, currentRevision: 7 }), cas(3, 7, 12, 13, { f: "cas", ok: true, revision: 9 })];
    const bad = [...good.slice(0, 3), cas(3, 7, 12, 13, { f: "cas", ok: false, currentRevision: 7 })];
    for (const h of [good, bad]) expect(verdict(h)).toBe(checkOperations(metadataKv, h).verdict);
    expect(verdict(good)).toBe("ok");
    expect(verdict(bad)).toBe("illegal");
  });
});
