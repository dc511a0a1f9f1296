import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { probeWorld } from "./helpers.js";

describe("Network", () => {
  it("a cut link never delivers; a healed one does", () => {
    fc.assert(fc.property(fc.nat(), fc.nat({ max: 4 }), fc.nat({ max: 4 }), (seed, a, b) => {
      fc.pre(a !== b);
      const { w, node } = probeWorld(seed, 5, { net: { latencyMedianUs: 1000, latencySigma: 1, lossP: 0, dupP: 0.2 } });
      w.net.cutOneWay(a, b);
      for (let i = 0; i < 20; i++) node(a).env.send(b, { type: "m", n: i });
      node(b).env.send(a, { type: "m", n: 99 }); // the other direction still works
      w.runFor(1_000_000);
      expect(node(b).got.filter(([f]) => f === a)).toEqual([]);
      expect(node(a).got.map(([, n]) => n)).toContain(99);
      w.net.heal();
      node(a).env.send(b, { type: "m", n: 7 });
      w.runFor(1_000_000);
      expect(node(b).got.map(([, n]) => n)).toContain(7);
    }), { numRuns: 50 });
  });

  it("a message in flight is dropped if the link is cut when it arrives (Jepsen-like)", () => {
    const { w, node } = probeWorld(1, 2);
    node(0).env.send(1, { type: "m", n: 1 });
    w.runFor(100); // latency is 1000 µs
    w.net.cutOneWay(0, 1);
    w.runFor(10_000);
    expect(node(1).got).toEqual([]);
    expect(w.net.dropped).toBe(1);
  });

  it("clogging holds a link until T, then releases", () => {
    const { w, node } = probeWorld(1, 2);
    w.net.clog(0, 1, 50_000);
    node(0).env.send(1, { type: "m", n: 1 });
    w.runUntil(49_999);
    expect(node(1).got).toEqual([]);
    w.runUntil(50_000);
    expect(node(1).got.length).toBe(1);
  });

  it("latency jitter reorders; loss and duplication happen at the configured rates", () => {
    const { w, node } = probeWorld(3, 2, { net: { latencyMedianUs: 1000, latencySigma: 1, lossP: 0.1, dupP: 0.1 } });
    for (let i = 0; i < 2000; i++) node(0).env.send(1, { type: "m", n: i });
    w.runFor(10_000_000);
    const ns = node(1).got.map(([, n]) => n);
    expect(ns.length).toBeGreaterThan(1800 * 0.95 * 1.0);
    expect(new Set(ns).size).toBeLessThan(ns.length); // duplicates
    expect(new Set(ns).size).toBeLessThan(1900); // losses
    expect(ns.some((n, i) => i > 0 && n < ns[i - 1])).toBe(true); // reordering
  });

  it("partition helpers cut the right links", () => {
    const { w } = probeWorld(1, 5);
    w.net.isolate(2);
    for (let j = 0; j < 5; j++) if (j !== 2) expect(w.net.isCut(2, j) && w.net.isCut(j, 2)).toBe(true);
    expect(w.net.isCut(0, 1)).toBe(false);
    w.net.heal();
    w.net.majoritiesRing([0, 1, 2, 3, 4]);
    // each node reaches itself and its two ring neighbours: a majority of 5
    for (let i = 0; i < 5; i++) {
      const reach = [0, 1, 2, 3, 4].filter((j) => j === i || !w.net.isCut(i, j));
      expect(reach.length).toBe(3);
    }
    w.net.heal();
    w.net.bridge([0, 1], 2);
    expect(w.net.isCut(0, 3)).toBe(true);
    expect(w.net.isCut(0, 2) || w.net.isCut(2, 4)).toBe(false);
    w.net.heal();
    const side = w.net.splitRandomHalves(w.rng.fork("t"));
    expect(side.length).toBe(2);
    expect(w.net.anyCut).toBe(true);
  });
});
