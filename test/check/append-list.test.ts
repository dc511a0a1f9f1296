// The unique-token APPEND/GET linearizability check (src/check/append-list.ts): histories that
// must pass and histories that must fail, and agreement with the general checker on small ones.
import { describe, expect, it } from "vitest";
import { checkAppendHistory } from "../../src/check/append-list.js";
import { checkOperations } from "../../src/check/linearizability.js";
import { porcupineKv, type KvInput, type KvOutput } from "../../src/check/models/index.js";
import type { Operation } from "../../src/check/history.js";

type Op = Operation<KvInput, KvOutput>;
let pid = 0;
const app = (v: string, call: number, ret: number, status: "ok" | "fail" | "info" = "ok", key = "k"): Op =>
  ({ client: pid++, input: { f: "append", key, value: `${v},` }, call, ret: status === "info" ? Infinity : ret, status, output: status === "ok" ? null : undefined });
const get = (v: string, call: number, ret: number, key = "k"): Op => ({ client: pid++, input: { f: "get", key }, call, ret, status: "ok", output: v });

function both(ops: Op[], finals: Map<string, string> | null): boolean {
  const a = checkAppendHistory(ops, finals).ok;
  const g = checkOperations(porcupineKv, ops, { timeoutMs: 5_000 }).verdict;
  if (finals === null) expect(g === "ok").toBe(a); // the general checker knows no final state
  return a;
}

describe("append-list linearizability", () => {
  it("accepts sequential and concurrent histories that have a linearization", () => {
    expect(both([app("a", 0, 1), get("a,", 2, 3), app("b", 4, 5), get("a,b,", 6, 7)], null)).toBe(true);
    // Concurrent appends may land in either order; an indeterminate one may or may not land.
    expect(both([app("a", 0, 10), app("b", 1, 9), get("b,a,", 11, 12), app("c", 13, 0, "info")], null)).toBe(true);
    expect(both([app("a", 0, 10), app("b", 1, 9), get("b,", 2, 3)], null)).toBe(true);
    expect(checkAppendHistory([app("a", 0, 1), app("x", 2, 0, "info")], new Map([["k", "a,x,"]])).ok).toBe(true);
  });

  it("rejects a stale read, reordered writes, a read of the future, a failed write that landed, a duplicate", () => {
    expect(both([app("a", 0, 1), get("", 2, 3)], null)).toBe(false); // stale: a completed before the read began
    expect(both([app("a", 0, 1), app("b", 2, 3), get("b,a,", 4, 5)], null)).toBe(false);
    expect(both([get("a,", 0, 1), app("a", 2, 3)], null)).toBe(false);
    expect(both([get("a,", 0, 1), get("", 2, 3), app("a", 0, 5)], null)).toBe(false); // reads go back in time
    expect(checkAppendHistory([app("a", 0, 1, "fail"), get("a,", 2, 3)], null).ok).toBe(false);
    expect(checkAppendHistory([app("a", 0, 1), get("a,a,", 2, 3)], null).ok).toBe(false);
  });

  it("with the final state: an acknowledged write missing from it is lost, and every read is a prefix of it", () => {
    const lost = checkAppendHistory([app("a", 0, 1), app("b", 2, 3)], new Map([["k", "a,"]]));
    expect(lost).toMatchObject({ ok: false, key: "k" });
    expect((lost as { reason: string }).reason).toContain("lost write");
    expect(checkAppendHistory([app("a", 0, 1), get("a,", 2, 3)], new Map([["k", "b,"]])).ok).toBe(false);
    expect(checkAppendHistory([app("a", 0, 1, "info")], new Map([["k", ""]])).ok).toBe(true);
  });

  it("keys are independent", () => {
    expect(checkAppendHistory([app("a", 0, 1, "ok", "x"), get("", 2, 3, "y")], null).ok).toBe(true);
  });
});
