import { describe, expect, it } from "vitest";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { Rng, labelHash } from "../../src/sim/kernel/rng.js";
import type { ImplRng } from "../../src/impl/node.js";

const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.u32());

describe("Rng", () => {
  it("is a pure function of the seed", () => {
    fc.assert(fc.property(fc.maxSafeNat(), (seed) => {
      expect(draws(Rng.root(seed), 8)).toEqual(draws(Rng.root(seed), 8));
    }), { numRuns: 200 });
  });

  it("pins the stream (cross-process / cross-version stability)", () => {
    // If this changes, every recorded trace hash changes: do it on purpose only.
    expect(draws(Rng.root(7), 3)).toEqual(draws(Rng.root(7), 3));
    // Pinned values: the label hash seeds every stream; the first draws of root 7 and of a fork.
    expect(labelHash("network")).toBe(3501969066);
    const r = Rng.root(7);
    expect([r.u32(), r.u32(), r.u32()]).toEqual([2535193227, 2984775547, 355356357]);
    expect(Rng.root(7).fork("nemesis").u32()).toBe(1689247547);
    expect(Rng.root(2 ** 53 - 1).u32()).not.toBe(Rng.root(2 ** 32 - 1).u32());
  });

  it("forks are independent of draws and of each other", () => {
    fc.assert(fc.property(fc.nat(), fc.nat({ max: 50 }), fc.string(), (seed, k, label) => {
      const a = Rng.root(seed);
      const expected = draws(a.fork(label), 5);
      const b = Rng.root(seed);
      draws(b, k); // drawing from the parent...
      b.fork("someone-else").u32(); // ...or forking another consumer first
      expect(draws(b.fork(label), 5)).toEqual(expected);
    }), { numRuns: 200 });
  });

  it("different labels and different seeds give different streams", () => {
    const r = Rng.root(1);
    expect(draws(r.fork("a"), 4)).not.toEqual(draws(r.fork("b"), 4));
    expect(draws(r.fork("node/1/0"), 4)).not.toEqual(draws(r.fork("node/1/1"), 4));
    expect(draws(Rng.root(1), 4)).not.toEqual(draws(Rng.root(2), 4));
    expect(draws(r.fork("a").fork("b"), 4)).not.toEqual(draws(r.fork("b").fork("a"), 4));
  });

  it("int stays in [lo, hi] and covers it; float in [0,1)", () => {
    fc.assert(fc.property(fc.nat(), fc.integer({ min: -1e6, max: 1e6 }), fc.nat({ max: 1e6 }), (seed, lo, w) => {
      const r = Rng.root(seed);
      for (let i = 0; i < 20; i++) {
        const x = r.int(lo, lo + w);
        expect(Number.isInteger(x) && x >= lo && x <= lo + w).toBe(true);
        const f = r.float();
        expect(f >= 0 && f < 1).toBe(true);
      }
    }));
    const r = Rng.root(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.int(0, 9));
    expect(seen.size).toBe(10);
    const big = r.int(0, 2 ** 40);
    expect(big >= 0 && big <= 2 ** 40).toBe(true);
  });

  it("is statistically uniform enough (chi-square on 16 buckets)", () => {
    const r = Rng.root(42);
    const n = 160_000, k = 16;
    const counts = new Array(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(0, k - 1)]++;
    const e = n / k;
    const chi = counts.reduce((s, c) => s + ((c - e) ** 2) / e, 0);
    expect(chi).toBeLessThan(37.7); // p = 0.001 for 15 degrees of freedom
    let mean = 0;
    for (let i = 0; i < n; i++) mean += r.exponential(10);
    expect(Math.abs(mean / n - 10)).toBeLessThan(0.2);
  });

  it("helpers: pick, shuffle, chance, latency", () => {
    const r = Rng.root(5);
    const arr = [1, 2, 3, 4, 5, 6];
    expect(r.shuffle(arr.slice()).sort()).toEqual(arr);
    expect(arr).toContain(r.pick(arr));
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
    for (let i = 0; i < 100; i++) {
      const l = r.latencyUs(1000, 0.8);
      expect(Number.isInteger(l) && l >= 1).toBe(true);
    }
    expect(() => r.pick([])).toThrow(/empty/);
    expect(() => Rng.root(-1)).toThrow(/seed/);
  });

  it("satisfies ImplRng", () => {
    const r: ImplRng = Rng.root(1);
    expect(typeof r.int(0, 1)).toBe("number");
  });

  it("seedrandom is available for the benchmark comparison", () => {
    expect(seedrandom("x")()).toBe(seedrandom("x")());
  });
});
