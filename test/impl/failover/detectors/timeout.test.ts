import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TIMEOUT_DEFAULTS, TIMEOUT_SPEC, TimeoutDetector, type TimeoutParams } from "../../../../src/impl/failover/detectors/timeout.js";
import { FdEventKind, FdMsgKind, S, type TimeoutMsg } from "../../../../src/impl/failover/detectors/types.js";
import { MiniNet } from "./harness.js";

const CTRL = 0;

function setup(p: TimeoutParams = TIMEOUT_DEFAULTS, targets = [1, 2], delayUs = 1000) {
  const nodes = new Map<number, TimeoutDetector>();
  nodes.set(CTRL, new TimeoutDetector(CTRL, targets, p, 0));
  for (const t of targets) nodes.set(t, new TimeoutDetector(t, [], p, 0));
  const net = new MiniNet<TimeoutMsg>(nodes, { delayUs: () => delayUs });
  return { net, ctrl: nodes.get(CTRL)! };
}

describe("timeout detector (kvrocks controller)", () => {
  it("defaults are kvrocks': probe every 3 s, suspect after 5 misses", () => {
    expect(TIMEOUT_DEFAULTS.intervalUs).toBe(3 * S);
    expect(TIMEOUT_DEFAULTS.maxMisses).toBe(5);
    expect(TIMEOUT_SPEC.bound(TIMEOUT_DEFAULTS, { n: 3, rttUs: 0 }).suspectUs).toBe(18 * S);
  });

  it("suspects exactly at the K-th consecutive miss, not at the (K-1)-th", () => {
    const { net, ctrl } = setup();
    net.run(4.5 * S); // probes at 0 and 3 s answered
    net.crashed.add(1);
    // Probes at 6, 9, 12, 15, 18 s miss; each is judged 3 s after it was sent.
    net.run(18 * S);
    expect(ctrl.missCount(1)).toBe(4);
    expect(net.eventsOf(FdEventKind.suspect)).toEqual([]);
    net.run(21 * S - 1);
    expect(ctrl.suspects(1)).toBe(false);
    net.run(21 * S);
    expect(ctrl.missCount(1)).toBe(5);
    expect(net.eventsOf(FdEventKind.suspect).map((e) => [e.target, e.trueUs])).toEqual([[1, 21 * S]]);
    expect(ctrl.suspects(2)).toBe(false);
    // Stays suspected, one event only.
    net.run(60 * S);
    expect(net.eventsOf(FdEventKind.suspect)).toHaveLength(1);
  });

  it("trusts again on the next answered probe and resets the count", () => {
    const { net, ctrl } = setup();
    net.run(1 * S);
    net.crashed.add(1);
    net.run(30 * S);
    expect(ctrl.suspects(1)).toBe(true);
    net.crashed.delete(1);
    net.run(31 * S); // the probe of 30 s is answered at 30.002 s
    expect(ctrl.suspects(1)).toBe(false);
    expect(ctrl.missCount(1)).toBe(0);
    const trust = net.eventsOf(FdEventKind.trust, CTRL, 1);
    expect(trust.map((e) => e.trueUs)).toEqual([30 * S + 2000]);
  });

  it("a reply that arrives after the probe timeout does not count", () => {
    const p = { ...TIMEOUT_DEFAULTS, probeTimeoutUs: 1 * S };
    const { net, ctrl } = setup(p, [1], 1.5 * S); // one-way 1.5 s: every answer is late
    net.run(100 * S);
    expect(ctrl.suspects(1)).toBe(true);
    expect(net.eventsOf(FdEventKind.suspect)[0].trueUs).toBe(4 * 3 * S + 1 * S);
  });

  it("answers probes with the probe's sequence number", () => {
    const d = new TimeoutDetector(5, [], TIMEOUT_DEFAULTS, 0);
    d.onMessage(0, { k: FdMsgKind.probe, seq: 42 }, 7);
    expect(d.drain().sends).toEqual([{ to: 0, msg: { k: FdMsgKind.probeReply, seq: 42 } }]);
    expect(d.nextWakeUs()).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects a probe timeout longer than the interval", () => {
    expect(() => new TimeoutDetector(0, [1], { ...TIMEOUT_DEFAULTS, probeTimeoutUs: 4 * S })).toThrow(/probeTimeoutUs/);
  });

  it("property: a crash is suspected within B_D and after more than (K-1)·P; no suspicion while up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200_000, max: 5 * S }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 50 * S }),
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        (interval, k, timeoutFrac, crashAt, delayFrac) => {
          const p = { intervalUs: interval, maxMisses: k, probeTimeoutUs: Math.max(1, Math.floor(interval * timeoutFrac)) };
          const delay = Math.floor(p.probeTimeoutUs * delayFrac); // round trip < timeout
          const { net } = setup(p, [1, 2], delay);
          net.run(crashAt);
          expect(net.events).toEqual([]);
          net.crashed.add(1);
          const bound = TIMEOUT_SPEC.bound(p, { n: 3, rttUs: 2 * delay }).suspectUs;
          net.run(crashAt + bound + 10 * interval);
          const s = net.eventsOf(FdEventKind.suspect);
          expect(s.map((e) => e.target)).toEqual([1]);
          expect(s[0].trueUs - crashAt).toBeLessThanOrEqual(bound);
          expect(s[0].trueUs - crashAt).toBeGreaterThan((k - 1) * interval);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});
