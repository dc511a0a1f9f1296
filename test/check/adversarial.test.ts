// The checker on generated hard histories (src/check/adversarial.ts), its memory budget, and
// the memo's soundness when hashes collide. Speed is measured by bench/checker.ts, not here.
import { describe, expect, it } from "vitest";
import { adversarialHistory } from "../../src/check/adversarial.js";
import { ConfigCache, type StateBudget } from "../../src/check/config-cache.js";
import { checkOperations } from "../../src/check/linearizability.js";
import type { Model } from "../../src/check/model.js";
import { casRegister, type RegisterInput, type RegisterValue } from "../../src/check/models/index.js";

describe("generated histories", () => {
  it("are the same for the same seed and differ across seeds", () => {
    expect(adversarialHistory("many-info", 300, 4)).toEqual(adversarialHistory("many-info", 300, 4));
    expect(adversarialHistory("many-info", 300, 4)).not.toEqual(adversarialHistory("many-info", 300, 5));
  });

  for (const kind of ["many-clients", "long-overlap", "many-info", "long"] as const) {
    it(`${kind}: linearizable by construction, and illegal with one read changed`, () => {
      const h = adversarialHistory(kind, 600, 11);
      expect(h.length).toBe(600);
      expect(checkOperations(casRegister, h).verdict).toBe("ok");
      // Proving "illegal" means exhausting every configuration before the bad read: kept small.
      const small = adversarialHistory(kind, 150, 11);
      const i = small.findLastIndex((o) => o.input.f === "read" && o.status === "ok");
      const bad = small.map((o, j) => (j === i ? { ...o, output: -1 } : o));
      const r = checkOperations(casRegister, bad);
      expect(r.verdict).toBe("illegal");
      expect(r.counterexample!.parts[0].cannotFollow.some((b) => b.index === i || b.reason === "dead-end")).toBe(true);
    });
  }

  it("the -bad kinds are illegal", () => {
    expect(checkOperations(casRegister, adversarialHistory("many-clients-bad", 600, 2)).verdict).toBe("illegal");
    expect(checkOperations(casRegister, adversarialHistory("concurrent-writes-bad", 10, 7)).verdict).toBe("illegal");
  });

  it("a 10^5-operation history is decided within the default memo budget", () => {
    const h = adversarialHistory("long", 100_000, 5);
    expect(checkOperations(casRegister, h).verdict).toBe("ok");
  }, 60_000);
});

describe("memory budget", () => {
  // 13 concurrent writes, then an impossible read: ~13 * 2^12 configurations before "illegal".
  const hard = adversarialHistory("concurrent-writes-bad", 14, 7);

  it("decides the hard history when the budget allows", () => {
    expect(checkOperations(casRegister, hard).verdict).toBe("illegal");
  });

  it("past the budget, in states or in bytes, the verdict is unknown (memory), never an exception", () => {
    expect(checkOperations(casRegister, hard, { maxMemoryStates: 5_000 })).toMatchObject({ verdict: "unknown", reason: "memory" });
    expect(checkOperations(casRegister, hard, { maxMemoryBytes: 100_000 })).toMatchObject({ verdict: "unknown", reason: "memory" });
    // and the pooled searches are usable again afterwards
    expect(checkOperations(casRegister, hard).verdict).toBe("illegal");
  });
});

describe("memo soundness", () => {
  const budget = (): StateBudget => ({ states: 0, bytes: 0, maxStates: 1e9, maxBytes: 1e12 });

  it("entries with equal hash lanes but different keys or states are kept apart", () => {
    const cache = new ConfigCache();
    cache.reset(casRegister as Model<unknown, unknown, unknown>, budget());
    const k1 = Int32Array.of(3, 5);
    const k2 = Int32Array.of(3, 6);
    expect(cache.addIfAbsent(7, 9, 1, -1, 8, k1, 2)).toBe(true);
    expect(cache.addIfAbsent(7, 9, 1, -1, 8, k2, 2)).toBe(true); // same hashes, other set
    expect(cache.addIfAbsent(7, 9, 1, -1, 9, k1, 2)).toBe(true); // other bound
    expect(cache.addIfAbsent(7, 9, 1, 3, 8, k1, 2)).toBe(true); // bitset, not list
    expect(cache.addIfAbsent(7, 9, 2, -1, 8, k1, 2)).toBe(true); // other state
    expect(cache.addIfAbsent(7, 9, 1, -1, 8, k1, 1)).toBe(true); // shorter key
    expect(cache.addIfAbsent(7, 9, 1, -1, 8, Int32Array.of(3, 5), 2)).toBe(false); // the first one again
    expect(cache.size).toBe(6);
    cache.release();
  });

  // A model whose states all hash alike: every memo lookup meets colliding entries, so any
  // verdict that differs from the real model's would come from a false memo hit.
  const collide: Model<RegisterValue, RegisterInput, unknown> = { ...casRegister, name: "collide", hash: () => 0 };

  it("verdicts do not depend on the state hash", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const h = adversarialHistory(seed % 2 ? "many-clients" : "many-info", 120, seed);
      const bad = h.map((o, j) => (j === 100 && o.input.f === "read" && o.status === "ok" ? { ...o, output: -1 } : o));
      for (const x of [h, bad]) expect(checkOperations(collide, x).verdict).toBe(checkOperations(casRegister, x).verdict);
    }
  });
});
