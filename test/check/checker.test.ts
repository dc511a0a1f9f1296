import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatCounterexample } from "../../src/check/counterexample.js";
import { readHistory } from "../../src/check/formats/index.js";
import type { Operation } from "../../src/check/history.js";
import { checkOperations } from "../../src/check/linearizability.js";
import { etcdCasRegister, knossosCasRegister, porcupineKv } from "../../src/check/models/index.js";
import { metadataKv } from "../../src/sim/models/metadata-kv.js";
import type { MetaOp, MetaResult } from "../../src/impl/metadata/ops.js";
import { historiesDir } from "../support/histories.js";

const dir = historiesDir();
const load = (f: string) => readHistory(readFileSync(path.join(dir, f), "utf8"), f).ops;

function op<I, O>(client: number, input: I, call: number, ret: number, output?: O, status: "ok" | "fail" | "info" = "ok"): Operation<I, O> {
  return { client, input, call, ret: status === "info" ? Infinity : ret, status, output: status === "info" ? undefined : output };
}

describe("scheduling and budgets", () => {
  it("a cheap failing key is not blocked by an expensive key (c50-bad)", () => {
    const ops = load("porcupine/kv/c50-bad.txt") as Operation<{ key: string }>[];
    // A state budget, not a clock, so the test means the same on any machine under any load.
    const budget = { maxMemoryStates: 200_000 };
    const expensive = ops.filter((o) => o.input.key === "0");
    expect(checkOperations(porcupineKv, expensive, budget)).toMatchObject({ verdict: "unknown", reason: "memory" }); // out of reach alone
    const mixed = ops.filter((o) => o.input.key === "0" || o.input.key === "3");
    const r = checkOperations(porcupineKv, mixed, budget);
    expect(r.verdict).toBe("illegal"); // the cheap key decides before the expensive one spends the budget
    expect(r.counterexample!.parts.map((p) => p.partition)).toEqual(["3"]);
  });

  it("running out of time or memory gives unknown, never a verdict", () => {
    const ops = load("porcupine/kv/c50-ok.txt");
    expect(checkOperations(porcupineKv, ops, { timeoutMs: 1 })).toMatchObject({ verdict: "unknown", reason: "timeout" });
    expect(checkOperations(porcupineKv, ops, { maxMemoryStates: 1000 })).toMatchObject({ verdict: "unknown", reason: "memory" });
    expect(checkOperations(porcupineKv, ops, { maxSteps: 1000 })).toMatchObject({ verdict: "unknown", reason: "steps" });
  });

  it("a step budget decides the same way every time, and one with room gives the verdict", () => {
    const ops = load("porcupine/kv/c50-ok.txt");
    const full = checkOperations(porcupineKv, ops, {});
    expect(full.verdict).toBe("ok");
    // Far below what the history needs: unknown, on every call (no clock involved).
    for (let i = 0; i < 3; i++) expect(checkOperations(porcupineKv, ops, { maxSteps: 5_000 })).toMatchObject({ verdict: "unknown", reason: "steps" });
    expect(checkOperations(porcupineKv, ops, { maxSteps: 1e9 }).verdict).toBe("ok");
    // A budget never turns a failing history into ok: the cheap failing key still decides.
    const bad = load("porcupine/kv/c50-bad.txt");
    expect(checkOperations(porcupineKv, bad, { maxSteps: 1e9 }).verdict).toBe("illegal");
    expect(() => checkOperations(porcupineKv, ops, { maxSteps: -1 })).toThrow(RangeError);
  });
});

describe("counterexample", () => {
  it("shows the longest linearizable prefix and the ops that cannot follow it", () => {
    const r = checkOperations(knossosCasRegister, load("knossos/cas-register/bad/rethink-fail-minimal.edn"));
    expect(r.verdict).toBe("illegal");
    const part = r.counterexample!.parts[0];
    expect(part.prefix.map((v) => v.description)).toEqual(["write(0) → ok", "write(4) → ok"]); // the concurrent write fits first
    expect(part.cannotFollow.find((b) => b.description === "read() → 3")?.reason).toBe("inconsistent");
    const text = formatCounterexample(r.counterexample!);
    expect(text).toContain("longest linearizable prefix: 2 ops");
    expect(text).toContain("read() → 3");
  });
});

describe("etcd-cas-register semantics", () => {
  it("a failed cas returned false: it needs a moment when the value differed", () => {
    const cas = { f: "cas" as const, value: [1, 2] as const };
    const h = [op(0, { f: "write" as const, value: 1 }, 0, 1), op(1, cas, 2, 3, undefined, "fail")];
    expect(checkOperations(etcdCasRegister, h).verdict).toBe("illegal");
    expect(checkOperations(knossosCasRegister, h).verdict).toBe("ok"); // Knossos drops it
  });
});

describe("metadata-kv", () => {
  type M = Operation<MetaOp, MetaResult>;
  const put = (c: number, v: string, call: number, ret: number, revision?: number): M =>
    op<MetaOp, MetaResult>(c, { f: "put", key: "k", value: v }, call, ret, revision === undefined ? undefined : { f: "put", revision }, revision === undefined ? "info" : "ok");
  const get = (c: number, call: number, ret: number, out: MetaResult): M => op<MetaOp, MetaResult>(c, { f: "get", key: "k" }, call, ret, out);

  it("an info put's unknown revision is pinned by a later read", () => {
    const h = [put(0, "a", 0, 1, 5), put(1, "b", 2, 0), get(2, 10, 11, { f: "get", found: true, value: "b", revision: 9, version: 2 })];
    expect(checkOperations(metadataKv, h).verdict).toBe("ok");
    const stale = [...h, get(3, 12, 13, { f: "get", found: true, value: "b", revision: 8, version: 2 })];
    expect(checkOperations(metadataKv, stale).verdict).toBe("illegal");
    const tooLow = [put(0, "a", 0, 1, 5), put(1, "b", 2, 0), get(2, 10, 11, { f: "get", found: true, value: "b", revision: 5, version: 2 })];
    expect(checkOperations(metadataKv, tooLow).verdict).toBe("illegal");
  });

  it("a failed cas pins the current revision; cas on the pinned revision must succeed", () => {
    const cas = (c: number, expected: number | "absent", call: number, ret: number, out: MetaResult): M => op<MetaOp, MetaResult>(c, { f: "cas", key: "k", expected, value: "z" }, call, ret, out);
    const h = [put(0, "a", 0, 1, 3), put(1, "b", 2, 0), cas(2, 3, 10, 11, { f: "cas", ok: false, currentRevision: 7 }), cas(3, 7, 12, 13, { f: "cas", ok: true, revision: 9 })];
    expect(checkOperations(metadataKv, h).verdict).toBe("ok");
    const h2 = [...h.slice(0, 3), cas(3, 7, 12, 13, { f: "cas", ok: false, currentRevision: 7 })];
    expect(checkOperations(metadataKv, h2).verdict).toBe("illegal");
  });

  it("leaves list ops unchecked, and rejects an output that does not answer its op", () => {
    const list = op<MetaOp, MetaResult>(0, { f: "list", prefix: "" }, 0, 1, { f: "list", items: [] });
    expect(checkOperations(metadataKv, [list])).toMatchObject({ verdict: "ok", unchecked: 1, ops: 0 });
    expect(() => checkOperations(metadataKv, [get(0, 0, 1, { f: "put", revision: 1 })])).toThrow(TypeError);
  });
});
