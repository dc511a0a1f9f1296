import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MonotonicTime } from "../../../src/impl/raft/monotonic.js";

describe("MonotonicTime", () => {
  it("never goes backward, whatever the local clock does", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5_000_000, max: 5_000_000 }), { maxLength: 200 }), (steps) => {
        const c = new MonotonicTime();
        let local = 1_000_000;
        let last = Number.NEGATIVE_INFINITY;
        for (const d of steps) {
          local += d;
          const m = c.read(local);
          expect(m).toBeGreaterThanOrEqual(last);
          last = m;
        }
      }),
    );
  });

  it("lets forward time pass unchanged and turns a backward step into time that does not pass", () => {
    const c = new MonotonicTime();
    expect(c.read(100)).toBe(100);
    expect(c.read(150)).toBe(150);
    expect(c.takeStep()).toBe(false);
    expect(c.read(50)).toBe(150); // stepped back 100
    expect(c.takeStep()).toBe(true);
    expect(c.takeStep()).toBe(false);
    expect(c.read(80)).toBe(180); // then time passes again at the same rate
    expect(c.toLocal(200)).toBe(100); // a wake-up at monotonic 200 is local 100 now (skew 100)
  });
});
