import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LocalClock } from "../../src/sim/kernel/clock.js";

describe("LocalClock", () => {
  it("offset, drift and jumps", () => {
    const c = new LocalClock(500);
    expect(c.local(0)).toBe(500);
    expect(c.local(1_000_000)).toBe(1_000_500);
    c.setDrift(1_000_000, 100); // +100 ppm from t=1s
    expect(c.local(2_000_000)).toBe(2_000_600);
    c.jump(2_000_000, -300);
    expect(c.local(2_000_000)).toBe(2_000_300);
    c.setOffset(3_000_000, 0);
    expect(c.local(3_000_000)).toBe(3_000_000);
  });

  it("toVirtual gives the earliest virtual instant at which the local deadline has passed", () => {
    fc.assert(fc.property(
      fc.nat({ max: 1e7 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -5e6, max: 5e6 }),
      fc.nat({ max: 1e8 }), fc.integer({ min: -1e6, max: 1e8 }),
      (off, ppm, jump, nowV, ahead) => {
        const c = new LocalClock(off);
        c.setDrift(0, ppm);
        c.jump(0, jump);
        const deadline = c.local(nowV) + ahead;
        const v = c.toVirtual(deadline, nowV);
        expect(v).toBeGreaterThanOrEqual(nowV);
        expect(c.local(v)).toBeGreaterThanOrEqual(deadline);
        if (v > nowV) expect(c.local(v - 1)).toBeLessThan(deadline);
      },
    ));
  });
});
